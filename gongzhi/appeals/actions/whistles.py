"""吹哨报到: a street or community summons departments; each must check in within the set time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals import routing
from gongzhi.appeals.actions import _common as c
from gongzhi.appeals.models import Appeal, Assignment, EventKind, Whistle, WhistleSummons
from gongzhi.appeals.workflow import ASSIGNMENT_ACTIVE, FINAL, Status, SummonsStatus, summons_transition
from gongzhi.audit.chain import record
from gongzhi.lib.errors import InvalidInput, InvalidTransition
from gongzhi.notify.service import send
from gongzhi.people.roles import Role
from gongzhi.units.models import Department, Unit

DEFAULT_MINUTES = 30


def _blowing_unit(actor: Any, appeal: Appeal) -> Unit:
    """Return the unit that blows the whistle: the actor's deepest grant over the appeal (a street, a community)."""
    best = None
    for grant in access.grants(actor):
        if grant.unit_path and appeal.unit_path.startswith(grant.unit_path) and grant.unit_id:
            if best is None or len(grant.unit_path) > len(best.unit_path):
                best = grant
    if best is None:
        return appeal.unit
    return Unit.objects.get(pk=best.unit_id)


@transaction.atomic
def whistle_blow(
    *,
    actor: Any,
    appeal: Appeal,
    departments: list[Department],
    reason: str,
    minutes: int | None = None,
    place: str = "",
) -> Whistle:
    """Summon named departments to an appeal; each must check in within `minutes` (default 30)."""
    appeal = c.lock(appeal)
    access.check(actor, "appeals.coordinate", appeal)
    if appeal.status in FINAL or appeal.status in (Status.RESOLVED, Status.RATED):
        raise InvalidTransition(_("诉求已办结，不能再吹哨。"))
    reason = c.clean_text(reason, field="reason", required=True, limit=1000)
    place = c.clean_text(place, field="place", limit=200)
    minutes = DEFAULT_MINUTES if minutes in (None, "") else minutes
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 5 <= minutes <= 1440:
        raise InvalidInput(fields={"minutes": _("报到时限应为5至1440分钟。")})
    unique = {d.pk: d for d in departments}
    if not unique:
        raise InvalidInput(fields={"departments": _("请选择要召集的部门。")})
    if len(unique) > 20:
        raise InvalidInput(fields={"departments": _("一次最多召集20个部门。")})
    for department in unique.values():
        if not department.is_active:
            raise InvalidInput(fields={"departments": _("部门“%(name)s”已停用。") % {"name": department.name}})
        refused = routing.refusal(appeal, department)
        if refused:
            raise InvalidInput(fields={"departments": refused})
    moment = c.now()
    due = moment + dt.timedelta(minutes=minutes)
    whistle = Whistle.objects.create(
        appeal=appeal,
        blown_by=actor,
        blown_at=moment,
        unit=_blowing_unit(actor, appeal),
        reason=reason,
        place=place,
        minutes=minutes,
        due_at=due,
    )
    WhistleSummons.objects.bulk_create(
        [WhistleSummons(whistle=whistle, department=d, due_at=due) for d in unique.values()]
    )
    names = "、".join(d.name for d in unique.values())
    c.event(
        appeal,
        EventKind.WHISTLE,
        actor=actor,
        comment=_("召集%(names)s在%(minutes)s分钟内报到：%(reason)s")
        % {"names": names, "minutes": minutes, "reason": reason},
        data={"whistle": whistle.pk, "departments": list(unique), "due_at": due.isoformat()},
    )
    record(
        actor=actor,
        action="appeals.whistle",
        target=appeal,
        unit=appeal.unit,
        changes={"departments": list(unique), "minutes": minutes},
    )
    send(
        recipients=c.department_staff(unique),
        kind="appeals.whistle",
        title=_("吹哨：请于%(minutes)s分钟内就诉求 %(number)s 报到"),
        body=_("事由：%(reason)s；地点：%(place)s"),
        params={"number": appeal.number, "minutes": minutes, "reason": reason, "place": place or appeal.address},
        url=c.appeal_url(appeal),
        sms=True,
    )
    return whistle


@transaction.atomic
def whistle_check_in(*, actor: Any, summons: WhistleSummons, note: str = "") -> WhistleSummons:
    """报到: a summoned department checks in; late check-ins are recorded as such. It then stays on the appeal."""
    summons = (
        WhistleSummons.objects.select_for_update(of=("self",))
        .select_related("whistle", "department")
        .get(pk=summons.pk)
    )
    access.check(actor, "appeals.checkin", summons)
    appeal = c.lock(summons.whistle.appeal_id)
    note = c.clean_text(note, field="note", limit=300)
    moment = c.now()
    target = SummonsStatus.ON_TIME if moment <= summons.due_at else SummonsStatus.LATE
    summons_transition(summons, target)
    summons.checked_in_at = moment
    summons.checked_in_by = actor
    summons.note = note
    summons.save(update_fields=["status", "checked_in_at", "checked_in_by", "note"])
    # A department that reported stays on the appeal until it is done: it gets an assisting assignment.
    if appeal.status not in FINAL and appeal.status not in (Status.RESOLVED, Status.RATED):
        live = Assignment.objects.filter(appeal=appeal, department=summons.department, status__in=ASSIGNMENT_ACTIVE)
        if not live.exists():
            Assignment.objects.create(
                appeal=appeal,
                department=summons.department,
                role=Assignment.Role.ASSIST,
                status="accepted",
                dispatched_by=summons.whistle.blown_by,
                accepted_by=actor,
                accepted_at=moment,
                task=summons.whistle.reason,
            )
    late_minutes = max(0, int((moment - summons.due_at).total_seconds() // 60))
    c.event(
        appeal,
        EventKind.CHECKED_IN,
        actor=actor,
        department=summons.department,
        comment=note,
        data={"summons": summons.pk, "status": target, "late_minutes": late_minutes},
    )
    record(
        actor=actor,
        action="appeals.check_in",
        target=appeal,
        unit=appeal.unit,
        changes={"department": summons.department_id, "status": target, "late_minutes": late_minutes},
    )
    return summons


@transaction.atomic
def summons_mark_missed(*, summons_id: int, now: dt.datetime | None = None) -> bool:
    """Record a department that did not check in by the deadline (periodic task; idempotent)."""
    summons = (
        WhistleSummons.objects.select_for_update(of=("self",))
        .select_related("whistle", "department")
        .get(pk=summons_id)
    )
    moment = now or c.now()
    if summons.status != SummonsStatus.PENDING or summons.due_at > moment:
        return False
    summons_transition(summons, SummonsStatus.MISSED)
    summons.save(update_fields=["status"])
    appeal = Appeal.objects.get(pk=summons.whistle.appeal_id)
    c.event(
        appeal,
        EventKind.CHECK_IN_MISSED,
        actor=None,
        department=summons.department,
        is_public=False,
        comment=_("%(department)s未在时限内报到。") % {"department": summons.department.name},
        data={"summons": summons.pk},
    )
    record(
        actor="system",
        action="appeals.check_in_missed",
        target=appeal,
        unit=appeal.unit,
        changes={"department": summons.department_id},
    )
    send(
        recipients=[summons.whistle.blown_by, *c.staff_over(appeal.unit_path, [Role.SUPERVISOR], nearest_only=True)],
        kind="appeals.check_in_missed",
        title=_("%(department)s未按时就诉求 %(number)s 报到"),
        params={"department": summons.department.name, "number": appeal.number},
        url=c.appeal_url(appeal),
    )
    return True
