"""The HTML pages: residents find, apply, track, rate and verify; staff take, process, log, issue and revoke."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from gongzhi.services import actions
from gongzhi.services.models import Application, Bundle, Certificate, CertificateRequest, CustodyEntry, ParcelLog
from tests.factories import make_resident
from tests.services.conftest import PNG_1PX

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_public_pages_work_signed_out(svc, world):
    anonymous = _client()
    page = anonymous.get("/services/", {"unit": world.community.pk}).content.decode()
    assert "光明社区家门口服务站" in page and "老年人优待证办理" in page and "新生儿出生一件事" in page
    assert "居民身份证" in anonymous.get(f"/services/items/{svc.items['elderly'].pk}/").content.decode()
    assert "周一至周六" in anonymous.get(f"/services/points/{svc.doorstep.pk}/").content.decode()
    assert anonymous.get("/services/verify/").status_code == 200
    assert anonymous.get("/services/items/99999/").status_code == 404
    home = anonymous.get("/").content.decode()
    assert "/services/" in home and "/services/verify/" in home
    # Signed-out visitors are sent to sign in for applying.
    assert anonymous.get(f"/services/items/{svc.items['elderly'].pk}/apply/").status_code == 302


def test_a_resident_applies_online_tracks_and_rates(svc, world, resident, street_staff):
    client = _client(resident)
    url = f"/services/items/{svc.items['elderly'].pk}/apply/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"unit": world.community.pk, "supplied_materials": ["居民身份证", "户口簿", "一寸照片"]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get()
    assert app.channel == "online" and app.applicant == resident
    assert app.number in client.get("/services/mine/").content.decode()
    for verb in ("accept", "start", "complete"):
        getattr(actions, f"application_{verb}")(actor=street_staff, application=app)
    page = client.get(f"/services/applications/{app.pk}/").content.decode()
    assert "请评价本次服务" in page
    assert (
        client.post(
            f"/services/applications/{app.pk}/rate/", {"satisfaction": "satisfied", "comment": "很方便"}
        ).status_code
        == 302
    )
    assert app.rating.satisfaction == "satisfied"
    again = client.post(f"/services/applications/{app.pk}/rate/", {"satisfaction": "unsatisfied"})
    assert again.status_code == 409


def test_online_application_with_a_missing_required_field_shows_the_form_again(svc, world, resident):
    client = _client(resident)
    response = client.post(f"/services/items/{svc.items['birth'].pk}/apply/", {"unit": world.community.pk})
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_desk_intake_of_a_proxy_application_with_a_signature_and_custody(
    svc, world, grid_worker, community_worker, street_staff
):
    resident = make_resident(world.grid, "冯奶奶")
    client = _client(community_worker)
    page = client.get("/services/desk/", {"point": svc.doorstep.pk, "item": svc.items["elderly"].pk})
    assert page.status_code == 200 and "代办" in page.content.decode()
    response = client.post(
        f"/services/desk/?point={svc.doorstep.pk}&item={svc.items['elderly'].pk}",
        {
            "point": svc.doorstep.pk,
            "item": svc.items["elderly"].pk,
            "mode": "proxy",
            "resident_id": resident.pk,
            "supplied_materials": ["居民身份证", "户口簿", "一寸照片"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    app = Application.objects.get()
    assert app.mode == "proxy" and app.visits == 0 and app.applicant_name == "冯奶奶"
    detail = client.get(f"/services/applications/{app.pk}/").content.decode()
    assert "data-signature" in detail and "services/signature.js" in detail
    # An empty signature is refused; a drawn one is kept.
    bad = client.post(f"/services/applications/{app.pk}/authorization/", {"signer_name": "冯奶奶", "scope": "代办"})
    assert bad.status_code == 422
    ok = client.post(
        f"/services/applications/{app.pk}/authorization/",
        {"signer_name": "冯奶奶", "scope": "代办优待证", "signature": "data:image/png;base64," + PNG_1PX},
    )
    assert ok.status_code == 302
    assert app.authorization.kind == "signature"
    assert app.authorization.file.read() == base64.b64decode(PNG_1PX)
    shown = client.get(f"/services/applications/{app.pk}/authorization/file/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == base64.b64decode(PNG_1PX)
    assert (
        _client(svc.world.users["outsider"]).get(f"/services/applications/{app.pk}/authorization/file/").status_code
        == 404
    )
    assert (
        _client(svc.world.users["supervisor"]).get(f"/services/applications/{app.pk}/authorization/file/").status_code
        == 403
    )
    handed = client.post(
        f"/services/applications/{app.pk}/custody/",
        {"document": "居民身份证", "quantity": 1, "from_party": "resident", "to_party": f"user:{community_worker.pk}"},
    )
    assert handed.status_code == 302
    assert CustodyEntry.objects.count() == 1
    # Refusing while the card is out is refused, and the page says why.
    refused = _client(street_staff).post(f"/services/applications/{app.pk}/refuse/", {"reason": "不符合"})
    assert refused.status_code == 422 and "尚未全部归还" in refused.content.decode()


def test_the_work_list_filters_pages_and_exports(svc, community_worker):
    for n in range(3):
        actions.application_submit(
            actor=community_worker, item=svc.items["legal"], point=svc.doorstep, mode="direct", applicant_name=f"甲{n}"
        )
    client = _client(community_worker)
    page = client.get("/services/work/", {"status": "open", "point": svc.doorstep.pk}).content.decode()
    assert page.count("法律咨询预约") == 3
    export = client.get("/services/work/export/", {"status": "open"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_staff_pages_render(svc, world, community_worker, district_admin, street_staff):
    for user, url in [
        (community_worker, f"/services/points/{svc.doorstep.pk}/figures/"),
        (community_worker, "/services/desk/bundle/"),
        (community_worker, "/services/certificates/"),
        (district_admin, "/services/duties/"),
        (district_admin, "/services/duties/?format=xlsx"),
        (street_staff, "/services/enforcement/"),
        (svc.village_worker, f"/services/points/{svc.village_point.pk}/village/"),
        (street_staff, "/services/enforcement/?format=xlsx"),
        (community_worker, f"/services/certificates/?unit={world.community.pk}&format=xlsx"),
        (svc.village_worker, f"/services/points/{svc.village_point.pk}/village/?format=xlsx&log=finance"),
        (svc.village_worker, f"/services/points/{svc.village_point.pk}/village/?format=xlsx&log=listings"),
        (svc.village_worker, f"/services/points/{svc.village_point.pk}/village/?format=xlsx"),
        (community_worker, "/desk/"),
        (district_admin, "/desk/"),
    ]:
        response = _client(user).get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert _client(svc.world.users["outsider"]).get(f"/services/points/{svc.doorstep.pk}/figures/").status_code == 404


def test_a_bundle_is_taken_at_the_desk_and_shown_with_one_status(svc, community_worker):
    client = _client(community_worker)
    url = f"/services/desk/bundle/?point={svc.doorstep.pk}&template={svc.bundle.pk}"
    response = client.post(
        url,
        {
            "point": svc.doorstep.pk,
            "template": svc.bundle.pk,
            "mode": "direct",
            "applicant_name": "陈晓东",
            "fd_child_name": "陈小宝",
            "fd_birth_date": "2026-11-20",
            "supplied_materials": ["出生医学证明", "父母身份证"],
            "resident_present": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bundle = Bundle.objects.get()
    page = client.get(f"/services/bundles/{bundle.pk}/").content.decode()
    assert "办理中" in page and "区医疗保障局" in page and page.count("/services/applications/") == 3


def test_certificates_are_issued_redirected_and_revoked_from_the_page(svc, world, community_worker, community_head):
    client = _client(community_worker)
    response = client.post(
        f"/services/certificates/?unit={world.community.pk}",
        {
            "form": "issue",
            "unit": world.community.pk,
            "type": svc.cert_types["residence"].pk,
            "holder_name": "张秀英",
            "purpose": "入学",
            "content": "居住在光明社区",
            "evidence": "租赁合同",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    cert = Certificate.objects.get()
    redirect = client.post(
        f"/services/certificates/?unit={world.community.pk}",
        {"form": "redirect", "unit": world.community.pk, "requested": "无犯罪记录证明"},
    )
    assert redirect.status_code == 200 and "户籍所在地公安派出所" in redirect.content.decode()
    assert CertificateRequest.objects.count() == 1
    head = _client(community_head)
    assert head.post(f"/services/certificates/{cert.pk}/", {"reason": ""}).status_code == 422
    assert head.post(f"/services/certificates/{cert.pk}/", {"reason": "信息有误"}).status_code == 302
    page = _client().get(f"/services/verify/{cert.code}/").content.decode()
    assert "无效" in page and "已于" in page


def test_the_village_page_logs_a_parcel_and_refuses_bad_input(svc):
    client = _client(svc.village_worker)
    url = f"/services/points/{svc.village_point.pk}/village/"
    ok = client.post(
        url, {"form": "parcel", "direction": "in", "tracking_number": "JD1", "carrier": "京东", "party_name": "杨伯"}
    )
    assert ok.status_code == 302
    bad = client.post(
        url, {"form": "parcel", "direction": "in", "tracking_number": "", "carrier": "", "party_name": ""}
    )
    assert bad.status_code == 422
    assert ParcelLog.objects.count() == 1


def test_enforcement_pages_register_and_move_a_case(svc, world, street_staff):
    client = _client(street_staff)
    response = client.post(
        "/services/enforcement/",
        {
            "unit": world.street.pk,
            "source": "patrol",
            "law_area": "市容环境",
            "party_name": "摊贩",
            "location": "路口",
            "summary": "占道",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case_url = response["Location"]
    assert client.post(case_url, {"verb": "investigate", "findings": "属实"}).status_code == 302
    assert client.post(case_url, {"verb": "decide", "decision": "penalty", "penalty_amount": "200"}).status_code == 422
    assert (
        client.post(
            case_url,
            {
                "verb": "decide",
                "decision": "penalty",
                "duty": svc.duties["vendor_penalty"].pk,
                "penalty_amount": "200",
            },
        ).status_code
        == 302
    )
    assert "CF-CG-003" in client.get(case_url).content.decode()


def test_the_pages_read_in_english(svc, world, community_worker):
    client = _client(community_worker)
    community_worker.language = "en"
    community_worker.save(update_fields=["language"])
    for url, text in [
        (f"/services/?unit={world.community.pk}", "Service guide"),
        (f"/services/points/{svc.doorstep.pk}/figures/", "At most one trip"),
        ("/services/verify/?code=ABCD", "Invalid: this certificate cannot be confirmed"),
        ("/services/work/", "Applications"),
    ]:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert text in page, url


def test_the_exports_carry_the_rows_with_names_masked(svc, world, community_worker):
    from gongzhi.lib.excel import read_rows

    app = actions.application_submit(
        actor=community_worker, item=svc.items["elderly"], point=svc.doorstep, mode="direct", applicant_name="欧阳晓明"
    )
    cert = actions.certificate_issue(
        actor=community_worker,
        unit=world.community,
        ctype=svc.cert_types["residence"],
        holder_name="欧阳晓明",
        purpose="子女入学",
        content="该居民自2020年起居住于光明路3号。",
        evidence="房屋租赁合同",
    )
    client = _client(community_worker)
    headers, rows = read_rows(client.get("/services/work/export/").content)
    row = next(r for r in rows if r[0] == app.number)
    assert row[headers.index("申请人")] == "欧***"
    headers, rows = read_rows(client.get(f"/services/certificates/?unit={world.community.pk}&format=xlsx").content)
    row = next(r for r in rows if r[0] == cert.serial)
    assert row[headers.index("持证人")] == "欧***"
    assert "欧阳晓明" not in str(rows)
