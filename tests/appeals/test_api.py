"""The appeals JSON API: each endpoint works, outsiders get 404, too small a role 403, bad input 4xx."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.appeals import actions
from gongzhi.appeals.models import Appeal, AppealAttachment, Category, RoutingRule
from gongzhi.people.actions import token_create
from tests.appeals.conftest import PNG, carry_to_resolved, submit
from tests.conftest import assert_error

BODY = {"category": "UC02", "description": "小区门口垃圾桶满了三天没人清运。", "address": "光明社区3号楼"}


def body(world, **changes):
    return {**BODY, "unit_id": world.grid.pk, **changes}


def test_a_resident_submits_through_the_api(world, resident, api):
    response = api(resident).post("/appeals", body(world, latitude="39.904200", longitude="116.407400"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"].startswith("20") and data["status"] == "submitted" and data["channel"] == "web"
    assert data["category"] == {"code": "UC02", "name": "垃圾清运"}
    assert data["contact"]["mobile_masked"] == "138****1111"  # from the resident's account
    assert data["latitude"] == "39.904200"


def test_a_retry_with_the_same_idempotency_key_returns_the_same_appeal(world, resident, api):
    client = api(resident)
    first = client.post("/appeals", body(world), HTTP_IDEMPOTENCY_KEY="abc-123")
    second = client.post("/appeals", body(world), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Appeal.objects.count() == 1
    other = client.post("/appeals", body(world, description="另一件事"), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert_error(other, 422, "idempotency_key_reused")


def test_an_integration_with_a_token_submits_on_the_api_channel(world, dispatcher):
    _token, secret = token_create(actor=dispatcher, name="12345热线")
    client = Client()
    response = client.post(
        "/api/v1/appeals",
        data=body(world, contact={"name": "赵先生", "mobile": "13512345678"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get()
    assert appeal.channel == "api" and appeal.reporter is None and appeal.entered_by == dispatcher


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"category": "NOPE"}, 422, "category"),
        ({"description": "x" * 4001}, 422, "description"),
        ({"description": "<b>垃圾</b>"}, 422, "description"),
        ({"colour": "red"}, 422, "colour"),
        ({"channel": "open311"}, 422, "channel"),
        ({"latitude": "abc", "longitude": "1"}, 422, "latitude"),
        ({"unit_id": 999999}, 422, "unit_id"),
    ],
)
def test_bad_submissions_are_refused_and_nothing_is_written(world, resident, api, changes, status, field):
    assert_error(api(resident).post("/appeals", body(world, **changes)), status, None, field)
    assert not Appeal.objects.exists()


def test_staff_entry_outside_the_actors_reach_is_forbidden(world, community_worker, api):
    response = api(community_worker).post(
        "/appeals", body(world, unit_id=world.outside_grid.pk, channel="phone", contact={"mobile": "13512345678"})
    )
    assert_error(response, 403, "forbidden")
    assert not Appeal.objects.exists()


def test_anonymous_callers_must_sign_in_to_submit(world, api):
    assert_error(api().post("/appeals", body(world)), 401)


def test_the_work_list_is_scoped_filtered_and_paged(world, resident, api, dispatcher, outsider, district_admin):
    for n in range(5):
        submit(world, resident, text=f"第{n}号垃圾问题，请清运。")
    submit(world, resident, code="NO03", text="楼上噪音", unit=world.other_community)
    page = api(dispatcher).get("/appeals", {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    numbers = [i["number"] for i in page["items"]]
    rest = api(dispatcher).get("/appeals", {"limit": 50, "cursor": page["next_cursor"]}).json()
    assert len(rest["items"]) == 4 and not set(numbers) & {i["number"] for i in rest["items"]}
    assert len(api(dispatcher).get("/appeals", {"category": "NO"}).json()["items"]) == 1
    assert len(api(dispatcher).get("/appeals", {"unit_id": world.grid.pk}).json()["items"]) == 5
    assert len(api(district_admin).get("/appeals").json()["items"]) == 6
    assert api(outsider).get("/appeals").json()["items"] == []
    assert_error(api(dispatcher).get("/appeals", {"status": "lost"}), 422, "invalid_input", "status")
    assert_error(api(dispatcher).get("/appeals", {"sort": "random"}), 422, "invalid_input", "sort")
    assert_error(api(outsider).get("/appeals", {"unit_id": world.grid.pk}), 404)


def test_the_work_list_takes_a_bounded_number_of_queries(
    world, resident, api, dispatcher, django_assert_max_num_queries
):
    for n in range(30):
        submit(world, resident, text=f"第{n}号问题")
    client = api(dispatcher)
    with django_assert_max_num_queries(8):
        response = client.get("/appeals", {"limit": 30})
    assert len(response.json()["items"]) == 30


def test_the_queue_shows_waiting_appeals_to_dispatchers_only(world, resident, api, dispatcher, handler, rule):
    waiting = submit(world, resident, code="SS01", text="医保报销咨询")
    submit(world, resident)  # dispatched by the rule
    items = api(dispatcher).get("/appeals/queue").json()["items"]
    assert [i["number"] for i in items] == [waiting.number]
    assert_error(api(handler).get("/appeals/queue"), 403)


def test_the_appeal_page_shows_allowed_actions(world, resident, api, dispatcher, handler, outsider, rule):
    appeal = submit(world, resident)
    data = api(handler).get(f"/appeals/{appeal.number}").json()
    assert set(data["allowed_actions"]) >= {"accept", "return", "note", "reveal_contact"}
    assert data["assignments"][0]["role"] == "lead"
    assert "redispatch" in api(dispatcher).get(f"/appeals/{appeal.number}").json()["allowed_actions"]
    mine = api(resident).get(f"/appeals/{appeal.number}").json()
    assert mine["allowed_actions"] == ["set_public"]
    assert_error(api(outsider).get(f"/appeals/{appeal.number}"), 404)
    assert_error(api(handler).get("/appeals/2099-999999"), 404)


def test_a_dispatcher_dispatches_and_the_handler_works_it_through_the_api(world, resident, api, dispatcher, handler):
    appeal = submit(world, resident)
    response = api(dispatcher).post(
        f"/appeals/{appeal.number}/dispatch", {"department_id": world.department.pk, "version": appeal.version}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispatched"
    client = api(handler)
    assert client.post(f"/appeals/{appeal.number}/accept", {}).json()["status"] == "accepted"
    assert client.post(f"/appeals/{appeal.number}/respond", {"comment": "已联系"}).json()["status"] == "responded"
    upload = multipart(client, f"/appeals/{appeal.number}/attachments", {"files": [_file()], "evidence": "true"})
    assert upload.status_code == 201, upload.content
    evidence_id = upload.json()[0]["id"]
    done = client.post(f"/appeals/{appeal.number}/complete", {"result": "已清运", "evidence_ids": [evidence_id]})
    assert done.json()["status"] == "resolved"
    rating = api(resident).post(f"/appeals/{appeal.number}/rating", {"resolved": True, "satisfaction": "satisfied"})
    assert rating.status_code == 201 and rating.json()["status_after"] == "closed"
    assert_error(
        api(resident).post(f"/appeals/{appeal.number}/rating", {"resolved": True, "satisfaction": "satisfied"}), 409
    )
    timeline = api(resident).get(f"/appeals/{appeal.number}/timeline").json()
    assert [e["kind"] for e in timeline][-2:] == ["rated", "closed"]
    assert all(e["is_public"] for e in timeline) and all(e["actor_name"] is None for e in timeline)
    staff = api(dispatcher).get(f"/appeals/{appeal.number}/timeline").json()
    assert any(e["actor_name"] == "handler" for e in staff)


def multipart(client, path, data):
    """Post a multipart form (the JSON client would encode the files as JSON)."""
    return Client.post(client, "/api/v1" + path, data)


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("proof.png", PNG, content_type="image/png")


def test_the_api_upload_refuses_a_forbidden_type(world, resident, api, rule, handler, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    appeal = submit(world, resident)
    response = multipart(
        api(resident),
        f"/appeals/{appeal.number}/attachments",
        {"files": [SimpleUploadedFile("a.exe", b"MZ\x00\x00", content_type="image/png")]},
    )
    assert_error(response, 422, "invalid_input", "files")
    assert not AppealAttachment.objects.exists()


def test_files_are_served_only_to_those_who_may_see_them(world, resident, api, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = submit(world, resident, attachments=[actions.Upload("现场.png", PNG)])
    attachment = AppealAttachment.objects.get()
    ok = api(resident).get(f"/appeals/{appeal.number}/files/{attachment.pk}")
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"\x89PNG")
    assert_error(api(outsider).get(f"/appeals/{appeal.number}/files/{attachment.pk}"), 404)


def test_a_stale_version_gets_409(world, resident, api, dispatcher):
    appeal = submit(world, resident)
    response = api(dispatcher).post(
        f"/appeals/{appeal.number}/dispatch", {"department_id": world.department.pk, "version": appeal.version + 5}
    )
    assert_error(response, 409, "stale")
    assert Appeal.objects.get().status == "submitted"


def test_an_illegal_transition_is_a_409_and_changes_nothing(world, resident, api, handler, rule):
    appeal = submit(world, resident)
    assert_error(api(handler).post(f"/appeals/{appeal.number}/respond", {"comment": "联系了"}), 409)
    assert Appeal.objects.get().status == "dispatched"


def test_dispatch_needs_the_dispatcher_role(world, resident, api, handler, community_worker, outsider):
    appeal = submit(world, resident)
    payload = {"department_id": world.department.pk}
    assert_error(api(community_worker).post(f"/appeals/{appeal.number}/dispatch", payload), 403)
    assert_error(api(outsider).post(f"/appeals/{appeal.number}/dispatch", payload), 404)
    assert_error(api(resident).post(f"/appeals/{appeal.number}/dispatch", payload), 403)


def test_bulk_dispatch_reports_each_number(world, resident, api, dispatcher, outsider, handler):
    first = submit(world, resident, text="一")
    second = submit(world, resident, code="NO03", text="二")
    response = api(dispatcher).post(
        "/appeals/bulk-dispatch",
        {"numbers": [first.number, second.number, "2099-000001"], "department_id": world.street_department.pk},
    )
    results = {r["number"]: r for r in response.json()}
    assert results[first.number]["ok"] and results[second.number]["ok"]
    assert results["2099-000001"]["status"] == 404
    hidden = api(outsider).post(
        "/appeals/bulk-dispatch", {"numbers": [first.number], "department_id": world.department.pk}
    )
    assert hidden.json() == [
        {"number": first.number, "ok": False, "message": hidden.json()[0]["message"], "status": 404}
    ]
    assert_error(api(handler).post("/appeals/bulk-dispatch", {"numbers": [first.number], "department_id": 1}), 403)


def test_reject_merge_and_redispatch_through_the_api(world, resident, api, dispatcher, rule):
    first = submit(world, resident, code="SS01", text="医保报销")
    second = submit(world, resident, code="SS01", text="医保报销比例")
    assert_error(api(dispatcher).post(f"/appeals/{first.number}/reject", {"reason": ""}), 422, None, "reason")
    merged = api(dispatcher).post(f"/appeals/{second.number}/merge", {"into": first.number})
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == first.number
    rejected = api(dispatcher).post(f"/appeals/{first.number}/reject", {"reason": "请咨询医保经办机构。"})
    assert rejected.json()["status"] == "rejected"
    routed = submit(world, resident)
    response = api(dispatcher).post(
        f"/appeals/{routed.number}/redispatch", {"department_id": world.street_department.pk, "reason": "属地处理"}
    )
    assert response.json()["department"]["id"] == world.street_department.pk


def test_split_whistle_and_check_in_through_the_api(
    world, resident, api, street_staff, utility_handler, rule, outsider
):
    appeal = submit(world, resident)
    response = api(street_staff).post(
        f"/appeals/{appeal.number}/split",
        {"lead_id": world.department.pk, "assisting_ids": [world.street_department.pk], "tasks": {}},
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["assignments"]) == 2
    whistle = api(street_staff).post(
        f"/appeals/{appeal.number}/whistles", {"department_ids": [world.utility.pk], "reason": "电力线路需处置"}
    )
    assert whistle.status_code == 201 and whistle.json()["minutes"] == 30
    summons = api(utility_handler).get("/whistles/summons").json()
    assert [s["number"] for s in summons] == [appeal.number]
    checked = api(utility_handler).post(f"/whistles/summons/{summons[0]['id']}/check-in", {"note": "已到"})
    assert checked.json()["status"] == "on_time"
    assert_error(api(resident).post(f"/whistles/summons/{summons[0]['id']}/check-in", {}), 403)
    assert_error(api(outsider).post(f"/whistles/summons/{summons[0]['id']}/check-in", {}), 404)
    assert_error(
        api(utility_handler).post(
            f"/appeals/{appeal.number}/whistles", {"department_ids": [world.utility.pk], "reason": "x"}
        ),
        403,
    )


def test_extensions_through_the_api(world, resident, api, handler, dispatcher, rule):
    appeal = submit(world, resident)
    api(handler).post(f"/appeals/{appeal.number}/accept", {})
    response = api(handler).post(f"/appeals/{appeal.number}/extensions", {"extra_workdays": 3, "reason": "需协调"})
    assert response.status_code == 201
    extension_id = response.json()["id"]
    assert [e["id"] for e in api(dispatcher).get("/extensions").json()] == [extension_id]
    assert_error(api(handler).post(f"/extensions/{extension_id}/decide", {"approve": True}), 403)
    decided = api(dispatcher).post(f"/extensions/{extension_id}/decide", {"approve": True})
    assert decided.json()["status"] == "approved"


def test_the_contact_reveal_is_for_staff_who_call_back(
    world, resident, api, handler, grid_worker, representative, rule
):
    appeal = submit(world, resident)
    assert api(handler).post(f"/appeals/{appeal.number}/contact").json()["mobile"] == "13800001111"
    assert_error(api(grid_worker).post(f"/appeals/{appeal.number}/contact"), 403)
    assert_error(api(representative).post(f"/appeals/{appeal.number}/contact"), 404)


def test_the_handler_work_list(world, resident, api, handler, rule):
    submit(world, resident)
    page = api(handler).get("/assignments").json()
    assert len(page["items"]) == 1 and page["items"][0]["appeal"]["status"] == "dispatched"


def test_tracking_by_number_and_mobile_without_signing_in(world, api, rule, dispatcher, handler):
    appeal = actions.appeal_submit(
        actor=None,
        channel="web",
        category="UC02",
        description="垃圾没人收，电话13912345678。",
        unit=world.grid,
        contact={"mobile": "13912345678"},
    )
    anonymous = api()
    assert_error(anonymous.post("/appeals/track", {"number": appeal.number, "mobile": "13900000000"}), 404)
    tracked = anonymous.post("/appeals/track", {"number": appeal.number, "mobile": "13912345678"}).json()
    assert tracked["status"] == "dispatched" and tracked["can_rate"] is False
    assert "13912345678" not in tracked["description"] and "139****5678" in tracked["description"]
    carry_to_resolved(world, appeal, dispatcher=dispatcher, handler=handler)
    rated = anonymous.post(
        "/appeals/track/rating",
        {"number": appeal.number, "mobile": "13912345678", "resolved": True, "satisfaction": "basic"},
    )
    assert rated.status_code == 201 and rated.json()["satisfaction"] == "basic"


def test_tracking_is_throttled_after_repeated_failures(world, api):
    anonymous = api()
    for _ in range(10):
        anonymous.post("/appeals/track", {"number": "2026-000001", "mobile": "13900000000"})
    assert_error(anonymous.post("/appeals/track", {"number": "2026-000001", "mobile": "13900000000"}), 429)


def test_the_public_list_shows_only_public_appeals_without_personal_data(world, resident, api):
    hidden = submit(world, resident, text="不公开")
    shown = submit(world, resident, text="路灯坏了，联系13812345678", code="TR01", is_public=True, address="3号楼102")
    items = api().get("/public/appeals").json()["items"]
    assert [i["number"] for i in items] == [shown.number]
    assert items[0]["unit_name"] == "光明社区"  # never the grid or the address
    assert "138****5678" in items[0]["description"] and "3号楼" not in str(items[0])
    assert_error(api().get(f"/public/appeals/{hidden.number}"), 404)
    detail = api().get(f"/public/appeals/{shown.number}").json()
    assert detail["timeline"][0]["kind"] == "submitted"


def test_categories_are_public_and_carry_deadlines_and_attributes(world, api):
    data = api().get("/appeal-categories").json()
    codes = {c["code"]: c for c in data}
    assert len([c for c in data if c["depth"] == 1]) == 16
    assert codes["UT03"]["is_emergency"] and codes["UT03"]["deadline_class"] == "emergency"
    assert codes["UC02"]["parent_code"] == "UC" and codes["UC02"]["resolution_unit"] == "workdays"
    assert [a["code"] for a in codes["PM02"]["attributes"]] == ["trapped"]
    assert api().get("/appeal-categories/pm02").json()["attributes"][0]["values"][0] == {"key": "yes", "name": "是"}


def test_admins_add_rename_and_retire_categories(world, api, district_admin, dispatcher):
    client = api(district_admin)
    created = client.post(
        "/appeal-categories",
        {"parent_code": "UC", "code": "UC07", "name": "共享单车", "deadline_class": "general"},
    )
    assert created.status_code == 201 and created.json()["resolution_amount"] == 7
    assert_error(client.post("/appeal-categories", {"code": "UC07", "name": "重复"}), 422, None, "code")
    assert_error(client.post("/appeal-categories", {"code": "x", "name": "坏编码"}), 422, None, "code")
    renamed = client.patch("/appeal-categories/UC07", {"name": "共享单车停放"})
    assert renamed.json()["name"] == "共享单车停放"
    assert_error(client.patch("/appeal-categories/UC07", {"code": "UC08"}), 422)
    assert client.post("/appeal-categories/UC07/retire").json()["is_active"] is False
    assert "UC07" not in {c["code"] for c in api().get("/appeal-categories").json()}
    assert client.post("/appeal-categories/UC07/restore").json()["is_active"] is True
    assert_error(api(dispatcher).post("/appeal-categories", {"code": "UC09", "name": "x"}), 403)
    attribute = client.post(
        "/appeal-categories/UC07/attributes",
        {
            "code": "brand",
            "datatype": "singlevaluelist",
            "description": "哪家单车？",
            "values": [{"key": "a", "name": "甲"}],
        },
    )
    assert attribute.status_code == 201 and attribute.json()["order"] == 1
    assert_error(
        client.post(
            "/appeal-categories/UC07/attributes", {"code": "x", "datatype": "multivaluelist", "description": "?"}
        ),
        422,
        None,
        "values",
    )
    assert Category.objects.get(code="UC07").attributes.count() == 1


def test_routing_rules_through_the_api(world, api, street_staff, dispatcher, outsider, district_admin):
    response = api(district_admin).post(
        "/routing-rules",
        {
            "category_code": "UC",
            "unit_id": world.street.pk,
            "department_id": world.street_department.pk,
            "priority": 2,
        },
    )
    assert response.status_code == 201, response.content
    rule_id = response.json()["id"]
    assert [r["id"] for r in api(dispatcher).get("/routing-rules").json()] == [rule_id]
    assert_error(api(outsider).get(f"/routing-rules/{rule_id}"), 404)
    assert_error(api(dispatcher).patch(f"/routing-rules/{rule_id}", {"priority": 3}), 403)
    assert api(street_staff).patch(f"/routing-rules/{rule_id}", {"priority": 3}).json()["priority"] == 3
    outside = api(district_admin).post(
        "/routing-rules",
        {"category_code": "UC", "unit_id": world.other_street.pk, "department_id": world.street_department.pk},
    )
    assert_error(outside, 422, None, "department_id")
    assert api(street_staff).delete(f"/routing-rules/{rule_id}").status_code == 204
    assert not RoutingRule.objects.exists()


def test_metrics_need_a_staff_role(world, api, resident, outsider):
    assert_error(api(resident).get("/appeal-metrics"), 403)
    assert api(outsider).get("/appeal-metrics").status_code == 200
    assert_error(api(outsider).get("/appeal-metrics", {"unit_id": world.street.pk}), 404)
    assert_error(api(outsider).get("/appeal-metrics", {"month": "2026-13"}), 422, None, "month")
