"""Votes arriving at once are each recorded exactly once (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from gongzhi.elections import actions
from gongzhi.elections.models import Ballot, VoteReceipt
from tests.conftest import ApiClient
from tests.elections.factories import candidates_ready, make_body, make_election, make_voters, start_voting

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def _voting(world, voters):
    body = make_body(world.community)
    worker, head = world.community_worker, world.community_head
    election = actions.election_open(actor=worker, election=make_election(worker, body, seats=2))
    candidates_ready(election, head, voters[:3])
    return start_voting(election, head)


def _cast_all(jobs):
    barrier = threading.Barrier(len(jobs))

    def run(job):
        user, election_id, payload = job
        client = ApiClient(user)
        barrier.wait()
        try:
            return client.post(f"/elections/{election_id}/ballots", payload).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_forty_voters_casting_at_once_are_all_recorded_exactly_once(world):
    voters = make_voters(world.grid, 40)
    election = _voting(world, voters)
    ids = [c.pk for c in actions.candidates_of(election)]
    statuses = _cast_all([(v.user, election.pk, {"choices": ids[:2]}) for v in voters])
    assert statuses == [201] * 40
    assert VoteReceipt.objects.filter(election=election).count() == 40
    assert Ballot.objects.filter(election=election).count() == 40


def test_one_voter_sending_eight_ballots_at_once_gets_one_recorded(world):
    voters = make_voters(world.grid, 4)
    election = _voting(world, voters)
    ids = [c.pk for c in actions.candidates_of(election)]
    statuses = _cast_all([(voters[3].user, election.pk, {"choices": ids[:1]}) for _ in range(8)])
    assert sorted(statuses) == [201] + [409] * 7
    assert VoteReceipt.objects.filter(election=election).count() == 1
    assert Ballot.objects.filter(election=election).count() == 1
