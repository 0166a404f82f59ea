"""Every write to users, the register, grants and tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.lib import crypto
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongzhi.lib.validators import (
    birth_date_from_identity,
    gender_from_identity,
    identity_number_error,
    mobile_error,
    normalize_identity_number,
    normalize_mobile,
)
from gongzhi.people import authcache
from gongzhi.people.models import (
    ApiToken,
    Gender,
    Household,
    Relation,
    Resident,
    ResidentTag,
    ResidentTagKind,
    RoleGrant,
    User,
)
from gongzhi.people.roles import GRANTABLE, Role
from gongzhi.units.models import Department, Organization, Unit

IDENTITY = "identity"
MOBILE = "mobile"


def identity_lookup(value: str) -> str:
    return crypto.blind_index(normalize_identity_number(value), purpose=IDENTITY)


def mobile_lookup(value: str) -> str:
    return crypto.blind_index(normalize_mobile(value), purpose=MOBILE)


def _clean_identity(value: str, errors: dict[str, str]) -> str | None:
    number = normalize_identity_number(value or "")
    if not number:
        return None
    problem = identity_number_error(number)
    if problem:
        errors["identity_number"] = problem
        return None
    return number


def _clean_mobile(value: str, errors: dict[str, str], field: str = "mobile") -> str | None:
    number = normalize_mobile(value or "")
    if not number:
        return None
    problem = mobile_error(number)
    if problem:
        errors[field] = problem
        return None
    return number


def _unit_for_register(actor: Any, unit: Unit) -> Unit:
    access.check(actor, "residents.manage", unit)
    if unit.valid_to is not None:
        raise InvalidInput(fields={"unit": _("该单位已撤销。")})
    return unit


RESIDENT_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "identity_number",
    "mobile",
    "address",
    "unit",
    "household",
    "relation",
    "tags",
    "notes",
)


def _apply_resident_fields(resident: Resident, data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Validate and set resident fields from data; return the audit changes (numbers masked)."""
    changes: dict[str, Any] = {}
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name:
            errors["name"] = _("姓名不能为空。")
        elif len(name) > 60:
            errors["name"] = _("姓名不能超过60个字。")
        elif name != resident.name:
            changes["name"] = [resident.name, name]
            resident.name = name
    identity = None
    if "identity_number" in data:
        raw = data["identity_number"] or ""
        identity = _clean_identity(raw, errors)
        if identity:
            index = identity_lookup(identity)
            if index != resident.identity_index:
                clash = Resident.objects.filter(identity_index=index).exclude(pk=resident.pk)
                if clash.exists():
                    errors["identity_number"] = _("该身份证号码已登记在其他居民名下。")
                else:
                    resident.identity_encrypted = crypto.encrypt(identity)
                    resident.identity_index = index
                    changes["identity_number"] = crypto.mask_identity_number(identity)
        elif not raw.strip() and resident.identity_index:
            resident.identity_encrypted = ""
            resident.identity_index = ""
            changes["identity_number"] = ""
    if data.get("gender"):
        if data["gender"] not in Gender.values:
            errors["gender"] = _("性别应为男或女。")
        elif data["gender"] != resident.gender:
            changes["gender"] = [resident.gender, data["gender"]]
            resident.gender = data["gender"]
    if data.get("birth_date"):
        born = data["birth_date"]
        if isinstance(born, str):
            try:
                born = dt.date.fromisoformat(born)
            except ValueError:
                errors["birth_date"] = _("出生日期格式应为YYYY-MM-DD。")
                born = None
        if born is not None:
            if born > timezone.localdate() or born.year < 1880:
                errors["birth_date"] = _("出生日期无效。")
            elif born != resident.birth_date:
                changes["birth_date"] = [resident.birth_date, born]
                resident.birth_date = born
    authority = identity
    if authority is None and "identity_number" not in data and resident.identity_encrypted:
        # Not changing the number: the one on record still decides birth date and gender.
        authority = resident.identity_number
    if authority and "identity_number" not in errors:
        # The identity number is authoritative for birth date and gender.
        born = birth_date_from_identity(authority)
        gender = gender_from_identity(authority)
        if data.get("birth_date") and str(data["birth_date"]) != born.isoformat() and "birth_date" not in errors:
            errors["birth_date"] = _("出生日期与身份证号码不一致。")
        if data.get("gender") and data["gender"] != gender and "gender" not in errors:
            errors["gender"] = _("性别与身份证号码不一致。")
        resident.birth_date = born
        resident.gender = gender
    if resident.birth_date is None and "birth_date" not in errors:
        errors["birth_date"] = _("请填写出生日期或有效的身份证号码。")
    if not resident.gender and "gender" not in errors:
        errors["gender"] = _("请选择性别或填写有效的身份证号码。")
    if "mobile" in data:
        raw = data["mobile"] or ""
        mobile = _clean_mobile(raw, errors)
        if mobile:
            index = mobile_lookup(mobile)
            if index != resident.mobile_index:
                resident.mobile_encrypted = crypto.encrypt(mobile)
                resident.mobile_index = index
                changes["mobile"] = crypto.mask_mobile(mobile)
        elif not raw.strip() and resident.mobile_index:
            resident.mobile_encrypted = ""
            resident.mobile_index = ""
            changes["mobile"] = ""
    for field, limit in (("address", 200), ("notes", 5000)):
        if field in data and data[field] is not None:
            value = str(data[field]).strip()
            if len(value) > limit:
                errors[field] = _("内容过长（最多%(n)s字）。") % {"n": limit}
            elif value != getattr(resident, field):
                changes[field] = [getattr(resident, field), value]
                setattr(resident, field, value)
    if "relation" in data and data["relation"] is not None:
        if data["relation"] and data["relation"] not in Relation.values:
            errors["relation"] = _("未知的户内关系。")
        elif data["relation"] != resident.relation:
            changes["relation"] = [resident.relation, data["relation"]]
            resident.relation = data["relation"]
    return changes


def _set_household(actor: Any, resident: Resident, data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "household" not in data:
        return changes
    household = data["household"]
    if household is None:
        if resident.household_id:
            changes["household"] = [resident.household_id, None]
        resident.household = None
        return changes
    if not isinstance(household, Household):
        household = Household.objects.filter(pk=household).select_related("unit").first()
        if household is None:
            errors["household"] = _("找不到该户。")
            return changes
    if not access.can(actor, "residents.manage", household):
        errors["household"] = _("找不到该户。")
        return changes
    if household.pk != resident.household_id:
        changes["household"] = [resident.household_id, household.pk]
        resident.household = household
    return changes


def _set_tags(resident: Resident, tags: list[str] | None, errors: dict[str, str]) -> dict[str, Any]:
    if tags is None:
        return {}
    unknown = [t for t in tags if t not in ResidentTagKind.values]
    if unknown:
        errors["tags"] = _("未知的标签：%(tags)s") % {"tags": "、".join(unknown)}
        return {}
    current = set(resident.tags.values_list("tag", flat=True)) if resident.pk else set()
    wanted = set(tags)
    if current == wanted:
        return {}
    return {"tags": [sorted(current), sorted(wanted)]}


def _save_tags(resident: Resident, tags: list[str] | None) -> None:
    if tags is None:
        return
    wanted = set(tags)
    resident.tags.exclude(tag__in=wanted).delete()
    existing = set(resident.tags.values_list("tag", flat=True))
    ResidentTag.objects.bulk_create([ResidentTag(resident=resident, tag=t) for t in sorted(wanted - existing)])


@transaction.atomic
def resident_create(*, actor: Any, unit: Unit, data: dict[str, Any]) -> Resident:
    """Register a resident in a unit; identity and mobile numbers are stored encrypted."""
    _unit_for_register(actor, unit)
    unknown = set(data) - set(RESIDENT_FIELDS) - {"unit"}
    if unknown:
        raise InvalidInput(fields={name: _("未知字段。") for name in unknown})
    resident = Resident(unit=unit, name="", gender="", birth_date=None)
    errors: dict[str, str] = {}
    if not str(data.get("name") or "").strip():
        errors["name"] = _("姓名不能为空。")
    changes = _apply_resident_fields(resident, data, errors)
    changes.update(_set_household(actor, resident, data, errors))
    changes.update(_set_tags(resident, data.get("tags"), errors))
    if errors:
        raise InvalidInput(fields=errors)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise InvalidInput(fields={"identity_number": _("该身份证号码已登记在其他居民名下。")}) from None
    _save_tags(resident, data.get("tags"))
    record(actor=actor, action="people.resident_create", target=resident, unit=unit, changes=changes)
    return resident


@transaction.atomic
def resident_update(*, actor: Any, resident: Resident, data: dict[str, Any]) -> Resident:
    """Change a resident's record; moving them to another unit needs rights on both units."""
    # Lock the resident only (not the unit row the join reaches: that would serialize a whole community).
    resident = Resident.objects.select_for_update(of=("self",)).select_related("unit").get(pk=resident.pk)
    access.check(actor, "residents.manage", resident)
    unknown = set(data) - set(RESIDENT_FIELDS)
    if unknown:
        raise InvalidInput(fields={name: _("未知字段。") for name in unknown})
    errors: dict[str, str] = {}
    changes = _apply_resident_fields(resident, data, errors)
    new_unit = data.get("unit")
    if new_unit is not None and new_unit.pk != resident.unit_id:
        if not access.can(actor, "residents.manage", new_unit):
            errors["unit"] = _("您不能把居民迁入该单位。")
        elif new_unit.valid_to is not None:
            errors["unit"] = _("该单位已撤销。")
        else:
            changes["unit"] = [resident.unit_id, new_unit.pk]
            resident.unit = new_unit
    changes.update(_set_household(actor, resident, data, errors))
    changes.update(_set_tags(resident, data.get("tags"), errors))
    if errors:
        raise InvalidInput(fields=errors)
    if changes:
        try:
            with transaction.atomic():
                resident.save()
        except IntegrityError:
            raise InvalidInput(fields={"identity_number": _("该身份证号码已登记在其他居民名下。")}) from None
        _save_tags(resident, data.get("tags"))
        record(actor=actor, action="people.resident_update", target=resident, changes=changes)
    return resident


@transaction.atomic
def resident_move_out(*, actor: Any, resident: Resident, on: dt.date | None = None) -> Resident:
    """Record that a resident moved out (the record stays for history)."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    access.check(actor, "residents.manage", resident)
    if resident.moved_out_on is not None:
        raise InvalidInput(fields={"moved_out_on": _("该居民已登记迁出。")})
    resident.moved_out_on = on or timezone.localdate()
    resident.save(update_fields=["moved_out_on", "updated_at"])
    record(
        actor=actor,
        action="people.resident_move_out",
        target=resident,
        changes={"moved_out_on": resident.moved_out_on},
    )
    return resident


def resident_reveal(*, actor: Any, resident: Resident, field: str) -> str:
    """Return a resident's full identity or mobile number; allowed roles only, and always audited."""
    if field not in (IDENTITY, MOBILE):
        raise InvalidInput(fields={"field": _("只能查看身份证号码或手机号码。")})
    access.check(actor, "residents.unmask", resident)
    value = resident.identity_number if field == IDENTITY else resident.mobile
    with transaction.atomic():
        record(actor=actor, action="people.resident_reveal", target=resident, changes={"field": field})
    return value


@transaction.atomic
def resident_export_record(*, actor: Any, filters: dict[str, Any]) -> None:
    """Record that someone exported the register (an export is a disclosure, even masked)."""
    access.check_any(actor, "residents.export")
    shown: dict[str, str] = {}
    for key, value in filters.items():
        # The audit log is permanent: a number someone searched for is recorded masked, like everywhere else.
        if key == "identity_number":
            shown[key] = crypto.mask_identity_number(normalize_identity_number(str(value)))
        elif key == "mobile":
            shown[key] = crypto.mask_mobile(normalize_mobile(str(value)))
        else:
            shown[key] = str(value)
    record(actor=actor, action="people.resident_export", changes={"filters": shown})


def resident_find_by_identity(*, actor: Any, identity_number: str) -> Resident:
    """Return the resident with this identity number, inside the actor's scope (exact match by blind index)."""
    errors: dict[str, str] = {}
    number = _clean_identity(identity_number, errors)
    if errors or not number:
        raise InvalidInput(fields=errors or {"identity_number": _("请输入身份证号码。")})
    resident = (
        access.scope(actor, "residents.view", Resident.objects.all())
        .filter(identity_index=identity_lookup(number))
        .first()
    )
    if resident is None:
        raise NotFound()
    return resident


@transaction.atomic
def household_create(*, actor: Any, unit: Unit, number: str, address: str, notes: str = "") -> Household:
    """Open a household in the register."""
    _unit_for_register(actor, unit)
    number = number.strip()
    errors: dict[str, str] = {}
    if not number:
        errors["number"] = _("户号不能为空。")
    elif len(number) > 40:
        errors["number"] = _("户号不能超过40个字符。")
    elif Household.objects.filter(number=number).exists():
        errors["number"] = _("户号“%(n)s”已存在。") % {"n": number}
    if not address.strip():
        errors["address"] = _("住址不能为空。")
    elif len(address.strip()) > 200:
        errors["address"] = _("内容过长（最多%(n)s字）。") % {"n": 200}
    if errors:
        raise InvalidInput(fields=errors)
    household = Household.objects.create(unit=unit, number=number, address=address.strip(), notes=notes.strip())
    record(
        actor=actor,
        action="people.household_create",
        target=household,
        unit=unit,
        changes={"number": number, "address": household.address},
    )
    return household


@transaction.atomic
def household_update(
    *, actor: Any, household: Household, address: str | None = None, notes: str | None = None
) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    access.check(actor, "residents.manage", household)
    changes: dict[str, Any] = {}
    if address is not None:
        if not address.strip():
            raise InvalidInput(fields={"address": _("住址不能为空。")})
        if len(address.strip()) > 200:
            raise InvalidInput(fields={"address": _("内容过长（最多%(n)s字）。") % {"n": 200}})
        if address.strip() != household.address:
            changes["address"] = [household.address, address.strip()]
            household.address = address.strip()
    if notes is not None and notes.strip() != household.notes:
        changes["notes"] = [household.notes, notes.strip()]
        household.notes = notes.strip()
    if changes:
        household.save()
        record(actor=actor, action="people.household_update", target=household, changes=changes)
    return household


# --- users and grants -------------------------------------------------------------------------


def _node_for_grant(unit: Unit | None, department: Department | None, organization: Organization | None) -> Any:
    nodes = [n for n in (unit, department, organization) if n is not None]
    if len(nodes) > 1:
        raise InvalidInput(fields={"unit": _("授权只能指定一个单位、部门或组织。")})
    return nodes[0] if nodes else None


def _anchor_path(unit: Unit | None, department: Department | None, organization: Organization | None) -> str:
    if unit is not None:
        return unit.path
    if department is not None:
        return department.jurisdiction.path
    if organization is not None:
        return organization.unit.path
    return ""


def _granter_roles_over(actor: Any, node: Any) -> set[str]:
    """Return the roles the actor holds with grants.manage reach over the node."""
    rules = access.table("grants.manage")
    held: set[str] = set()
    for grant in access.grants(actor):
        if rules.get(grant.role) != access.SUBTREE:
            continue
        if grant.is_global:
            held.add(grant.role)
            continue
        probe = node
        if isinstance(node, Department):
            probe = node.jurisdiction
        elif isinstance(node, Organization):
            probe = node.unit
        if grant.unit_path and probe is not None and probe.path.startswith(grant.unit_path):
            held.add(grant.role)
    return held


@transaction.atomic
def grant_create(
    *,
    actor: Any,
    user: User,
    role: str,
    unit: Unit | None = None,
    department: Department | None = None,
    organization: Organization | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> RoleGrant:
    """Give a user a role at a node the actor controls, limited to roles the actor may hand out."""
    if role not in Role.values:
        raise InvalidInput(fields={"role": _("未知的角色。")})
    node = _node_for_grant(unit, department, organization)
    if node is None:
        if not access.is_global(actor, "grants.manage") or role != Role.SYSTEM_ADMIN:
            raise InvalidInput(fields={"unit": _("请选择授权的单位、部门或组织。")})
    else:
        access.check(actor, "grants.manage", node if not isinstance(node, Department) else node.jurisdiction)
    granter_roles = _granter_roles_over(actor, node) if node is not None else {Role.SYSTEM_ADMIN}
    grantable = set().union(*(GRANTABLE.get(r, frozenset()) for r in granter_roles)) if granter_roles else set()
    if role not in grantable:
        raise Forbidden(_("您不能授予“%(role)s”角色。") % {"role": Role(role).label})
    start = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < start:
        raise InvalidInput(fields={"valid_to": _("失效日期不能早于生效日期。")})
    duplicate = RoleGrant.objects.active(start).filter(
        user=user, role=role, unit=unit, department=department, organization=organization
    )
    if duplicate.exists():
        raise Conflict(_("该用户在此已有相同角色。"), code="duplicate_grant")
    grant = RoleGrant.objects.create(
        user=user,
        role=role,
        unit=unit,
        department=department,
        organization=organization,
        anchor_path=_anchor_path(unit, department, organization),
        valid_from=start,
        valid_to=valid_to,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    access.forget(user)
    unit_for_audit = unit or (department.unit if department else None) or (organization.unit if organization else None)
    record(
        actor=actor,
        action="people.grant_create",
        target=grant,
        unit=unit_for_audit,
        changes={
            "user": user.pk,
            "role": role,
            "node": str(node) if node else "*",
            "valid_from": start,
            "valid_to": valid_to,
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: RoleGrant) -> RoleGrant:
    grant = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins to the grant's node.
        RoleGrant.objects.select_for_update(of=("self",))
        .select_related("unit", "department__jurisdiction", "organization__unit")
        .get(pk=grant.pk)
    )
    node = grant.unit or grant.department or grant.organization
    if node is None:
        if not access.is_global(actor, "grants.manage"):
            raise Forbidden()
    else:
        access.check(actor, "grants.manage", node if not isinstance(node, Department) else node.jurisdiction)
        granter_roles = _granter_roles_over(actor, node)
        grantable = set().union(*(GRANTABLE.get(r, frozenset()) for r in granter_roles)) if granter_roles else set()
        if grant.role not in grantable:
            raise Forbidden(_("您不能撤销“%(role)s”角色。") % {"role": grant.get_role_display()})
    if grant.revoked_at is not None:
        raise InvalidInput(fields={"grant": _("该授权已撤销。")})
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    access.forget(grant.user)
    record(
        actor=actor,
        action="people.grant_revoke",
        target=grant,
        unit=grant.unit
        or (grant.department.unit if grant.department else None)
        or (grant.organization.unit if grant.organization else None),
        changes={"user": grant.user_id, "role": grant.role},
    )
    return grant


def _clean_username(username: str, errors: dict[str, str]) -> str:
    username = username.strip()
    if not username:
        errors["username"] = _("用户名不能为空。")
    elif len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        errors["username"] = _("用户名只能包含字母、数字和 @ . + - _。")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("用户名“%(u)s”已被使用。") % {"u": username}
    return username


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    display_name: str = "",
    mobile: str = "",
    email: str = "",
    language: str = "zh-hans",
    resident: Resident | None = None,
) -> User:
    """Create a sign-in account (staff create accounts; grants are given separately)."""
    access.check_any(actor, "users.manage")
    errors: dict[str, str] = {}
    username = _clean_username(username, errors)
    number = _clean_mobile(mobile, errors)
    if number and User.objects.filter(mobile_index=mobile_lookup(number)).exists():
        errors["mobile"] = _("该手机号码已绑定其他账号。")
    if language not in ("zh-hans", "en"):
        errors["language"] = _("未知的语言。")
    user = User(username=username, display_name=display_name.strip()[:60], email=email.strip(), language=language)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if resident is not None:
        if not access.can(actor, "residents.manage", resident):
            errors["resident"] = _("找不到该居民。")
        elif resident.user_id:
            errors["resident"] = _("该居民已有账号。")
    if errors:
        raise InvalidInput(fields=errors)
    user.set_password(password)
    if number:
        user.mobile_encrypted = crypto.encrypt(number)
        user.mobile_index = mobile_lookup(number)
    user.save()
    if resident is not None:
        resident.user = user
        resident.save(update_fields=["user", "updated_at"])
    record(
        actor=actor,
        action="people.user_create",
        target=user,
        unit=resident.unit if resident else None,
        changes={"username": username, "mobile": crypto.mask_mobile(number) if number else ""},
    )
    return user


@transaction.atomic
def profile_update(
    *,
    actor: User,
    display_name: str | None = None,
    language: str | None = None,
    elderly_mode: bool | None = None,
    email: str | None = None,
    mobile: str | None = None,
) -> User:
    """Change the signed-in user's own preferences and contact details."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if display_name is not None and display_name.strip() != user.display_name:
        if len(display_name.strip()) > 60:
            errors["display_name"] = _("显示名称不能超过60个字。")
        else:
            changes["display_name"] = [user.display_name, display_name.strip()]
            user.display_name = display_name.strip()
    if language is not None and language != user.language:
        if language not in ("zh-hans", "en"):
            errors["language"] = _("未知的语言。")
        else:
            changes["language"] = [user.language, language]
            user.language = language
    if elderly_mode is not None and elderly_mode != user.elderly_mode:
        changes["elderly_mode"] = [user.elderly_mode, elderly_mode]
        user.elderly_mode = elderly_mode
    if email is not None and email.strip() != user.email:
        if email.strip() and ("@" not in email or len(email.strip()) > 254):
            errors["email"] = _("电子邮件地址无效。")
        else:
            changes["email"] = "changed"
            user.email = email.strip()
    if mobile is not None:
        number = _clean_mobile(mobile, errors)
        if number:
            index = mobile_lookup(number)
            if index != user.mobile_index:
                if User.objects.filter(mobile_index=index).exclude(pk=user.pk).exists():
                    errors["mobile"] = _("该手机号码已绑定其他账号。")
                else:
                    user.mobile_encrypted = crypto.encrypt(number)
                    user.mobile_index = index
                    changes["mobile"] = crypto.mask_mobile(number)
        elif not mobile.strip() and user.mobile_index:
            user.mobile_encrypted = ""
            user.mobile_index = ""
            changes["mobile"] = ""
    if errors:
        raise InvalidInput(fields=errors)
    if changes:
        user.save()
        record(actor=actor, action="people.profile_update", target=user, changes=changes)
    actor.language, actor.elderly_mode, actor.display_name = user.language, user.elderly_mode, user.display_name
    return user


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise InvalidInput(fields={"old_password": _("原密码不正确。")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(fields={"new_password": list(exc.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(actor=actor, action="people.password_change", target=user)
    return user


# --- API tokens -------------------------------------------------------------------------------

TOKEN_PREFIX = "gz_"  # noqa: S105 - a public marker, not a secret


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a bearer token acting with the user's grants; return it with the secret shown once."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(fields={"name": _("请填写不超过80个字的令牌名称。")})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(fields={"expires_at": _("过期时间应晚于现在。")})
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= 20:
        raise InvalidInput(fields={"name": _("每个用户最多20个有效令牌，请先撤销不用的令牌。")})
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=prefix, token_hash=hash_token(secret), expires_at=expires_at
    )
    record(actor=actor, action="people.token_create", target=token, changes={"name": name, "prefix": prefix})
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    access.check(actor, "tokens.manage", token)
    if token.revoked_at is not None:
        raise InvalidInput(fields={"token": _("该令牌已撤销。")})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor=actor, action="people.token_revoke", target=token, changes={"prefix": token.prefix})
    return token


def token_authenticate(secret: str) -> User | None:
    """Return the active user a bearer token belongs to, or None (used by the API's auth).

    A successful look-up is kept per process for a few seconds (``people.authcache``): a busy integration
    does not pay two queries a request, and any change to tokens, users or grants drops it.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(secret)
    now = timezone.now()
    entry = authcache.get(digest)
    if entry is None or (entry.expires_at is not None and entry.expires_at <= now):
        try:
            prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
        except IndexError:
            return None
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None or not token.is_active or not token.user.is_active:
            return None
        if not secrets.compare_digest(token.token_hash, digest):
            return None
        entry = authcache.Entry(
            loaded=time.monotonic(),
            token_id=token.pk,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            user_fields={f.attname: getattr(token.user, f.attname) for f in User._meta.concrete_fields},
        )
        authcache.put(digest, entry)
    if entry.last_used_at is None or (now - entry.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=now)
        entry.last_used_at = now
    # A fresh instance per request: requests never share (or change) one another's user object.
    user = User(**entry.user_fields)
    user._state.adding = False
    user._gongzhi_auth_entry = entry  # type: ignore[attr-defined]  # access.grants() keeps the grants there
    return user


# --- field-key rotation -----------------------------------------------------------------------


def encrypted_columns() -> list[tuple[type[Any], str, str | None]]:
    """Return (model, `<name>_encrypted` field, `<name>_index` field or None) for every Gongzhi model."""
    from django.apps import apps

    found: list[tuple[type[Any], str, str | None]] = []
    for model in apps.get_models():
        if not model.__module__.startswith("gongzhi."):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        for name in sorted(names):
            if name.endswith("_encrypted"):
                stem = name[: -len("_encrypted")]
                found.append((model, name, f"{stem}_index" if f"{stem}_index" in names else None))
    return found


def field_keys_rotate(
    *, actor: Any = None, reindex: bool = False, batch_size: int = 500, progress: Any = None
) -> dict[str, int]:
    """Re-encrypt every encrypted column with the current field key (and recompute blind indexes on request).

    Works in batches, each in its own transaction, so it can run on a live system and be resumed:
    rows already under the current key are skipped (unless reindexing). Returns rows changed per model.
    """
    if batch_size < 1:
        raise InvalidInput(fields={"batch_size": _("每批数量至少为1。")})
    current = crypto.current_key_id()
    counts: dict[str, int] = {}
    for model, column, index_column in encrypted_columns():
        label = f"{model._meta.label}.{column}"
        stem = column[: -len("_encrypted")]
        qs = model._default_manager.exclude(**{column: ""})
        if not reindex:
            qs = qs.exclude(**{f"{column}__startswith": f"{crypto.PREFIX}:{current}:"})
        total = qs.count()
        changed = processed = 0
        last_pk = None
        while True:
            with transaction.atomic():
                batch_qs = qs.order_by("pk")
                if last_pk is not None:
                    batch_qs = batch_qs.filter(pk__gt=last_pk)
                rows = list(batch_qs.select_for_update().values_list("pk", column)[:batch_size])
                if not rows:
                    break
                for pk, token in rows:
                    value = crypto.decrypt(token)
                    fields: dict[str, Any] = {}
                    if crypto.key_id_of(token) != current:
                        fields[column] = crypto.encrypt(value)
                    if reindex and index_column:
                        fields[index_column] = crypto.blind_index(value, purpose=stem)
                    if fields:
                        # update() leaves updated_at alone: a new key changes no one's record.
                        model._default_manager.filter(pk=pk).update(**fields)
                        changed += 1
                last_pk = rows[-1][0]
                processed += len(rows)
            if progress is not None:
                progress(label, min(processed, total), total)
        counts[label] = changed
    with transaction.atomic():
        record(
            actor=actor,
            action="people.field_keys_rotate",
            changes={"key": current, "reindex": reindex, "rows": {k: v for k, v in counts.items() if v}},
        )
    return counts
