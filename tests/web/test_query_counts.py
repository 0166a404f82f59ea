"""No N+1: lists cost the same number of queries for a few rows as for many."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.audit.chain import record
from gongzhi.notify.models import Notification
from gongzhi.people.actions import token_create
from gongzhi.people.models import Household, ResidentTag
from gongzhi.people.roles import Role
from gongzhi.units.models import Organization, OrganizationKind, UnitKind
from tests.conftest import ApiClient
from tests.factories import (
    UserFactory,
    grant,
    identity_number,
    make_department,
    make_organization,
    make_resident,
    make_unit,
)


def _grow(world, n: int, start: int) -> None:
    """Add n of everything a list shows, spread over units, with tags, households, children."""
    admin = world.users["district_admin"]
    party = Organization.objects.filter(name="党委").first() or make_organization(
        world.community, "党委", OrganizationKind.PARTY_COMMITTEE
    )
    for i in range(start, start + n):
        grid = make_unit(world.community, UnitKind.GRID, f"网格{i}", world.community.code + f"{50 + i:02d}")
        make_unit(grid, UnitKind.BUILDING, f"楼{i}", grid.code + "01")
        household = Household.objects.create(number=f"H{i}", unit=grid, address=f"路{i}号")
        resident = make_resident(
            grid,
            f"居民{i}",
            identity=identity_number(dt.date(1960, 1, 1), 600 + i),
            mobile=f"1350000{i:04d}",
            household=household,
        )
        ResidentTag.objects.create(resident=resident, tag="elderly")
        make_department(grid, f"网格站{i}", "committee", code=f"G-{i}")
        make_organization(grid, f"支部{i}", OrganizationKind.PARTY_BRANCH, parent=party)
        user = UserFactory(username=f"u{i}")
        grant(user, Role.GRID_WORKER, grid)
        record(actor=admin, action="test.x", target=("x", i, f"对象{i}"), unit=grid)
        Notification.objects.create(recipient=world.users["community_head"], kind="k", title=f"通知{i}")
        token_create(actor=world.users["community_head"], name=f"t{i}")


API = [
    "/api/v1/residents",
    "/api/v1/residents?tag=elderly",
    "/api/v1/households",
    "/api/v1/units?q=网格",
    "/api/v1/units/{community}/children",
    "/api/v1/units/{community}/tree?depth=2",
    "/api/v1/departments",
    "/api/v1/organizations",
    "/api/v1/audit/events",
    "/api/v1/me/notifications",
    "/api/v1/me/tokens",
    "/api/v1/grants",
    "/api/v1/users?q=u",
    "/api/v1/me",
]
PAGES = [
    "/desk/",
    "/people/residents/",
    "/people/residents/export.xlsx",
    "/people/households/",
    "/people/users/",
    "/units/",
    "/units/{community}/",
    "/units/{community}/children/",
    "/units/departments/",
    "/units/organizations/",
    "/audit/",
    "/notifications/",
    "/accounts/tokens/",
]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", API + PAGES)
def test_a_list_costs_the_same_for_few_and_many_rows(world, path):
    url = path.format(community=world.community.pk)
    head = world.users["community_head"]
    client = ApiClient(head) if path.startswith("/api/") else Client()
    if not path.startswith("/api/"):
        client.force_login(head)
    _grow(world, 2, 0)
    few = _count(client, url)
    _grow(world, 8, 2)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"
    # The desk is composed of every app's panels for the role; other pages are single lists.
    limit = 60 if path == "/desk/" else 25
    assert many <= limit, f"{url}: {many} queries"


def test_the_resident_list_stays_small_in_queries(world, community_head, django_assert_max_num_queries):
    _grow(world, 10, 0)
    client = ApiClient(community_head)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/residents").status_code == 200
