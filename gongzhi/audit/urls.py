from django.urls import path

from gongzhi.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("verify/", views.chain_check, name="verify"),
    path("<int:event_id>/", views.event_detail, name="event_detail"),
]
