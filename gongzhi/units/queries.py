"""Every read of units, departments and organizations goes through the access scope."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from gongzhi import access
from gongzhi.lib.localcache import LocalCache
from gongzhi.units.models import Department, Organization, Unit

# Units change rarely and are read on every appeal: each process keeps the ones it read (every change
# announces itself, so the ten minutes are only a backstop).
_by_id = LocalCache("units:version", seconds=600)


def unit_by_id(pk: int) -> Unit | None:
    """Return a unit by id, open or closed, or None (no scope: units are public; callers check reach).

    The instance is this process's shared copy, dropped everywhere within a second of any unit being
    saved, moved or deleted: read it, never change it.
    """
    return _by_id.get(int(pk), lambda: _load_unit(int(pk)))


def _load_unit(pk: int) -> Unit | None:
    """Read one unit with a fixed statement (a queryset costs several times more to build than to run)."""
    table = connection.ops.quote_name(Unit._meta.db_table)
    found = list(Unit.objects.raw(f"SELECT * FROM {table} WHERE id = %s", [pk]))  # noqa: S608 - the model's table
    return found[0] if found else None


def units_changed(**_kwargs: Any) -> None:
    """Drop the kept units in every process (a signal receiver; unit_move calls it after rewriting paths)."""
    _by_id.changed()
    # Another process may reload between this write and its commit; announce again once it is visible.
    transaction.on_commit(_by_id.version.bump)


def forget_local() -> None:
    _by_id.forget_local()


def units_visible(actor: Any, perm: str = "units.view") -> QuerySet[Unit]:
    return access.scope(actor, perm, Unit.objects.all())


def access_unit(actor: Any, pk: Any, perm: str = "units.view") -> Unit:
    """Return the unit if the actor may see it, else raise NotFound."""
    return access.get_or_404(actor, perm, Unit.objects.all(), pk=pk)


def access_unit_by_code(actor: Any, code: str, perm: str = "units.view") -> Unit:
    return access.get_or_404(actor, perm, Unit.objects.all(), code=code)


def unit_roots(actor: Any) -> list[Unit]:
    """Return the top units of the actor's reach (their grant nodes, without nesting)."""
    paths = access.units_for(actor, "units.view")
    if access.is_global(actor, "units.view"):
        return list(Unit.objects.get_root_nodes())
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def unit_children(actor: Any, unit: Unit, *, include_closed: bool = False) -> QuerySet[Unit]:
    qs = units_visible(actor).filter(path__startswith=unit.path, depth=unit.depth + 1)
    if not include_closed:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by("code")


def unit_search(actor: Any, text: str, *, kind: str | None = None, limit: int = 50) -> list[Unit]:
    """Find units by name fragment or code prefix, inside the actor's scope."""
    text = text.strip()
    qs = units_visible(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__startswith=text))
    return list(qs.order_by("depth", "code")[:limit])


def unit_breadcrumbs(unit: Unit) -> list[Unit]:
    return [*Unit.objects.get_ancestors(unit), unit]


def public_units(kinds: tuple[str, ...] | None = None) -> QuerySet[Unit]:
    """Return active units for public pickers (names and codes are public information)."""
    qs = Unit.objects.active()
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("path")


def departments_visible(actor: Any, perm: str = "departments.view") -> QuerySet[Department]:
    return access.scope(actor, perm, Department.objects.select_related("unit", "jurisdiction"))


def access_department(actor: Any, pk: Any, perm: str = "departments.view") -> Department:
    return access.get_or_404(actor, perm, Department.objects.select_related("unit", "jurisdiction"), pk=pk)


def department_list(
    actor: Any, *, unit: Unit | None = None, kind: str | None = None, text: str = "", active: bool | None = True
) -> QuerySet[Department]:
    qs = departments_visible(actor)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    if text.strip():
        qs = qs.filter(Q(name__icontains=text.strip()) | Q(code__startswith=text.strip()))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("unit__path", "name")


def organizations_visible(actor: Any, perm: str = "organizations.view") -> QuerySet[Organization]:
    return access.scope(actor, perm, Organization.objects.select_related("unit"))


def access_organization(actor: Any, pk: Any, perm: str = "organizations.view") -> Organization:
    return access.get_or_404(actor, perm, Organization.objects.select_related("unit"), pk=pk)


def organization_list(
    actor: Any, *, kind: str | None = None, unit: Unit | None = None, text: str = "", party_only: bool = False
) -> QuerySet[Organization]:
    from gongzhi.units.models import PARTY_KINDS

    qs = organizations_visible(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if party_only:
        qs = qs.filter(kind__in=PARTY_KINDS)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if text.strip():
        qs = qs.filter(name__icontains=text.strip())
    return qs.order_by("path")
