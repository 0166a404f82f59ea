"""Menu entries, desk panels for each role, and the public home cards for appeals."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi import access
from gongzhi.appeals import metrics, queries
from gongzhi.people.roles import Role
from gongzhi.web.hooks import DeskPanel, NavItem, PublicLink

NAV = [
    NavItem(key="appeals", label=_("诉求"), url_name="appeals:list", perm="appeals.note", order=20),
    NavItem(key="appeals-queue", label=_("待派单"), url_name="appeals:queue", perm="appeals.dispatch", order=21),
    NavItem(
        key="appeals-assignments", label=_("我的工单"), url_name="appeals:assignments", perm="appeals.handle", order=22
    ),
    NavItem(
        key="appeals-dashboard", label=_("三率考核"), url_name="appeals:dashboard", perm="appeals.metrics", order=23
    ),
    NavItem(key="appeals-mine", label=_("我的诉求"), url_name="appeals:mine", perm="appeals.view", order=24),
    NavItem(key="appeals-public", label=_("诉求公开"), url_name="appeals:public", public=True, order=25),
    NavItem(
        key="appeals-categories",
        label=_("诉求分类"),
        url_name="appeals:categories",
        perm="appeals.categories",
        order=70,
        section="admin",
    ),
    NavItem(
        key="appeals-rules",
        label=_("派单规则"),
        url_name="appeals:rules",
        perm="appeals.rules.view",
        order=71,
        section="admin",
    ),
    NavItem(
        key="appeals-import",
        label=_("热线工单导入"),
        url_name="appeals:import",
        perm="appeals.import",
        order=72,
        section="admin",
    ),
]

PUBLIC_LINKS = [
    PublicLink(
        key="appeals-submit",
        title=_("反映诉求"),
        text=_("身边的问题、困难和建议，在这里提交，我们接诉即办。"),
        url_name="appeals:submit",
        order=10,
    ),
    PublicLink(
        key="appeals-track",
        title=_("查询诉求进度"),
        text=_("凭诉求编号和手机号码，查看办理进度并评价。"),
        url_name="appeals:track",
        order=11,
    ),
]


def queue_panel(request: HttpRequest) -> dict[str, Any]:
    page = queries.dispatch_queue(request.user, limit=6)
    return {
        "items": page.items,
        "count": queries.queue_count(request.user),
        "extensions": queries.pending_extensions(request.user, limit=5),
    }


def handler_panel(request: HttpRequest) -> dict[str, Any]:
    page = queries.my_assignments(request.user, limit=8)
    return {"items": page.items, "more": bool(page.next_cursor), "summonses": queries.my_summonses(request.user)}


def overview_panel(request: HttpRequest) -> dict[str, Any]:
    return {
        "summary": queries.desk_summary(request.user),
        "attention": queries.attention(request.user, limit=6),
        "can_take": access.has_any(request.user, "appeals.create"),
    }


def recent_panel(request: HttpRequest) -> dict[str, Any]:
    return {
        "summary": queries.desk_summary(request.user),
        "items": queries.recent_open(request.user, limit=6),
        "can_take": access.has_any(request.user, "appeals.create"),
    }


def rates_panel(request: HttpRequest) -> dict[str, Any]:
    month = timezone.localdate().replace(day=1)
    report = metrics.month_report(request.user, month=month)
    return {"report": report, "league": (report["units"] or report["streets"])[:5]}


def mine_panel(request: HttpRequest) -> dict[str, Any]:
    return {"items": queries.my_appeals(request.user, limit=5).items}


# Panels loaded after the desk itself (htmx), so each role's desk stays cheap however many apps add panels.
LAZY_PANELS = {"recent": ("appeals/desk_recent.html", recent_panel), "rates": ("appeals/desk_rates.html", rates_panel)}


def lazy(key: str) -> Any:
    def context(request: HttpRequest) -> dict[str, Any]:
        return {"lazy_key": key}

    return context


DESK = [
    DeskPanel(
        key="appeals-queue",
        roles={Role.DISPATCHER},
        template="appeals/desk_queue.html",
        context=queue_panel,
        title=_("待派单"),
        order=10,
    ),
    DeskPanel(
        key="appeals-handler",
        roles={Role.DEPARTMENT_HANDLER},
        template="appeals/desk_handler.html",
        context=handler_panel,
        title=_("我的工单"),
        order=10,
    ),
    DeskPanel(
        key="appeals-overview",
        roles={Role.STREET_STAFF, Role.SUPERVISOR, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN},
        template="appeals/desk_overview.html",
        context=overview_panel,
        title=_("诉求督办"),
        order=11,
    ),
    DeskPanel(
        key="appeals-community",
        roles={Role.COMMUNITY_HEAD, Role.COMMUNITY_WORKER, Role.GRID_WORKER},
        template="appeals/desk_lazy.html",
        context=lazy("recent"),
        title=_("辖区诉求"),
        order=12,
    ),
    DeskPanel(
        key="appeals-rates",
        # Communities see their own three rates (from the community-grain rollups).
        roles={
            Role.DISTRICT_ADMIN,
            Role.STREET_STAFF,
            Role.SUPERVISOR,
            Role.SYSTEM_ADMIN,
            Role.COMMUNITY_HEAD,
            Role.COMMUNITY_WORKER,
        },
        template="appeals/desk_lazy.html",
        context=lazy("rates"),
        title=_("本月三率"),
        order=13,
    ),
    DeskPanel(
        key="appeals-mine",
        roles={Role.RESIDENT},
        template="appeals/desk_mine.html",
        context=mine_panel,
        title=_("我的诉求"),
        order=5,
    ),
]
