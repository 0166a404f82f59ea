"""Every foundation API endpoint × every role of the cast × an object in their reach ('mine') or in the
other township ('theirs'): outside scope → 404, in scope with too small a role → 403, allowed → 2xx.

Each role's request runs in a savepoint that is rolled back, so one role's write never changes what the
next one sees. The expectations are written out by hand, endpoint by endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from tests.access_targets import ROLES, Side, Targets, build_targets, everyone, expect, mismatches, only
from tests.conftest import ApiClient
from tests.factories import PASSWORD

SYS, DA, SS, DISP, SUP, HND, CH, CW, GW, REP, RES, OUT = ROLES
ALL_STAFF_AND_REPS = {SYS, DA, SS, DISP, SUP, HND, CH, CW, GW, REP}
REGISTER_KEEPERS_HERE = {SYS, DA, SS, CH, CW, GW}
ADMINS = {SYS, DA}


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[Targets, Side], str]
    mine: dict[str, int]
    theirs: dict[str, int] | None = None  # None: the endpoint has no object on either side
    body: Callable[[Targets, Side], Any] | None = None


def _unit_create(t: Targets, s: Side) -> dict:
    return {"parent_id": s.grid.pk, "name": "新楼", "kind": "building", "code": s.grid.code + "009"}


CASES = [
    # --- me -------------------------------------------------------------------------------------
    Case("me", "get", lambda t, s: "/me", everyone(200)),
    Case("me update", "patch", lambda t, s: "/me", everyone(200), body=lambda t, s: {"elderly_mode": True}),
    Case(
        "me password",
        "post",
        lambda t, s: "/me/password",
        everyone(204),
        body=lambda t, s: {"old_password": PASSWORD, "new_password": "another-long-pass"},
    ),
    Case("token list", "get", lambda t, s: "/me/tokens", everyone(200)),
    Case("token create", "post", lambda t, s: "/me/tokens", everyone(201), body=lambda t, s: {"name": "对接"}),
    Case("someone else's token", "delete", lambda t, s: f"/me/tokens/{t.stranger_token_id}", everyone(404)),
    Case("notifications", "get", lambda t, s: "/me/notifications", everyone(200)),
    Case("notifications read all", "post", lambda t, s: "/me/notifications/read-all", everyone(200)),
    Case(
        "someone else's notification",
        "post",
        lambda t, s: f"/me/notifications/{t.stranger_note_id}/read",
        everyone(404),
    ),
    # --- units ----------------------------------------------------------------------------------
    Case("unit roots", "get", lambda t, s: "/units", everyone(200)),
    Case("unit search", "get", lambda t, s: "/units?q=网格", everyone(200)),
    Case(
        "unit detail",
        "get",
        lambda t, s: f"/units/{s.grid.pk}",
        expect(ALL_STAFF_AND_REPS),
        expect({SYS, DA, HND, OUT}),
    ),
    Case(
        "unit children",
        "get",
        lambda t, s: f"/units/{s.grid.pk}/children",
        expect(ALL_STAFF_AND_REPS),
        expect({SYS, DA, HND, OUT}),
    ),
    Case(
        "unit tree",
        "get",
        lambda t, s: f"/units/{s.community.pk}/tree",
        expect(ALL_STAFF_AND_REPS - {GW}),
        expect({SYS, DA, HND, OUT}),
    ),
    Case(
        "unit history",
        "get",
        lambda t, s: f"/units/{s.grid.pk}/history",
        expect(ALL_STAFF_AND_REPS),
        expect({SYS, DA, HND, OUT}),
    ),
    Case(
        "unit create",
        "post",
        lambda t, s: "/units",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS, status=201),
        expect(ADMINS, {HND, OUT}, status=201),
        body=_unit_create,
    ),
    Case(
        "unit rename",
        "patch",
        lambda t, s: f"/units/{s.grid.pk}",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS),
        expect(ADMINS, {HND, OUT}),
        body=lambda t, s: {"name": "改名网格"},
    ),
    Case(
        "unit move",
        "post",
        lambda t, s: f"/units/{s.building.pk}/move",
        # The grid worker sees the building but not the grid it would move to.
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS - {GW}),
        expect(ADMINS, {HND, OUT}),
        body=lambda t, s: {"parent_id": s.sibling_grid.pk},
    ),
    Case(
        "unit close",
        "post",
        lambda t, s: f"/units/{s.building.pk}/close",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS),
        expect(ADMINS, {HND, OUT}),
        body=lambda t, s: {"reason": "拆除"},
    ),
    Case(
        "unit reopen",
        "post",
        lambda t, s: f"/units/{s.closed_building.pk}/reopen",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS),
        expect(ADMINS, {HND, OUT}),
    ),
    # --- departments ----------------------------------------------------------------------------
    Case("department list", "get", lambda t, s: "/departments", everyone(200)),
    Case(
        "department list of a unit",
        "get",
        lambda t, s: f"/departments?unit_id={s.community.pk}",
        expect(ALL_STAFF_AND_REPS - {GW}),
        expect({SYS, DA, HND, OUT}),
    ),
    Case(
        "department detail",
        "get",
        lambda t, s: f"/departments/{s.department.pk}",
        # A department handler sees their own department only; a grid worker's grid is below the committee.
        expect(ALL_STAFF_AND_REPS - {GW, HND}),
        expect({SYS, DA, OUT}),
    ),
    Case(
        "department create",
        "post",
        lambda t, s: "/departments",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS - {GW}, status=201),
        expect(ADMINS, {HND, OUT}, status=201),
        body=lambda t, s: {"unit_id": s.community.pk, "name": "综合执法队", "kind": "enforcement", "code": "X-1"},
    ),
    Case(
        "department update",
        "patch",
        lambda t, s: f"/departments/{s.department.pk}",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS - {GW, HND}),
        expect(ADMINS, {OUT}),
        body=lambda t, s: {"phone": "010-12345678"},
    ),
    # --- organizations --------------------------------------------------------------------------
    Case("organization list", "get", lambda t, s: "/organizations", everyone(200)),
    Case(
        "organization detail",
        "get",
        lambda t, s: f"/organizations/{s.organization.pk}",
        expect(ALL_STAFF_AND_REPS - {GW}),
        expect({SYS, DA, HND, OUT}),
    ),
    Case(
        "organization create",
        "post",
        lambda t, s: "/organizations",
        expect({SYS, DA, SS, CH}, {DISP, SUP, HND, CW, REP}, status=201),
        expect({SYS, DA, OUT}, {HND}, status=201),
        body=lambda t, s: {"unit_id": s.community.pk, "name": "志愿者协会", "kind": "social_organization"},
    ),
    Case(
        "organization update",
        "patch",
        lambda t, s: f"/organizations/{s.organization.pk}",
        expect({SYS, DA, SS, CH}, {DISP, SUP, HND, CW, REP}),
        expect({SYS, DA, OUT}, {HND}),
        body=lambda t, s: {"contact_name": "王书记"},
    ),
    # --- residents and households ---------------------------------------------------------------
    Case("resident list", "get", lambda t, s: "/residents", everyone(200)),
    Case(
        "resident list of a unit",
        "get",
        lambda t, s: f"/residents?unit_id={s.grid.pk}",
        expect(REGISTER_KEEPERS_HERE | {SUP}),
        expect({SYS, DA, OUT}),
    ),
    Case(
        "resident detail",
        "get",
        lambda t, s: f"/residents/{s.resident.pk}",
        expect(REGISTER_KEEPERS_HERE | {SUP}),
        expect({SYS, DA, OUT}),
    ),
    Case(
        "resident create",
        "post",
        lambda t, s: "/residents",
        expect(REGISTER_KEEPERS_HERE, {SUP}, status=201),
        expect({SYS, DA, OUT}, status=201),
        body=lambda t, s: {"unit_id": s.grid.pk, "name": "新居民", "gender": "F", "birth_date": "1990-02-03"},
    ),
    Case(
        "resident update",
        "patch",
        lambda t, s: f"/residents/{s.resident.pk}",
        expect(REGISTER_KEEPERS_HERE, {SUP}),
        expect({SYS, DA, OUT}),
        body=lambda t, s: {"notes": "独居"},
    ),
    Case(
        "resident reveal",
        "post",
        lambda t, s: f"/residents/{s.resident.pk}/reveal",
        expect({SYS, DA, CH, CW}, {SS, SUP, GW}),
        expect({SYS, DA}, {OUT}),
        body=lambda t, s: {"field": "identity"},
    ),
    Case(
        "resident move out",
        "post",
        lambda t, s: f"/residents/{s.resident.pk}/move-out",
        expect(REGISTER_KEEPERS_HERE, {SUP}),
        expect({SYS, DA, OUT}),
        body=lambda t, s: {},
    ),
    Case("household list", "get", lambda t, s: "/households", everyone(200)),
    Case(
        "household detail",
        "get",
        lambda t, s: f"/households/{s.household.pk}",
        expect(REGISTER_KEEPERS_HERE | {SUP}),
        expect({SYS, DA, OUT}),
    ),
    Case(
        "household create",
        "post",
        lambda t, s: "/households",
        expect(REGISTER_KEEPERS_HERE, {SUP}, status=201),
        expect({SYS, DA, OUT}, status=201),
        body=lambda t, s: {"unit_id": s.grid.pk, "number": "H-NEW", "address": "新路1号"},
    ),
    Case(
        "household update",
        "patch",
        lambda t, s: f"/households/{s.household.pk}",
        expect(REGISTER_KEEPERS_HERE, {SUP}),
        expect({SYS, DA, OUT}),
        body=lambda t, s: {"address": "新路2号"},
    ),
    # --- users and grants -----------------------------------------------------------------------
    Case("user search", "get", lambda t, s: "/users?q=target", everyone(200)),
    Case(
        "user detail",
        "get",
        lambda t, s: f"/users/{s.user.pk}",
        expect({SYS, DA, SS, CH, CW}),
        expect({SYS, DA, OUT}),
    ),
    Case(
        "user create",
        "post",
        lambda t, s: "/users",
        only({SYS, DA, SS, CH, OUT}, status=201),
        body=lambda t, s: {"username": "newbie", "password": "long-enough-pass"},
    ),
    Case("grant list", "get", lambda t, s: "/grants", everyone(200)),
    Case(
        "grant create",
        "post",
        lambda t, s: "/grants",
        expect({SYS, DA, SS, CH}, {CW}, status=201),
        expect({SYS, DA, OUT}, status=201),
        body=lambda t, s: {"user_id": s.user.pk, "role": "representative", "unit_id": s.grid.pk},
    ),
    Case(
        "grant revoke",
        "delete",
        lambda t, s: f"/grants/{s.grant.pk}",
        expect({SYS, DA, SS, CH}, {CW}, status=204),
        expect({SYS, DA, OUT}, status=204),
    ),
    # --- audit ----------------------------------------------------------------------------------
    Case("audit events", "get", lambda t, s: "/audit/events", everyone(200)),
    Case(
        "audit event detail",
        "get",
        lambda t, s: f"/audit/events/{s.event_id}",
        expect({SYS, DA, SS, SUP, CH}),
        expect({SYS, DA, OUT}),
    ),
    Case("audit verify", "post", lambda t, s: "/audit/verify", only(ADMINS)),
]

PARAMS = [
    pytest.param(case, side, id=f"{case.name} ({side})")
    for case in CASES
    for side in (("mine", "theirs") if case.theirs is not None else ("mine",))
]


def _call(client: ApiClient, case: Case, targets: Targets, side: Side):
    path = case.path(targets, side)
    body = case.body(targets, side) if case.body else None
    if case.method == "get":
        return client.get(path)
    return getattr(client, case.method)(path, body if body is not None else ({} if case.method == "post" else None))


@pytest.mark.parametrize(("case", "side_name"), PARAMS)
def test_every_role_gets_the_status_the_policy_gives_it(world, case, side_name):
    targets = build_targets(world)
    side = targets.side(side_name)
    expected = case.mine if side_name == "mine" else case.theirs
    actual: dict[str, int] = {}
    for role in ROLES:
        with transaction.atomic():
            response = _call(ApiClient(world.users[role]), case, targets, side)
            actual[role] = response.status_code
            if response.status_code >= 400:
                body = response.json()
                assert body["error"]["code"] in ("not_found", "forbidden", "invalid_input"), (role, body)
            transaction.set_rollback(True)
    problems = mismatches(expected, actual)
    assert not problems, f"{case.name} ({side_name}):\n" + "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_anonymous_callers_get_401_everywhere(world, case):
    targets = build_targets(world)
    response = _call(ApiClient(), case, targets, targets.mine)
    assert response.status_code == 401, (case.name, response.status_code)
    assert response.json()["error"]["code"] == "not_authenticated"


FOUNDATION_APIS = ("gongzhi_units_api_", "gongzhi_people_api_", "gongzhi_audit_api_", "gongzhi_notify_api_")


def test_the_matrix_covers_every_foundation_endpoint(world):
    import re

    from gongzhi.api import api

    schema = api.get_openapi_schema()
    endpoints = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation["operationId"].startswith(FOUNDATION_APIS)
    }
    patterns = {path: re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$") for _m, path in endpoints}
    targets = build_targets(world)
    covered = set()
    for case in CASES:
        concrete = "/api/v1" + case.path(targets, targets.mine).split("?")[0]
        for path, pattern in patterns.items():
            if pattern.match(concrete):
                covered.add((case.method.upper(), path))
    assert endpoints - covered == set(), "endpoints missing from the access matrix"
