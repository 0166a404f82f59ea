"""Appeal pages: residents submit, track and rate; staff work lists, the appeal page and its actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongzhi.appeals import actions, metrics
from gongzhi.appeals.models import Appeal, Category, RoutingRule
from gongzhi.audit.models import AuditEvent
from tests.appeals.conftest import PNG, carry_to_resolved, submit, xlsx_bytes


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_an_anonymous_resident_submits_tracks_and_rates(world, rule, dispatcher, handler, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for()
    page = client.get("/appeals/new/")
    assert page.status_code == 200 and "提交诉求" in page.content.decode()
    category = Category.objects.get(code="UC02")
    response = client.post(
        "/appeals/new/",
        {
            "category": category.pk,
            "description": "小区门口垃圾桶满了三天没人清运。",
            "unit": world.community.pk,
            "address": "3号楼",
            "kind": "request",
            "contact_name": "王女士",
            "contact_mobile": "13912345678",
            "idempotency_key": "form-1",
            "attachments": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    appeal = Appeal.objects.get()
    assert response["Location"] == f"/appeals/submitted/{appeal.number}/"
    receipt = client.get(response["Location"]).content.decode()
    assert appeal.number in receipt
    assert appeal.attachments.count() == 1 and appeal.status == "dispatched"

    carry_to_resolved(world, appeal, dispatcher=dispatcher, handler=handler)
    other = client_for()
    assert other.post("/appeals/track/", {"number": appeal.number, "mobile": "13900000000"}).status_code == 400
    tracked = other.post("/appeals/track/", {"number": appeal.number, "mobile": "13912345678"})
    assert tracked.status_code == 302
    page = other.get(tracked["Location"]).content.decode()
    assert "请您评价办理结果" in page and "已安排清运车辆清运完毕" in page
    rated = other.post(tracked["Location"], {"resolved": "yes", "satisfaction": "satisfied", "comment": "谢谢"})
    assert rated.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.ratings.get().comment == "谢谢"


def test_the_submit_form_shows_errors_and_writes_nothing(world):
    category = Category.objects.get(code="UC02")
    response = client_for().post(
        "/appeals/new/", {"category": category.pk, "description": "<b>x</b>", "unit": world.grid.pk, "kind": "request"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请检查标出的字段" in body
    assert not Appeal.objects.exists()


def test_the_category_attributes_load_as_a_fragment(world):
    category = Category.objects.get(code="PM02")
    body = client_for().get(f"/appeals/new/attributes/?category={category.pk}").content.decode()
    assert "是否有人被困在电梯内" in body and 'name="attr-trapped"' in body


def test_a_required_attribute_is_asked_on_the_form(world, resident):
    category = Category.objects.get(code="PM02")
    data = {"category": category.pk, "description": "电梯坏了。", "unit": world.grid.pk, "kind": "request"}
    assert client_for(resident).post("/appeals/new/", data).status_code == 400
    assert client_for(resident).post("/appeals/new/", {**data, "attr-trapped": "no"}).status_code == 302
    assert Appeal.objects.get().attributes == {"trapped": "no"}


def test_a_signed_in_resident_sees_their_appeals_and_rates(world, resident, rule, dispatcher, handler):
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    client = client_for(resident)
    assert appeal.number in client.get("/appeals/mine/").content.decode()
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert "请您评价办理结果" in page and "内部" not in page
    assert client.post(f"/appeals/{appeal.number}/rate/", {"resolved": "no", "satisfaction": "bad"}).status_code == 400
    assert (
        client.post(f"/appeals/{appeal.number}/rate/", {"resolved": "yes", "satisfaction": "basic"}).status_code == 302
    )
    assert Appeal.objects.get().status == "closed"


def test_the_work_list_filters_and_exports(world, resident, dispatcher, outsider, rule):
    submit(world, resident, text="垃圾一")
    submit(world, resident, code="NO03", text="噪音二")
    client = client_for(dispatcher)
    page = client.get("/appeals/").content.decode()
    assert "垃圾一" in page and "噪音二" in page
    assert "垃圾一" not in client.get("/appeals/?category=NO").content.decode()
    assert client.get("/appeals/?date_from=2026-12-01&date_to=2026-11-01").status_code == 422
    export = client.get("/appeals/export.xlsx?category=UC")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="appeals.export").exists()
    assert "垃圾一" not in client_for(outsider).get("/appeals/").content.decode()


def test_the_queue_and_bulk_dispatch(world, resident, dispatcher):
    first = submit(world, resident, text="垃圾一")
    second = submit(world, resident, code="NO03", text="噪音二")
    client = client_for(dispatcher)
    assert first.number in client.get("/appeals/queue/").content.decode()
    response = client.post(
        "/appeals/bulk-dispatch/",
        {
            "numbers": [first.number, second.number],
            "department": world.street_department.pk,
            "next": "/appeals/queue/",
        },
    )
    assert response.status_code == 302
    assert set(Appeal.objects.values_list("status", flat=True)) == {"dispatched"}


def test_staff_take_a_phone_call(world, community_worker):
    category = Category.objects.get(code="UT01")
    response = client_for(community_worker).post(
        "/appeals/take/",
        {
            "channel": "phone",
            "contact_name": "李大爷",
            "contact_mobile": "13700001234",
            "category": category.pk,
            "description": "停水一整天。",
            "unit": world.grid.pk,
            "kind": "request",
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.channel == "phone" and appeal.entered_by == community_worker


def test_the_appeal_page_runs_each_action(world, resident, dispatcher, handler, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = submit(world, resident)
    client = client_for(dispatcher)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert 'data-testid="action-dispatch"' in page and "办理过程" in page
    response = client.post(
        f"/appeals/{appeal.number}/act/dispatch/",
        {"dispatch-department": world.department.pk, "dispatch-comment": "请处理", "dispatch-version": appeal.version},
    )
    assert response.status_code == 302
    handler_client = client_for(handler)
    assert handler_client.post(f"/appeals/{appeal.number}/act/accept/", {}).status_code == 302
    # htmx: the panel comes back in place with the result.
    swapped = handler_client.post(
        f"/appeals/{appeal.number}/act/respond/", {"respond-comment": "已联系"}, HTTP_HX_REQUEST="true"
    )
    assert swapped.status_code == 200 and "已记录联系情况" in swapped.content.decode()
    missing = handler_client.post(f"/appeals/{appeal.number}/act/complete/", {"complete-result": "已清运"})
    assert missing.status_code == 422 and "办理证明" in missing.content.decode()
    done = handler_client.post(
        f"/appeals/{appeal.number}/act/complete/",
        {
            "complete-result": "已清运",
            "complete-evidence": [SimpleUploadedFile("after.png", PNG, content_type="image/png")],
        },
    )
    assert done.status_code == 302
    assert Appeal.objects.get().status == "resolved"


def test_a_conflicting_action_explains_itself(world, resident, dispatcher, rule):
    appeal = submit(world, resident)
    response = client_for(dispatcher).post(
        f"/appeals/{appeal.number}/act/dispatch/",
        {"dispatch-department": world.department.pk, "dispatch-version": appeal.version},
    )
    assert response.status_code == 409


def test_outsiders_get_404_and_small_roles_403_on_pages(world, resident, outsider, grid_worker, rule):
    appeal = submit(world, resident)
    assert client_for(outsider).get(f"/appeals/{appeal.number}/").status_code == 404
    assert client_for(outsider).post(f"/appeals/{appeal.number}/act/dispatch/", {}).status_code == 404
    assert (
        client_for(grid_worker)
        .post(f"/appeals/{appeal.number}/act/redispatch/", {"department": world.street_department.pk, "reason": "x"})
        .status_code
        == 403
    )
    assert client_for(grid_worker).get("/appeals/queue/").status_code == 403
    assert client_for(resident).get("/appeals/dashboard/").status_code == 403
    assert client_for().get("/appeals/").status_code == 302


def test_the_contact_reveal_fragment(world, resident, handler, rule):
    appeal = submit(world, resident)
    response = client_for(handler).post(f"/appeals/{appeal.number}/contact/", HTTP_HX_REQUEST="true")
    assert "13800001111" in response.content.decode()


def test_a_department_checks_in_from_its_page(world, resident, street_staff, utility_handler, rule):
    appeal = submit(world, resident)
    whistle = actions.whistle_blow(actor=street_staff, appeal=appeal, departments=[world.utility], reason="现场处置")
    client = client_for(utility_handler)
    assert appeal.number in client.get("/appeals/whistles/").content.decode()
    response = client.post("/appeals/whistles/check-in/", {"summons": whistle.summonses.get().pk})
    assert response.status_code == 302
    assert whistle.summonses.get().status == "on_time"


def test_the_dashboard_shows_the_rates(world, resident, rule, dispatcher, handler, district_admin):
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    actions.appeal_rate(actor=resident, appeal=appeal, resolved=True, satisfaction="satisfied")
    metrics.rollup_recent()
    page = client_for(district_admin).get("/appeals/dashboard/").content.decode()
    assert "vendor/echarts/echarts.min.js" in page and 'data-chart="' in page
    assert "100.0%" in page and "和平街道" in page and "指标口径" in page


def test_the_public_page_hides_personal_data(world, resident):
    shown = submit(world, resident, text="路灯坏了，我的电话13812345678", is_public=True, address="光明社区3号楼2单元")
    page = client_for().get(f"/appeals/public/{shown.number}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page and "2单元" not in page
    assert shown.number in client_for().get("/appeals/public/").content.decode()


def test_the_home_page_links_to_submit_and_track(world):
    page = client_for().get("/").content.decode()
    assert "/appeals/new/" in page and "/appeals/track/" in page


def test_desks_show_appeal_panels(
    world, resident, dispatcher, handler, street_staff, district_admin, grid_worker, rule
):
    submit(world, resident)
    for user, marker in [
        (dispatcher, "desk-queue"),
        (handler, "desk-assignments"),
        (street_staff, "诉求督办"),
        (resident, "desk-submit"),
    ]:
        page = client_for(user).get("/desk/").content.decode()
        assert marker in page, user
    # Panels loaded after the desk by htmx.
    for user, key, marker in [(grid_worker, "recent", "desk-take"), (district_admin, "rates", "desk-dashboard")]:
        assert f"/appeals/desk/{key}/" in client_for(user).get("/desk/").content.decode()
        assert marker in client_for(user).get(f"/appeals/desk/{key}/").content.decode()
    assert client_for(resident).get("/appeals/desk/recent/").status_code == 403
    assert client_for(grid_worker).get("/appeals/desk/nope/").status_code == 404


def test_categories_and_rules_pages(world, district_admin, street_staff, dispatcher):
    admin = client_for(district_admin)
    assert "UC02" in admin.get("/appeals/categories/").content.decode()
    created = admin.post(
        "/appeals/categories/",
        {
            "parent": Category.objects.get(code="UC").pk,
            "code": "UC07",
            "name": "共享单车",
            "deadline_class": "general",
        },
    )
    assert created.status_code == 302 and Category.objects.filter(code="UC07").exists()
    assert (
        admin.post("/appeals/categories/UC07/edit/", {"name": "共享单车停放", "deadline_class": "general"}).status_code
        == 302
    )
    assert admin.post("/appeals/categories/UC07/retire/", {"retire": "1"}).status_code == 302
    assert not Category.objects.get(code="UC07").is_active
    assert client_for(dispatcher).post("/appeals/categories/", {"code": "UC08", "name": "x"}).status_code == 403
    rules = client_for(street_staff)
    response = rules.post(
        "/appeals/rules/",
        {"category": "UC", "unit": world.street.pk, "department": world.street_department.pk, "priority": 0},
    )
    assert response.status_code == 302 and RoutingRule.objects.count() == 1
    assert "和平街道城市管理科" in client_for(dispatcher).get("/appeals/rules/").content.decode()


def test_a_hotline_batch_is_validated_then_imported_whole(world, dispatcher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    headers = [
        "工单号",
        "受理时间",
        "诉求人",
        "联系电话",
        "诉求类型",
        "分类编码",
        "单位代码",
        "地址",
        "诉求内容",
        "同意公开",
    ]
    good = [
        "H-001",
        dt.datetime(2026, 11, 20, 9),
        "王女士",
        "13900001234",
        "求助",
        "UC02",
        "990102001001",
        "3号楼",
        "垃圾满溢",
        "否",
    ]
    bad = ["H-002", "2026-11-20 10:00", "李先生", "123", "抱怨", "ZZ99", "990102100201", "", "噪音", "是"]
    client = client_for(dispatcher)
    report = client.post(
        "/appeals/import/", {"file": SimpleUploadedFile("batch.xlsx", xlsx_bytes(headers, [good, bad]))}
    )
    body = report.content.decode()
    assert report.status_code == 400 and "分类编码“ZZ99”" in body and "不在您的管辖范围" in body
    assert client.post("/appeals/import/confirm/").status_code == 404
    assert not Appeal.objects.exists()

    ok = client.post("/appeals/import/", {"file": SimpleUploadedFile("batch.xlsx", xlsx_bytes(headers, [good]))})
    assert ok.status_code == 200 and 'data-testid="import-confirm"' in ok.content.decode()
    assert client.post("/appeals/import/confirm/").status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.channel == "import" and appeal.submitted_at.date() == dt.date(2026, 11, 20)
    again = client.post("/appeals/import/", {"file": SimpleUploadedFile("batch.xlsx", xlsx_bytes(headers, [good]))})
    assert "已导入" in again.content.decode()
    client.post("/appeals/import/confirm/")
    assert Appeal.objects.count() == 1


def test_an_import_that_fails_while_writing_leaves_nothing(world, dispatcher, monkeypatch):
    from gongzhi.appeals.actions import imports

    headers = ["工单号", "受理时间", "分类编码", "单位代码", "诉求内容"]
    rows = [[f"H-{n}", "2026-11-20 09:00", "UC02", "990102001001", f"第{n}条"] for n in range(3)]
    real = imports.appeal_submit
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports, "appeal_submit", flaky)
    with pytest.raises(RuntimeError):
        actions.appeal_import(actor=dispatcher, data=xlsx_bytes(headers, rows))
    assert not Appeal.objects.exists()


def test_the_pages_read_in_english(world, resident, rule, dispatcher):
    appeal = submit(world, resident)
    client = client_for(dispatcher)
    client.cookies["django_language"] = "en"
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert "Timeline" in page and "Waste collection" in page and "Dispatched automatically" in page
    form = client_for()
    form.cookies["django_language"] = "en"
    assert "Submit an appeal" in form.get("/appeals/new/").content.decode()
