"""Working days: statutory holidays and adjusted working days (调休), the admin table, and years after 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.lib import workdays
from gongzhi.workdays.models import CalendarDay

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)


@pytest.mark.parametrize("day", ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-07"])
def test_national_day_2026_is_a_holiday(db, day):
    assert not workdays.is_workday(dt.date.fromisoformat(day))


@pytest.mark.parametrize("day", ["2026-10-10", "2026-09-20"])
def test_the_adjusted_weekend_days_of_national_day_2026_are_working_days(db, day):
    assert dt.date.fromisoformat(day).weekday() >= 5
    assert workdays.is_workday(dt.date.fromisoformat(day))


def test_an_ordinary_weekend_is_a_rest_day(db):
    assert not workdays.is_workday(dt.date(2026, 10, 17))
    assert workdays.is_workday(dt.date(2026, 10, 16))


def test_three_working_days_from_the_eve_of_national_day_skip_the_holiday(db):
    # Wed 30 Sep + 3 working days: Thu 8 Oct, Fri 9 Oct, Sat 10 Oct (adjusted working day).
    assert workdays.add_workdays(at("2026-09-30"), 3) == at("2026-10-10")


def test_a_start_inside_the_holiday_counts_from_the_first_working_day(db):
    # Starting on 3 Oct (holiday): the clock starts at 00:00 on Thu 8 Oct; one working day ends at 00:00 Fri 9 Oct.
    assert workdays.add_workdays(at("2026-10-03", 15), 1) == at("2026-10-09", 0)
    assert workdays.add_workdays(at("2026-10-03", 15), 0) == at("2026-10-08", 0)


def test_the_time_of_day_is_kept_over_a_weekend(db):
    assert workdays.add_workdays(at("2026-10-16", 17), 1) == at("2026-10-19", 17)


def test_hour_deadlines_are_calendar_hours(db):
    assert workdays.deadline(at("2026-10-01", 22), amount=4, unit="hours") == at("2026-10-02", 2)
    assert workdays.deadline(at("2026-09-30"), amount=3, unit="workdays") == at("2026-10-10")
    with pytest.raises(ValueError):
        workdays.deadline(at("2026-09-30"), amount=3, unit="weeks")
    with pytest.raises(ValueError):
        workdays.add_workdays(at("2026-09-30"), -1)


def test_workdays_between_counts_the_working_days_after_start(db):
    assert workdays.workdays_between(dt.date(2026, 9, 30), dt.date(2026, 10, 10)) == 3
    assert workdays.workdays_between(dt.date(2026, 10, 10), dt.date(2026, 10, 1)) == 0


def test_next_workday(db):
    assert workdays.next_workday(dt.date(2026, 10, 1)) == dt.date(2026, 10, 8)
    assert workdays.next_workday(dt.date(2026, 10, 8)) == dt.date(2026, 10, 8)


def test_2027_dates_work_without_the_library(db):
    day = dt.date(2027, 2, 8)  # a Monday the library knows nothing about
    assert not workdays.library_knows(day)
    assert workdays.is_workday(day)
    assert not workdays.is_workday(dt.date(2027, 2, 6))  # Saturday
    assert workdays.add_workdays(at("2027-02-05"), 1) == at("2027-02-08")  # Fri → Mon
    assert workdays.add_workdays(at("2026-12-31"), 2) == at("2027-01-04")  # across the year boundary


def test_the_admin_table_adds_holidays_and_working_days_for_2027(db):
    CalendarDay.objects.create(date=dt.date(2027, 2, 8), is_workday=False, name="春节")
    CalendarDay.objects.create(date=dt.date(2027, 2, 6), is_workday=True, name="春节调休上班")
    workdays.clear_cache()
    assert not workdays.is_workday(dt.date(2027, 2, 8))
    assert workdays.is_workday(dt.date(2027, 2, 6))
    # Fri 5 Feb + 1 working day: Sat 6 Feb is worked (adjusted).
    assert workdays.add_workdays(at("2027-02-05"), 1) == at("2027-02-06")
    assert workdays.add_workdays(at("2027-02-05"), 2) == at("2027-02-09")


def test_the_admin_table_wins_over_the_library(db):
    CalendarDay.objects.create(date=dt.date(2026, 10, 9), is_workday=False, name="本地调整")
    CalendarDay.objects.create(date=dt.date(2026, 10, 1), is_workday=True, name="值班")
    workdays.clear_cache()
    assert not workdays.is_workday(dt.date(2026, 10, 9))
    assert workdays.is_workday(dt.date(2026, 10, 1))


def test_the_admin_table_is_reread_after_clear_cache(db):
    assert workdays.is_workday(dt.date(2027, 3, 1))
    CalendarDay.objects.create(date=dt.date(2027, 3, 1), is_workday=False)
    workdays.clear_cache()
    assert not workdays.is_workday(dt.date(2027, 3, 1))


def test_a_calendar_without_working_days_fails_loudly_instead_of_looping(db):
    start = dt.date(2030, 1, 1)
    CalendarDay.objects.bulk_create(
        CalendarDay(date=start + dt.timedelta(days=n), is_workday=False) for n in range(workdays.MAX_SPAN_DAYS + 1)
    )
    workdays.clear_cache()
    with pytest.raises(ValueError):
        workdays.next_workday(start)
