"""Demo elections for 光明社区's residents' council (居民议事会): the completed second election, and the third
one, open for nominations now.

The completed election is replayed through the real actions on a demo clock set to March 2024 (voting
windows cannot be created in the past), so its timeline, audit events and notifications carry 2024 dates.
Loading twice changes nothing: each election is looked up by body and title first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi import access
from gongzhi.deliberation.models import BodyLevel
from gongzhi.elections import actions
from gongzhi.elections.models import Election, RollEntry
from gongzhi.elections.queries import voter_state
from gongzhi.people import actions as people_actions
from gongzhi.people.models import Resident, User
from gongzhi.web.demo import DEMO_PASSWORD, DemoContext

BODY_NAME = "光明社区居民议事会"
SECOND = "光明社区第二届居民议事会代表选举"
THIRD = "光明社区第三届居民议事会代表选举"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@contextmanager
def demo_clock(start: dt.datetime) -> Iterator[dict[str, dt.datetime]]:
    """Run the actions as if it were `start` (advance with clock['at'] += ...); restores the real clock."""
    import django.utils.timezone as tz

    real = tz.now
    clock = {"at": start}
    tz.now = lambda: clock["at"]
    try:
        yield clock
    finally:
        tz.now = real


def _forget(ctx: DemoContext) -> None:
    for user in ctx.users.values():
        access.forget(user)


def _account(ctx: DemoContext, resident: Resident) -> User:
    """Give a resident a sign-in account (candidates must have one to accept and, if elected, to serve)."""
    if resident.user_id:
        return resident.user
    return people_actions.user_create(
        actor=ctx.users["community_head"],
        username=f"gm{resident.pk}",
        password=DEMO_PASSWORD,
        display_name=resident.name,
        resident=resident,
    )


def _adults(community: Any) -> list[Resident]:
    cutoff = dt.date(2005, 12, 1)
    return list(
        Resident.objects.filter(
            unit__path__startswith=community.path, birth_date__lte=cutoff, moved_out_on__isnull=True
        )
        .select_related("unit")
        .order_by("id")
    )


def load(ctx: DemoContext) -> None:
    community = ctx.communities[0]
    head, worker = ctx.users["community_head"], ctx.users["community_worker"]
    body = actions.body_ensure(
        actor=head,
        unit=community,
        name=BODY_NAME,
        level=BodyLevel.COMMUNITY_COMMITTEE,
        cosign_threshold=5,
        meeting_interval_days=90,
    )
    adults = _adults(community)
    if len(adults) < 30:
        ctx.log("  elections: too few adult residents in 光明社区 for the demo elections; skipped")
        return
    if not Election.objects.filter(body=body, title=SECOND).exists():
        _second_election(ctx, body, adults, head, worker)
    if not Election.objects.filter(body=body, title=THIRD).exists():
        _third_election(ctx, body, adults, head, worker)


@transaction.atomic
def _second_election(ctx: DemoContext, body: Any, adults: list[Resident], head: User, worker: User) -> None:
    rng = ctx.rng
    chosen = [adults[i] for i in (3, 8, 14, 21, 27, 33, 40)]
    accounts = [_account(ctx, r) for r in chosen]
    _forget(ctx)
    with demo_clock(dt.datetime(2024, 2, 20, 9, 30, tzinfo=SHANGHAI)) as clock:
        election = actions.election_create(
            actor=worker,
            body=body,
            title=SECOND,
            description="按照《光明社区居民议事会章程》，由本社区年满十八周岁的居民直接选举议事代表5名。",
            seats=5,
            term_start=dt.date(2024, 4, 1),
            term_end=dt.date(2026, 12, 31),
            electorate="adult_residents",
            nominations_close_at=dt.datetime(2024, 3, 8, 18, 0, tzinfo=SHANGHAI),
            voting_starts_at=dt.datetime(2024, 3, 16, 8, 0, tzinfo=SHANGHAI),
            voting_ends_at=dt.datetime(2024, 3, 16, 17, 0, tzinfo=SHANGHAI),
            nomination_threshold=5,
        )
        clock["at"] += dt.timedelta(days=1)
        actions.election_open(actor=worker, election=election)
        entries = {e.resident_id: e for e in RollEntry.objects.filter(election=election)}
        # Five candidates nominated by the council's party branch, two by residents' joint nominations on paper.
        clock["at"] += dt.timedelta(days=2)
        nominations = []
        for resident in chosen[:5]:
            nominations.append(
                actions.nomination_by_body(
                    actor=worker,
                    election=election,
                    nominee=entries[resident.pk],
                    body_decision="中共光明社区委员会2024年第2次会议决定",
                )
            )
        signers = [entries[r.pk] for r in adults[50:62]]
        for index, resident in enumerate(chosen[5:]):
            nominations.append(
                actions.nomination_record_paper(
                    actor=worker,
                    election=election,
                    nominee=entries[resident.pk],
                    supporters=signers[index * 6 : index * 6 + 6],
                    statement="热心楼道事务，群众基础好。",
                )
            )
        clock["at"] += dt.timedelta(days=3)
        statements = ["退休教师，愿为邻里办实事。", "楼栋长，熟悉小区情况。", "党员志愿者。", "", "物业监督小组成员。"]
        for index, (nomination, account) in enumerate(zip(nominations, accounts, strict=True)):
            actions.nomination_accept(actor=account, nomination=nomination, statement=statements[index % 5])
        actions.proxy_register(
            actor=worker,
            election=election,
            principal=entries[adults[62].pk],
            proxy=entries[adults[63].pk],
            document_number="GM-2024-WT-001",
            signed_on=dt.date(2024, 2, 25),
            note="外出务工",
        )
        # Election day.
        clock["at"] = dt.datetime(2024, 3, 16, 8, 5, tzinfo=SHANGHAI)
        actions.voting_open(actor=worker, election=election)
        candidates = [n.pk for n in actions.candidates_of(election)]
        weights = [9, 8, 7, 7, 6, 4, 3]
        for account in accounts:
            clock["at"] += dt.timedelta(minutes=rng.randint(3, 20))
            picks = sorted(set(rng.choices(candidates, weights=weights, k=5)))
            actions.ballot_cast(actor=account, election=election, choices=picks)
        paper_voters = [e for e in RollEntry.objects.filter(election=election).order_by("number") if e.user_id is None]
        paper_voters = paper_voters[: max(0, int(len(entries) * 0.62))]
        proxy = entries[adults[63].pk]
        for entry in paper_voters:
            clock["at"] += dt.timedelta(minutes=rng.randint(1, 4))
            if entry.resident_id == adults[62].pk:
                actions.paper_ballot_issue(actor=worker, election=election, entry=entry, proxy=proxy)
            else:
                actions.paper_ballot_issue(actor=worker, election=election, entry=entry)
        clock["at"] = dt.datetime(2024, 3, 16, 17, 1, tzinfo=SHANGHAI)
        actions.voting_close(actor=worker, election=election)
        # Counting: the worker types in each sheet, the community head checks it against the paper.
        for index in range(len(paper_voters)):
            clock["at"] += dt.timedelta(seconds=40)
            if index % 23 == 7:
                ballot = actions.paper_ballot_enter(actor=worker, election=election, choices=[], spoiled=True)
            else:
                picks = sorted(set(rng.choices(candidates, weights=weights, k=rng.randint(3, 5))))
                ballot = actions.paper_ballot_enter(actor=worker, election=election, choices=picks)
            actions.paper_ballot_confirm(actor=head, ballot=ballot)
        clock["at"] = dt.datetime(2024, 3, 16, 19, 30, tzinfo=SHANGHAI)
        actions.election_tally(actor=head, election=election)
        clock["at"] = dt.datetime(2024, 3, 17, 9, 0, tzinfo=SHANGHAI)
        election = actions.election_publish(actor=head, election=election)
    _forget(ctx)
    ctx.log(f"  elections: {SECOND} — {election.get_outcome_display()}")


@transaction.atomic
def _third_election(ctx: DemoContext, body: Any, adults: list[Resident], head: User, worker: User) -> None:
    _forget(ctx)
    today = timezone.localdate()
    at = dt.time(9, 0)
    starts = dt.datetime.combine(today + dt.timedelta(days=24), at, tzinfo=SHANGHAI)
    election = actions.election_create(
        actor=worker,
        body=body,
        title=THIRD,
        description="第二届议事代表任期届满。本届应选议事代表7名，实行差额选举；欢迎居民联名推荐热心公益的邻居。",
        seats=7,
        term_start=dt.date(2027, 1, 1),
        term_end=dt.date(2029, 12, 31),
        electorate="adult_residents",
        nominations_close_at=dt.datetime.combine(today + dt.timedelta(days=14), dt.time(18, 0), tzinfo=SHANGHAI),
        voting_starts_at=starts,
        voting_ends_at=starts + dt.timedelta(hours=8),
        nomination_threshold=10,
    )
    actions.election_open(actor=worker, election=election)
    entries = {e.resident_id: e for e in RollEntry.objects.filter(election=election)}
    for resident in (adults[3], adults[14], adults[45]):
        account = _account(ctx, resident)
        nomination = actions.nomination_by_body(
            actor=worker,
            election=election,
            nominee=entries[resident.pk],
            body_decision=f"中共光明社区委员会{today.year}年第11次会议决定",
        )
        if resident is not adults[45]:  # the third has not answered yet
            actions.nomination_accept(actor=account, nomination=nomination)
    # A joint nomination collecting signatures, started by the demo resident (张秀英's account).
    resident_user = ctx.users["resident"]
    state = voter_state(resident_user, election)
    nominee = entries.get(adults[21].pk)
    if state.entry is not None and nominee is not None and state.entry.pk != nominee.pk:
        _account(ctx, adults[21])
        actions.nomination_propose(
            actor=resident_user, election=election, nominee=nominee, statement="一直义务打扫楼道、调解邻里纠纷。"
        )
    actions.proxy_register(
        actor=worker,
        election=election,
        principal=entries[adults[62].pk],
        proxy=entries[adults[63].pk],
        document_number=f"GM-{today.year}-WT-001",
        signed_on=today,
        note="在外地照顾老人",
    )
    _forget(ctx)
    ctx.log(f"  elections: {THIRD} — nominations open")
