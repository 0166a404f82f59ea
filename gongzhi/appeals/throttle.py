"""Throttle tracking by number and mobile, so nobody can guess their way into other people's appeals."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from gongzhi.appeals import queries
from gongzhi.appeals.models import Appeal
from gongzhi.lib.errors import NotFound, Throttled

LIMIT = 10
WINDOW_SECONDS = 900


def _key(kind: str, value: str) -> str:
    return f"appeals-track:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:24]}"


def tracked(ip: str | None, number: str, mobile: str) -> Appeal:
    """Return the appeal for number + mobile, counting failures per address and per number."""
    keys = [_key("number", (number or "").strip())]
    if ip:
        keys.append(_key("ip", ip))
    counts = cache.get_many(keys)
    if any(count >= LIMIT * (4 if ":ip:" in key else 1) for key, count in counts.items()):
        raise Throttled()
    try:
        return queries.track(number, mobile)
    except NotFound:
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS)
        raise
