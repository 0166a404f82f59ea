"""Two dispatchers acting on the same appeal at once: exactly one succeeds, the other gets 409 (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from gongzhi.appeals import actions
from gongzhi.appeals.actions import _common
from gongzhi.appeals.models import Appeal, AppealEvent, Assignment
from gongzhi.people.roles import Role
from tests.conftest import ApiClient
from tests.factories import UserFactory, grant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")


def _race(world, monkeypatch, first_user, second_user, payloads):
    """Run two dispatch requests so that the second arrives while the first holds the row lock."""
    appeal = Appeal.objects.get()
    real = _common.deadlines_for
    started = threading.Event()

    def slow(category, start):
        started.set()
        time.sleep(0.5)  # keep the first transaction open while the second one asks for the row
        return real(category, start)

    monkeypatch.setattr(_common, "deadlines_for", slow)
    results: dict[str, int] = {}

    def run(name, user, payload):
        try:
            client = ApiClient(user)
            response = client.post(f"/appeals/{appeal.number}/dispatch", payload)
            results[name] = response.status_code
            results[f"{name}-code"] = response.json().get("error", {}).get("code", "")
        finally:
            connection.close()

    one = threading.Thread(target=run, args=("first", first_user, payloads[0]))
    two = threading.Thread(target=run, args=("second", second_user, payloads[1]))
    one.start()
    assert started.wait(10)
    two.start()
    one.join(20)
    two.join(20)
    return results


def test_two_dispatchers_at_once_exactly_one_succeeds(world, resident, dispatcher, monkeypatch):
    other = UserFactory(username="dispatcher2", display_name="第二派单员")
    grant(other, Role.DISPATCHER, world.street)
    actions.appeal_submit(actor=resident, channel="web", category="UC02", description="垃圾桶满了。", unit=world.grid)
    results = _race(
        world,
        monkeypatch,
        dispatcher,
        other,
        [{"department_id": world.department.pk}, {"department_id": world.street_department.pk}],
    )
    assert sorted([results["first"], results["second"]]) == [200, 409], results
    assert results["second"] == 409 and results["second-code"] == "already_dispatched"
    assert Assignment.objects.count() == 1
    assert Assignment.objects.get().department == world.department
    assert AppealEvent.objects.filter(kind="dispatched").count() == 1


def test_two_dispatchers_with_the_same_version_one_gets_a_conflict(world, resident, dispatcher, monkeypatch):
    other = UserFactory(username="dispatcher3", display_name="第三派单员")
    grant(other, Role.DISPATCHER, world.street)
    appeal = actions.appeal_submit(
        actor=resident, channel="web", category="UC02", description="垃圾桶满了。", unit=world.grid
    )
    payload = {"department_id": world.department.pk, "version": appeal.version}
    results = _race(world, monkeypatch, dispatcher, other, [payload, dict(payload)])
    assert results["first"] == 200 and results["second"] == 409, results
    assert results["second-code"] == "stale"
    assert Assignment.objects.count() == 1


def test_concurrent_submissions_get_distinct_gapless_numbers(world, resident):
    numbers: list[str] = []
    errors: list[BaseException] = []

    def run(n):
        try:
            appeal = actions.appeal_submit(
                actor=resident, channel="web", category="UC01", description=f"第{n}条：路面脏乱。", unit=world.grid
            )
            numbers.append(appeal.number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    seqs = sorted(int(number.split("-")[1]) for number in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + 8))  # distinct and without gaps


def test_concurrent_retries_with_one_idempotency_key_make_one_appeal(world, resident):
    numbers: list[str] = []

    def run():
        try:
            appeal = actions.appeal_submit(
                actor=resident,
                channel="web",
                category="UC01",
                description="路面脏乱。",
                unit=world.grid,
                idempotency_key="same-key",
            )
            numbers.append(appeal.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(numbers) == 4 and len(set(numbers)) == 1
    assert Appeal.objects.count() == 1
