"""Helpers shared by the election actions (not actions themselves)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.elections.models import (
    Election,
    ElectionEvent,
    RollEntry,
)
from gongzhi.elections.workflow import ElectionStatus
from gongzhi.lib.errors import Forbidden, InvalidInput
from gongzhi.people.models import User

log = logging.getLogger("gongzhi.elections")

S = ElectionStatus
ADULT_AGE = 18
MAX_SEATS = 200
REASON_MAX = 200

# --- helpers -------------------------------------------------------------------------------------


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _url(election: Election) -> str:
    return reverse("elections:detail", args=[election.pk])


def _event(election: Election, kind: str, actor: Any, note: str = "") -> None:
    ElectionEvent.objects.create(election=election, kind=kind, actor=_user(actor), note=note[:2000], at=timezone.now())


def _lock(election: Election) -> Election:
    return Election.objects.select_for_update().select_related("unit", "body").get(pk=election.pk)


def _reason(value: str, field: str = "reason", *, required: bool = True) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise InvalidInput(fields={field: _("请填写原因。")})
    if len(text) > REASON_MAX:
        raise InvalidInput(fields={field: _("原因不能超过%(n)s个字。") % {"n": REASON_MAX}})
    return text


def turnout_fraction_from_settings() -> tuple[int, int]:
    """Return the default minimum turnout (more than this share of voters must vote), e.g. (1, 2)."""
    raw = str(getattr(settings, "ELECTION_MIN_TURNOUT", "1/2"))
    numerator, _sep, denominator = raw.partition("/")
    return int(numerator), int(denominator or 1)


def voter_entry(election: Election, user: Any, *, lock: bool = False) -> RollEntry | None:
    """Return the user's active entry on the election's roll (through their account or their register record)."""
    if _user(user) is None:
        return None
    qs = RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).filter(
        Q(user=user) | Q(user__isnull=True, resident__user=user)
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.first()


def _require_voter(election: Election, actor: Any, *, lock: bool = False) -> RollEntry:
    entry = voter_entry(election, actor, lock=lock)
    if entry is None:
        raise Forbidden(_("您不在本次选举的选民名单上。"), code="not_a_voter")
    return entry


def _entry_user(entry: RollEntry) -> User | None:
    if entry.user_id:
        return entry.user
    if entry.resident_id and entry.resident.user_id:
        return entry.resident.user
    return None


def _voter_users(election: Election) -> list[User]:
    entries = RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).select_related(
        "user", "resident__user"
    )
    return [u for u in (_entry_user(e) for e in entries) if u is not None]


def _election_day(election: Election) -> dt.date:
    return timezone.localdate(election.voting_starts_at)
