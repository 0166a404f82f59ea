"""A per-process cache of bearer-token sign-ins and the grants they act with.

An integration (the 12345 hotline, a city platform) sends hundreds of requests a second with the same
bearer token; looking the token, its user and the user's grants up again for each one cost two queries.
A successful look-up is kept here for at most ``TTL_SECONDS``, keyed by the token's hash, together with
the user's grants for the day.

Any change to a token, a user, a grant, a unit or a department (saved or deleted through the ORM) drops
this process's entries at once and bumps a version in the shared cache; every other process sees the
bump within a second and drops its entries too. So a revoked token or grant stops working
everywhere within about a second (at once in the process that revoked it), and never later than the TTL.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gongzhi.lib.localcache import SharedVersion

VERSION_KEY = "people:auth-version"
TTL_SECONDS = 30.0
MAX_ENTRIES = 1000

_lock = threading.Lock()
_entries: dict[str, Entry] = {}
_shared = SharedVersion(VERSION_KEY)  # read at most once a second
_entries_version: Any = None  # the shared version the entries were loaded under


@dataclass
class Entry:
    """What a token sign-in found: the token's state and its user's fields; grants are added when first read."""

    loaded: float
    token_id: int
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    user_fields: dict[str, Any]
    grants: dict[dt.date, list[Any]] = field(default_factory=dict)


def _check_version() -> None:
    """Drop every entry when another process announced a change (the version is asked at most once a second)."""
    global _entries_version
    current = _shared.current()
    if current != _entries_version:
        with _lock:
            _entries.clear()
            _entries_version = current


def get(token_hash: str) -> Entry | None:
    now = time.monotonic()
    _check_version()
    entry = _entries.get(token_hash)
    if entry is None or now - entry.loaded > TTL_SECONDS:
        return None
    return entry


def put(token_hash: str, entry: Entry) -> None:
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[token_hash] = entry


def forget_local() -> None:
    """Drop this process's entries (tests, and every change seen here)."""
    with _lock:
        _entries.clear()
    _shared.forget()


def changed(**_kwargs: Any) -> None:
    """Tell every process that tokens, users or grants changed (a signal receiver)."""
    forget_local()
    _shared.bump()
    # Another process may reload between this write and its commit; announce again once it is visible.
    transaction.on_commit(_shared.bump)


def connect() -> None:
    """Listen for saves and deletions of what a token sign-in depends on."""
    from django.db.models.signals import post_delete, post_save

    from gongzhi.people.models import ApiToken, RoleGrant, User
    from gongzhi.units.models import Department, Organization, Unit

    for model in (ApiToken, User, RoleGrant, Unit, Department, Organization):
        post_save.connect(changed, sender=model, dispatch_uid=f"authcache-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"authcache-delete-{model.__name__}")
