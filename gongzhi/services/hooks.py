"""Menu entries, desk panels and public cards of services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi import access
from gongzhi.people.roles import Role
from gongzhi.services import queries
from gongzhi.services.workflow import ApplicationStatus
from gongzhi.web.hooks import DeskPanel, NavItem, Panel, PublicLink

NAV = [
    NavItem(key="services", label=_("便民服务"), url_name="services:work", perm="services.process", order=30),
    NavItem(key="services-mine", label=_("我的办件"), url_name="services:mine", perm="services.apply", order=31),
    NavItem(
        key="services-certificates",
        label=_("证明出具"),
        url_name="services:certificates",
        perm="services.certificates_issue",
        order=32,
    ),
    NavItem(
        key="services-enforcement",
        label=_("综合执法"),
        url_name="services:cases",
        perm="services.enforcement_view",
        order=33,
    ),
    NavItem(
        key="services-duties",
        label=_("职责清单"),
        url_name="services:duties",
        perm="services.duties_view",
        order=84,
        section="admin",
    ),
]

PUBLIC_LINKS = [
    PublicLink(
        key="services-find",
        title=_("找服务 · 就近办"),
        text=_("查看身边的服务站点、办事指南和需要带的材料，在线申请。"),
        url_name="services:index",
        order=20,
    ),
    PublicLink(
        key="services-verify",
        title=_("证明真伪核验"),
        text=_("输入核验码，确认社区出具的证明是否真实有效。"),
        url_name="services:verify",
        order=21,
    ),
]


def desk_queue(request: HttpRequest) -> dict[str, Any]:
    """Open applications in reach: counts, overdue ones and the newest few."""
    open_qs = queries.applications_visible(request.user).filter(status__in=ApplicationStatus.open_values())
    return {
        "open": open_qs.count(),
        "overdue": open_qs.filter(deadline__lt=timezone.now()).count(),
        "pending": open_qs.filter(status=ApplicationStatus.ACCEPTED_PENDING).count(),
        "latest": list(open_qs.order_by("-submitted_at", "-id")[:5]),
        "points": list(queries.points_visible(request.user)[:5]),
        "can_certify": access.has_any(request.user, "services.certificates_issue"),
    }


def desk_mine(request: HttpRequest) -> dict[str, Any]:
    qs = queries.applications_visible(request.user).filter(applicant=request.user)
    return {"latest": list(qs.order_by("-submitted_at", "-id")[:5])}


def desk_district(request: HttpRequest) -> dict[str, Any]:
    qs = queries.applications_visible(request.user)
    return {"figures": queries.figures(qs), "items": queries.item_table(request.user, limit=5)}


_DESK_ROLES = {Role.COMMUNITY_WORKER, Role.COMMUNITY_HEAD, Role.GRID_WORKER, Role.STREET_STAFF}

DESK = [
    DeskPanel(
        key="services-queue",
        roles=_DESK_ROLES,
        template="services/desk_queue.html",
        context=desk_queue,
        title=_("便民服务办件"),
        order=20,
    ),
    DeskPanel(
        key="services-district",
        roles={Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN},
        template="services/desk_district.html",
        context=desk_district,
        title=_("便民服务概况"),
        order=20,
    ),
    DeskPanel(
        key="services-mine",
        roles={Role.RESIDENT},
        template="services/desk_mine.html",
        context=desk_mine,
        title=_("我的办件"),
        order=20,
    ),
]


def appeal_cases_panel(request: HttpRequest, appeal: Any) -> dict[str, Any] | None:
    """The enforcement cases registered from the appeal, and "register a case" for enforcement staff."""
    cases = queries.cases_of_appeal(request.user, appeal)
    can_register = access.has_any(request.user, "services.enforcement_manage")
    if not cases and not can_register:
        return None
    return {"appeal": appeal, "cases": cases, "can_register": can_register}


PANELS = [
    Panel(
        slot="appeals.detail",
        key="services-cases",
        template="services/appeal_cases.html",
        context=appeal_cases_panel,
        order=30,
    ),
]
