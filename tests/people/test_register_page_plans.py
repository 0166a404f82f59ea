"""Register pages are cut on ids, walking the id index for wide scopes and the (unit, id) index for narrow ones.

Both ways must give the same rows in the same order, and a cursor from one must continue in the other.
"""

from __future__ import annotations

from gongzhi.people import queries
from gongzhi.people.queries import _walks_the_id_index
from tests.factories import identity_number, make_resident


def _fill(world) -> None:
    for n in range(5):
        make_resident(world.grid, f"网格一{n}", identity=identity_number(seq=100 + n))
        make_resident(world.other_grid, f"网格二{n}", identity=identity_number(seq=200 + n))
        make_resident(world.outside_grid, f"东坡{n}", identity=identity_number(seq=300 + n))


def _all_pages(actor, limit: int = 2, **filters) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = queries.resident_page(actor, after=cursor, limit=limit, **filters)
        seen.extend(r.pk for r in page.items)
        assert len(page.items) <= limit
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_a_district_admin_walks_the_id_index_and_a_grid_worker_does_not(world, district_admin, grid_worker):
    assert _walks_the_id_index(district_admin, None)
    assert not _walks_the_id_index(grid_worker, None)
    assert not _walks_the_id_index(district_admin, world.grid)  # filtered down to one grid


def test_pages_in_either_way_hold_every_row_of_the_scope_once_in_id_order(world, district_admin, grid_worker):
    _fill(world)
    wide = _all_pages(district_admin)
    expected = list(queries.resident_filter(district_admin).order_by("id").values_list("id", flat=True))
    assert wide == expected and len(expected) == 16
    narrow = _all_pages(grid_worker)
    assert narrow == list(queries.resident_filter(grid_worker).order_by("id").values_list("id", flat=True))
    assert len(narrow) == 6
    assert _all_pages(district_admin, unit=world.grid) == narrow


def test_a_cursor_from_one_way_continues_in_the_other(world, district_admin):
    _fill(world)
    first = queries.resident_page(district_admin, limit=3)  # wide scope: the id index
    rest = queries.resident_page(district_admin, after=first.next_cursor, limit=50, unit=world.grid)  # narrow
    last_id = first.items[-1].pk
    assert [r.pk for r in rest.items] == list(
        queries.resident_filter(district_admin, unit=world.grid)
        .filter(id__gt=last_id)
        .order_by("id")
        .values_list("id", flat=True)
    )


def test_page_rows_come_with_their_unit_household_and_tags_loaded(world, grid_worker, django_assert_num_queries):
    _fill(world)
    page = queries.resident_page(grid_worker, limit=50)
    with django_assert_num_queries(0):
        assert all(r.unit.name and r.tag_list is not None for r in page.items)
