"""Browser: a resident finds a service, applies on a phone, tracks it, and verifies a certificate (axe on every page);
a worker takes a 代办 application with a signature drawn on the screen."""

from __future__ import annotations

import pytest

from gongzhi.services import actions
from gongzhi.services.models import Application, ProxyAuthorization
from tests.factories import make_resident
from tests.services.conftest import build_services

pytestmark = pytest.mark.e2e


@pytest.fixture
def svc(world):
    return build_services(world)


def test_a_resident_applies_on_a_phone_and_verifies_a_certificate(phone, live, login, axe, world, svc):
    page = phone
    login(page, "resident")
    axe(page, context="desk")

    page.goto(f"{live}/services/?unit={world.community.pk}")
    assert page.get_by_role("link", name="光明社区家门口服务站").is_visible()
    axe(page, context="find a service")

    page.get_by_role("link", name="老年人优待证办理").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("居民身份证").first.is_visible()
    axe(page, context="service guide")

    page.click("[data-testid=apply-online]")
    page.wait_for_load_state("networkidle")
    axe(page, context="apply form")
    page.get_by_label("居民身份证（原件）").check()
    page.get_by_label("一寸照片（原件）").check()
    page.click("[data-testid=apply-submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=app-status]").inner_text() == "已提交"
    axe(page, context="application")
    app = Application.objects.get()
    assert app.channel == "online" and app.mode == "online"
    assert sorted(app.supplied_materials) == ["一寸照片", "居民身份证"]

    page.goto(f"{live}/services/mine/")
    assert page.get_by_text(app.number).is_visible()
    axe(page, context="my applications")

    # A certificate issued to someone: the resident checks it on the public page, then a forged code.
    cert = actions.certificate_issue(
        actor=world.users["community_worker"],
        unit=world.community,
        ctype=svc.cert_types["residence"],
        holder_name="王建华",
        purpose="入学",
        content="居住在光明社区",
        evidence="租赁合同",
    )
    page.goto(f"{live}/services/verify/")
    axe(page, context="verify form")
    page.fill("#id_code", cert.code_display.lower())
    page.click("[data-testid=verify-submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=verify-valid]").is_visible()
    assert page.get_by_text("王**").is_visible()
    axe(page, context="verify valid")
    page.fill("#id_code", "ABCD-EFGH-JKMN-PQRS-TVWX")
    page.click("[data-testid=verify-submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=verify-invalid]").is_visible()
    axe(page, context="verify invalid")


def test_a_worker_takes_a_proxy_application_with_a_signature_drawn_on_screen(page, live, login, axe, world, svc):
    resident = make_resident(world.grid, "冯奶奶")
    app = actions.application_submit(
        actor=world.users["community_worker"],
        item=svc.items["elderly"],
        point=svc.doorstep,
        mode="proxy",
        resident=resident,
        supplied_materials=["居民身份证", "户口簿", "一寸照片"],
    )
    login(page, "community_worker")
    page.goto(f"{live}/services/applications/{app.pk}/")
    axe(page, context="proxy application")
    canvas = page.locator("canvas[data-signature]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 30 + (step % 3) * 15)
    page.mouse.up()
    page.get_by_role("button", name="保存委托").click()
    page.wait_for_load_state("networkidle")
    auth = ProxyAuthorization.objects.get(application=app)
    assert auth.kind == "signature" and auth.file.read().startswith(b"\x89PNG")
    axe(page, context="custody form")
    page.fill("#id_document", "居民身份证")
    page.select_option("#id_from_party", "resident")
    page.select_option("#id_to_party", f"user:{world.users['community_worker'].pk}")
    page.get_by_role("button", name="登记交接").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=custody-outstanding]").is_visible()
    axe(page, context="custody log")


def test_the_staff_pages_pass_axe(page, live, login, axe, world, svc):
    worker = world.users["community_worker"]
    actions.application_submit(
        actor=worker, item=svc.items["legal"], point=svc.doorstep, mode="direct", applicant_name="甲"
    )
    login(page, "community_worker")
    for path in [
        "/services/work/",
        f"/services/desk/?point={svc.doorstep.pk}&item={svc.items['elderly'].pk}",
        f"/services/desk/bundle/?point={svc.doorstep.pk}&template={svc.bundle.pk}",
        f"/services/points/{svc.doorstep.pk}/figures/",
        f"/services/certificates/?unit={world.community.pk}",
    ]:
        page.goto(live + path)
        page.wait_for_load_state("networkidle")
        axe(page, context=path)
        if "figures" in path:
            assert page.locator(".chart svg").count() == 2  # ECharts drew both charts (no CSP block)


def test_the_village_and_enforcement_pages_pass_axe(page, live, login, axe, world, svc):
    login(page, "street_staff")
    page.goto(live + "/services/enforcement/")
    axe(page, context="enforcement")
    page.goto(live + "/services/duties/")
    axe(page, context="duties")
    actions.parcel_record(
        actor=svc.village_worker,
        point=svc.village_point,
        direction="in",
        tracking_number="SF1",
        carrier="顺丰",
        party_name="杨伯",
    )
    page.context.clear_cookies()
    login(page, "village_worker")
    page.goto(f"{live}/services/points/{svc.village_point.pk}/village/")
    assert page.get_by_text("SF1").is_visible()
    axe(page, context="village logs")
