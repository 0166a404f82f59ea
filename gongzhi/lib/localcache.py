"""Process-local caches that every process drops within a second of a change anywhere.

Hot paths (intake reads the routing rules, the taxonomy and the unit an appeal concerns on every appeal)
keep what rarely changes in the process. A ``SharedVersion`` is a counter in the shared cache (Redis, or
the file cache): the action that changes the data bumps it on commit, and each process reads it at most
once a second, so a stale copy lives at most that long after a change (and never longer than the
cache's own lifetime).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache


class SharedVersion:
    """A change counter in the shared cache, read by this process at most every ``check_every`` seconds."""

    def __init__(self, key: str, *, check_every: float = 1.0) -> None:
        self.key = key
        self.check_every = check_every
        self._seen: tuple[float, Any] | None = None  # (when it was read, the version)

    def current(self, now: float | None = None) -> Any:
        now = time.monotonic() if now is None else now
        seen = self._seen
        if seen is not None and now - seen[0] < self.check_every:
            return seen[1]
        version = cache.get(self.key)
        self._seen = (now, version)
        return version

    def bump(self) -> None:
        """Announce a change: this process sees it at once, the others within ``check_every``."""
        self._seen = None
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, 1, None)

    def forget(self) -> None:
        self._seen = None


class LocalCache:
    """Values loaded on demand and kept for ``seconds``, dropped when the shared version moves."""

    def __init__(self, key: str, *, seconds: float = 30.0, max_items: int = 50_000) -> None:
        self.version = SharedVersion(key)
        self.seconds = seconds
        self.max_items = max_items
        self._lock = threading.Lock()
        self._items: dict[Hashable, tuple[float, Any, Any]] = {}  # key -> (loaded, version, value)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """Return the kept value, or load it (None is returned but not kept: it may exist a moment later)."""
        now = time.monotonic()
        version = self.version.current(now)
        found = self._items.get(key)
        if found is not None and found[1] == version and now - found[0] < self.seconds:
            return found[2]
        value = load()
        if value is None:
            return None
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.clear()
            self._items[key] = (now, version, value)
        return value

    def changed(self) -> None:
        """Drop this process's copies now and tell the other processes."""
        self.forget_local()
        self.version.bump()

    def forget_local(self) -> None:
        with self._lock:
            self._items.clear()
        self.version.forget()
