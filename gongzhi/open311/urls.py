"""GeoReport v2 routes; the suffix alone selects the format (.json or .xml)."""

from django.urls import re_path

from gongzhi.open311 import views

app_name = "open311"

FMT = r"(?P<fmt>[A-Za-z0-9]+)"

urlpatterns = [
    re_path(rf"^v2/discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^v2/services\.{FMT}$", views.service_list, name="services"),
    re_path(rf"^v2/services/(?P<service_code>[^/]+)\.{FMT}$", views.service_definition, name="service"),
    re_path(rf"^v2/requests\.{FMT}$", views.requests_view, name="requests"),
    re_path(rf"^v2/requests/(?P<request_id>[^/]+)\.{FMT}$", views.request_detail, name="request"),
    re_path(rf"^v2/tokens/(?P<token>[^/]+)\.{FMT}$", views.token_detail, name="token"),
]
