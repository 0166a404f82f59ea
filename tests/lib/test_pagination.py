"""Keyset pagination: every row exactly once, in order, for any mix of directions and ties; bad cursors are 422."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.pagination import MAX_LIMIT, clamp_limit, decode_cursor, encode_cursor, keyset_page
from gongzhi.people.models import Resident
from tests.conftest import assert_error
from tests.factories import make_resident

# Plain letters: the database collation then orders them the same way Python does.
NAMES = ["a", "b", "c"]


@pytest.fixture
def register(world):
    """Twenty-four residents with many ties: three names, four birth dates."""
    rows = []
    for n in range(24):
        rows.append(
            make_resident(world.grid, NAMES[n % 3], birth_date=dt.date(1950 + (n % 4), 1, 1), gender="MF"[n % 2])
        )
    return rows


def _walk(qs, order, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page = keyset_page(qs, order=order, after=cursor, limit=limit)
        seen.extend(page.items)
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor
        assert pages < 100


def _sort_key(order):
    def key(resident):
        parts = []
        for field in order:
            value = getattr(resident, field.lstrip("-"))
            if isinstance(value, dt.date):
                value = value.toordinal()
            elif isinstance(value, str):
                value = [ord(c) for c in value]
            if field.startswith("-"):
                value = -value if isinstance(value, int) else [-c for c in value]
            parts.append(value)
        return parts

    return key


@pytest.mark.parametrize(
    "order",
    [
        ("id",),
        ("-id",),
        ("birth_date", "id"),
        ("-birth_date", "id"),
        ("-birth_date", "name", "-id"),
        ("name", "-birth_date", "id"),
        ("gender", "-name", "birth_date", "-id"),
    ],
)
@pytest.mark.parametrize("limit", [1, 5, 7, 24, 50])
def test_walking_the_pages_yields_every_row_once_in_order(register, order, limit):
    rows, pages = _walk(Resident.objects.all(), order, limit)
    expected = sorted(Resident.objects.all(), key=_sort_key(order))
    assert [r.pk for r in rows] == [r.pk for r in expected]
    assert len({r.pk for r in rows}) == Resident.objects.count()
    assert pages == -(-len(expected) // limit)  # an exact fit needs no empty extra page


def test_the_last_page_has_no_cursor_and_an_exact_fit_needs_no_extra_page(register):
    page = keyset_page(Resident.objects.all(), order=("id",), after=None, limit=Resident.objects.count())
    assert page.next_cursor is None
    assert len(page.items) == Resident.objects.count()


def test_an_empty_queryset_gives_an_empty_page(db):
    page = keyset_page(Resident.objects.none(), order=("-id",), after=None, limit=10)
    assert page.items == [] and page.next_cursor is None


def test_cursors_round_trip_dates_datetimes_and_decimals():
    from decimal import Decimal

    moment = dt.datetime(2026, 10, 1, 8, 30, tzinfo=dt.UTC)
    values = [moment, dt.date(2026, 10, 10), Decimal("12.30"), "名字", 7]
    assert decode_cursor(encode_cursor(values), 5) == values


def _raw(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        "%%%%",
        _raw({"not": "a list"}),
        _raw([1, 2]),  # wrong size for the order
        _raw(["abc"]),  # not a number for the id column
        _raw([None]),
        _raw([[1]]),
        _raw([{"t": "dt", "v": "yesterday"}]),
        _raw([{"t": "unknown", "v": 1}]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_bad_cursor_is_invalid_input_naming_the_cursor(register, cursor):
    with pytest.raises(InvalidInput) as caught:
        keyset_page(Resident.objects.all(), order=("id",), after=cursor, limit=5)
    assert "cursor" in caught.value.fields


def test_a_cursor_of_the_wrong_type_for_a_date_column_is_refused(register):
    cursor = _raw([{"t": "d", "v": "2026-13-01"}, 1])
    with pytest.raises(InvalidInput):
        keyset_page(Resident.objects.all(), order=("birth_date", "id"), after=cursor, limit=5)


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_a_limit_out_of_range_is_refused(limit):
    with pytest.raises(InvalidInput) as caught:
        clamp_limit(limit)
    assert "limit" in caught.value.fields


def test_a_limit_defaults_to_fifty():
    assert clamp_limit(None) == 50


def test_the_api_answers_a_bad_cursor_with_422(world, community_worker, api):
    response = api(community_worker).get("/residents", {"cursor": _raw(["abc"])})
    assert_error(response, 422, "invalid_input", "cursor")
    response = api(community_worker).get("/residents", {"cursor": "@@@"})
    assert_error(response, 422, "invalid_input", "cursor")


def test_the_register_page_answers_a_bad_cursor_with_a_422_page(world, community_worker, client):
    client.force_login(community_worker)
    response = client.get("/people/residents/", {"cursor": _raw(["abc"])})
    assert response.status_code == 422
