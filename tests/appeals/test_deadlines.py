"""Deadlines in working days and hours (National Day, an adjusted working Saturday, 2027) and the overdue watch."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.appeals import actions, tasks
from gongzhi.appeals.actions._common import deadlines_for
from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.audit.models import AuditEvent
from gongzhi.lib import workdays
from gongzhi.notify.models import Notification
from gongzhi.people.roles import Role
from gongzhi.workdays.models import CalendarDay
from tests.appeals.conftest import at, category, submit
from tests.factories import UserFactory, grant


def test_seven_working_days_skip_national_day_and_count_the_adjusted_saturday(db):
    # Dispatched Wednesday 30 Sep 2026: 1-7 Oct are holidays, Saturday 10 Oct is a working day.
    response, resolution = deadlines_for(category("UC02"), at(2026, 9, 30, 10))
    assert response == at(2026, 10, 1, 10)  # 24 calendar hours: a response does not wait for the holiday
    assert resolution == at(2026, 10, 15, 10)  # 8, 9, 10 (Sat), 12, 13, 14, 15 Oct


def test_a_working_day_deadline_from_a_holiday_counts_from_the_next_working_day(db):
    _, resolution = deadlines_for(category("UC04"), at(2026, 10, 3, 15))  # complex: 15 working days
    # From 00:00 of 8 Oct: 9, 10, 12-16, 19-23, 26, 27, 28 Oct.
    assert resolution == at(2026, 10, 28, 0)


def test_emergencies_and_utilities_count_calendar_hours_through_holidays(db):
    assert deadlines_for(category("UT03"), at(2026, 10, 1, 22)) == (at(2026, 10, 1, 23), at(2026, 10, 2, 0))
    assert deadlines_for(category("UT02"), at(2026, 10, 1, 22))[1] == at(2026, 10, 2, 22)


def test_deadlines_into_2027_use_weekends_and_the_admin_table(db):
    start = at(2026, 12, 28, 10)  # a Monday; the library knows nothing of 2027
    assert deadlines_for(category("UC04"), start)[1] == at(2027, 1, 18, 10)
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    workdays.clear_cache()
    assert deadlines_for(category("UC04"), start)[1] == at(2027, 1, 19, 10)


def test_a_category_may_set_its_own_deadlines(db, district_admin):
    actions.category_update(
        actor=district_admin,
        category=category("UC02"),
        response_amount=4,
        response_unit="hours",
        resolution_amount=2,
        resolution_unit="workdays",
    )
    assert deadlines_for(category("UC02"), at(2026, 11, 27, 16)) == (at(2026, 11, 27, 20), at(2026, 12, 1, 16))


@pytest.fixture
def district_supervisor(world):
    user = UserFactory(username="district_supervisor", display_name="区监督员")
    grant(user, Role.SUPERVISOR, world.district)
    return user


def test_the_watch_marks_overdue_notifies_and_escalates_after_the_grace_period(
    world, resident, rule, handler, supervisor, district_supervisor, clock, settings
):
    settings.GONGZHI_APPEAL_ESCALATION_HOURS = 24
    clock.set(at(2026, 11, 23, 9))
    appeal = submit(world, resident)  # dispatched by the rule: respond by 24 Nov 09:00, resolve by 2 Dec 09:00
    actions.appeal_accept(actor=handler, appeal=appeal)

    assert tasks.watch_deadlines(now=at(2026, 11, 24, 8, 59))["overdue"] == 0
    clock.set(at(2026, 11, 24, 9, 5))
    assert tasks.watch_deadlines()["overdue"] == 1
    appeal.refresh_from_db()
    assert appeal.is_overdue and appeal.overdue_at == at(2026, 11, 24, 9, 5)
    event = AppealEvent.objects.get(appeal=appeal, kind="overdue")
    assert event.data["kind"] == "response" and event.is_public is False
    assert Notification.objects.filter(recipient=handler, kind="appeals.overdue").exists()
    assert Notification.objects.filter(recipient=supervisor, kind="appeals.overdue").exists()
    # Idempotent: a second run changes nothing.
    assert tasks.watch_deadlines(now=at(2026, 11, 24, 9, 10)) == {"overdue": 0, "escalated": 0, "missed_check_ins": 0}

    assert tasks.watch_deadlines(now=at(2026, 11, 25, 9, 4))["escalated"] == 0
    clock.set(at(2026, 11, 25, 9, 6))
    assert tasks.watch_deadlines()["escalated"] == 1
    appeal.refresh_from_db()
    assert appeal.escalation_level == 1 and appeal.escalated_to == world.district
    assert Notification.objects.filter(recipient=district_supervisor, kind="appeals.escalated").exists()
    assert AuditEvent.objects.filter(action="appeals.escalate", target_id=str(appeal.pk)).exists()

    clock.set(at(2026, 11, 26, 9, 7))
    assert tasks.watch_deadlines()["escalated"] == 1
    appeal.refresh_from_db()
    assert appeal.escalation_level == 2 and appeal.escalated_to == world.city
    clock.set(at(2026, 11, 27, 9, 8))
    assert tasks.watch_deadlines()["escalated"] == 0  # nothing above the city


def test_a_responded_appeal_becomes_overdue_only_after_the_resolution_deadline(world, resident, rule, handler, clock):
    clock.set(at(2026, 11, 23, 9))
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已联系")
    assert tasks.watch_deadlines(now=at(2026, 11, 30, 9))["overdue"] == 0
    assert tasks.watch_deadlines(now=at(2026, 12, 2, 9, 1))["overdue"] == 1
    assert AppealEvent.objects.get(appeal=appeal, kind="overdue").data["kind"] == "resolution"


def test_queued_and_finished_appeals_are_not_watched(world, resident, clock):
    clock.set(at(2026, 11, 2, 9))
    submit(world, resident)
    assert tasks.watch_deadlines(now=at(2026, 12, 30, 9))["overdue"] == 0


def test_an_approved_extension_clears_a_current_overdue_flag(world, resident, rule, handler, dispatcher, clock):
    clock.set(at(2026, 11, 23, 9))
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已联系")
    clock.set(at(2026, 12, 2, 10))
    tasks.watch_deadlines()
    extension = actions.extension_request(actor=handler, appeal=appeal, extra_workdays=5, reason="材料未到")
    actions.extension_decide(actor=dispatcher, extension=extension, approve=True)
    appeal.refresh_from_db()
    assert appeal.is_overdue is False and appeal.overdue_at == at(2026, 12, 2, 10)
    assert appeal.resolution_due == at(2026, 12, 9, 9)


def test_the_unrated_closer_runs_over_every_due_appeal(world, resident, rule, dispatcher, handler, clock):
    from tests.appeals.conftest import carry_to_resolved

    clock.set(at(2026, 11, 2, 9))
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    assert tasks.close_unrated(now=at(2026, 11, 12, 9)) == 1
    assert Appeal.objects.get(pk=appeal.pk).status == "closed"
