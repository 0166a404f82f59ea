"""Rules of the units tree: kinds under kinds, roots, division codes, rename, move, close and reopen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi import access
from gongzhi.audit.models import AuditEvent
from gongzhi.lib.errors import Forbidden, InvalidInput, NotAuthenticated
from gongzhi.people import actions as people_actions
from gongzhi.people.models import RoleGrant
from gongzhi.people.roles import Role
from gongzhi.units import actions
from gongzhi.units.models import Unit, UnitChange, UnitKind
from tests.conftest import assert_error
from tests.factories import grant, make_resident, make_unit


def _create(actor, parent, kind, code, name="新单位"):
    return actions.unit_create(actor=actor, parent=parent, name=name, kind=kind, code=code)


def _fields(caught) -> dict:
    return caught.value.fields


# --- kinds under kinds ----------------------------------------------------------------------------

PLACEMENTS = [
    # (kind, parent attribute of the world, allowed)
    (UnitKind.DISTRICT, "city", True),
    (UnitKind.STREET, "district", True),
    (UnitKind.TOWNSHIP, "district", True),
    (UnitKind.COMMUNITY, "street", True),
    (UnitKind.VILLAGE, "other_street", True),
    (UnitKind.GRID, "community", True),
    (UnitKind.GRID, "outside_community", True),
    (UnitKind.BUILDING, "grid", True),
    (UnitKind.BUILDING, "community", True),
    (UnitKind.CITY, "district", False),
    (UnitKind.DISTRICT, "street", False),
    (UnitKind.STREET, "city", False),
    (UnitKind.STREET, "street", False),
    (UnitKind.COMMUNITY, "district", False),
    (UnitKind.COMMUNITY, "community", False),
    (UnitKind.COMMUNITY, "grid", False),
    (UnitKind.GRID, "street", False),
    (UnitKind.GRID, "grid", False),
    (UnitKind.BUILDING, "street", False),
]


def _code_for(kind: str, parent: Unit) -> str:
    if kind in (UnitKind.GRID, UnitKind.BUILDING):
        return parent.code + "77"
    prefix = {"city": 4, "district": 6, "street": 9, "township": 9, "community": 12, "village": 12}[kind]
    # Keep the parent's significant digits, vary the next ones, pad with zeros.
    significant = {"city": 4, "district": 6, "street": 9, "township": 9}.get(parent.kind, 0)
    body = parent.code[:significant] + "7" * (prefix - significant)
    return (body + "0" * 12)[:12]


@pytest.mark.parametrize(("kind", "parent_name", "allowed"), PLACEMENTS)
def test_a_kind_may_only_sit_under_the_kinds_above_it(world, sysadmin, kind, parent_name, allowed):
    parent = getattr(world, parent_name)
    count = Unit.objects.count()
    if allowed:
        unit = _create(sysadmin, parent, kind, _code_for(kind, parent))
        assert Unit.objects.get_parent(unit) == parent
    else:
        with pytest.raises(InvalidInput) as caught:
            _create(sysadmin, parent, kind, _code_for(kind, parent))
        assert "parent" in _fields(caught)
        assert Unit.objects.count() == count


@pytest.mark.parametrize("kind", [UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET, UnitKind.TOWNSHIP])
def test_a_system_admin_may_create_roots_of_the_upper_kinds(world, sysadmin, kind):
    code = {"city": "980000000000", "district": "981100000000", "street": "981101001000", "township": "981101101000"}
    unit = _create(sysadmin, None, kind, code[kind])
    assert unit.is_root()


@pytest.mark.parametrize("kind", [UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID, UnitKind.BUILDING])
def test_lower_kinds_cannot_be_roots(world, sysadmin, kind):
    with pytest.raises(InvalidInput) as caught:
        _create(sysadmin, None, kind, "981101001001")
    assert "parent" in _fields(caught)


def test_only_a_system_admin_may_create_a_root(world, district_admin, community_worker):
    with pytest.raises(InvalidInput) as caught:
        _create(district_admin, None, UnitKind.CITY, "980000000000")
    assert "parent" in _fields(caught)
    with pytest.raises(Forbidden):
        _create(community_worker, None, UnitKind.CITY, "980000000000")
    with pytest.raises(NotAuthenticated):
        _create(None, None, UnitKind.CITY, "980000000000")


def test_an_unknown_kind_is_refused(world, sysadmin):
    with pytest.raises(InvalidInput) as caught:
        _create(sysadmin, world.street, "hamlet", "990102001099")
    assert "kind" in _fields(caught)


# --- division codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("99010200100", "11 digits"),
        ("9901020010011", "13 digits"),
        ("99010200100A", "a letter"),
        ("990102002001", "another street's prefix"),
        ("990103001001", "another district's prefix"),
        ("", "empty"),
    ],
)
def test_a_community_code_has_twelve_digits_extending_its_street(world, district_admin, code, why):
    with pytest.raises(InvalidInput) as caught:
        _create(district_admin, world.street, UnitKind.COMMUNITY, code)
    assert "code" in _fields(caught), why


def test_a_street_code_ends_in_zeros_after_nine_digits(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        _create(district_admin, world.district, UnitKind.STREET, "990102003001")
    assert "code" in _fields(caught)
    assert _create(district_admin, world.district, UnitKind.STREET, "990102003000").code == "990102003000"


def test_community_codes_are_unique(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        _create(district_admin, world.street, UnitKind.COMMUNITY, world.community.code)
    assert "已被使用" in _fields(caught)["code"][0]


def test_a_code_is_trimmed(world, district_admin):
    assert _create(district_admin, world.street, UnitKind.COMMUNITY, " 990102001077 ").code == "990102001077"


@pytest.mark.parametrize("suffix", ["1", "03", "123456"])
def test_a_grid_code_extends_its_parents_code(world, district_admin, suffix):
    unit = _create(district_admin, world.community, UnitKind.GRID, world.community.code + suffix)
    assert unit.code.startswith(world.community.code)


@pytest.mark.parametrize(
    "code",
    ["99010200100203", "990102001001", "9901020010011234567", "99010200100A01", "0102001001001"],
)
def test_a_grid_code_that_does_not_extend_its_parent_is_refused(world, district_admin, code):
    with pytest.raises(InvalidInput) as caught:
        _create(district_admin, world.community, UnitKind.GRID, code)
    assert "code" in _fields(caught)


def test_grid_codes_are_unique_too(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        _create(district_admin, world.community, UnitKind.GRID, world.grid.code)
    assert "code" in _fields(caught)


def test_a_building_extends_its_grids_code(world, district_admin):
    building = _create(district_admin, world.grid, UnitKind.BUILDING, world.grid.code + "001")
    assert building.depth == world.grid.depth + 1


def test_the_api_names_the_code_field_and_writes_nothing(world, district_admin, api):
    before = (Unit.objects.count(), AuditEvent.objects.count(), UnitChange.objects.count())
    response = api(district_admin).post(
        "/units", {"parent_id": world.street.pk, "name": "重复", "kind": "community", "code": world.community.code}
    )
    assert_error(response, 422, "invalid_input", "code")
    assert (Unit.objects.count(), AuditEvent.objects.count(), UnitChange.objects.count()) == before


# --- create, rename ----------------------------------------------------------------------------


def test_creating_a_unit_records_its_history_and_one_audit_event(world, district_admin):
    before = AuditEvent.objects.count()
    unit = _create(district_admin, world.street, UnitKind.COMMUNITY, "990102001077", name="  新华  社区 ")
    assert unit.name == "新华 社区"
    change = unit.changes.get()
    assert (change.kind, change.new_parent, change.new_path, change.actor) == (
        UnitChange.Kind.CREATED,
        world.street,
        unit.path,
        district_admin,
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.target_id, event.unit_id) == ("units.unit_create", str(unit.pk), unit.pk)


@pytest.mark.parametrize("name", ["", "   ", "名" * 101])
def test_a_unit_needs_a_sensible_name(world, district_admin, name):
    with pytest.raises(InvalidInput) as caught:
        _create(district_admin, world.street, UnitKind.COMMUNITY, "990102001077", name=name)
    assert "name" in _fields(caught)


def test_renaming_keeps_the_old_name_in_the_history(world, district_admin):
    actions.unit_update(actor=district_admin, unit=world.community, name="光明新社区", phone=" 010-1234 ")
    world.community.refresh_from_db()
    assert world.community.name == "光明新社区" and world.community.phone == "010-1234"
    change = world.community.changes.get(kind=UnitChange.Kind.RENAMED)
    assert (change.old_name, change.new_name) == ("光明社区", "光明新社区")


def test_an_update_that_changes_nothing_writes_nothing(world, district_admin):
    before = AuditEvent.objects.count()
    actions.unit_update(actor=district_admin, unit=world.community, name="光明社区")
    assert AuditEvent.objects.count() == before
    assert not world.community.changes.exists()


# --- move -----------------------------------------------------------------------------------------


def test_moving_a_community_moves_its_subtree_and_keeps_history(world, district_admin):
    old_path = world.community.path
    grid_before = world.grid.path
    unit = actions.unit_move(
        actor=district_admin, unit=world.community, new_parent=world.other_street, reason="区划调整"
    )
    world.grid.refresh_from_db()
    world.other_grid.refresh_from_db()
    assert Unit.objects.get_parent(unit) == world.other_street
    assert unit.path.startswith(world.other_street.path) and unit.path != old_path
    assert world.grid.path.startswith(unit.path) and world.grid.path != grid_before
    assert Unit.objects.get_parent(world.grid) == unit
    assert Unit.objects.get(pk=world.street.pk).numchild == 1
    assert Unit.objects.get(pk=world.other_street.pk).numchild == 2
    change = unit.changes.get(kind=UnitChange.Kind.MOVED)
    assert (change.old_parent, change.new_parent, change.old_path, change.new_path, change.reason) == (
        world.street,
        world.other_street,
        old_path,
        unit.path,
        "区划调整",
    )
    # The statistical code stays until a decree changes it.
    assert unit.code == "990102001001"
    event = AuditEvent.objects.latest("seq")
    assert event.action == "units.unit_move"
    assert event.changes["path"] == [old_path, unit.path]


def test_moving_rewrites_the_anchor_paths_of_grants_so_access_follows(
    world, district_admin, grid_worker, community_worker
):
    resident = make_resident(world.grid, "李大爷")
    actions.unit_move(actor=district_admin, unit=world.community, new_parent=world.other_street)
    world.grid.refresh_from_db()
    world.community.refresh_from_db()
    anchors = dict(
        RoleGrant.objects.filter(user__in=[grid_worker, community_worker]).values_list("user_id", "anchor_path")
    )
    assert anchors[grid_worker.pk] == world.grid.path
    assert anchors[community_worker.pk] == world.community.path
    # Grants on the moved units still reach their residents; the old street's staff no longer do.
    for user in (grid_worker, community_worker):
        access.forget(user)
        assert access.can(user, "residents.view", resident)
    street_staff = world.users["street_staff"]
    outsider = world.users["outsider"]
    access.forget(street_staff)
    access.forget(outsider)
    resident.refresh_from_db()
    assert not access.can(street_staff, "residents.view", resident)
    assert access.can(outsider, "residents.view", resident)
    # Grants listed under the new street (scoped by anchor path).
    assert set(
        access.scope(outsider, "grants.view", RoleGrant.objects.all()).values_list("user__username", flat=True)
    ) >= {"grid_worker", "community_worker", "outsider"}


def test_moving_rewrites_every_registered_copy_of_a_unit_path(world, district_admin, monkeypatch):
    from gongzhi.units import actions as unit_actions

    monkeypatch.setattr(unit_actions, "_DENORMALIZED_PATHS", [])
    unit_actions.register_denormalized_path(RoleGrant, "anchor_path")  # registering twice is harmless
    unit_actions.register_denormalized_path(RoleGrant, "anchor_path")
    assert unit_actions._DENORMALIZED_PATHS == [(RoleGrant, "anchor_path")]
    far = grant(world.users["representative"], Role.REPRESENTATIVE, world.outside_grid)
    actions.unit_move(actor=district_admin, unit=world.community, new_parent=world.other_street)
    far.refresh_from_db()
    assert far.anchor_path == world.outside_grid.path  # a path outside the moved subtree is left alone


def test_a_unit_cannot_move_under_itself_or_its_descendants(world, district_admin):
    for target in (world.community, world.grid):
        with pytest.raises(InvalidInput) as caught:
            actions.unit_move(actor=district_admin, unit=world.community, new_parent=target)
        assert "new_parent" in _fields(caught)


def test_a_move_to_the_current_parent_is_refused(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        actions.unit_move(actor=district_admin, unit=world.community, new_parent=world.street)
    assert "new_parent" in _fields(caught)


def test_a_move_must_respect_the_kinds(world, district_admin):
    paths = dict(Unit.objects.values_list("pk", "path"))
    with pytest.raises(InvalidInput) as caught:
        actions.unit_move(actor=district_admin, unit=world.grid, new_parent=world.street)
    assert "parent" in _fields(caught)
    assert dict(Unit.objects.values_list("pk", "path")) == paths
    assert not UnitChange.objects.filter(kind=UnitChange.Kind.MOVED).exists()


def test_a_move_needs_rights_at_both_ends(world, sysadmin):
    # A district admin of another district cannot pull a unit out of ours.
    other = make_unit(world.city, UnitKind.DISTRICT, "邻区", "990105000000")
    other_street = make_unit(other, UnitKind.STREET, "邻街道", "990105001000")
    admin = world.users["street_staff"]
    neighbour_admin = world.users["outsider"]
    grant(neighbour_admin, Role.DISTRICT_ADMIN, other)
    with pytest.raises(Forbidden):
        actions.unit_move(actor=neighbour_admin, unit=world.community, new_parent=other_street)
    with pytest.raises(Forbidden):
        actions.unit_move(actor=admin, unit=world.community, new_parent=world.other_street)
    actions.unit_move(actor=sysadmin, unit=world.community, new_parent=other_street)


# --- close and reopen -----------------------------------------------------------------------------


def test_a_unit_with_open_children_cannot_be_closed(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        actions.unit_close(actor=district_admin, unit=world.community)
    assert "unit" in _fields(caught)
    assert "2" in str(caught.value.message)
    assert Unit.objects.get(pk=world.community.pk).valid_to is None


def test_closing_leaves_by_leaf_then_the_parent(world, district_admin):
    day = dt.date(2026, 12, 31)
    for grid in (world.grid, world.other_grid):
        actions.unit_close(actor=district_admin, unit=grid, on=day, reason="网格调整")
    unit = actions.unit_close(actor=district_admin, unit=world.community, on=day)
    assert unit.valid_to == day
    assert unit.changes.filter(kind=UnitChange.Kind.CLOSED).count() == 1
    assert AuditEvent.objects.filter(action="units.unit_close").count() == 3


def test_a_closed_unit_cannot_be_closed_again_nor_before_it_began(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        actions.unit_close(actor=district_admin, unit=world.grid, on=dt.date(2019, 12, 31))
    assert "on" in _fields(caught)
    actions.unit_close(actor=district_admin, unit=world.grid)
    with pytest.raises(InvalidInput):
        actions.unit_close(actor=district_admin, unit=world.grid)


def test_a_closed_unit_takes_no_new_residents_and_is_hidden_from_children_lists(
    world, district_admin, community_worker
):
    from gongzhi.units.queries import unit_children

    actions.unit_close(actor=district_admin, unit=world.other_grid)
    with pytest.raises(InvalidInput) as caught:
        people_actions.resident_create(
            actor=community_worker,
            unit=Unit.objects.get(pk=world.other_grid.pk),
            data={"name": "新居民", "gender": "F", "birth_date": "1990-01-01"},
        )
    assert "unit" in _fields(caught)
    assert list(unit_children(community_worker, world.community)) == [world.grid]
    assert set(unit_children(community_worker, world.community, include_closed=True)) == {world.grid, world.other_grid}


def test_reopening_undoes_a_closing_unless_the_parent_is_closed(world, district_admin):
    actions.unit_close(actor=district_admin, unit=world.grid)
    unit = actions.unit_reopen(actor=district_admin, unit=world.grid)
    assert unit.valid_to is None
    assert [c.kind for c in unit.changes.order_by("at", "id")] == [UnitChange.Kind.CLOSED, UnitChange.Kind.REOPENED]
    with pytest.raises(InvalidInput):
        actions.unit_reopen(actor=district_admin, unit=world.grid)  # not closed
    for grid in (world.grid, world.other_grid):
        actions.unit_close(actor=district_admin, unit=grid)
    actions.unit_close(actor=district_admin, unit=world.community)
    with pytest.raises(InvalidInput) as caught:
        actions.unit_reopen(actor=district_admin, unit=world.grid)
    assert "unit" in _fields(caught)


def test_closing_and_reopening_need_the_manage_permission(world, community_head):
    with pytest.raises(Forbidden):
        actions.unit_close(actor=community_head, unit=world.grid)
    with pytest.raises(Forbidden):
        actions.unit_reopen(actor=community_head, unit=world.grid)


def test_the_kept_copy_of_a_unit_follows_saves_and_moves(world, district_admin):
    """Intake reads units from a per-process copy: a rename, a closure or a move is seen at once."""
    from gongzhi.units import queries

    kept = queries.unit_by_id(world.community.pk)
    assert kept.path == world.community.path
    assert queries.unit_by_id(world.community.pk) is kept  # no second read
    grid_before = queries.unit_by_id(world.grid.pk).path
    actions.unit_update(actor=district_admin, unit=world.community, name="新名字社区")
    assert queries.unit_by_id(world.community.pk).name == "新名字社区"
    moved = actions.unit_move(actor=district_admin, unit=world.community, new_parent=world.other_street)
    assert queries.unit_by_id(world.community.pk).path == moved.path != kept.path
    grid_after = queries.unit_by_id(world.grid.pk).path
    assert grid_after.startswith(moved.path) and grid_after != grid_before
    actions.unit_close(actor=district_admin, unit=world.grid)
    assert queries.unit_by_id(world.grid.pk).valid_to == timezone.localdate()
    assert queries.unit_by_id(10**9) is None
