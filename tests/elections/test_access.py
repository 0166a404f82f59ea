"""The access matrix: every election endpoint works for the person it is for, gives an outsider 404, gives a
role that may see but not act 403, refuses unknown fields with 422 — and the refusals change nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.elections import actions
from gongzhi.elections.models import (
    Ballot,
    Election,
    ElectionEvent,
    ElectionResult,
    Nomination,
    NominationSupport,
    ProxyAuthorization,
    RollEntry,
    VoteReceipt,
)
from tests.conftest import assert_error
from tests.elections.factories import (
    end_window,
    entry_of,
    make_body,
    make_election,
    make_voters,
    nominate_by_body,
    start_voting,
)


@dataclass
class Stage:
    election: Election
    voters: list[Any]
    ids: dict[str, Any] = field(default_factory=dict)


def _later(**kw: Any) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**kw)).isoformat()


def build(stage: str, world: Any) -> Stage:
    """An election at the named stage, with a nomination of each kind, a proxy and (later) ballots."""
    worker, head, supervisor = world.community_worker, world.community_head, world.supervisor
    body = make_body(world.community)
    voters = make_voters(world.grid, 10)
    election = make_election(worker, body, seats=2)
    out = Stage(election, voters)
    if stage == "draft":
        return out
    election = actions.election_open(actor=worker, election=election)
    collecting = actions.nomination_propose(
        actor=voters[0].user, election=election, nominee=entry_of(election, voters[1])
    )
    qualified = nominate_by_body(head, election, voters[2])
    for resident in voters[3:6]:
        actions.nomination_accept(actor=resident.user, nomination=nominate_by_body(head, election, resident))
    proxy = actions.proxy_register(
        actor=worker,
        election=election,
        principal=entry_of(election, voters[7]),
        proxy=entry_of(election, voters[6]),
        document_number="WT-1",
        signed_on=dt.date.today(),
    )
    out.ids.update(collecting=collecting.pk, qualified=qualified.pk, proxy=proxy.pk, election=election)
    out.election = election
    if stage == "nominating":
        return out
    election = start_voting(election, head)
    out.election = election
    candidates = [c.pk for c in actions.candidates_of(election)]
    out.ids["candidates"] = candidates
    if stage == "voting":
        return out
    if stage == "tied":
        for resident, choice in zip(
            [voters[i] for i in (0, 1, 2, 6, 8, 9)],
            [candidates[:2], [candidates[0], candidates[2]], candidates[:1], [candidates[1]], [candidates[2]], []],
            strict=True,
        ):
            actions.ballot_cast(actor=resident.user, election=election, choices=choice)
        actions.voting_close(actor=worker, election=end_window(election))
        out.election = actions.election_tally(actor=head, election=Election.objects.get(pk=election.pk))
        return out
    actions.ballot_cast(actor=voters[8].user, election=election, choices=candidates[:1])
    actions.paper_ballot_issue(actor=worker, election=election, entry=entry_of(election, voters[9]))
    election = actions.voting_close(actor=worker, election=end_window(election))
    out.election = election
    if stage == "closed":
        return out
    ballot = actions.paper_ballot_enter(actor=worker, election=election, choices=candidates[:2])
    out.ids["ballot"] = str(ballot.pk)
    if stage == "counting":
        return out
    actions.paper_ballot_confirm(actor=supervisor, ballot=ballot)
    out.election = actions.election_tally(actor=head, election=election)
    if stage == "tallied":
        return out
    out.election = actions.election_publish(actor=head, election=out.election)
    return out


def snapshot() -> tuple[int, ...]:
    models = (
        Election,
        ElectionEvent,
        RollEntry,
        Nomination,
        NominationSupport,
        ProxyAuthorization,
        VoteReceipt,
        Ballot,
        ElectionResult,
        AuditEvent,
    )
    return (
        *(m.objects.count() for m in models),
        *Election.objects.order_by("pk").values_list("status", flat=True),
        *Nomination.objects.order_by("pk").values_list("status", flat=True),
        *Ballot.objects.order_by("pk").values_list("status", flat=True),
        *RollEntry.objects.order_by("pk").values_list("status", flat=True),
        *ProxyAuthorization.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True),
    )


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    stage: str
    actor: str  # who it works for
    status: int
    payload: Any = None
    small: str | None = "representative"  # a role that sees the election but may not do this: 403
    small_code: str | None = None


def _num(stage: Stage, index: int) -> int:
    return entry_of(stage.election, stage.voters[index]).number


ENDPOINTS = [
    Endpoint("list", "get", "/elections", "draft", "community_worker", 200, small=None),
    Endpoint(
        "create",
        "post",
        "/elections",
        "draft",
        "community_worker",
        201,
        lambda s: {
            "body_id": s.election.body_id,
            "title": "新选举",
            "seats": 1,
            "term_start": "2027-01-01",
            "term_end": "2029-12-31",
            "electorate": "households",
            "voting_starts_at": _later(days=5),
            "voting_ends_at": _later(days=5, hours=2),
        },
    ),
    Endpoint("detail", "get", "/elections/{e}", "nominating", "voter", 200, small=None),
    Endpoint("update", "patch", "/elections/{e}", "draft", "community_worker", 200, lambda s: {"seats": 3}),
    Endpoint("events", "get", "/elections/{e}/events", "nominating", "community_worker", 200),
    Endpoint("open", "post", "/elections/{e}/open", "draft", "community_worker", 200),
    Endpoint("voting open", "post", "/elections/{e}/voting/open", "nominating*", "community_worker", 200),
    Endpoint("voting close", "post", "/elections/{e}/voting/close", "voting*", "community_worker", 200),
    Endpoint("tally", "post", "/elections/{e}/tally", "closed", "community_head", 200, small="community_worker"),
    Endpoint("publish", "post", "/elections/{e}/publish", "tallied", "community_head", 200, small="community_worker"),
    Endpoint(
        "cancel",
        "post",
        "/elections/{e}/cancel",
        "nominating",
        "community_head",
        200,
        lambda s: {"reason": "区里统一改期"},
        small="community_worker",
    ),
    Endpoint(
        "runoff",
        "post",
        "/elections/{e}/runoff",
        "tied",
        "community_head",
        201,
        lambda s: {"voting_starts_at": _later(days=3), "voting_ends_at": _later(days=3, hours=3)},
        small="community_worker",
    ),
    Endpoint("results", "get", "/elections/{e}/results", "tallied", "community_head", 200),
    Endpoint("results xlsx", "get", "/elections/{e}/results.xlsx", "tallied", "supervisor", 200),
    Endpoint("calendar", "get", "/elections/{e}/calendar.ics", "nominating", "voter", 200, small=None),
    Endpoint("roll", "get", "/elections/{e}/roll", "nominating", "supervisor", 200),
    Endpoint(
        "roll xlsx", "get", "/elections/{e}/roll.xlsx", "nominating", "community_worker", 200, small="supervisor"
    ),
    Endpoint("voters", "get", "/elections/{e}/voters?q=1", "nominating", "voter", 200, small=None),
    Endpoint("roll add", "post", "/elections/{e}/roll", "nominating", "community_worker", 201, "roll_add"),
    Endpoint(
        "roll remove",
        "post",
        "/elections/{e}/roll/{num9}/remove",
        "nominating",
        "community_worker",
        200,
        lambda s: {"reason": "重复登记"},
    ),
    Endpoint("nominations", "get", "/elections/{e}/nominations", "nominating", "voter", 200, small=None),
    Endpoint(
        "nominate",
        "post",
        "/elections/{e}/nominations",
        "nominating",
        "voter",
        201,
        lambda s: {"nominee_number": _num(s, 8)},
        small_code="not_a_voter",
    ),
    Endpoint(
        "nominate on paper",
        "post",
        "/elections/{e}/nominations/paper",
        "nominating",
        "community_worker",
        201,
        lambda s: {"nominee_number": _num(s, 8), "supporter_numbers": [_num(s, 6), _num(s, 9)]},
    ),
    Endpoint(
        "nominate by body",
        "post",
        "/elections/{e}/nominations/body",
        "nominating",
        "community_worker",
        201,
        lambda s: {"nominee_number": _num(s, 8), "body_decision": "党委会议决定"},
    ),
    Endpoint("support", "post", "/elections/nominations/{collecting}/support", "nominating", "voter9", 200),
    Endpoint(
        "accept",
        "post",
        "/elections/nominations/{qualified}/accept",
        "nominating",
        "nominee",
        200,
        lambda s: {},
        small="voter",
        small_code="not_nominee",
    ),
    Endpoint(
        "decline",
        "post",
        "/elections/nominations/{qualified}/decline",
        "nominating",
        "nominee",
        200,
        lambda s: {},
        small="voter",
        small_code="not_nominee",
    ),
    Endpoint(
        "reject",
        "post",
        "/elections/nominations/{collecting}/reject",
        "nominating",
        "community_worker",
        200,
        lambda s: {"reason": "不符合条件"},
    ),
    Endpoint("proxies", "get", "/elections/{e}/proxies", "nominating", "supervisor", 200),
    Endpoint(
        "proxy register",
        "post",
        "/elections/{e}/proxies",
        "nominating",
        "community_worker",
        201,
        lambda s: {
            "principal_number": _num(s, 9),
            "proxy_number": _num(s, 8),
            "document_number": "WT-2",
            "signed_on": str(dt.date.today()),
        },
    ),
    Endpoint(
        "proxy revoke",
        "post",
        "/elections/proxies/{proxy}/revoke",
        "nominating",
        "community_worker",
        200,
        lambda s: {"reason": "本人回村"},
    ),
    Endpoint(
        "ballot",
        "post",
        "/elections/{e}/ballots",
        "voting",
        "voter",
        201,
        lambda s: {"choices": s.ids["candidates"][:1]},
        small_code="not_a_voter",
    ),
    Endpoint(
        "paper issue",
        "post",
        "/elections/{e}/paper-ballots/issue",
        "voting",
        "community_worker",
        201,
        lambda s: {"voter_number": _num(s, 9)},
    ),
    Endpoint("paper list", "get", "/elections/{e}/paper-ballots", "counting", "supervisor", 200),
    Endpoint(
        "paper enter",
        "post",
        "/elections/{e}/paper-ballots",
        "closed",
        "community_worker",
        201,
        lambda s: {"choices": s.ids["candidates"][:1]},
    ),
    Endpoint("paper confirm", "post", "/elections/paper-ballots/{ballot}/confirm", "counting", "supervisor", 200),
    Endpoint(
        "paper reject",
        "post",
        "/elections/paper-ballots/{ballot}/reject",
        "counting",
        "supervisor",
        200,
        lambda s: {"reason": "与原票不符"},
    ),
]


def _prepare(endpoint: Endpoint, world: Any) -> Stage:
    stage = build(endpoint.stage.rstrip("*"), world)
    if endpoint.stage == "nominating*":  # the voting window has come
        Election.objects.filter(pk=stage.election.pk).update(
            voting_starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), nominations_close_at=None
        )
    if endpoint.stage == "voting*":  # the voting window has passed
        end_window(stage.election)
    return stage


def _path(endpoint: Endpoint, stage: Stage) -> str:
    return endpoint.path.format(
        e=stage.election.pk,
        num9=_num(stage, 9) if "{num9}" in endpoint.path else 0,
        **{k: v for k, v in stage.ids.items() if k in ("collecting", "qualified", "proxy", "ballot")},
    )


def _payload(endpoint: Endpoint, stage: Stage, world: Any) -> Any:
    if endpoint.payload == "roll_add":
        newcomer = make_voters(world.other_grid, 1, accounts=False, prefix="补登")[0]
        return {"resident_id": newcomer.pk, "reason": "户籍迁入后漏登"}
    return endpoint.payload(stage) if callable(endpoint.payload) else None


def _user(name: str, stage: Stage, world: Any) -> Any:
    if name == "voter":
        return stage.voters[0].user
    if name == "voter9":
        return stage.voters[9].user
    if name == "nominee":
        return stage.voters[2].user
    return world.users[name]


def _call(client: Any, endpoint: Endpoint, path: str, payload: Any) -> Any:
    if endpoint.method == "get":
        return client.get(path)
    return getattr(client, endpoint.method)(path, payload if payload is not None else {})


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_it_works_for_the_person_it_is_for(endpoint, world, api):
    stage = _prepare(endpoint, world)
    payload = _payload(endpoint, stage, world)
    response = _call(api(_user(endpoint.actor, stage, world)), endpoint, _path(endpoint, stage), payload)
    assert response.status_code == endpoint.status, response.content[:600]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_an_outsider_gets_404_and_nothing_changes(endpoint, world, api, outsider):
    stage = _prepare(endpoint, world)
    payload = _payload(endpoint, stage, world)
    before = snapshot()
    response = _call(api(outsider), endpoint, _path(endpoint, stage), payload)
    if endpoint.name == "list":
        assert response.status_code == 200 and response.json()["items"] == []
    else:
        assert_error(response, 404, "not_found")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_a_signed_out_caller_gets_401(endpoint, world, api):
    stage = _prepare(endpoint, world)
    before = snapshot()
    assert_error(_call(api(), endpoint, _path(endpoint, stage), _payload(endpoint, stage, world)), 401)
    assert snapshot() == before


SMALL = [e for e in ENDPOINTS if e.small]


@pytest.mark.parametrize("endpoint", SMALL, ids=[e.name for e in SMALL])
def test_a_role_too_small_gets_403_and_nothing_changes(endpoint, world, api):
    stage = _prepare(endpoint, world)
    payload = _payload(endpoint, stage, world)
    before = snapshot()
    response = _call(api(_user(endpoint.small, stage, world)), endpoint, _path(endpoint, stage), payload)
    assert_error(response, 403, endpoint.small_code)
    assert snapshot() == before


WRITES = [e for e in ENDPOINTS if e.method != "get" and e.payload is not None]


@pytest.mark.parametrize("endpoint", WRITES, ids=[e.name for e in WRITES])
def test_unknown_fields_are_refused_and_nothing_changes(endpoint, world, api):
    stage = _prepare(endpoint, world)
    payload = {**(_payload(endpoint, stage, world) or {}), "backdoor": True}
    before = snapshot()
    response = _call(api(_user(endpoint.actor, stage, world)), endpoint, _path(endpoint, stage), payload)
    assert_error(response, 422, "invalid_input", "backdoor")
    assert snapshot() == before


# Writes that take no input: their bad input is the wrong moment (a clear 409, nothing written).
WRONG_MOMENT = [
    ("open", "nominating", "/elections/{e}/open", "community_worker"),
    ("voting open too early", "nominating", "/elections/{e}/voting/open", "community_worker"),
    ("voting open from a draft", "draft", "/elections/{e}/voting/open", "community_worker"),
    ("voting close too early", "voting", "/elections/{e}/voting/close", "community_worker"),
    ("tally while voting", "voting", "/elections/{e}/tally", "community_head"),
    ("tally with unconfirmed paper", "counting", "/elections/{e}/tally", "community_head"),
    ("publish before the tally", "closed", "/elections/{e}/publish", "community_head"),
    ("support a qualified nomination", "nominating", "/elections/nominations/{qualified}/support", "voter9"),
    ("support after nominations close", "voting", "/elections/nominations/{collecting}/support", "voter9"),
    ("confirm after the tally", "tallied", "/elections/paper-ballots/{ballot}/confirm", "community_head"),
]


@pytest.mark.parametrize("case", WRONG_MOMENT, ids=[c[0] for c in WRONG_MOMENT])
def test_a_move_at_the_wrong_moment_is_a_409_and_nothing_changes(case, world, api):
    _name, stage_name, path, who = case
    stage = build(stage_name, world)
    path = path.format(e=stage.election.pk, **{k: v for k, v in stage.ids.items() if isinstance(v, int | str)})
    before = snapshot()
    response = api(_user(who, stage, world)).post(path, {})
    assert_error(response, 409)
    assert snapshot() == before


def test_results_are_public_only_once_published(world, api):
    stage = build("tallied", world)
    assert_error(api().get(f"/elections/public/{stage.election.pk}"), 404)
    assert_error(api(stage.voters[0].user).get(f"/elections/{stage.election.pk}/results"), 403)
    actions.election_publish(actor=world.community_head, election=stage.election)
    assert api().get(f"/elections/public/{stage.election.pk}").status_code == 200
    assert api(stage.voters[0].user).get(f"/elections/{stage.election.pk}/results").status_code == 200
    assert api().get("/elections/public").json()["items"][0]["id"] == stage.election.pk
