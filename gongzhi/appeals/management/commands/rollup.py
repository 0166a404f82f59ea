"""Rebuild the appeal dashboards' daily rollups for a range of days."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.appeals import metrics


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"dates are written YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Rebuild the daily appeal rollups (three rates, rankings, 每月一题) for a range of days."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", help="last day (YYYY-MM-DD, default today)")
        parser.add_argument("--days", type=int, default=metrics.RECENT_DAYS, help="the last N days (default 45)")
        parser.add_argument("--step", type=int, default=31, help="days per transaction (default 31)")

    def handle(self, *args, **options):
        last = _day(options["last"]) if options["last"] else timezone.localdate()
        first = _day(options["first"]) if options["first"] else last - dt.timedelta(days=options["days"] - 1)
        if first > last:
            raise CommandError("--from must not be after --to")
        if options["step"] < 1:
            raise CommandError("--step must be at least 1")
        started = time.monotonic()
        total = 0
        day = first
        while day <= last:
            end = min(last, day + dt.timedelta(days=options["step"] - 1))
            rows = metrics.rollup(day, end)
            total += rows
            self.stdout.write(f"  {day}..{end}: {rows} rows")
            day = end + dt.timedelta(days=1)
        self.stdout.write(
            self.style.SUCCESS(f"Rolled up {first}..{last}: {total} rows in {time.monotonic() - started:.1f}s")
        )
