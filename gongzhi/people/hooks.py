"""Menu entries and desk panels for the register and accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi import access
from gongzhi.people import queries
from gongzhi.people.models import ResidentTag, ResidentTagKind
from gongzhi.people.roles import Role
from gongzhi.web.hooks import DeskPanel, NavItem

NAV = [
    NavItem(key="residents", label=_("居民名册"), url_name="people:residents", perm="residents.view", order=60),
    NavItem(
        key="households",
        label=_("户"),
        url_name="people:households",
        perm="residents.manage",
        order=61,
        section="admin",
    ),
    NavItem(
        key="users", label=_("账号与角色"), url_name="people:users", perm="grants.view", order=83, section="admin"
    ),
]


def register_summary(request: HttpRequest) -> dict[str, Any]:
    """Counts for the register panel: residents in reach, and people who need attention."""
    residents = queries.residents_visible(request.user).filter(moved_out_on__isnull=True)
    tagged = ResidentTag.objects.filter(resident__in=residents.values("pk"))
    return {
        "total": residents.count(),
        "households": queries.households_visible(request.user).count(),
        "elderly_alone": tagged.filter(tag=ResidentTagKind.ELDERLY_ALONE).count(),
        "disability": tagged.filter(tag=ResidentTagKind.DISABILITY).count(),
        "can_manage": access.has_any(request.user, "residents.manage"),
    }


def my_record(request: HttpRequest) -> dict[str, Any]:
    resident = getattr(request.user, "resident", None)
    return {"resident": resident, "grants": list(queries.my_grants(request.user))}


_KEEPERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_HEAD,
    Role.STREET_STAFF,
    Role.DISTRICT_ADMIN,
    Role.SYSTEM_ADMIN,
}

DESK = [
    DeskPanel(
        key="register",
        roles=_KEEPERS,
        template="people/desk_register.html",
        context=register_summary,
        title=_("居民名册"),
        order=60,
    ),
    DeskPanel(
        key="me",
        roles=set(Role.values),
        template="people/desk_me.html",
        context=my_record,
        title=_("我的信息"),
        order=90,
    ),
]
