"""Case 25 (中宁县 万能章): only catalogue certificates are issued; other requests are redirected and counted;
issued ones carry a serial number and a code anyone can verify."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.test import Client

from gongzhi.services import queries
from gongzhi.services.models import Certificate, CertificateRequest, CertificateType
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def _issue(client, svc, **extra):
    body = {
        "unit_id": svc.world.community.pk,
        "type_id": svc.cert_types["residence"].pk,
        "holder_name": "张秀英",
        "purpose": "子女入学",
        "content": "该居民自2020年起居住在光明社区光明路1号。",
        "evidence": "房屋租赁合同；入户核实",
        **extra,
    }
    return client.post("/services/certificates", body)


def test_the_whole_cycle_issue_verify_revoke(svc, api, community_worker, community_head):
    response = _issue(api(community_worker), svc)
    assert response.status_code == 201, response.content
    cert = response.json()
    assert re.fullmatch(r"ZM001001-2026\d{6}", cert["serial"])
    assert len(cert["code"]) == 20

    anonymous = api()
    check = anonymous.get(f"/services/verify/{cert['code']}").json()
    assert check == {
        "valid": True,
        "status": "valid",
        "serial": cert["serial"],
        "type": "居住证明",
        "issuer": "光明社区",
        "issued_on": cert["issued_at"][:10],
        "valid_until": cert["valid_until"],
        "holder": "张**",
        "revoked_on": None,
    }
    # Written with dashes and lower case, it still verifies.
    spaced = "-".join(cert["code"][i : i + 4] for i in range(0, 20, 4)).lower()
    assert anonymous.get(f"/services/verify/{spaced}").json()["valid"] is True

    # A community worker may issue but not revoke; the head revokes with a reason.
    assert_error(api(community_worker).post(f"/services/certificates/{cert['id']}/revoke", {"reason": "x"}), 403)
    assert_error(api(community_head).post(f"/services/certificates/{cert['id']}/revoke", {"reason": ""}), 422)
    revoked = api(community_head).post(f"/services/certificates/{cert['id']}/revoke", {"reason": "居民已搬离"})
    assert revoked.status_code == 200
    check = anonymous.get(f"/services/verify/{cert['code']}").json()
    assert check["valid"] is False and check["status"] == "revoked"
    assert_error(api(community_head).post(f"/services/certificates/{cert['id']}/revoke", {"reason": "again"}), 409)


def test_forged_codes_are_invalid_and_never_an_error(svc, api, community_worker, client):
    _issue(api(community_worker), svc)
    for code in ["ABCDEFGHJKMNPQRSTVWX", "0000", "<script>", "x" * 60]:
        body = api().get(f"/services/verify/{code}").json()
        assert body == {
            "valid": False,
            "status": "unknown",
            "serial": None,
            "type": None,
            "issuer": None,
            "issued_on": None,
            "valid_until": None,
            "holder": None,
            "revoked_on": None,
        }
        page = client.get(f"/services/verify/{code}/")
        assert page.status_code == 200
        assert "无效" in page.content.decode()


def test_the_public_page_shows_a_valid_certificate_with_the_masked_name(svc, api, community_worker):
    cert = _issue(api(community_worker), svc).json()
    page = Client().get("/services/verify/", {"code": cert["code"]}).content.decode()
    assert "有效" in page and "张**" in page and "张秀英" not in page and "光明社区" in page


def test_issuing_a_type_outside_the_catalogue_writes_nothing(svc, api, community_worker, world):
    other = CertificateType.objects.create(
        owner_unit=world.other_street,
        code="ZM-QS",
        name="青山镇林权证明",
        legal_basis="x",
        issuer="x",
        required_evidence="x",
    )
    assert_error(_issue(api(community_worker), svc, type_id=other.pk), 422, "not_in_catalogue", "type_id")
    assert not Certificate.objects.exists()


def test_a_request_outside_the_catalogue_is_redirected_and_counted(svc, api, community_worker):
    client = api(community_worker)
    unit = svc.world.community.pk
    # Matched by a guide: the competent department.
    r = client.post("/services/certificate-requests/redirect", {"unit_id": unit, "requested": "无犯罪记录证明"})
    assert r.status_code == 201, r.content
    assert r.json()["redirect_kind"] == "competent_department"
    assert r.json()["go_to"] == "户籍所在地公安派出所"
    # No guide: staff says where to go (self-declaration).
    r = client.post(
        "/services/certificate-requests/redirect",
        {
            "unit_id": unit,
            "requested": "亲属关系证明",
            "kind": "self_declaration",
            "go_to": "由本人书面承诺",
            "reason": "无法定依据",
        },
    )
    assert r.status_code == 201
    # Without a place to go, nothing is written.
    assert_error(
        client.post("/services/certificate-requests/redirect", {"unit_id": unit, "requested": "健在证明"}), 422
    )
    # A catalogue certificate is not redirected: issue it.
    assert_error(
        client.post("/services/certificate-requests/redirect", {"unit_id": unit, "requested": "居住证明"}),
        422,
        "in_catalogue",
    )
    # A catalogue certificate whose facts cannot be verified is refused (and counted per type).
    r = client.post(
        "/services/certificate-requests/refuse",
        {"unit_id": unit, "type_id": svc.cert_types["poverty"].pk, "reason": "入户核查与申报不符"},
    )
    assert r.status_code == 201
    assert CertificateRequest.objects.count() == 3
    _issue(client, svc)
    _issue(client, svc)

    rows = {row["name"]: row for row in client.get("/services/certificate-figures", {"unit_id": unit}).json()}
    assert rows["居住证明"]["issued"] == 2
    assert rows["家庭经济困难情况证明"]["refused"] == 1
    assert rows["无犯罪记录证明"] == {
        "type_id": None,
        "name": "无犯罪记录证明",
        "in_catalogue": False,
        "issued": 0,
        "refused": 0,
        "redirected": 1,
    }
    assert rows["亲属关系证明"]["redirected"] == 1


def test_codes_are_unguessable_and_looked_up_by_an_index(svc, api, community_worker):
    codes = {_issue(api(community_worker), svc).json()["code"] for _ in range(5)}
    assert len(codes) == 5
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{20}", c) for c in codes)
    field = Certificate._meta.get_field("code")
    assert field.unique  # unique => indexed


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_is_chinese_and_carries_serial_and_code(svc, api, community_worker, tmp_path):
    cert = _issue(api(community_worker), svc).json()
    client = Client()
    client.force_login(community_worker)
    response = client.get(f"/services/certificates/{cert['id']}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    assert "居住证明" in text and cert["serial"] in text
    assert "-".join(cert["code"][i : i + 4] for i in range(0, 20, 4)) in text


def test_an_outsider_cannot_see_or_revoke_a_certificate(svc, api, community_worker, outsider):
    cert = _issue(api(community_worker), svc).json()
    assert_error(api(outsider).get(f"/services/certificates/{cert['id']}"), 404)
    assert_error(api(outsider).post(f"/services/certificates/{cert['id']}/revoke", {"reason": "x"}), 404)


def test_the_holder_sees_their_own_certificate(svc, api, community_worker, resident):
    holder = resident.resident
    cert = _issue(api(community_worker), svc, holder_name="", resident_id=holder.pk).json()
    assert api(resident).get(f"/services/certificates/{cert['id']}").status_code == 200
    assert queries.verify_certificate(cert["code"]).certificate.holder_id == resident.pk
