"""Keeping the duties register (职责清单): update, retire, the API and pages, and what a retirement changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.services import actions, queries
from gongzhi.services.models import Duty
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _snapshot(duty: Duty) -> dict:
    return {f.attname: getattr(duty, f.attname) for f in Duty._meta.concrete_fields}


def _decided_case(svc, world, street_staff, duty):
    case = actions.case_register(
        actor=street_staff,
        unit=world.street,
        team=svc.departments["zfd"],
        source="patrol",
        law_area="城乡规划",
        summary="楼顶违法搭建",
        location="光明路3号",
        party_name="某住户",
    )
    actions.case_investigate(actor=street_staff, case=case, findings="现场核实")
    return actions.case_decide(
        actor=street_staff, case=case, decision="penalty", duty=duty, penalty_amount="5000", penalty_text="限期拆除"
    )


# --- update ------------------------------------------------------------------------------------


def test_an_administrator_updates_a_duty_and_the_audit_keeps_before_and_after(svc, api, district_admin):
    duty = svc.duties["vendor_penalty"]
    response = api(district_admin).patch(
        f"/services/duties/{duty.pk}",
        {"name": "对擅自占道经营的行政处罚", "category_code": "UC04", "law_area": "市容", "department_id": None},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "对擅自占道经营的行政处罚" and body["category_code"] == "UC04"
    assert body["department"] is None and body["law_area"] == "市容" and body["in_force"] is True
    event = AuditEvent.objects.filter(action="services.duty_update").latest("id")
    assert event.changes["name"] == ["对占道经营的行政处罚", "对擅自占道经营的行政处罚"]
    assert event.changes["category_code"] == ["UC03", "UC04"]
    assert event.changes["department"] == [svc.departments["zfd"].pk, None]
    assert "kind" not in event.changes  # only what changed
    assert api(district_admin).get(f"/services/duties/{duty.pk}").json()["name"] == "对擅自占道经营的行政处罚"


def test_an_update_that_changes_nothing_writes_nothing(svc, api, sysadmin):
    duty = svc.duties["vendor_penalty"]
    events = AuditEvent.objects.count()
    response = api(sysadmin).patch(f"/services/duties/{duty.pk}", {"name": duty.name, "kind": duty.kind})
    assert response.status_code == 200
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category_code": "ZZ99"}, "category_code"),
        ({"kind": "bogus"}, "kind"),
        ({"source": "bogus"}, "source"),
        ({"name": ""}, "name"),
        ({"legal_basis": "  "}, "legal_basis"),
        ({"source": "law", "delegated_from_id": "{district}"}, "delegated_from_id"),
        ({"delegated_from_id": "{street}"}, "delegated_from_id"),
        ({"delegated_from_id": 999999}, "delegated_from_id"),
        ({"department_id": "{t_zfd}"}, "department_id"),
        ({"department_id": 999999}, "department_id"),
        ({"effective_from": None}, "effective_from"),
        ({"code": "NEW-1"}, "code"),  # the code identifies the entry: unknown field
    ],
)
def test_bad_updates_are_refused_and_change_nothing(svc, world, api, sysadmin, body, field):
    duty = svc.duties["build_penalty"]  # delegated from the district, handled by the street's team
    ids = {"{district}": world.district.pk, "{street}": world.street.pk, "{t_zfd}": svc.departments["t_zfd"].pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = _snapshot(duty)
    events = AuditEvent.objects.count()
    assert_error(api(sysadmin).patch(f"/services/duties/{duty.pk}", body), 422, field=field)
    duty.refresh_from_db()
    assert _snapshot(duty) == before
    assert AuditEvent.objects.count() == events


def test_a_delegated_power_becoming_a_law_duty_drops_its_origin(svc, api, sysadmin):
    duty = svc.duties["build_penalty"]
    body = api(sysadmin).patch(f"/services/duties/{duty.pk}", {"source": "law"}).json()
    assert body["source"] == "law" and body["delegated_from"] is None
    # And back: a delegated power must name where it came from.
    assert_error(api(sysadmin).patch(f"/services/duties/{duty.pk}", {"source": "entrusted"}), 422, "invalid_input")


def test_a_duty_cited_by_a_decided_case_keeps_its_record(svc, world, api, sysadmin, street_staff):
    duty = svc.duties["build_penalty"]
    case = _decided_case(svc, world, street_staff, duty)
    basis = duty.legal_basis
    refused = api(sysadmin).patch(f"/services/duties/{duty.pk}", {"legal_basis": "新的依据"})
    body = assert_error(refused, 409, "duty_cited", "legal_basis")
    assert "停用" in body["error"]["message"]
    duty.refresh_from_db()
    assert duty.legal_basis == basis
    # A clerical change of the name is fine; retiring is the way to replace it.
    assert api(sysadmin).patch(f"/services/duties/{duty.pk}", {"name": "对违法建设的处罚"}).status_code == 200
    retired = api(sysadmin).post(f"/services/duties/{duty.pk}/retire", {"reason": "法律修订，重新登记"})
    assert retired.status_code == 200
    case.refresh_from_db()
    assert case.duty_id == duty.pk and case.legal_basis == basis
    with pytest.raises(ProtectedError):
        Duty.objects.filter(pk=duty.pk).delete()
    assert api(street_staff).get(f"/services/cases/{case.pk}").json()["legal_basis"] == basis


# --- retire ------------------------------------------------------------------------------------


def test_retiring_a_duty_takes_it_out_of_the_register_checks_and_keeps_it_listed_as_retired(
    svc, world, api, sysadmin, district_admin
):
    duty = svc.duties["elderly"]
    Duty.objects.filter(pk=duty.pk).update(effective_from=dt.date(2024, 1, 1))
    assert queries.duty_holder(world.street, "GG-LN-001").holds
    response = api(district_admin).post(f"/services/duties/{duty.pk}/retire", {"reason": "事项划转区民政局"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["effective_to"] == timezone.localdate().isoformat()
    assert body["retired_reason"] == "事项划转区民政局" and body["in_force"] is False
    event = AuditEvent.objects.filter(action="services.duty_retire").latest("id")
    assert event.changes["reason"] == "事项划转区民政局"
    # The duty holder check no longer counts it …
    assert not queries.duty_holder(world.street, "GG-LN-001").holds
    assert queries.duty_holder(world.street, "GG-LN-001", on=timezone.localdate() - dt.timedelta(days=1)).holds
    # … nor does the catalogue: a street item for that matter is now outside the street's duties.
    with pytest.raises(Exception) as refused:
        actions.item_create(
            actor=sysadmin,
            owner_unit=world.street,
            code="JD-LN-1",
            name="老年人优待证办理",
            category="government",
            finish_level="street",
            matter_code="GG-LN-001",
            time_limit_days=5,
            modes=["direct"],
        )
    assert refused.value.code == "outside_duties"
    # The list shows current entries by default, retired ones on request.
    current = [d["id"] for d in api(sysadmin).get("/services/duties").json()]
    retired = [d["id"] for d in api(sysadmin).get("/services/duties", {"state": "retired"}).json()]
    everything = [d["id"] for d in api(sysadmin).get("/services/duties", {"state": "all"}).json()]
    assert duty.pk not in current and retired == [duty.pk] and duty.pk in everything
    assert len(everything) == len(current) + 1
    assert_error(api(sysadmin).get("/services/duties", {"state": "gone"}), 422, field="state")
    # A retired entry is history: not edited, not retired again.
    assert_error(api(sysadmin).patch(f"/services/duties/{duty.pk}", {"name": "x"}), 409, "duty_retired")
    assert_error(api(sysadmin).post(f"/services/duties/{duty.pk}/retire", {"reason": "x"}), 409, "duty_retired")


def test_a_retirement_may_be_scheduled(svc, world, api, sysadmin):
    duty = svc.duties["elderly"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    body = (
        api(sysadmin)
        .post(f"/services/duties/{duty.pk}/retire", {"reason": "机构改革", "effective_to": tomorrow.isoformat()})
        .json()
    )
    assert body["in_force"] is True and body["effective_to"] == tomorrow.isoformat()
    assert queries.duty_holder(world.street, "GG-LN-001").holds
    assert not queries.duty_holder(world.street, "GG-LN-001", on=tomorrow).holds
    assert duty.pk in [d["id"] for d in api(sysadmin).get("/services/duties").json()]
    body = assert_error(api(sysadmin).post(f"/services/duties/{duty.pk}/retire", {"reason": "x"}), 409, "duty_retired")
    assert tomorrow.isoformat() in body["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 301}, "reason"),
        ({"reason": "x", "effective_to": "2000-01-01"}, "effective_to"),
        ({"reason": "x", "effective_to": "not a date"}, None),
        ({}, None),
    ],
)
def test_bad_retirements_are_refused_and_change_nothing(svc, api, sysadmin, body, field):
    duty = svc.duties["elderly"]
    before = _snapshot(duty)
    events = AuditEvent.objects.count()
    assert_error(api(sysadmin).post(f"/services/duties/{duty.pk}/retire", body), 422, field=field)
    duty.refresh_from_db()
    assert _snapshot(duty) == before
    assert AuditEvent.objects.count() == events


def test_a_duty_cannot_retire_before_it_starts(svc, world, sysadmin):
    later = timezone.localdate() + dt.timedelta(days=30)
    duty = actions.duty_create(
        actor=sysadmin,
        unit=world.street,
        code="GG-NEW-1",
        name="新事项",
        kind="public_service",
        legal_basis="x",
        effective_from=later,
    )
    with pytest.raises(Exception) as refused:
        actions.duty_retire(actor=sysadmin, duty=duty, reason="x", effective_to=later - dt.timedelta(days=1))
    assert "effective_to" in refused.value.fields
    with pytest.raises(Exception) as refused:
        actions.duty_update(actor=sysadmin, duty=duty, effective_from=None)
    assert "effective_from" in refused.value.fields


# --- pages -------------------------------------------------------------------------------------


def test_managers_get_the_buttons_and_others_do_not(svc, sysadmin, district_admin, street_staff, community_worker):
    duty = svc.duties["elderly"]
    for user in (sysadmin, district_admin):
        page = _client(user).get("/services/duties/").content.decode()
        assert "新增职责" in page and f"/services/duties/{duty.pk}/edit/" in page
        assert f"/services/duties/{duty.pk}/retire/" in page
    # The street's staff see the street's register (403 on its entries); a community worker does not (404).
    for user, status in ((street_staff, 403), (community_worker, 404)):
        page = _client(user).get("/services/duties/").content.decode()
        assert "职责清单与权力清单" in page
        assert "新增职责" not in page and "/edit/" not in page and "/retire/" not in page
        assert _client(user).get("/services/duties/new/").status_code == 403
        assert _client(user).get(f"/services/duties/{duty.pk}/edit/").status_code == status
        assert _client(user).post(f"/services/duties/{duty.pk}/retire/", {"reason": "x"}).status_code == status
    duty.refresh_from_db()
    assert duty.effective_to is None
    assert _client().get("/services/duties/new/").status_code == 302


def test_an_outsider_cannot_open_another_streets_duty(svc, outsider):
    duty = svc.duties["elderly"]
    assert _client(outsider).get(f"/services/duties/{duty.pk}/edit/").status_code == 404
    assert _client(outsider).get(f"/services/duties/{duty.pk}/retire/").status_code == 404


def test_an_administrator_keeps_the_register_through_the_pages(svc, world, sysadmin):
    client = _client(sysadmin)
    form = client.get("/services/duties/new/")
    assert form.status_code == 200 and "<script>" not in form.content.decode()
    created = client.post(
        "/services/duties/new/",
        {
            "unit": world.street.pk,
            "code": "ZZ-LJ-1",
            "name": "生活垃圾分类监管",
            "kind": "duty",
            "source": "law",
            "category_code": "UC02",
            "legal_basis": "《生活垃圾分类管理条例》",
            "effective_from": timezone.localdate().isoformat(),
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    duty = Duty.objects.get(unit=world.street, code="ZZ-LJ-1")
    assert duty.category_code == "UC02"
    edit = client.get(f"/services/duties/{duty.pk}/edit/").content.decode()
    assert "生活垃圾分类监管" in edit
    changed = client.post(
        f"/services/duties/{duty.pk}/edit/",
        {
            "name": "生活垃圾分类投放监管",
            "kind": "duty",
            "source": "law",
            "category_code": "UC02",
            "department": world.street_department.pk,
            "legal_basis": "《生活垃圾分类管理条例》第二十条",
            "effective_from": duty.effective_from.isoformat(),
        },
    )
    assert changed.status_code == 302
    duty.refresh_from_db()
    assert duty.name == "生活垃圾分类投放监管" and duty.department == world.street_department
    retired = client.post(
        f"/services/duties/{duty.pk}/retire/", {"reason": "并入市容管理", "effective_to": timezone.localdate()}
    )
    assert retired.status_code == 302
    duty.refresh_from_db()
    assert duty.effective_to == timezone.localdate() and duty.retired_reason == "并入市容管理"
    current = client.get("/services/duties/").content.decode()  # shows the success message once
    current = client.get("/services/duties/").content.decode()
    assert "生活垃圾分类投放监管" not in current
    listed = client.get("/services/duties/", {"state": "retired"}).content.decode()
    assert "生活垃圾分类投放监管" in listed and "并入市容管理" in listed and "已停用" in listed
    assert f"/services/duties/{duty.pk}/edit/" not in listed  # history has no buttons
    xlsx = client.get("/services/duties/", {"state": "all", "format": "xlsx"})
    assert xlsx.status_code == 200


def test_bad_page_input_shows_the_form_again_and_writes_nothing(svc, world, sysadmin):
    client = _client(sysadmin)
    duty = svc.duties["build_penalty"]
    before = _snapshot(duty)
    events = AuditEvent.objects.count()
    response = client.post(
        f"/services/duties/{duty.pk}/edit/",
        {
            "name": duty.name,
            "kind": duty.kind,
            "source": duty.source,
            "delegated_from": world.district.pk,
            "department": svc.departments["t_zfd"].pk,
            "category_code": "ZZ99",
            "legal_basis": duty.legal_basis,
            "effective_from": duty.effective_from.isoformat(),
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "诉求分类编码“ZZ99”不存在" in page and "承办部门的管辖范围与本单位不符" in page
    retire = client.post(f"/services/duties/{duty.pk}/retire/", {"reason": "", "effective_to": "2000-01-01"})
    assert retire.status_code == 422
    new = client.post("/services/duties/new/", {"unit": world.street.pk, "code": "?", "name": ""})
    assert new.status_code == 422
    duty.refresh_from_db()
    assert _snapshot(duty) == before
    assert AuditEvent.objects.count() == events
    assert not Duty.objects.filter(code="?").exists()


def test_creating_a_duty_from_an_unknown_unit_names_the_original_holder_field(svc, world, api, sysadmin):
    body = {
        "unit_id": world.street.pk,
        "code": "XZ-NEW-1",
        "name": "新下放事项",
        "kind": "penalty",
        "legal_basis": "某法第一条",
        "source": "delegated",
        "delegated_from_id": 999999,
    }
    count = Duty.objects.count()
    assert_error(api(sysadmin).post("/services/duties", body), 422, field="delegated_from_id")
    assert Duty.objects.count() == count
