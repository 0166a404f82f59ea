"""综合行政执法: one team per street/township registers, investigates, decides, executes and closes cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.money import to_money
from gongzhi.notify.service import send
from gongzhi.services import queries
from gongzhi.services.actions.common import acting_roles, next_number, staff_of
from gongzhi.services.models import CaseEvent, CaseSource, Decision, Duty, DutyKind, EnforcementCase
from gongzhi.services.workflow import CASE_TRANSITIONS, EnforcementStatus, transition
from gongzhi.units.models import Department, DepartmentKind, Unit

E = EnforcementStatus


def _event(case: EnforcementCase, actor: Any, frm: str, to: str, note: str = "") -> None:
    CaseEvent.objects.create(case=case, actor=actor, from_status=frm, to_status=to, note=note[:2000])


@transaction.atomic
def case_register(
    *,
    actor: Any,
    unit: Unit,
    team: Department,
    source: str,
    law_area: str,
    summary: str,
    location: str,
    party_name: str,
    appeal_number: str = "",
) -> EnforcementCase:
    """Register a case (立案) for the unit's one enforcement team, from patrol, an appeal or a report."""
    access.check(actor, "services.enforcement_manage", unit)
    errors: dict[str, str] = {}
    if team.kind != DepartmentKind.ENFORCEMENT or not team.is_active:
        errors["team_id"] = _("请选择综合行政执法队。")
    elif not unit.path.startswith(team.jurisdiction.path):
        errors["team_id"] = _("该执法队不管辖此单位。")
    if source not in CaseSource.values:
        errors["source"] = _("未知的案件来源。")
    appeal_number = (appeal_number or "").strip()
    appeal = None
    if source == CaseSource.APPEAL and not appeal_number:
        errors["appeal_number"] = _("诉求转办的案件须填写诉求编号。")
    elif appeal_number:
        appeal = queries.appeal_in_reach(actor, appeal_number)
        if appeal is None:
            errors["appeal_number"] = _("找不到诉求“%(number)s”，或您无权查看。") % {"number": appeal_number[:40]}
    for name, value, limit in (
        ("law_area", law_area, 40),
        ("summary", summary, 4000),
        ("location", location, 200),
        ("party_name", party_name, 120),
    ):
        if not (value or "").strip():
            errors[name] = _("此项必填。")
        elif len(value.strip()) > limit:
            errors[name] = _("内容过长。")
    if errors:
        raise InvalidInput(fields=errors)
    case = EnforcementCase.objects.create(
        number=next_number("ZF", width=4),
        unit=unit,
        team=team,
        source=source,
        appeal_number=appeal.number if appeal is not None else "",
        appeal=appeal,
        law_area=law_area.strip(),
        summary=summary.strip(),
        location=location.strip(),
        party_name=party_name.strip(),
        registered_by=actor,
    )
    _event(case, actor, "", E.REGISTERED, str(CaseSource(source).label))
    record(
        actor=actor,
        action="services.case_register",
        target=case,
        unit=unit,
        changes={"source": source, "law_area": case.law_area, "appeal_number": case.appeal_number},
    )
    send(
        recipients=staff_of(department=team),
        kind="services.enforcement",
        title=gettext_lazy("执法案件 %(number)s 已立案：%(area)s"),
        params={"number": case.number, "area": case.law_area},
        url=reverse("services:case", args=[case.pk]),
    )
    return case


def _lock(case: EnforcementCase, actor: Any) -> EnforcementCase:
    locked = EnforcementCase.objects.select_for_update(of=("self",)).select_related("unit", "team").get(pk=case.pk)
    access.check(actor, "services.enforcement_manage", locked)
    return locked


def _move(actor: Any, case: EnforcementCase, target: str) -> str:
    access.check(actor, "services.enforcement_manage", case)
    return transition(
        case, target, roles=acting_roles(actor, "services.enforcement_manage", case), table=CASE_TRANSITIONS
    )


@transaction.atomic
def case_investigate(*, actor: Any, case: EnforcementCase, findings: str) -> EnforcementCase:
    case = _lock(case, actor)
    if not (findings or "").strip():
        raise InvalidInput(fields={"findings": _("请填写调查结论。")})
    old = _move(actor, case, E.INVESTIGATED)
    case.findings = findings.strip()
    case.save()
    _event(case, actor, old, case.status, case.findings)
    record(actor=actor, action="services.case_investigate", target=case, changes={"status": [old, case.status]})
    return case


@transaction.atomic
def case_decide(
    *,
    actor: Any,
    case: EnforcementCase,
    decision: str,
    duty: Duty | None = None,
    penalty_amount: Any = None,
    penalty_text: str = "",
    note: str = "",
) -> EnforcementCase:
    """Decide: a penalty must rest on a penalty power in the unit's own register (its legal basis is copied)."""
    case = _lock(case, actor)
    access.check(actor, "services.enforcement_manage", case)
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = _("请选择给予处罚或不予处罚。")
    amount: Decimal | None = None
    if decision == Decision.PENALTY:
        if duty is None:
            errors["duty_id"] = _("处罚须引用本单位权力清单中的处罚事项。")
        elif duty.unit_id not in (case.unit_id, case.team.unit_id) or duty.kind not in (
            DutyKind.PENALTY,
            DutyKind.COERCION,
        ):
            holder = queries.duty_holder(case.unit, duty.code)
            errors["duty_id"] = _("%(unit)s的权力清单中没有该处罚事项（%(holder)s）。") % {
                "unit": case.unit.name,
                "holder": holder.holder_name or _("未登记"),
            }
        elif not queries.active_duties().filter(pk=duty.pk).exists():
            errors["duty_id"] = _("该权力事项已失效。")
        if penalty_amount not in (None, ""):
            try:
                amount = to_money(penalty_amount, field="penalty_amount")
                if amount <= 0:
                    errors["penalty_amount"] = _("罚款金额应大于0。")
            except InvalidInput as exc:
                errors.update({k: v[0] for k, v in exc.fields.items()})
        if amount is None and not (penalty_text or "").strip():
            errors["penalty_text"] = _("请填写罚款金额或处罚内容。")
    elif decision == Decision.NONE:
        if not (note or "").strip():
            errors["note"] = _("不予处罚须写明理由。")
        if penalty_amount not in (None, ""):
            errors["penalty_amount"] = _("不予处罚不能有罚款。")
        if duty is not None and duty.unit_id not in (case.unit_id, case.team.unit_id):
            errors["duty_id"] = _("引用的权力事项须属于本单位。")
    if errors:
        raise InvalidInput(fields=errors)
    old = _move(actor, case, E.DECIDED)
    case.decision = decision
    case.duty = duty
    case.legal_basis = duty.legal_basis if duty else ""
    case.penalty_amount = amount
    case.penalty_text = (penalty_text or "").strip()[:300]
    case.decided_at = timezone.now()
    case.save()
    _event(case, actor, old, case.status, note or case.penalty_text)
    record(
        actor=actor,
        action="services.case_decide",
        target=case,
        changes={"decision": decision, "duty": duty.code if duty else None, "amount": amount},
    )
    return case


@transaction.atomic
def case_execute(*, actor: Any, case: EnforcementCase, note: str) -> EnforcementCase:
    case = _lock(case, actor)
    if case.decision != Decision.PENALTY:
        raise InvalidInput(_("不予处罚的案件不需要执行，可直接结案。"), fields={"decision": _("无需执行。")})
    if not (note or "").strip():
        raise InvalidInput(fields={"note": _("请填写执行情况。")})
    old = _move(actor, case, E.EXECUTED)
    case.execution_note = note.strip()
    case.save()
    _event(case, actor, old, case.status, case.execution_note)
    record(actor=actor, action="services.case_execute", target=case, changes={"status": [old, case.status]})
    return case


@transaction.atomic
def case_close(*, actor: Any, case: EnforcementCase, note: str = "") -> EnforcementCase:
    case = _lock(case, actor)
    if case.status == E.DECIDED and case.decision == Decision.PENALTY:
        raise InvalidInput(_("处罚决定执行后才能结案。"), fields={"status": _("尚未执行。")})
    old = _move(actor, case, E.CLOSED)
    case.closed_at = timezone.now()
    case.save()
    _event(case, actor, old, case.status, note)
    record(actor=actor, action="services.case_close", target=case, changes={"status": [old, case.status]})
    return case
