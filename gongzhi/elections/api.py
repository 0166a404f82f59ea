"""JSON API for elections: set-up, roll, nominations, proxies, voting, paper ballots, tally, results."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gongzhi import access
from gongzhi.api import actor
from gongzhi.deliberation.models import Body
from gongzhi.elections import actions, exports, queries
from gongzhi.elections.models import Election, RollEntry
from gongzhi.elections.schemas import (
    AcceptIn,
    BallotIn,
    BodyNominationIn,
    CastOut,
    DeclineIn,
    ElectionCreateIn,
    ElectionDetailOut,
    ElectionFilter,
    ElectionOut,
    ElectionPageOut,
    ElectionUpdateIn,
    EventOut,
    NominateIn,
    NominationOut,
    PaperBallotIn,
    PaperBallotOut,
    PaperIssueIn,
    PaperNominationIn,
    ProxyIn,
    ProxyOut,
    PublicRollEntryOut,
    ReasonIn,
    ResultsOut,
    RollAddIn,
    RollEntryOut,
    RollPageOut,
    RunoffIn,
    me_out,
)
from gongzhi.elections.workflow import ElectionStatus
from gongzhi.lib.errors import InvalidInput, NotFound
from gongzhi.lib.schemas import ERRORS, page_out
from gongzhi.people.models import Resident, User
from gongzhi.units.queries import access_unit

router = Router(tags=["elections"])


def _body(request: HttpRequest, pk: int | None) -> Body | None:
    """Return a body the caller may see (an election's body or electorate), or raise NotFound."""
    if pk is None:
        return None
    return access.get_or_404(actor(request), "elections.view", Body.objects.select_related("unit"), pk=pk)


def _detail(request: HttpRequest, election: Election) -> Election:
    user = actor(request)
    election.candidates = queries.candidates(election)
    election.turnout = queries.turnout(election)
    election.me = me_out(queries.voter_state(user, election))
    return election


# --- elections -----------------------------------------------------------------------------------


@router.get("/elections", response={200: ElectionPageOut, **ERRORS})
def election_list(request: HttpRequest, filters: Query[ElectionFilter]):
    """Elections the caller may see: in their units, or where they are on the voter roll."""
    unit = access_unit(actor(request), filters.unit_id) if filters.unit_id else None
    body = _body(request, filters.body_id)
    page = queries.election_page(
        actor(request),
        after=filters.cursor,
        limit=filters.limit,
        status=filters.status,
        unit=unit,
        body=body,
        mine=filters.mine,
    )
    return page_out(page, page.items)


@router.post("/elections", response={201: ElectionOut, **ERRORS})
def election_create(request: HttpRequest, payload: ElectionCreateIn):
    data = payload.dict()
    body = _body(request, data.pop("body_id"))
    data["electorate_body"] = _body(request, data.pop("electorate_body_id"))
    election = actions.election_create(actor=actor(request), body=body, **data)
    return Status(201, election)


@router.get("/elections/public", response={200: ElectionPageOut, **ERRORS}, auth=None, tags=["public"])
def public_list(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    """Published election results (public notices; no sign-in)."""
    page = queries.public_page(after=cursor, limit=limit)
    return page_out(page, page.items)


@router.get("/elections/public/{election_id}", response={200: ResultsOut, **ERRORS}, auth=None, tags=["public"])
def public_results(request: HttpRequest, election_id: int):
    return _results(queries.public_election(election_id))


@router.get("/elections/{election_id}", response={200: ElectionDetailOut, **ERRORS})
def election_detail(request: HttpRequest, election_id: int):
    """An election with its candidates, turnout so far and what the caller may do in it."""
    return _detail(request, queries.access_election(actor(request), election_id))


@router.patch("/elections/{election_id}", response={200: ElectionOut, **ERRORS})
def election_update(request: HttpRequest, election_id: int, payload: ElectionUpdateIn):
    election = queries.access_election(actor(request), election_id)
    data = payload.dict(exclude_unset=True)
    if "electorate_body_id" in data:
        data["electorate_body"] = _body(request, data.pop("electorate_body_id"))
    return actions.election_update(actor=actor(request), election=election, **data)


@router.get("/elections/{election_id}/events", response={200: list[EventOut], **ERRORS})
def election_events(request: HttpRequest, election_id: int):
    """The election's timeline (for the working group: it names voters added to or removed from the roll)."""
    election = queries.access_election(actor(request), election_id)
    access.check(actor(request), "elections.roll", election)
    return list(election.events.select_related("actor").order_by("at", "id")[:500])


@router.post("/elections/{election_id}/open", response={200: ElectionOut, **ERRORS})
def election_open(request: HttpRequest, election_id: int):
    """Freeze the voter roll from the register and open nominations."""
    election = queries.access_election(actor(request), election_id)
    return actions.election_open(actor=actor(request), election=election)


@router.post("/elections/{election_id}/voting/open", response={200: ElectionOut, **ERRORS})
def voting_open(request: HttpRequest, election_id: int):
    election = queries.access_election(actor(request), election_id)
    return actions.voting_open(actor=actor(request), election=election)


@router.post("/elections/{election_id}/voting/close", response={200: ElectionOut, **ERRORS})
def voting_close(request: HttpRequest, election_id: int):
    """Close the ballot box after the window and seal it."""
    election = queries.access_election(actor(request), election_id)
    return actions.voting_close(actor=actor(request), election=election)


@router.post("/elections/{election_id}/tally", response={200: ResultsOut, **ERRORS})
def election_tally(request: HttpRequest, election_id: int):
    election = queries.access_election(actor(request), election_id)
    return _results(actions.election_tally(actor=actor(request), election=election))


@router.post("/elections/{election_id}/publish", response={200: ResultsOut, **ERRORS})
def election_publish(request: HttpRequest, election_id: int):
    """Publish the results and seat the winners (body membership and the representative role for the term)."""
    election = queries.access_election(actor(request), election_id)
    return _results(actions.election_publish(actor=actor(request), election=election))


@router.post("/elections/{election_id}/cancel", response={200: ElectionOut, **ERRORS})
def election_cancel(request: HttpRequest, election_id: int, payload: ReasonIn):
    election = queries.access_election(actor(request), election_id)
    return actions.election_cancel(actor=actor(request), election=election, reason=payload.reason)


@router.post("/elections/{election_id}/runoff", response={201: ElectionOut, **ERRORS})
def runoff_create(request: HttpRequest, election_id: int, payload: RunoffIn):
    """Start a run-off among the candidates tied at the last seat."""
    election = queries.access_election(actor(request), election_id)
    runoff = actions.runoff_create(actor=actor(request), election=election, **payload.dict())
    return Status(201, runoff)


def _results(election: Election) -> dict[str, Any]:
    runoff = election.runoffs.exclude(status=ElectionStatus.CANCELLED).order_by("-id").first()
    return {
        "election": election,
        "voters": election.voters_count,
        "voted": election.receipts_count,
        "ballots": election.ballots_count,
        "valid_ballots": election.valid_ballots_count,
        "invalid_ballots": election.invalid_ballots_count,
        "blank_ballots": election.blank_ballots_count,
        "outcome": election.outcome,
        "outcome_label": str(election.get_outcome_display()),
        "results": queries.results(election),
        "runoff_id": runoff.pk if runoff else None,
    }


def _results_visible(request: HttpRequest, election: Election) -> None:
    """Results are public once published; before that, only the election's organisers and supervisors see them."""
    if election.status == ElectionStatus.PUBLISHED:
        return
    if election.status != ElectionStatus.TALLIED:
        raise NotFound()
    access.check(actor(request), "elections.roll", election)


@router.get("/elections/{election_id}/results", response={200: ResultsOut, **ERRORS})
def election_results(request: HttpRequest, election_id: int):
    election = queries.access_election(actor(request), election_id)
    _results_visible(request, election)
    return _results(election)


@router.get("/elections/{election_id}/results.xlsx", response={200: None, **ERRORS})
def election_results_xlsx(request: HttpRequest, election_id: int):
    election = queries.access_election(actor(request), election_id)
    _results_visible(request, election)
    return exports.results_xlsx(election)


@router.get("/elections/{election_id}/calendar.ics", response={200: None, **ERRORS})
def election_calendar(request: HttpRequest, election_id: int):
    """The voting window as an iCalendar file."""
    return exports.calendar_ics(queries.access_election(actor(request), election_id))


# --- the roll ------------------------------------------------------------------------------------


@router.get("/elections/{election_id}/roll", response={200: RollPageOut, **ERRORS})
def roll_list(
    request: HttpRequest,
    election_id: int,
    q: str = "",
    status: str = "active",
    cursor: str | None = None,
    limit: int = 50,
):
    """The voter roll for the election working group (identity numbers masked)."""
    election = queries.access_election(actor(request), election_id)
    page = queries.roll_page(actor(request), election, q=q, status=status, after=cursor, limit=limit)
    return page_out(page, page.items)


@router.get("/elections/{election_id}/roll.xlsx", response={200: None, **ERRORS})
def roll_xlsx(request: HttpRequest, election_id: int):
    election = queries.access_election(actor(request), election_id)
    return exports.roll_xlsx(actor(request), election)


@router.get("/elections/{election_id}/voters", response={200: list[PublicRollEntryOut], **ERRORS})
def roll_public(request: HttpRequest, election_id: int, q: str = ""):
    """The posted voter list (number, name, grid) — to find someone to nominate."""
    election = queries.access_election(actor(request), election_id)
    return queries.public_roll(actor(request), election, q=q)


@router.post("/elections/{election_id}/roll", response={201: RollEntryOut, **ERRORS})
def roll_add(request: HttpRequest, election_id: int, payload: RollAddIn):
    user = actor(request)
    election = queries.access_election(user, election_id)
    access.check(user, "elections.manage", election)
    resident = None
    person = None
    if payload.resident_id is not None:
        resident = (
            access.scope(user, "residents.view", Resident.objects.select_related("unit"))
            .filter(pk=payload.resident_id)
            .first()
        )
        if resident is None:
            raise InvalidInput(fields={"resident_id": _("找不到该居民。")})
    if payload.user_id is not None:
        person = User.objects.filter(pk=payload.user_id, is_active=True).first()
        if person is None:
            raise InvalidInput(fields={"user_id": _("找不到该用户。")})
    entry = actions.roll_add(actor=user, election=election, resident=resident, user=person, reason=payload.reason)
    return Status(201, RollEntry.objects.select_related("unit", "resident", "household").get(pk=entry.pk))


@router.post("/elections/{election_id}/roll/{number}/remove", response={200: RollEntryOut, **ERRORS})
def roll_remove(request: HttpRequest, election_id: int, number: int, payload: ReasonIn):
    election = queries.access_election(actor(request), election_id)
    entry = queries.roll_entry(election, number=number)
    actions.roll_remove(actor=actor(request), entry=entry, reason=payload.reason)
    return RollEntry.objects.select_related("unit", "resident", "household").get(pk=entry.pk)


# --- nominations ---------------------------------------------------------------------------------


@router.get("/elections/{election_id}/nominations", response={200: list[NominationOut], **ERRORS})
def nomination_list(request: HttpRequest, election_id: int):
    election = queries.access_election(actor(request), election_id)
    return list(queries.nominations(election))


def _nomination_out(nomination: Any) -> Any:
    return queries.nominations(nomination.election).get(pk=nomination.pk)


@router.post("/elections/{election_id}/nominations", response={201: NominationOut, **ERRORS})
def nominate(request: HttpRequest, election_id: int, payload: NominateIn):
    """A voter nominates someone on the roll (and is the first co-signer)."""
    election = queries.access_election(actor(request), election_id)
    nominee = _numbered(election, payload.nominee_number, "nominee_number")
    nomination = actions.nomination_propose(
        actor=actor(request), election=election, nominee=nominee, statement=payload.statement
    )
    return Status(201, _nomination_out(nomination))


@router.post("/elections/{election_id}/nominations/paper", response={201: NominationOut, **ERRORS})
def nominate_paper(request: HttpRequest, election_id: int, payload: PaperNominationIn):
    """Staff enter a joint nomination signed on paper."""
    election = queries.access_election(actor(request), election_id)
    access.check(actor(request), "elections.manage", election)
    nominee = _numbered(election, payload.nominee_number, "nominee_number")
    supporters = queries.roll_entries_by_number(election, payload.supporter_numbers, "supporter_numbers")
    nomination = actions.nomination_record_paper(
        actor=actor(request), election=election, nominee=nominee, supporters=supporters, statement=payload.statement
    )
    return Status(201, _nomination_out(nomination))


@router.post("/elections/{election_id}/nominations/body", response={201: NominationOut, **ERRORS})
def nominate_body(request: HttpRequest, election_id: int, payload: BodyNominationIn):
    """Record a nomination made by the body (or the party branch) by a decision."""
    election = queries.access_election(actor(request), election_id)
    access.check(actor(request), "elections.manage", election)
    nominee = _numbered(election, payload.nominee_number, "nominee_number")
    nomination = actions.nomination_by_body(
        actor=actor(request),
        election=election,
        nominee=nominee,
        body_decision=payload.body_decision,
        statement=payload.statement,
    )
    return Status(201, _nomination_out(nomination))


def _numbered(election: Election, number: int, field: str) -> RollEntry:
    try:
        return queries.roll_entry(election, number=number)
    except NotFound:
        raise InvalidInput(fields={field: _("不在选民名单上。")}) from None


@router.post("/elections/nominations/{nomination_id}/support", response={200: NominationOut, **ERRORS})
def nomination_support(request: HttpRequest, nomination_id: int):
    nomination = queries.access_nomination(actor(request), nomination_id)
    return _nomination_out(actions.nomination_support(actor=actor(request), nomination=nomination))


@router.post("/elections/nominations/{nomination_id}/accept", response={200: NominationOut, **ERRORS})
def nomination_accept(request: HttpRequest, nomination_id: int, payload: AcceptIn):
    nomination = queries.access_nomination(actor(request), nomination_id)
    return _nomination_out(
        actions.nomination_accept(actor=actor(request), nomination=nomination, statement=payload.statement)
    )


@router.post("/elections/nominations/{nomination_id}/decline", response={200: NominationOut, **ERRORS})
def nomination_decline(request: HttpRequest, nomination_id: int, payload: DeclineIn):
    nomination = queries.access_nomination(actor(request), nomination_id)
    return _nomination_out(
        actions.nomination_decline(actor=actor(request), nomination=nomination, reason=payload.reason)
    )


@router.post("/elections/nominations/{nomination_id}/reject", response={200: NominationOut, **ERRORS})
def nomination_reject(request: HttpRequest, nomination_id: int, payload: ReasonIn):
    nomination = queries.access_nomination(actor(request), nomination_id)
    return _nomination_out(
        actions.nomination_reject(actor=actor(request), nomination=nomination, reason=payload.reason)
    )


# --- proxies -------------------------------------------------------------------------------------


@router.get("/elections/{election_id}/proxies", response={200: list[ProxyOut], **ERRORS})
def proxy_list(request: HttpRequest, election_id: int):
    election = queries.access_election(actor(request), election_id)
    return list(queries.proxies(actor(request), election))


@router.post("/elections/{election_id}/proxies", response={201: ProxyOut, **ERRORS})
def proxy_register(request: HttpRequest, election_id: int, payload: ProxyIn):
    """Record a written authorization (委托书): the proxy may cast the principal's ballot."""
    election = queries.access_election(actor(request), election_id)
    access.check(actor(request), "elections.manage", election)
    principal = _numbered(election, payload.principal_number, "principal_number")
    proxy = _numbered(election, payload.proxy_number, "proxy_number")
    authorization = actions.proxy_register(
        actor=actor(request),
        election=election,
        principal=principal,
        proxy=proxy,
        document_number=payload.document_number,
        signed_on=payload.signed_on,
        note=payload.note,
    )
    return Status(201, queries.proxies(actor(request), election).get(pk=authorization.pk))


@router.post("/elections/proxies/{proxy_id}/revoke", response={200: ProxyOut, **ERRORS})
def proxy_revoke(request: HttpRequest, proxy_id: int, payload: ReasonIn):
    authorization = queries.access_proxy(actor(request), proxy_id)
    actions.proxy_revoke(actor=actor(request), authorization=authorization, reason=payload.reason)
    return queries.proxies(actor(request), authorization.election).get(pk=authorization.pk)


# --- voting --------------------------------------------------------------------------------------


@router.post("/elections/{election_id}/ballots", response={201: CastOut, **ERRORS})
def ballot_cast(request: HttpRequest, election_id: int, payload: BallotIn):
    """Cast a secret ballot: `choices` are candidate ids (at most the number of seats; none = a blank ballot).

    The response says the vote was recorded and for which voter number — never anything that identifies the ballot.
    """
    user = actor(request)
    election = queries.access_election(user, election_id)
    receipt = actions.ballot_cast(
        actor=user, election=election, choices=payload.choices, on_behalf_of=payload.on_behalf_of
    )
    return Status(201, {"recorded": True, "voter_number": receipt.entry.number, "channel": receipt.channel})


@router.post("/elections/{election_id}/paper-ballots/issue", response={201: CastOut, **ERRORS})
def paper_issue(request: HttpRequest, election_id: int, payload: PaperIssueIn):
    """At the polling station: check a voter (or their proxy) off the roll and hand out a paper ballot."""
    election = queries.access_election(actor(request), election_id)
    access.check(actor(request), "elections.poll", election)
    entry = _numbered(election, payload.voter_number, "voter_number")
    proxy = _numbered(election, payload.proxy_number, "proxy_number") if payload.proxy_number else None
    actions.paper_ballot_issue(actor=actor(request), election=election, entry=entry, proxy=proxy)
    return Status(201, {"recorded": True, "voter_number": entry.number, "channel": "paper"})


@router.get("/elections/{election_id}/paper-ballots", response={200: list[PaperBallotOut], **ERRORS})
def paper_list(request: HttpRequest, election_id: int, status: str = "pending"):
    election = queries.access_election(actor(request), election_id)
    if status not in ("", "pending", "counted", "void"):
        raise InvalidInput(fields={"status": _("未知的状态。")})
    return list(queries.paper_ballots(actor(request), election, status=status)[:2000])


@router.post("/elections/{election_id}/paper-ballots", response={201: PaperBallotOut, **ERRORS})
def paper_enter(request: HttpRequest, election_id: int, payload: PaperBallotIn):
    """Type in one paper ballot from the opened box; it counts after a second person confirms it."""
    election = queries.access_election(actor(request), election_id)
    ballot = actions.paper_ballot_enter(
        actor=actor(request), election=election, choices=payload.choices, spoiled=payload.spoiled
    )
    return Status(201, ballot)


@router.post("/elections/paper-ballots/{ballot_id}/confirm", response={200: PaperBallotOut, **ERRORS})
def paper_confirm(request: HttpRequest, ballot_id: uuid.UUID):
    ballot = queries.access_paper_ballot(actor(request), ballot_id)
    return actions.paper_ballot_confirm(actor=actor(request), ballot=ballot)


@router.post("/elections/paper-ballots/{ballot_id}/reject", response={200: PaperBallotOut, **ERRORS})
def paper_reject(request: HttpRequest, ballot_id: uuid.UUID, payload: ReasonIn):
    ballot = queries.access_paper_ballot(actor(request), ballot_id)
    return actions.paper_ballot_reject(actor=actor(request), ballot=ballot, reason=payload.reason)
