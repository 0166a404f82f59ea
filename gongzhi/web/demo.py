"""The demo district: one district with an urban street and a rural township, and a user per role.

Every write goes through the actions (so the demo has a real audit trail). The loader is idempotent:
run it twice and nothing is duplicated. Apps add their own demo data in ``<app>/demo.py`` with a
``load(ctx: DemoContext)`` function; they run in INSTALLED_APPS order after this one.

Identity numbers are generated with valid checksums but are obviously fictitious: the region code
990102 does not exist (there is no province 99) and every sequence number lies in 900–999.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gongzhi.lib.validators import identity_check_digit
from gongzhi.people import actions as people_actions
from gongzhi.people.models import Household, Resident, ResidentTagKind, RoleGrant, User
from gongzhi.people.roles import Role
from gongzhi.units import actions as unit_actions
from gongzhi.units.models import Department, DepartmentKind, Organization, OrganizationKind, Unit, UnitKind

DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105 - printed at start-up on purpose; demo only
REGION = "990102"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇轩晨欣怡佳"
    "琪梓涵子豪俊杰雨婷思远嘉怡博文一鸣家乐慧敏晓东春燕海波凤英德胜秀珍玉梅宏伟丽娟"
)


@dataclass
class DemoContext:
    """What the foundation demo created, for apps that add their own demo data."""

    admin: User
    city: Unit
    district: Unit
    street: Unit
    township: Unit
    communities: list[Unit]
    villages: list[Unit]
    grids: list[Unit]
    departments: dict[str, Department]
    organizations: dict[str, Organization]
    users: dict[str, User]
    residents: list[Resident] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(20261125))
    log: Any = print


# (username, display name, role, node key) — node keys are resolved after the tree exists.
DEMO_USERS: list[tuple[str, str, str, str]] = [
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, "*"),
    ("district_admin", "区管理员 李明", Role.DISTRICT_ADMIN, "district"),
    ("street_staff", "街道干部 王芳", Role.STREET_STAFF, "street"),
    ("dispatcher", "街道派单员 赵强", Role.DISPATCHER, "street"),
    ("supervisor", "监督委员 钱敏", Role.SUPERVISOR, "street"),
    ("dept_handler", "城管委承办人 孙涛", Role.DEPARTMENT_HANDLER, "dept:D-CGW"),
    ("community_head", "光明社区书记 周静", Role.COMMUNITY_HEAD, "community:0"),
    ("community_worker", "社区工作者 吴娟", Role.COMMUNITY_WORKER, "community:0"),
    ("grid_worker", "网格员 郑磊", Role.GRID_WORKER, "grid:0"),
    ("reviewer", "审核人 冯洋", Role.REVIEWER, "district"),
    ("representative", "议事代表 陈杰", Role.REPRESENTATIVE, "community:0"),
    ("resident", "居民 张秀英", Role.RESIDENT, "grid:0"),
    ("township_staff", "青山镇干部 黄勇", Role.STREET_STAFF, "township"),
]


def fictitious_identity(birth: dt.date, sequence: int, male: bool) -> str:
    """Return an identity number with a valid checksum in the non-existent region 990102, sequence 900–999."""
    seq = 900 + (sequence % 50) * 2 + (1 if male else 0)
    body = f"{REGION}{birth:%Y%m%d}{seq:03d}"
    return body + identity_check_digit(body)


def _unit(actor: User, parent: Unit | None, name: str, kind: str, code: str) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return unit_actions.unit_create(
        actor=actor, parent=parent, name=name, kind=kind, code=code, valid_from=dt.date(2020, 1, 1)
    )


def _department(
    actor: User, unit: Unit, name: str, kind: str, code: str, jurisdiction: Unit | None = None
) -> Department:
    existing = Department.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return unit_actions.department_create(
        actor=actor, unit=unit, name=name, kind=kind, code=code, jurisdiction=jurisdiction
    )


def _organization(actor: User, unit: Unit, name: str, kind: str, parent: Organization | None = None) -> Organization:
    existing = Organization.objects.filter(name=name, unit=unit).first()
    if existing is not None:
        return existing
    return unit_actions.organization_create(actor=actor, unit=unit, name=name, kind=kind, parent=parent)


def _superuser() -> User:
    user = User.objects.filter(username="sysadmin").first()
    if user is None:
        user = User(username="sysadmin", display_name="系统管理员", is_staff=True, is_superuser=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load_foundation(log: Any = print) -> DemoContext:
    """Create (or find) the demo district, its departments, organizations, users and residents."""
    admin = _superuser()
    city = _unit(admin, None, "示范市", UnitKind.CITY, "990100000000")
    district = _unit(admin, city, "示范区", UnitKind.DISTRICT, "990102000000")
    street = _unit(admin, district, "和平街道", UnitKind.STREET, "990102001000")
    township = _unit(admin, district, "青山镇", UnitKind.TOWNSHIP, "990102100000")
    communities = [
        _unit(admin, street, name, UnitKind.COMMUNITY, f"990102001{n:03d}")
        for n, name in enumerate(["光明社区", "幸福社区", "朝阳社区"], start=1)
    ]
    villages = [
        _unit(admin, township, name, UnitKind.VILLAGE, f"990102100{n:03d}")
        for n, name in enumerate(["东坡村", "西河村", "南岭村"], start=201)
    ]
    grids: list[Unit] = []
    for parent in [*communities, *villages]:
        for n in (1, 2):
            grids.append(_unit(admin, parent, f"{parent.name}第{n}网格", UnitKind.GRID, f"{parent.code}{n:02d}"))

    departments = {
        "D-CGW": _department(admin, district, "区城市管理委员会", DepartmentKind.DISTRICT_BUREAU, "D-CGW"),
        "D-ZJW": _department(admin, district, "区住房和城乡建设委员会", DepartmentKind.DISTRICT_BUREAU, "D-ZJW"),
        "D-MZJ": _department(admin, district, "区民政局", DepartmentKind.DISTRICT_BUREAU, "D-MZJ"),
        "D-SCJ": _department(admin, district, "区市场监督管理局", DepartmentKind.DISTRICT_BUREAU, "D-SCJ"),
        "D-GDGS": _department(admin, district, "示范供电公司", DepartmentKind.UTILITY, "D-GDGS"),
        "D-ZLS": _department(admin, district, "示范自来水公司", DepartmentKind.UTILITY, "D-ZLS"),
        "S-CGK": _department(admin, street, "和平街道城市管理科", DepartmentKind.STREET_SECTION, "S-CGK"),
        "S-ZFD": _department(admin, street, "和平街道综合行政执法队", DepartmentKind.ENFORCEMENT, "S-ZFD"),
        "S-PCS": _department(admin, street, "和平派出所", DepartmentKind.POLICE, "S-PCS"),
        "T-NYB": _department(admin, township, "青山镇农业农村办公室", DepartmentKind.STREET_SECTION, "T-NYB"),
        "T-PCS": _department(admin, township, "青山派出所", DepartmentKind.POLICE, "T-PCS"),
        "T-FWZX": _department(admin, township, "青山镇便民服务中心", DepartmentKind.SERVICE_CENTRE, "T-FWZX"),
        "C-GMJWH": _department(admin, communities[0], "光明社区居委会", DepartmentKind.COMMITTEE, "C-GMJWH"),
        "V-DPCWH": _department(admin, villages[0], "东坡村村委会", DepartmentKind.COMMITTEE, "V-DPCWH"),
    }

    party_street = _organization(admin, street, "中共和平街道工作委员会", OrganizationKind.PARTY_WORKING_COMMITTEE)
    party_gm = _organization(
        admin, communities[0], "中共光明社区委员会", OrganizationKind.PARTY_COMMITTEE, party_street
    )
    branch_gm = _organization(admin, communities[0], "光明社区第一党支部", OrganizationKind.PARTY_BRANCH, party_gm)
    group_gm = _organization(admin, grids[0], "光明社区第一网格党小组", OrganizationKind.PARTY_GROUP, branch_gm)
    party_town = _organization(admin, township, "中共青山镇委员会", OrganizationKind.PARTY_COMMITTEE)
    branch_dp = _organization(admin, villages[0], "东坡村党支部", OrganizationKind.PARTY_BRANCH, party_town)
    organizations = {
        "party_street": party_street,
        "party_gm": party_gm,
        "branch_gm": branch_gm,
        "group_gm": group_gm,
        "party_town": party_town,
        "branch_dp": branch_dp,
        "volunteers": _organization(admin, street, "和平街道阳光志愿者协会", OrganizationKind.SOCIAL_ORGANIZATION),
        "property": _organization(admin, communities[0], "示范物业服务有限公司", OrganizationKind.ENTERPRISE),
        "school": _organization(admin, street, "示范区第一中学", OrganizationKind.STATIONED_UNIT),
        "partner": _organization(admin, district, "社区成长伙伴中心", OrganizationKind.PARTNER),
    }

    nodes: dict[str, Any] = {
        "district": district,
        "street": street,
        "township": township,
        **{f"community:{i}": u for i, u in enumerate(communities)},
        **{f"village:{i}": u for i, u in enumerate(villages)},
        **{f"grid:{i}": u for i, u in enumerate(grids)},
        **{f"dept:{code}": d for code, d in departments.items()},
    }
    users: dict[str, User] = {"sysadmin": admin}
    for username, display, role, node_key in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display)
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[username] = user
        if node_key == "*":
            continue
        node = nodes[node_key]
        kwargs = {"department": node} if isinstance(node, Department) else {"unit": node}
        if not RoleGrant.objects.active().filter(user=user, role=role, **kwargs).exists():
            people_actions.grant_create(actor=admin, user=user, role=role, valid_from=dt.date(2024, 1, 1), **kwargs)

    ctx = DemoContext(
        admin=admin,
        city=city,
        district=district,
        street=street,
        township=township,
        communities=communities,
        villages=villages,
        grids=grids,
        departments=departments,
        organizations=organizations,
        users=users,
        log=log,
    )
    ctx.residents = _residents(ctx)
    resident_user = users["resident"]
    if not Resident.objects.filter(user=resident_user).exists():
        first = Resident.objects.filter(unit=grids[0], user__isnull=True).order_by("id").first()
        if first is not None:
            first.user = resident_user
            first.save(update_fields=["user"])
    return ctx


def _residents(ctx: DemoContext, *, households_per_grid: int = 22) -> list[Resident]:
    """Fill each grid with households of two to four people (about 560 residents in all)."""
    if Resident.objects.filter(unit__path__startswith=ctx.district.path).count() >= 500:
        return list(Resident.objects.filter(unit__path__startswith=ctx.district.path).order_by("id")[:600])
    rng = ctx.rng
    created: list[Resident] = []
    sequence = 0
    today = dt.date(2026, 11, 1)
    for grid_index, grid in enumerate(ctx.grids):
        for h in range(households_per_grid):
            number = f"{grid.code}-{h + 1:03d}"
            household = Household.objects.filter(number=number).first()
            building = h // 6 + 1
            address = f"{Unit.objects.get_parent(grid).name}{building}号楼{(h % 6) + 1}0{rng.randint(1, 4)}室"
            if household is None:
                household = people_actions.household_create(actor=ctx.admin, unit=grid, number=number, address=address)
            surname = rng.choice(SURNAMES)
            size = rng.choice([1, 2, 2, 3, 3, 4])
            head_age = rng.randint(28, 88)
            members = [("head", head_age)]
            if size >= 2:
                members.append(("spouse", max(22, head_age + rng.randint(-5, 5))))
            for _ in range(size - len(members)):
                members.append(("child", max(1, head_age - rng.randint(22, 35))))
            for relation, age in members:
                sequence += 1
                male = rng.random() < 0.5
                name = (surname if relation != "spouse" else rng.choice(SURNAMES)) + "".join(
                    rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))
                )
                birth = today.replace(year=today.year - age) - dt.timedelta(days=rng.randint(0, 360))
                identity = fictitious_identity(birth, sequence, male)
                # Several residents may share a birth date; bump the sequence until the number is free.
                while Resident.objects.filter(identity_index=people_actions.identity_lookup(identity)).exists():
                    sequence += 1
                    identity = fictitious_identity(birth, sequence, male)
                tags: list[str] = []
                if age >= 60:
                    tags.append(ResidentTagKind.ELDERLY)
                    if size == 1:
                        tags.append(ResidentTagKind.ELDERLY_ALONE)
                if rng.random() < 0.04:
                    tags.append(ResidentTagKind.DISABILITY)
                if rng.random() < 0.1 and age >= 18:
                    tags.append(ResidentTagKind.PARTY_MEMBER)
                if age >= 18 and rng.random() < 0.05:
                    tags.append(ResidentTagKind.VOLUNTEER)
                mobile = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}" if age >= 16 else ""
                resident = people_actions.resident_create(
                    actor=ctx.admin,
                    unit=grid,
                    data={
                        "name": name,
                        "identity_number": identity,
                        "mobile": mobile,
                        "address": household.address,
                        "household": household,
                        "relation": relation,
                        "tags": [str(t) for t in tags],
                    },
                )
                created.append(resident)
        ctx.log(f"  grid {grid_index + 1}/{len(ctx.grids)}: {grid.name}")
    return created
