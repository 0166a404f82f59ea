"""inserts.insert(): the hot paths' INSERT with its statement built once, writing what save() would write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from gongzhi.appeals.models import Appeal, AppealEvent, Assignment
from gongzhi.audit.models import AuditEvent
from gongzhi.lib import inserts
from gongzhi.notify.models import Notification
from gongzhi.units.models import Department

pytestmark = pytest.mark.django_db


def _notes(user, count: int) -> list[Notification]:
    return [Notification(recipient=user, kind="test", title=f"第{n}条", url="/x/") for n in range(count)]


def test_insert_writes_the_rows_sets_their_keys_and_stamps_auto_now_add(world):
    user = world.users["community_worker"]
    notes = _notes(user, 3)
    with CaptureQueriesContext(connection) as queries:
        inserts.insert(notes)
    assert len(queries) == 1  # three rows, one statement
    assert all(n.pk is not None and not n._state.adding for n in notes)
    assert len({n.pk for n in notes}) == 3
    stored = {n.pk: n for n in Notification.objects.filter(pk__in=[n.pk for n in notes])}
    for note in notes:
        row = stored[note.pk]
        expected = (user.pk, "test", note.title, "/x/", None)
        assert (row.recipient_id, row.kind, row.title, row.url, row.read_at) == expected
        assert isinstance(note.created_at, dt.datetime) and row.created_at == note.created_at


def test_insert_writes_exactly_what_save_writes(world):
    """Every concrete field, defaults included, reads back the same as from the ORM's own INSERT."""
    user = world.users["community_worker"]
    mine, theirs = _notes(user, 2)
    inserts.insert([mine])
    theirs.save(force_insert=True)
    fields = [f.attname for f in Notification._meta.concrete_fields if f.attname not in {"id", "title", "created_at"}]
    first, second = (Notification.objects.values(*fields).get(pk=n.pk) for n in (mine, theirs))
    assert first == second


def test_insert_splits_many_rows_into_statements_of_a_hundred(world):
    user = world.users["community_worker"]
    notes = _notes(user, 250)
    with CaptureQueriesContext(connection) as queries:
        inserts.insert(notes)
    assert len(queries) == 3
    assert Notification.objects.filter(kind="test", recipient=user).count() == 250
    assert [n.pk for n in notes] == sorted(n.pk for n in notes)


def test_insert_of_nothing_writes_nothing_and_mixed_models_are_refused(world):
    with CaptureQueriesContext(connection) as queries:
        inserts.insert([])
    assert len(queries) == 0
    user = world.users["community_worker"]
    with pytest.raises(TypeError):
        inserts.insert([*_notes(user, 1), Department(name="x")])
    assert not Notification.objects.filter(kind="test").exists()


@pytest.mark.parametrize("model", [Appeal, AppealEvent, Assignment, Notification, AuditEvent])
def test_models_written_by_insert_have_no_signal_receivers(model):
    """insert() sends no model signals (as bulk_create): nothing may be listening for these models."""
    assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)
    assert "save" not in model.__dict__
