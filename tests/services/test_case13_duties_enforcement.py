"""Cases 13 (湘潭雨湖区) and 6 (江津白沙镇): powers handed down to the town (扩权强镇) in a duties register that
drives routing and refusals; one-window applications with legal time limits; one enforcement team for all areas."""

from __future__ import annotations

import pytest

from gongzhi.services.models import Application, EnforcementCase, ServiceItem
from gongzhi.services.queries import duty_holder
from tests.conftest import assert_error
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_the_register_answers_who_holds_a_duty(svc, world):
    town = duty_holder(world.other_street, "XK-SP-001")
    assert town.holds and town.duty.source == "delegated" and town.duty.delegated_from == world.district
    street = duty_holder(world.street, "XK-SP-001")
    assert not street.holds
    assert street.holder_name == "区市场监督管理局"
    # By category code too (what the appeals dispatcher asks).
    assert duty_holder(world.street, "UC04").holds
    village = duty_holder(world.outside_community, "UC04")
    assert not village.holds and village.holder_unit == world.street
    assert not duty_holder(world.street, "NOPE").holds and duty_holder(world.street, "NOPE").holder is None


def test_a_power_handed_down_to_the_town_is_finished_at_the_towns_one_window(svc, api, world):
    town_staff = world.users["outsider"]  # street staff of 青山镇
    client = api(town_staff)
    response = client.post(
        "/services/applications",
        {
            "item_id": svc.items["food"].pk,
            "point_id": svc.township_centre.pk,
            "mode": "direct",
            "applicant_name": "刘记米粉坊",
            "supplied_materials": ["居民身份证", "经营场所证明"],
        },
    )
    assert response.status_code == 201, response.content
    app = response.json()
    assert (app["handling_unit"], app["handling_department"]) == ("青山镇", "青山镇便民服务中心")
    accepted = client.post(f"/services/applications/{app['id']}/accept", {}).json()
    assert accepted["deadline"] is not None  # legal time limit: 10 working days


def test_the_same_matter_at_a_street_without_the_power_is_refused_naming_the_holder(svc, api, community_worker):
    response = api(community_worker).post(
        "/services/applications",
        {"item_id": svc.items["food"].pk, "point_id": svc.doorstep.pk, "mode": "direct", "applicant_name": "王五"},
    )
    body = assert_error(response, 422, "outside_duties")
    assert "区市场监督管理局" in body["error"]["message"]
    assert not Application.objects.exists()


def test_a_unit_cannot_publish_an_item_outside_its_duties(svc, api, street_staff, world):
    response = api(street_staff).post(
        "/services/items",
        {
            "owner_unit_id": world.street.pk,
            "code": "HP-XK-1",
            "name": "食品小作坊登记（街道）",
            "category": "government",
            "finish_level": "street",
            "matter_code": "XK-SP-001",
            "time_limit_days": 10,
            "modes": ["direct"],
        },
    )
    body = assert_error(response, 422, "outside_duties", "matter_code")
    assert "区市场监督管理局" in body["error"]["message"]
    assert not ServiceItem.objects.filter(code="HP-XK-1").exists()


def test_an_admin_registers_a_delegated_power_and_the_api_answers_for_it(
    svc, api, district_admin, street_staff, world
):
    admin = api(district_admin)
    assert_error(
        admin.post(
            "/services/duties",
            {
                "unit_id": world.street.pk,
                "code": "XK-SP-001",
                "name": "x",
                "kind": "licensing",
                "legal_basis": "x",
                "source": "delegated",
            },
        ),
        422,
        field="delegated_from_id",
    )
    response = admin.post(
        "/services/duties",
        {
            "unit_id": world.street.pk,
            "code": "XK-SP-001",
            "name": "食品小作坊登记",
            "kind": "licensing",
            "legal_basis": "《食品安全法》第三十六条；区政府赋权决定",
            "source": "delegated",
            "delegated_from_id": world.district.pk,
        },
    )
    assert response.status_code == 201, response.content
    answer = api(street_staff).get("/services/duty-holder", {"unit_id": world.street.pk, "code": "XK-SP-001"}).json()
    assert answer["holds"] is True and answer["duty"]["delegated_from"] == "示范区"
    # Street staff may read the register but not change it.
    assert_error(
        api(street_staff).post(
            "/services/duties",
            {"unit_id": world.street.pk, "code": "X-1", "name": "x", "kind": "duty", "legal_basis": "x"},
        ),
        403,
    )


def test_one_enforcement_team_takes_a_case_from_an_appeal_to_closing(svc, api, street_staff, world):
    from gongzhi.appeals.actions import appeal_dispatch, appeal_submit

    appeal = appeal_submit(
        actor=street_staff,
        channel="grid_patrol",
        category="UC04",
        description="居民反映光明路3号楼顶违法搭建彩钢房。",
        unit=world.community,
    )
    # The appeal reaches the team (it holds the duty); the team sees it and registers the case from it.
    appeal_dispatch(actor=street_staff, appeal=appeal, department=svc.departments["zfd"])
    enforcer = api(svc.enforcer)
    response = enforcer.post(
        "/services/cases",
        {
            "unit_id": world.street.pk,
            "team_id": svc.departments["zfd"].pk,
            "source": "appeal",
            "appeal_number": appeal.number,
            "law_area": "城乡规划",
            "summary": "居民反映光明路3号楼顶违法搭建彩钢房。",
            "location": "光明路3号",
            "party_name": "某住户",
        },
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "registered" and case["appeal_number"] == appeal.number
    assert case["appeal_id"] == appeal.pk
    cid = case["id"]
    assert (
        enforcer.post(f"/services/cases/{cid}/investigate", {"findings": "现场核实搭建约20平方米"}).json()["status"]
        == "investigated"
    )
    # The line officer cannot decide; the street signs it off.
    assert_error(enforcer.post(f"/services/cases/{cid}/decide", {"decision": "none", "note": "x"}), 403)
    street = api(street_staff)
    # A penalty must rest on a penalty power in this unit's register.
    assert_error(
        street.post(f"/services/cases/{cid}/decide", {"decision": "penalty", "penalty_amount": "2000"}),
        422,
        field="duty_id",
    )
    foreign = svc.duties["food_town"].pk
    assert_error(
        street.post(
            f"/services/cases/{cid}/decide", {"decision": "penalty", "duty_id": foreign, "penalty_amount": "2000"}
        ),
        422,
        field="duty_id",
    )
    decided = street.post(
        f"/services/cases/{cid}/decide",
        {
            "decision": "penalty",
            "duty_id": svc.duties["build_penalty"].pk,
            "penalty_amount": "5000",
            "penalty_text": "限期拆除",
        },
    ).json()
    assert decided["status"] == "decided"
    assert decided["legal_basis"] == "《中华人民共和国城乡规划法》第六十四条"
    assert decided["penalty_amount"] == "5000.00"
    assert_error(street.post(f"/services/cases/{cid}/close", {}), 422)  # not executed yet
    enforcer.post(f"/services/cases/{cid}/execute", {"note": "当事人已自行拆除并缴纳罚款"})
    closed = street.post(f"/services/cases/{cid}/close", {"note": "结案"}).json()
    assert closed["status"] == "closed"
    assert EnforcementCase.objects.get(pk=cid).events.count() == 5


def test_the_same_team_handles_another_law_area_and_a_no_penalty_case_closes_without_execution(
    svc, api, street_staff, world
):
    street = api(street_staff)
    case = street.post(
        "/services/cases",
        {
            "unit_id": world.community.pk,
            "team_id": svc.departments["zfd"].pk,
            "source": "patrol",
            "law_area": "市容环境",
            "summary": "早市占道经营",
            "location": "光明路口",
            "party_name": "流动摊贩",
        },
    ).json()
    street.post(f"/services/cases/{case['id']}/investigate", {"findings": "已劝离"})
    assert_error(street.post(f"/services/cases/{case['id']}/decide", {"decision": "none"}), 422, field="note")
    street.post(
        f"/services/cases/{case['id']}/decide", {"decision": "none", "note": "初次违法且及时改正，依法不予处罚"}
    )
    assert street.post(f"/services/cases/{case['id']}/close", {}).json()["status"] == "closed"


def test_an_appeal_case_without_the_appeal_number_is_refused_and_outsiders_see_nothing(
    svc, api, street_staff, outsider, world
):
    street = api(street_staff)
    body = {
        "unit_id": world.street.pk,
        "team_id": svc.departments["zfd"].pk,
        "source": "appeal",
        "law_area": "城乡规划",
        "summary": "x",
        "location": "x",
        "party_name": "x",
    }
    assert_error(street.post("/services/cases", body), 422, field="appeal_number")
    # The other township's team does not serve this street.
    assert_error(
        street.post("/services/cases", {**body, "source": "report", "team_id": svc.departments["t_zfd"].pk}),
        422,
        field="team_id",
    )
    assert not EnforcementCase.objects.exists()
    case = street.post("/services/cases", {**body, "source": "report"}).json()
    assert_error(api(outsider).get(f"/services/cases/{case['id']}"), 404)
    assert api(outsider).get("/services/cases").json()["items"] == []
    assert_error(api(world.users["resident"]).get("/services/cases"), 403)


def test_a_supervisor_reads_cases_but_cannot_act(svc, api, supervisor, street_staff, world):
    case = (
        api(street_staff)
        .post(
            "/services/cases",
            {
                "unit_id": world.street.pk,
                "team_id": svc.departments["zfd"].pk,
                "source": "report",
                "law_area": "市容环境",
                "summary": "x",
                "location": "x",
                "party_name": "x",
            },
        )
        .json()
    )
    assert api(supervisor).get(f"/services/cases/{case['id']}").status_code == 200
    assert_error(api(supervisor).post(f"/services/cases/{case['id']}/investigate", {"findings": "x"}), 403)


def test_a_new_town_staff_member_holds_the_window(svc, api, world):
    staff = UserFactory(username="town_window")
    from gongzhi.people.roles import Role

    grant(staff, Role.COMMUNITY_WORKER, world.other_street)
    response = api(staff).post(
        "/services/applications",
        {
            "item_id": svc.items["elderly"].pk,
            "point_id": svc.township_centre.pk,
            "mode": "direct",
            "applicant_name": "赵大爷",
        },
    )
    assert response.status_code == 201
    assert response.json()["handling_unit"] == "青山镇"
