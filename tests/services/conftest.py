"""A services world on top of the shared district: points, a catalogue, the duties register, certificates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from gongzhi.people.roles import Role
from gongzhi.services import actions
from gongzhi.services.models import (
    BundleTemplate,
    CertificateType,
    Duty,
    PointKind,
    RedirectGuide,
    ServiceItem,
    ServiceKind,
    ServicePoint,
)
from gongzhi.units.models import Department, DepartmentKind
from tests.factories import UserFactory, grant, make_department


@dataclass
class ServicesWorld:
    world: Any
    doorstep: ServicePoint
    centre: ServicePoint
    township_centre: ServicePoint
    village_point: ServicePoint
    items: dict[str, ServiceItem]
    bundle: BundleTemplate
    duties: dict[str, Duty]
    departments: dict[str, Department]
    cert_types: dict[str, CertificateType]
    guide: RedirectGuide
    users: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


MATERIALS_ID = [
    {"name": "居民身份证", "form": "original"},
    {"name": "户口簿", "form": "original", "deferrable": True},
]


def build_services(world) -> ServicesWorld:
    admin = world.users["sysadmin"]
    d = {
        "mzj": make_department(world.district, "区民政局", code="D-MZJ"),
        "scj": make_department(world.district, "区市场监督管理局", code="D-SCJ"),
        "ybj": make_department(world.district, "区医疗保障局", code="D-YBJ"),
        "rsj": make_department(world.district, "区人力资源和社会保障局", code="D-RSJ"),
        "pcs": make_department(world.street, "和平派出所", DepartmentKind.POLICE, code="S-PCS"),
        "zfd": make_department(world.street, "和平街道综合行政执法队", DepartmentKind.ENFORCEMENT, code="S-ZFD"),
        "t_zfd": make_department(world.other_street, "青山镇综合行政执法队", DepartmentKind.ENFORCEMENT, code="T-ZFD"),
        "t_fwzx": make_department(
            world.other_street, "青山镇便民服务中心", DepartmentKind.SERVICE_CENTRE, code="T-FW"
        ),
    }
    duties = {
        "elderly": actions.duty_create(
            actor=admin,
            unit=world.street,
            code="GG-LN-001",
            name="老年人优待证办理",
            kind="public_service",
            legal_basis="《中华人民共和国老年人权益保障法》第五十七条",
        ),
        "elderly_town": actions.duty_create(
            actor=admin,
            unit=world.other_street,
            code="GG-LN-001",
            name="老年人优待证办理",
            kind="public_service",
            legal_basis="《中华人民共和国老年人权益保障法》第五十七条",
        ),
        "food_district": actions.duty_create(
            actor=admin,
            unit=world.district,
            department=d["scj"],
            code="XK-SP-001",
            name="食品小作坊登记",
            kind="licensing",
            legal_basis="《中华人民共和国食品安全法》第三十六条",
        ),
        "food_town": actions.duty_create(
            actor=admin,
            unit=world.other_street,
            department=d["t_fwzx"],
            code="XK-SP-001",
            name="食品小作坊登记",
            kind="licensing",
            source="delegated",
            delegated_from=world.district,
            delegation_document="示范区扩权强镇赋权事项目录（2024）第12项",
            legal_basis="《中华人民共和国食品安全法》第三十六条；区政府赋权决定",
        ),
        "build_penalty": actions.duty_create(
            actor=admin,
            unit=world.street,
            department=d["zfd"],
            code="CF-CG-004",
            category_code="UC04",
            name="对违法建设的行政处罚",
            kind="penalty",
            source="delegated",
            delegated_from=world.district,
            law_area="城乡规划",
            legal_basis="《中华人民共和国城乡规划法》第六十四条",
        ),
        "vendor_penalty": actions.duty_create(
            actor=admin,
            unit=world.street,
            department=d["zfd"],
            code="CF-CG-003",
            category_code="UC03",
            name="对占道经营的行政处罚",
            kind="penalty",
            law_area="市容环境",
            legal_basis="《城市市容和环境卫生管理条例》第三十六条",
        ),
    }
    items = {
        "elderly": actions.item_create(
            actor=admin,
            owner_unit=world.district,
            code="ZW-001",
            name="老年人优待证办理",
            category="government",
            finish_level="street",
            matter_code="GG-LN-001",
            time_limit_days=5,
            modes=["online", "direct", "proxy", "accompany"],
            remote_finish=True,
            eligibility="年满60周岁的本区户籍或常住老年人",
            materials=[*MATERIALS_ID, {"name": "一寸照片", "form": "original", "copies": 2}],
        ),
        "food": actions.item_create(
            actor=admin,
            owner_unit=world.district,
            code="ZW-002",
            name="食品小作坊登记",
            category="government",
            finish_level="street",
            matter_code="XK-SP-001",
            time_limit_days=10,
            modes=["direct"],
            materials=[{"name": "居民身份证", "form": "original"}, {"name": "经营场所证明", "form": "copy"}],
        ),
        "birth": actions.item_create(
            actor=admin,
            owner_unit=world.district,
            code="YJS-01",
            name="新生儿出生登记",
            category="government",
            finish_level="street",
            finish_department=d["pcs"],
            time_limit_days=3,
            modes=["online", "direct", "proxy"],
            form_fields=[
                {"name": "child_name", "label": "新生儿姓名", "required": True},
                {"name": "birth_date", "label": "出生日期", "kind": "date", "required": True},
            ],
            materials=[{"name": "出生医学证明", "form": "original"}, {"name": "父母身份证", "form": "original"}],
        ),
        "insurance": actions.item_create(
            actor=admin,
            owner_unit=world.district,
            code="YJS-02",
            name="新生儿城乡居民医保参保登记",
            category="health",
            finish_level="district",
            finish_department=d["ybj"],
            time_limit_days=5,
            modes=["online", "direct", "proxy"],
            form_fields=[{"name": "child_name", "label": "新生儿姓名", "required": True}],
            materials=[{"name": "出生医学证明", "form": "copy"}],
        ),
        "card": actions.item_create(
            actor=admin,
            owner_unit=world.district,
            code="YJS-03",
            name="社会保障卡申领",
            category="government",
            finish_level="district",
            finish_department=d["rsj"],
            time_limit_days=10,
            modes=["online", "direct", "proxy"],
            form_fields=[{"name": "child_name", "label": "新生儿姓名", "required": True}],
            materials=[{"name": "父母身份证", "form": "copy"}],
        ),
        "legal": actions.item_create(
            actor=admin,
            owner_unit=world.street,
            code="FL-001",
            name="法律咨询预约",
            category="legal",
            finish_level="community",
            time_limit_days=0,
            modes=["direct", "accompany"],
        ),
    }
    bundle = actions.bundle_template_create(
        actor=admin,
        owner_unit=world.district,
        code="NEWBORN",
        name="新生儿出生一件事",
        items=[items["birth"], items["insurance"], items["card"]],
    )
    doorstep = actions.point_create(
        actor=admin,
        unit=world.community,
        name="光明社区家门口服务站",
        kind=PointKind.DOORSTEP,
        address="光明路1号",
        opening_hours="周一至周六 8:30-17:30",
        service_kinds=[ServiceKind.GOVERNMENT, ServiceKind.LIVELIHOOD],
    )
    centre = actions.point_create(
        actor=admin,
        unit=world.street,
        name="和平街道社区事务受理服务中心",
        kind=PointKind.STREET_CENTRE,
        address="和平大街100号",
        opening_hours="工作日 9:00-17:00",
        service_kinds=[ServiceKind.GOVERNMENT],
    )
    township_centre = actions.point_create(
        actor=admin,
        unit=world.other_street,
        name="青山镇便民服务中心",
        kind=PointKind.TOWNSHIP_CENTRE,
        address="青山镇政府一楼",
        opening_hours="工作日 8:30-17:30",
        service_kinds=[ServiceKind.GOVERNMENT],
    )
    village_point = actions.point_create(
        actor=admin,
        unit=world.outside_community,
        name="东坡村村社宜站",
        kind=PointKind.VILLAGE,
        address="东坡村村委会",
        opening_hours="每天 8:00-20:00",
        service_kinds=list(ServiceKind.values),
    )
    every = list(items.values())
    actions.point_update(actor=admin, point=doorstep, items=every, staff=[world.users["community_worker"]])
    actions.point_update(actor=admin, point=centre, items=[i for k, i in items.items() if k != "legal"])
    actions.point_update(actor=admin, point=township_centre, items=[items["elderly"], items["food"]])
    actions.point_update(actor=admin, point=village_point, items=[items["elderly"]])
    cert_types = {
        "residence": actions.certificate_type_create(
            actor=admin,
            owner_unit=world.street,
            code="ZM-JZ",
            name="居住证明",
            legal_basis="《居住证暂行条例》第九条",
            issuer="社区居民委员会",
            required_evidence="房屋租赁合同或房产证明；居民身份证",
            validity_days=90,
        ),
        "poverty": actions.certificate_type_create(
            actor=admin,
            owner_unit=world.street,
            code="ZM-KN",
            name="家庭经济困难情况证明",
            legal_basis="《社会救助暂行办法》第十一条",
            issuer="社区居民委员会",
            required_evidence="家庭收入情况说明；入户核查记录",
            validity_days=180,
        ),
    }
    guide = actions.redirect_guide_create(
        actor=admin,
        owner_unit=world.district,
        name="无犯罪记录证明",
        keywords="犯罪记录,违法犯罪",
        kind="competent_department",
        go_to="户籍所在地公安派出所",
        reason="社区无权出具，属公安机关职责",
    )
    community_worker2 = UserFactory(username="community_worker2", display_name="吴娟")
    grant(community_worker2, Role.COMMUNITY_WORKER, world.community)
    village_worker = UserFactory(username="village_worker", display_name="东坡村专干")
    grant(village_worker, Role.COMMUNITY_WORKER, world.outside_community)
    enforcer = UserFactory(username="enforcer", display_name="执法队员")
    grant(enforcer, Role.DEPARTMENT_HANDLER, d["zfd"])
    return ServicesWorld(
        world=world,
        doorstep=doorstep,
        centre=centre,
        township_centre=township_centre,
        village_point=village_point,
        items=items,
        bundle=bundle,
        duties=duties,
        departments=d,
        cert_types=cert_types,
        guide=guide,
        users={
            **world.users,
            "community_worker2": community_worker2,
            "village_worker": village_worker,
            "enforcer": enforcer,
        },
    )


@pytest.fixture
def svc(world) -> ServicesWorld:
    return build_services(world)


PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
