"""Casting ballots: the rules that refuse a ballot (each with a clear 4xx and nothing written), proxies, paper."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.elections import actions
from gongzhi.elections.models import Ballot, Election, ElectionResult, ProxyAuthorization, VoteReceipt
from tests.conftest import assert_error
from tests.elections.factories import candidates_ready, end_window, entry_of, make_election, start_voting


@pytest.fixture
def election(body, voters, community_worker, community_head):
    election = make_election(community_worker, body, seats=2)
    election = actions.election_open(actor=community_worker, election=election)
    candidates_ready(election, community_head, voters[:3])
    return election


@pytest.fixture
def voting(election, community_head):
    return start_voting(election, community_head)


@pytest.fixture
def ids(voting):
    return [c.pk for c in actions.candidates_of(voting)]


def nothing_written(election, receipts=0, ballots=0):
    assert VoteReceipt.objects.filter(election=election).count() == receipts
    assert Ballot.objects.filter(election=election).count() == ballots


def votes_audited(election):
    return AuditEvent.objects.filter(action="elections.vote", target_id=str(election.pk)).count()


def test_a_voter_votes_once_and_the_second_ballot_is_refused(voting, voters, ids, api):
    client = api(voters[3].user)
    assert client.post(f"/elections/{voting.pk}/ballots", {"choices": ids[:2]}).status_code == 201
    assert_error(client.post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]}), 409, "already_voted")
    nothing_written(voting, receipts=1, ballots=1)
    assert votes_audited(voting) == 1


def test_a_ballot_before_the_voting_opens_is_refused(election, voters, api):
    candidate = actions.candidates_of(election)[0].pk
    response = api(voters[3].user).post(f"/elections/{election.pk}/ballots", {"choices": [candidate]})
    assert_error(response, 409, "voting_closed")
    nothing_written(election)


def test_a_ballot_after_the_window_ended_is_refused_even_before_closing(voting, voters, ids, api):
    end_window(voting)
    response = api(voters[3].user).post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]})
    assert_error(response, 409, "voting_closed")
    nothing_written(voting)


def test_a_ballot_after_closing_is_refused(voting, voters, ids, api, community_worker):
    actions.voting_close(actor=community_worker, election=end_window(voting))
    response = api(voters[3].user).post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]})
    assert_error(response, 409, "voting_closed")
    nothing_written(voting)


@pytest.mark.parametrize("who", ["representative", "community_worker", "community_head"])
def test_someone_who_sees_the_election_but_is_not_on_the_roll_cannot_vote(voting, ids, api, world, who):
    response = api(world.users[who]).post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]})
    assert_error(response, 403, "not_a_voter")
    nothing_written(voting)


def test_an_outsider_gets_404_and_a_signed_out_caller_401(voting, ids, api, outsider):
    assert_error(api(outsider).post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]}), 404)
    assert_error(api().post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]}), 401)
    nothing_written(voting)


@pytest.mark.parametrize(
    "choices",
    [
        pytest.param("too_many", id="more than the seats"),
        pytest.param("twice", id="the same candidate twice"),
        pytest.param("stranger", id="someone who is not a candidate"),
    ],
)
def test_an_invalid_ballot_is_refused(voting, voters, ids, api, choices):
    picked = {"too_many": ids, "twice": [ids[0], ids[0]], "stranger": [ids[0], 999999]}[choices]
    response = api(voters[3].user).post(f"/elections/{voting.pk}/ballots", {"choices": picked})
    assert_error(response, 422, "invalid_choices", "choices")
    nothing_written(voting)


def test_unknown_fields_on_a_ballot_are_refused(voting, voters, ids, api):
    response = api(voters[3].user).post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1], "voter": 3})
    assert_error(response, 422, "invalid_input", "voter")
    nothing_written(voting)


def test_a_blank_ballot_counts_as_voting(voting, voters, api):
    assert api(voters[3].user).post(f"/elections/{voting.pk}/ballots", {"choices": []}).status_code == 201
    nothing_written(voting, receipts=1, ballots=1)


# --- proxies --------------------------------------------------------------------------------------


def _authorize(election, worker, principal, proxy, number):
    return actions.proxy_register(
        actor=worker,
        election=election,
        principal=entry_of(election, principal),
        proxy=entry_of(election, proxy),
        document_number=number,
        signed_on=dt.date.today(),
    )


def test_a_proxy_over_the_limit_is_refused_and_nothing_is_written(election, voters, api, community_worker):
    for index, principal in enumerate(voters[4:7]):
        _authorize(election, community_worker, principal, voters[3], f"WT-{index}")
    response = api(community_worker).post(
        f"/elections/{election.pk}/proxies",
        {
            "principal_number": entry_of(election, voters[7]).number,
            "proxy_number": entry_of(election, voters[3]).number,
            "document_number": "WT-9",
            "signed_on": str(dt.date.today()),
        },
    )
    assert_error(response, 422, "proxy_limit", "proxy")
    assert ProxyAuthorization.objects.filter(election=election).count() == 3


def test_the_proxy_limit_follows_the_election_setting(body, voters, community_worker, community_head):
    election = make_election(community_worker, body, proxy_limit=1)
    election = actions.election_open(actor=community_worker, election=election)
    _authorize(election, community_worker, voters[4], voters[3], "A")
    with pytest.raises(Exception) as caught:
        _authorize(election, community_worker, voters[5], voters[3], "B")
    assert getattr(caught.value, "code", "") == "proxy_limit"


def test_a_written_authorization_needs_its_document_number_and_date(election, voters, api, community_worker):
    response = api(community_worker).post(
        f"/elections/{election.pk}/proxies",
        {
            "principal_number": entry_of(election, voters[4]).number,
            "proxy_number": entry_of(election, voters[3]).number,
            "document_number": " ",
            "signed_on": str(dt.date.today() + dt.timedelta(days=3)),
        },
    )
    body = assert_error(response, 422, "invalid_input")
    assert {"document_number", "signed_on"} <= set(body["error"]["fields"])
    assert not ProxyAuthorization.objects.exists()


def test_a_proxy_votes_for_the_principal_who_then_cannot_vote_again(
    election, voters, api, community_worker, community_head
):
    _authorize(election, community_worker, voters[4], voters[3], "WT-1")
    voting = start_voting(election, community_head)
    ids = [c.pk for c in actions.candidates_of(voting)]
    proxy = api(voters[3].user)
    principal_number = entry_of(voting, voters[4]).number
    assert proxy.post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]}).status_code == 201
    response = proxy.post(f"/elections/{voting.pk}/ballots", {"choices": ids[1:2], "on_behalf_of": principal_number})
    assert response.status_code == 201, response.content
    assert_error(api(voters[4].user).post(f"/elections/{voting.pk}/ballots", {"choices": []}), 409, "already_voted")
    receipt = VoteReceipt.objects.get(entry=entry_of(voting, voters[4]))
    assert (receipt.channel, receipt.proxy) == ("proxy_online", entry_of(voting, voters[3]))
    nothing_written(voting, receipts=2, ballots=2)


def test_voting_for_someone_without_their_written_authorization_is_refused(voting, voters, ids, api):
    number = entry_of(voting, voters[4]).number
    response = api(voters[3].user).post(
        f"/elections/{voting.pk}/ballots", {"choices": ids[:1], "on_behalf_of": number}
    )
    assert_error(response, 403, "no_authorization")
    nothing_written(voting)


# --- paper ballots --------------------------------------------------------------------------------


def test_a_voter_checked_off_at_the_polling_station_cannot_also_vote_online(
    voting, voters, ids, api, community_worker
):
    number = entry_of(voting, voters[3]).number
    response = api(community_worker).post(f"/elections/{voting.pk}/paper-ballots/issue", {"voter_number": number})
    assert response.status_code == 201, response.content
    assert_error(
        api(voters[3].user).post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]}), 409, "already_voted"
    )
    again = api(community_worker).post(f"/elections/{voting.pk}/paper-ballots/issue", {"voter_number": number})
    assert_error(again, 409, "already_voted")
    nothing_written(voting, receipts=1, ballots=0)


def test_paper_ballots_are_typed_in_only_after_the_box_is_closed(voting, ids, api, community_worker):
    response = api(community_worker).post(f"/elections/{voting.pk}/paper-ballots", {"choices": ids[:1]})
    assert_error(response, 409, "not_counting")
    nothing_written(voting)


@pytest.fixture
def counting(voting, voters, community_worker):
    for resident in voters[5:8]:
        actions.paper_ballot_issue(actor=community_worker, election=voting, entry=entry_of(voting, resident))
    return actions.voting_close(actor=community_worker, election=end_window(voting))


def test_an_unconfirmed_paper_ballot_does_not_count_and_blocks_the_tally(
    counting, api, community_worker, community_head
):
    candidate = actions.candidates_of(counting)[0].pk
    entered = api(community_worker).post(f"/elections/{counting.pk}/paper-ballots", {"choices": [candidate]})
    assert entered.status_code == 201
    assert entered.json()["status"] == "pending"
    assert_error(api(community_head).post(f"/elections/{counting.pk}/tally"), 409, "paper_ballots_pending")
    counting.refresh_from_db()
    assert counting.status == "closed" and counting.tallied_at is None
    assert not ElectionResult.objects.filter(election=counting).exists()


def test_the_person_who_typed_a_paper_ballot_in_cannot_confirm_it(counting, api, community_worker, supervisor):
    candidate = actions.candidates_of(counting)[0].pk
    ballot_id = (
        api(community_worker).post(f"/elections/{counting.pk}/paper-ballots", {"choices": [candidate]}).json()["id"]
    )
    assert_error(api(community_worker).post(f"/elections/paper-ballots/{ballot_id}/confirm"), 403, "four_eyes")
    assert Ballot.objects.get(pk=ballot_id).status == "pending"
    response = api(supervisor).post(f"/elections/paper-ballots/{ballot_id}/confirm")
    assert response.status_code == 200 and response.json()["status"] == "counted"
    assert_error(api(supervisor).post(f"/elections/paper-ballots/{ballot_id}/confirm"), 409, "already_reviewed")


def test_a_spoiled_paper_ballot_carries_no_choices(counting, api, community_worker):
    candidate = actions.candidates_of(counting)[0].pk
    response = api(community_worker).post(
        f"/elections/{counting.pk}/paper-ballots", {"choices": [candidate], "spoiled": True}
    )
    assert_error(response, 422, "invalid_choices")
    assert not Ballot.objects.filter(election=counting, paper=True).exists()


def test_more_ballots_than_voters_makes_the_election_invalid(counting, community_worker, supervisor, community_head):
    candidate = actions.candidates_of(counting)[0].pk
    for _ in range(4):  # three paper ballots were handed out, four are found in the box
        ballot = actions.paper_ballot_enter(actor=community_worker, election=counting, choices=[candidate])
        actions.paper_ballot_confirm(actor=supervisor, ballot=ballot)
    tallied = actions.election_tally(actor=community_head, election=counting)
    assert tallied.outcome == "invalid_ballots"
    assert not ElectionResult.objects.filter(election=counting, status="elected").exists()


def test_too_few_voters_makes_the_election_invalid_and_nobody_is_seated(
    voting, voters, ids, api, community_worker, community_head
):
    # 11 voters on the roll; 5 ballots are not more than half.
    for resident in voters[3:8]:
        api(resident.user).post(f"/elections/{voting.pk}/ballots", {"choices": ids[:1]})
    actions.voting_close(actor=community_worker, election=end_window(voting))
    tallied = actions.election_tally(actor=community_head, election=Election.objects.get(pk=voting.pk))
    assert (tallied.outcome, tallied.ballots_count, tallied.voters_count) == ("invalid_turnout", 5, 11)
    published = actions.election_publish(actor=community_head, election=tallied)
    assert published.status == "published"
    assert not ElectionResult.objects.filter(election=voting, member__isnull=False).exists()


def test_the_minimum_turnout_is_a_setting(settings, body, voters, community_worker):
    settings.ELECTION_MIN_TURNOUT = "1/3"
    election = make_election(community_worker, body)
    assert (election.turnout_numerator, election.turnout_denominator) == (1, 3)


def test_the_scheduled_task_opens_and_closes_voting_windows(election, voters):
    Election.objects.filter(pk=election.pk).update(
        voting_starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), nominations_close_at=None
    )
    assert actions.advance_windows() == {"opened": 1, "closed": 0}
    end_window(election)
    assert actions.advance_windows() == {"opened": 0, "closed": 1}
    election.refresh_from_db()
    assert election.status == "closed" and election.sealed_at is not None


def test_voting_does_not_open_without_enough_candidates(body, voters, community_worker, community_head, api):
    election = actions.election_open(actor=community_worker, election=make_election(community_worker, body, seats=3))
    candidates_ready(election, community_head, voters[:3])  # competitive: needs 4
    Election.objects.filter(pk=election.pk).update(
        voting_starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), nominations_close_at=None
    )
    assert_error(api(community_worker).post(f"/elections/{election.pk}/voting/open"), 409, "not_enough_candidates")
    assert Election.objects.get(pk=election.pk).status == "nominating"
    assert actions.advance_windows()["opened"] == 0


def test_voting_cannot_be_closed_before_the_window_ends(voting, api, community_worker):
    assert_error(api(community_worker).post(f"/elections/{voting.pk}/voting/close"), 409, "too_early")
    assert Election.objects.get(pk=voting.pk).status == "voting"
