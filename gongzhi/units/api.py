"""API for the units tree, departments and organizations."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gongzhi.api import actor
from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.schemas import ERRORS, Input
from gongzhi.units import actions, queries
from gongzhi.units.models import Department, Organization, Unit, UnitChange

router = Router(tags=["units"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    code: str
    depth: int
    parent_id: int | None
    has_children: bool
    valid_from: dt.date
    valid_to: dt.date | None
    address: str
    phone: str

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_parent_id(obj: Unit) -> int | None:
        parent = getattr(obj, "_parent_id", None)
        if parent is not None:
            return parent
        p = Unit.objects.get_parent(obj)
        return p.pk if p else None

    @staticmethod
    def resolve_has_children(obj: Unit) -> bool:
        return obj.numchild > 0


class UnitDetailOut(UnitOut):
    breadcrumbs: list[dict]

    @staticmethod
    def resolve_breadcrumbs(obj: Unit) -> list[dict]:
        return [{"id": u.pk, "name": u.name, "kind": u.kind} for u in queries.unit_breadcrumbs(obj)]


class UnitTreeOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    children: list[UnitTreeOut]


UnitTreeOut.model_rebuild()


class UnitCreateIn(Input):
    parent_id: int | None = None
    name: str
    kind: str
    code: str
    valid_from: dt.date | None = None
    address: str = ""
    phone: str = ""


class UnitUpdateIn(Input):
    name: str | None = None
    address: str | None = None
    phone: str | None = None


class UnitMoveIn(Input):
    parent_id: int
    reason: str = ""


class UnitCloseIn(Input):
    on: dt.date | None = None
    reason: str = ""


class UnitChangeOut(Schema):
    id: int
    kind: str
    at: dt.datetime
    actor: str | None
    old_name: str
    new_name: str
    old_parent_id: int | None
    new_parent_id: int | None
    old_path: str
    new_path: str
    reason: str

    @staticmethod
    def resolve_actor(obj: UnitChange) -> str | None:
        return str(obj.actor) if obj.actor_id else None


def _with_parent_ids(nodes: list, model: type = Unit) -> list:
    """Attach parent ids from the paths in one query (avoids one query per node)."""
    parent_paths = {n.path[: -model.steplen] for n in nodes if n.depth > 1}
    ids = dict(model.objects.filter(path__in=parent_paths).values_list("path", "pk"))
    for node in nodes:
        node._parent_id = ids.get(node.path[: -model.steplen]) if node.depth > 1 else None
    return nodes


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="Top units of my reach, or a search")
def unit_list(request: HttpRequest, q: str = "", kind: str = "", limit: int = 50):
    """Without `q`, return the top units the caller may see; with `q`, search by name or code prefix."""
    if not 1 <= limit <= 200:
        raise InvalidInput(fields={"limit": _("每页数量应在1到%(max)s之间。") % {"max": 200}})
    if q or kind:
        return _with_parent_ids(queries.unit_search(actor(request), q, kind=kind or None, limit=limit))
    return _with_parent_ids(queries.unit_roots(actor(request)))


@router.get("/units/{unit_id}", response={200: UnitDetailOut, **ERRORS})
def unit_detail(request: HttpRequest, unit_id: int):
    return queries.access_unit(actor(request), unit_id)


@router.get("/units/{unit_id}/children", response={200: list[UnitOut], **ERRORS})
def unit_children(request: HttpRequest, unit_id: int, include_closed: bool = False):
    unit = queries.access_unit(actor(request), unit_id)
    children = list(queries.unit_children(actor(request), unit, include_closed=include_closed))
    for child in children:
        child._parent_id = unit.pk
    return children


@router.get("/units/{unit_id}/tree", response={200: UnitTreeOut, **ERRORS}, summary="A subtree, a few levels deep")
def unit_tree(request: HttpRequest, unit_id: int, depth: int = 2):
    if not 1 <= depth <= 4:
        raise InvalidInput(fields={"depth": _("层数应在1到4之间。")})
    unit = queries.access_unit(actor(request), unit_id)
    rows = list(
        queries.units_visible(actor(request))
        .filter(path__startswith=unit.path, depth__lte=unit.depth + depth, valid_to__isnull=True)
        .order_by("path")
    )
    nodes = {u.path: {"id": u.pk, "name": u.name, "kind": u.kind, "code": u.code, "children": []} for u in rows}
    for u in rows:
        if u.pk != unit.pk:
            parent = nodes.get(u.path[: -Unit.steplen])
            if parent is not None:
                parent["children"].append(nodes[u.path])
    return nodes[unit.path]


@router.get("/units/{unit_id}/history", response={200: list[UnitChangeOut], **ERRORS})
def unit_history(request: HttpRequest, unit_id: int):
    unit = queries.access_unit(actor(request), unit_id)
    return list(unit.changes.select_related("actor").all()[:200])


@router.post("/units", response={201: UnitOut, **ERRORS})
def unit_create(request: HttpRequest, payload: UnitCreateIn):
    parent = queries.access_unit(actor(request), payload.parent_id) if payload.parent_id else None
    unit = actions.unit_create(
        actor=actor(request),
        parent=parent,
        name=payload.name,
        kind=payload.kind,
        code=payload.code,
        valid_from=payload.valid_from,
        address=payload.address,
        phone=payload.phone,
    )
    return Status(201, unit)


@router.patch("/units/{unit_id}", response={200: UnitOut, **ERRORS})
def unit_update(request: HttpRequest, unit_id: int, payload: UnitUpdateIn):
    unit = queries.access_unit(actor(request), unit_id)
    return actions.unit_update(actor=actor(request), unit=unit, **payload.dict(exclude_unset=True))


@router.post("/units/{unit_id}/move", response={200: UnitOut, **ERRORS})
def unit_move(request: HttpRequest, unit_id: int, payload: UnitMoveIn):
    unit = queries.access_unit(actor(request), unit_id)
    new_parent = queries.access_unit(actor(request), payload.parent_id)
    return actions.unit_move(actor=actor(request), unit=unit, new_parent=new_parent, reason=payload.reason)


@router.post("/units/{unit_id}/close", response={200: UnitOut, **ERRORS})
def unit_close(request: HttpRequest, unit_id: int, payload: UnitCloseIn):
    unit = queries.access_unit(actor(request), unit_id)
    return actions.unit_close(actor=actor(request), unit=unit, on=payload.on, reason=payload.reason)


@router.post("/units/{unit_id}/reopen", response={200: UnitOut, **ERRORS})
def unit_reopen(request: HttpRequest, unit_id: int):
    unit = queries.access_unit(actor(request), unit_id)
    return actions.unit_reopen(actor=actor(request), unit=unit)


# --- departments ---------------------------------------------------------------------------------


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    code: str
    unit_id: int
    unit_name: str
    jurisdiction_id: int
    jurisdiction_name: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj: Department) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj: Department) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_jurisdiction_name(obj: Department) -> str:
        return obj.jurisdiction.name


class DepartmentFilter(Schema):
    unit_id: int | None = None
    kind: str = ""
    q: str = ""
    active: bool | None = True


class DepartmentCreateIn(Input):
    unit_id: int
    name: str
    kind: str
    code: str
    jurisdiction_id: int | None = None
    short_name: str = ""
    phone: str = ""


class DepartmentUpdateIn(Input):
    name: str | None = None
    short_name: str | None = None
    kind: str | None = None
    phone: str | None = None
    is_active: bool | None = None
    jurisdiction_id: int | None = None


@router.get("/departments", response={200: list[DepartmentOut], **ERRORS}, tags=["departments"])
def department_list(request: HttpRequest, filters: Query[DepartmentFilter]):
    unit = queries.access_unit(actor(request), filters.unit_id) if filters.unit_id else None
    return list(
        queries.department_list(actor(request), unit=unit, kind=filters.kind, text=filters.q, active=filters.active)[
            :500
        ]
    )


@router.get("/departments/{department_id}", response={200: DepartmentOut, **ERRORS}, tags=["departments"])
def department_detail(request: HttpRequest, department_id: int):
    return queries.access_department(actor(request), department_id)


@router.post("/departments", response={201: DepartmentOut, **ERRORS}, tags=["departments"])
def department_create(request: HttpRequest, payload: DepartmentCreateIn):
    unit = queries.access_unit(actor(request), payload.unit_id)
    jurisdiction = queries.access_unit(actor(request), payload.jurisdiction_id) if payload.jurisdiction_id else None
    department = actions.department_create(
        actor=actor(request),
        unit=unit,
        name=payload.name,
        kind=payload.kind,
        code=payload.code,
        jurisdiction=jurisdiction,
        short_name=payload.short_name,
        phone=payload.phone,
    )
    return Status(201, department)


@router.patch("/departments/{department_id}", response={200: DepartmentOut, **ERRORS}, tags=["departments"])
def department_update(request: HttpRequest, department_id: int, payload: DepartmentUpdateIn):
    department = queries.access_department(actor(request), department_id)
    data = payload.dict(exclude_unset=True)
    if data.get("jurisdiction_id") is not None:
        data["jurisdiction"] = queries.access_unit(actor(request), data.pop("jurisdiction_id"))
    else:
        data.pop("jurisdiction_id", None)
    return actions.department_update(actor=actor(request), department=department, **data)


# --- organizations -------------------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    is_party: bool
    unit_id: int
    unit_name: str
    parent_id: int | None
    depth: int
    credit_code: str
    contact_name: str
    contact_phone: str
    description: str
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj: Organization) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj: Organization) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_parent_id(obj: Organization) -> int | None:
        if hasattr(obj, "_parent_id"):
            return obj._parent_id
        parent = Organization.objects.get_parent(obj)
        return parent.pk if parent else None


class OrganizationFilter(Schema):
    kind: str = ""
    unit_id: int | None = None
    q: str = ""
    party: bool = False


class OrganizationCreateIn(Input):
    unit_id: int
    name: str
    kind: str
    parent_id: int | None = None
    credit_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    description: str = ""


class OrganizationUpdateIn(Input):
    name: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    description: str | None = None
    credit_code: str | None = None
    is_active: bool | None = None


@router.get("/organizations", response={200: list[OrganizationOut], **ERRORS}, tags=["organizations"])
def organization_list(request: HttpRequest, filters: Query[OrganizationFilter]):
    unit = queries.access_unit(actor(request), filters.unit_id) if filters.unit_id else None
    qs = queries.organization_list(
        actor(request), kind=filters.kind or None, unit=unit, text=filters.q, party_only=filters.party
    )
    return _with_parent_ids(list(qs[:500]), Organization)


@router.get("/organizations/{organization_id}", response={200: OrganizationOut, **ERRORS}, tags=["organizations"])
def organization_detail(request: HttpRequest, organization_id: int):
    return queries.access_organization(actor(request), organization_id)


@router.post("/organizations", response={201: OrganizationOut, **ERRORS}, tags=["organizations"])
def organization_create(request: HttpRequest, payload: OrganizationCreateIn):
    unit = queries.access_unit(actor(request), payload.unit_id)
    parent = queries.access_organization(actor(request), payload.parent_id) if payload.parent_id else None
    data = payload.dict(exclude={"unit_id", "parent_id"})
    organization = actions.organization_create(actor=actor(request), unit=unit, parent=parent, **data)
    return Status(201, organization)


@router.patch("/organizations/{organization_id}", response={200: OrganizationOut, **ERRORS}, tags=["organizations"])
def organization_update(request: HttpRequest, organization_id: int, payload: OrganizationUpdateIn):
    organization = queries.access_organization(actor(request), organization_id)
    return actions.organization_update(
        actor=actor(request), organization=organization, **payload.dict(exclude_unset=True)
    )
