"""The appeal workflow (接诉即办): states, the one table of allowed moves, and transition().

Who may take a move is named by a *party*: a permission verb from ``permissions.py`` (so the roles
behind it live in one table, read by ``access.py``), the reporter of the appeal, or the system (periodic
tasks and moves that follow from another one, such as "every assignment done → resolved").
``role_table()`` joins the two tables for the documentation and the help page.

    submitted ─► dispatched ─► accepted ─► responded ─► resolved ─► rated ─► closed
       │  ▲          │  ▲          │                       │          ├──► reopened ─► accepted …
       │  └ returned ◄┘  └─ (redispatch)                   │          └──► review ─► closed / reopened
       ├──► rejected                                       └──► closed (not rated within 7 days)
       └──► merged
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.lib.errors import InvalidTransition


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("办理中")
    RESPONDED = "responded", _("已联系")
    RESOLVED = "resolved", _("已办结待评价")
    RATED = "rated", _("已评价")
    CLOSED = "closed", _("已结案")
    RETURNED = "returned", _("已退单")
    REOPENED = "reopened", _("重新办理")
    REVIEW = "review", _("督办复核")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


# States in which the appeal is still being worked on (deadlines run, it counts as open).
OPEN = frozenset(
    {
        Status.SUBMITTED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.RESPONDED,
        Status.RETURNED,
        Status.REOPENED,
        Status.REVIEW,
    }
)
# States in which a department holds the appeal (its deadlines are watched).
HANDLING = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.RESPONDED, Status.REOPENED})
# States waiting for a dispatcher.
QUEUED = frozenset({Status.SUBMITTED, Status.RETURNED})
FINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})

# Parties that are not permission verbs.
REPORTER = "reporter"
SYSTEM = "system"


@dataclass(frozen=True)
class Move:
    """One allowed move: who may take it (a permission verb, REPORTER or SYSTEM) and its name."""

    parties: frozenset[str]
    label: str | Promise


def _move(label: str | Promise, *parties: str) -> Move:
    return Move(frozenset(parties), label)


DISPATCH = "appeals.dispatch"
HANDLE = "appeals.handle"
SUPERVISE = "appeals.supervise"
COORDINATE = "appeals.coordinate"

TRANSITIONS: dict[tuple[str, str], Move] = {
    (Status.SUBMITTED, Status.DISPATCHED): _move(_("派单"), DISPATCH, COORDINATE, SYSTEM),
    (Status.RETURNED, Status.DISPATCHED): _move(_("重新派单"), DISPATCH, COORDINATE),
    (Status.DISPATCHED, Status.DISPATCHED): _move(_("改派"), DISPATCH),
    (Status.ACCEPTED, Status.DISPATCHED): _move(_("改派"), DISPATCH),
    (Status.REOPENED, Status.DISPATCHED): _move(_("改派"), DISPATCH),
    (Status.SUBMITTED, Status.REJECTED): _move(_("不予受理"), DISPATCH),
    (Status.RETURNED, Status.REJECTED): _move(_("不予受理"), DISPATCH),
    (Status.SUBMITTED, Status.MERGED): _move(_("合并"), DISPATCH),
    (Status.RETURNED, Status.MERGED): _move(_("合并"), DISPATCH),
    (Status.DISPATCHED, Status.ACCEPTED): _move(_("接单"), HANDLE),
    (Status.REOPENED, Status.ACCEPTED): _move(_("接单"), HANDLE),
    (Status.DISPATCHED, Status.RETURNED): _move(_("退单"), HANDLE),
    (Status.ACCEPTED, Status.RETURNED): _move(_("退单"), HANDLE),
    (Status.REOPENED, Status.RETURNED): _move(_("退单"), HANDLE),
    (Status.ACCEPTED, Status.RESPONDED): _move(_("联系诉求人"), HANDLE),
    # Resolved when every assignment is done; the last department's "done" moves the appeal.
    (Status.RESPONDED, Status.RESOLVED): _move(_("办结"), HANDLE, SYSTEM),
    (Status.RESOLVED, Status.RATED): _move(pgettext_lazy("action", "评价"), REPORTER),
    (Status.RATED, Status.CLOSED): _move(_("结案"), SYSTEM),
    (Status.RATED, Status.REOPENED): _move(_("不满意重办"), SYSTEM),
    (Status.RATED, Status.REVIEW): _move(_("提交督办复核"), SYSTEM),
    (Status.RESOLVED, Status.CLOSED): _move(_("逾期未评价结案"), SYSTEM, SUPERVISE),
    (Status.REVIEW, Status.REOPENED): _move(_("督办重办"), SUPERVISE),
    (Status.REVIEW, Status.CLOSED): _move(_("复核结案"), SUPERVISE),
}


def can_move(current: str, target: str) -> bool:
    return (current, target) in TRANSITIONS


def move_for(current: str, target: str) -> Move:
    """Return the move from current to target, or raise InvalidTransition naming both states."""
    try:
        return TRANSITIONS[(current, target)]
    except KeyError:
        raise InvalidTransition(
            _("诉求当前为“%(current)s”，不能变为“%(target)s”。")
            % {"current": Status(current).label, "target": Status(target).label}
        ) from None


def transition(appeal: Any, target: str, *, actor: Any, party: str) -> str:
    """Move appeal.status to target when the table allows it for this party; return the old status.

    The caller has already checked that the actor may act as `party` on this appeal (access.check for
    a permission verb, the reporter check, or SYSTEM for tasks). Nothing is saved here.
    """
    move = move_for(appeal.status, target)
    if party not in move.parties:
        raise InvalidTransition(
            _("“%(move)s”不能由您在当前状态下执行。") % {"move": move.label},
            code="transition_not_allowed",
        )
    old = appeal.status
    appeal.status = target
    return old


def available_targets(current: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == current]


def role_table() -> list[dict[str, Any]]:
    """Return each move with the roles behind its parties (for documentation and the help page)."""
    from gongzhi.access import table
    from gongzhi.people.roles import Role

    rows = []
    for (frm, to), move in TRANSITIONS.items():
        who: list[str] = []
        for party in sorted(move.parties):
            if party == REPORTER:
                who.append(str(_("诉求人")))
            elif party == SYSTEM:
                who.append(str(_("系统")))
            else:
                who.extend(str(Role(role).label) for role in table(party) if role in Role.values)
        rows.append(
            {"from": frm, "from_label": Status(frm).label, "to": to, "to_label": Status(to).label, "move": move.label}
            | {"who": who}
        )
    return rows


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待接单")
    ACCEPTED = "accepted", _("办理中")
    DONE = "done", _("已完成")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤回")


ASSIGNMENT_ACTIVE = frozenset({AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.DONE})
ASSIGNMENT_TRANSITIONS: dict[tuple[str, str], str | Promise] = {
    (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED): _("接单"),
    (AssignmentStatus.PENDING, AssignmentStatus.RETURNED): _("退回"),
    (AssignmentStatus.ACCEPTED, AssignmentStatus.RETURNED): _("退回"),
    (AssignmentStatus.ACCEPTED, AssignmentStatus.DONE): _("完成"),
    (AssignmentStatus.PENDING, AssignmentStatus.CANCELLED): _("撤回"),
    (AssignmentStatus.ACCEPTED, AssignmentStatus.CANCELLED): _("撤回"),
    # A reopened appeal sends its finished assignments back to work.
    (AssignmentStatus.DONE, AssignmentStatus.ACCEPTED): _("重新办理"),
}


def assignment_transition(assignment: Any, target: str) -> str:
    if (assignment.status, target) not in ASSIGNMENT_TRANSITIONS:
        raise InvalidTransition(
            _("该工单当前为“%(current)s”，不能变为“%(target)s”。")
            % {
                "current": AssignmentStatus(assignment.status).label,
                "target": AssignmentStatus(target).label,
            }
        )
    old = assignment.status
    assignment.status = target
    return old


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


EXTENSION_TRANSITIONS = {
    (ExtensionStatus.PENDING, ExtensionStatus.APPROVED),
    (ExtensionStatus.PENDING, ExtensionStatus.REFUSED),
}


def extension_transition(extension: Any, target: str) -> None:
    if (extension.status, target) not in EXTENSION_TRANSITIONS:
        raise InvalidTransition(_("该延期申请已处理。"))
    extension.status = target


class SummonsStatus(models.TextChoices):
    PENDING = "pending", _("待报到")
    ON_TIME = "on_time", _("按时报到")
    LATE = "late", _("迟到报到")
    MISSED = "missed", _("未报到")


SUMMONS_TRANSITIONS = {
    (SummonsStatus.PENDING, SummonsStatus.ON_TIME),
    (SummonsStatus.PENDING, SummonsStatus.LATE),
    (SummonsStatus.PENDING, SummonsStatus.MISSED),
    # A department that missed the time may still turn up: it is then recorded as late.
    (SummonsStatus.MISSED, SummonsStatus.LATE),
}


def summons_transition(summons: Any, target: str) -> None:
    if (summons.status, target) not in SUMMONS_TRANSITIONS:
        raise InvalidTransition(_("该部门已经报到。"))
    summons.status = target
