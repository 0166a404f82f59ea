"""Writing and verifying the audit chain.

``record()`` is called by every action, inside its transaction, as late as possible (it takes the
chain-head lock, which serializes appends until commit). ``verify()`` walks the chain in order and
names the first event whose hash, link or sequence does not hold.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from gongzhi.audit.models import AuditChainHead, AuditEvent
from gongzhi.lib import inserts
from gongzhi.web.request_context import current_ip

GENESIS = "0" * 64


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def normalize(changes: dict[str, Any] | None) -> dict[str, Any]:
    """Return changes as plain JSON values (what gets stored is exactly what gets hashed)."""
    return json.loads(json.dumps(changes or {}, default=_json_default, ensure_ascii=False))


def canonical(event: AuditEvent) -> bytes:
    """Return the canonical JSON of an event's audited fields (sorted keys, no spaces)."""
    body = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "unit_id": event.unit_id,
        "changes": event.changes,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def _target_fields(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:200]
    if isinstance(target, tuple):
        kind, pk, label = target
        return str(kind), str(pk), str(label)[:200]
    raise TypeError("audit target must be a model instance or a (type, id, label) tuple")


def record(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    unit: Any = None,
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain (inside the caller's transaction)."""
    target_type, target_id, target_label = _target_fields(target)
    if unit is None and isinstance(target, models.Model):
        unit = _unit_of(target)
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    # No savepoint: an append that fails fails the caller's transaction anyway (and a savepoint costs two
    # round trips, one of them while the head is locked).
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor=actor_obj,
            actor_name=(str(actor_obj) if actor_obj else (str(actor) if isinstance(actor, str) else "system"))[:150],
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            unit=unit,
            changes=normalize(changes),
            ip=ip if ip is not None else current_ip(),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        _append(event, head)
    return event


def _locked_head() -> AuditChainHead:
    """Return the chain head, locked until the caller's transaction ends (every append waits here).

    Every action runs this: it is one plain statement rather than a queryset compiled each time.
    """
    sql = f"SELECT seq, hash FROM {AuditChainHead._meta.db_table} WHERE id = 1"  # noqa: S608 - the model's table
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        return head
    head = AuditChainHead(pk=1, seq=row[0], hash=row[1])
    head._state.adding = False
    head._state.db = connection.alias
    return head


def _append(event: AuditEvent, head: AuditChainHead) -> None:
    """Insert the event and move the head to it; on PostgreSQL in one statement (one round trip under the lock)."""
    if connection.vendor != "postgresql":
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
        return
    insert, _fields = inserts.statement(AuditEvent)
    with connection.cursor() as cursor:
        # The model's INSERT … RETURNING id and the head's table name; every value is a parameter.
        head_table = AuditChainHead._meta.db_table
        sql = f"WITH appended AS ({insert}) UPDATE {head_table} SET seq = %s, hash = %s WHERE id = 1 "  # noqa: S608
        sql += "RETURNING (SELECT id FROM appended)"
        cursor.execute(sql, [*inserts.params(event), event.seq, event.hash])
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias
    head.seq, head.hash = event.seq, event.hash


def _unit_of(target: models.Model) -> Any:
    from gongzhi.units.models import Unit

    if isinstance(target, Unit):
        return target
    unit = getattr(target, "unit", None)
    if isinstance(unit, Unit):
        return unit
    jurisdiction = getattr(target, "jurisdiction", None)
    return jurisdiction if isinstance(jurisdiction, Unit) else None


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _events(batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        chunk = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify(*, progress: Any = None) -> VerifyResult:
    """Walk the chain from the first event and report the first break."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in _events():
        if event.seq != expected_seq:
            return VerifyResult(
                False, checked, expected_seq, f"event #{expected_seq} is missing (next is #{event.seq})"
            )
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.seq, "its link to the previous event does not match")
        if compute_hash(event) != event.hash:
            return VerifyResult(False, checked, event.seq, "its content does not match its hash (edited)")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
        if progress is not None and checked % 1000 == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != expected_prev:
        return VerifyResult(
            False, checked, checked + 1, f"the chain ends at #{checked} but the head says #{head_seq} (events removed)"
        )
    return VerifyResult(True, checked)
