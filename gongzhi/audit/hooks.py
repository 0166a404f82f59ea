"""Menu entry and desk panel for audit events."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.audit import queries
from gongzhi.people.roles import Role
from gongzhi.web.hooks import DeskPanel, NavItem

NAV = [
    NavItem(key="audit", label=_("审计日志"), url_name="audit:events", perm="audit.view", order=90, section="admin")
]


def recent_events(request: HttpRequest) -> dict[str, Any]:
    return {"events": list(queries.events_visible(request.user).order_by("-seq")[:8])}


DESK = [
    DeskPanel(
        key="audit-recent",
        roles={Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN, Role.STREET_STAFF, Role.SUPERVISOR},
        template="audit/desk_recent.html",
        context=recent_events,
        title=_("最近操作"),
        order=85,
    ),
]
