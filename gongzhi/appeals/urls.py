from django.urls import path, re_path

from gongzhi.appeals.views import admin, dashboard, resident, staff

app_name = "appeals"

NUMBER = r"(?P<number>\d{4}-\d{6,})"

urlpatterns = [
    # residents and the public
    path("new/", resident.submit, name="submit"),
    path("new/attributes/", resident.attribute_fields, name="attribute_fields"),
    re_path(rf"^submitted/{NUMBER}/$", resident.submitted, name="submitted"),
    path("track/", resident.track, name="track"),
    re_path(rf"^track/{NUMBER}/$", resident.tracked, name="tracked"),
    path("mine/", resident.mine, name="mine"),
    path("public/", resident.public_list, name="public"),
    re_path(rf"^public/{NUMBER}/$", resident.public_detail, name="public_detail"),
    # staff
    path("", staff.work_list, name="list"),
    path("queue/", staff.queue, name="queue"),
    path("bulk-dispatch/", staff.bulk_dispatch, name="bulk_dispatch"),
    path("export.xlsx", staff.export, name="export"),
    path("take/", staff.take, name="take"),
    path("assignments/", staff.assignments, name="assignments"),
    path("whistles/", staff.whistles, name="whistles"),
    path("whistles/check-in/", staff.check_in, name="check_in"),
    path("whistles/<int:whistle_id>/close/", staff.whistle_close, name="whistle_close"),
    path("whistles/summons/<int:summons_id>/rate/", staff.whistle_rate, name="whistle_rate"),
    path("import/", admin.import_upload, name="import"),
    path("import/confirm/", admin.import_confirm, name="import_confirm"),
    path("import/template.xlsx", admin.import_template, name="import_template"),
    path("categories/", admin.categories, name="categories"),
    path("categories/<str:code>/edit/", admin.category_edit, name="category_edit"),
    path("categories/<str:code>/retire/", admin.category_retire, name="category_retire"),
    path("rules/", admin.rules, name="rules"),
    path("rules/<int:rule_id>/", admin.rule_toggle, name="rule_toggle"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("desk/<str:key>/", staff.desk_panel, name="desk_panel"),
    # one appeal
    re_path(rf"^{NUMBER}/$", staff.detail, name="detail"),
    re_path(rf"^{NUMBER}/act/(?P<action>[a-z_]+)/$", staff.act, name="act"),
    re_path(rf"^{NUMBER}/contact/$", staff.reveal_contact, name="contact"),
    re_path(rf"^{NUMBER}/rate/$", resident.rate, name="rate"),
    re_path(rf"^{NUMBER}/public/$", resident.set_public, name="set_public"),
    re_path(rf"^{NUMBER}/files/(?P<attachment_id>\d+)/$", resident.attachment, name="file"),
]
