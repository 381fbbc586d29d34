"""The shared rate limiter: GCRA buckets for rpm and tpm in Redis, across processes."""

from __future__ import annotations

import asyncio
import pickle
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from types import SimpleNamespace
from typing import TypeVar

import pytest
import redis

from router._errors import StoreUnavailable
from router._state import _ratelimit
from router._state._ratelimit import Limits, RateLimiter, SlotUnavailable, bucket_args
from router._state._store import Store, StoreSettings
from tests.support.processes import in_two_processes

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster

T = TypeVar("T")

UNREACHABLE = "redis://127.0.0.1:1/0"


def run_with(store: Store, body: Callable[[RateLimiter], Awaitable[T]], *, connect: bool = True) -> T:
    """Run ``body`` on a fresh event loop with a limiter whose connections close afterwards.

    ``connect`` connects first (a Cluster client also discovers the nodes), so that
    the body's own timings hold no connection set-up.
    """

    async def main() -> T:
        limiter = RateLimiter(store)
        try:
            if connect:
                await limiter.try_acquire("warm-up", Limits(rpm=1_000_000, tpm=None), 0)
            return await body(limiter)
        finally:
            await limiter.aclose()

    return asyncio.run(main())


@pytest.fixture
def store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


@pytest.fixture
def raw(redis_url: str) -> Iterator[redis.Redis]:
    client = Store(StoreSettings(url=redis_url)).sync()
    yield client
    client.close()


def snapshot(client: redis.Redis) -> dict[bytes | str, bytes | str | None]:
    return {key: client.get(key) for key in client.keys("*")}


# --- burst and rate


def test_default_bursts_are_one_second_of_requests_and_ten_seconds_of_tokens() -> None:
    assert Limits(rpm=600, tpm=60_000).effective_request_burst == 10
    assert Limits(rpm=600, tpm=60_000).effective_token_burst == 10_000
    assert Limits(rpm=30, tpm=5).effective_request_burst == 1
    assert Limits(rpm=30, tpm=5).effective_token_burst == 1
    assert Limits(rpm=10, tpm=None, request_burst=50).effective_request_burst == 10


def test_the_burst_is_carved_out_of_the_minute_so_no_minute_exceeds_the_limit() -> None:
    interval, tolerance, _ = bucket_args(limit=600, burst=10, cost=1)
    # n requests span at least (n - burst) intervals: 601 would need more than 61 s,
    # so even with a second of jitter no minute holds more than 600.
    assert (601 - 10) * interval >= 61_000_000
    assert tolerance == 10 * interval


def test_limits_reject_non_positive_values() -> None:
    with pytest.raises(ValueError, match="rpm"):
        Limits(rpm=0, tpm=None)


def test_admits_up_to_the_burst_then_says_how_long_to_wait(store: Store) -> None:
    limits = Limits(rpm=120, tpm=None)  # burst 2, one request per 61/119 s after it

    async def body(limiter: RateLimiter) -> list[float]:
        return [await limiter.try_acquire("m", limits, 0) for _ in range(3)]

    first, second, third = run_with(store, body)
    assert (first, second) == (0.0, 0.0)
    assert 0.45 < third <= 61 / 119 + 0.01


def test_concurrent_callers_in_one_process_get_exactly_the_burst(store: Store) -> None:
    # A burst of 10 that refills one slot per 1.2 s, so a slow machine (or a Cluster client
    # opening a connection per concurrent caller) cannot earn a refill during the test.
    limits = Limits(rpm=60, tpm=None, request_burst=10)

    async def body(limiter: RateLimiter) -> list[float]:
        return await asyncio.gather(*(limiter.try_acquire("m", limits, 0) for _ in range(25)))

    assert sum(wait == 0.0 for wait in run_with(store, body)) == 10


def test_acquire_sleeps_for_the_slot_and_returns_the_time_waited(store: Store) -> None:
    limits = Limits(rpm=600, tpm=None)  # burst 10, then one per ~0.1 s

    async def body(limiter: RateLimiter) -> tuple[float, float]:
        for _ in range(10):
            await limiter.acquire("m", limits, 0, max_wait_s=0)
        waited = await limiter.acquire("m", limits, 0, max_wait_s=1.0)
        return waited, await limiter.try_acquire("m", limits, 0)

    waited, next_wait = run_with(store, body)
    assert 0.05 < waited < 0.5
    assert next_wait > 0.0, "the slot acquire waited for was consumed"


def test_tpm_blocks_a_big_request_that_rpm_would_allow(store: Store) -> None:
    limits = Limits(rpm=1000, tpm=600)  # token burst 100

    async def body(limiter: RateLimiter) -> tuple[float, float, float]:
        return (
            await limiter.try_acquire("m", limits, 100),
            await limiter.try_acquire("m", limits, 50),
            await limiter.try_acquire("m", limits, 0),
        )

    full, big, empty = run_with(store, body)
    assert full == 0.0
    assert big > 1.0
    assert empty == 0.0, "a request that needs no tokens only waits for rpm"


def test_a_refused_request_consumes_nothing_in_either_bucket(store: Store, raw: redis.Redis) -> None:
    limits = Limits(rpm=120, tpm=600)  # request burst 2, token burst 100

    async def body(limiter: RateLimiter) -> list[float]:
        waits = [await limiter.try_acquire("m", limits, 100)]
        before = snapshot(raw)
        waits.append(await limiter.try_acquire("m", limits, 100))  # refused: tokens
        assert snapshot(raw) == before
        waits.append(await limiter.try_acquire("m", limits, 0))  # the second request cell is still there
        before = snapshot(raw)
        waits.append(await limiter.try_acquire("m", limits, 0))  # refused: requests
        assert snapshot(raw) == before
        return waits

    assert [wait == 0.0 for wait in run_with(store, body)] == [True, False, True, False]


def test_a_request_larger_than_the_token_burst_is_admitted_once_the_bucket_has_idled(store: Store) -> None:
    limits = Limits(rpm=None, tpm=60_000, token_burst=10)  # one token per ~1 ms

    async def body(limiter: RateLimiter) -> tuple[float, float]:
        first = await limiter.acquire("m", limits, 200, max_wait_s=0)
        # It must wait out the first request's 200 tokens plus its own 190 beyond the burst.
        return first, await limiter.acquire("m", limits, 200, max_wait_s=2.0)

    first, second = run_with(store, body)
    assert first < 0.05
    assert 0.35 < second < 1.0


def test_models_have_separate_buckets(store: Store) -> None:
    limits = Limits(rpm=60, tpm=None)

    async def body(limiter: RateLimiter) -> list[float]:
        return [await limiter.try_acquire(model, limits, 0) for model in ("a", "b", "a")]

    assert [wait == 0.0 for wait in run_with(store, body)] == [True, True, False]


# --- giving up


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep the limiter asks for, recorded (and slept: the bucket runs on Redis's clock)."""
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        asked.append(seconds)
        await real_sleep(seconds)

    monkeypatch.setattr(_ratelimit, "asyncio", SimpleNamespace(sleep=sleep))
    return asked


def test_max_wait_zero_raises_slot_unavailable_at_once_when_full(store: Store, sleeps: list[float]) -> None:
    limits = Limits(rpm=60, tpm=None)

    async def body(limiter: RateLimiter) -> None:
        await limiter.acquire("m", limits, 0, max_wait_s=0)
        await limiter.acquire("m", limits, 0, max_wait_s=0)

    with pytest.raises(SlotUnavailable) as caught:
        run_with(store, body)
    assert sleeps == []
    assert caught.value.model == "m"
    assert 0.9 < caught.value.retry_in_s <= 61 / 60


def test_a_wait_beyond_max_wait_fails_without_sleeping(store: Store, sleeps: list[float]) -> None:
    """The slot frees in about a second, past the 0.5 s allowed: refused before any sleep."""
    limits = Limits(rpm=60, tpm=None)

    async def body(limiter: RateLimiter) -> None:
        await limiter.acquire("m", limits, 0, max_wait_s=0)
        await limiter.acquire("m", limits, 0, max_wait_s=0.5)

    with pytest.raises(SlotUnavailable) as caught:
        run_with(store, body)
    assert sleeps == []
    assert caught.value.retry_in_s > 0.5


def test_a_wait_within_max_wait_sleeps_for_the_slot_then_takes_it(store: Store, sleeps: list[float]) -> None:
    """The counterpart: a slot that frees inside ``max_wait_s`` is waited for, by as long as it takes."""
    limits = Limits(rpm=600, tpm=None, request_burst=1)  # a slot about every 0.1 s

    async def body(limiter: RateLimiter) -> None:
        await limiter.acquire("m", limits, 0, max_wait_s=0)
        await limiter.acquire("m", limits, 0, max_wait_s=5)

    run_with(store, body)
    assert sleeps
    assert all(0 < asked <= 0.2 for asked in sleeps)


def test_slot_unavailable_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(SlotUnavailable("m", 1.5)))
    assert (error.model, error.retry_in_s) == ("m", 1.5)
    assert "1.50s" in str(error)


def test_no_limits_return_at_once_without_touching_redis() -> None:
    dead = Store(StoreSettings(url=UNREACHABLE))
    free = Limits(None, None)
    assert run_with(dead, lambda limiter: limiter.acquire("m", free, 10, max_wait_s=1), connect=False) == 0.0
    assert run_with(dead, lambda limiter: limiter.try_acquire("m", free, 10), connect=False) == 0.0


def test_unreachable_redis_raises_store_unavailable_without_waiting_for_a_slot(sleeps: list[float]) -> None:
    dead = Store(StoreSettings(url=UNREACHABLE))
    with pytest.raises(StoreUnavailable, match="unreachable"):
        run_with(dead, lambda limiter: limiter.acquire("m", Limits(60, None), 0, max_wait_s=1), connect=False)
    assert sleeps == []


def test_negative_tokens_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="tokens"):
        run_with(store, lambda limiter: limiter.try_acquire("m", Limits(60, 600), -1))


# --- event loops and stores


def test_one_limiter_serves_successive_event_loops(store: Store) -> None:
    limiter = RateLimiter(store)
    # Two slots, then one per second: each new loop makes a new client, slowly on a Cluster.
    limits = Limits(rpm=60, tpm=None, request_burst=2)
    waits = [asyncio.run(limiter.try_acquire("m", limits, 0)) for _ in range(3)]
    assert [wait == 0.0 for wait in waits] == [True, True, False]


def test_the_embedded_store_runs_the_same_script() -> None:
    embedded = Store(StoreSettings(url=None))
    model = f"embedded-{uuid.uuid4().hex}"  # the embedded server lives as long as the process
    limits = Limits(rpm=120, tpm=600)

    async def body(limiter: RateLimiter) -> list[float]:
        return [
            await limiter.try_acquire(model, limits, 100),
            await limiter.try_acquire(model, limits, 1),
            await limiter.try_acquire(model, limits, 0),
            await limiter.try_acquire(model, limits, 0),
        ]

    full, no_tokens, second, no_requests = run_with(embedded, body)
    assert (full, second) == (0.0, 0.0)
    assert no_tokens > 0.0
    assert no_requests > 0.0


# --- two processes


HAMMER_RPM = 120
HAMMER_SECONDS = 3.0


def _hammer(redis_url: str, ready: Barrier, results: Queue[tuple[int, list[float]]]) -> None:
    """In a spawned process: four tasks take slots back to back; report attempts and admission times."""
    attempts = 0

    async def worker(limiter: RateLimiter, admitted: list[float], stop_at: float) -> None:
        nonlocal attempts
        limits = Limits(rpm=HAMMER_RPM, tpm=None)
        while time.time() < stop_at:
            attempts += 1
            try:
                await limiter.acquire("shared", limits, 0, max_wait_s=1.0)
            except SlotUnavailable:
                continue
            admitted.append(time.time())

    async def main() -> tuple[int, list[float]]:
        limiter = RateLimiter(Store(StoreSettings(url=redis_url)))
        admitted: list[float] = []
        ready.wait()  # both processes start together, once spawned and imported
        stop_at = time.time() + HAMMER_SECONDS
        await asyncio.gather(*(worker(limiter, admitted, stop_at) for _ in range(4)))
        await limiter.aclose()
        return attempts, admitted

    results.put(asyncio.run(main()))


def test_two_processes_together_stay_within_the_limit(redis_url: str) -> None:
    results: list[tuple[int, list[float]]] = in_two_processes(_hammer, redis_url)
    assert all(attempts > 0 for attempts, _ in results), "both processes took part"
    times = sorted(t for _, admitted in results for t in admitted)
    burst = Limits(rpm=HAMMER_RPM, tpm=None).effective_request_burst
    assert burst is not None
    interval = bucket_args(HAMMER_RPM, burst, 1)[0] / 1e6
    # GCRA: n admissions span at least (n - burst) intervals of server time. One
    # extra slot absorbs the jitter between Redis's clock and the recorded times.
    allowance = burst + (times[-1] - times[0]) / interval + 1
    assert len(times) <= allowance
    assert len(times) > burst, "callers that waited were admitted too"
    for i, start in enumerate(times):
        in_one_second = sum(1 for t in times[i:] if t < start + 1.0)
        assert in_one_second <= burst + 1.0 / interval + 1
