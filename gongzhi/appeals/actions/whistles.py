"""吹哨报到: a street or community summons departments; each must check in within the set time.

When the work is done (the appeal is resolved, or the whistling side closes the whistle: 收哨), the two sides
rate each other: the whistling unit rates each summoned department, and each department that reported rates
the unit's organisation of the work. One rating per side per (whistle, department) pair.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals import routing
from gongzhi.appeals.actions import _common as c
from gongzhi.appeals.models import (
    WHISTLE_SCORES,
    Appeal,
    Assignment,
    EventKind,
    Whistle,
    WhistleRating,
    WhistleRatingSide,
    WhistleSummons,
)
from gongzhi.appeals.workflow import ASSIGNMENT_ACTIVE, FINAL, Status, SummonsStatus, summons_transition
from gongzhi.audit.chain import record
from gongzhi.lib.errors import Conflict, InvalidInput, InvalidTransition
from gongzhi.notify.service import send
from gongzhi.people.roles import Role
from gongzhi.units.models import Department, Unit

DEFAULT_MINUTES = 30
# The appeal's work is done in these states: the whistle's mutual ratings may be given.
WORK_DONE = frozenset({Status.RESOLVED, Status.RATED, Status.REVIEW, Status.CLOSED})
# A rating this low must say why.
LOW_SCORE = 2
REPORTED = frozenset({SummonsStatus.ON_TIME, SummonsStatus.LATE})


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
    if summons.whistle.closed_at is not None:
        raise InvalidTransition(_("已收哨，不能再报到。"))
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


def work_done(whistle: Whistle, appeal: Appeal) -> bool:
    """Return whether the whistled work is done: the whistle was closed (收哨) or the appeal resolved."""
    return whistle.closed_at is not None or appeal.status in WORK_DONE


@transaction.atomic
def whistle_close(*, actor: Any, whistle: Whistle, note: str = "") -> Whistle:
    """收哨: the whistling street or community declares the joint work on site finished."""
    whistle = Whistle.objects.select_for_update(of=("self",)).select_related("unit").get(pk=whistle.pk)
    access.check(actor, "appeals.whistle_rate_department", whistle.unit)
    appeal = c.lock(whistle.appeal_id)
    if whistle.closed_at is not None:
        raise InvalidTransition(_("该次吹哨已经收哨。"))
    note = c.clean_text(note, field="note", limit=300)
    moment = c.now()
    whistle.closed_at = moment
    whistle.closed_by = actor
    whistle.close_note = note
    whistle.save(update_fields=["closed_at", "closed_by", "close_note"])
    summonses = list(whistle.summonses.all())
    c.event(
        appeal,
        EventKind.WHISTLE_CLOSED,
        actor=actor,
        is_public=False,
        comment=note,
        data={"whistle": whistle.pk},
    )
    record(
        actor=actor,
        action="appeals.whistle_close",
        target=appeal,
        unit=appeal.unit,
        changes={"whistle": whistle.pk},
    )
    send(
        recipients=c.department_staff([s.department_id for s in summonses if s.status in REPORTED]),
        kind="appeals.whistle_closed",
        title=_("诉求 %(number)s 已收哨，请评价吹哨单位的组织协调"),
        params={"number": appeal.number},
        url=c.appeal_url(appeal),
    )
    return whistle


def _score(value: Any) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if isinstance(value, bool) or score not in dict(WHISTLE_SCORES) or str(value).strip() != str(score):
        raise InvalidInput(fields={"score": _("评分应为1至5的整数。")})
    return score


@transaction.atomic
def whistle_rate(*, actor: Any, summons: WhistleSummons, side: str, score: Any, comment: str = "") -> WhistleRating:
    """Rate the other side of one whistle pair: side "unit" rates the department, "department" rates the unit."""
    if side not in WhistleRatingSide.values:
        raise InvalidInput(fields={"side": _("评价方应为吹哨单位（unit）或报到部门（department）。")})
    summons = (
        WhistleSummons.objects.select_for_update(of=("self",))
        .select_related("whistle", "whistle__unit", "department")
        .get(pk=summons.pk)
    )
    whistle = summons.whistle
    if side == WhistleRatingSide.UNIT:
        access.check(actor, "appeals.whistle_rate_department", whistle.unit)
    else:
        access.check(actor, "appeals.whistle_rate_unit", summons)
    appeal = c.lock(whistle.appeal_id)
    if not work_done(whistle, appeal):
        raise InvalidTransition(_("诉求办结或收哨后才能互评。"), code="whistle_work_not_done")
    if side == WhistleRatingSide.DEPARTMENT and summons.status not in REPORTED:
        raise InvalidTransition(_("未报到的部门不能评价吹哨单位。"), code="whistle_not_reported")
    if side == WhistleRatingSide.UNIT and summons.status == SummonsStatus.PENDING:
        raise InvalidTransition(_("该部门的报到时限未到，暂不能评价。"), code="whistle_summons_pending")
    if WhistleRating.objects.filter(summons=summons, side=side).exists():
        raise Conflict(_("这一方已经评价过，不能重复评价。"), code="whistle_already_rated")
    score = _score(score)
    comment = c.clean_text(comment, field="comment", limit=500)
    if score <= LOW_SCORE and not comment:
        raise InvalidInput(fields={"comment": _("评为较差或很差时请说明理由。")})
    rating = WhistleRating.objects.create(
        whistle=whistle,
        summons=summons,
        side=side,
        score=score,
        comment=comment,
        rated_by=actor,
        rated_at=c.now(),
        department=summons.department,
        unit=whistle.unit,
        unit_path=whistle.unit.path,
    )
    if side == WhistleRatingSide.UNIT:
        text = _("%(unit)s评价%(department)s：%(score)s分") % {
            "unit": whistle.unit.name,
            "department": summons.department.name,
            "score": score,
        }
    else:
        text = _("%(department)s评价%(unit)s的组织协调：%(score)s分") % {
            "unit": whistle.unit.name,
            "department": summons.department.name,
            "score": score,
        }
    c.event(
        appeal,
        EventKind.WHISTLE_RATED,
        actor=actor,
        department=summons.department if side == WhistleRatingSide.DEPARTMENT else None,
        is_public=False,
        comment=f"{text}{'；' + comment if comment else ''}",
        data={"whistle": whistle.pk, "summons": summons.pk, "side": side, "score": score},
    )
    record(
        actor=actor,
        action="appeals.whistle_rate",
        target=appeal,
        unit=appeal.unit,
        changes={"summons": summons.pk, "department": summons.department_id, "side": side, "score": score},
    )
    if side == WhistleRatingSide.UNIT:
        recipients = c.department_staff([summons.department_id])
        title = _("%(unit)s对贵部门在诉求 %(number)s 中的报到处置评了%(score)s分")
    else:
        recipients = [whistle.blown_by]
        title = _("%(department)s对%(unit)s在诉求 %(number)s 中的组织协调评了%(score)s分")
    send(
        recipients=recipients,
        kind="appeals.whistle_rated",
        title=title,
        params={
            "unit": whistle.unit.name,
            "department": summons.department.name,
            "number": appeal.number,
            "score": score,
        },
        url=c.appeal_url(appeal),
    )
    return rating
