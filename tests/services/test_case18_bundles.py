"""Case 18 (宁波江北区 一件事): one submission, parallel item applications, materials entered once, one status."""

from __future__ import annotations

import pytest

from gongzhi.services.models import Application, Bundle
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def _bundle(client, svc, **extra):
    body = {
        "template_id": svc.bundle.pk,
        "point_id": svc.doorstep.pk,
        "mode": "direct",
        "applicant_name": "陈晓东",
        "form_data": {"child_name": "陈小宝", "birth_date": "2026-11-20"},
        "supplied_materials": ["出生医学证明", "父母身份证"],
        **extra,
    }
    return client.post("/services/bundles", body)


def test_a_newborn_bundle_runs_three_items_in_parallel_and_is_done_when_all_are(
    svc, api, community_worker, street_staff, district_admin
):
    response = _bundle(api(community_worker), svc)
    assert response.status_code == 201, response.content
    bundle = response.json()
    assert bundle["status"] == "open"
    apps = bundle["applications"]
    assert [a["item_name"] for a in apps] == ["新生儿出生登记", "新生儿城乡居民医保参保登记", "社会保障卡申领"]
    # Routed in parallel to where each is finished.
    assert [a["handling_department"] for a in apps] == ["和平派出所", "区医疗保障局", "区人力资源和社会保障局"]
    # Entered once, reused by all: each item got the shared fields it declares, no item asks again for materials.
    details = [api(district_admin).get(f"/services/applications/{a['id']}").json() for a in apps]
    assert details[0]["form_data"] == {"child_name": "陈小宝", "birth_date": "2026-11-20"}
    assert details[1]["form_data"] == {"child_name": "陈小宝"}
    assert all(d["missing_required"] == [] for d in details)
    # One trip for the whole bundle.
    assert sum(a["visits"] for a in apps) == 1

    admin = api(district_admin)
    for index, app in enumerate(apps):
        admin.post(f"/services/applications/{app['id']}/accept", {})
        admin.post(f"/services/applications/{app['id']}/start", {})
        admin.post(f"/services/applications/{app['id']}/complete", {})
        status = api(community_worker).get(f"/services/bundles/{bundle['id']}").json()["status"]
        assert status == ("done" if index == 2 else "open")
    for app in apps:
        api(community_worker).post(f"/services/applications/{app['id']}/deliver", {"method": "mail"})
    final = api(community_worker).get(f"/services/bundles/{bundle['id']}").json()
    assert final["status"] == "closed"
    assert final["done_at"] is not None


def test_a_refused_item_leaves_the_bundle_partly_refused(svc, api, community_worker, district_admin):
    bundle = _bundle(api(community_worker), svc).json()
    admin = api(district_admin)
    first, *rest = bundle["applications"]
    admin.post(f"/services/applications/{first['id']}/refuse", {"reason": "出生医学证明信息有误"})
    for app in rest:
        admin.post(f"/services/applications/{app['id']}/accept", {})
        admin.post(f"/services/applications/{app['id']}/start", {})
        admin.post(f"/services/applications/{app['id']}/complete", {})
    assert api(community_worker).get(f"/services/bundles/{bundle['id']}").json()["status"] == "partly_refused"


def test_a_bundle_missing_a_shared_required_field_writes_nothing(svc, api, community_worker):
    response = _bundle(api(community_worker), svc, form_data={"birth_date": "2026-11-20"})
    assert_error(response, 422, "invalid_input", "form_data.child_name")
    assert not Bundle.objects.exists() and not Application.objects.exists()


def test_a_bundle_with_a_mode_one_item_lacks_is_refused(svc, api, community_worker):
    assert_error(_bundle(api(community_worker), svc, mode="accompany"), 422, "mode_not_offered")
    assert not Bundle.objects.exists()


def test_a_resident_applies_for_a_bundle_online_and_sees_one_status(svc, api, resident):
    response = _bundle(api(resident), svc, point_id=None, mode="online", applicant_name="")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert {a["channel"] for a in body["applications"]} == {"online"}
    assert api(resident).get(f"/services/bundles/{body['id']}").status_code == 200


def test_an_outsider_cannot_see_a_bundle(svc, api, community_worker, outsider):
    bundle = _bundle(api(community_worker), svc).json()
    assert_error(api(outsider).get(f"/services/bundles/{bundle['id']}"), 404, "not_found")


def test_each_item_of_a_bundle_is_announced_to_the_desk_that_finishes_it(svc, api, community_worker):
    from gongzhi.notify.models import Notification
    from gongzhi.people.roles import Role
    from tests.factories import UserFactory, grant

    insurance_desk = UserFactory(username="ybj-handler")
    grant(insurance_desk, Role.DEPARTMENT_HANDLER, svc.departments["ybj"])
    bundle = _bundle(api(community_worker), svc).json()
    insurance = next(a for a in bundle["applications"] if a["handling_department"] == "区医疗保障局")
    titles = list(Notification.objects.filter(recipient=insurance_desk).values_list("title", flat=True))
    assert titles == [f"新办件 {insurance['number']}：新生儿城乡居民医保参保登记"]
