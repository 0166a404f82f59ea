"""Process-local caches: kept for a while, dropped in every process within a second of a change."""

from __future__ import annotations

import pytest

from gongzhi.lib import localcache
from gongzhi.lib.localcache import LocalCache, SharedVersion


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(localcache.time, "monotonic", clock)
    return clock


def test_the_shared_version_is_read_at_most_once_a_second(clock):
    mine, theirs = SharedVersion("test:v"), SharedVersion("test:v")  # two processes
    assert mine.current() is None
    theirs.bump()
    assert mine.current() is None  # read less than a second ago
    clock.now += 1.0
    assert mine.current() == 1
    mine.bump()  # this process sees its own change at once
    assert mine.current() == 2


def test_a_local_cache_keeps_values_until_a_change_or_its_lifetime(clock):
    loads: list[str] = []

    def load(value: str):
        def inner() -> str:
            loads.append(value)
            return value

        return inner

    here, there = LocalCache("test:c", seconds=60), LocalCache("test:c", seconds=60)
    assert here.get("k", load("a")) == "a"
    assert here.get("k", load("b")) == "a" and loads == ["a"]
    there.changed()  # another process changed the data
    clock.now += 0.5
    assert here.get("k", load("b")) == "a"  # not asked again within the second
    clock.now += 0.6
    assert here.get("k", load("b")) == "b"
    clock.now += 61
    assert here.get("k", load("c")) == "c"  # the lifetime is a backstop
    assert loads == ["a", "b", "c"]


def test_nothing_found_is_not_kept(clock):
    cache = LocalCache("test:n")
    assert cache.get(1, lambda: None) is None
    assert cache.get(1, lambda: "made since") == "made since"
