"""Factories and builders for test data. Units are built through treebeard (paths must be right)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import factory

from gongzhi.lib import crypto
from gongzhi.lib.validators import identity_check_digit
from gongzhi.people.actions import identity_lookup, mobile_lookup
from gongzhi.people.models import Household, Resident, ResidentTag, RoleGrant, User
from gongzhi.people.roles import Role
from gongzhi.units.models import Department, DepartmentKind, Organization, OrganizationKind, Unit, UnitKind

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"测试 {o.username}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_unit(parent: Unit | None, kind: str, name: str, code: str | None = None) -> Unit:
    """Create a unit with a code that fits its parent (12 digits down to community, longer below)."""
    if code is None:
        n = next(_seq)
        if parent is None:
            code = f"99{n % 100:02d}00000000" if kind == UnitKind.CITY else f"99{n % 100:02d}{n % 100:02d}000000"
        elif kind in (UnitKind.DISTRICT,):
            code = parent.code[:4] + f"{n % 100:02d}" + "000000"
        elif kind in (UnitKind.STREET, UnitKind.TOWNSHIP):
            code = parent.code[:6] + f"{n % 1000:03d}" + "000"
        elif kind in (UnitKind.COMMUNITY, UnitKind.VILLAGE):
            code = parent.code[:9] + f"{n % 1000:03d}"
        else:
            code = parent.code + f"{n % 100:02d}"
    fields = {"name": name, "kind": kind, "code": code, "valid_from": dt.date(2020, 1, 1)}
    return Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)


def make_department(
    unit: Unit,
    name: str,
    kind: str = DepartmentKind.DISTRICT_BUREAU,
    jurisdiction: Unit | None = None,
    code: str | None = None,
) -> Department:
    return Department.objects.create(
        unit=unit, jurisdiction=jurisdiction or unit, name=name, kind=kind, code=code or f"DEPT-{next(_seq)}"
    )


def make_organization(
    unit: Unit, name: str, kind: str = OrganizationKind.SOCIAL_ORGANIZATION, parent: Organization | None = None
) -> Organization:
    fields = {"unit": unit, "name": name, "kind": kind}
    return Organization.objects.add_child(parent, fields) if parent else Organization.objects.add_root(fields)


def grant(user: User, role: str, node: Any = None, **kwargs: Any) -> RoleGrant:
    """Give a role directly (tests of grant_create use the action itself)."""
    unit = node if isinstance(node, Unit) else None
    department = node if isinstance(node, Department) else None
    organization = node if isinstance(node, Organization) else None
    anchor = (
        unit.path
        if unit
        else department.jurisdiction.path
        if department
        else organization.unit.path
        if organization
        else ""
    )
    row = RoleGrant.objects.create(
        user=user, role=role, unit=unit, department=department, organization=organization, anchor_path=anchor, **kwargs
    )
    if hasattr(user, "_gongzhi_grants"):
        del user._gongzhi_grants
    return row


def identity_number(birth: dt.date = dt.date(1980, 5, 17), seq: int | None = None, male: bool = True) -> str:
    """Return a valid identity number in the fictitious region 990102."""
    n = seq if seq is not None else next(_seq)
    body = f"990102{birth:%Y%m%d}{(n * 2 + (1 if male else 0)) % 1000:03d}"
    return body + identity_check_digit(body)


def make_resident(
    unit: Unit,
    name: str = "张三",
    *,
    identity: str | None = None,
    mobile: str | None = None,
    household: Household | None = None,
    user: User | None = None,
    tags: list[str] | None = None,
    birth_date: dt.date = dt.date(1980, 5, 17),
    gender: str = "M",
) -> Resident:
    resident = Resident(unit=unit, name=name, gender=gender, birth_date=birth_date, household=household, user=user)
    if identity:
        resident.identity_encrypted = crypto.encrypt(identity)
        resident.identity_index = identity_lookup(identity)
    if mobile:
        resident.mobile_encrypted = crypto.encrypt(mobile)
        resident.mobile_index = mobile_lookup(mobile)
    resident.save()
    for tag in tags or []:
        ResidentTag.objects.create(resident=resident, tag=tag)
    return resident


@dataclass
class World:
    """A small district: two streets, communities, grids, departments and the named cast."""

    city: Unit
    district: Unit
    street: Unit
    other_street: Unit
    community: Unit
    other_community: Unit
    grid: Unit
    other_grid: Unit
    outside_community: Unit
    outside_grid: Unit
    department: Department
    street_department: Department
    utility: Department
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    city = make_unit(None, UnitKind.CITY, "示范市", "990100000000")
    district = make_unit(city, UnitKind.DISTRICT, "示范区", "990102000000")
    street = make_unit(district, UnitKind.STREET, "和平街道", "990102001000")
    other_street = make_unit(district, UnitKind.TOWNSHIP, "青山镇", "990102100000")
    community = make_unit(street, UnitKind.COMMUNITY, "光明社区", "990102001001")
    other_community = make_unit(street, UnitKind.COMMUNITY, "幸福社区", "990102001002")
    grid = make_unit(community, UnitKind.GRID, "光明社区第1网格", "99010200100101")
    other_grid = make_unit(community, UnitKind.GRID, "光明社区第2网格", "99010200100102")
    outside_community = make_unit(other_street, UnitKind.VILLAGE, "东坡村", "990102100201")
    outside_grid = make_unit(outside_community, UnitKind.GRID, "东坡村第1网格", "99010210020101")
    department = make_department(district, "区城市管理委员会", code="D-CGW")
    street_department = make_department(street, "和平街道城市管理科", DepartmentKind.STREET_SECTION, code="S-CGK")
    utility = make_department(district, "示范供电公司", DepartmentKind.UTILITY, code="D-GDGS")
    world = World(
        city,
        district,
        street,
        other_street,
        community,
        other_community,
        grid,
        other_grid,
        outside_community,
        outside_grid,
        department,
        street_department,
        utility,
    )
    cast = [
        ("sysadmin", Role.SYSTEM_ADMIN, None),
        ("district_admin", Role.DISTRICT_ADMIN, district),
        ("street_staff", Role.STREET_STAFF, street),
        ("dispatcher", Role.DISPATCHER, street),
        ("supervisor", Role.SUPERVISOR, street),
        ("handler", Role.DEPARTMENT_HANDLER, department),
        ("community_head", Role.COMMUNITY_HEAD, community),
        ("community_worker", Role.COMMUNITY_WORKER, community),
        ("grid_worker", Role.GRID_WORKER, grid),
        ("representative", Role.REPRESENTATIVE, community),
        ("resident", Role.RESIDENT, grid),
        ("outsider", Role.STREET_STAFF, other_street),
    ]
    for username, role, node in cast:
        user = UserFactory(username=username, display_name=username)
        grant(user, role, node)
        world.users[username] = user
    make_resident(
        grid,
        "张秀英",
        identity=identity_number(dt.date(1950, 3, 2), 1, male=False),
        mobile="13800001111",
        user=world.users["resident"],
        gender="F",
        birth_date=dt.date(1950, 3, 2),
    )
    return world
