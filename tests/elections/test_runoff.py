"""A tie at the last seat goes to a run-off among the tied candidates; clear winners are seated meanwhile."""

from __future__ import annotations

import datetime as dt

from gongzhi.deliberation.models import BodyMember
from gongzhi.elections import actions
from gongzhi.elections.models import Election, ElectionResult, RollEntry
from gongzhi.people.models import RoleGrant
from tests.conftest import assert_error
from tests.elections.factories import candidates_ready, end_window, make_election, start_voting


def _later(**kw):
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**kw)).isoformat()


def test_a_tie_at_the_last_seat_goes_to_a_runoff_whose_winner_is_seated(
    world, body, voters, community_worker, community_head, api
):
    election = actions.election_open(actor=community_worker, election=make_election(community_worker, body, seats=2))
    a, b, c = (n.pk for n in candidates_ready(election, community_head, voters[:3]))
    election = start_voting(election, community_head)
    # a: 6 votes; b and c: 3 each → a elected, b and c tied for the second seat.
    ballots = [[a, b], [a, b], [a, b], [a, c], [a, c], [a, c]]
    for voter, choice in zip(voters[3:9], ballots, strict=True):
        assert api(voter.user).post(f"/elections/{election.pk}/ballots", {"choices": choice}).status_code == 201
    actions.voting_close(actor=community_worker, election=end_window(election))
    head = api(community_head)
    tally = head.post(f"/elections/{election.pk}/tally").json()
    assert tally["outcome"] == "runoff"
    assert {r["candidate_id"]: r["status"] for r in tally["results"]} == {a: "elected", b: "tied", c: "tied"}
    assert [r["rank"] for r in tally["results"]] == [1, 2, 2]

    # Publishing seats the clear winner now.
    assert head.post(f"/elections/{election.pk}/publish").status_code == 200
    assert BodyMember.objects.filter(body=body).count() == 1

    # A run-off: one seat, the two tied candidates, the same roll.
    bad = head.post(
        f"/elections/{election.pk}/runoff", {"voting_starts_at": _later(days=2), "voting_ends_at": _later(days=1)}
    )
    assert_error(bad, 422, "invalid_input", "voting_ends_at")
    assert not Election.objects.filter(parent=election).exists()
    response = head.post(
        f"/elections/{election.pk}/runoff",
        {"voting_starts_at": _later(days=1), "voting_ends_at": _later(days=1, hours=4)},
    )
    assert response.status_code == 201, response.content
    runoff = Election.objects.get(pk=response.json()["id"])
    assert (runoff.seats, runoff.parent_id, runoff.status) == (1, election.pk, "nominating")
    assert sorted(runoff.nominations.values_list("nominee__name", flat=True)) == sorted(
        [voters[1].name, voters[2].name]
    )
    assert RollEntry.objects.filter(election=runoff).count() == RollEntry.objects.filter(election=election).count()
    assert_error(
        head.post(
            f"/elections/{election.pk}/runoff", {"voting_starts_at": _later(days=1), "voting_ends_at": _later(days=2)}
        ),
        409,
        "runoff_exists",
    )
    # Nobody can nominate in a run-off.
    assert_error(
        api(voters[5].user).post(f"/elections/{runoff.pk}/nominations", {"nominee_number": 1}),
        409,
        "nominations_closed",
    )

    runoff = start_voting(runoff, community_head)
    b2, c2 = (n.pk for n in actions.candidates_of(runoff))
    for voter, choice in zip(voters[3:8], [[b2], [b2], [b2], [c2], []], strict=True):
        assert api(voter.user).post(f"/elections/{runoff.pk}/ballots", {"choices": choice}).status_code == 201
    assert_error(
        api(voters[9].user).post(f"/elections/{runoff.pk}/ballots", {"choices": [b2, c2]}), 422, "invalid_choices"
    )
    actions.voting_close(actor=community_worker, election=end_window(runoff))
    runoff = actions.election_tally(actor=community_head, election=runoff)
    # The turnout rule holds for run-offs too: 5 ballots of 11 voters is not more than half.
    assert runoff.outcome == "invalid_turnout"


def test_a_runoff_with_enough_turnout_seats_its_winner(world, body, voters, community_worker, community_head):
    election = actions.election_open(actor=community_worker, election=make_election(community_worker, body, seats=1))
    a, b = (n.pk for n in candidates_ready(election, community_head, voters[:2]))
    election = start_voting(election, community_head)
    for voter, choice in zip(voters[2:10], [[a]] * 4 + [[b]] * 4, strict=True):
        actions.ballot_cast(actor=voter.user, election=election, choices=choice)
    actions.voting_close(actor=community_worker, election=end_window(election))
    election = actions.election_tally(actor=community_head, election=election)
    assert election.outcome == "runoff"
    assert not ElectionResult.objects.filter(election=election, status="elected").exists()
    runoff = actions.runoff_create(
        actor=community_head,
        election=election,
        voting_starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        voting_ends_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=2),
    )
    runoff = start_voting(runoff, community_head)
    a2, b2 = (n.pk for n in actions.candidates_of(runoff))
    for voter, choice in zip(voters[2:9], [[a2]] * 4 + [[b2]] * 3, strict=True):
        actions.ballot_cast(actor=voter.user, election=runoff, choices=choice)
    actions.voting_close(actor=community_worker, election=end_window(runoff))
    runoff = actions.election_tally(actor=community_head, election=runoff)
    assert runoff.outcome == "valid"
    actions.election_publish(actor=community_head, election=runoff)
    winner = voters[0].user
    assert BodyMember.objects.get(body=body, user=winner).source == "elected"
    assert RoleGrant.objects.filter(user=winner, role="representative", unit=body.unit).exists()
    assert not BodyMember.objects.filter(user=voters[1].user).exists()
