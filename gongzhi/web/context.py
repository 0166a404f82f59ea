"""Template context shared by every page: the menu, the user's units, elderly mode, unread count."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from gongzhi import access
from gongzhi.web.apps import system_admins_only
from gongzhi.web.hooks import nav_items

ELDERLY_COOKIE = "gz_elderly"


def elderly_mode(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.elderly_mode)
    return request.COOKIES.get(ELDERLY_COOKIE) == "1"


def layout(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    menu: list[dict[str, Any]] = []
    admin_menu: list[dict[str, Any]] = []
    unread = 0
    my_units: list[str] = []
    for item in nav_items():
        if not (item.public or (item.perm and access.has_any(user, item.perm))):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {"key": item.key, "label": item.label, "url": url, "active": request.path.startswith(url)}
        (admin_menu if item.section == "admin" else menu).append(entry)
    if user is not None and user.is_authenticated:
        from gongzhi.notify.queries import unread_count

        unread = unread_count(user)
        my_units = _unit_names(user)
    return {
        "nav_menu": menu,
        "nav_admin_menu": admin_menu,
        "elderly": elderly_mode(request),
        "unread_notifications": unread,
        "my_units": my_units,
        "is_production": settings.PRODUCTION,
        "can_admin": bool(user is not None and user.is_authenticated and system_admins_only(request)),
    }


def _unit_names(user: Any) -> list[str]:
    cached = getattr(user, "_gongzhi_unit_names", None)
    if cached is not None:
        return cached
    from gongzhi.people.queries import my_grants

    names: list[str] = []
    for grant in my_grants(user):
        label = f"{grant.get_role_display()} · {grant.node}"
        if label not in names:
            names.append(label)
    user._gongzhi_unit_names = names
    return names
