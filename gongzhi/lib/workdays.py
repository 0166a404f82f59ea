"""Working-day arithmetic for deadlines (工作日).

A day is a working day when, in this order:
1. the admin table (workdays.CalendarDay) says so — it always wins;
2. the chinese-calendar library knows the year (statutory holidays and adjusted working
   days, 调休) — it stops at 2026 and raises for later years, so we never let it decide those;
3. otherwise Monday to Friday are working days.

Deadlines counted in working days keep the time of day: submitted Friday 10:00, one working
day later is Monday 10:00. A start on a rest day counts from 00:00 of the next working day, so
one working day from Saturday ends at the end of Monday. Hour deadlines (emergencies, utilities)
are calendar hours: an emergency does not wait for Monday.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

_CACHE_SECONDS = 60
_overrides: dict[dt.date, bool] = {}
_loaded_at = 0.0
MAX_SPAN_DAYS = 3660


def clear_cache() -> None:
    """Forget the cached admin table (call after editing it; it also expires after a minute)."""
    global _loaded_at
    _loaded_at = 0.0
    _library_workday.cache_clear()


def _table() -> dict[dt.date, bool]:
    global _overrides, _loaded_at
    now = time.monotonic()
    if now - _loaded_at > _CACHE_SECONDS:
        from gongzhi.workdays.models import CalendarDay

        _overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
        _loaded_at = now
    return _overrides


@lru_cache(maxsize=8192)
def _library_workday(day: dt.date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def library_knows(day: dt.date) -> bool:
    return _library_workday(day) is not None


def is_workday(day: dt.date) -> bool:
    """Return whether the date is a working day."""
    table = _table()
    if day in table:
        return table[day]
    known = _library_workday(day)
    if known is not None:
        return known
    return day.weekday() < 5


def next_workday(day: dt.date) -> dt.date:
    """Return the first working day on or after the date."""
    for _ in range(MAX_SPAN_DAYS):
        if is_workday(day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError("no working day within ten years; check the calendar table")


def add_workdays(start: dt.datetime, days: int) -> dt.datetime:
    """Return the moment `days` working days after `start` (aware datetimes, local time kept)."""
    if days < 0:
        raise ValueError("days must not be negative")
    local = timezone.localtime(start)
    day = local.date()
    if not is_workday(day):
        day = next_workday(day)
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    counted = 0
    for _ in range(MAX_SPAN_DAYS):
        if counted == days:
            break
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    else:
        raise ValueError("deadline more than ten years away")
    naive = dt.datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """Return a deadline in calendar hours."""
    return start + dt.timedelta(hours=hours)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Return the number of working days after start up to and including end (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def deadline(start: dt.datetime, *, amount: int, unit: str) -> dt.datetime:
    """Return a deadline from an amount and a unit, "hours" or "workdays"."""
    if unit == "hours":
        return add_hours(start, amount)
    if unit == "workdays":
        return add_workdays(start, amount)
    raise ValueError(f"unknown deadline unit {unit!r}")
