from django.urls import path

from gongzhi.units import views

app_name = "units"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:unit_id>/", views.detail, name="detail"),
    path("<int:unit_id>/children/", views.children, name="children"),
    path("<int:unit_id>/new/", views.create, name="create"),
    path("<int:unit_id>/edit/", views.edit, name="edit"),
    path("<int:unit_id>/move/", views.move, name="move"),
    path("<int:unit_id>/close/", views.close, name="close"),
    path("<int:unit_id>/reopen/", views.reopen, name="reopen"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:department_id>/", views.department_detail, name="department_detail"),
    path("departments/<int:department_id>/edit/", views.department_edit, name="department_edit"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:organization_id>/edit/", views.organization_edit, name="organization_edit"),
]
