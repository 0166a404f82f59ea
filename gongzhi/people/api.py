"""API for the signed-in user, the resident and household register, users, grants and tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gongzhi import access
from gongzhi.api import actor
from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.schemas import ERRORS, Input, page_out
from gongzhi.people import actions, queries
from gongzhi.people.models import ApiToken, Household, Resident, RoleGrant, User
from gongzhi.units.queries import access_department, access_organization, access_unit

router = Router(tags=["people"])


# --- me ------------------------------------------------------------------------------------------


class GrantOut(Schema):
    id: int
    user_id: int
    user_name: str
    role: str
    role_label: str
    node_type: str
    node_id: int | None
    node_name: str
    valid_from: dt.date
    valid_to: dt.date | None
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_user_name(obj: RoleGrant) -> str:
        return str(obj.user)

    @staticmethod
    def resolve_role_label(obj: RoleGrant) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_node_type(obj: RoleGrant) -> str:
        if obj.unit_id:
            return "unit"
        if obj.department_id:
            return "department"
        if obj.organization_id:
            return "organization"
        return "global"

    @staticmethod
    def resolve_node_id(obj: RoleGrant) -> int | None:
        return obj.unit_id or obj.department_id or obj.organization_id

    @staticmethod
    def resolve_node_name(obj: RoleGrant) -> str:
        return str(obj.node)


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    mobile: str
    language: str
    elderly_mode: bool
    roles: list[str]
    grants: list[GrantOut]


class MeUpdateIn(Input):
    display_name: str | None = None
    language: str | None = None
    elderly_mode: bool | None = None
    email: str | None = None
    mobile: str | None = None


class PasswordIn(Input):
    old_password: str
    new_password: str


def _me(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "mobile": user.mobile_masked,
        "language": user.language,
        "elderly_mode": user.elderly_mode,
        "roles": sorted(access.roles(user)),
        "grants": list(queries.my_grants(user)),
    }


@router.get("/me", response={200: MeOut, **ERRORS}, tags=["me"])
def me(request: HttpRequest):
    return _me(actor(request))


@router.patch("/me", response={200: MeOut, **ERRORS}, tags=["me"])
def me_update(request: HttpRequest, payload: MeUpdateIn):
    user = actions.profile_update(actor=actor(request), **payload.dict(exclude_unset=True))
    return _me(user)


@router.post("/me/password", response={204: None, **ERRORS}, tags=["me"])
def me_password(request: HttpRequest, payload: PasswordIn):
    actions.password_change(actor=actor(request), old_password=payload.old_password, new_password=payload.new_password)
    if hasattr(request, "session") and request.session.get("_auth_user_id"):
        # A browser session stays signed in; a bearer-token call has no session to update.
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(request, request.user.__class__.objects.get(pk=request.user.pk))
    return Status(204, None)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(Input):
    name: str
    expires_at: dt.datetime | None = None


@router.get("/me/tokens", response={200: list[TokenOut], **ERRORS}, tags=["me"])
def token_list(request: HttpRequest):
    return list(queries.my_tokens(actor(request)))


@router.post(
    "/me/tokens",
    response={201: TokenCreatedOut, **ERRORS},
    tags=["me"],
    summary="Create a bearer token; the secret is shown only in this response",
)
def token_create(request: HttpRequest, payload: TokenIn):
    token, secret = actions.token_create(actor=actor(request), name=payload.name, expires_at=payload.expires_at)
    token.token = secret
    return Status(201, token)


@router.delete("/me/tokens/{token_id}", response={204: None, **ERRORS}, tags=["me"])
def token_revoke(request: HttpRequest, token_id: int):
    token: ApiToken = queries.access_token(actor(request), token_id)
    actions.token_revoke(actor=actor(request), token=token)
    return Status(204, None)


# --- residents -----------------------------------------------------------------------------------


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date
    age: int
    identity_number: str
    mobile: str
    address: str
    unit_id: int
    unit_name: str
    household_id: int | None
    relation: str
    tags: list[str]
    moved_out_on: dt.date | None
    notes: str

    @staticmethod
    def resolve_identity_number(obj: Resident) -> str:
        return obj.identity_masked

    @staticmethod
    def resolve_mobile(obj: Resident) -> str:
        return obj.mobile_masked

    @staticmethod
    def resolve_unit_name(obj: Resident) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_tags(obj: Resident) -> list[str]:
        return obj.tag_list


class ResidentPageOut(Schema):
    items: list[ResidentOut]
    next_cursor: str | None
    limit: int


class ResidentFilter(Schema):
    unit_id: int | None = None
    name: str = ""
    tag: str = ""
    household_id: int | None = None
    gender: str = ""
    age_min: int | None = None
    age_max: int | None = None
    include_moved_out: bool = False
    identity_number: str = ""
    mobile: str = ""
    cursor: str | None = None
    limit: int = 50


class ResidentIn(Input):
    unit_id: int
    name: str
    gender: str | None = None
    birth_date: dt.date | None = None
    identity_number: str = ""
    mobile: str = ""
    address: str = ""
    household_id: int | None = None
    relation: str = ""
    tags: list[str] = []
    notes: str = ""


class ResidentUpdateIn(Input):
    unit_id: int | None = None
    name: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    identity_number: str | None = None
    mobile: str | None = None
    address: str | None = None
    household_id: int | None = None
    relation: str | None = None
    tags: list[str] | None = None
    notes: str | None = None


class RevealIn(Input):
    field: str


class RevealOut(Schema):
    field: str
    value: str


class MoveOutIn(Input):
    on: dt.date | None = None


def _filters(request: HttpRequest, filters: ResidentFilter) -> dict[str, Any]:
    data = filters.dict()
    unit_id = data.pop("unit_id")
    data["unit"] = access_unit(actor(request), unit_id, perm="residents.view") if unit_id else None
    data["household"] = data.pop("household_id")
    data.pop("cursor")
    data.pop("limit")
    if data["gender"] and data["gender"] not in ("M", "F"):
        raise InvalidInput(fields={"gender": _("性别应为M（男）或F（女）。")})
    return data


@router.get("/residents", response={200: ResidentPageOut, **ERRORS}, tags=["residents"])
def resident_list(request: HttpRequest, filters: Query[ResidentFilter]):
    page = queries.resident_page(
        actor(request), after=filters.cursor, limit=filters.limit, **_filters(request, filters)
    )
    return page_out(page, page.items)


@router.get("/residents/{resident_id}", response={200: ResidentOut, **ERRORS}, tags=["residents"])
def resident_detail(request: HttpRequest, resident_id: int):
    return queries.access_resident(actor(request), resident_id)


def _resident_data(request: HttpRequest, payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload)
    if "unit_id" in data:
        unit_id = data.pop("unit_id")
        if unit_id is not None:
            data["unit"] = access_unit(actor(request), unit_id, perm="residents.view")
    if "household_id" in data:
        data["household"] = data.pop("household_id")
    return data


@router.post("/residents", response={201: ResidentOut, **ERRORS}, tags=["residents"])
def resident_create(request: HttpRequest, payload: ResidentIn):
    data = _resident_data(request, payload.dict())
    unit = data.pop("unit")
    if data.get("household") is None:
        data.pop("household", None)
    resident = actions.resident_create(actor=actor(request), unit=unit, data=data)
    return Status(201, queries.access_resident(actor(request), resident.pk))


@router.patch("/residents/{resident_id}", response={200: ResidentOut, **ERRORS}, tags=["residents"])
def resident_update(request: HttpRequest, resident_id: int, payload: ResidentUpdateIn):
    resident = queries.access_resident(actor(request), resident_id)
    data = _resident_data(request, payload.dict(exclude_unset=True))
    actions.resident_update(actor=actor(request), resident=resident, data=data)
    return queries.access_resident(actor(request), resident.pk)


@router.post(
    "/residents/{resident_id}/reveal",
    response={200: RevealOut, **ERRORS},
    tags=["residents"],
    summary="Show a full identity or mobile number (audited)",
)
def resident_reveal(request: HttpRequest, resident_id: int, payload: RevealIn):
    resident = queries.access_resident(actor(request), resident_id)
    value = actions.resident_reveal(actor=actor(request), resident=resident, field=payload.field)
    return {"field": payload.field, "value": value}


@router.post("/residents/{resident_id}/move-out", response={200: ResidentOut, **ERRORS}, tags=["residents"])
def resident_move_out(request: HttpRequest, resident_id: int, payload: MoveOutIn):
    resident = queries.access_resident(actor(request), resident_id)
    actions.resident_move_out(actor=actor(request), resident=resident, on=payload.on)
    return queries.access_resident(actor(request), resident.pk)


# --- households ----------------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: int
    number: str
    unit_id: int
    unit_name: str
    address: str
    notes: str

    @staticmethod
    def resolve_unit_name(obj: Household) -> str:
        return obj.unit.name


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut]

    @staticmethod
    def resolve_members(obj: Household) -> list[Resident]:
        return obj.members_list


class HouseholdPageOut(Schema):
    items: list[HouseholdOut]
    next_cursor: str | None
    limit: int


class HouseholdIn(Input):
    unit_id: int
    number: str
    address: str
    notes: str = ""


class HouseholdUpdateIn(Input):
    address: str | None = None
    notes: str | None = None


@router.get("/households", response={200: HouseholdPageOut, **ERRORS}, tags=["residents"])
def household_list(
    request: HttpRequest, unit_id: int | None = None, q: str = "", cursor: str | None = None, limit: int = 50
):
    unit = access_unit(actor(request), unit_id, perm="residents.view") if unit_id else None
    page = queries.household_page(actor(request), unit=unit, text=q, after=cursor, limit=limit)
    return page_out(page, page.items)


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, **ERRORS}, tags=["residents"])
def household_detail(request: HttpRequest, household_id: int):
    household = queries.access_household(actor(request), household_id)
    household.members_list = list(
        queries.household_members(actor(request), household).select_related("unit").prefetch_related("tags")
    )
    return household


@router.post("/households", response={201: HouseholdOut, **ERRORS}, tags=["residents"])
def household_create(request: HttpRequest, payload: HouseholdIn):
    unit = access_unit(actor(request), payload.unit_id, perm="residents.view")
    household = actions.household_create(
        actor=actor(request), unit=unit, number=payload.number, address=payload.address, notes=payload.notes
    )
    return Status(201, household)


@router.patch("/households/{household_id}", response={200: HouseholdOut, **ERRORS}, tags=["residents"])
def household_update(request: HttpRequest, household_id: int, payload: HouseholdUpdateIn):
    household = queries.access_household(actor(request), household_id)
    return actions.household_update(actor=actor(request), household=household, **payload.dict(exclude_unset=True))


# --- users and grants ------------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    mobile: str
    is_active: bool

    @staticmethod
    def resolve_mobile(obj: User) -> str:
        return obj.mobile_masked


class UserIn(Input):
    username: str
    password: str
    display_name: str = ""
    mobile: str = ""
    email: str = ""
    language: str = "zh-hans"
    resident_id: int | None = None


class GrantIn(Input):
    user_id: int
    role: str
    unit_id: int | None = None
    department_id: int | None = None
    organization_id: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@router.get("/users", response={200: list[UserOut], **ERRORS}, tags=["users"])
def user_list(request: HttpRequest, q: str = ""):
    return queries.user_search(actor(request), q, limit=50)


@router.get("/users/{user_id}", response={200: UserOut, **ERRORS}, tags=["users"])
def user_detail(request: HttpRequest, user_id: int):
    return queries.access_user(actor(request), user_id)


@router.post("/users", response={201: UserOut, **ERRORS}, tags=["users"])
def user_create(request: HttpRequest, payload: UserIn):
    resident = queries.access_resident(actor(request), payload.resident_id) if payload.resident_id else None
    data = payload.dict(exclude={"resident_id"})
    user = actions.user_create(actor=actor(request), resident=resident, **data)
    return Status(201, user)


@router.get("/grants", response={200: list[GrantOut], **ERRORS}, tags=["users"])
def grant_list(request: HttpRequest, user_id: int | None = None, role: str = "", active: bool = True):
    qs = queries.grants_visible(actor(request))
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if role:
        qs = qs.filter(role=role)
    if active:
        qs = qs.active()  # neither revoked nor expired nor not yet valid
    return list(qs.order_by("anchor_path", "role")[:500])


@router.post("/grants", response={201: GrantOut, **ERRORS}, tags=["users"])
def grant_create(request: HttpRequest, payload: GrantIn):
    who = actor(request)
    user = queries.access_user(who, payload.user_id) if not access.has_any(who, "users.manage") else None
    if user is None:
        user = User.objects.filter(pk=payload.user_id, is_active=True).first()
        if user is None:
            raise InvalidInput(fields={"user_id": _("找不到该用户。")})
    unit = access_unit(who, payload.unit_id) if payload.unit_id else None
    department = access_department(who, payload.department_id) if payload.department_id else None
    organization = access_organization(who, payload.organization_id) if payload.organization_id else None
    grant = actions.grant_create(
        actor=who,
        user=user,
        role=payload.role,
        unit=unit,
        department=department,
        organization=organization,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return Status(201, grant)


@router.delete("/grants/{grant_id}", response={204: None, **ERRORS}, tags=["users"])
def grant_revoke(request: HttpRequest, grant_id: int):
    grant = queries.access_grant(actor(request), grant_id)
    actions.grant_revoke(actor=actor(request), grant=grant)
    return Status(204, None)
