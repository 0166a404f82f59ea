from django.urls import path

from gongzhi.elections import views

app_name = "elections"

urlpatterns = [
    path("<int:election_id>/", views.detail, name="detail"),
    path("results/<int:election_id>/", views.public_detail, name="public_detail"),
]
