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
from functools import cache
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


def _body(event: AuditEvent) -> dict[str, Any]:
    return {
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


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(event: AuditEvent) -> bytes:
    """Return the canonical JSON of an event's audited fields (sorted keys, no spaces)."""
    return _dumps(_body(event)).encode("utf-8")


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
    event = AuditEvent(
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
    )
    if connection.vendor == "postgresql":
        _append_in_one_statement(event)
        return event
    # No savepoint: an append that fails fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event.seq, event.prev_hash = head.seq + 1, head.hash
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
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


def canonical_parts(event: AuditEvent) -> tuple[str, str]:
    """Return (before, after) with canonical(event) == before + prev_hash + '","seq":' + seq + after.

    The keys are sorted and "prev_hash" and "seq" are next to each other, so the database can complete
    the canonical text with the head it locks (see ``_append_in_one_statement``).
    """
    body = _body(event)
    keys = sorted(body)
    if keys.index("seq") != keys.index("prev_hash") + 1:
        raise AssertionError("the canonical form no longer keeps prev_hash and seq together")
    first = _dumps({k: body[k] for k in keys if k < "prev_hash"})
    last = _dumps({k: body[k] for k in keys if k > "seq"})
    return first[:-1] + ',"prev_hash":"', "," + last[1:]


@cache
def _append_sql() -> tuple[str, tuple[models.Field, ...]]:
    """The PostgreSQL append: lock the head, insert the event hashed in the database, move the head.

    Returns the statement and the fields whose values are parameters, in order (the hash field stands
    for the two pieces of canonical text the database joins around the locked head's hash and number).
    """
    _insert, fields = inserts.statement(AuditEvent)
    q = connection.ops.quote_name
    head, table = q(AuditChainHead._meta.db_table), q(AuditEvent._meta.db_table)
    digest = "encode(sha256(convert_to(%s || h.hash || '\",\"seq\":' || (h.seq + 1)::text || %s, 'UTF8')), 'hex')"
    computed = {"seq": "h.seq + 1", "prev_hash": "h.hash", "hash": digest}
    columns = ", ".join(q(f.column) for f in fields)
    values = ", ".join(computed.get(f.attname, "%s") for f in fields)
    sql = (
        f"WITH h AS (SELECT seq, hash FROM {head} WHERE id = 1 FOR UPDATE), "  # noqa: S608 - model tables only
        f"e AS (INSERT INTO {table} ({columns}) SELECT {values} FROM h RETURNING id, seq, prev_hash, hash) "
        f"UPDATE {head} SET seq = e.seq, hash = e.hash FROM e WHERE {head}.id = 1 "
        "RETURNING e.id, e.seq, e.prev_hash, e.hash"
    )
    return sql, tuple(f for f in fields if f.attname not in {"seq", "prev_hash"})


def _append_in_one_statement(event: AuditEvent) -> None:
    """Append on PostgreSQL in one statement that takes the head lock itself (held until commit).

    The canonical text is built here with the head's hash and number left out; the database fills them
    in from the row it has just locked and hashes it (sha256), so no round trip and no Python runs while
    the lock is held before the commit. ``verify()`` recomputes every hash in Python.
    """
    sql, fields = _append_sql()
    event.seq, event.prev_hash = 0, ""
    before, after = canonical_parts(event)
    params: list[Any] = []
    for field in fields:
        if field.attname == "hash":
            params += [before, after]
        else:
            params.append(field.get_db_prep_save(field.pre_save(event, True), connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:  # a database without its head row yet: make it, then append
            AuditChainHead.objects.get_or_create(pk=1)
            cursor.execute(sql, params)
            row = cursor.fetchone()
    event.pk, event.seq, event.prev_hash, event.hash = row
    event._state.adding = False
    event._state.db = connection.alias


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
