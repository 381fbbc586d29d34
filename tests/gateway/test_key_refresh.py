"""A key in steady use is read again in the background before its cached record runs out,
so revocations and deletions still reach the gateway within the cache's time."""

from __future__ import annotations

import asyncio

from router._gateway._keys import KeyCache, KeyStore, digest
from router._state._store import Store, StoreSettings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _store(redis_url: str, cache_s: float, clock: Clock) -> KeyStore:
    keys = KeyStore(Store(StoreSettings(url=redis_url)), cache_s=cache_s)
    keys._cache = KeyCache(cache_s, clock=clock)  # the cache's time moves only when a test says
    return keys


async def _settled(keys: KeyStore) -> None:
    """Wait for the background reads started so far (bounded)."""
    for _ in range(200):
        if not keys._refreshing:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("a background key read did not finish")


def test_a_revocation_reaches_a_key_in_use_through_the_background_read(redis_url: str) -> None:
    clock = Clock()
    keys = _store(redis_url, 1.0, clock)
    secret, key = keys.create(team="research")

    async def main() -> tuple[float | None, float | None]:
        first = await keys.authenticate(secret)
        keys.revoke(key.id)
        clock.now += 0.6  # past half the cache's time: the next use reads again
        served = await keys.authenticate(secret)  # the cached record, while the read runs
        await _settled(keys)
        after = await keys.authenticate(secret)
        assert first is not None
        assert first.revoked is None
        assert served is not None
        assert after is not None
        return served.revoked, after.revoked

    served, after = asyncio.run(main())
    assert served is None
    assert after is not None


def test_a_key_gone_from_redis_is_dropped_by_the_background_read(redis_url: str) -> None:
    clock = Clock()
    keys = _store(redis_url, 1.0, clock)
    secret, _ = keys.create(team="research")

    async def main() -> object:
        await keys.authenticate(secret)
        keys.store.sync().delete(keys.store.key("gateway", "key", digest(secret)))
        clock.now += 0.6
        await keys.authenticate(secret)
        await _settled(keys)
        return await keys.authenticate(secret)

    assert asyncio.run(main()) is None


def test_a_fresh_record_starts_no_background_read(redis_url: str) -> None:
    clock = Clock()
    keys = _store(redis_url, 1.0, clock)
    secret, _ = keys.create(team="research")

    async def main() -> int:
        await keys.authenticate(secret)
        clock.now += 0.4
        await keys.authenticate(secret)
        return len(keys._refreshing)

    assert asyncio.run(main()) == 0


def test_in_the_gateway_a_due_record_is_read_at_the_next_idle_moment(redis_url: str) -> None:
    clock = Clock()
    keys = _store(redis_url, 1.0, clock)
    keys.defer_refresh = True
    secret, key = keys.create(team="research")

    async def main() -> tuple[int, int, object]:
        await keys.authenticate(secret)
        keys.revoke(key.id)
        clock.now += 0.6  # due, not urgent: nothing is read while the request runs
        await keys.authenticate(secret)
        during = len(keys._refreshing)
        keys.idle()  # the request finished: the read starts now
        started = len(keys._refreshing)
        await _settled(keys)
        after = await keys.authenticate(secret)
        assert after is not None
        return during, started, after.revoked

    during, started, revoked = asyncio.run(main())
    assert (during, started) == (0, 1)
    assert revoked is not None


def test_in_the_gateway_a_record_past_the_urgent_share_is_read_at_once(redis_url: str) -> None:
    clock = Clock()
    keys = _store(redis_url, 1.0, clock)
    keys.defer_refresh = True
    secret, key = keys.create(team="research")

    async def main() -> tuple[int, object]:
        await keys.authenticate(secret)
        keys.revoke(key.id)
        clock.now += 0.8  # never idle since: past URGENT_AT the read no longer waits
        await keys.authenticate(secret)
        during = len(keys._refreshing)
        await _settled(keys)
        after = await keys.authenticate(secret)
        assert after is not None
        return during, after.revoked

    during, revoked = asyncio.run(main())
    assert during == 1
    assert revoked is not None
