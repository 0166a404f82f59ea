"""Objects on both sides of the district for the access matrices: 'mine' under 光明社区, 'theirs' under 东坡村."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gongzhi.audit.chain import record
from gongzhi.notify.models import Notification
from gongzhi.people.actions import token_create
from gongzhi.people.models import Household, Resident, RoleGrant, User
from gongzhi.people.roles import Role
from gongzhi.units.models import Department, DepartmentKind, Organization, OrganizationKind, Unit, UnitKind
from tests.factories import (
    UserFactory,
    World,
    grant,
    identity_number,
    make_department,
    make_organization,
    make_resident,
    make_unit,
)

ROLES = [
    "sysadmin",
    "district_admin",
    "street_staff",
    "dispatcher",
    "supervisor",
    "handler",
    "community_head",
    "community_worker",
    "grid_worker",
    "representative",
    "resident",
    "outsider",
]


@dataclass
class Side:
    """The objects of one side: a grid with a building, a community's department and organization, people."""

    community: Unit
    grid: Unit
    sibling_grid: Unit
    building: Unit
    closed_building: Unit
    department: Department
    organization: Organization
    resident: Resident
    household: Household
    user: User
    grant: RoleGrant
    event_id: int


@dataclass
class Targets:
    mine: Side
    theirs: Side
    stranger: User  # owns a token and a notification nobody else may touch
    stranger_token_id: int
    stranger_note_id: int

    def side(self, name: str) -> Side:
        return getattr(self, name)


def _side(world: World, label: str, community: Unit, grid: Unit, sibling_grid: Unit, n: int) -> Side:
    building = make_unit(grid, UnitKind.BUILDING, f"{label}1号楼", grid.code + "001")
    closed = make_unit(grid, UnitKind.BUILDING, f"{label}2号楼", grid.code + "002")
    Unit.objects.filter(pk=closed.pk).update(valid_to=dt.date(2025, 1, 1))
    closed.refresh_from_db()
    department = make_department(
        community, f"{label}居委会", DepartmentKind.COMMITTEE, jurisdiction=community, code=f"C-{label}"
    )
    organization = make_organization(community, f"{label}党委", OrganizationKind.PARTY_COMMITTEE)
    household = Household.objects.create(number=f"H-{label}", unit=grid, address=f"{label}路1号")
    resident = make_resident(
        grid,
        f"{label}居民",
        identity=identity_number(dt.date(1960, 1, 1), 500 + n),
        mobile=f"1390000{n:04d}",
        household=household,
    )
    user = UserFactory(username=f"target-{n}", display_name=f"{label}用户")
    target_grant = grant(user, Role.RESIDENT, grid)
    event = record(actor=None, action="test.event", target=("test", n, label), unit=grid)
    return Side(
        community,
        grid,
        sibling_grid,
        building,
        closed,
        department,
        organization,
        resident,
        household,
        user,
        target_grant,
        event.pk,
    )


def build_targets(world: World) -> Targets:
    sibling = make_unit(world.outside_community, UnitKind.GRID, "东坡村第2网格", world.outside_community.code + "02")
    mine = _side(world, "光明", world.community, world.grid, world.other_grid, 1)
    theirs = _side(world, "东坡", world.outside_community, world.outside_grid, sibling, 2)
    stranger = UserFactory(username="stranger", display_name="陌生人")
    token, _secret = token_create(actor=stranger, name="别人的令牌")
    note = Notification.objects.create(recipient=stranger, kind="test", title="别人的通知")
    return Targets(mine, theirs, stranger, token.pk, note.pk)


def expect(ok: Any = (), forbidden: Any = (), *, status: int = 200) -> dict[str, int]:
    """Return the expected status per role: `status` for ok, 403 for forbidden, 404 for everyone else."""
    ok, forbidden = set(ok), set(forbidden)
    assert not ok & forbidden
    assert (ok | forbidden) <= set(ROLES), (ok | forbidden) - set(ROLES)
    return {role: status if role in ok else 403 if role in forbidden else 404 for role in ROLES}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(ok: Any, *, status: int = 200, otherwise: int = 403) -> dict[str, int]:
    """For actions with no object yet (create where no object exists): ok roles get status, the rest 403."""
    return {role: status if role in set(ok) else otherwise for role in ROLES}


def mismatches(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    return [
        f"{role}: expected {expected[role]}, got {actual[role]}" for role in ROLES if expected[role] != actual[role]
    ]
