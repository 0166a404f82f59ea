"""The permission policy: the only place that decides who may do what, and see which rows.

Each app declares its table in ``<app>/permissions.py`` as data::

    PERMISSIONS = {
        "appeals.view": {Role.DISPATCHER: SUBTREE, Role.DEPARTMENT_HANDLER: SUBTREE, SIGNED_IN: OWN},
        "appeals.dispatch": {Role.DISPATCHER: SUBTREE, Role.STREET_STAFF: SUBTREE},
    }

A grant (``people.RoleGrant``) gives a role at a node: a unit, a department or an organization.
SUBTREE means the grant holds for its node and everything under it. OWN means the actor's own
rows (the model names its owner lookup) and needs no grant; SIGNED_IN stands for any signed-in user.

Models tell the policy where they sit, with class attributes:

    ACCESS_UNIT_PATH = "unit__path"          # lookup to the unit path (required)
    ACCESS_DEPARTMENT = "department"         # optional: rows tied to a department
    ACCESS_ORGANIZATION_PATH = "organization__path"   # optional: rows tied to an organization
    ACCESS_OWNER = "reporter"                # optional: rows a user owns

A department grant covers rows tied to that department when the model says how; otherwise it
covers the department's jurisdiction (a unit subtree). An organization grant likewise covers rows
tied to the organization or its sub-organizations, otherwise the organization's unit subtree.

``can()`` answers for one object; ``scope()`` filters a queryset; both read the same grants, so a
list and a detail page never disagree. ``check()`` raises Forbidden; queries raise NotFound for
rows outside scope, so an outsider cannot tell "missing" from "not yours".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.lib.errors import Forbidden, NotAuthenticated, NotFound
from gongzhi.people.roles import Role

SUBTREE = "subtree"
OWN = "own"
SIGNED_IN = "signed_in"

_registry: dict[str, dict[str, str]] | None = None
# Above this many owned rows, scope() keeps the owner branch instead of checking each row's place.
OWNED_CHECK_LIMIT = 200


def permissions() -> dict[str, dict[str, str]]:
    """Return the merged permission table of every installed Gongzhi app."""
    global _registry
    if _registry is None:
        merged: dict[str, dict[str, str]] = {}
        for config in apps.get_app_configs():
            if not config.name.startswith("gongzhi."):
                continue
            try:
                module = import_module(f"{config.name}.permissions")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.permissions":
                    raise
                continue
            for perm, table in getattr(module, "PERMISSIONS", {}).items():
                if perm in merged:
                    raise RuntimeError(f"permission {perm!r} declared twice")
                merged[perm] = {str(role): reach for role, reach in table.items()}
        _registry = merged
    return _registry


def table(perm: str) -> dict[str, str]:
    try:
        return permissions()[perm]
    except KeyError:
        raise KeyError(f"unknown permission {perm!r}; declare it in an app's permissions.py") from None


@dataclass(frozen=True)
class Grant:
    """An active grant, flattened for fast checks."""

    id: int
    role: str
    unit_id: int | None
    unit_path: str | None  # the path the grant covers: the unit, the department's jurisdiction, the org's unit
    department_id: int | None
    organization_id: int | None
    organization_path: str | None
    is_global: bool


def _is_anonymous(actor: Any) -> bool:
    return actor is None or not getattr(actor, "is_authenticated", False)


def grants(actor: Any, *, today: dt.date | None = None) -> list[Grant]:
    """Return the actor's active grants, cached on the user object for the request."""
    if _is_anonymous(actor):
        return []
    cached = getattr(actor, "_gongzhi_grants", None)
    if cached is not None and today is None:
        return cached
    from gongzhi.people.models import RoleGrant

    day = today or timezone.localdate()
    # A bearer-token sign-in keeps the grants of the day with it for a few seconds (people.authcache).
    entry = getattr(actor, "_gongzhi_auth_entry", None)
    if entry is not None and day in entry.grants:
        if today is None:
            actor._gongzhi_grants = entry.grants[day]
        return entry.grants[day]
    rows = (
        RoleGrant.objects.active(day)
        .filter(user_id=actor.pk)
        .select_related("unit", "department__jurisdiction", "organization__unit")
    )
    result: list[Grant] = []
    for row in rows:
        unit_path = None
        org_path = None
        if row.unit_id:
            unit_path = row.unit.path
        elif row.department_id:
            unit_path = row.department.jurisdiction.path
        elif row.organization_id:
            org_path = row.organization.path
            unit_path = row.organization.unit.path if row.organization.unit_id else None
        result.append(
            Grant(
                id=row.pk,
                role=row.role,
                unit_id=row.unit_id,
                unit_path=unit_path,
                department_id=row.department_id,
                organization_id=row.organization_id,
                organization_path=org_path,
                is_global=row.unit_id is None and row.department_id is None and row.organization_id is None,
            )
        )
    if getattr(actor, "is_superuser", False):
        result.append(Grant(0, Role.SYSTEM_ADMIN, None, None, None, None, None, True))
    if today is None:
        actor._gongzhi_grants = result
    if entry is not None:
        entry.grants = {day: result}
    return result


def forget(actor: Any) -> None:
    """Drop the cached grants (after granting or revoking in the same request)."""
    if actor is not None and hasattr(actor, "_gongzhi_grants"):
        del actor._gongzhi_grants


def roles(actor: Any) -> set[str]:
    """Return the roles the actor holds anywhere."""
    return {g.role for g in grants(actor)}


def has_any(actor: Any, perm: str) -> bool:
    """Return whether the actor holds the permission anywhere (for menus and desks)."""
    if _is_anonymous(actor):
        return False
    rules = table(perm)
    if SIGNED_IN in rules:
        return True
    return any(g.role in rules for g in grants(actor))


def _meta(model: type[models.Model], name: str) -> str | None:
    return getattr(model, name, None)


def _grant_q(model: type[models.Model], grant: Grant) -> Q | None:
    """Return the condition a grant puts on the model's rows, or None when it covers nothing."""
    if grant.is_global:
        return Q()
    unit_lookup = _meta(model, "ACCESS_UNIT_PATH")
    if grant.department_id is not None:
        dept_lookup = _meta(model, "ACCESS_DEPARTMENT")
        if dept_lookup:
            return Q(**{dept_lookup: grant.department_id})
    if grant.organization_id is not None:
        org_lookup = _meta(model, "ACCESS_ORGANIZATION_PATH")
        if org_lookup and grant.organization_path:
            return Q(**{f"{org_lookup}__startswith": grant.organization_path})
    if unit_lookup and grant.unit_path:
        return Q(**{f"{unit_lookup}__startswith": grant.unit_path})
    return None


def scope_q(actor: Any, perm: str, model: type[models.Model]) -> Q | None:
    """Return the Q filter for the rows of `model` the actor may `perm`, or None for none at all."""
    rules = table(perm)
    if _is_anonymous(actor):
        return None
    own: Q | None = None
    owner_lookup = _meta(model, "ACCESS_OWNER")
    wants_own = any(reach == OWN for reach in rules.values())
    if wants_own and owner_lookup:
        own_roles = {role for role, reach in rules.items() if reach == OWN}
        if SIGNED_IN in own_roles or own_roles & roles(actor):
            own = Q(**{owner_lookup: actor.pk})
    conditions: list[Q] = []
    for grant in grants(actor):
        if rules.get(grant.role) != SUBTREE:
            continue
        condition = _grant_q(model, grant)
        if condition is None:
            continue
        if not condition:  # global grant: everything
            return Q()
        conditions.append(condition)
    if not conditions:
        return own
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    if own is not None and not _own_rows_covered(model, own, combined):
        combined = own | combined
    return combined


def _own_rows_covered(model: type[models.Model], own: Q, granted: Q) -> bool:
    """Return whether every row the actor owns already lies inside their grants.

    Staff rarely own rows outside the units they work in. Leaving the owner branch out then keeps
    "owner = me OR unit path LIKE 'prefix%'" — an OR across two tables, which stops the database from
    using the unit-path and (unit, id) indexes — out of their lists. The owned rows are looked up by
    the owner index alone first: most staff own none, and a combined query can tempt SQLite into
    scanning the whole unit tree instead.
    """
    owned = list(model._default_manager.filter(own).values_list("pk", flat=True)[: OWNED_CHECK_LIMIT + 1])
    if not owned:
        return True
    if len(owned) > OWNED_CHECK_LIMIT:
        return False
    return not model._default_manager.filter(pk__in=owned).exclude(granted).exists()


def _multi_valued(model: type[models.Model], lookup: str) -> bool:
    """Return whether a lookup crosses a to-many relation (so a filter could repeat rows)."""
    current = model
    for part in lookup.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:
            return False
        if field.is_relation:
            if field.many_to_many or field.one_to_many:
                return True
            current = field.related_model
    return False


def scope(actor: Any, perm: str, queryset: QuerySet) -> QuerySet:
    """Return the rows of the queryset the actor may `perm` (an empty queryset when none)."""
    condition = scope_q(actor, perm, queryset.model)
    if condition is None:
        return queryset.none()
    if not condition:
        return queryset
    model = queryset.model
    if any(_multi_valued(model, lookup) for lookup in _lookups_of(condition)):
        # Filter through a subquery of ids, so the outer query keeps its ordering and no DISTINCT is needed.
        # Only conditions that cross a to-many relation need it: a plain unit-path filter stays a plain
        # WHERE, so the planner can walk an ordered index (lists of millions of rows depend on that).
        ids = model._default_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=ids)
    return queryset.filter(condition)


def _lookups_of(condition: Q) -> list[str]:
    """Return the field lookups a Q object filters on (without their final operator)."""
    found: list[str] = []
    for child in condition.children:
        if isinstance(child, Q):
            found.extend(_lookups_of(child))
        else:
            found.append(child[0])
    return found


def _resolve(obj: Any, lookup: str) -> list[Any]:
    """Return the values a lookup reaches from an object (following to-many relations by query)."""
    if obj is None:
        return []
    part, _sep, rest = lookup.partition("__")
    attr = getattr(obj, part, None)
    if isinstance(attr, models.Manager):
        return [v for v in attr.values_list(rest or "pk", flat=True) if v is not None]
    if not rest:
        if isinstance(attr, models.Model):
            return [attr.pk]
        return [] if attr is None else [attr]
    return _resolve(attr, rest)


def _grant_covers(obj: Any, grant: Grant) -> bool:
    if grant.is_global:
        return True
    model = type(obj)
    if grant.department_id is not None:
        dept_lookup = _meta(model, "ACCESS_DEPARTMENT")
        if dept_lookup:
            return grant.department_id in _resolve(obj, dept_lookup)
    if grant.organization_id is not None:
        org_lookup = _meta(model, "ACCESS_ORGANIZATION_PATH")
        if org_lookup and grant.organization_path:
            return any(str(p).startswith(grant.organization_path) for p in _resolve(obj, org_lookup))
    unit_lookup = _meta(model, "ACCESS_UNIT_PATH")
    if unit_lookup and grant.unit_path:
        return any(str(p).startswith(grant.unit_path) for p in _resolve(obj, unit_lookup))
    return False


def can(actor: Any, perm: str, obj: Any) -> bool:
    """Return whether the actor may `perm` on this object."""
    rules = table(perm)
    if _is_anonymous(actor):
        return False
    owner_lookup = _meta(type(obj), "ACCESS_OWNER")
    if owner_lookup:
        own_roles = {role for role, reach in rules.items() if reach == OWN}
        if own_roles and (SIGNED_IN in own_roles or own_roles & roles(actor)):
            if actor.pk in _resolve(obj, owner_lookup):
                return True
    for grant in grants(actor):
        if rules.get(grant.role) == SUBTREE and _grant_covers(obj, grant):
            return True
    return False


def roles_covering(actor: Any, perm: str, obj: Any) -> set[str]:
    """Return the roles through which the actor's grants give `perm` on this object (OWN rules not included)."""
    if _is_anonymous(actor):
        return set()
    rules = table(perm)
    return {g.role for g in grants(actor) if rules.get(g.role) == SUBTREE and _grant_covers(obj, g)}


def check(actor: Any, perm: str, obj: Any) -> None:
    """Raise unless the actor may `perm` on the object (401 when signed out, 403 otherwise)."""
    if _is_anonymous(actor):
        raise NotAuthenticated()
    if not can(actor, perm, obj):
        raise Forbidden(_("您的角色不能在此执行该操作。"))


def check_any(actor: Any, perm: str) -> None:
    """Raise unless the actor holds the permission somewhere (for creating where no object exists yet)."""
    if _is_anonymous(actor):
        raise NotAuthenticated()
    if not has_any(actor, perm):
        raise Forbidden(_("您的角色不能执行该操作。"))


def get_or_404(actor: Any, perm: str, queryset: QuerySet, **lookup: Any) -> Any:
    """Return the one row matching lookup inside the actor's scope, or raise NotFound."""
    if _is_anonymous(actor):
        raise NotAuthenticated()
    try:
        return scope(actor, perm, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def units_for(actor: Any, perm: str) -> list[str]:
    """Return the unit paths where the actor holds the permission (the tops of their reach)."""
    rules = table(perm)
    paths = {g.unit_path for g in grants(actor) if rules.get(g.role) == SUBTREE and g.unit_path}
    # Keep only the tops: a path under another one adds nothing.
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def is_global(actor: Any, perm: str) -> bool:
    rules = table(perm)
    return any(g.is_global and rules.get(g.role) == SUBTREE for g in grants(actor))
