"""Concurrent votes on PostgreSQL: a member voting twice at the same moment gets one vote recorded and one 409;
many members voting at once are all recorded and the tally counts every one."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Vote, VoteCast
from gongzhi.lib.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrency needs PostgreSQL (row locks); SQLite serializes writers",
    ),
]


def _run_at_once(functions):
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # the outcome is what we assert on
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _voting(council, convene, community_worker):
    session = convene(council, community_worker, titles=["调整停车收费"])
    for rep in council.test_members:
        actions.attendance_mark(actor=community_worker, meeting=session.meeting, user=rep)
    actions.item_open_vote(actor=community_worker, item=session.items[0], secret=True)
    return session.items[0]


def test_one_member_voting_twice_at_once_gets_one_vote(council, convene, community_worker):
    item = _voting(council, convene, community_worker)
    member = council.test_members[1]
    results = _run_at_once(
        [lambda c=c: actions.vote_cast(actor=member, item=item, choice=c) for c in ("for", "against")]
    )
    assert sum(isinstance(r, VoteCast) for r in results) == 1
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1 and conflicts[0].code == "already_voted"
    assert VoteCast.objects.filter(item=item).count() == 1 and Vote.objects.filter(item=item).count() == 1


def test_every_member_voting_at_once_is_recorded_and_counted(council, convene, community_worker):
    item = _voting(council, convene, community_worker)
    members = council.test_members
    results = _run_at_once([lambda m=m: actions.vote_cast(actor=m, item=item, choice="for") for m in members])
    assert all(isinstance(r, VoteCast) for r in results), results
    actions.item_close_vote(actor=community_worker, item=item)
    item.refresh_from_db()
    assert item.votes_for == len(members) and item.result == "adopted"
