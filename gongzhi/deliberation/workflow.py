"""The state machines of deliberation: topics (the "246" pipeline), meetings, agenda votes,
resolutions, commitments, objections, consultations, inquiries and contests.

Each machine is a `Status` TextChoices (backed by a database CheckConstraint on its model) and one
TRANSITIONS table ``{(from, to): roles}``. Roles are the platform roles (people.roles.Role) plus a
few roles that come from the object itself:

- ``proposer``   the person who filed the topic,
- ``member``     a current member of the body concerned,
- ``owner``      the person a commitment is assigned to,
- ``legal_adviser`` a body member seated as legal adviser (法律顾问),
- ``system``     the platform itself (a threshold reached, a periodic task).

`transition()` is the only place a status field changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.lib.errors import InvalidTransition
from gongzhi.people.roles import Role

PROPOSER = "proposer"
MEMBER = "member"
OWNER = "owner"
SYSTEM = "system"
LEGAL_ADVISER = "legal_adviser"

_STAFF = frozenset(
    {Role.COMMUNITY_WORKER, Role.COMMUNITY_HEAD, Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN}
)
_HEADS = frozenset({Role.COMMUNITY_HEAD, Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN})
_SUPERVISORS = frozenset({Role.SUPERVISOR, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN})
_EXECUTORS = _STAFF | {Role.DEPARTMENT_HANDLER, OWNER}


# --- topics: the "246" pipeline ------------------------------------------------------------------------


class Stage(models.TextChoices):
    COLLECT = "collect", _("征集")
    CONSULT = "consult", _("协商")
    RESOLVE = "resolve", pgettext_lazy("stage", "办理")
    EVALUATE = "evaluate", _("评议")


STAGE_ORDER = [Stage.COLLECT, Stage.CONSULT, Stage.RESOLVE, Stage.EVALUATE]


class TopicStatus(models.TextChoices):
    COLLECTING = "collecting", _("征集联署")
    SUBMITTED = "submitted", _("待筛选")
    PARTY_REVIEW = "party_review", _("待党组织把关")
    PUBLISHED = "published", _("已立项待协商")
    SCHEDULED = "scheduled", _("已列入议程")
    RESOLVED = "resolved", _("已形成决议·办理中")
    NOT_ADOPTED = "not_adopted", _("未获通过")
    EVALUATING = "evaluating", _("待评议")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予立项")
    MERGED = "merged", _("已合并")
    REFERRED = "referred", _("转诉求办理")


TOPIC_STAGE = {
    TopicStatus.COLLECTING: Stage.COLLECT,
    TopicStatus.SUBMITTED: Stage.COLLECT,
    TopicStatus.PARTY_REVIEW: Stage.COLLECT,
    TopicStatus.REJECTED: Stage.COLLECT,
    TopicStatus.MERGED: Stage.COLLECT,
    TopicStatus.REFERRED: Stage.COLLECT,
    TopicStatus.PUBLISHED: Stage.CONSULT,
    TopicStatus.SCHEDULED: Stage.CONSULT,
    TopicStatus.NOT_ADOPTED: Stage.CONSULT,
    TopicStatus.RESOLVED: Stage.RESOLVE,
    TopicStatus.EVALUATING: Stage.EVALUATE,
    TopicStatus.CLOSED: Stage.EVALUATE,
}
TOPIC_FINAL = frozenset(
    {TopicStatus.CLOSED, TopicStatus.REJECTED, TopicStatus.MERGED, TopicStatus.REFERRED, TopicStatus.NOT_ADOPTED}
)
# Shown on the public pages (collecting proposals are public so neighbours can co-sign them).
TOPIC_PUBLIC = frozenset(set(TopicStatus.values) - {TopicStatus.SUBMITTED, TopicStatus.PARTY_REVIEW})

TOPIC_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (TopicStatus.COLLECTING, TopicStatus.SUBMITTED): frozenset({SYSTEM}),
    (TopicStatus.COLLECTING, TopicStatus.REJECTED): _STAFF,
    (TopicStatus.SUBMITTED, TopicStatus.PUBLISHED): _STAFF,
    (TopicStatus.SUBMITTED, TopicStatus.PARTY_REVIEW): _STAFF,
    (TopicStatus.SUBMITTED, TopicStatus.REJECTED): _STAFF,
    (TopicStatus.SUBMITTED, TopicStatus.MERGED): _STAFF,
    (TopicStatus.SUBMITTED, TopicStatus.REFERRED): _STAFF,
    (TopicStatus.SUBMITTED, TopicStatus.SUBMITTED): _STAFF,  # escalated to the level above
    (TopicStatus.PARTY_REVIEW, TopicStatus.PUBLISHED): _HEADS,
    (TopicStatus.PARTY_REVIEW, TopicStatus.REJECTED): _HEADS,
    (TopicStatus.PUBLISHED, TopicStatus.SCHEDULED): _STAFF,
    (TopicStatus.PUBLISHED, TopicStatus.MERGED): _STAFF,
    (TopicStatus.SCHEDULED, TopicStatus.PUBLISHED): _STAFF,  # taken off an agenda (meeting cancelled)
    (TopicStatus.SCHEDULED, TopicStatus.RESOLVED): _STAFF | {SYSTEM},
    (TopicStatus.SCHEDULED, TopicStatus.NOT_ADOPTED): _STAFF | {SYSTEM},
    (TopicStatus.RESOLVED, TopicStatus.EVALUATING): _STAFF | {SYSTEM},
    (TopicStatus.EVALUATING, TopicStatus.CLOSED): _STAFF | {SYSTEM},
}


# --- meetings ------------------------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    NOTICED = "noticed", _("已通知")
    IN_SESSION = "in_session", _("进行中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


MEETING_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (MeetingStatus.DRAFT, MeetingStatus.NOTICED): _STAFF,
    (MeetingStatus.DRAFT, MeetingStatus.CANCELLED): _STAFF,
    (MeetingStatus.NOTICED, MeetingStatus.IN_SESSION): _STAFF,
    (MeetingStatus.NOTICED, MeetingStatus.CANCELLED): _STAFF,
    (MeetingStatus.IN_SESSION, MeetingStatus.CLOSED): _STAFF,
}


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待审议")
    VOTING = "voting", _("表决中")
    ADOPTED = "adopted", _("通过")
    REJECTED = "rejected", _("未通过")
    CONSENSUS = "consensus", _("协商一致")
    DEFERRED = "deferred", _("暂缓")


ITEM_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ItemStatus.PENDING, ItemStatus.VOTING): _STAFF,
    (ItemStatus.VOTING, ItemStatus.ADOPTED): _STAFF,
    (ItemStatus.VOTING, ItemStatus.REJECTED): _STAFF,
    (ItemStatus.PENDING, ItemStatus.CONSENSUS): _STAFF,
    (ItemStatus.PENDING, ItemStatus.DEFERRED): _STAFF,
}


# --- resolutions and commitments -----------------------------------------------------------------------


class ResolutionStatus(models.TextChoices):
    LEGAL_REVIEW = "legal_review", _("法律审查中")
    REVISING = "revising", _("退回修改")
    EXECUTING = "executing", _("执行中")
    POSTED = "posted", _("公示中")
    EVALUATION = "evaluation", _("群众评议中")
    CLOSED = "closed", _("已办结")


RESOLUTION_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ResolutionStatus.LEGAL_REVIEW, ResolutionStatus.EXECUTING): frozenset(
        {Role.REVIEWER, Role.SYSTEM_ADMIN, LEGAL_ADVISER}
    ),
    (ResolutionStatus.LEGAL_REVIEW, ResolutionStatus.REVISING): frozenset(
        {Role.REVIEWER, Role.SYSTEM_ADMIN, LEGAL_ADVISER}
    ),
    (ResolutionStatus.REVISING, ResolutionStatus.LEGAL_REVIEW): _STAFF,
    (ResolutionStatus.EXECUTING, ResolutionStatus.POSTED): _STAFF | _SUPERVISORS,
    (ResolutionStatus.POSTED, ResolutionStatus.EVALUATION): _STAFF | {SYSTEM},
    (ResolutionStatus.EVALUATION, ResolutionStatus.CLOSED): _STAFF | {SYSTEM},
}


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已销号待核查")
    ACCEPTED = "accepted", _("核查通过")
    RETURNED = "returned", _("核查退回")


COMMITMENT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (CommitmentStatus.OPEN, CommitmentStatus.DONE): _EXECUTORS,
    (CommitmentStatus.RETURNED, CommitmentStatus.DONE): _EXECUTORS,
    (CommitmentStatus.DONE, CommitmentStatus.ACCEPTED): _SUPERVISORS,
    (CommitmentStatus.DONE, CommitmentStatus.RETURNED): _SUPERVISORS,
}


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


OBJECTION_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ObjectionStatus.OPEN, ObjectionStatus.ANSWERED): _STAFF | _SUPERVISORS,
}


# --- meeting demands (one fifth of the members can force a meeting) -----------------------------------


class DemandStatus(models.TextChoices):
    GATHERING = "gathering", _("征集提议中")
    REACHED = "reached", _("已达法定比例·待召开")
    MET = "met", _("已召开")
    WITHDRAWN = "withdrawn", _("已撤回")


DEMAND_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (DemandStatus.GATHERING, DemandStatus.REACHED): frozenset({SYSTEM}),
    (DemandStatus.REACHED, DemandStatus.MET): frozenset({SYSTEM}),
    (DemandStatus.GATHERING, DemandStatus.WITHDRAWN): frozenset({MEMBER}),
}


# --- consultations, inquiries, contests ----------------------------------------------------------------


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("征求意见中")
    CLOSED = "closed", _("征求期结束·答复中")
    REPORTED = "reported", _("已发布报告")


CONSULTATION_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ConsultationStatus.DRAFT, ConsultationStatus.OPEN): _STAFF,
    (ConsultationStatus.OPEN, ConsultationStatus.CLOSED): _STAFF | {SYSTEM},
    (ConsultationStatus.CLOSED, ConsultationStatus.REPORTED): _STAFF,
}


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开")
    HIDDEN = "hidden", _("未公开")


COMMENT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (CommentStatus.PENDING, CommentStatus.PUBLISHED): _STAFF,
    (CommentStatus.PENDING, CommentStatus.HIDDEN): _STAFF,
}


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ESCALATED = "escalated", _("已升级街道")
    ANSWERED = "answered", _("已答复")


INQUIRY_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (InquiryStatus.OPEN, InquiryStatus.ANSWERED): _STAFF,
    (InquiryStatus.OPEN, InquiryStatus.ESCALATED): frozenset({SYSTEM}) | _HEADS,
    (InquiryStatus.ESCALATED, InquiryStatus.ANSWERED): frozenset(
        {Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN}
    ),
}


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("接受报名")
    JUDGING = "judging", _("路演评审")
    AWARDED = "awarded", _("已公布结果")


CONTEST_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ContestStatus.DRAFT, ContestStatus.OPEN): _HEADS | {Role.COMMUNITY_WORKER},
    (ContestStatus.OPEN, ContestStatus.JUDGING): _HEADS | {Role.COMMUNITY_WORKER},
    (ContestStatus.JUDGING, ContestStatus.AWARDED): _HEADS | {Role.COMMUNITY_WORKER},
}


MACHINES: dict[str, dict[tuple[str, str], frozenset[str]]] = {
    "topic": TOPIC_TRANSITIONS,
    "meeting": MEETING_TRANSITIONS,
    "item": ITEM_TRANSITIONS,
    "resolution": RESOLUTION_TRANSITIONS,
    "commitment": COMMITMENT_TRANSITIONS,
    "objection": OBJECTION_TRANSITIONS,
    "demand": DEMAND_TRANSITIONS,
    "consultation": CONSULTATION_TRANSITIONS,
    "comment": COMMENT_TRANSITIONS,
    "inquiry": INQUIRY_TRANSITIONS,
    "contest": CONTEST_TRANSITIONS,
}


def allowed(machine: str, current: str, target: str, roles: Iterable[str]) -> bool:
    rule = MACHINES[machine].get((str(current), str(target)))
    return rule is not None and bool(rule & {str(r) for r in roles})


def transition(obj: Any, target: str, *, machine: str, roles: Iterable[str], field: str = "status") -> str:
    """Move obj.<field> to target when the table allows it for one of the roles; return the old state."""
    current = getattr(obj, field)
    roles = {str(r) for r in roles}
    rule = MACHINES[machine].get((str(current), str(target)))
    if rule is None:
        raise InvalidTransition(
            _("当前状态（%(state)s）下不能执行此操作。") % {"state": _label(obj, field)},
            fields={field: str(current)},
        )
    if not rule & roles:
        raise InvalidTransition(_("您的角色不能执行这一步。"), fields={field: str(current)})
    setattr(obj, field, target)
    return current


def _label(obj: Any, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if display else str(getattr(obj, field))
