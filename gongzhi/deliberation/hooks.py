"""Menu entries, desk panels and public home cards for deliberation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi import access
from gongzhi.deliberation import queries
from gongzhi.deliberation.workflow import CommitmentStatus, TopicStatus
from gongzhi.people.roles import Role
from gongzhi.web.hooks import DeskPanel, NavItem, Panel, PublicLink

NAV = [
    NavItem(key="deliberation", label=_("协商议事"), url_name="deliberation:topics", public=True, order=30),
    NavItem(
        key="deliberation-bodies",
        label=_("议事机构"),
        url_name="deliberation:bodies",
        perm="deliberation.manage_bodies",
        order=84,
        section="admin",
    ),
]

PUBLIC_LINKS = [
    PublicLink(
        key="deliberation-topics",
        title=_("居民议事"),
        text=_("看看大家在议什么，联署您支持的提案，评议办理结果。"),
        url_name="deliberation:topics",
        order=20,
    ),
    PublicLink(
        key="deliberation-consultations",
        title=_("公开征求意见"),
        text=_("对正在制定的公约、方案逐条提出意见，每条意见都有答复。"),
        url_name="deliberation:consultations",
        order=21,
    ),
    PublicLink(
        key="deliberation-inquiries",
        title=_("问政·问需·问计"),
        text=_("问政策、提需求、献良策，限期公开答复。"),
        url_name="deliberation:inquiries",
        order=22,
    ),
]


def representative_desk(request: HttpRequest) -> dict[str, Any]:
    """A representative's desk: their bodies, meetings they are invited to, votes open now."""
    user = request.user
    meetings = list(queries.my_meetings(user).filter(starts_at__gte=timezone.now() - dt.timedelta(days=1))[:5])
    from gongzhi.deliberation.models import AgendaItem
    from gongzhi.deliberation.workflow import ItemStatus

    voting = (
        AgendaItem.objects.filter(status=ItemStatus.VOTING, meeting__invitees__user=user)
        .exclude(casts__voter=user)
        .select_related("meeting")
        .distinct()[:5]
    )
    return {"bodies": list(queries.bodies_of_member(user)[:5]), "meetings": meetings, "voting": list(voting)}


def screening_desk(request: HttpRequest) -> dict[str, Any]:
    """Community and street staff: topics to screen, meetings coming up, inquiries to answer, overdue commitments."""
    user = request.user
    queue = queries.screening_queues(user)
    commitments = queries.commitments_for(user, status=CommitmentStatus.OPEN)
    return {
        "to_screen": queue.filter(status=TopicStatus.SUBMITTED).count(),
        "party_review": queue.filter(status=TopicStatus.PARTY_REVIEW).count()
        if access.has_any(user, "deliberation.party_screen")
        else 0,
        "queue": list(queue.order_by("id")[:5]),
        "meetings": list(queries.meeting_list(user, upcoming=True).order_by("starts_at")[:5]),
        "inquiries": list(queries.inquiries_to_answer(user)[:5]),
        "overdue": commitments.filter(deadline__lt=timezone.localdate()).count(),
    }


def supervisor_desk(request: HttpRequest) -> dict[str, Any]:
    return {"commitments": list(queries.supervision_queue(request.user)[:8])}


def executor_desk(request: HttpRequest) -> dict[str, Any]:
    items = queries.commitments_for(request.user).filter(status__in=[CommitmentStatus.OPEN, CommitmentStatus.RETURNED])
    return {"commitments": list(items[:8]), "today": timezone.localdate()}


def resident_desk(request: HttpRequest) -> dict[str, Any]:
    """A resident: topics collecting co-signers near them, their own topics, results to evaluate."""
    user = request.user
    from gongzhi.deliberation.models import Topic
    from gongzhi.deliberation.workflow import ResolutionStatus

    bodies = queries.bodies_open_to(user)
    collecting = (
        Topic.objects.filter(body__in=bodies, status=TopicStatus.COLLECTING).exclude(proposer=user).order_by("-id")[:5]
    )
    mine = Topic.objects.filter(proposer=user).order_by("-id")[:5]
    evaluate = (
        queries.public_resolutions()
        .filter(body__in=bodies, status=ResolutionStatus.EVALUATION)
        .exclude(evaluations__author=user)[:5]
    )
    return {"collecting": list(collecting), "mine": list(mine), "evaluate": list(evaluate)}


DESK = [
    DeskPanel(
        key="deliberation-representative",
        roles={Role.REPRESENTATIVE},
        template="deliberation/desk_representative.html",
        context=representative_desk,
        title=_("议事"),
        order=20,
    ),
    DeskPanel(
        key="deliberation-staff",
        roles={Role.COMMUNITY_HEAD, Role.COMMUNITY_WORKER, Role.STREET_STAFF},
        template="deliberation/desk_staff.html",
        context=screening_desk,
        title=_("协商议事"),
        order=25,
    ),
    DeskPanel(
        key="deliberation-supervision",
        roles={Role.SUPERVISOR},
        template="deliberation/desk_supervisor.html",
        context=supervisor_desk,
        title=_("待核查的销号事项"),
        order=20,
    ),
    DeskPanel(
        key="deliberation-commitments",
        roles={Role.DEPARTMENT_HANDLER, Role.COMMUNITY_WORKER},
        template="deliberation/desk_commitments.html",
        context=executor_desk,
        title=_("议事决议办理事项"),
        order=26,
    ),
    DeskPanel(
        key="deliberation-resident",
        roles={Role.RESIDENT},
        template="deliberation/desk_resident.html",
        context=resident_desk,
        title=_("居民议事"),
        order=20,
    ),
]


# --- panels on the appeals pages (the appeals app knows only the slot names) --------------------------


def appeal_topics_panel(request: HttpRequest, appeal: Any) -> dict[str, Any] | None:
    """The topics that cite the appeal, and "提交议事" for staff who file topics from appeals."""
    can_file = access.has_any(request.user, "deliberation.propose_on_behalf")
    topics = queries.topics_citing(request.user, appeal)
    if not topics and not can_file:
        return None
    return {"appeal": appeal, "topics": topics, "can_file": can_file}


def appeal_list_actions(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    """ "提交议事" for the appeals selected on the work list."""
    if not access.has_any(request.user, "deliberation.propose_on_behalf"):
        return None
    return {}


PANELS = [
    Panel(
        slot="appeals.detail",
        key="deliberation-topics",
        template="deliberation/appeal_topics.html",
        context=appeal_topics_panel,
        order=20,
    ),
    Panel(
        slot="appeals.list_actions",
        key="deliberation-file",
        template="deliberation/appeal_list_action.html",
        context=appeal_list_actions,
        order=20,
    ),
]
