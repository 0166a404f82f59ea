from django.urls import path

from gongzhi.people import views

app_name = "people"

urlpatterns = [
    path("residents/", views.resident_list, name="residents"),
    path("residents/export.xlsx", views.resident_export, name="resident_export"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:resident_id>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:resident_id>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:resident_id>/move-out/", views.resident_move_out, name="resident_move_out"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
]
