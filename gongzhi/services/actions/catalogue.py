"""The catalogue side: service points, items and materials, bundle templates, the duties register."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.lib.errors import Conflict, InvalidInput
from gongzhi.lib.money import to_money
from gongzhi.people.models import User
from gongzhi.services import dispatch_check, queries
from gongzhi.services.models import (
    LEVEL_KINDS,
    BundleTemplate,
    Duty,
    DutyKind,
    DutySource,
    FinishLevel,
    ItemCategory,
    MaterialForm,
    Mode,
    PointKind,
    ServiceItem,
    ServiceKind,
    ServiceMaterial,
    ServicePoint,
)
from gongzhi.units.models import Department, Unit

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _text(errors: dict[str, str], name: str, value: str, limit: int, required: bool = True) -> str:
    value = " ".join((value or "").split()) if limit <= 300 else (value or "").strip()
    if required and not value:
        errors[name] = _("此项必填。")
    elif len(value) > limit:
        errors[name] = _("不能超过%(n)s个字。") % {"n": limit}
    return value


# --- points ------------------------------------------------------------------------------------


@transaction.atomic
def point_create(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    kind: str,
    address: str,
    opening_hours: str,
    phone: str = "",
    service_kinds: list[str] | None = None,
    duty_note: str = "",
) -> ServicePoint:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    access.check(actor, "services.points", unit)
    errors: dict[str, str] = {}
    name = _text(errors, "name", name, 120)
    address = _text(errors, "address", address, 200)
    opening_hours = _text(errors, "opening_hours", opening_hours, 200)
    if kind not in PointKind.values:
        errors["kind"] = _("未知的站点类型。")
    kinds = list(dict.fromkeys(service_kinds or []))
    if any(k not in ServiceKind.values for k in kinds):
        errors["service_kinds"] = _("未知的服务模块。")
    if errors:
        raise InvalidInput(fields=errors)
    point = ServicePoint.objects.create(
        unit=unit,
        name=name,
        kind=kind,
        address=address,
        opening_hours=opening_hours,
        phone=(phone or "").strip()[:40],
        service_kinds=kinds,
        duty_note=(duty_note or "").strip()[:300],
    )
    record(actor=actor, action="services.point_create", target=point, unit=unit, changes={"name": name, "kind": kind})
    return point


@transaction.atomic
def point_update(
    *,
    actor: Any,
    point: ServicePoint,
    items: list[ServiceItem] | None = None,
    staff: list[User] | None = None,
    opening_hours: str | None = None,
    duty_note: str | None = None,
    service_kinds: list[str] | None = None,
    is_active: bool | None = None,
) -> ServicePoint:
    """Change what a point offers, who is on duty, its hours and modules."""
    point = ServicePoint.objects.select_for_update(of=("self",)).select_related("unit").get(pk=point.pk)
    access.check(actor, "services.points", point)
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if items is not None:
        outside = [i.name for i in items if not point.unit.path.startswith(i.owner_unit.path)]
        if outside:
            errors["item_ids"] = _("这些事项不在本站点所在单位的目录中：%(names)s") % {"names": "、".join(outside)}
    if staff is not None:
        strangers = [str(u) for u in staff if not access.can(u, "services.intake", point)]
        if strangers:
            errors["staff_ids"] = _("这些人员不能在本站点受理：%(names)s") % {"names": "、".join(strangers)}
    if service_kinds is not None and any(k not in ServiceKind.values for k in service_kinds):
        errors["service_kinds"] = _("未知的服务模块。")
    if opening_hours is not None and not opening_hours.strip():
        errors["opening_hours"] = _("此项必填。")
    if errors:
        raise InvalidInput(fields=errors)
    if items is not None:
        point.items.set(items)
        changes["items"] = sorted(i.code for i in items)
    if staff is not None:
        point.staff.set(staff)
        changes["staff"] = sorted(u.pk for u in staff)
    if opening_hours is not None:
        point.opening_hours = opening_hours.strip()[:200]
        changes["opening_hours"] = point.opening_hours
    if duty_note is not None:
        point.duty_note = duty_note.strip()[:300]
        changes["duty_note"] = point.duty_note
    if service_kinds is not None:
        point.service_kinds = list(dict.fromkeys(service_kinds))
        changes["service_kinds"] = point.service_kinds
    if is_active is not None:
        point.is_active = is_active
        changes["is_active"] = is_active
    point.save()
    record(actor=actor, action="services.point_update", target=point, changes=changes)
    return point


# --- catalogue items -----------------------------------------------------------------------------


def _clean_form_fields(specs: list[dict[str, Any]], errors: dict[str, str]) -> list[dict[str, Any]]:
    cleaned = []
    seen = set()
    for spec in specs or []:
        name = str(spec.get("name", ""))
        if not _FIELD_NAME.match(name) or name in seen:
            errors["form_fields"] = _("字段名应为小写字母开头的英文标识，且不能重复。")
            return []
        if spec.get("kind", "text") not in ("text", "date", "number"):
            errors["form_fields"] = _("字段类型只能是text、date或number。")
            return []
        seen.add(name)
        cleaned.append(
            {
                "name": name,
                "label": str(spec.get("label") or name)[:60],
                "kind": spec.get("kind", "text"),
                "required": bool(spec.get("required", False)),
            }
        )
    return cleaned


@transaction.atomic
def item_create(
    *,
    actor: Any,
    owner_unit: Unit,
    code: str,
    name: str,
    category: str,
    finish_level: str,
    time_limit_days: int,
    modes: list[str],
    finish_department: Department | None = None,
    matter_code: str = "",
    eligibility: str = "",
    promised_days: int | None = None,
    fee: Any = "0",
    remote_finish: bool = False,
    form_fields: list[dict[str, Any]] | None = None,
    legal_basis: str = "",
    materials: list[dict[str, Any]] | None = None,
) -> ServiceItem:
    """Publish an item in a unit's catalogue; a unit may not list a matter outside its duties."""
    owner_unit = Unit.objects.select_for_update().get(pk=owner_unit.pk)
    access.check(actor, "services.catalogue", owner_unit)
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if not _CODE.match(code):
        errors["code"] = _("编码应为2至40位字母、数字或-_.。")
    elif ServiceItem.objects.filter(code=code).exists():
        errors["code"] = _("编码已被使用。")
    name = _text(errors, "name", name, 200)
    if category not in ItemCategory.values:
        errors["category"] = _("未知的类别。")
    if finish_level not in FinishLevel.values:
        errors["finish_level"] = _("未知的办结层级。")
    if not isinstance(time_limit_days, int) or not 0 <= time_limit_days <= 365:
        errors["time_limit_days"] = _("法定时限应在0到365个工作日之间。")
    if promised_days is not None and (
        not isinstance(promised_days, int) or promised_days < 0 or promised_days > (time_limit_days or 0)
    ):
        errors["promised_days"] = _("承诺时限不能超过法定时限。")
    modes = list(dict.fromkeys(modes or []))
    if not modes or any(m not in Mode.values for m in modes):
        errors["modes"] = _("请选择至少一种办理方式（online、direct、proxy、accompany）。")
    fee_value = Decimal("0.00")
    try:
        fee_value = to_money(fee, field="fee")
        if fee_value < 0:
            errors["fee"] = _("收费不能为负数。")
    except InvalidInput as exc:
        errors.update({k: v[0] for k, v in exc.fields.items()})
    fields = _clean_form_fields(form_fields or [], errors)
    if finish_department is not None and not access.can(actor, "services.catalogue", finish_department.unit):
        if not owner_unit.path.startswith(finish_department.unit.path):
            errors["finish_department_id"] = _("办结部门不在本单位或其上级。")
    if errors:
        raise InvalidInput(fields=errors)
    # The register decides: a unit publishing an item it finishes itself must hold the matter.
    if matter_code and owner_unit.kind in LEVEL_KINDS.get(finish_level, ()):
        answer = queries.duty_holder(owner_unit, matter_code)
        if not answer.holds:
            message = _("%(unit)s的职责清单中没有事项“%(code)s”，应由%(holder)s办理。") % {
                "unit": owner_unit.name,
                "code": matter_code,
                "holder": answer.holder_name or _("主管部门"),
            }
            raise InvalidInput(message, code="outside_duties", fields={"matter_code": message})
    item = ServiceItem.objects.create(
        owner_unit=owner_unit,
        code=code,
        name=name,
        category=category,
        finish_level=finish_level,
        finish_department=finish_department,
        matter_code=(matter_code or "").strip(),
        eligibility=(eligibility or "").strip(),
        time_limit_days=time_limit_days,
        promised_days=promised_days,
        fee=fee_value,
        modes=modes,
        remote_finish=remote_finish,
        form_fields=fields,
        legal_basis=(legal_basis or "").strip(),
    )
    for index, spec in enumerate(materials or []):
        material_add(item=item, index=index, **spec)
    record(
        actor=actor,
        action="services.item_create",
        target=item,
        unit=owner_unit,
        changes={"code": code, "modes": modes, "time_limit_days": time_limit_days, "fee": fee_value},
    )
    return item


def material_add(
    *,
    item: ServiceItem,
    name: str,
    form: str = MaterialForm.ORIGINAL,
    copies: int = 1,
    deferrable: bool = False,
    note: str = "",
    index: int = 0,
) -> ServiceMaterial:
    """Add one required material (called inside item_create's transaction)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise InvalidInput(fields={f"materials.{index}.name": _("材料名称不能为空且不超过120字。")})
    if form not in MaterialForm.values:
        raise InvalidInput(fields={f"materials.{index}.form": _("材料形式应为原件、复印件或两者。")})
    if not isinstance(copies, int) or not 1 <= copies <= 20:
        raise InvalidInput(fields={f"materials.{index}.copies": _("份数应在1到20之间。")})
    if item.materials.filter(name=name).exists():
        raise InvalidInput(fields={f"materials.{index}.name": _("材料重复。")})
    return ServiceMaterial.objects.create(
        item=item, name=name, form=form, copies=copies, deferrable=bool(deferrable), note=note[:200], order=index
    )


@transaction.atomic
def bundle_template_create(
    *, actor: Any, owner_unit: Unit, code: str, name: str, items: list[ServiceItem], description: str = ""
) -> BundleTemplate:
    access.check(actor, "services.catalogue", owner_unit)
    errors: dict[str, str] = {}
    if not _CODE.match(code or ""):
        errors["code"] = _("编码应为2至40位字母、数字或-_.。")
    elif BundleTemplate.objects.filter(code=code).exists():
        errors["code"] = _("编码已被使用。")
    name = _text(errors, "name", name, 120)
    if len(items) < 2:
        errors["item_ids"] = _("一件事至少包含两个事项。")
    elif any(
        not owner_unit.path.startswith(i.owner_unit.path) and not i.owner_unit.path.startswith(owner_unit.path)
        for i in items
    ):
        errors["item_ids"] = _("事项须在本单位的目录中。")
    if errors:
        raise InvalidInput(fields=errors)
    template = BundleTemplate.objects.create(
        owner_unit=owner_unit, code=code, name=name, description=description.strip()
    )
    template.items.set(items)
    record(
        actor=actor,
        action="services.bundle_template_create",
        target=template,
        unit=owner_unit,
        changes={"items": [i.code for i in items]},
    )
    return template


# --- duties register -----------------------------------------------------------------------------


def _known_category(code: str) -> bool:
    """Whether the appeals taxonomy has this code (any code passes when the appeals app is not installed)."""
    from django.apps import apps

    if not apps.is_installed("gongzhi.appeals"):
        return True
    from gongzhi.appeals import routing

    return routing.category_by_code(code) is not None


def _check_duty(
    errors: dict[str, str],
    *,
    unit: Unit,
    source: str,
    delegated_from: Unit | None,
    department: Department | None,
    category_code: str,
    kind: str,
) -> None:
    """Validate the fields a duty shares between creation and update (adds to errors)."""
    if kind not in DutyKind.values:
        errors["kind"] = _("未知的类别。")
    if source not in DutySource.values:
        errors["source"] = _("未知的来源。")
    elif source != DutySource.LAW and delegated_from is None:
        errors["delegated_from_id"] = _("下放或委托的权力须写明原权力单位。")
    elif source == DutySource.LAW and delegated_from is not None:
        errors["delegated_from_id"] = _("法定职责不需要原权力单位。")
    if delegated_from is not None and delegated_from.pk == unit.pk:
        errors["delegated_from_id"] = _("原权力单位不能是本单位。")
    if category_code and not _known_category(category_code):
        errors["category_code"] = _("诉求分类编码“%(code)s”不存在。") % {"code": category_code[:20]}
    if (
        department is not None
        and not department.jurisdiction.path.startswith(unit.path)
        and not unit.path.startswith(department.jurisdiction.path)
    ):
        errors["department_id"] = _("承办部门的管辖范围与本单位不符。")


@transaction.atomic
def duty_create(
    *,
    actor: Any,
    unit: Unit,
    code: str,
    name: str,
    kind: str,
    legal_basis: str,
    source: str = DutySource.LAW,
    department: Department | None = None,
    category_code: str = "",
    law_area: str = "",
    delegated_from: Unit | None = None,
    delegation_document: str = "",
    effective_from: dt.date | None = None,
) -> Duty:
    """Register a duty or power of a unit; a delegated one (扩权强镇) names the unit it came from."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    access.check(actor, "services.duties_manage", unit)
    errors: dict[str, str] = {}
    if not _CODE.match(code or ""):
        errors["code"] = _("编码应为2至40位字母、数字或-_.。")
    elif Duty.objects.filter(unit=unit, code=code).exists():
        errors["code"] = _("该单位已登记此事项。")
    name = _text(errors, "name", name, 200)
    legal_basis = _text(errors, "legal_basis", legal_basis, 5000)
    category_code = (category_code or "").strip()
    _check_duty(
        errors,
        unit=unit,
        source=source,
        delegated_from=delegated_from,
        department=department,
        category_code=category_code,
        kind=kind,
    )
    if errors:
        raise InvalidInput(fields=errors)
    duty = Duty.objects.create(
        unit=unit,
        department=department,
        code=code,
        category_code=category_code[:10],
        name=name,
        kind=kind,
        source=source,
        legal_basis=legal_basis,
        law_area=(law_area or "").strip()[:40],
        delegated_from=delegated_from,
        delegation_document=(delegation_document or "").strip()[:200],
        **({"effective_from": effective_from} if effective_from else {}),
    )
    record(
        actor=actor,
        action="services.duty_create",
        target=duty,
        unit=unit,
        changes={
            "code": code,
            "kind": kind,
            "source": source,
            "delegated_from": delegated_from.pk if delegated_from else None,
            "category_code": category_code,
        },
    )
    return duty


class _Unset:
    """Marks an argument the caller did not give (None is a value: "no department")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

# What a decided enforcement case relied on: changing these would rewrite the record the case cites.
_CITED_FIELDS = ("kind", "source", "legal_basis", "delegated_from", "effective_from")


def _cited_by_decided_case(duty: Duty) -> bool:
    from gongzhi.services.models import EnforcementCase
    from gongzhi.services.workflow import EnforcementStatus

    return EnforcementCase.objects.filter(
        duty=duty,
        status__in=[EnforcementStatus.DECIDED, EnforcementStatus.EXECUTED, EnforcementStatus.CLOSED],
    ).exists()


def _locked_duty(duty: Duty) -> Duty:
    return (
        Duty.objects.select_for_update(of=("self",))
        .select_related("unit", "department", "delegated_from")
        .get(pk=duty.pk)
    )


def _audit_value(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def duty_update(
    *,
    actor: Any,
    duty: Duty,
    name: Any = UNSET,
    kind: Any = UNSET,
    source: Any = UNSET,
    legal_basis: Any = UNSET,
    category_code: Any = UNSET,
    law_area: Any = UNSET,
    delegated_from: Any = UNSET,
    delegation_document: Any = UNSET,
    department: Any = UNSET,
    effective_from: Any = UNSET,
) -> Duty:
    """Change a register entry (the code stays); a retired entry is history and is not edited."""
    duty = _locked_duty(duty)
    access.check(actor, "services.duties_manage", duty)
    if duty.is_retired():
        raise Conflict(_("该职责已停用，不能修改；如需恢复请重新登记。"), code="duty_retired")
    errors: dict[str, str] = {}
    new: dict[str, Any] = {}
    if name is not UNSET:
        new["name"] = _text(errors, "name", name, 200)
    if legal_basis is not UNSET:
        new["legal_basis"] = _text(errors, "legal_basis", legal_basis, 5000)
    if kind is not UNSET:
        new["kind"] = kind
    if source is not UNSET:
        new["source"] = source
    if category_code is not UNSET:
        new["category_code"] = (category_code or "").strip()
        if len(new["category_code"]) > 10:
            errors["category_code"] = _("诉求分类编码“%(code)s”不存在。") % {"code": new["category_code"][:20]}
    if law_area is not UNSET:
        new["law_area"] = _text(errors, "law_area", law_area, 40, required=False)
    if delegation_document is not UNSET:
        new["delegation_document"] = _text(errors, "delegation_document", delegation_document, 200, required=False)
    if delegated_from is not UNSET:
        new["delegated_from"] = delegated_from
    if department is not UNSET:
        new["department"] = department
    if effective_from is not UNSET:
        if effective_from is None:
            errors["effective_from"] = _("此项必填。")
        elif duty.effective_to is not None and effective_from > duty.effective_to:
            errors["effective_from"] = _("生效日期不能晚于停用日期。")
        new["effective_from"] = effective_from
    merged = {
        "kind": new.get("kind", duty.kind),
        "source": new.get("source", duty.source),
        "delegated_from": new.get("delegated_from", duty.delegated_from),
        "department": new.get("department", duty.department),
        "category_code": new.get("category_code", "") if "category_code" in new else "",
    }
    # A law-based duty drops the delegation fields it no longer needs when the source changes to law.
    if "source" in new and new["source"] == DutySource.LAW and "delegated_from" not in new:
        merged["delegated_from"] = None
        new["delegated_from"] = None
        new.setdefault("delegation_document", "")
    if "category_code" in errors:
        merged["category_code"] = ""
    _check_duty(errors, unit=duty.unit, **merged)
    if errors:
        raise InvalidInput(fields=errors)
    changes = {
        field: [_audit_value(getattr(duty, field)), _audit_value(value)]
        for field, value in new.items()
        if _audit_value(getattr(duty, field)) != _audit_value(value)
    }
    if not changes:
        return duty
    cited = [field for field in _CITED_FIELDS if field in changes]
    if cited and _cited_by_decided_case(duty):
        message = _("已有执法案件依据该事项作出决定，不能修改其类别、来源、法律依据或日期；请停用后重新登记。")
        raise Conflict(message, code="duty_cited", fields=dict.fromkeys(cited, message))
    for field, value in new.items():
        setattr(duty, field, value)
    duty.save()
    record(actor=actor, action="services.duty_update", target=duty, unit=duty.unit, changes=changes)
    transaction.on_commit(dispatch_check.duties_changed)
    return duty


@transaction.atomic
def duty_retire(*, actor: Any, duty: Duty, reason: str, effective_to: dt.date | None = None) -> Duty:
    """Retire a duty from a date (today unless given): from then on it no longer counts; its record stays."""
    duty = _locked_duty(duty)
    access.check(actor, "services.duties_manage", duty)
    today = timezone.localdate()
    if duty.effective_to is not None:
        if duty.effective_to <= today:
            raise Conflict(_("该职责已停用。"), code="duty_retired")
        raise Conflict(_("该职责已定于%(day)s停用。") % {"day": duty.effective_to.isoformat()}, code="duty_retired")
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, 300)
    day = effective_to or today
    if day < today:
        errors["effective_to"] = _("停用日期不能早于今天（已生效的记录不能倒签）。")
    elif day < duty.effective_from:
        errors["effective_to"] = _("停用日期不能早于生效日期。")
    if errors:
        raise InvalidInput(fields=errors)
    duty.effective_to = day
    duty.retired_reason = reason
    duty.save(update_fields=["effective_to", "retired_reason"])
    record(
        actor=actor,
        action="services.duty_retire",
        target=duty,
        unit=duty.unit,
        changes={"effective_to": [None, day], "reason": reason},
    )
    transaction.on_commit(dispatch_check.duties_changed)
    return duty
