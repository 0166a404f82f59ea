"""Intake stays cheap: a submission through the API costs a fixed, small number of queries (no regressions)."""

from __future__ import annotations

from django.db import connection
from django.test import Client

from gongzhi.appeals.models import Appeal, AppealEvent, Assignment
from gongzhi.audit.chain import verify
from gongzhi.people.actions import token_create

# PostgreSQL: the number (sequence), the likely-duplicate check, the appeal, the Idempotency-Key, the timeline
# (one bulk insert), the assignment, the notification, the chain head lock and the audit append (one statement),
# plus the transaction's savepoint pair in a test (the unit the client named is read once per process). SQLite
# counts its number with a counter row (two queries) and moves the chain head in a statement of its own.
MAX_QUERIES = {"postgresql": 11, "sqlite": 13}


def _post(client: Client, secret: str, world, n: int):
    return client.post(
        "/api/v1/appeals",
        data={
            "category": "UC02",
            "description": f"小区门口垃圾桶满溢，请尽快清运。{n}",
            "unit_id": world.grid.pk,
            "channel": "phone",
            "contact": {"name": "热线来电", "mobile": f"135{n:08d}"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY=f"key-{n}",
    )


def test_a_hotline_submission_is_routed_with_a_fixed_number_of_queries(
    world, dispatcher, rule, django_assert_max_num_queries
):
    _token, secret = token_create(actor=dispatcher, name="12345热线")
    client = Client()
    assert _post(client, secret, world, 1).status_code == 201  # the token sign-in and the routing rules load once
    with django_assert_max_num_queries(MAX_QUERIES[connection.vendor]):
        response = _post(client, secret, world, 2)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "dispatched" and data["contact"]["mobile_masked"] == "135****0002"
    appeal = Appeal.objects.get(number=data["number"])
    assert appeal.department == world.department and appeal.response_due and appeal.version == 1
    assert list(AppealEvent.objects.filter(appeal=appeal).order_by("id").values_list("kind", flat=True)) == [
        "submitted",
        "auto_dispatched",
    ]
    assert Assignment.objects.get(appeal=appeal).via_rule == rule
    assert verify().ok


def test_a_replayed_key_costs_no_second_appeal_and_a_likely_duplicate_waits(world, dispatcher, rule):
    _token, secret = token_create(actor=dispatcher, name="12345热线")
    client = Client()
    first = _post(client, secret, world, 3)
    again = _post(client, secret, world, 3)
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert first.json()["number"] == again.json()["number"] and Appeal.objects.count() == 1
    # The same caller about the same thing again (a new key): flagged as a likely duplicate, not dispatched.
    body = {
        "category": "UC02",
        "description": "小区门口垃圾桶满溢，请尽快清运。3",
        "unit_id": world.grid.pk,
        "channel": "phone",
        "contact": {"name": "热线来电", "mobile": "13500000003"},
    }
    second = client.post(
        "/api/v1/appeals", data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert second.status_code == 201 and second.json()["status"] == "submitted"
    appeal = Appeal.objects.get(number=second.json()["number"])
    assert appeal.likely_duplicate_of.number == first.json()["number"]
    kinds = list(AppealEvent.objects.filter(appeal=appeal).order_by("id").values_list("kind", flat=True))
    assert kinds == ["submitted", "duplicate_flagged"] and not Assignment.objects.filter(appeal=appeal).exists()
    assert verify().ok
