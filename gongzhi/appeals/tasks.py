"""Periodic work for appeals: thin loops over ids, each id handled by one idempotent action.

Declared in gongzhi/schedule.py. Each function returns how many rows it changed (for logs and tests).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone

from gongzhi.appeals import actions, queries
from gongzhi.appeals.actions.deadlines import escalation_grace
from gongzhi.appeals.actions.handling import RATING_WINDOW
from gongzhi.lib.errors import DomainError

log = logging.getLogger("gongzhi.appeals")


def _each(ids: list[int], step: Callable[[int], bool]) -> int:
    changed = 0
    for pk in ids:
        try:
            changed += bool(step(pk))
        except DomainError as exc:  # one bad row must not stop the watch
            log.warning("appeals task skipped %s: %s", pk, exc)
    return changed


def watch_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    """Mark overdue appeals, escalate those overdue past the grace period, record missed check-ins."""
    moment = now or timezone.now()
    return {
        "overdue": _each(
            queries.overdue_candidates(moment), lambda pk: actions.appeal_mark_overdue(appeal_id=pk, now=moment)
        ),
        "escalated": _each(
            queries.escalation_candidates(moment, escalation_grace()),
            lambda pk: actions.appeal_escalate(appeal_id=pk, now=moment),
        ),
        "missed_check_ins": _each(
            queries.missed_summons_candidates(moment),
            lambda pk: actions.summons_mark_missed(summons_id=pk, now=moment),
        ),
    }


def close_unrated(now: dt.datetime | None = None) -> int:
    """Close resolved appeals their reporters did not rate within 7 days ("not rated")."""
    moment = now or timezone.now()
    return _each(
        queries.unrated_candidates(moment, RATING_WINDOW),
        lambda pk: actions.appeal_close_unrated(appeal_id=pk, now=moment),
    )
