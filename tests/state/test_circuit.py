"""Circuit breakers shared through Redis: open at a threshold, one probe, close or re-open."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any, TypeVar

import pytest
from structlog.testing import capture_logs

from router._config._schema import CircuitBreakerPolicy
from router._errors import StoreUnavailable
from router._state._circuit import CircuitBreaker, CircuitState
from router._state._store import Store, StoreSettings
from tests.support.processes import in_two_processes

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster

T = TypeVar("T")

COOLDOWN = 0.3
POLICY = CircuitBreakerPolicy(failure_threshold=3, window_s=10, cooldown_s=COOLDOWN)
# For the tests that check no caller gets through *during* a cool-down: 20 concurrent calls on
# a loaded machine (the Cluster runs of these tests included) can outlast 0.3 s, and then a
# probe after the cool-down rightly gets through, which failed the test for the wrong reason.
LONG_COOLDOWN = 1.5
LONG_POLICY = CircuitBreakerPolicy(failure_threshold=3, window_s=10, cooldown_s=LONG_COOLDOWN)


def run_with(
    store: Store, body: Callable[[CircuitBreaker], Awaitable[T]], policy: CircuitBreakerPolicy = POLICY
) -> T:
    """Run ``body`` on a fresh event loop with a breaker whose connections close afterwards."""

    async def main() -> T:
        breaker = CircuitBreaker(store, policy)
        try:
            return await body(breaker)
        finally:
            await breaker.aclose()

    return asyncio.run(main())


async def fail(breaker: CircuitBreaker, model: str, times: int) -> None:
    for _ in range(times):
        await breaker.record_failure(model)


async def probes(breaker: CircuitBreaker, model: str, callers: int = 20) -> int:
    """How many of ``callers`` concurrent ``allow()`` calls were let through."""
    return sum(await asyncio.gather(*(breaker.allow(model) for _ in range(callers))))


@pytest.fixture
def store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


def test_a_new_model_is_closed_and_allowed(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[bool, CircuitState]:
        return await breaker.allow("m"), await breaker.state("m")

    allowed, state = run_with(store, body)
    assert allowed
    assert state == CircuitState("m", "closed", 0, None, None)


def test_opens_at_the_threshold_and_stays_open_during_the_cooldown(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[bool, bool, CircuitState]:
        await fail(breaker, "m", 2)
        below = await breaker.allow("m")
        await fail(breaker, "m", 1)
        return below, await breaker.allow("m"), await breaker.state("m")

    below, at_threshold, state = run_with(store, body, LONG_POLICY)
    assert below
    assert not at_threshold
    assert (state.state, state.failures, state.reason) == ("open", 3, "failures")
    assert state.opens_until is not None
    assert 0 < state.opens_until - time.time() <= LONG_COOLDOWN + 0.1


def test_failures_older_than_the_window_do_not_count(store: Store) -> None:
    policy = CircuitBreakerPolicy(failure_threshold=3, window_s=0.2, cooldown_s=COOLDOWN)

    async def body(breaker: CircuitBreaker) -> CircuitState:
        await fail(breaker, "m", 2)
        await asyncio.sleep(0.25)
        await fail(breaker, "m", 1)
        return await breaker.state("m")

    state = run_with(store, body, policy)
    assert (state.state, state.failures) == ("closed", 1)


def test_after_the_cooldown_exactly_one_of_many_concurrent_callers_probes(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[int, int, CircuitState]:
        await fail(breaker, "m", 3)
        during = await probes(breaker, "m")
        await asyncio.sleep(LONG_COOLDOWN + 0.05)
        return during, await probes(breaker, "m"), await breaker.state("m")

    async def main() -> tuple[int, int, CircuitState]:
        # A probe lock far longer than the test: on a loaded machine the 20 callers may take
        # longer than one cool-down, and a lapsed lock rightly lets a second caller probe.
        breaker = CircuitBreaker(store, LONG_POLICY, probe_timeout_s=60)
        try:
            return await body(breaker)
        finally:
            await breaker.aclose()

    during, after, state = asyncio.run(main())
    assert during == 0
    assert after == 1
    assert state.state == "half_open"


def cached(store: Store, body: Callable[[CircuitBreaker, list[str]], Awaitable[T]]) -> T:
    """Run ``body`` with a breaker that caches closed verdicts (as the Runtime's does) and the
    list of scripts it sends."""

    async def main() -> T:
        breaker = CircuitBreaker(store, LONG_POLICY, probe_timeout_s=60, closed_cache_s=0.5)
        sent: list[str] = []
        run = breaker._run

        async def counted(script: str, model: str, *args: str | int | float) -> Any:
            sent.append(script)
            return await run(script, model, *args)

        breaker._run = counted  # type: ignore[method-assign]
        try:
            return await body(breaker, sent)
        finally:
            await breaker.aclose()

    return asyncio.run(main())


def test_concurrent_callers_of_a_closed_circuit_share_one_read(store: Store) -> None:
    async def body(breaker: CircuitBreaker, sent: list[str]) -> tuple[int, list[str]]:
        return await probes(breaker, "m"), list(sent)

    allowed, sent = cached(store, body)
    assert allowed == 20
    assert sent == ["allow"]


def test_with_the_cache_a_probe_is_still_given_to_one_caller_only(store: Store) -> None:
    async def body(breaker: CircuitBreaker, sent: list[str]) -> tuple[int, int, int]:
        await fail(breaker, "m", 3)
        during = await probes(breaker, "m")
        await asyncio.sleep(LONG_COOLDOWN + 0.05)
        return during, await probes(breaker, "m"), sent.count("allow")

    during, after, reads = cached(store, body)
    assert (during, after) == (0, 1)
    assert reads == 40  # an open or half-open circuit is asked by each caller


async def peeked(breaker: CircuitBreaker) -> None:
    """Wait for the breaker's background reads of cached verdicts to finish."""
    await asyncio.gather(*breaker._peeking.values())


def due_soon(breaker: CircuitBreaker, model: str, left_s: float = 0.2) -> float:
    """Leave the cached verdict of ``model`` only ``left_s`` of its 0.5 s (no sleeping); its expiry."""
    breaker._closed_until[model] = time.monotonic() + left_s
    return breaker._closed_until[model]


def test_a_closed_verdict_in_use_is_read_again_in_the_background_without_the_probe_script(
    store: Store,
) -> None:
    async def body(breaker: CircuitBreaker, sent: list[str]) -> tuple[list[str], bool]:
        assert await breaker.allow("m")
        aged = due_soon(breaker, "m")  # past half the cache's time
        assert await breaker.allow("m")  # the cached verdict, and a read in the background
        await peeked(breaker)
        return list(sent), breaker._closed_until["m"] > aged

    sent, renewed = cached(store, body)
    assert sent == ["allow", "state"]
    assert renewed


def test_a_circuit_opened_elsewhere_drops_the_cached_verdict_at_the_background_read(
    store: Store,
) -> None:
    other = CircuitBreaker(store, LONG_POLICY, probe_timeout_s=60)

    async def body(breaker: CircuitBreaker, sent: list[str]) -> tuple[bool, bool]:
        assert await breaker.allow("m")
        await fail(other, "m", 3)  # another process opens the circuit
        await other.aclose()
        due_soon(breaker, "m")
        within_the_cache = await breaker.allow("m")  # the documented delay: still cached
        await peeked(breaker)
        return within_the_cache, await breaker.allow("m")

    assert cached(store, body) == (True, False)


def test_a_successful_probe_closes_the_circuit_and_resets_the_counts(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[CircuitState, bool]:
        await fail(breaker, "m", 3)
        await asyncio.sleep(COOLDOWN + 0.05)
        assert await breaker.allow("m")
        await breaker.record_success("m")
        return await breaker.state("m"), await breaker.allow("m")

    state, allowed = run_with(store, body)
    assert state == CircuitState("m", "closed", 0, None, None)
    assert allowed


def test_a_failed_probe_reopens_for_another_cooldown(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[CircuitState, int, int]:
        await fail(breaker, "m", 3)
        await asyncio.sleep(LONG_COOLDOWN + 0.05)
        assert await breaker.allow("m")
        await breaker.record_failure("m")
        reopened = await breaker.state("m")
        during = await probes(breaker, "m")
        await asyncio.sleep(LONG_COOLDOWN + 0.05)
        return reopened, during, await probes(breaker, "m")

    reopened, during, after = run_with(store, body, LONG_POLICY)
    assert (reopened.state, reopened.reason) == ("open", "probe_failed")
    assert during == 0
    assert after == 1, "the next cool-down ends in a fresh probe"


def test_a_success_that_ends_during_the_cooldown_does_not_close_it(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> CircuitState:
        await fail(breaker, "m", 3)
        await breaker.record_success("m")  # a call begun before the circuit opened
        return await breaker.state("m")

    assert run_with(store, body).state == "open"


def test_park_opens_the_circuit_for_the_given_time_then_allows_one_probe(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[bool, CircuitState, int]:
        await breaker.park("m", LONG_COOLDOWN, "authentication_failed")
        parked = await breaker.allow("m"), await breaker.state("m")
        await asyncio.sleep(LONG_COOLDOWN + 0.05)
        return *parked, await probes(breaker, "m")

    allowed, state, after = run_with(store, body)
    assert not allowed
    assert (state.state, state.reason, state.failures) == ("open", "authentication_failed", 0)
    assert after == 1


def test_a_shorter_park_never_cuts_a_longer_one(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[CircuitState, CircuitState]:
        await breaker.park("m", 5.0, "authentication_failed")
        long = await breaker.state("m")
        await breaker.park("m", 0.1, "other_reason")
        return long, await breaker.state("m")

    long, after = run_with(store, body)
    assert after == long


@pytest.mark.parametrize(
    "reason",
    ["Invalid API key sk-abc123", "", "a" * 80, "has-dash"],
    ids=["message", "empty", "too-long", "dash"],
)
def test_park_refuses_anything_but_a_short_code(store: Store, reason: str) -> None:
    with pytest.raises(ValueError, match="snake_case"):
        run_with(store, lambda breaker: breaker.park("m", 1.0, reason))


def test_transitions_are_logged_as_events(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> None:
        await fail(breaker, "m", 3)
        await asyncio.sleep(COOLDOWN + 0.05)
        await probes(breaker, "m", callers=5)
        await breaker.record_success("m")

    with capture_logs() as logs:
        run_with(store, body)
    events = [(log["event"], log["model"], log["failures"], log["cooldown_s"]) for log in logs]
    assert events == [
        ("circuit.opened", "m", 3, COOLDOWN),
        ("circuit.half_open", "m", 3, COOLDOWN),
        ("circuit.closed", "m", 0, COOLDOWN),
    ]


def test_models_have_separate_circuits(store: Store) -> None:
    async def body(breaker: CircuitBreaker) -> tuple[bool, bool]:
        await fail(breaker, "a", 3)
        return await breaker.allow("a"), await breaker.allow("b")

    assert run_with(store, body) == (False, True)


def test_the_embedded_store_runs_the_same_scripts() -> None:
    embedded = Store(StoreSettings(url=None))
    model = f"embedded-{uuid.uuid4().hex}"  # the embedded server lives as long as the process

    async def body(breaker: CircuitBreaker) -> tuple[bool, int, CircuitState]:
        await fail(breaker, model, 3)
        opened = await breaker.allow(model)
        await asyncio.sleep(COOLDOWN + 0.05)
        probed = await probes(breaker, model)
        await breaker.record_success(model)
        return opened, probed, await breaker.state(model)

    opened, probed, state = run_with(embedded, body)
    assert not opened
    assert probed == 1
    assert state.state == "closed"


@pytest.mark.timeout(15)  # a hang fails the test; how fast it gives up is not timed
def test_unreachable_redis_raises_store_unavailable_quickly() -> None:
    dead = Store(StoreSettings(url="redis://127.0.0.1:1/0"))
    with pytest.raises(StoreUnavailable, match="unreachable"):
        run_with(dead, lambda breaker: breaker.allow("m"))


# --- two processes


def _share_one_circuit(redis_url: str, ready: Barrier, results: Queue[Any]) -> None:
    """In a spawned process, in step with the other: fail, read the state, then ask to probe.

    Blocking on the barrier inside the loop is fine: nothing else runs on it.
    """
    policy = CircuitBreakerPolicy(failure_threshold=3, window_s=10, cooldown_s=0.5)

    async def body(breaker: CircuitBreaker) -> tuple[CircuitState, int]:
        ready.wait()
        await fail(breaker, "m", 3)  # six failures between the two processes: one opening
        ready.wait()
        seen = await breaker.state("m")
        assert seen.opens_until is not None
        await asyncio.sleep(max(0.0, seen.opens_until - time.time()) + 0.05)
        ready.wait()
        return seen, await probes(breaker, "m", callers=10)

    # A long probe lock, so the winner's claim cannot lapse while the other process asks.
    breaker = CircuitBreaker(Store(StoreSettings(url=redis_url)), policy, probe_timeout_s=30)

    async def main() -> tuple[CircuitState, int]:
        try:
            return await body(breaker)
        finally:
            await breaker.aclose()

    results.put(asyncio.run(main()))


def test_two_processes_see_one_circuit_and_share_one_probe(redis_url: str) -> None:
    (first, first_probes), (second, second_probes) = in_two_processes(_share_one_circuit, redis_url)
    assert first == second
    assert (first.state, first.failures) == ("open", 3)
    assert first_probes + second_probes == 1


def test_with_defer_peek_a_due_verdict_is_read_again_at_the_next_idle_moment(store: Store) -> None:
    async def body(breaker: CircuitBreaker, sent: list[str]) -> tuple[list[str], list[str], bool]:
        breaker.defer_peek = True
        assert await breaker.allow("m")
        aged = due_soon(breaker, "m")  # past half the cache's time, more than a quarter left
        assert await breaker.allow("m")  # the cached verdict; nothing is read while the call runs
        during = list(sent)
        breaker.idle()  # no request in flight: the read starts now
        await peeked(breaker)
        return during, list(sent), breaker._closed_until["m"] > aged

    during, sent, renewed = cached(store, body)
    assert during == ["allow"]
    assert sent == ["allow", "state"]
    assert renewed


def test_with_defer_peek_a_verdict_near_its_end_is_read_again_at_once(store: Store) -> None:
    async def body(breaker: CircuitBreaker, sent: list[str]) -> list[str]:
        breaker.defer_peek = True
        assert await breaker.allow("m")
        due_soon(breaker, "m", left_s=0.1)  # under a quarter of the 0.5 s left: no waiting for idle
        assert await breaker.allow("m")
        await peeked(breaker)
        return list(sent)

    assert cached(store, body) == ["allow", "state"]


def test_an_idle_moment_after_the_verdict_was_dropped_reads_nothing(store: Store) -> None:
    async def body(breaker: CircuitBreaker, sent: list[str]) -> list[str]:
        breaker.defer_peek = True
        assert await breaker.allow("m")
        due_soon(breaker, "m")
        assert await breaker.allow("m")
        breaker._closed_until.pop("m")  # dropped meanwhile (a failure of this process's own)
        breaker.idle()
        await peeked(breaker)
        return list(sent)

    assert cached(store, body) == ["allow"]
