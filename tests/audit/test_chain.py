"""The audit chain: one event per action, verification naming the first broken event, append-only on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import logging
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gongzhi.audit.chain import GENESIS, canonical, canonical_parts, compute_hash, record, verify
from gongzhi.audit.models import AuditChainHead, AuditEvent
from gongzhi.lib.errors import Forbidden, InvalidInput
from gongzhi.people import actions as people
from gongzhi.people.roles import Role
from gongzhi.units import actions as units
from gongzhi.units.models import DepartmentKind, OrganizationKind
from tests.factories import PASSWORD, UserFactory, identity_number, make_resident


@contextmanager
def tampering():
    """Let a test change audit rows directly, as an attacker with database access would (PostgreSQL refuses)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in the test's transaction would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        yield


def _events(n: int, world) -> list[AuditEvent]:
    return [record(actor=world.users["district_admin"], action="test.step", changes={"n": i}) for i in range(n)]


def _verify_output() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


# --- one event per action -------------------------------------------------------------------------


def _every_action(world):
    """Yield (action name, callable) for every foundation action, each run against fresh objects."""
    admin = world.users["district_admin"]
    head = world.users["community_head"]
    newcomer = UserFactory(username="newcomer")
    resident = make_resident(world.grid, "某居民", identity=identity_number(dt.date(1970, 1, 1), 300))
    household = people.household_create(actor=head, unit=world.grid, number="H-1", address="光明路1号")
    token, _ = people.token_create(actor=head, name="t")
    row = people.grant_create(actor=admin, user=newcomer, role=Role.REPRESENTATIVE, unit=world.grid)
    org = units.organization_create(actor=admin, unit=world.community, name="协会", kind=OrganizationKind.PARTNER)
    building = units.unit_create(
        actor=admin, parent=world.grid, name="1号楼", kind="building", code=world.grid.code + "001"
    )
    return [
        (
            "units.unit_create",
            lambda: units.unit_create(
                actor=admin, parent=world.street, name="新社区", kind="community", code="990102001077"
            ),
        ),
        ("units.unit_update", lambda: units.unit_update(actor=admin, unit=world.community, name="新名")),
        ("units.unit_move", lambda: units.unit_move(actor=admin, unit=building, new_parent=world.other_grid)),
        ("units.unit_close", lambda: units.unit_close(actor=admin, unit=building)),
        (
            "units.department_create",
            lambda: units.department_create(
                actor=admin, unit=world.street, name="执法队", kind=DepartmentKind.ENFORCEMENT, code="S-Z"
            ),
        ),
        (
            "units.department_update",
            lambda: units.department_update(actor=admin, department=world.street_department, phone="1"),
        ),
        (
            "units.organization_create",
            lambda: units.organization_create(
                actor=admin, unit=world.street, name="志愿者协会", kind=OrganizationKind.SOCIAL_ORGANIZATION
            ),
        ),
        ("units.organization_update", lambda: units.organization_update(actor=admin, organization=org, name="新协会")),
        (
            "people.resident_create",
            lambda: people.resident_create(
                actor=head, unit=world.grid, data={"name": "新人", "gender": "M", "birth_date": "1990-01-01"}
            ),
        ),
        ("people.resident_update", lambda: people.resident_update(actor=head, resident=resident, data={"notes": "x"})),
        ("people.resident_move_out", lambda: people.resident_move_out(actor=head, resident=resident)),
        ("people.resident_reveal", lambda: people.resident_reveal(actor=head, resident=resident, field="identity")),
        ("people.resident_export", lambda: people.resident_export_record(actor=head, filters={"tag": "elderly"})),
        (
            "people.household_create",
            lambda: people.household_create(actor=head, unit=world.grid, number="H-2", address="光明路2号"),
        ),
        ("people.household_update", lambda: people.household_update(actor=head, household=household, notes="n")),
        (
            "people.grant_create",
            lambda: people.grant_create(actor=admin, user=newcomer, role=Role.GRID_WORKER, unit=world.grid),
        ),
        ("people.grant_revoke", lambda: people.grant_revoke(actor=admin, grant=row)),
        ("people.user_create", lambda: people.user_create(actor=admin, username="u2", password="long-enough-pass")),
        ("people.profile_update", lambda: people.profile_update(actor=head, display_name="周书记")),
        (
            "people.password_change",
            lambda: people.password_change(actor=head, old_password=PASSWORD, new_password="another-long-pass"),
        ),
        ("people.token_create", lambda: people.token_create(actor=head, name="新令牌")),
        ("people.token_revoke", lambda: people.token_revoke(actor=head, token=token)),
        ("people.field_keys_rotate", lambda: people.field_keys_rotate()),
    ]


def test_every_action_writes_exactly_one_event(world):
    cases = _every_action(world)
    for name, run in cases:
        before = AuditEvent.objects.count()
        run()
        assert AuditEvent.objects.count() == before + 1, name
        assert AuditEvent.objects.latest("seq").action == name
    units.unit_close(actor=world.users["district_admin"], unit=world.other_grid)
    before = AuditEvent.objects.count()
    from gongzhi.units.models import Unit

    units.unit_reopen(actor=world.users["district_admin"], unit=Unit.objects.get(pk=world.other_grid.pk))
    assert AuditEvent.objects.count() == before + 1
    assert verify().ok


def test_an_action_that_fails_writes_no_event(world, community_head):
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput):
        people.resident_create(actor=community_head, unit=world.grid, data={"name": ""})
    with pytest.raises(Forbidden):
        people.grant_create(
            actor=community_head, user=world.users["outsider"], role=Role.DISTRICT_ADMIN, unit=world.community
        )
    assert AuditEvent.objects.count() == before
    assert verify().ok


def test_a_rolled_back_transaction_leaves_the_chain_and_its_head_untouched(world):
    _events(2, world)
    head = AuditChainHead.objects.get()
    with transaction.atomic():
        record(actor=None, action="test.rolled_back")
        transaction.set_rollback(True)
    assert AuditChainHead.objects.get().hash == head.hash
    assert verify().ok


def test_an_event_records_who_what_where_and_links_to_the_previous_one(world, community_head, client):
    client.force_login(community_head)
    resident = make_resident(world.grid, "某居民")
    client.post(f"/people/residents/{resident.pk}/move-out/", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.latest("seq")
    assert event.action == "people.resident_move_out"
    assert (event.actor, event.actor_name, event.ip) == (community_head, "community_head", "10.1.2.3")
    assert (event.target_type, event.target_id, event.target_label) == ("people.resident", str(resident.pk), "某居民")
    assert event.unit_id == world.grid.pk
    assert event.hash == compute_hash(event)
    previous = AuditEvent.objects.filter(seq=event.seq - 1).first()
    assert event.prev_hash == (previous.hash if previous else GENESIS)


def test_the_canonical_text_splits_around_the_link_the_database_fills_in(world):
    """On PostgreSQL the database joins the head's hash and number into the text the app prepared; the
    pieces must rebuild exactly what verify() hashes, whatever the event holds (quotes, Chinese, nesting)."""
    tricky = {"note": '引号"与\\反斜杠', "nested": {"z": [1, 2.5, None], "a": 'prev_hash","seq":1'}, "n": 10**15}
    event = record(actor=None, action="test.tricky", target=("x.y", 7, "目标"), unit=world.grid, changes=tricky)
    event.refresh_from_db()
    before, after = canonical_parts(event)
    rebuilt = f'{before}{event.prev_hash}","seq":{event.seq}{after}'.encode()
    assert rebuilt == canonical(event) and event.hash == compute_hash(event)
    assert verify().ok


# --- verification ---------------------------------------------------------------------------------


def test_a_clean_chain_verifies(world):
    _events(5, world)
    assert "Audit chain intact: 5 events verified." in _verify_output()
    assert verify().checked == 5


def test_an_empty_chain_verifies(db):
    assert verify().ok and verify().checked == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("changes", {"n": 99}),
        ("actor_name", "someone else"),
        ("action", "test.other"),
        ("target_label", "forged"),
        ("ip", "192.0.2.1"),
        ("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("hash", "f" * 64),
    ],
)
def test_editing_any_field_of_an_event_is_named(world, field, value):
    events = _events(5, world)
    with tampering():
        AuditEvent.objects.filter(pk=events[2].pk).update(**{field: value})
    result = verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, 3, 2)
    with pytest.raises(CommandError, match=r"broken at event #3"):
        _verify_output()


def test_editing_an_event_and_rehashing_it_breaks_the_next_link(world):
    events = _events(5, world)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.changes = {"n": 42}
    with tampering():
        AuditEvent.objects.filter(pk=forged.pk).update(changes=forged.changes, hash=compute_hash(forged))
    result = verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert "link" in result.reason


def test_a_deleted_event_is_named(world):
    events = _events(5, world)
    with tampering():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    result = verify()
    assert (result.ok, result.broken_seq) == (False, 2)
    assert "missing" in result.reason
    with pytest.raises(CommandError, match=r"#2: event #2 is missing"):
        _verify_output()


def test_a_cut_tail_is_noticed_through_the_chain_head(world):
    events = _events(5, world)
    with tampering():
        AuditEvent.objects.filter(pk__in=[events[3].pk, events[4].pk]).delete()
    result = verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, 4, 3)
    assert "removed" in result.reason


def test_reordered_events_are_named(world):
    events = _events(5, world)
    a, b = events[1], events[3]
    with tampering():
        AuditEvent.objects.filter(pk=a.pk).update(seq=-1)
        AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
        AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    result = verify()
    assert (result.ok, result.broken_seq) == (False, 2)


def test_the_command_reports_progress_counts_and_the_nightly_task_logs_a_break(world, caplog):
    from gongzhi.schedule import verify_audit_chain

    events = _events(3, world)
    assert verify_audit_chain.call_local() is True
    with tampering():
        AuditEvent.objects.filter(pk=events[0].pk).update(actor_name="x")
    with caplog.at_level(logging.ERROR, logger="gongzhi.audit"):
        assert verify_audit_chain.call_local() is False
    assert "audit chain broken at #1" in caplog.text


# --- append-only on PostgreSQL ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET actor_name = 'x'", "DELETE FROM audit_auditevent"])
def test_postgresql_refuses_to_change_or_delete_events(world, statement):
    _events(2, world)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.first().delete()
    assert verify().ok


# --- browsing ---------------------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """Events in the grid, in the other township and without a unit."""
    record(actor=None, action="test.here", target=("x", 1, "here"), unit=world.grid)
    record(actor=None, action="test.street", target=("x", 2, "street"), unit=world.other_community)
    record(actor=None, action="test.there", target=("x", 3, "there"), unit=world.outside_grid)
    record(actor=None, action="test.nowhere", target=("x", 4, "nowhere"))


def _actions(client, **params) -> list[str]:
    body = client.get("/audit/events", params).json()
    return [e["action"] for e in body["items"]]


def test_staff_browse_the_events_of_their_units(world, spread, api):
    assert _actions(api(world.users["community_head"])) == ["test.here"]
    assert _actions(api(world.users["street_staff"])) == ["test.street", "test.here"]
    assert _actions(api(world.users["outsider"])) == ["test.there"]
    assert set(_actions(api(world.users["district_admin"]))) == {"test.here", "test.street", "test.there"}
    assert "test.nowhere" in _actions(api(world.users["sysadmin"]))
    assert _actions(api(world.users["grid_worker"])) == []


def test_events_are_filtered_and_paged(world, spread, api):
    client = api(world.users["district_admin"])
    assert _actions(client, action="test.th") == ["test.there"]
    assert _actions(client, unit_id=world.street.pk) == ["test.street", "test.here"]
    assert _actions(client, target_type="x", target_id="3") == ["test.there"]
    assert _actions(client, since="2000-01-01T00:00:00+08:00", until="2000-01-02T00:00:00+08:00") == []
    first = client.get("/audit/events", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get("/audit/events", {"limit": 2, "cursor": first["next_cursor"]}).json()
    seqs = [e["seq"] for e in first["items"] + second["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs)
    assert client.get("/audit/events", {"unit_id": world.outside_grid.pk}).status_code == 200
    assert (
        api(world.users["community_head"]).get("/audit/events", {"unit_id": world.outside_grid.pk}).status_code == 404
    )


def test_the_audit_pages_show_the_scoped_events(world, spread, client):
    client.force_login(world.users["community_head"])
    page = client.get("/audit/").content.decode()
    assert "test.here" in page and "test.there" not in page and "test.street" not in page
    assert client.get("/audit/", {"since": "not a date"}).status_code == 422
    filtered = client.get("/audit/", {"action": "test.none"}).content.decode()
    assert "test.here" not in filtered


def test_admins_check_the_chain_from_the_page_and_the_api(world, spread, client, api):
    client.force_login(world.users["district_admin"])
    assert "已校验 4 个事件" in client.post("/audit/verify/").content.decode()
    assert api(world.users["district_admin"]).post("/audit/verify").json() == {
        "ok": True,
        "checked": 4,
        "broken_seq": None,
        "reason": "",
    }
