"""The deadline watch: mark overdue appeals, tell the handler and the supervisor, escalate after a grace period."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.appeals.actions import _common as c
from gongzhi.appeals.models import Appeal, EventKind
from gongzhi.appeals.workflow import HANDLING, OPEN
from gongzhi.audit.chain import record
from gongzhi.notify.service import send
from gongzhi.people.roles import Role
from gongzhi.units.models import Unit, UnitKind


def escalation_grace() -> dt.timedelta:
    """How long an overdue appeal may stay overdue at one level before it is escalated to the unit above."""
    return dt.timedelta(hours=int(getattr(settings, "GONGZHI_APPEAL_ESCALATION_HOURS", 24)))


def overdue_kind(appeal: Appeal, moment: dt.datetime) -> str | None:
    """Return "response" or "resolution" when the appeal has passed a deadline, else None."""
    if appeal.status not in HANDLING:
        return None
    if appeal.responded_at is None and appeal.response_due is not None and appeal.response_due < moment:
        return "response"
    if appeal.resolution_due is not None and appeal.resolution_due < moment:
        return "resolution"
    return None


@transaction.atomic
def appeal_mark_overdue(*, appeal_id: int, now: dt.datetime | None = None) -> bool:
    """Mark one appeal overdue and notify its handlers and supervisors (idempotent)."""
    appeal = c.lock(appeal_id)
    moment = now or c.now()
    which = overdue_kind(appeal, moment)
    if appeal.is_overdue or which is None:
        return False
    appeal.is_overdue = True
    if appeal.overdue_at is None:
        appeal.overdue_at = moment
    c.save(appeal, ["is_overdue", "overdue_at"])
    due = appeal.response_due if which == "response" else appeal.resolution_due
    c.event(
        appeal,
        EventKind.OVERDUE,
        actor=None,
        is_public=False,
        department=appeal.department,
        label=str(_("系统")),
        comment=_("已超过响应时限。") if which == "response" else _("已超过办结时限。"),
        data={"kind": which, "due": due.isoformat() if due else None},
        at=moment,
    )
    record(actor="system", action="appeals.overdue", target=appeal, unit=appeal.unit, changes={"kind": which})
    recipients = [
        *c.department_staff([appeal.department_id] if appeal.department_id else []),
        *c.staff_over(appeal.unit_path, [Role.SUPERVISOR], nearest_only=True),
    ]
    send(
        recipients=recipients,
        kind="appeals.overdue",
        title=_("诉求 %(number)s 已超期（%(which)s）"),
        params={"number": appeal.number, "which": _("响应时限") if which == "response" else _("办结时限")},
        url=c.appeal_url(appeal),
    )
    return True


def jurisdiction_of(appeal: Appeal) -> Unit:
    """Return the street or township an appeal belongs to (or its own unit above that level)."""
    return appeal.unit.ancestor_of_kind(UnitKind.STREET, UnitKind.TOWNSHIP) or appeal.unit


@transaction.atomic
def appeal_escalate(*, appeal_id: int, now: dt.datetime | None = None) -> bool:
    """Escalate an appeal overdue for longer than the grace period to the unit above (idempotent per period)."""
    appeal = c.lock(appeal_id)
    moment = now or c.now()
    if not appeal.is_overdue or appeal.status not in OPEN:
        return False
    since = appeal.escalated_at or appeal.overdue_at
    if since is None or since > moment - escalation_grace():
        return False
    current = appeal.escalated_to or jurisdiction_of(appeal)
    above = Unit.objects.get_parent(current)
    if above is None:
        return False
    appeal.escalation_level += 1
    appeal.escalated_at = moment
    appeal.escalated_to = above
    c.save(appeal, ["escalation_level", "escalated_at", "escalated_to"])
    c.event(
        appeal,
        EventKind.ESCALATED,
        actor=None,
        is_public=False,
        label=str(_("系统")),
        comment=_("超期未办结，升级至%(unit)s督办。") % {"unit": above.name},
        data={"level": appeal.escalation_level, "unit": above.pk},
        at=moment,
    )
    record(
        actor="system",
        action="appeals.escalate",
        target=appeal,
        unit=appeal.unit,
        changes={"level": appeal.escalation_level, "to": above.pk},
    )
    grants = c.staff_over(above.path, [Role.SUPERVISOR, Role.DISTRICT_ADMIN], nearest_only=True)
    send(
        recipients=grants,
        kind="appeals.escalated",
        title=_("诉求 %(number)s 超期未办结，已升级至%(unit)s督办"),
        params={"number": appeal.number, "unit": above.name},
        url=c.appeal_url(appeal),
    )
    return True
