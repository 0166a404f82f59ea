"""access.scope leaves out the owner branch when the actor's own rows already lie inside their grants."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi import access
from gongzhi.people.models import Resident
from tests.factories import make_resident


def _main_query(actor) -> str:
    with CaptureQueriesContext(connection) as ctx:
        list(access.scope(actor, "residents.view", Resident.objects.order_by("id")))
    return ctx.captured_queries[-1]["sql"]


def test_a_worker_who_owns_no_rows_gets_a_plain_subtree_filter(world, community_worker):
    sql = _main_query(community_worker)
    assert '"user_id"' not in sql.split("WHERE", 1)[1]


def test_a_worker_registered_inside_their_community_still_sees_themselves_once(world, community_worker):
    mine = make_resident(world.grid, "吴娟", user=community_worker)
    rows = list(access.scope(community_worker, "residents.view", Resident.objects.all()))
    assert rows.count(mine) == 1
    assert '"user_id"' not in _main_query(community_worker).split("WHERE", 1)[1]


def test_a_worker_registered_outside_their_grants_still_sees_their_own_record(world, community_worker):
    mine = make_resident(world.outside_grid, "吴娟", user=community_worker)
    visible = access.scope(community_worker, "residents.view", Resident.objects.all())
    assert mine in visible
    assert visible.filter(unit=world.outside_grid).count() == 1  # their own row, not their neighbours'
    make_resident(world.outside_grid, "邻居")
    assert visible.filter(unit=world.outside_grid).count() == 1


def test_a_resident_sees_only_their_own_record(world, resident):
    make_resident(world.grid, "邻居")
    rows = list(access.scope(resident, "residents.view", Resident.objects.all()))
    assert [r.user_id for r in rows] == [resident.pk]
