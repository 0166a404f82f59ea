"""The dispatcher's work: dispatch, redispatch (override), bulk dispatch, reject, merge, split (一件事)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals import routing
from gongzhi.appeals.actions import _common as c
from gongzhi.appeals.models import Appeal, Assignment, EventKind
from gongzhi.appeals.workflow import (
    COORDINATE,
    DISPATCH,
    OPEN,
    QUEUED,
    SYSTEM,
    AssignmentStatus,
    Status,
    assignment_transition,
    transition,
)
from gongzhi.audit.chain import record
from gongzhi.lib.errors import DomainError, InvalidInput, InvalidTransition
from gongzhi.notify.service import send
from gongzhi.units.models import Department


def _check_department(appeal: Appeal, department: Department, field: str = "department") -> None:
    if not department.is_active:
        raise InvalidInput(fields={field: _("部门“%(name)s”已停用。") % {"name": department.name}})
    if not appeal.unit_path.startswith(department.jurisdiction.path):
        raise InvalidInput(fields={field: _("“%(name)s”的管辖范围不包括该诉求所在单位。") % {"name": department.name}})
    reason = routing.refusal(appeal, department)
    if reason:
        raise InvalidInput(
            _("不能派给“%(name)s”：%(reason)s") % {"name": department.name, "reason": reason},
            fields={field: reason},
        )


def dispatch_refused(appeal: Appeal, refused: dict[str, str]) -> None:
    """Rule dispatch was refused by a dispatch check: the appeal waits in the queue with the reasons noted."""
    reasons = "；".join(f"{name}：{reason}" for name, reason in refused.items())
    c.event(
        appeal,
        EventKind.DISPATCH_REFUSED,
        actor=None,
        is_public=False,
        label=str(_("系统自动派单")),
        comment=_("派单规则指定的部门不能承办，留待人工派单。%(reasons)s") % {"reasons": reasons},
        data={"refused": refused},
    )


def dispatch_to(
    appeal: Appeal,
    department: Department,
    *,
    actor: Any,
    party: str,
    comment: str = "",
    rule_id: int | None = None,
    kind: str | None = None,
) -> Assignment:
    """Give the appeal to a lead department (the appeal is locked by the caller): deadlines start now."""
    old = transition(appeal, Status.DISPATCHED, actor=actor, party=party)
    moment = c.now()
    assignment = Assignment.objects.create(
        appeal=appeal,
        department=department,
        role=Assignment.Role.LEAD,
        dispatched_by=actor if c.is_signed_in(actor) else None,
        dispatched_at=moment,
        via_rule_id=rule_id,
    )
    appeal.department = department
    appeal.dispatched_at = moment
    if appeal.first_dispatched_at is None:
        appeal.first_dispatched_at = moment
    appeal.response_due, appeal.resolution_due = c.deadlines_for(appeal.category, moment)
    appeal.is_overdue = False
    c.save(
        appeal,
        [
            "department",
            "dispatched_at",
            "first_dispatched_at",
            "response_due",
            "resolution_due",
            "is_overdue",
        ],
    )
    event_kind = kind or (EventKind.AUTO_DISPATCHED if party == SYSTEM else EventKind.DISPATCHED)
    c.event(
        appeal,
        event_kind,
        actor=actor,
        comment=comment,
        from_status=old,
        to_status=Status.DISPATCHED,
        label=None if c.is_signed_in(actor) else str(_("系统自动派单")),
        data={
            "department": department.pk,
            "department_name": department.name,
            "rule": rule_id,
            "response_due": appeal.response_due.isoformat(),
            "resolution_due": appeal.resolution_due.isoformat(),
        },
    )
    send(
        recipients=c.department_staff([department.pk]),
        kind="appeals.dispatched",
        title=_("新工单：诉求 %(number)s（%(category)s）"),
        params={"number": appeal.number, "category": appeal.category.name},
        url=c.appeal_url(appeal),
    )
    return assignment


@transaction.atomic
def appeal_dispatch(
    *,
    actor: Any,
    appeal: Appeal,
    department: Department,
    comment: str = "",
    expected_version: int | None = None,
) -> Appeal:
    """Dispatch a queued appeal (submitted or returned) to the department that will lead it."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    access.check(actor, "appeals.dispatch", appeal)
    if appeal.status not in QUEUED:
        raise InvalidTransition(
            _("诉求 %(number)s 已由他人处理（当前为“%(status)s”）。")
            % {"number": appeal.number, "status": Status(appeal.status).label},
            code="already_dispatched" if appeal.status == Status.DISPATCHED else "invalid_transition",
        )
    comment = c.clean_text(comment, field="comment", limit=1000)
    _check_department(appeal, department)
    dispatch_to(appeal, department, actor=actor, party=DISPATCH, comment=comment)
    record(
        actor=actor,
        action="appeals.dispatch",
        target=appeal,
        unit=appeal.unit,
        changes={"department": department.pk, "comment": comment},
    )
    return appeal


@transaction.atomic
def appeal_redispatch(
    *,
    actor: Any,
    appeal: Appeal,
    department: Department,
    reason: str,
    expected_version: int | None = None,
) -> Appeal:
    """Override the lead department of an appeal being handled (改派), with a reason."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    access.check(actor, "appeals.dispatch", appeal)
    reason = c.clean_text(reason, field="reason", required=True, limit=1000)
    if appeal.status not in (Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED):
        raise InvalidTransition(_("诉求当前为“%(status)s”，不能改派。") % {"status": Status(appeal.status).label})
    previous = c.lead_assignment(appeal)
    if previous is not None and previous.department_id == department.pk:
        raise InvalidInput(fields={"department": _("该诉求已由此部门主办。")})
    _check_department(appeal, department)
    if previous is not None:
        assignment_transition(previous, AssignmentStatus.CANCELLED)
        previous.return_reason = reason
        previous.save(update_fields=["status", "return_reason"])
    dispatch_to(appeal, department, actor=actor, party=DISPATCH, comment=reason, kind=EventKind.REDISPATCHED)
    record(
        actor=actor,
        action="appeals.redispatch",
        target=appeal,
        unit=appeal.unit,
        changes={"department": [previous.department_id if previous else None, department.pk], "reason": reason},
    )
    if previous is not None:
        send(
            recipients=c.department_staff([previous.department_id]),
            kind="appeals.redispatched",
            title=_("诉求 %(number)s 已改派给其他部门"),
            params={"number": appeal.number},
            url=c.appeal_url(appeal),
        )
    return appeal


@dataclass
class BulkResult:
    number: str
    ok: bool
    message: str = ""
    status: int = 200


def appeal_bulk_dispatch(
    *, actor: Any, appeals: list[Appeal], department: Department, comment: str = ""
) -> list[BulkResult]:
    """Dispatch several queued appeals to one department; each succeeds or fails on its own."""
    access.check_any(actor, "appeals.dispatch")
    if not appeals:
        raise InvalidInput(fields={"numbers": _("请至少选择一条诉求。")})
    if len(appeals) > 200:
        raise InvalidInput(fields={"numbers": _("一次最多派200条。")})
    results = []
    for appeal in appeals:
        try:
            appeal_dispatch(actor=actor, appeal=appeal, department=department, comment=comment)
        except DomainError as exc:
            results.append(BulkResult(appeal.number, False, str(exc.message), exc.status))
        else:
            results.append(BulkResult(appeal.number, True))
    return results


@transaction.atomic
def appeal_reject(*, actor: Any, appeal: Appeal, reason: str, expected_version: int | None = None) -> Appeal:
    """Refuse an appeal that is not a governable matter (不予受理); the reason is shown to the resident."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    access.check(actor, "appeals.dispatch", appeal)
    reason = c.clean_text(reason, field="reason", required=True, limit=1000)
    old = transition(appeal, Status.REJECTED, actor=actor, party=DISPATCH)
    appeal.rejection_reason = reason
    c.save(appeal, ["rejection_reason"])
    c.event(appeal, EventKind.REJECTED, actor=actor, comment=reason, from_status=old, to_status=Status.REJECTED)
    record(actor=actor, action="appeals.reject", target=appeal, unit=appeal.unit, changes={"reason": reason})
    send(
        recipients=c.reporter_of(appeal),
        kind="appeals.rejected",
        title=_("您的诉求 %(number)s 不予受理"),
        body=_("理由：%(reason)s"),
        params={"number": appeal.number, "reason": reason},
        url=c.appeal_url(appeal),
    )
    return appeal


@transaction.atomic
def appeal_merge(
    *, actor: Any, appeal: Appeal, into: Appeal, comment: str = "", expected_version: int | None = None
) -> Appeal:
    """Merge a duplicate into another appeal, which is handled for both (the resident can follow it)."""
    if appeal.pk == into.pk:
        raise InvalidInput(fields={"into": _("不能合并到自身。")})
    first, second = sorted([appeal.pk, into.pk])
    locked = {a.pk: a for a in [c.lock(first), c.lock(second)]}  # a fixed order avoids deadlocks
    appeal, into = locked[appeal.pk], locked[into.pk]
    c.check_version(appeal, expected_version)
    access.check(actor, "appeals.dispatch", appeal)
    access.check(actor, "appeals.view", into)
    if into.status not in OPEN and into.status != Status.RESOLVED:
        raise InvalidInput(fields={"into": _("只能并入仍在办理中的诉求。")})
    if into.merged_into_id:
        raise InvalidInput(fields={"into": _("该诉求本身已被合并。")})
    comment = c.clean_text(comment, field="comment", limit=1000)
    old = transition(appeal, Status.MERGED, actor=actor, party=DISPATCH)
    appeal.merged_into = into
    appeal.closed_at = c.now()
    c.save(appeal, ["merged_into", "closed_at"])
    c.event(
        appeal,
        EventKind.MERGED,
        actor=actor,
        comment=comment or _("与诉求 %(number)s 为同一事项，合并办理。") % {"number": into.number},
        from_status=old,
        to_status=Status.MERGED,
        data={"into": into.number},
    )
    c.event(
        into,
        EventKind.MERGED_IN,
        actor=actor,
        is_public=False,
        comment=_("并入诉求 %(number)s。") % {"number": appeal.number},
        data={"from": appeal.number},
    )
    record(actor=actor, action="appeals.merge", target=appeal, unit=appeal.unit, changes={"into": into.number})
    send(
        recipients=c.reporter_of(appeal),
        kind="appeals.merged",
        title=_("您的诉求 %(number)s 已与 %(into)s 合并办理"),
        params={"number": appeal.number, "into": into.number},
        url=c.appeal_url(appeal),
    )
    return appeal


@transaction.atomic
def appeal_split(
    *,
    actor: Any,
    appeal: Appeal,
    lead: Department,
    assisting: list[Department],
    comment: str = "",
    tasks: dict[int, str] | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """一件事: one lead department and assisting departments work in parallel; the resident sees one appeal.

    A queued appeal is dispatched to the lead with the assistants at once; an appeal already being
    handled keeps its lead and gains the assistants. The appeal is resolved only when every
    assignment is done.
    """
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    access.check(actor, "appeals.coordinate", appeal)
    tasks = tasks or {}
    comment = c.clean_text(comment, field="comment", limit=1000)
    unique = {d.pk: d for d in assisting}
    if not unique:
        raise InvalidInput(fields={"assisting": _("请至少选择一个协办部门。")})
    if lead.pk in unique:
        raise InvalidInput(fields={"assisting": _("主办部门不能同时是协办部门。")})
    if len(unique) > 10:
        raise InvalidInput(fields={"assisting": _("协办部门最多10个。")})
    for department in unique.values():
        _check_department(appeal, department, "assisting")
    if appeal.status in QUEUED:
        _check_department(appeal, lead, "lead")
        dispatch_to(appeal, lead, actor=actor, party=COORDINATE, comment=comment)
    elif appeal.status in (Status.DISPATCHED, Status.ACCEPTED, Status.RESPONDED, Status.REOPENED):
        current = c.lead_assignment(appeal)
        if current is None or current.department_id != lead.pk:
            raise InvalidInput(fields={"lead": _("该诉求已有主办部门，如需更换请先改派。")})
    else:
        raise InvalidTransition(
            _("诉求当前为“%(status)s”，不能再分派协办。") % {"status": Status(appeal.status).label}
        )
    existing = {a.department_id for a in c.live_assignments(appeal)}
    added = []
    for department in unique.values():
        if department.pk in existing:
            continue
        Assignment.objects.create(
            appeal=appeal,
            department=department,
            role=Assignment.Role.ASSIST,
            dispatched_by=actor,
            task=c.clean_text(tasks.get(department.pk, ""), field="tasks", limit=1000),
        )
        added.append(department)
    if not added:
        raise InvalidInput(fields={"assisting": _("所选部门都已在办理该诉求。")})
    names = "、".join(d.name for d in added)
    c.event(
        appeal,
        EventKind.SPLIT,
        actor=actor,
        comment=_("由%(lead)s牵头，%(others)s协同办理。") % {"lead": lead.name, "others": names},
        data={"lead": lead.pk, "assisting": [d.pk for d in added], "note": comment},
    )
    record(
        actor=actor,
        action="appeals.split",
        target=appeal,
        unit=appeal.unit,
        changes={"lead": lead.pk, "assisting": [d.pk for d in added]},
    )
    send(
        recipients=c.department_staff([d.pk for d in added]),
        kind="appeals.assist",
        title=_("协办工单：诉求 %(number)s，由%(lead)s牵头"),
        params={"number": appeal.number, "lead": lead.name},
        url=c.appeal_url(appeal),
    )
    return appeal
