"""Menu entry, desk panels (voters and representatives; organisers) and the public results card."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi import access
from gongzhi.elections import queries
from gongzhi.people.roles import Role
from gongzhi.web.hooks import DeskPanel, NavItem, PublicLink

NAV = [NavItem(key="elections", label=_("选举"), url_name="elections:list", perm="elections.view", order=35)]

PUBLIC_LINKS = [
    PublicLink(
        key="election-results",
        title=_("选举结果公告"),
        text=_("议事代表等选举的得票和当选结果。"),
        url_name="elections:public_list",
        order=40,
    )
]


def voter_panel(request: HttpRequest) -> dict[str, Any]:
    return {"rows": queries.my_open_elections(request.user), "recent": queries.recent_results(3)}


def organiser_panel(request: HttpRequest) -> dict[str, Any]:
    return {
        "rows": queries.organiser_elections(request.user),
        "can_create": access.has_any(request.user, "elections.manage"),
    }


DESK = [
    DeskPanel(
        key="elections-mine",
        roles={Role.RESIDENT, Role.REPRESENTATIVE},
        template="elections/desk_voter.html",
        context=voter_panel,
        title=_("我的选举"),
        order=30,
    ),
    DeskPanel(
        key="elections-work",
        roles={Role.COMMUNITY_HEAD, Role.COMMUNITY_WORKER, Role.STREET_STAFF},
        template="elections/desk_organiser.html",
        context=organiser_panel,
        title=_("选举工作"),
        order=40,
    ),
]
