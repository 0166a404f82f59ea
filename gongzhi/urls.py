"""URLs: the web app at the root, each Gongzhi app's urls.py under its label, the API and Open311."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from gongzhi.api import api

admin.site.site_header = _("共治 · 系统后台")
admin.site.site_title = _("共治")

urlpatterns = [
    # The API first: resolving /api/v1/… then tries no web pattern (integrations call it the most).
    path("api/v1/", api.urls),
    path("", include("gongzhi.web.urls")),
    path("admin/", admin.site.urls),
]

# Apps whose URLs live at a fixed, externally known prefix instead of their label.
URL_PREFIXES = {"open311": "open311/"}

for config in apps.get_app_configs():
    if not config.name.startswith("gongzhi.") or config.label == "web":
        continue
    try:
        import_module(f"{config.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.urls":
            raise
        continue
    prefix = URL_PREFIXES.get(config.label, f"{config.label}/")
    urlpatterns.append(path(prefix, include(f"{config.name}.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "gongzhi.web.views.not_found"
