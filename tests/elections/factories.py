"""Builders for election tests: a body, voters with and without accounts, an election at any stage."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from gongzhi.deliberation.models import Body, BodyLevel
from gongzhi.elections import actions
from gongzhi.elections.models import Election, Nomination, RollEntry
from gongzhi.people.models import Household, Resident
from tests.factories import UserFactory, make_resident

_seq = itertools.count(1)


def make_body(unit: Any, name: str = "光明社区居民议事会", level: str = BodyLevel.COMMUNITY_COMMITTEE) -> Body:
    return Body.objects.create(unit=unit, name=name, level=level)


def make_voters(unit: Any, count: int, *, accounts: bool = True, prefix: str = "选民") -> list[Resident]:
    """Adult residents of the unit, each in a household of their own; with sign-in accounts unless told."""
    voters = []
    for _ in range(count):
        n = next(_seq)
        household = Household.objects.create(unit=unit, number=f"H-{n}", address=f"{n}号")
        user = UserFactory(username=f"voter{n}", display_name=f"{prefix}{n}") if accounts else None
        voters.append(
            make_resident(
                unit,
                f"{prefix}{n:03d}",
                household=household,
                user=user,
                birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=n),
            )
        )
    return voters


def later(**kwargs: Any) -> dt.datetime:
    return timezone.now() + dt.timedelta(**kwargs)


def make_election(actor: Any, body: Body, **overrides: Any) -> Election:
    data = {
        "title": "光明社区第三届居民议事会代表选举",
        "seats": 2,
        "term_start": dt.date(2027, 1, 1),
        "term_end": dt.date(2029, 12, 31),
        "electorate": "adult_residents",
        "voting_starts_at": later(days=7),
        "voting_ends_at": later(days=7, hours=8),
        "nomination_threshold": 2,
    }
    data.update(overrides)
    return actions.election_create(actor=actor, body=body, **data)


def start_voting(election: Election, actor: Any) -> Election:
    """Move the window to now (arrangement) and open the ballot box through the action."""
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        voting_starts_at=now - dt.timedelta(minutes=1),
        voting_ends_at=now + dt.timedelta(hours=2),
        nominations_close_at=None,
    )
    return actions.voting_open(actor=actor, election=Election.objects.get(pk=election.pk))


def end_window(election: Election) -> Election:
    """Let the voting window pass (arrangement: time moves on)."""
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        voting_starts_at=now - dt.timedelta(hours=3), voting_ends_at=now - dt.timedelta(seconds=1)
    )
    return Election.objects.get(pk=election.pk)


def entry_of(election: Election, resident: Resident) -> RollEntry:
    return RollEntry.objects.get(election=election, resident=resident)


def nominate_by_body(
    actor: Any, election: Election, resident: Resident, decision: str = "党支部会议决定"
) -> Nomination:
    return actions.nomination_by_body(
        actor=actor, election=election, nominee=entry_of(election, resident), body_decision=decision
    )


def candidates_ready(election: Election, head: Any, residents: list[Resident]) -> list[Nomination]:
    """Nominate these residents by the body and have each accept (they have accounts)."""
    out = []
    for resident in residents:
        nomination = nominate_by_body(head, election, resident)
        out.append(actions.nomination_accept(actor=resident.user, nomination=nomination))
    return out
