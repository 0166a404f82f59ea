"""The access policy beyond the matrix: department and organization grants, OWN rules, grant validity,
granting rules, and grants read once per request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi import access
from gongzhi.audit.models import AuditEvent
from gongzhi.people import actions
from gongzhi.people.models import Resident, RoleGrant, User
from gongzhi.people.roles import Role
from gongzhi.units.models import Department, Organization, OrganizationKind, Unit
from tests.conftest import assert_error
from tests.factories import UserFactory, grant, make_organization, make_resident

TODAY = timezone.localdate()


# --- department and organization grants -------------------------------------------------------


def test_a_department_grant_covers_its_department_and_its_jurisdictions_units(world, handler):
    assert set(access.scope(handler, "departments.view", Department.objects.all())) == {world.department}
    # Units have no department of their own: the grant reaches the department's jurisdiction (the district).
    units = set(access.scope(handler, "units.view", Unit.objects.all()))
    assert world.outside_grid in units and world.grid in units and world.city not in units


def test_a_street_section_handler_reaches_only_the_street(world):
    user = UserFactory(username="section")
    grant(user, Role.DEPARTMENT_HANDLER, world.street_department)
    units = set(access.scope(user, "units.view", Unit.objects.all()))
    assert world.community in units and world.other_street not in units and world.district not in units
    assert set(access.scope(user, "departments.view", Department.objects.all())) == {world.street_department}


def test_an_organization_grant_covers_the_organization_subtree_and_its_units(world):
    party = make_organization(world.community, "光明社区党委", OrganizationKind.PARTY_COMMITTEE)
    branch = make_organization(world.grid, "第一党支部", OrganizationKind.PARTY_BRANCH, parent=party)
    sibling = make_organization(world.community, "物业公司", OrganizationKind.ENTERPRISE)
    user = UserFactory(username="party-secretary")
    grant(user, Role.REPRESENTATIVE, party)
    assert set(access.scope(user, "organizations.view", Organization.objects.all())) == {party, branch}
    assert not access.can(user, "organizations.view", sibling)
    # Rows without an organization of their own fall back to the organization's unit subtree.
    units = set(access.scope(user, "units.view", Unit.objects.all()))
    assert units == set(Unit.objects.filter(path__startswith=world.community.path))


def test_an_organization_grant_through_the_api(world, district_admin, api):
    party = make_organization(world.community, "光明社区党委", OrganizationKind.PARTY_COMMITTEE)
    user = UserFactory(username="member")
    response = api(district_admin).post(
        "/grants", {"user_id": user.pk, "role": "representative", "organization_id": party.pk}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["node_type"], body["node_id"]) == ("organization", party.pk)
    assert RoleGrant.objects.get(pk=body["id"]).anchor_path == world.community.path
    assert api(user).get(f"/organizations/{party.pk}").status_code == 200
    assert api(user).get(f"/units/{world.grid.pk}").status_code == 200
    assert api(user).get(f"/units/{world.other_community.pk}").status_code == 404


# --- OWN rules --------------------------------------------------------------------------------


def test_a_resident_sees_their_own_record_and_nobody_elses(world, resident, api):
    mine = Resident.objects.get(user=resident)
    neighbour = make_resident(world.grid, "邻居")
    client = api(resident)
    assert client.get(f"/residents/{mine.pk}").status_code == 200
    assert_error(client.get(f"/residents/{neighbour.pk}"), 404, "not_found")
    assert [r["id"] for r in client.get("/residents").json()["items"]] == [mine.pk]
    assert_error(client.patch(f"/residents/{mine.pk}", {"notes": "x"}), 403, "forbidden")


def test_a_resident_may_see_their_own_full_numbers_and_it_is_audited(world, resident, api):
    mine = Resident.objects.get(user=resident)
    before = AuditEvent.objects.count()
    response = api(resident).post(f"/residents/{mine.pk}/reveal", {"field": "mobile"})
    assert response.json() == {"field": "mobile", "value": "13800001111"}
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_id, event.changes) == (
        "people.resident_reveal",
        resident.pk,
        {"field": "mobile"},
    )


def test_a_user_sees_their_own_account(world, grid_worker, api):
    assert api(grid_worker).get(f"/users/{grid_worker.pk}").status_code == 200
    assert_error(api(grid_worker).get(f"/users/{world.users['resident'].pk}"), 404)


# --- validity of grants ---------------------------------------------------------------------------


def _alone(world, **validity) -> User:
    user = UserFactory(username="temporary")
    grant(user, Role.COMMUNITY_WORKER, world.community, **validity)
    return user


@pytest.mark.parametrize(
    "validity",
    [
        {"valid_from": TODAY - dt.timedelta(days=30), "valid_to": TODAY - dt.timedelta(days=1)},
        {"valid_from": TODAY + dt.timedelta(days=1)},
        {"revoked_at": timezone.now()},
    ],
    ids=["expired", "not yet valid", "revoked"],
)
def test_an_inactive_grant_gives_nothing(world, api, validity):
    user = _alone(world, **validity)
    resident = make_resident(world.grid, "某居民")
    assert access.grants(user) == []
    assert_error(api(user).get(f"/residents/{resident.pk}"), 404)
    assert_error(api(user).get(f"/units/{world.community.pk}"), 404)
    client = Client()
    client.force_login(user)
    assert client.get("/units/").status_code == 403


def test_a_grant_holds_through_its_last_day(world, api):
    user = _alone(world, valid_from=TODAY - dt.timedelta(days=3), valid_to=TODAY)
    assert api(user).get(f"/units/{world.community.pk}").status_code == 200
    tomorrow = TODAY + dt.timedelta(days=1)
    assert access.grants(user, today=tomorrow) == []


def test_revoking_a_grant_takes_effect_on_the_next_request(world, district_admin, community_worker, api):
    client = api(community_worker)
    assert client.get(f"/units/{world.community.pk}").status_code == 200
    row = RoleGrant.objects.get(user=community_worker)
    assert api(district_admin).delete(f"/grants/{row.pk}").status_code == 204
    assert_error(client.get(f"/units/{world.community.pk}"), 404)
    row.refresh_from_db()
    assert row.revoked_by == district_admin
    assert_error(api(district_admin).delete(f"/grants/{row.pk}"), 422, field="grant")


# --- granting ---------------------------------------------------------------------------------------


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer")


def test_a_community_head_grants_lower_roles_in_the_community(world, community_head, newcomer, api):
    response = api(community_head).post(
        "/grants", {"user_id": newcomer.pk, "role": "grid_worker", "unit_id": world.grid.pk, "valid_to": "2030-12-31"}
    )
    assert response.status_code == 201, response.content
    row = RoleGrant.objects.get(user=newcomer)
    assert (row.role, row.unit, row.granted_by, row.valid_to) == (
        "grid_worker",
        world.grid,
        community_head,
        dt.date(2030, 12, 31),
    )
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.unit_id) == ("people.grant_create", world.grid.pk)


@pytest.mark.parametrize(
    ("granter", "role", "node"),
    [
        ("community_head", "street_staff", "community"),
        ("community_head", "community_head", "community"),
        ("community_head", "dispatcher", "grid"),
        ("street_staff", "street_staff", "street"),
        ("street_staff", "district_admin", "community"),
        ("district_admin", "system_admin", "district"),
    ],
)
def test_nobody_grants_a_role_above_their_own(world, newcomer, api, granter, role, node):
    before = RoleGrant.objects.count()
    response = api(world.users[granter]).post(
        "/grants", {"user_id": newcomer.pk, "role": role, "unit_id": getattr(world, node).pk}
    )
    assert_error(response, 403, "forbidden")
    assert RoleGrant.objects.count() == before


@pytest.mark.parametrize(
    ("granter", "payload"),
    [
        ("community_head", {"unit_id": "other_community"}),
        ("community_head", {"department_id": "street_department"}),
        ("street_staff", {"unit_id": "outside_grid"}),
        ("street_staff", {"department_id": "department"}),
    ],
)
def test_a_grant_on_a_node_the_granter_cannot_see_is_404(world, newcomer, api, granter, payload):
    ((field, node),) = payload.items()
    response = api(world.users[granter]).post(
        "/grants", {"user_id": newcomer.pk, "role": "representative", field: getattr(world, node).pk}
    )
    assert_error(response, 404, "not_found")
    assert not RoleGrant.objects.filter(user=newcomer).exists()


def test_a_grant_on_a_node_the_granter_sees_but_does_not_control_is_403(world, community_head, newcomer, api):
    grant(community_head, Role.REPRESENTATIVE, world.street)  # sees the street, controls only the community
    access.forget(community_head)
    response = api(community_head).post(
        "/grants", {"user_id": newcomer.pk, "role": "representative", "unit_id": world.street.pk}
    )
    assert_error(response, 403, "forbidden")
    assert not RoleGrant.objects.filter(user=newcomer).exists()


def test_a_department_grant_needs_control_of_its_jurisdiction(world, street_staff, newcomer, api):
    ok = api(street_staff).post(
        "/grants", {"user_id": newcomer.pk, "role": "department_handler", "department_id": world.street_department.pk}
    )
    assert ok.status_code == 201, ok.content
    assert RoleGrant.objects.get(user=newcomer).anchor_path == world.street.path


def test_one_node_per_grant_and_no_duplicates(world, district_admin, newcomer, api):
    client = api(district_admin)
    both = client.post(
        "/grants",
        {
            "user_id": newcomer.pk,
            "role": "representative",
            "unit_id": world.grid.pk,
            "department_id": world.street_department.pk,
        },
    )
    assert_error(both, 422, "invalid_input", "unit")
    none = client.post("/grants", {"user_id": newcomer.pk, "role": "representative"})
    assert_error(none, 422, "invalid_input", "unit")
    body = {"user_id": newcomer.pk, "role": "representative", "unit_id": world.grid.pk}
    assert client.post("/grants", body).status_code == 201
    assert_error(client.post("/grants", body), 409, "duplicate_grant")
    assert_error(client.post("/grants", {**body, "role": "mayor"}), 422, "invalid_input", "role")
    assert_error(
        client.post("/grants", {**body, "role": "grid_worker", "valid_from": "2030-01-02", "valid_to": "2030-01-01"}),
        422,
        "invalid_input",
        "valid_to",
    )
    assert RoleGrant.objects.filter(user=newcomer).count() == 1


def test_only_a_global_system_admin_gives_global_system_admin(world, sysadmin, district_admin, newcomer):
    row = actions.grant_create(actor=sysadmin, user=newcomer, role=Role.SYSTEM_ADMIN)
    assert row.anchor_path == "" and access.is_global(newcomer, "units.view")
    other = UserFactory(username="other")
    with pytest.raises(Exception) as caught:
        actions.grant_create(actor=district_admin, user=other, role=Role.SYSTEM_ADMIN)
    assert caught.value.status == 422


def test_revoking_a_role_above_ones_own_is_refused(world, community_head, api):
    dispatcher_here = UserFactory(username="dispatcher-here")
    row = grant(dispatcher_here, Role.DISPATCHER, world.community)
    assert_error(api(community_head).delete(f"/grants/{row.pk}"), 403, "forbidden")
    assert RoleGrant.objects.get(pk=row.pk).revoked_at is None


def test_revoking_a_department_grant_is_audited_under_the_departments_unit(world, district_admin, handler):
    row = RoleGrant.objects.get(user=handler)
    actions.grant_revoke(actor=district_admin, grant=row)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.unit_id) == ("people.grant_revoke", world.department.unit_id)


# --- grants read once per request ----------------------------------------------------------------


def _grants_sql(user) -> str:
    access.forget(user)
    with CaptureQueriesContext(connection) as ctx:
        access.grants(user)
    access.forget(user)
    (query,) = ctx.captured_queries
    return query["sql"]


def test_grants_are_cached_on_the_user_for_the_request(world, community_worker, django_assert_num_queries):
    access.forget(community_worker)
    with django_assert_num_queries(1):
        for _ in range(5):
            access.grants(community_worker)
            access.roles(community_worker)
            access.has_any(community_worker, "residents.view")
    access.forget(community_worker)
    with django_assert_num_queries(1):
        access.grants(community_worker)


@pytest.mark.parametrize(
    "path", ["/desk/", "/people/residents/", "/units/", "/audit/", "/people/users/", "/units/departments/"]
)
def test_a_page_reads_the_actors_grants_once(world, community_head, path):
    resident = make_resident(world.grid, "某居民")
    sql = _grants_sql(community_head)
    client = Client()
    client.force_login(community_head)
    for url in (path, f"/people/residents/{resident.pk}/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert sum(q["sql"] == sql for q in ctx.captured_queries) == 1, url


def test_an_api_call_reads_the_actors_grants_once(world, community_head, api):
    resident = make_resident(world.grid, "某居民")
    sql = _grants_sql(community_head)
    with CaptureQueriesContext(connection) as ctx:
        assert api(community_head).patch(f"/residents/{resident.pk}", {"notes": "x"}).status_code == 200
    assert sum(q["sql"] == sql for q in ctx.captured_queries) == 1


def test_the_grant_list_shows_active_grants_unless_asked(world, district_admin, api):
    expired = UserFactory(username="expired")
    grant(
        expired,
        Role.GRID_WORKER,
        world.grid,
        valid_from=TODAY - dt.timedelta(days=9),
        valid_to=TODAY - dt.timedelta(days=1),
    )
    client = api(district_admin)
    assert expired.pk not in {g["user_id"] for g in client.get("/grants").json()}
    assert expired.pk in {g["user_id"] for g in client.get("/grants", {"active": False}).json()}


# --- roles_covering ---------------------------------------------------------------------------


def test_roles_covering_names_only_the_grants_that_reach_the_object(world, community_head):
    grant(community_head, Role.GRID_WORKER, world.grid)
    access.forget(community_head)
    # Both grants reach the grid; only the community grant reaches the community itself.
    assert access.roles_covering(community_head, "units.view", world.grid) == {Role.COMMUNITY_HEAD, Role.GRID_WORKER}
    assert access.roles_covering(community_head, "units.view", world.community) == {Role.COMMUNITY_HEAD}
    assert access.roles_covering(community_head, "units.view", world.other_community) == set()
    # A role the permission does not give at all is never named.
    assert access.roles_covering(community_head, "units.manage", world.grid) == set()


def test_roles_covering_is_empty_when_signed_out(world):
    assert access.roles_covering(None, "units.view", world.grid) == set()
