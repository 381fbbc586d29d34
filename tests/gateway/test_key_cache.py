"""A gateway process reuses the key records it has read for a short, stated time, and no longer."""

from __future__ import annotations

from router._gateway._keys import ApiKey, KeyCache

KEY = ApiKey(id="key_1", team="research", created=0.0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_record_is_reused_until_its_ttl_and_read_again_after() -> None:
    clock = Clock()
    cache = KeyCache(1.0, clock=clock)
    cache.put("h", KEY)
    clock.now += 0.99
    assert cache.get("h") == KEY
    clock.now += 0.02
    assert cache.get("h") is None
    assert len(cache) == 0


def test_a_zero_ttl_caches_nothing() -> None:
    cache = KeyCache(0.0)
    cache.put("h", KEY)
    assert cache.get("h") is None


def test_the_cache_holds_at_most_its_size_dropping_the_least_recently_used() -> None:
    cache = KeyCache(60.0, size=2)
    cache.put("a", KEY)
    cache.put("b", KEY)
    assert cache.get("a") == KEY  # "b" is now the least recently used
    cache.put("c", KEY)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (KEY, None, KEY)
    assert len(cache) == 2


def test_a_record_is_due_for_a_fresh_read_in_the_second_half_of_its_time() -> None:
    clock = Clock()
    cache = KeyCache(1.0, clock=clock)
    cache.put("h", KEY)
    clock.now += 0.49
    assert not cache.due("h")
    clock.now += 0.02
    assert cache.due("h")
    assert not cache.due("unknown")


def test_a_record_lasts_its_time_from_when_its_read_began() -> None:
    clock = Clock()
    cache = KeyCache(1.0, clock=clock)
    started = clock.now
    clock.now += 0.3  # the read took this long
    cache.put("h", KEY, read_at=started)
    clock.now += 0.69
    assert cache.get("h") == KEY
    clock.now += 0.02
    assert cache.get("h") is None


def test_a_dropped_record_is_gone_at_once() -> None:
    cache = KeyCache(60.0)
    cache.put("h", KEY)
    cache.drop("h")
    assert cache.get("h") is None
