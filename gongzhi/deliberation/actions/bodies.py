"""Bodies, members, members' demands for a meeting and the minimum meeting frequency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.deliberation import rules
from gongzhi.deliberation.actions.common import (
    clean_text,
    conveners,
    current_members,
    is_member,
    lock,
    roles_of,
    user_of,
)
from gongzhi.deliberation.models import (
    LEVEL_RANK,
    Body,
    BodyLevel,
    BodyMember,
    MajorityRule,
    MeetingDemand,
    MeetingDemandSignature,
    MemberRole,
    MemberSource,
)
from gongzhi.deliberation.workflow import MEMBER, SYSTEM, DemandStatus, MeetingStatus, transition
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput
from gongzhi.notify.service import send
from gongzhi.people.models import User
from gongzhi.units.models import Unit

BODY_FIELDS = {
    "name",
    "level",
    "parent",
    "quorum_numerator",
    "quorum_denominator",
    "majority_rule",
    "notice_days",
    "meeting_interval_days",
    "demand_numerator",
    "demand_denominator",
    "demand_response_days",
    "cosign_threshold",
    "requires_party_screening",
    "requires_legal_review",
    "is_active",
}


def _validate_body(body: Body, actor: Any) -> None:
    errors: dict[str, str] = {}
    if not body.name.strip():
        errors["name"] = _("名称不能为空。")
    if body.level not in BodyLevel.values:
        errors["level"] = _("未知的层级。")
    if body.majority_rule not in MajorityRule.values:
        errors["majority_rule"] = _("未知的表决规则。")
    if not body.quorum_denominator or body.quorum_numerator > body.quorum_denominator or body.quorum_numerator < 1:
        errors["quorum_numerator"] = _("法定人数比例应在0到1之间。")
    if not body.demand_denominator or body.demand_numerator > body.demand_denominator or body.demand_numerator < 1:
        errors["demand_numerator"] = _("提议召开比例应在0到1之间。")
    if body.meeting_interval_days is not None and body.meeting_interval_days < 1:
        errors["meeting_interval_days"] = _("会议间隔至少1天。")
    if body.parent is not None:
        if body.parent.pk == body.pk:
            errors["parent"] = _("上一级不能是自己。")
        elif not body.unit.path.startswith(body.parent.unit.path):
            errors["parent"] = _("上一级议事机构应设在本单位或其上级单位。")
        elif LEVEL_RANK[BodyLevel(body.parent.level)] <= LEVEL_RANK[BodyLevel(body.level)]:
            errors["parent"] = _("上一级议事机构的层级应高于本机构。")
    if errors:
        raise InvalidInput(fields=errors)


@transaction.atomic
def body_create(*, actor: Any, unit: Unit, name: str, level: str, **fields: Any) -> Body:
    """Create a deliberative body at a unit, with its rules (defaults: quorum 2/3, majority of those present)."""
    access.check(actor, "deliberation.manage_bodies", unit)
    unknown = set(fields) - BODY_FIELDS
    if unknown:
        raise InvalidInput(fields=dict.fromkeys(unknown, _("未知字段。")))
    body = Body(unit=unit, name=(name or "").strip(), level=level)
    for key, value in fields.items():
        if value is not None:
            setattr(body, key, value)
    if body.level == BodyLevel.VILLAGER_ASSEMBLY and "meeting_interval_days" not in fields:
        body.meeting_interval_days = 92  # the law: at least once a quarter
    _validate_body(body, actor)
    body.save()
    record(
        actor=actor,
        action="deliberation.body_create",
        target=body,
        unit=unit,
        changes={"name": body.name, "level": level},
    )
    return body


@transaction.atomic
def body_update(*, actor: Any, body: Body, **fields: Any) -> Body:
    """Change a body's name, parent or rules; each change is audited."""
    body = lock(Body, body)
    access.check(actor, "deliberation.manage_bodies", body)
    unknown = set(fields) - BODY_FIELDS
    if unknown:
        raise InvalidInput(fields=dict.fromkeys(unknown, _("不能修改此字段。")))
    changes: dict[str, Any] = {}
    for key, value in fields.items():
        if key != "meeting_interval_days" and key != "parent" and value is None:
            continue
        current = getattr(body, key)
        if current != value:
            changes[key] = [getattr(current, "pk", current), getattr(value, "pk", value)]
            setattr(body, key, value)
    if changes:
        _validate_body(body, actor)
        body.save()
        record(actor=actor, action="deliberation.body_update", target=body, unit=body.unit, changes=changes)
    return body


@transaction.atomic
def body_member_add(
    *,
    actor: Any,
    body: Body,
    user: User,
    role: str = MemberRole.MEMBER,
    source: str = MemberSource.APPOINTED,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    votes: bool | None = None,
) -> BodyMember:
    """Seat a person in a body for a term (elected members come from the elections app with source=elected)."""
    body = lock(Body, body)
    access.check(actor, "deliberation.manage_bodies", body)
    errors: dict[str, str] = {}
    if role not in MemberRole.values:
        errors["role"] = _("未知的职务。")
    if source not in MemberSource.values:
        errors["source"] = _("未知的产生方式。")
    start = term_start or timezone.localdate()
    if term_end is not None and term_end < start:
        errors["term_end"] = _("任期结束不能早于开始。")
    overlapping = BodyMember.objects.filter(body=body, user=user).exclude(term_end__lt=start)
    if term_end is not None:
        overlapping = overlapping.filter(term_start__lte=term_end)
    if overlapping.exists():
        errors["user"] = _("此人在该期间已是本机构成员。")
    if errors:
        raise InvalidInput(fields=errors)
    if votes is None:
        votes = role != MemberRole.LEGAL_ADVISER
    member = BodyMember.objects.create(
        body=body, user=user, role=role, source=source, term_start=start, term_end=term_end, votes=votes
    )
    record(
        actor=actor,
        action="deliberation.body_member_add",
        target=member,
        unit=body.unit,
        changes={"user": user.pk, "role": role, "source": source, "term": [start, term_end], "votes": votes},
    )
    send(
        recipients=[user],
        kind="deliberation.member",
        title=gettext_lazy("您已成为%(body)s成员"),
        params={"body": body.name},
        url=f"/deliberation/bodies/{body.pk}/",
    )
    return member


@transaction.atomic
def body_member_end(*, actor: Any, member: BodyMember, on: dt.date | None = None, reason: str = "") -> BodyMember:
    """End a member's term (resignation, removal, moving away); the seat's history stays."""
    member = lock(BodyMember, member)
    access.check(actor, "deliberation.manage_bodies", member.body)
    day = on or timezone.localdate()
    if member.term_end is not None and member.term_end < timezone.localdate():
        raise Conflict(_("该成员任期已结束。"))
    if day < member.term_start:
        raise InvalidInput(fields={"on": _("结束日期不能早于任期开始。")})
    old = member.term_end
    member.term_end = day
    member.save(update_fields=["term_end"])
    record(
        actor=actor,
        action="deliberation.body_member_end",
        target=member,
        unit=member.body.unit,
        changes={"term_end": [old, day], "reason": reason.strip()[:300]},
    )
    return member


# --- members' demand for a meeting --------------------------------------------------------------------


@transaction.atomic
def demand_open(*, actor: Any, body: Body, subject: str) -> MeetingDemand:
    """A voting member proposes that the body meet; others join until the body's share is reached."""
    body = lock(Body, body)
    if not is_member(actor, body):
        access.check(actor, "deliberation.view", body)
        raise Forbidden(_("只有本机构有表决权的成员可以提议召开会议。"))
    subject = clean_text(subject, "subject", max_length=200)
    if MeetingDemand.objects.filter(body=body, status__in=[DemandStatus.GATHERING, DemandStatus.REACHED]).exists():
        raise Conflict(_("已有一项提议正在进行，请直接附议。"), code="demand_open")
    members = current_members(body).count()
    demand = MeetingDemand.objects.create(
        body=body, subject=subject, opened_by=actor, required=rules.demand_required(members, body.demand_share)
    )
    record(actor=actor, action="deliberation.demand_open", target=demand, unit=body.unit, changes={"subject": subject})
    _add_signature(actor=actor, demand=demand)
    return demand


@transaction.atomic
def demand_sign(*, actor: Any, demand: MeetingDemand) -> MeetingDemand:
    """Join a demand; at the threshold the convener is obliged to call a meeting within the set days."""
    demand = lock(MeetingDemand, demand)
    if not is_member(actor, demand.body):
        raise Forbidden(_("只有本机构有表决权的成员可以附议。"))
    if demand.status != DemandStatus.GATHERING:
        raise Conflict(_("该提议已不再征集附议。"), code="demand_closed")
    if MeetingDemandSignature.objects.filter(demand=demand, user=actor).exists():
        raise Conflict(_("您已附议过。"), code="already_signed")
    _add_signature(actor=actor, demand=demand)
    return demand


def _add_signature(*, actor: Any, demand: MeetingDemand) -> None:
    MeetingDemandSignature.objects.create(demand=demand, user=actor)
    demand.signature_count = demand.signatures.count()
    changes: dict[str, Any] = {"signatures": demand.signature_count}
    if demand.signature_count >= demand.required:
        transition(demand, DemandStatus.REACHED, machine="demand", roles={SYSTEM})
        demand.reached_at = timezone.now()
        demand.due_date = timezone.localdate() + dt.timedelta(days=demand.body.demand_response_days)
        changes["status"] = DemandStatus.REACHED
        send(
            recipients=conveners(demand.body),
            kind="deliberation.demand",
            title=gettext_lazy("%(body)s：已有法定比例成员提议召开会议，请于%(due)s前召开"),
            params={"body": demand.body.name, "due": demand.due_date.isoformat()},
            url=f"/deliberation/bodies/{demand.body_id}/",
        )
    demand.save()
    record(actor=actor, action="deliberation.demand_sign", target=demand, unit=demand.body.unit, changes=changes)


@transaction.atomic
def demand_withdraw(*, actor: Any, demand: MeetingDemand) -> MeetingDemand:
    demand = lock(MeetingDemand, demand)
    if user_of(actor) is None or demand.opened_by_id != actor.pk:
        raise Forbidden(_("只有提议人可以撤回。"))
    transition(demand, DemandStatus.WITHDRAWN, machine="demand", roles={MEMBER})
    demand.save(update_fields=["status"])
    record(actor=actor, action="deliberation.demand_withdraw", target=demand, unit=demand.body.unit)
    return demand


def satisfy_demands(*, meeting: Any) -> None:
    """Mark the body's reached demand as met by a meeting that has been noticed (called by meeting actions)."""
    for demand in MeetingDemand.objects.select_for_update().filter(body=meeting.body, status=DemandStatus.REACHED):
        transition(demand, DemandStatus.MET, machine="demand", roles={SYSTEM})
        demand.meeting = meeting
        demand.save(update_fields=["status", "meeting"])
        record(
            actor="system",
            action="deliberation.demand_met",
            target=demand,
            unit=meeting.body.unit,
            changes={"meeting": meeting.pk},
        )


# --- reminders (periodic) ----------------------------------------------------------------------------


def last_meeting_date(body: Body) -> dt.date | None:
    from gongzhi.deliberation.models import Meeting

    meeting = (
        Meeting.objects.filter(
            body=body, status__in=[MeetingStatus.CLOSED, MeetingStatus.IN_SESSION, MeetingStatus.NOTICED]
        )
        .order_by("-starts_at")
        .first()
    )
    return timezone.localtime(meeting.starts_at).date() if meeting else None


def meeting_due_date(body: Body) -> dt.date | None:
    """Return the date by which the body must have met again (None when it has no frequency rule)."""
    if not body.meeting_interval_days:
        return None
    last = last_meeting_date(body) or timezone.localtime(body.created_at).date()
    return last + dt.timedelta(days=body.meeting_interval_days)


def _moment(day: dt.date) -> dt.datetime:
    """The reminder's time stamp on the day the check ran (so one lapse gets one reminder)."""
    now = timezone.localtime()
    return timezone.make_aware(dt.datetime.combine(day, now.time().replace(tzinfo=None)))


@transaction.atomic
def remind_overdue_bodies(*, today: dt.date | None = None) -> int:
    """Remind the conveners of bodies that have not met within their interval (once per lapse)."""
    day = today or timezone.localdate()
    reminded = 0
    for body in Body.objects.select_for_update().filter(is_active=True, meeting_interval_days__isnull=False):
        due = meeting_due_date(body)
        if due is None or due >= day:
            continue
        if body.overdue_reminded_at is not None and timezone.localtime(body.overdue_reminded_at).date() >= due:
            continue
        body.overdue_reminded_at = _moment(day)
        body.save(update_fields=["overdue_reminded_at"])
        send(
            recipients=conveners(body),
            kind="deliberation.overdue",
            title=gettext_lazy("%(body)s应于%(due)s前召开会议，已逾期"),
            params={"body": body.name, "due": due.isoformat()},
            url=f"/deliberation/bodies/{body.pk}/",
        )
        record(actor="system", action="deliberation.body_overdue", target=body, unit=body.unit, changes={"due": due})
        reminded += 1
    return reminded


@transaction.atomic
def remind_overdue_demands(*, today: dt.date | None = None) -> int:
    """Remind conveners (and the unit's heads) when a reached demand passes its due date without a meeting."""
    from gongzhi.deliberation.actions.common import unit_managers
    from gongzhi.people.roles import Role

    day = today or timezone.localdate()
    count = 0
    for demand in MeetingDemand.objects.select_for_update().filter(status=DemandStatus.REACHED, due_date__lt=day):
        if demand.reminded_at is not None and timezone.localtime(demand.reminded_at).date() >= day:
            continue
        demand.reminded_at = _moment(day)
        demand.save(update_fields=["reminded_at"])
        body = demand.body
        send(
            recipients=[*conveners(body), *unit_managers(body.unit, [Role.COMMUNITY_HEAD, Role.STREET_STAFF])],
            kind="deliberation.demand_overdue",
            title=gettext_lazy("%(body)s：成员提议召开的会议已超过%(due)s仍未召开"),
            params={"body": body.name, "due": demand.due_date.isoformat() if demand.due_date else ""},
            url=f"/deliberation/bodies/{body.pk}/",
        )
        record(actor="system", action="deliberation.demand_overdue", target=demand, unit=body.unit)
        count += 1
    return count


__all__ = [
    "body_create",
    "body_member_add",
    "body_member_end",
    "body_update",
    "demand_open",
    "demand_sign",
    "demand_withdraw",
    "last_meeting_date",
    "meeting_due_date",
    "remind_overdue_bodies",
    "remind_overdue_demands",
    "roles_of",
    "satisfy_demands",
]
