from django.urls import path

from gongzhi.services import views

app_name = "services"

urlpatterns = [
    path("", views.index, name="index"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/apply/", views.apply, name="apply"),
    path("points/<int:point_id>/", views.point_detail, name="point"),
    path("points/<int:point_id>/figures/", views.figures, name="figures"),
    path("points/<int:point_id>/village/", views.village, name="village"),
    path("mine/", views.mine, name="mine"),
    path("applications/<int:app_id>/", views.application, name="application"),
    path("applications/<int:app_id>/authorization/", views.authorization, name="authorization"),
    path("applications/<int:app_id>/authorization/file/", views.authorization_file, name="authorization_file"),
    path("applications/<int:app_id>/custody/", views.custody, name="custody"),
    path("applications/<int:app_id>/appointment/", views.appointment, name="appointment"),
    path("applications/<int:app_id>/<slug:verb>/", views.application_act, name="act"),
    path("appointments/<int:appt_id>/finish/", views.appointment_finish, name="appointment_finish"),
    path("desk/", views.desk, name="desk"),
    path("desk/bundle/", views.desk_bundle, name="desk_bundle"),
    path("work/", views.work, name="work"),
    path("work/export/", views.work_export, name="work_export"),
    path("bundles/<int:bundle_id>/", views.bundle, name="bundle"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/<int:cert_id>/", views.certificate, name="certificate"),
    path("certificates/<int:cert_id>/pdf/", views.certificate_file, name="certificate_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    path("duties/", views.duties, name="duties"),
    path("duties/new/", views.duty_new, name="duty_new"),
    path("duties/<int:duty_id>/edit/", views.duty_edit, name="duty_edit"),
    path("duties/<int:duty_id>/retire/", views.duty_retire, name="duty_retire"),
    path("enforcement/", views.cases, name="cases"),
    path("enforcement/<int:case_id>/", views.case, name="case"),
]
