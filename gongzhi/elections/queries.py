"""Every read of elections. Staff see elections through their grants; voters see the ones they are on the roll of.

Published results are public information (like a posted 选举结果公告) and are read without sign-in
through ``public_elections`` — only published elections, and only their public fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.deliberation.models import Body
from gongzhi.elections.actions import voter_entry
from gongzhi.elections.models import (
    Ballot,
    BallotStatus,
    Election,
    ElectionResult,
    Nomination,
    NominationStatus,
    ProxyAuthorization,
    RollEntry,
    VoteReceipt,
)
from gongzhi.elections.workflow import ElectionStatus
from gongzhi.lib.errors import InvalidInput, NotFound
from gongzhi.lib.pagination import Page, keyset_page
from gongzhi.units.models import Unit

S = ElectionStatus
BASE = Election.objects.select_related("unit", "body", "parent")


def _my_election_ids(actor: Any) -> QuerySet:
    """Ids of elections the actor is on the roll of (through their account or their register record)."""
    if not getattr(actor, "is_authenticated", False):
        return RollEntry.objects.none().values("election_id")
    own = access.scope(actor, "elections.voter", RollEntry.objects.all())
    by_register = RollEntry.objects.filter(user__isnull=True, resident__user=actor)
    return (own | by_register).filter(status=RollEntry.Status.ACTIVE).values("election_id")


def elections_visible(actor: Any) -> QuerySet[Election]:
    """Return the elections the actor may see: by grant (staff, representatives) or by being on the roll."""
    by_grant = access.scope(actor, "elections.view", Election.objects.all()).values("pk")
    return BASE.filter(Q(pk__in=by_grant) | Q(pk__in=_my_election_ids(actor)))


def access_election(actor: Any, pk: Any) -> Election:
    """Return the election if the actor may see it, else raise NotFound (also for signed-out callers)."""
    if not getattr(actor, "is_authenticated", False):
        access.get_or_404(actor, "elections.view", Election.objects.none(), pk=pk)  # raises NotAuthenticated
    try:
        return elections_visible(actor).get(pk=pk)
    except (Election.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def election_filter(
    actor: Any, *, status: str = "", unit: Unit | None = None, body: Body | None = None, mine: bool = False
) -> QuerySet[Election]:
    qs = elections_visible(actor)
    if status:
        if status not in S.values:
            raise InvalidInput(fields={"status": _("未知的状态。")})
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if body is not None:
        qs = qs.filter(body=body)
    if mine:
        qs = qs.filter(pk__in=_my_election_ids(actor))
    return qs


def election_page(actor: Any, *, after: str | None = None, limit: int | None = None, **filters: Any) -> Page:
    return keyset_page(election_filter(actor, **filters), order=("-created_at", "-id"), after=after, limit=limit)


def bodies_for_elections(actor: Any) -> QuerySet[Body]:
    """Bodies the actor may organise an election for."""
    return access.scope(actor, "elections.manage", Body.objects.filter(is_active=True).select_related("unit"))


# --- the roll ------------------------------------------------------------------------------------


def roll_filter(actor: Any, election: Election, *, q: str = "", status: str = "active") -> QuerySet[RollEntry]:
    """The full roll for staff (numbers masked in the templates), filtered by name or number."""
    access.check(actor, "elections.roll", election)
    qs = RollEntry.objects.filter(election=election).select_related("unit", "resident", "household", "receipt")
    if status:
        if status not in RollEntry.Status.values:
            raise InvalidInput(fields={"status": _("未知的状态。")})
        qs = qs.filter(status=status)
    text = q.strip()
    if text.isdigit():
        qs = qs.filter(number=int(text))
    elif text:
        qs = qs.filter(name__contains=text)
    return qs


def roll_page(actor: Any, election: Election, *, after: str | None = None, limit: int | None = None, **f: Any) -> Page:
    return keyset_page(roll_filter(actor, election, **f), order=("number", "id"), after=after, limit=limit)


def public_roll(actor: Any, election: Election, *, q: str = "", limit: int = 30) -> list[RollEntry]:
    """The posted voter list (names, numbers and grid, as on the notice board) for nominating and proxies."""
    qs = RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).select_related("unit")
    text = q.strip()
    if text.isdigit():
        qs = qs.filter(number=int(text))
    elif text:
        qs = qs.filter(name__contains=text)
    return list(qs.order_by("number")[:limit])


def roll_entry(election: Election, *, number: Any = None, pk: Any = None, active: bool = True) -> RollEntry:
    """Return one entry of an election's roll by its voter number or id (the election is already accessed)."""
    qs = RollEntry.objects.filter(election=election).select_related("resident__user", "user", "unit")
    if active:
        qs = qs.filter(status=RollEntry.Status.ACTIVE)
    try:
        return qs.get(number=number) if number is not None else qs.get(pk=pk)
    except (RollEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def roll_entries_by_number(election: Election, numbers: list[int], field: str) -> list[RollEntry]:
    """Return the active entries for these voter numbers, or say which numbers are not on the roll."""
    entries = {
        e.number: e
        for e in RollEntry.objects.filter(election=election, number__in=numbers, status=RollEntry.Status.ACTIVE)
    }
    missing = [str(n) for n in numbers if n not in entries]
    if missing:
        raise InvalidInput(fields={field: _("%(numbers)s号不在选民名单上。") % {"numbers": "、".join(missing)}})
    return [entries[n] for n in numbers]


# --- nominations, proxies, ballots ---------------------------------------------------------------


def nominations(election: Election) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(election=election)
        .select_related("nominee__unit", "nominee__user", "nominee__resident__user")
        .annotate(
            support_count=Count(
                "supports", filter=Q(supports__supporter__status=RollEntry.Status.ACTIVE), distinct=True
            )
        )
        .order_by("status", "nominee__name", "id")
    )


def access_nomination(actor: Any, pk: Any) -> Nomination:
    try:
        nomination = Nomination.objects.select_related("election", "nominee").get(pk=pk)
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    access_election(actor, nomination.election_id)
    return nomination


def candidates(election: Election) -> list[Nomination]:
    return list(
        Nomination.objects.filter(election=election, status=NominationStatus.ACCEPTED)
        .select_related("nominee__unit")
        .order_by("nominee__name", "id")
    )


def proxies(actor: Any, election: Election) -> QuerySet[ProxyAuthorization]:
    access.check(actor, "elections.roll", election)
    return (
        ProxyAuthorization.objects.filter(election=election)
        .select_related("principal", "proxy", "recorded_by", "principal__receipt")
        .order_by("-recorded_at", "-id")
    )


def access_proxy(actor: Any, pk: Any) -> ProxyAuthorization:
    try:
        authorization = ProxyAuthorization.objects.select_related("election").get(pk=pk)
    except (ProxyAuthorization.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    access_election(actor, authorization.election_id)
    return authorization


def paper_ballots(actor: Any, election: Election, *, status: str = BallotStatus.PENDING) -> QuerySet[Ballot]:
    """Paper ballots typed in from the opened box (for the counters: pending ones await a second person)."""
    access.check(actor, "elections.count", election)
    qs = Ballot.objects.filter(election=election, paper=True).select_related("entered_by", "confirmed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def access_paper_ballot(actor: Any, pk: Any) -> Ballot:
    try:
        ballot = Ballot.objects.select_related("election").get(pk=pk, paper=True)
    except (Ballot.DoesNotExist, ValueError, TypeError, Exception):
        raise NotFound() from None
    access_election(actor, ballot.election_id)
    return ballot


def results(election: Election) -> list[ElectionResult]:
    return list(
        ElectionResult.objects.filter(election=election).select_related("nomination__nominee__unit").order_by("rank")
    )


# --- a voter's view ------------------------------------------------------------------------------


@dataclass
class VoterState:
    """What one person can do in one election right now."""

    entry: RollEntry | None
    has_voted: bool
    can_vote: bool
    can_nominate: bool
    principals: list[RollEntry]  # voters whose written authorization this person holds and who have not voted
    my_nomination: Nomination | None
    supported: set[int]


def voter_state(actor: Any, election: Election) -> VoterState:
    entry = voter_entry(election, actor)
    if entry is None:
        return VoterState(None, False, False, False, [], None, set())
    has_voted = VoteReceipt.objects.filter(entry=entry).exists()
    principals = [
        p.principal
        for p in ProxyAuthorization.objects.filter(election=election, proxy=entry, revoked_at__isnull=True)
        .select_related("principal")
        .order_by("principal__number")
        if not VoteReceipt.objects.filter(entry=p.principal).exists()
    ]
    voting = election.status == S.VOTING and election.window_open()
    return VoterState(
        entry=entry,
        has_voted=has_voted,
        can_vote=voting and (not has_voted or bool(principals)),
        can_nominate=election.nominations_open(),
        principals=principals,
        my_nomination=Nomination.objects.filter(election=election, nominee=entry).first(),
        supported=set(
            Nomination.objects.filter(election=election, supports__supporter=entry).values_list("pk", flat=True)
        ),
    )


def turnout(election: Election) -> dict[str, Any]:
    """Voters and how many have voted so far (never how they voted: ballots are not counted before the tally)."""
    voters = election.voters_count or RollEntry.objects.filter(election=election, status="active").count()
    voted = VoteReceipt.objects.filter(election=election).count()
    by_channel = dict(
        VoteReceipt.objects.filter(election=election).values_list("channel").annotate(n=Count("id")).order_by()
    )
    return {
        "voters": voters,
        "voted": voted,
        "percent": round(100 * voted / voters, 1) if voters else 0.0,
        "by_channel": by_channel,
        "pending_paper": Ballot.objects.filter(election=election, status=BallotStatus.PENDING).count(),
        "paper_entered": Ballot.objects.filter(election=election, paper=True)
        .exclude(status=BallotStatus.VOID)
        .count(),
        "paper_issued": VoteReceipt.objects.filter(election=election, channel__in=["paper", "proxy_paper"]).count(),
    }


# --- public results ------------------------------------------------------------------------------


def public_elections() -> QuerySet[Election]:
    """Published elections: their results are a public notice."""
    return BASE.filter(status=S.PUBLISHED)


def public_page(*, after: str | None = None, limit: int | None = None, unit: Unit | None = None) -> Page:
    qs = public_elections()
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return keyset_page(qs, order=("-published_at", "-id"), after=after, limit=limit)


def public_election(pk: Any) -> Election:
    try:
        return public_elections().get(pk=pk)
    except (Election.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- desks ---------------------------------------------------------------------------------------


def my_open_elections(actor: Any) -> list[dict[str, Any]]:
    """Elections where the actor is a voter and has something to do (nominate, accept, vote)."""
    rows = []
    for election in BASE.filter(pk__in=_my_election_ids(actor), status__in=[S.NOMINATING, S.VOTING]).order_by(
        "voting_starts_at"
    )[:10]:
        rows.append({"election": election, "state": voter_state(actor, election)})
    return rows


def organiser_elections(actor: Any) -> list[dict[str, Any]]:
    """Elections in the actor's units still under way, with what needs attention."""
    now = timezone.now()
    qs = access.scope(actor, "elections.view", BASE.exclude(status__in=[S.PUBLISHED, S.CANCELLED])).order_by(
        "voting_starts_at"
    )[:10]
    rows = []
    for election in qs:
        stats = turnout(election)
        late = election.status == S.NOMINATING and election.voting_starts_at <= now
        rows.append({"election": election, "turnout": stats, "late": late})
    return rows


def recent_results(limit: int = 5, since: dt.date | None = None) -> list[Election]:
    qs = public_elections().order_by("-published_at")
    if since is not None:
        qs = qs.filter(published_at__date__gte=since)
    return list(qs[:limit])
