"""The access matrix of every services endpoint: anonymous 401, outsider 404, too-small role 403, and the
writes change nothing when refused. (That each endpoint works is shown by the scenario tests.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.people.roles import Role
from gongzhi.services import actions
from tests.conftest import assert_error
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def objs(svc, world, community_worker, street_staff):
    app = actions.application_submit(
        actor=community_worker,
        item=svc.items["elderly"],
        point=svc.doorstep,
        mode="accompany",
        applicant_name="甲",
        supplied_materials=["居民身份证", "户口簿", "一寸照片"],
    )
    appt = actions.appointment_create(
        actor=community_worker,
        application=app,
        staff=community_worker,
        at=timezone.now() + dt.timedelta(days=1),
        place="中心",
    )
    bundle = actions.bundle_submit(
        actor=community_worker,
        template=svc.bundle,
        point=svc.doorstep,
        mode="direct",
        applicant_name="乙",
        form_data={"child_name": "丙", "birth_date": "2026-11-01"},
    )
    cert = actions.certificate_issue(
        actor=community_worker,
        unit=world.community,
        ctype=svc.cert_types["residence"],
        holder_name="丁",
        purpose="x",
        content="x",
        evidence="x",
    )
    case = actions.case_register(
        actor=street_staff,
        unit=world.street,
        team=svc.departments["zfd"],
        source="patrol",
        law_area="市容环境",
        summary="x",
        location="x",
        party_name="x",
    )
    village = svc.village_worker
    parcel = actions.parcel_record(
        actor=village, point=svc.village_point, direction="in", tracking_number="A1", carrier="x", party_name="x"
    )
    listing = actions.listing_create(
        actor=village,
        point=svc.village_point,
        product="x",
        quantity="1",
        measure="斤",
        price="1",
        seller_name="x",
        seller_contact="x",
    )
    town_supervisor = UserFactory(username="town_supervisor")
    grant(town_supervisor, Role.SUPERVISOR, world.other_street)
    outsider_village = UserFactory(username="street_only")
    grant(outsider_village, Role.STREET_STAFF, world.street)
    return {
        "app": app.pk,
        "appt": appt.pk,
        "bundle": bundle.pk,
        "cert": cert.pk,
        "case": case.pk,
        "point": svc.doorstep.pk,
        "vpoint": svc.village_point.pk,
        "parcel": parcel.pk,
        "listing": listing.pk,
        "community": world.community.pk,
        "street": world.street.pk,
        "item": svc.items["elderly"].pk,
        "worker": community_worker.pk,
        "ctype": svc.cert_types["residence"].pk,
        "duty": svc.duties["build_penalty"].pk,
        "town_supervisor": town_supervisor,
        "street_only": outsider_village,
    }


# (method, path, body, who is "outsider" → 404, who is too small → 403)
# "outsider" is the street staff of the other township unless named; "small" is a supervisor of the street.
ENDPOINTS = [
    ("get", "/services/applications/{app}", None, "outsider", None),
    ("post", "/services/applications/{app}/accept", {}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/start", {}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/complete", {}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/refuse", {"reason": "x"}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/deliver", {"method": "mail"}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/withdraw", {}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/visits", {"purpose": "other"}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/supply", {"materials": ["户口簿"]}, "outsider", "supervisor"),
    (
        "post",
        "/services/applications/{app}/authorization",
        {"kind": "upload", "content_base64": "JVBERi0=", "signer_name": "x", "scope": "x"},
        "outsider",
        "supervisor",
    ),
    ("get", "/services/applications/{app}/custody", None, "outsider", None),
    (
        "post",
        "/services/applications/{app}/custody",
        {"document": "x", "from_party": "resident", "to_party": "unit:1"},
        "outsider",
        "supervisor",
    ),
    (
        "post",
        "/services/applications/{app}/appointments",
        {"staff_id": "{worker}", "at": "2030-01-01T09:00:00+08:00", "place": "x"},
        "outsider",
        "supervisor",
    ),
    ("post", "/services/appointments/{appt}/finish", {"held": True}, "outsider", "supervisor"),
    ("post", "/services/applications/{app}/rating", {"satisfaction": "satisfied"}, "outsider", "supervisor"),
    ("get", "/services/bundles/{bundle}", None, "outsider", None),
    ("get", "/services/points/{point}/figures", None, "outsider", None),
    ("patch", "/services/points/{point}", {"duty_note": "x"}, "outsider", "supervisor"),
    ("get", "/services/certificates/{cert}", None, "outsider", None),
    ("post", "/services/certificates/{cert}/revoke", {"reason": "x"}, "outsider", "supervisor"),
    (
        "post",
        "/services/certificates",
        {
            "unit_id": "{community}",
            "type_id": "{ctype}",
            "holder_name": "x",
            "purpose": "x",
            "content": "x",
            "evidence": "x",
        },
        "outsider",
        "supervisor",
    ),
    (
        "post",
        "/services/certificate-requests/redirect",
        {"unit_id": "{community}", "requested": "健在证明", "kind": "self_declaration", "go_to": "x", "reason": "x"},
        "outsider",
        "supervisor",
    ),
    ("get", "/services/certificate-figures?unit_id={community}", None, "outsider", "supervisor"),
    ("get", "/services/cases/{case}", None, "outsider", None),
    ("post", "/services/cases/{case}/investigate", {"findings": "x"}, "outsider", "supervisor"),
    ("post", "/services/cases/{case}/decide", {"decision": "none", "note": "x"}, "outsider", "supervisor"),
    ("post", "/services/cases/{case}/execute", {"note": "x"}, "outsider", "supervisor"),
    ("post", "/services/cases/{case}/close", {}, "outsider", "supervisor"),
    (
        "post",
        "/services/duties",
        {"unit_id": "{street}", "code": "X-9", "name": "x", "kind": "duty", "legal_basis": "x"},
        "outsider",
        "street_staff",
    ),
    ("get", "/services/duty-holder?unit_id={street}&code=UC04", None, "outsider", None),
    ("get", "/services/duties/{duty}", None, "outsider", None),
    ("patch", "/services/duties/{duty}", {"name": "x"}, "outsider", "street_staff"),
    ("post", "/services/duties/{duty}/retire", {"reason": "x"}, "outsider", "street_staff"),
    ("get", "/services/points/{vpoint}/village", None, "street_only", None),
    (
        "post",
        "/services/points/{vpoint}/parcels",
        {"direction": "in", "tracking_number": "Z9", "carrier": "x", "party_name": "x"},
        "street_only",
        "town_supervisor",
    ),
    (
        "post",
        "/services/points/{vpoint}/finance",
        {"service": "bill", "resident_name": "x", "institution": "x"},
        "street_only",
        "town_supervisor",
    ),
    (
        "post",
        "/services/points/{vpoint}/listings",
        {"product": "x", "quantity": "1", "price": "1", "seller_name": "x", "seller_contact": "x"},
        "street_only",
        "town_supervisor",
    ),
    ("post", "/services/parcels/{parcel}/pickup", None, "street_only", "town_supervisor"),
    (
        "post",
        "/services/listings/{listing}/sell",
        {"buyer_name": "x", "buyer_contact": "x"},
        "street_only",
        "town_supervisor",
    ),
    ("post", "/services/listings/{listing}/withdraw", None, "street_only", "town_supervisor"),
]


def _fill(value, objs):
    if isinstance(value, str):
        return value.format(**{k: v for k, v in objs.items() if not hasattr(v, "pk")})
    if isinstance(value, dict):
        return {k: (int(_fill(v, objs)) if isinstance(v, str) and v.startswith("{") else v) for k, v in value.items()}
    return value


def _call(client, method, path, body):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body or {})


@pytest.mark.parametrize(
    ("method", "path", "body", "outsider", "small"), ENDPOINTS, ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS]
)
def test_the_access_matrix(objs, world, api, method, path, body, outsider, small):
    path = _fill(path, objs)
    body = _fill(body, objs)
    people = {**world.users, **{k: v for k, v in objs.items() if hasattr(v, "pk")}}
    events = AuditEvent.objects.count()
    assert_error(_call(api(), method, path, body), 401, "not_authenticated")
    assert_error(_call(api(people[outsider]), method, path, body), 404, "not_found")
    if small:
        assert_error(_call(api(people[small]), method, path, body), 403, "forbidden")
    assert AuditEvent.objects.count() == events  # nothing was written


def test_a_resident_sees_only_their_own_applications(svc, api, resident, community_worker, objs):
    mine = api(resident).post(
        "/services/applications",
        {"item_id": svc.items["elderly"].pk, "mode": "online", "supplied_materials": ["居民身份证"]},
    )
    assert mine.status_code == 201, mine.content
    listing = api(resident).get("/services/applications", {"mine": True}).json()["items"]
    assert [a["id"] for a in listing] == [mine.json()["id"]]
    assert api(resident).get("/services/applications").json()["items"] == listing
    assert_error(api(resident).get(f"/services/applications/{objs['app']}"), 404)
    # The applicant may withdraw, not accept.
    assert_error(api(resident).post(f"/services/applications/{mine.json()['id']}/accept", {}), 403)
    assert (
        api(resident).post(f"/services/applications/{mine.json()['id']}/withdraw", {}).json()["status"] == "withdrawn"
    )
    # The street desk that would have finished it is told.
    from gongzhi.notify.models import Notification

    told = Notification.objects.filter(title__contains=f"{mine.json()['number']}（老年人优待证办理）已由申请人撤回")
    assert told.filter(recipient=svc.world.users["street_staff"]).exists()


def test_only_the_applicant_rates_and_only_once(svc, api, resident, street_staff, community_worker):
    app = (
        api(resident)
        .post(
            "/services/applications",
            {
                "item_id": svc.items["elderly"].pk,
                "mode": "online",
                "supplied_materials": ["居民身份证", "户口簿", "一寸照片"],
            },
        )
        .json()
    )
    street = api(street_staff)
    assert_error(api(resident).post(f"/services/applications/{app['id']}/rating", {"satisfaction": "satisfied"}), 409)
    for verb in ("accept", "start", "complete"):
        street.post(f"/services/applications/{app['id']}/{verb}", {})
    assert_error(street.post(f"/services/applications/{app['id']}/rating", {"satisfaction": "satisfied"}), 403)
    assert_error(api(resident).post(f"/services/applications/{app['id']}/rating", {"satisfaction": "great"}), 422)
    rated = api(resident).post(
        f"/services/applications/{app['id']}/rating", {"satisfaction": "basic", "comment": "快"}
    )
    assert rated.status_code == 201 and rated.json()["rating"] == "basic"
    assert_error(
        api(resident).post(f"/services/applications/{app['id']}/rating", {"satisfaction": "unsatisfied"}), 409
    )
    figures = street.get(f"/services/items/{svc.items['elderly'].pk}/figures").json()
    assert figures["ratings"] == {"basic": 1} and figures["satisfaction_rate"] == "100.0"


def test_the_work_list_is_keyset_paginated_and_filtered_in_few_queries(
    svc, api, community_worker, django_assert_max_num_queries
):
    for n in range(7):
        actions.application_submit(
            actor=community_worker,
            item=svc.items["elderly" if n % 2 else "legal"],
            point=svc.doorstep,
            mode="direct",
            applicant_name=f"居民{n}",
        )
    client = api(community_worker)
    with django_assert_max_num_queries(12):
        first = client.get("/services/applications", {"point_id": svc.doorstep.pk, "limit": 4}).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    second = client.get(
        "/services/applications", {"point_id": svc.doorstep.pk, "limit": 4, "cursor": first["next_cursor"]}
    ).json()
    assert len(second["items"]) == 3 and second["next_cursor"] is None
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    legal = client.get("/services/applications", {"item_id": svc.items["legal"].pk}).json()["items"]
    assert len(legal) == 4
    assert_error(client.get("/services/applications", {"cursor": "garbage"}), 422, field="cursor")
    assert_error(client.get("/services/applications", {"limit": 1000}), 422, field="limit")


def test_unknown_fields_and_bad_values_are_refused(svc, api, community_worker):
    client = api(community_worker)
    body = {"item_id": svc.items["elderly"].pk, "point_id": svc.doorstep.pk, "mode": "direct", "applicant_name": "x"}
    assert_error(client.post("/services/applications", {**body, "colour": "red"}), 422, field="colour")
    assert_error(client.post("/services/applications", {**body, "mode": "teleport"}), 422, field="mode")
    assert_error(
        client.post("/services/applications", {**body, "applicant_mobile": "12"}), 422, field="applicant_mobile"
    )
    assert_error(client.post("/services/applications", {**body, "form_data": {"x": 1}}), 422, field="form_data.x")
    assert_error(client.post("/services/applications", {**body, "supplied_materials": ["护照"]}), 422)
    assert_error(client.post("/services/applications", {**body, "item_id": 999999}), 422, field="item_id")
