"""Foundation details that lists of millions of rows depend on."""

from gongzhi import access
from gongzhi.lib.pagination import keyset_page
from gongzhi.people.models import User
from gongzhi.units.models import Unit


def test_a_unit_path_scope_is_a_plain_filter_without_an_id_subquery(world, street_staff):
    sql = str(access.scope(street_staff, "units.view", Unit.objects.all()).query)
    assert "IN (SELECT" not in sql.upper()
    assert set(access.scope(street_staff, "units.view", Unit.objects.all())) == set(
        Unit.objects.filter(path__startswith=world.street.path)
    )


def test_a_scope_across_a_to_many_relation_still_uses_an_id_subquery(world, street_staff):
    qs = access.scope(street_staff, "users.view", User.objects.all())
    assert "IN (SELECT" in str(qs.query).upper()
    assert len(list(qs)) == len({u.pk for u in qs})


def test_keyset_pages_walk_ties_in_the_leading_column_without_losing_or_repeating_rows(world):
    # Several units share a kind; ordering by (kind, id) forces ties on the leading column.
    expected = list(Unit.objects.order_by("-kind", "-id").values_list("pk", flat=True))
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(Unit.objects.all(), order=("-kind", "-id"), after=cursor, limit=2)
        seen.extend(u.pk for u in page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected
