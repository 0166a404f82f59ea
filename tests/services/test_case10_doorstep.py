"""Case 10 (上海浦东 家门口): a doorstep station with a catalogue, hours and staff; one worker takes any matter,
it is routed to where it is finished (remotely with the street centre); usage figures per point."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.people.roles import Role
from gongzhi.services.models import Application
from tests.conftest import assert_error
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_a_resident_finds_the_station_its_catalogue_and_what_to_bring(svc, api):
    anonymous = api()
    points = anonymous.get("/services/points", {"unit_id": svc.world.community.pk}).json()
    names = [p["name"] for p in points]
    assert names[0] == "光明社区家门口服务站"  # the nearest first
    assert "和平街道社区事务受理服务中心" in names
    station = anonymous.get(f"/services/points/{svc.doorstep.pk}").json()
    assert station["opening_hours"] == "周一至周六 8:30-17:30"
    assert station["staff"] == [str(svc.world.users["community_worker"])]
    assert len(station["item_ids"]) == 6

    catalogue = anonymous.get("/services/catalogue", {"unit_id": svc.world.community.pk}).json()
    assert {i["category"] for i in catalogue} >= {"government", "health", "legal"}
    guide = anonymous.get(f"/services/items/{svc.items['elderly'].pk}").json()
    assert guide["eligibility"].startswith("年满60周岁")
    assert [(m["name"], m["deferrable"]) for m in guide["materials"]] == [
        ("居民身份证", False),
        ("户口簿", True),
        ("一寸照片", False),
    ]
    assert guide["time_limit_days"] == 5 and guide["remote_finish"] is True
    # A village resident does not see the street's own catalogue items.
    village = anonymous.get("/services/catalogue", {"unit_id": svc.world.outside_community.pk}).json()
    assert "法律咨询预约" not in {i["name"] for i in village}


def test_one_desk_takes_everything_and_routes_each_to_where_it_is_finished(
    svc, api, community_worker, street_staff, handler
):
    worker = api(community_worker)
    taken = []
    for key, materials in (
        ("elderly", ["居民身份证", "户口簿", "一寸照片"]),
        ("insurance", ["出生医学证明"]),
        ("legal", []),
    ):
        body = {
            "item_id": svc.items[key].pk,
            "point_id": svc.doorstep.pk,
            "mode": "direct",
            "applicant_name": "周建国",
            "supplied_materials": materials,
        }
        if key == "insurance":
            body["form_data"] = {"child_name": "周小宝"}
        response = worker.post("/services/applications", body)
        assert response.status_code == 201, response.content
        taken.append(response.json())
    assert [(a["handling_unit"], a["handling_department"]) for a in taken] == [
        ("和平街道", None),
        ("示范区", "区医疗保障局"),
        ("光明社区", None),
    ]
    # The street centre finishes the elderly card remotely; the worker hands it over at the station.
    street = api(street_staff)
    app_id = taken[0]["id"]
    # The station took it, but the street centre decides: the worker cannot accept it.
    body = assert_error(worker.post(f"/services/applications/{app_id}/accept", {}), 403, "forbidden")
    assert "和平街道" in body["error"]["message"]
    # The community's own legal consultation is decided at the community.
    assert worker.post(f"/services/applications/{taken[2]['id']}/accept", {}).status_code == 200
    assert street.get("/services/applications", {"status": "submitted"}).json()["items"][0]["id"] in {
        a["id"] for a in taken
    }
    for verb in ("accept", "start", "complete"):
        assert street.post(f"/services/applications/{app_id}/{verb}", {}).status_code == 200
    assert worker.post(f"/services/applications/{app_id}/deliver", {"method": "desk"}).json()["visits"] == 2

    # A department handler of another bureau does not see these applications.
    assert_error(api(handler).get(f"/services/applications/{taken[1]['id']}"), 404)

    figures = street.get(f"/services/points/{svc.doorstep.pk}/figures").json()
    assert figures["total"] == 3 and figures["finished"] == 1 and figures["one_trip"] == 0
    assert figures["by_mode"] == {"direct": 3}


def test_an_item_not_offered_at_the_point_is_refused_and_nothing_written(svc, api, street_staff, community_worker):
    # The community's own legal consultation is not offered at the street centre.
    worker = api(street_staff)
    body = {"item_id": svc.items["legal"].pk, "point_id": svc.centre.pk, "mode": "direct", "applicant_name": "王五"}
    assert_error(worker.post("/services/applications", body), 422, "not_offered", "item_id")
    # A community worker cannot take applications at a centre outside their reach.
    assert_error(api(community_worker).post("/services/applications", body), 404)
    assert not Application.objects.exists()


def test_an_item_outside_the_residents_catalogue_is_refused_online(svc, api, resident, world):
    body = {"item_id": svc.items["legal"].pk, "mode": "online", "unit_id": world.outside_community.pk}
    assert_error(api(resident).post("/services/applications", body), 422, "not_offered")
    assert not Application.objects.exists()


def test_the_point_keeper_changes_what_the_point_offers_and_who_is_on_duty(svc, api, community_head, community_worker):
    client = api(community_head)
    response = client.patch(
        f"/services/points/{svc.doorstep.pk}",
        {
            "item_ids": [svc.items["elderly"].pk],
            "staff_ids": [community_worker.pk],
            "opening_hours": "每天 8:00-20:00",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["item_ids"] == [svc.items["elderly"].pk]
    # Someone from another street cannot be put on duty here.
    outsider = svc.world.users["outsider"]
    assert_error(
        client.patch(f"/services/points/{svc.doorstep.pk}", {"staff_ids": [outsider.pk]}), 422, field="staff_ids"
    )
    # A worker may take applications but not reconfigure the point's catalogue? They may keep it (point keepers).
    assert (
        api(community_worker).patch(f"/services/points/{svc.doorstep.pk}", {"duty_note": "周六吴娟值班"}).status_code
        == 200
    )


def test_a_desk_takes_an_application_for_a_resident_of_another_street_and_still_follows_it(svc, api, world):
    town_staff = world.users["outsider"]  # street staff of 青山镇, at the township's centre
    client = api(town_staff)
    response = client.post(
        "/services/applications",
        {
            "item_id": svc.items["elderly"].pk,
            "point_id": svc.township_centre.pk,
            "unit_id": world.community.pk,
            "mode": "direct",
            "applicant_name": "李外街",
            "supplied_materials": ["居民身份证", "户口簿", "一寸照片"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["handling_unit"] == "和平街道" and body["point_name"] == "青山镇便民服务中心"
    # The taker follows it (page and API) but does not decide: 和平街道 finishes it.
    assert client.get(f"/services/applications/{body['id']}").status_code == 200
    page = Client()
    page.force_login(town_staff)
    assert page.get(f"/services/applications/{body['id']}/").status_code == 200
    assert_error(client.post(f"/services/applications/{body['id']}/accept", {}), 403)
    accepted = api(world.users["street_staff"]).post(f"/services/applications/{body['id']}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    # Another township worker who did not take it sees nothing.
    other = UserFactory(username="town-colleague")
    grant(other, Role.STREET_STAFF, world.other_street)
    assert_error(api(other).get(f"/services/applications/{body['id']}"), 404)
