"""Background tasks: Huey runs immediately in tests, and every periodic task is declared in gongzhi/schedule.py."""

from __future__ import annotations

import datetime as dt

from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY


def test_tasks_run_immediately_in_tests():
    assert HUEY.immediate is True


def _periodic() -> dict:
    autodiscover_modules("tasks")  # what `manage.py run_huey` does before starting the consumer
    return {task.name: task for task in HUEY._registry.periodic_tasks}


def test_the_consumer_finds_the_periodic_tasks_of_gongzhi_schedule():
    tasks = _periodic()
    assert {"retry_failed_deliveries", "verify_audit_chain"} <= set(tasks)


def test_every_periodic_task_lives_in_gongzhi_schedule():
    for name, task in _periodic().items():
        assert type(task).__module__ == "gongzhi.schedule", f"{name} is declared in {type(task).__module__}"


def test_the_schedules_fire_when_expected():
    tasks = _periodic()
    quarter = dt.datetime(2026, 10, 1, 8, 15)
    assert tasks["retry_failed_deliveries"].validate_datetime(quarter)
    assert not tasks["retry_failed_deliveries"].validate_datetime(quarter.replace(minute=16))
    assert tasks["verify_audit_chain"].validate_datetime(dt.datetime(2026, 10, 1, 3, 0))
    assert not tasks["verify_audit_chain"].validate_datetime(dt.datetime(2026, 10, 1, 4, 0))
