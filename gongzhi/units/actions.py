"""Every write to units, departments and organizations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.lib.errors import Conflict, InvalidInput
from gongzhi.units import queries
from gongzhi.units.models import (
    ALLOWED_PARENTS,
    ORG_ALLOWED_PARENTS,
    TWELVE_DIGIT_KINDS,
    Department,
    DepartmentKind,
    Organization,
    OrganizationKind,
    Unit,
    UnitChange,
    UnitKind,
)

# Significant prefix of a 12-digit division code by kind: the rest of the code is zeros.
_PREFIX_LEN = {
    UnitKind.CITY: 4,
    UnitKind.DISTRICT: 6,
    UnitKind.STREET: 9,
    UnitKind.TOWNSHIP: 9,
    UnitKind.COMMUNITY: 12,
    UnitKind.VILLAGE: 12,
}
_DIGITS = re.compile(r"^\d+$")

# Models holding a copy of a unit path (for fast prefix scoping); kept in step when a unit moves.
_DENORMALIZED_PATHS: list[tuple[type[models.Model], str]] = []


def register_denormalized_path(model: type[models.Model], field: str) -> None:
    """Declare that model.field copies a unit path, so unit moves rewrite it."""
    if (model, field) not in _DENORMALIZED_PATHS:
        _DENORMALIZED_PATHS.append((model, field))


def _clean_name(name: str, field: str = "name") -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput(fields={field: _("名称不能为空。")})
    if len(cleaned) > 100:
        raise InvalidInput(fields={field: _("名称不能超过100个字。")})
    return cleaned


def _text(value: str | None, field: str, limit: int) -> str:
    """Return the trimmed text, or raise InvalidInput naming the field when it is longer than the column."""
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        raise InvalidInput(fields={field: _("内容过长（最多%(n)s字）。") % {"n": limit}})
    return cleaned


# Text columns of departments and organizations that updates may change, with their lengths.
_DEPARTMENT_TEXT = {"short_name": 40, "phone": 40}
_ORGANIZATION_TEXT = {"contact_name": 40, "contact_phone": 40, "description": 5000}


def validate_placement(*, kind: str, parent: Unit | None) -> None:
    """Raise unless a unit of this kind may sit directly under parent (None for a root)."""
    if kind not in UnitKind.values:
        raise InvalidInput(fields={"kind": _("未知的单位类型。")})
    allowed = ALLOWED_PARENTS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        if parent is None:
            message = _("“%(kind)s”不能作为顶级单位。") % {"kind": UnitKind(kind).label}
        else:
            message = _("“%(kind)s”不能设在“%(parent)s”之下。") % {
                "kind": UnitKind(kind).label,
                "parent": UnitKind(parent.kind).label,
            }
        raise InvalidInput(message, fields={"parent": message})


def validate_code(*, kind: str, code: str, parent: Unit | None, exclude_pk: int | None = None) -> str:
    """Return the code if it fits the kind and the parent's code, else raise InvalidInput naming `code`."""
    code = (code or "").strip()
    if not _DIGITS.match(code):
        raise InvalidInput(fields={"code": _("区划代码只能由数字组成。")})
    if kind in TWELVE_DIGIT_KINDS:
        if len(code) != 12:
            raise InvalidInput(fields={"code": _("该级单位的统计用区划代码应为12位数字。")})
        prefix = _PREFIX_LEN[kind]
        if set(code[prefix:]) - {"0"}:
            raise InvalidInput(fields={"code": _("该级单位的区划代码第%(n)s位之后应为0。") % {"n": prefix}})
        if parent is not None and parent.kind in _PREFIX_LEN:
            parent_prefix = _PREFIX_LEN[parent.kind]
            if code[:parent_prefix] != parent.code[:parent_prefix]:
                raise InvalidInput(
                    fields={"code": _("区划代码应以上级单位的代码前%(n)s位开头。") % {"n": parent_prefix}}
                )
    else:
        if parent is None:
            raise InvalidInput(fields={"parent": _("网格和楼栋必须设在上级单位之下。")})
        extra = len(code) - len(parent.code)
        if not code.startswith(parent.code) or not 1 <= extra <= 6:
            raise InvalidInput(fields={"code": _("网格/楼栋代码应为上级代码后追加1至6位数字。")})
    clash = Unit.objects.filter(code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise InvalidInput(fields={"code": _("区划代码“%(code)s”已被使用。") % {"code": code}})
    return code


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    parent: Unit | None,
    name: str,
    kind: str,
    code: str,
    valid_from: dt.date | None = None,
    address: str = "",
    phone: str = "",
) -> Unit:
    """Create a unit under parent (or a root, for system administrators)."""
    if parent is None:
        if not access.is_global(actor, "units.manage"):
            access.check_any(actor, "units.manage")
            raise InvalidInput(fields={"parent": _("只有系统管理员可以创建顶级单位，请选择上级单位。")})
    else:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        access.check(actor, "units.manage", parent)
    name = _clean_name(name)
    validate_placement(kind=kind, parent=parent)
    code = validate_code(kind=kind, code=code, parent=parent)
    fields = {
        "name": name,
        "kind": kind,
        "code": code,
        "valid_from": valid_from or timezone.localdate(),
        "address": _text(address, "address", 200),
        "phone": _text(phone, "phone", 40),
    }
    try:
        with transaction.atomic():
            unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
    except IntegrityError:
        raise InvalidInput(fields={"code": _("区划代码“%(code)s”已被使用。") % {"code": code}}) from None
    UnitChange.objects.create(
        unit=unit,
        kind=UnitChange.Kind.CREATED,
        actor=_user(actor),
        new_name=name,
        new_parent=parent,
        new_path=unit.path,
    )
    record(actor=actor, action="units.unit_create", target=unit, changes={"name": name, "kind": kind, "code": code})
    return unit


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _locked(unit: Unit) -> Unit:
    try:
        return Unit.objects.select_for_update().get(pk=unit.pk)
    except Unit.DoesNotExist:
        raise Conflict() from None


@transaction.atomic
def unit_update(
    *, actor: Any, unit: Unit, name: str | None = None, address: str | None = None, phone: str | None = None
) -> Unit:
    """Rename a unit or change its contact details; a rename is kept in the unit's history."""
    unit = _locked(unit)
    access.check(actor, "units.manage", unit)
    changes: dict[str, Any] = {}
    if name is not None:
        new_name = _clean_name(name)
        if new_name != unit.name:
            UnitChange.objects.create(
                unit=unit, kind=UnitChange.Kind.RENAMED, actor=_user(actor), old_name=unit.name, new_name=new_name
            )
            changes["name"] = [unit.name, new_name]
            unit.name = new_name
    for field, value, limit in (("address", address, 200), ("phone", phone, 40)):
        if value is not None and _text(value, field, limit) != getattr(unit, field):
            changes[field] = [getattr(unit, field), value.strip()]
            setattr(unit, field, value.strip())
    if changes:
        unit.save()
        record(actor=actor, action="units.unit_update", target=unit, changes=changes)
    return unit


def _rewrite_paths(old: str, new: str) -> None:
    from gongzhi.people.models import RoleGrant

    targets = [(RoleGrant, "anchor_path"), *_DENORMALIZED_PATHS]
    for model, field in targets:
        model._default_manager.filter(**{f"{field}__startswith": old}).update(
            **{field: Concat(Value(new), Substr(field, Length(Value(old)) + 1), output_field=models.CharField())}
        )


@transaction.atomic
def unit_move(*, actor: Any, unit: Unit, new_parent: Unit, reason: str = "") -> Unit:
    """Move a unit (with everything under it) under a new parent; history keeps the old place."""
    unit = _locked(unit)
    new_parent = _locked(new_parent)
    access.check(actor, "units.manage", unit)
    access.check(actor, "units.manage", new_parent)
    if new_parent.path.startswith(unit.path):
        raise InvalidInput(fields={"new_parent": _("不能把单位移到它自己或它的下级之下。")})
    old_parent = Unit.objects.get_parent(unit)
    if old_parent and old_parent.pk == new_parent.pk:
        raise InvalidInput(fields={"new_parent": _("该单位已在此上级之下。")})
    validate_placement(kind=unit.kind, parent=new_parent)
    # The statistical code stays as it is: after a restructuring the new code follows later by decree.
    old_path = unit.path
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit.refresh_from_db()
    _rewrite_paths(old_path, unit.path)
    queries.units_changed()  # the tree's move rewrites paths with UPDATEs, which send no signals
    UnitChange.objects.create(
        unit=unit,
        kind=UnitChange.Kind.MOVED,
        actor=_user(actor),
        old_parent=old_parent,
        new_parent=new_parent,
        old_path=old_path,
        new_path=unit.path,
        reason=reason.strip()[:500],
    )
    record(
        actor=actor,
        action="units.unit_move",
        target=unit,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk], "path": [old_path, unit.path]},
    )
    return unit


@transaction.atomic
def unit_close(*, actor: Any, unit: Unit, on: dt.date | None = None, reason: str = "") -> Unit:
    """Close (撤销) a unit from a date; its children must be closed or moved first."""
    unit = _locked(unit)
    access.check(actor, "units.manage", unit)
    day = on or timezone.localdate()
    if unit.valid_to is not None:
        raise InvalidInput(fields={"unit": _("该单位已撤销。")})
    if day < unit.valid_from:
        raise InvalidInput(fields={"on": _("撤销日期不能早于生效日期。")})
    open_children = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1, valid_to__isnull=True)
    if open_children.exists():
        raise InvalidInput(
            _("请先撤销或迁移其下级单位（还有%(n)s个）。") % {"n": open_children.count()},
            fields={"unit": _("仍有下级单位。")},
        )
    unit.valid_to = day
    unit.save(update_fields=["valid_to", "updated_at"])
    UnitChange.objects.create(unit=unit, kind=UnitChange.Kind.CLOSED, actor=_user(actor), reason=reason.strip()[:500])
    record(actor=actor, action="units.unit_close", target=unit, changes={"valid_to": day, "reason": reason})
    return unit


@transaction.atomic
def unit_reopen(*, actor: Any, unit: Unit) -> Unit:
    """Undo a closing (for a unit closed by mistake)."""
    unit = _locked(unit)
    access.check(actor, "units.manage", unit)
    if unit.valid_to is None:
        raise InvalidInput(fields={"unit": _("该单位未撤销。")})
    parent = Unit.objects.get_parent(unit)
    if parent is not None and parent.valid_to is not None:
        raise InvalidInput(fields={"unit": _("上级单位已撤销，不能恢复。")})
    old = unit.valid_to
    unit.valid_to = None
    unit.save(update_fields=["valid_to", "updated_at"])
    UnitChange.objects.create(unit=unit, kind=UnitChange.Kind.REOPENED, actor=_user(actor))
    record(actor=actor, action="units.unit_reopen", target=unit, changes={"valid_to": [old, None]})
    return unit


def _validate_department(
    *, name: str, kind: str, code: str, unit: Unit, jurisdiction: Unit, exclude: int | None
) -> None:
    if kind not in DepartmentKind.values:
        raise InvalidInput(fields={"kind": _("未知的部门类型。")})
    if not code.strip():
        raise InvalidInput(fields={"code": _("编码不能为空。")})
    if not jurisdiction.path.startswith(unit.path):
        # A department never reaches above its own unit: a street section cannot handle the whole district.
        raise InvalidInput(fields={"jurisdiction": _("管辖范围应为所属单位或其下级。")})
    clash = Department.objects.filter(code=code.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise InvalidInput(fields={"code": _("部门编码“%(code)s”已被使用。") % {"code": code}})


@transaction.atomic
def department_create(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    kind: str,
    code: str,
    jurisdiction: Unit | None = None,
    short_name: str = "",
    phone: str = "",
) -> Department:
    """Create a department belonging to a unit, handling matters in its jurisdiction (default: the unit)."""
    access.check(actor, "departments.manage", unit)
    jurisdiction = jurisdiction or unit
    for field, node in (("unit", unit), ("jurisdiction", jurisdiction)):
        if node.valid_to is not None:
            raise InvalidInput(fields={field: _("该单位已撤销。")})
    name = _clean_name(name)
    _validate_department(name=name, kind=kind, code=code, unit=unit, jurisdiction=jurisdiction, exclude=None)
    department = Department.objects.create(
        unit=unit,
        jurisdiction=jurisdiction,
        name=name,
        kind=kind,
        code=code.strip(),
        short_name=_text(short_name, "short_name", 40),
        phone=_text(phone, "phone", 40),
    )
    record(
        actor=actor,
        action="units.department_create",
        target=department,
        unit=unit,
        changes={"name": name, "kind": kind, "code": code, "jurisdiction": jurisdiction.pk},
    )
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, **fields: Any) -> Department:
    """Change a department's name, contact, jurisdiction or whether it is active."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    access.check(actor, "departments.manage", department.unit)
    allowed = {"name", "short_name", "phone", "is_active", "jurisdiction", "kind"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(fields={name: _("不能修改此字段。") for name in unknown})
    changes: dict[str, Any] = {}
    if "name" in fields and fields["name"] is not None:
        fields["name"] = _clean_name(fields["name"])
    for field, limit in _DEPARTMENT_TEXT.items():
        if fields.get(field) is not None:
            fields[field] = _text(fields[field], field, limit)
    if fields.get("jurisdiction") is not None:
        access.check(actor, "departments.manage", fields["jurisdiction"])
        if fields["jurisdiction"].valid_to is not None and fields["jurisdiction"].pk != department.jurisdiction_id:
            raise InvalidInput(fields={"jurisdiction": _("该单位已撤销。")})
    for field, value in fields.items():
        if value is None:
            continue
        current = getattr(department, field)
        if current != value:
            changes[field] = [getattr(current, "pk", current), getattr(value, "pk", value)]
            setattr(department, field, value)
    if changes:
        _validate_department(
            name=department.name,
            kind=department.kind,
            code=department.code,
            unit=department.unit,
            jurisdiction=department.jurisdiction,
            exclude=department.pk,
        )
        department.save()
        record(actor=actor, action="units.department_update", target=department, unit=department.unit, changes=changes)
    return department


def _credit_code(value: str) -> str:
    code = (value or "").strip().upper()
    if code and not re.match(r"^[0-9A-HJ-NPQRTUWXY]{18}$", code):
        raise InvalidInput(fields={"credit_code": _("统一社会信用代码应为18位数字或大写字母。")})
    return code


def _validate_org_parent(kind: str, parent: Organization | None) -> None:
    if kind not in OrganizationKind.values:
        raise InvalidInput(fields={"kind": _("未知的组织类型。")})
    parent_kind = parent.kind if parent else None
    if parent_kind not in ORG_ALLOWED_PARENTS[kind]:
        message = _("该类组织不能设在所选上级组织之下。")
        raise InvalidInput(message, fields={"parent": message})


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    kind: str,
    parent: Organization | None = None,
    credit_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    description: str = "",
) -> Organization:
    """Create an organization linked to a unit; party organizations form their own tree."""
    access.check(actor, "organizations.manage", unit)
    if parent is not None:
        access.check(actor, "organizations.view", parent)
    if unit.valid_to is not None:
        raise InvalidInput(fields={"unit": _("该单位已撤销。")})
    name = _clean_name(name)
    _validate_org_parent(kind, parent)
    credit_code = _credit_code(credit_code)
    fields = {
        "name": name,
        "kind": kind,
        "unit": unit,
        "credit_code": credit_code,
        "contact_name": _text(contact_name, "contact_name", 40),
        "contact_phone": _text(contact_phone, "contact_phone", 40),
        "description": _text(description, "description", 5000),
    }
    organization = Organization.objects.add_child(parent, fields) if parent else Organization.objects.add_root(fields)
    record(
        actor=actor,
        action="units.organization_create",
        target=organization,
        unit=unit,
        changes={"name": name, "kind": kind, "parent": parent.pk if parent else None},
    )
    return organization


@transaction.atomic
def organization_update(*, actor: Any, organization: Organization, **fields: Any) -> Organization:
    """Change an organization's details."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    access.check(actor, "organizations.manage", organization)
    allowed = {"name", "contact_name", "contact_phone", "description", "is_active", "credit_code"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(fields={name: _("不能修改此字段。") for name in unknown})
    changes: dict[str, Any] = {}
    for field, value in fields.items():
        if value is None:
            continue
        if field == "name":
            value = _clean_name(value)
        elif field == "credit_code":
            value = _credit_code(value)
        elif field in _ORGANIZATION_TEXT:
            value = _text(value, field, _ORGANIZATION_TEXT[field])
        if getattr(organization, field) != value:
            changes[field] = [getattr(organization, field), value]
            setattr(organization, field, value)
    if changes:
        organization.save()
        record(
            actor=actor,
            action="units.organization_update",
            target=organization,
            unit=organization.unit,
            changes=changes,
        )
    return organization
