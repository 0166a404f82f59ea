"""Case 15 (宝鸡陈仓区 三办): 直办, 代办 with authorization and a balanced custody log, 陪办 with an appointment,
and the trips the resident made (最多跑一次) as a figure per item and per point."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.services.models import Application, CustodyEntry, Visit
from tests.conftest import assert_error
from tests.factories import make_resident
from tests.services.conftest import PNG_1PX

pytestmark = pytest.mark.django_db


def _apply(client, svc, mode, **extra):
    if mode == "proxy" and "resident_id" not in extra:
        # The grid worker acts for a registered resident of their grid.
        extra["resident_id"] = make_resident(svc.world.grid, "李桂兰", mobile="13900002222").pk
    body = {
        "item_id": svc.items["elderly"].pk,
        "point_id": svc.doorstep.pk,
        "mode": mode,
        "applicant_name": "李桂兰",
        "applicant_mobile": "13900002222",
        "supplied_materials": ["居民身份证", "户口簿", "一寸照片"],
        **extra,
    }
    response = client.post("/services/applications", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_direct_application_is_finished_with_one_trip(svc, api, community_worker, street_staff):
    worker = api(community_worker)
    app = _apply(worker, svc, "direct")
    assert app["mode"] == "direct"
    assert app["visits"] == 1
    assert app["handling_unit"] == "和平街道"  # finished remotely by the street centre

    street = api(street_staff)
    assert street.post(f"/services/applications/{app['id']}/accept", {}).json()["status"] == "accepted"
    street.post(f"/services/applications/{app['id']}/start", {})
    done = street.post(f"/services/applications/{app['id']}/complete", {"note": "已制证"}).json()
    assert done["status"] == "done"
    # The result is sent by post: no second trip.
    delivered = worker.post(f"/services/applications/{app['id']}/deliver", {"method": "mail"}).json()
    assert delivered["status"] == "delivered"
    assert delivered["visits"] == 1

    figures = street.get(f"/services/points/{svc.doorstep.pk}/figures").json()
    assert figures["finished"] == 1
    assert figures["one_trip"] == 1
    assert figures["one_trip_rate"] == "100.0"


def test_a_proxy_application_needs_authorization_and_a_balanced_custody_log(
    svc, api, community_worker, grid_worker, street_staff
):
    worker = api(community_worker)
    app = _apply(worker, svc, "proxy")
    assert app["mode"] == "proxy"
    assert app["visits"] == 0  # the grid worker collected the papers at home
    app_id = app["id"]
    street = api(street_staff)

    # No authorization yet: cannot accept, cannot log hand-overs.
    assert_error(street.post(f"/services/applications/{app_id}/accept", {}), 422, "authorization_missing")
    custody = {"document": "居民身份证", "quantity": 1, "from_party": "resident", "to_party": f"user:{grid_worker.pk}"}
    assert_error(worker.post(f"/services/applications/{app_id}/custody", custody), 422, "authorization_missing")

    # The resident signs on screen; the grid worker is the agent.
    response = worker.post(
        f"/services/applications/{app_id}/authorization",
        {
            "kind": "signature",
            "content_base64": "data:image/png;base64," + PNG_1PX,
            "signer_name": "李桂兰",
            "scope": "代为办理老年人优待证",
            "agent_id": grid_worker.pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["has_authorization"] is True

    gw = api(grid_worker)
    centre = f"unit:{svc.world.street.pk}"
    steps = [
        ("居民身份证", 1, "resident", f"user:{grid_worker.pk}"),
        ("户口簿", 1, "resident", f"user:{grid_worker.pk}"),
        ("居民身份证", 1, f"user:{grid_worker.pk}", centre),
        ("户口簿", 1, f"user:{grid_worker.pk}", centre),
    ]
    for doc, n, frm, to in steps:
        r = gw.post(
            f"/services/applications/{app_id}/custody",
            {"document": doc, "quantity": n, "from_party": frm, "to_party": to},
        )
        assert r.status_code == 201, r.content
    # Nobody can hand over copies they do not hold.
    over = {"document": "居民身份证", "quantity": 2, "from_party": centre, "to_party": f"user:{grid_worker.pk}"}
    before = CustodyEntry.objects.count()
    assert_error(gw.post(f"/services/applications/{app_id}/custody", over), 422, "custody_not_held")
    assert CustodyEntry.objects.count() == before

    street.post(f"/services/applications/{app_id}/accept", {})
    street.post(f"/services/applications/{app_id}/start", {})
    street.post(f"/services/applications/{app_id}/complete", {})

    # The papers are still with the centre: the application cannot close.
    body = assert_error(
        gw.post(f"/services/applications/{app_id}/deliver", {"method": "agent"}), 422, "custody_unbalanced"
    )
    assert "居民身份证" in body["error"]["message"]
    assert Application.objects.get(pk=app_id).status == "done"

    for doc in ("居民身份证", "户口簿"):
        gw.post(
            f"/services/applications/{app_id}/custody",
            {"document": doc, "from_party": centre, "to_party": f"user:{grid_worker.pk}"},
        )
        gw.post(
            f"/services/applications/{app_id}/custody",
            {"document": doc, "from_party": f"user:{grid_worker.pk}", "to_party": "resident"},
        )
    detail = gw.get(f"/services/applications/{app_id}").json()
    assert detail["custody_balanced"] is True
    assert len(detail["custody"]) == 8
    delivered = gw.post(f"/services/applications/{app_id}/deliver", {"method": "agent"}).json()
    assert delivered["status"] == "delivered"
    assert delivered["visits"] == 0  # 最多跑一次: the resident did not travel at all


def test_an_accompanied_application_needs_the_appointment_held(
    svc, api, community_worker, community_head, street_staff
):
    worker = api(community_worker)
    app = _apply(worker, svc, "accompany")
    app_id = app["id"]
    street = api(street_staff)
    street.post(f"/services/applications/{app_id}/accept", {})
    street.post(f"/services/applications/{app_id}/start", {})
    assert_error(street.post(f"/services/applications/{app_id}/complete", {}), 422, "appointment_missing")

    when = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = worker.post(
        f"/services/applications/{app_id}/appointments",
        {"staff_id": community_head.pk, "at": when, "place": "和平街道社区事务受理服务中心"},
    )
    assert response.status_code == 201, response.content
    appt = response.json()
    assert appt["staff"] == str(community_head)
    # Somebody from another street cannot accompany.
    outsider_staff = svc.world.users["outsider"]
    assert_error(
        worker.post(
            f"/services/applications/{app_id}/appointments", {"staff_id": outsider_staff.pk, "at": when, "place": "x"}
        ),
        422,
        field="staff_id",
    )
    worker.post(f"/services/appointments/{appt['id']}/finish", {"held": True})
    done = street.post(f"/services/applications/{app_id}/complete", {}).json()
    assert done["status"] == "done"
    assert done["visits"] == 2  # submitted at the point, then accompanied to the centre
    delivered = worker.post(f"/services/applications/{app_id}/deliver", {"method": "desk"}).json()
    assert delivered["visits"] == 3
    assert Visit.objects.filter(application_id=app_id).count() == 3
    figures = street.get(f"/services/items/{svc.items['elderly'].pk}/figures").json()
    assert figures["finished"] == 1 and figures["one_trip"] == 0
    assert figures["by_mode"] == {"accompany": 1}


def test_a_mode_the_item_does_not_offer_is_refused_and_nothing_is_written(svc, api, community_worker):
    body = {"item_id": svc.items["food"].pk, "point_id": svc.doorstep.pk, "mode": "proxy", "applicant_name": "王五"}
    assert_error(api(community_worker).post("/services/applications", body), 422, "mode_not_offered", "mode")
    assert not Application.objects.exists()


def test_closing_a_proxy_application_with_papers_out_is_refused(svc, api, community_worker, street_staff, grid_worker):
    worker = api(community_worker)
    app = _apply(worker, svc, "proxy")
    worker.post(
        f"/services/applications/{app['id']}/authorization",
        {"kind": "upload", "content_base64": PNG_1PX, "signer_name": "李桂兰", "scope": "代办优待证"},
    )
    worker.post(
        f"/services/applications/{app['id']}/custody",
        {"document": "居民身份证", "from_party": "resident", "to_party": f"user:{community_worker.pk}"},
    )
    # Refusing would close it: refused while the resident's ID card is still with the worker.
    assert_error(
        api(street_staff).post(f"/services/applications/{app['id']}/refuse", {"reason": "不符合条件"}),
        422,
        "custody_unbalanced",
    )
    assert Application.objects.get(pk=app["id"]).status == "submitted"
