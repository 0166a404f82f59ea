"""Tally, publication, seats, run-offs, cancellation and the scheduled window moves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.deliberation.models import BodyMember, MemberRole, MemberSource
from gongzhi.elections.actions._common import (
    S,
    _entry_user,
    _event,
    _lock,
    _reason,
    _url,
    _voter_users,
    log,
)
from gongzhi.elections.actions.setup import _validate
from gongzhi.elections.actions.voting import _seal, candidates_of, voting_close, voting_open
from gongzhi.elections.models import (
    Ballot,
    BallotStatus,
    Election,
    ElectionEvent,
    ElectionResult,
    Nomination,
    NominationMethod,
    NominationStatus,
    Outcome,
    RollEntry,
    VoteReceipt,
)
from gongzhi.elections.workflow import SYSTEM, transition
from gongzhi.lib.errors import Conflict, InvalidInput, InvalidTransition
from gongzhi.notify.service import send
from gongzhi.people.actions import grant_create
from gongzhi.people.models import RoleGrant, User
from gongzhi.people.roles import Role

# --- tally, publication, seats -------------------------------------------------------------------


@transaction.atomic
def election_tally(*, actor: Any, election: Election) -> Election:
    """Count the sealed ballots: turnout rule, plurality for the seats, ties at the last seat to a run-off."""
    election = _lock(election)
    if election.status == S.CLOSED:
        pending = Ballot.objects.filter(election=election, status=BallotStatus.PENDING).count()
        if pending:
            access.check(actor, "elections.certify", election)
            raise Conflict(
                _("还有%(n)s张纸质选票未经第二人复核，复核或作废后才能计票。") % {"n": pending},
                code="paper_ballots_pending",
            )
    transition(election, S.TALLIED, actor=actor)
    voters = RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).count()
    receipts = VoteReceipt.objects.filter(election=election).count()
    counted = list(
        Ballot.objects.filter(election=election, status=BallotStatus.COUNTED).values_list("choices", "spoiled")
    )
    ballots = len(counted)
    spoiled = sum(1 for _c, s in counted if s)
    valid = [c for c, s in counted if not s]
    blank = sum(1 for c in valid if not c)
    votes: Counter[int] = Counter()
    for choice in valid:
        votes.update(choice)
    candidates = candidates_of(election)
    election.voters_count = voters
    election.receipts_count = receipts
    election.ballots_count = ballots
    election.valid_ballots_count = len(valid)
    election.invalid_ballots_count = spoiled
    election.blank_ballots_count = blank
    election.tallied_at = timezone.now()

    ranked = sorted(candidates, key=lambda n: (-votes.get(n.pk, 0), n.nominee.name, n.pk))
    statuses: dict[int, str] = {}
    if ballots > receipts:
        election.outcome = Outcome.INVALID_BALLOTS
    elif ballots * election.turnout_denominator <= voters * election.turnout_numerator:
        election.outcome = Outcome.INVALID_TURNOUT
    else:
        election.outcome = Outcome.VALID
        in_race = [n for n in ranked if votes.get(n.pk, 0) > 0]
        if len(in_race) <= election.seats:
            statuses = {n.pk: ElectionResult.Status.ELECTED for n in in_race}
        else:
            cut = votes[in_race[election.seats - 1].pk]
            above = [n for n in in_race if votes[n.pk] > cut]
            at_cut = [n for n in in_race if votes[n.pk] == cut]
            statuses = {n.pk: ElectionResult.Status.ELECTED for n in above}
            if len(above) + len(at_cut) > election.seats:
                election.outcome = Outcome.RUNOFF
                statuses.update({n.pk: ElectionResult.Status.TIED for n in at_cut})
            else:
                statuses.update({n.pk: ElectionResult.Status.ELECTED for n in at_cut})
    rank = 0
    previous: int | None = None
    results = []
    for position, nomination in enumerate(ranked, start=1):
        count = votes.get(nomination.pk, 0)
        if count != previous:
            rank, previous = position, count
        results.append(
            ElectionResult(
                election=election,
                nomination=nomination,
                votes=count,
                rank=rank,
                status=statuses.get(nomination.pk, ElectionResult.Status.NOT_ELECTED),
            )
        )
    ElectionResult.objects.bulk_create(results)
    election.save()
    _event(
        election,
        ElectionEvent.Kind.TALLIED,
        actor,
        _("收回选票%(b)s张，有效%(v)s张；%(o)s")
        % {"b": ballots, "v": len(valid), "o": Outcome(election.outcome).label},
    )
    record(
        actor=actor,
        action="elections.tally",
        target=election,
        changes={
            "voters": voters,
            "receipts": receipts,
            "ballots": ballots,
            "valid": len(valid),
            "outcome": election.outcome,
            "votes": {str(n.pk): votes.get(n.pk, 0) for n in ranked},
        },
    )
    return election


def _representative_grant(actor: Any, election: Election, user: User) -> RoleGrant | None:
    """Give the winner the representative role on the body's unit for the term (reusing one that covers it)."""
    unit = election.body.unit
    start = election.term_start
    while True:
        current = (
            RoleGrant.objects.active(start)
            .filter(user=user, role=Role.REPRESENTATIVE, unit=unit)
            .order_by("-valid_to")
        ).first()
        if current is None:
            break
        if current.valid_to is None or current.valid_to >= election.term_end:
            return current
        start = current.valid_to + dt.timedelta(days=1)
    return grant_create(
        actor=actor, user=user, role=Role.REPRESENTATIVE, unit=unit, valid_from=start, valid_to=election.term_end
    )


def _seat(actor: Any, election: Election, result: ElectionResult) -> None:
    user = _entry_user(result.nomination.nominee)
    if user is None:  # checked at nomination; an account unlinked since cannot be seated
        raise Conflict(
            _("当选人%(name)s没有平台账号，无法就任。") % {"name": result.nomination.nominee.name},
            code="winner_without_account",
        )
    body = election.body
    overlapping = (
        BodyMember.objects.select_for_update()
        .filter(body=body, user=user, term_start__lt=election.term_start)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=election.term_start))
    )
    for seat in overlapping:  # the new term replaces an earlier seat that would still run
        seat.term_end = election.term_start - dt.timedelta(days=1)
        seat.save(update_fields=["term_end"])
    member = BodyMember.objects.filter(
        body=body, user=user, source=MemberSource.ELECTED, term_start=election.term_start
    ).first() or BodyMember.objects.create(
        body=body,
        user=user,
        role=MemberRole.MEMBER,
        source=MemberSource.ELECTED,
        term_start=election.term_start,
        term_end=election.term_end,
        votes=True,
    )
    result.member = member
    result.grant = _representative_grant(actor, election, user)
    result.save(update_fields=["member", "grant"])
    record(
        actor=actor,
        action="elections.seat",
        target=election,
        changes={"user": user.pk, "member": member.pk, "term": [election.term_start, election.term_end]},
    )


@transaction.atomic
def election_publish(*, actor: Any, election: Election) -> Election:
    """Publish the results (a public page) and seat the winners: body membership and the representative role."""
    election = _lock(election)
    transition(election, S.PUBLISHED, actor=actor)
    election.published_at = timezone.now()
    election.save()
    winners = list(
        ElectionResult.objects.filter(election=election, status=ElectionResult.Status.ELECTED).select_related(
            "nomination__nominee__user", "nomination__nominee__resident__user"
        )
    )
    for result in winners:
        _seat(actor, election, result)
    _event(election, ElectionEvent.Kind.PUBLISHED, actor, Outcome(election.outcome).label)
    if winners:
        _event(
            election,
            ElectionEvent.Kind.SEATED,
            actor,
            "、".join(r.nomination.nominee.name for r in winners),
        )
    record(
        actor=actor,
        action="elections.publish",
        target=election,
        changes={"outcome": election.outcome, "seated": [r.nomination.nominee.number for r in winners]},
    )
    send(
        recipients=_voter_users(election),
        kind="elections.published",
        title=gettext_lazy("“%(title)s”选举结果已公布"),
        params={"title": election.title},
        url=reverse("elections:public_detail", args=[election.pk]),
    )
    return election


@transaction.atomic
def runoff_create(
    *, actor: Any, election: Election, voting_starts_at: dt.datetime, voting_ends_at: dt.datetime
) -> Election:
    """Start a run-off among the candidates tied at the last seat, for the seats still open, on the same roll."""
    election = _lock(election)
    access.check(actor, "elections.certify", election)
    if election.status not in (S.TALLIED, S.PUBLISHED) or election.outcome != Outcome.RUNOFF:
        raise InvalidTransition(_("只有末位票数相等的选举才需要另行选举。"), code="no_tie")
    if election.runoffs.exclude(status=S.CANCELLED).exists():
        raise Conflict(_("已发起另行选举。"), code="runoff_exists")
    tied = list(
        ElectionResult.objects.filter(election=election, status=ElectionResult.Status.TIED).select_related(
            "nomination__nominee"
        )
    )
    elected = ElectionResult.objects.filter(election=election, status=ElectionResult.Status.ELECTED).count()
    runoff = Election(
        unit=election.unit,
        body=election.body,
        parent=election,
        title=(_("%(title)s（另行选举）") % {"title": election.title})[:120],
        description=_("原选举末位候选人票数相等，在%(names)s中另行选举%(n)s名。")
        % {"names": "、".join(r.nomination.nominee.name for r in tied), "n": election.seats - elected},
        seats=election.seats - elected,
        term_start=election.term_start,
        term_end=election.term_end,
        electorate=election.electorate,
        electorate_body=election.electorate_body,
        nomination_threshold=election.nomination_threshold,
        body_nominations=False,
        competitive=False,
        proxy_limit=election.proxy_limit,
        turnout_numerator=election.turnout_numerator,
        turnout_denominator=election.turnout_denominator,
        voting_starts_at=voting_starts_at,
        voting_ends_at=voting_ends_at,
        status=S.NOMINATING,
        created_by=actor,
    )
    errors: dict[str, str] = {}
    _validate(runoff, actor, errors, creating=True)
    if errors:
        raise InvalidInput(fields=errors)
    runoff.roll_frozen_at = timezone.now()
    runoff.save()
    source = list(RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).order_by("number"))
    RollEntry.objects.bulk_create(
        [
            RollEntry(
                election=runoff,
                number=e.number,
                name=e.name,
                resident_id=e.resident_id,
                user_id=e.user_id,
                household_id=e.household_id,
                unit_id=e.unit_id,
                source=e.source,
            )
            for e in source
        ],
        batch_size=1000,
    )
    copies = {e.number: e for e in RollEntry.objects.filter(election=runoff)}
    now = timezone.now()
    Nomination.objects.bulk_create(
        [
            Nomination(
                election=runoff,
                nominee=copies[r.nomination.nominee.number],
                method=NominationMethod.RUNOFF,
                status=NominationStatus.ACCEPTED,
                statement=r.nomination.statement,
                body_decision=_("原选举得票%(v)s票，票数相等") % {"v": r.votes},
                created_by=actor,
                qualified_at=now,
                responded_at=now,
            )
            for r in tied
        ]
    )
    runoff.voters_count = len(source)
    runoff.save(update_fields=["voters_count"])
    _event(runoff, ElectionEvent.Kind.CREATED, actor, runoff.description)
    _event(election, ElectionEvent.Kind.RUNOFF_CREATED, actor, runoff.title)
    record(
        actor=actor,
        action="elections.runoff_create",
        target=runoff,
        unit=election.unit,
        changes={
            "parent": election.pk,
            "seats": runoff.seats,
            "candidates": [r.nomination.nominee.number for r in tied],
        },
    )
    send(
        recipients=_voter_users(runoff),
        kind="elections.runoff",
        title=gettext_lazy("“%(title)s”末位票数相等，将另行选举"),
        params={"title": election.title},
        url=_url(runoff),
    )
    return runoff


@transaction.atomic
def election_cancel(*, actor: Any, election: Election, reason: str) -> Election:
    """Cancel an election before it is counted, with the reason (ballots cast stay sealed and uncounted)."""
    election = _lock(election)
    reason = _reason(reason)
    transition(election, S.CANCELLED, actor=actor)
    if Ballot.objects.filter(election=election).exists():
        _seal(election)
        election.sealed_at = timezone.now()
    election.cancel_reason = reason
    election.save()
    _event(election, ElectionEvent.Kind.CANCELLED, actor, reason)
    record(actor=actor, action="elections.cancel", target=election, changes={"reason": reason})
    send(
        recipients=_voter_users(election),
        kind="elections.cancelled",
        title=gettext_lazy("“%(title)s”已取消：%(reason)s"),
        params={"title": election.title, "reason": reason},
        url=_url(election),
    )
    return election


# --- scheduled -----------------------------------------------------------------------------------


def advance_windows(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open ballot boxes whose window has started and close (seal) those whose window has ended."""
    now = now or timezone.now()
    opened = closed = 0
    for election in Election.objects.filter(status=S.NOMINATING, voting_starts_at__lte=now, voting_ends_at__gt=now):
        try:
            voting_open(actor=SYSTEM, election=election)
            opened += 1
        except (InvalidTransition, Conflict) as exc:
            # Not enough candidates yet: the organisers' desk shows it; the task tries again next minute.
            log.info("election %s not opened: %s", election.pk, exc)
    for election in Election.objects.filter(status=S.VOTING, voting_ends_at__lte=now):
        voting_close(actor=SYSTEM, election=election)
        closed += 1
    return {"opened": opened, "closed": closed}
