"""Ballot secrecy: nothing stored links a ballot to the voter who cast it.

Three ways a link could exist, each checked:
1. the schema — a ballot has no voter, receipt, user (except paper-ballot counters), timestamp or sequence;
2. the data written alongside a vote — receipts, audit events, timeline and API responses say *that*
   someone voted, never which ballot or what choice;
3. storage order — ballot keys are random, and sealing at close rewrites every ballot in a random order
   in one transaction, so the physical order (SQLite rowid, PostgreSQL ctid) and the writing transaction
   (PostgreSQL xmin) say nothing about when, and so by whom, a ballot was cast. (Until the seal, and until
   the dead rows it leaves are vacuumed, someone with raw database access could still see the order.)
"""

from __future__ import annotations

import json

import pytest
from django.db import connection, models

from gongzhi.audit.models import AuditEvent
from gongzhi.elections import actions
from gongzhi.elections.models import Ballot, ElectionEvent, RollEntry, VoteReceipt
from gongzhi.notify.models import Notification
from tests.elections.factories import candidates_ready, end_window, make_election, make_voters, start_voting

POSTGRES = connection.vendor == "postgresql"


def test_a_ballot_row_has_nothing_that_points_to_a_voter_or_a_moment():
    fields = {f.name: f for f in Ballot._meta.get_fields() if f.concrete}
    assert isinstance(fields["id"], models.UUIDField) and fields["id"].primary_key
    assert not [
        f for f in fields.values() if isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
    ]
    assert not [f for f in fields.values() if isinstance(f, models.AutoField | models.BigAutoField)]
    related = {name: f.related_model._meta.label for name, f in fields.items() if f.is_relation}
    # Paper ballots name the two counters (four eyes); nothing names a voter, a roll entry or a receipt.
    assert related == {"election": "elections.Election", "entered_by": "people.User", "confirmed_by": "people.User"}
    receipt_links = {f.related_model for f in VoteReceipt._meta.get_fields() if f.is_relation and f.concrete}
    assert Ballot not in receipt_links
    assert not [f for f in RollEntry._meta.get_fields() if f.is_relation and f.related_model is Ballot]


def _vote_in_order(election, voters, api):
    """Each voter casts a different ballot, in this order; return the ballots' choices in voting order."""
    ids = [c.pk for c in actions.candidates_of(election)]
    combos = [[a, b] for i, a in enumerate(ids) for b in ids[i + 1 :]] + [[a] for a in ids]
    cast = []
    for voter, combo in zip(voters, combos, strict=False):
        response = api(voter.user).post(f"/elections/{election.pk}/ballots", {"choices": combo})
        assert response.status_code == 201, response.content
        assert not {"id", "ballot", "ballot_id", "choices"} & set(response.json())
        cast.append(sorted(combo))
    return cast


def _physical_order() -> list[tuple[str, list[int]]]:
    """Ballots as stored, in physical order (SQLite rowid / PostgreSQL ctid)."""
    column = "ctid" if POSTGRES else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, choices FROM elections_ballot ORDER BY {column}")  # noqa: S608
        rows = cursor.fetchall()
    return [(str(pk), sorted(json.loads(c) if isinstance(c, str) else c)) for pk, c in rows]


@pytest.fixture
def election_with_votes(world, body, community_worker, community_head, api):
    voters = make_voters(world.grid, 14)
    election = actions.election_open(actor=community_worker, election=make_election(community_worker, body, seats=2))
    candidates_ready(election, community_head, voters[:5])
    election = start_voting(election, community_head)
    cast = _vote_in_order(election, voters, api)
    return election, voters, cast


def _check_no_link(election, voters, cast, community_worker):
    before = _physical_order()
    assert [choices for _pk, choices in before] == cast  # before sealing, storage order follows voting order
    ids_before = {pk for pk, _c in before}
    # Nothing written with the votes mentions a ballot or a choice.
    candidate_ids = {c.pk for c in actions.candidates_of(election)}
    for event in AuditEvent.objects.filter(action="elections.vote"):
        assert set(event.changes) <= {"voter", "channel", "proxy"}
        assert not any(pk in json.dumps(event.changes) for pk in ids_before)
    assert not ElectionEvent.objects.filter(election=election, note__icontains="ballot").exists()
    assert not Notification.objects.filter(title__in=[str(c) for c in candidate_ids]).exists()
    assert VoteReceipt.objects.filter(election=election).count() == len(cast)

    actions.voting_close(actor=community_worker, election=end_window(election))

    after = _physical_order()
    assert sorted(c for _pk, c in after) == sorted(cast)  # every ballot kept, exactly once
    assert not ids_before & {pk for pk, _c in after}  # every key replaced
    assert [c for _pk, c in after] != cast  # storage order no longer follows voting order (p = 1/14!)
    assert [c for _pk, c in sorted(after)] != cast  # nor does the order of the (random) keys
    return after


def test_after_sealing_no_stored_order_or_key_links_a_ballot_to_its_voter(election_with_votes, community_worker):
    election, voters, cast = election_with_votes
    _check_no_link(election, voters, cast, community_worker)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL transaction ids (xmin) exist only on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_no_ballot_shares_a_transaction_with_a_receipt_after_sealing(world, community_worker, api):
    from tests.elections.factories import make_body

    body = make_body(world.community)
    voters = make_voters(world.grid, 14)
    head = world.community_head
    election = actions.election_open(actor=community_worker, election=make_election(community_worker, body, seats=2))
    candidates_ready(election, head, voters[:5])
    election = start_voting(election, head)
    cast = _vote_in_order(election, voters, api)  # each vote commits on its own (transactional test)

    def xmins(table: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text::bigint FROM {table}")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    receipts = set(xmins("elections_votereceipt"))
    # While voting, each ballot was written by the transaction that wrote its receipt (the receipt in a
    # savepoint, so with the next transaction id that transaction took): sorted, the two lists interleave
    # ballot, receipt, ballot, receipt… and pair up one to one. That is the link the seal has to remove.
    ballots, ordered = sorted(xmins("elections_ballot")), sorted(receipts)
    assert all(b < r for b, r in zip(ballots, ordered, strict=True))
    assert all(r < b for r, b in zip(ordered, ballots[1:], strict=False))
    _check_no_link(election, voters, cast, community_worker)
    sealed = set(xmins("elections_ballot"))
    assert len(sealed) == 1 and not sealed & receipts  # one sealing transaction wrote every ballot
