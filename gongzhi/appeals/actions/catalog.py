"""The taxonomy (categories and their extra fields) and the routing rules."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals import routing
from gongzhi.appeals.actions import _common as c
from gongzhi.appeals.models import (
    DEADLINE_DEFAULTS,
    LIST_TYPES,
    AttributeType,
    Category,
    CategoryAttribute,
    DeadlineClass,
    DeadlineUnit,
    RoutingRule,
)
from gongzhi.audit.chain import record
from gongzhi.lib.errors import InvalidInput
from gongzhi.units.models import Department, Unit

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
_ATTR_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_AMOUNT = {"hours": 24 * 30, "workdays": 90}


def _changed() -> None:
    # Drop this process's snapshot now (so this request sees the change) and tell the others after commit.
    routing.rules_changed()
    transaction.on_commit(routing.rules_changed)


def _clean_deadlines(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Validate deadline class and amounts; fill amounts missing from the class defaults."""
    out: dict[str, Any] = {}
    klass = data.get("deadline_class")
    if klass is not None:
        if klass not in DeadlineClass.values:
            errors["deadline_class"] = _("未知的时限类别。")
            return out
        out["deadline_class"] = klass
        (r_amount, r_unit), (s_amount, s_unit) = DEADLINE_DEFAULTS[klass]
        data.setdefault("response_amount", r_amount)
        data.setdefault("response_unit", r_unit)
        data.setdefault("resolution_amount", s_amount)
        data.setdefault("resolution_unit", s_unit)
    for prefix in ("response", "resolution"):
        amount, unit = data.get(f"{prefix}_amount"), data.get(f"{prefix}_unit")
        if amount is None and unit is None:
            continue
        if unit not in DeadlineUnit.values:
            errors[f"{prefix}_unit"] = _("时限单位应为小时或工作日。")
            continue
        try:
            amount = int(amount)
        except (TypeError, ValueError):
            errors[f"{prefix}_amount"] = _("时限应为正整数。")
            continue
        if not 1 <= amount <= MAX_AMOUNT[unit]:
            errors[f"{prefix}_amount"] = _("时限应在1至%(n)s之间。") % {"n": MAX_AMOUNT[unit]}
            continue
        out[f"{prefix}_amount"] = amount
        out[f"{prefix}_unit"] = unit
    return out


def _hours(amount: int, unit: str) -> float:
    return amount if unit == DeadlineUnit.HOURS else amount * 24


def _clean_common(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name:
            errors["name"] = _("名称不能为空。")
        elif len(name) > 60:
            errors["name"] = _("名称不能超过60个字。")
        out["name"] = name
    for field, limit in (("name_en", 120), ("keywords", 300), ("description", 2000)):
        if field in data and data[field] is not None:
            value = str(data[field]).strip()
            if len(value) > limit:
                errors[field] = _("内容过长（最多%(n)s字）。") % {"n": limit}
            out[field] = value
    if "is_emergency" in data and data["is_emergency"] is not None:
        out["is_emergency"] = bool(data["is_emergency"])
    return out


@transaction.atomic
def category_create(
    *,
    actor: Any,
    parent: Category | None,
    code: str,
    name: str,
    deadline_class: str = DeadlineClass.GENERAL,
    name_en: str = "",
    keywords: str = "",
    description: str = "",
    is_emergency: bool = False,
    response_amount: int | None = None,
    response_unit: str | None = None,
    resolution_amount: int | None = None,
    resolution_unit: str | None = None,
) -> Category:
    """Add a category (a top-level group or a leaf under one); codes are permanent."""
    access.check_any(actor, "appeals.categories")
    errors: dict[str, str] = {}
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        errors["code"] = _("编码应为2至20位大写字母和数字，以字母开头。")
    elif Category.objects.filter(code=code).exists():
        errors["code"] = _("编码“%(code)s”已存在（编码不能重复使用）。") % {"code": code}
    data: dict[str, Any] = {
        "name": name,
        "name_en": name_en,
        "keywords": keywords,
        "description": description,
        "is_emergency": is_emergency,
        "deadline_class": deadline_class,
    }
    for field, value in (
        ("response_amount", response_amount),
        ("response_unit", response_unit),
        ("resolution_amount", resolution_amount),
        ("resolution_unit", resolution_unit),
    ):
        if value is not None:
            data[field] = value
    fields = _clean_common(data, errors)
    fields.update(_clean_deadlines(data, errors))
    if parent is not None and not parent.is_active:
        errors["parent"] = _("上级分类已停用。")
    if fields.get("response_amount") and fields.get("resolution_amount"):
        if _hours(fields["response_amount"], fields["response_unit"]) > _hours(
            fields["resolution_amount"], fields["resolution_unit"]
        ):
            errors["response_amount"] = _("响应时限不能长于办结时限。")
    if errors:
        raise InvalidInput(fields=errors)
    fields["code"] = code
    category = Category.objects.add_child(parent, fields) if parent is not None else Category.objects.add_root(fields)
    record(actor=actor, action="appeals.category_create", target=category, changes={"code": code, **fields})
    _changed()
    return category


@transaction.atomic
def category_update(*, actor: Any, category: Category, **data: Any) -> Category:
    """Rename a category or change its deadlines, keywords and emergency flag (the code never changes)."""
    access.check_any(actor, "appeals.categories")
    allowed = {
        "name",
        "name_en",
        "keywords",
        "description",
        "is_emergency",
        "deadline_class",
        "response_amount",
        "response_unit",
        "resolution_amount",
        "resolution_unit",
    }
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(fields={k: _("不能修改此字段（编码永久不变）。") for k in unknown})
    data = {k: v for k, v in data.items() if v is not None}
    category = Category.objects.select_for_update().get(pk=category.pk)
    errors: dict[str, str] = {}
    fields = _clean_common(data, errors)
    # A new deadline class without explicit amounts takes the class defaults.
    fields.update(_clean_deadlines(data, errors))
    merged = {
        f: fields.get(f, getattr(category, f))
        for f in ("response_amount", "response_unit", "resolution_amount", "resolution_unit")
    }
    if all(merged.values()) and _hours(merged["response_amount"], merged["response_unit"]) > _hours(
        merged["resolution_amount"], merged["resolution_unit"]
    ):
        errors["response_amount"] = _("响应时限不能长于办结时限。")
    if errors:
        raise InvalidInput(fields=errors)
    changes = {}
    for field, value in fields.items():
        if getattr(category, field) != value:
            changes[field] = [getattr(category, field), value]
            setattr(category, field, value)
    if changes:
        category.save()
        record(actor=actor, action="appeals.category_update", target=category, changes=changes)
        _changed()
    return category


@transaction.atomic
def category_retire(*, actor: Any, category: Category, retire: bool = True) -> Category:
    """Retire a category (and everything under it) so new appeals cannot use it; or bring it back."""
    access.check_any(actor, "appeals.categories")
    category = Category.objects.select_for_update().get(pk=category.pk)
    if not retire:
        parent = Category.objects.get_parent(category)
        if parent is not None and not parent.is_active:
            raise InvalidInput(fields={"category": _("上级分类已停用，请先恢复上级分类。")})
    subtree = Category.objects.filter(path__startswith=category.path)
    stamp = timezone.now() if retire else None
    count = subtree.update(is_active=not retire, retired_at=stamp)
    category.refresh_from_db()
    record(
        actor=actor,
        action="appeals.category_retire" if retire else "appeals.category_restore",
        target=category,
        changes={"categories": count},
    )
    _changed()
    return category


def _clean_attribute(category: Category, data: dict[str, Any], errors: dict[str, str], exclude: int | None) -> dict:
    out: dict[str, Any] = {}
    if "code" in data:
        code = str(data["code"] or "").strip()
        if not _ATTR_CODE.match(code):
            errors["code"] = _("编码应为小写字母、数字和下划线，以字母开头。")
        elif CategoryAttribute.objects.filter(category=category, code=code).exclude(pk=exclude).exists():
            errors["code"] = _("该分类已有此编码的字段。")
        out["code"] = code
    if "datatype" in data:
        if data["datatype"] not in AttributeType.values:
            errors["datatype"] = _("未知的字段类型。")
        out["datatype"] = data["datatype"]
    if "description" in data:
        text = str(data["description"] or "").strip()
        if not text:
            errors["description"] = _("请填写提问文字。")
        elif len(text) > 300:
            errors["description"] = _("提问文字不能超过300字。")
        out["description"] = text
    if data.get("datatype_description") is not None:
        out["datatype_description"] = str(data["datatype_description"]).strip()[:300]
    for flag in ("required", "variable", "is_active"):
        if data.get(flag) is not None:
            out[flag] = bool(data[flag])
    if data.get("order") is not None:
        try:
            order = int(data["order"])
        except (TypeError, ValueError):
            order = 0
        if order < 1:
            errors["order"] = _("顺序应为正整数。")
        elif CategoryAttribute.objects.filter(category=category, order=order).exclude(pk=exclude).exists():
            errors["order"] = _("该分类已有此顺序号的字段。")
        out["order"] = order
    if "values" in data and data["values"] is not None:
        values = []
        keys = set()
        for item in data["values"]:
            key = str((item or {}).get("key", "")).strip()
            name = str((item or {}).get("name", "")).strip()
            if not key or not name or key in keys:
                errors["values"] = _("每个选项都需要唯一的键和名称。")
                break
            keys.add(key)
            values.append({"key": key, "name": name})
        out["values"] = values
    return out


@transaction.atomic
def attribute_create(*, actor: Any, category: Category, **data: Any) -> CategoryAttribute:
    """Add an extra field to a leaf category (it appears on the form and in the Open311 definition)."""
    access.check_any(actor, "appeals.categories")
    errors: dict[str, str] = {}
    for field in ("code", "datatype", "description"):
        data.setdefault(field, "")
    if data.get("order") is None:
        last = CategoryAttribute.objects.filter(category=category).order_by("-order").first()
        data["order"] = (last.order if last else 0) + 1
    fields = _clean_attribute(category, data, errors, None)
    if fields.get("datatype") in LIST_TYPES and not fields.get("values"):
        errors.setdefault("values", _("单选和多选字段需要选项。"))
    if errors:
        raise InvalidInput(fields=errors)
    attribute = CategoryAttribute.objects.create(category=category, **fields)
    _changed()
    record(actor=actor, action="appeals.attribute_create", target=attribute, changes=fields)
    return attribute


@transaction.atomic
def attribute_update(*, actor: Any, attribute: CategoryAttribute, **data: Any) -> CategoryAttribute:
    access.check_any(actor, "appeals.categories")
    attribute = CategoryAttribute.objects.select_for_update().get(pk=attribute.pk)
    errors: dict[str, str] = {}
    fields = _clean_attribute(attribute.category, data, errors, attribute.pk)
    datatype = fields.get("datatype", attribute.datatype)
    values = fields.get("values", attribute.values)
    if datatype in LIST_TYPES and not values:
        errors.setdefault("values", _("单选和多选字段需要选项。"))
    if errors:
        raise InvalidInput(fields=errors)
    for field, value in fields.items():
        setattr(attribute, field, value)
    attribute.save()
    _changed()
    record(actor=actor, action="appeals.attribute_update", target=attribute, changes=fields)
    return attribute


def _clean_rule(
    *, actor: Any, category: Category, unit: Unit, department: Department, priority: Any, errors: dict[str, str]
) -> int:
    access.check(actor, "appeals.rules.manage", unit)
    if not department.is_active:
        errors["department"] = _("该部门已停用。")
    elif not unit.path.startswith(department.jurisdiction.path):
        errors["department"] = _("“%(department)s”的管辖范围不包括“%(unit)s”。") % {
            "department": department.name,
            "unit": unit.name,
        }
    if not category.is_active:
        errors["category"] = _("该分类已停用。")
    try:
        value = int(priority)
    except (TypeError, ValueError):
        value = None
    if value is None or not -1000 <= value <= 1000:
        errors["priority"] = _("优先级应为-1000至1000之间的整数。")
        value = 0
    return value


@transaction.atomic
def rule_create(
    *,
    actor: Any,
    category: Category,
    unit: Unit,
    department: Department,
    priority: int = 0,
    note: str = "",
) -> RoutingRule:
    """Add a routing rule: appeals of this category subtree in this unit subtree go to the department."""
    errors: dict[str, str] = {}
    value = _clean_rule(
        actor=actor, category=category, unit=unit, department=department, priority=priority, errors=errors
    )
    if RoutingRule.objects.filter(category=category, unit=unit, department=department, is_active=True).exists():
        errors["department"] = _("已有相同的派单规则。")
    note = c.clean_text(note, field="note", limit=200)
    if errors:
        raise InvalidInput(fields=errors)
    rule = RoutingRule.objects.create(
        category=category, unit=unit, department=department, priority=value, note=note, created_by=actor
    )
    record(
        actor=actor,
        action="appeals.rule_create",
        target=rule,
        unit=unit,
        changes={"category": category.code, "unit": unit.pk, "department": department.pk, "priority": value},
    )
    _changed()
    return rule


@transaction.atomic
def rule_update(
    *,
    actor: Any,
    rule: RoutingRule,
    department: Department | None = None,
    priority: int | None = None,
    is_active: bool | None = None,
    note: str | None = None,
) -> RoutingRule:
    rule = (
        RoutingRule.objects.select_for_update(of=("self",))
        .select_related("category", "unit", "department")
        .get(pk=rule.pk)
    )
    errors: dict[str, str] = {}
    new_department = department or rule.department
    value = _clean_rule(
        actor=actor,
        category=rule.category,
        unit=rule.unit,
        department=new_department,
        priority=rule.priority if priority is None else priority,
        errors=errors,
    )
    if errors:
        raise InvalidInput(fields=errors)
    changes: dict[str, Any] = {}
    for field, new in (
        ("department", new_department),
        ("priority", value),
        ("is_active", rule.is_active if is_active is None else bool(is_active)),
        ("note", rule.note if note is None else c.clean_text(note, field="note", limit=200)),
    ):
        old = getattr(rule, field)
        if old != new:
            changes[field] = [getattr(old, "pk", old), getattr(new, "pk", new)]
            setattr(rule, field, new)
    if changes:
        rule.save()
        record(actor=actor, action="appeals.rule_update", target=rule, unit=rule.unit, changes=changes)
        _changed()
    return rule


@transaction.atomic
def rule_delete(*, actor: Any, rule: RoutingRule) -> None:
    rule = RoutingRule.objects.select_for_update(of=("self",)).select_related("unit").get(pk=rule.pk)
    access.check(actor, "appeals.rules.manage", rule.unit)
    target = ("appeals.routingrule", rule.pk, str(rule))
    changes = {"category": rule.category_id, "department": rule.department_id}
    unit = rule.unit
    rule.delete()
    record(actor=actor, action="appeals.rule_delete", target=target, unit=unit, changes=changes)
    _changed()
