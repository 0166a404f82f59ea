"""Every API endpoint that writes: success, and each kind of bad input refused with a clear 4xx that
names the field — malformed JSON 400, unknown fields 422, oversized bodies 413, invalid values 422 —
with nothing written to the database."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from tests.access_targets import Targets, build_targets
from tests.conftest import ApiClient, assert_error
from tests.db_state import changed_tables, database_state
from tests.factories import PASSWORD, identity_number


@dataclass
class Write:
    name: str
    actor: str
    method: str
    path: Callable[[Targets], str]
    good: Callable[[Targets], dict[str, Any]]
    invalid: list[tuple[dict[str, Any], str]]  # (changes to the good body, the field that must be named)
    status: int = 200


WRITES = [
    Write(
        "profile",
        "community_worker",
        "patch",
        lambda t: "/me",
        lambda t: {"display_name": "吴娟"},
        [
            ({"language": "fr"}, "language"),
            ({"email": "not-an-address"}, "email"),
            ({"mobile": "12345"}, "mobile"),
            ({"elderly_mode": "sometimes"}, "elderly_mode"),
            ({"display_name": "名" * 61}, "display_name"),
        ],
    ),
    Write(
        "password",
        "community_worker",
        "post",
        lambda t: "/me/password",
        lambda t: {"old_password": PASSWORD, "new_password": "another-long-pass"},
        [
            ({"old_password": "wrong"}, "old_password"),
            ({"new_password": "12345678"}, "new_password"),
            ({"new_password": "short"}, "new_password"),
        ],
        status=204,
    ),
    Write(
        "token",
        "community_worker",
        "post",
        lambda t: "/me/tokens",
        lambda t: {"name": "12345对接"},
        [
            ({"name": ""}, "name"),
            ({"name": "长" * 81}, "name"),
            ({"expires_at": "2001-01-01T00:00:00+08:00"}, "expires_at"),
            ({"expires_at": "tomorrow"}, "expires_at"),
        ],
        status=201,
    ),
    Write(
        "unit",
        "district_admin",
        "post",
        lambda t: "/units",
        lambda t: {
            "parent_id": t.mine.community.pk,
            "name": "第9网格",
            "kind": "grid",
            "code": t.mine.community.code + "09",
        },
        [
            ({"kind": "planet"}, "kind"),
            ({"code": "12"}, "code"),
            ({"name": ""}, "name"),
            ({"kind": "community"}, "parent"),
            ({"parent_id": "abc"}, "parent_id"),
            ({"valid_from": "2026-13-01"}, "valid_from"),
        ],
        status=201,
    ),
    Write(
        "unit rename",
        "district_admin",
        "patch",
        lambda t: f"/units/{t.mine.grid.pk}",
        lambda t: {"name": "新名"},
        [({"name": "   "}, "name"), ({"name": 5}, "name")],
    ),
    Write(
        "unit move",
        "district_admin",
        "post",
        lambda t: f"/units/{t.mine.building.pk}/move",
        lambda t: {"parent_id": t.mine.sibling_grid.pk},
        [({"parent_id": None}, "parent_id"), ({"reason": ["x"]}, "reason")],
    ),
    Write(
        "unit close",
        "district_admin",
        "post",
        lambda t: f"/units/{t.mine.building.pk}/close",
        lambda t: {},
        [({"on": "2000-01-01"}, "on"), ({"on": "yesterday"}, "on")],
    ),
    Write(
        "department",
        "district_admin",
        "post",
        lambda t: "/departments",
        lambda t: {"unit_id": t.mine.community.pk, "name": "执法队", "kind": "enforcement", "code": "NEW-1"},
        [
            ({"kind": "ministry"}, "kind"),
            ({"code": "D-CGW"}, "code"),
            ({"name": ""}, "name"),
            ({"jurisdiction_id": "x"}, "jurisdiction_id"),
        ],
        status=201,
    ),
    Write(
        "department update",
        "district_admin",
        "patch",
        lambda t: f"/departments/{t.mine.department.pk}",
        lambda t: {"phone": "010-1"},
        [({"kind": "ministry"}, "kind"), ({"is_active": "perhaps"}, "is_active")],
    ),
    Write(
        "organization",
        "district_admin",
        "post",
        lambda t: "/organizations",
        lambda t: {"unit_id": t.mine.community.pk, "name": "协会", "kind": "social_organization"},
        [({"kind": "party_group"}, "parent"), ({"kind": "club"}, "kind"), ({"credit_code": "123"}, "credit_code")],
        status=201,
    ),
    Write(
        "organization update",
        "district_admin",
        "patch",
        lambda t: f"/organizations/{t.mine.organization.pk}",
        lambda t: {"name": "新党委"},
        [({"name": ""}, "name"), ({"is_active": []}, "is_active")],
    ),
    Write(
        "resident",
        "community_head",
        "post",
        lambda t: "/residents",
        lambda t: {
            "unit_id": t.mine.grid.pk,
            "name": "新居民",
            "identity_number": identity_number(dt.date(1988, 8, 8), 401),
            "mobile": "13811112222",
            "tags": ["elderly"],
        },
        [
            ({"identity_number": "1101011990030712"}, "identity_number"),
            ({"mobile": "2381111222"}, "mobile"),
            ({"tags": ["martian"]}, "tags"),
            ({"name": ""}, "name"),
            ({"gender": "X"}, "gender"),
            ({"birth_date": "1988-08-09"}, "birth_date"),
            ({"household_id": 999999}, "household"),
            ({"relation": "cousin"}, "relation"),
            ({"tags": "elderly"}, "tags"),
        ],
        status=201,
    ),
    Write(
        "resident update",
        "community_head",
        "patch",
        lambda t: f"/residents/{t.mine.resident.pk}",
        lambda t: {"address": "光明路9号"},
        [
            ({"identity_number": "110101199003071235"}, "identity_number"),
            ({"mobile": "1381111222"}, "mobile"),
            ({"unit_id": "grid"}, "unit_id"),
            ({"birth_date": "2999-01-01"}, "birth_date"),
        ],
    ),
    Write(
        "reveal",
        "community_head",
        "post",
        lambda t: f"/residents/{t.mine.resident.pk}/reveal",
        lambda t: {"field": "identity"},
        [({"field": "address"}, "field")],
    ),
    Write(
        "move out",
        "community_head",
        "post",
        lambda t: f"/residents/{t.mine.resident.pk}/move-out",
        lambda t: {"on": "2026-01-01"},
        [({"on": "01/01/2026"}, "on")],
    ),
    Write(
        "household",
        "community_head",
        "post",
        lambda t: "/households",
        lambda t: {"unit_id": t.mine.grid.pk, "number": "H-9", "address": "光明路9号"},
        [({"number": "H-光明"}, "number"), ({"address": " "}, "address"), ({"number": ""}, "number")],
        status=201,
    ),
    Write(
        "household update",
        "community_head",
        "patch",
        lambda t: f"/households/{t.mine.household.pk}",
        lambda t: {"address": "光明路10号"},
        [({"address": ""}, "address")],
    ),
    Write(
        "user",
        "district_admin",
        "post",
        lambda t: "/users",
        lambda t: {"username": "new.user", "password": "long-enough-pass", "mobile": "13922223333"},
        [
            ({"username": "community_head"}, "username"),
            ({"username": "bad name!"}, "username"),
            ({"password": "123"}, "password"),
            ({"mobile": "1392222333"}, "mobile"),
            ({"language": "fr"}, "language"),
        ],
        status=201,
    ),
    Write(
        "grant",
        "district_admin",
        "post",
        lambda t: "/grants",
        lambda t: {"user_id": t.mine.user.pk, "role": "grid_worker", "unit_id": t.mine.grid.pk},
        [
            ({"role": "mayor"}, "role"),
            ({"user_id": 999999}, "user_id"),
            ({"valid_to": "1999-01-01"}, "valid_to"),
            ({"valid_from": "soon"}, "valid_from"),
        ],
        status=201,
    ),
]


def _client(world, write: Write) -> ApiClient:
    return ApiClient(world.users[write.actor])


def _send(client: ApiClient, write: Write, path: str, raw: str | bytes):
    return client.generic(write.method.upper(), "/api/v1" + path, raw, content_type="application/json")


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_good_input_succeeds(world, write):
    targets = build_targets(world)
    response = getattr(_client(world, write), write.method)(write.path(targets), write.good(targets))
    assert response.status_code == write.status, response.content


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(world, write):
    targets = build_targets(world)
    client = _client(world, write)
    path = write.path(targets)
    good = write.good(targets)
    before = database_state()

    for raw in ('{"name": "x",', "not json", "{'single': 'quotes'}", b"\xff\xfe"):
        assert_error(_send(client, write, path, raw), 400, "bad_request")
    for raw in ("[]", '"text"', "42"):
        assert_error(_send(client, write, path, raw), 400, "bad_request")

    response = getattr(client, write.method)(path, {**good, "colour": "red"})
    body = assert_error(response, 422, "invalid_input", "colour")
    assert body["error"]["fields"]["colour"] == ["未知字段。"]

    huge = json.dumps({**good, "notes": "长" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert_error(_send(client, write, path, huge), 413, "too_large")

    for changes, field in write.invalid:
        response = getattr(client, write.method)(path, {**good, **changes})
        assert_error(response, 422, "invalid_input", field)

    assert changed_tables(before, database_state()) == []


def test_a_missing_required_field_is_named(world, district_admin, api):
    response = api(district_admin).post("/units", {"name": "x"})
    body = assert_error(response, 422, "invalid_input")
    assert set(body["error"]["fields"]) == {"kind", "code"}
    assert body["error"]["fields"]["kind"] == ["此项必填。"]


def test_an_empty_body_is_a_bad_request(world, district_admin, api):
    response = api(district_admin).generic("POST", "/api/v1/units", "", content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_messages_follow_the_language(world, district_admin, api):
    client = api(district_admin)
    client.cookies["django_language"] = "en"
    body = client.post("/units", {"name": "x", "kind": "grid", "code": "1", "colour": "red"}).json()
    assert body["error"]["fields"]["colour"] == ["Unknown field."]
    assert body["error"]["message"] == "Please check the fields marked."


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/residents?limit=abc", "limit"),
        ("/residents?limit=0", "limit"),
        ("/residents?limit=201", "limit"),
        ("/residents?age_min=old", "age_min"),
        ("/residents?gender=X", "gender"),
        ("/residents?tag=martian", "tag"),
        ("/residents?include_moved_out=perhaps", "include_moved_out"),
        ("/residents?unit_id=x", "unit_id"),
        ("/households?limit=-1", "limit"),
        ("/units?limit=500", "limit"),
        ("/units/1/tree?depth=9", "depth"),
        ("/audit/events?since=yesterday", "since"),
        ("/audit/events?cursor=!!", "cursor"),
        ("/me/notifications?limit=1000", "limit"),
        ("/departments?active=perhaps", "active"),
    ],
)
def test_bad_query_parameters_are_named(world, district_admin, api, path, field):
    assert_error(api(district_admin).get(path), 422, "invalid_input", field)


@pytest.mark.parametrize(
    "path",
    [
        "/units/999999",
        "/units/999999/children",
        "/departments/999999",
        "/organizations/999999",
        "/residents/999999",
        "/households/999999",
        "/users/999999",
        "/audit/events/999999",
    ],
)
def test_missing_objects_are_404(world, sysadmin, api, path):
    assert_error(api(sysadmin).get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/units/999999"),
        ("post", "/units/999999/close"),
        ("delete", "/grants/999999"),
        ("delete", "/me/tokens/999999"),
        ("post", "/me/notifications/999999/read"),
        ("patch", "/residents/999999"),
    ],
)
def test_writes_to_missing_objects_are_404(world, sysadmin, api, method, path):
    response = getattr(api(sysadmin), method)(path, {} if method != "delete" else None)
    assert_error(response, 404, "not_found")


def test_the_openapi_document_and_docs_are_served_locally(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/residents" in schema["paths"] and "/api/v1/units/{unit_id}/move" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/" in docs


LONG = [
    (
        "unit address",
        "district_admin",
        "post",
        lambda t: "/units",
        lambda t: {
            "parent_id": t.mine.community.pk,
            "name": "网格",
            "kind": "grid",
            "code": t.mine.community.code + "09",
            "address": "路" * 201,
        },
        "address",
    ),
    (
        "unit phone",
        "district_admin",
        "patch",
        lambda t: f"/units/{t.mine.grid.pk}",
        lambda t: {"phone": "1" * 41},
        "phone",
    ),
    (
        "department short name",
        "district_admin",
        "post",
        lambda t: "/departments",
        lambda t: {
            "unit_id": t.mine.community.pk,
            "name": "队",
            "kind": "enforcement",
            "code": "N-1",
            "short_name": "简" * 41,
        },
        "short_name",
    ),
    (
        "department phone",
        "district_admin",
        "patch",
        lambda t: f"/departments/{t.mine.department.pk}",
        lambda t: {"phone": "1" * 41},
        "phone",
    ),
    (
        "organization contact",
        "district_admin",
        "post",
        lambda t: "/organizations",
        lambda t: {"unit_id": t.mine.community.pk, "name": "会", "kind": "partner", "contact_name": "联" * 41},
        "contact_name",
    ),
    (
        "organization credit code",
        "district_admin",
        "patch",
        lambda t: f"/organizations/{t.mine.organization.pk}",
        lambda t: {"credit_code": "123"},
        "credit_code",
    ),
    (
        "organization phone",
        "district_admin",
        "patch",
        lambda t: f"/organizations/{t.mine.organization.pk}",
        lambda t: {"contact_phone": "1" * 41},
        "contact_phone",
    ),
    (
        "household address",
        "community_head",
        "post",
        lambda t: "/households",
        lambda t: {"unit_id": t.mine.grid.pk, "number": "H-9", "address": "路" * 201},
        "address",
    ),
    (
        "household update",
        "community_head",
        "patch",
        lambda t: f"/households/{t.mine.household.pk}",
        lambda t: {"address": "路" * 201},
        "address",
    ),
    ("profile e-mail", "community_head", "patch", lambda t: "/me", lambda t: {"email": "a@" + "b" * 260}, "email"),
    (
        "resident into a closed unit",
        "community_head",
        "patch",
        lambda t: f"/residents/{t.mine.resident.pk}",
        lambda t: {"unit_id": t.mine.closed_building.pk},
        "unit",
    ),
]


@pytest.mark.parametrize(("name", "actor", "method", "path", "body", "field"), LONG, ids=[c[0] for c in LONG])
def test_values_longer_than_their_column_or_out_of_place_are_422(world, name, actor, method, path, body, field):
    # Without these checks PostgreSQL raised DataError (a 500) where SQLite silently stored the value.
    targets = build_targets(world)
    client = ApiClient(world.users[actor])
    before = database_state()
    response = getattr(client, method)(path(targets), body(targets))
    assert_error(response, 422, "invalid_input", field)
    assert changed_tables(before, database_state()) == []
