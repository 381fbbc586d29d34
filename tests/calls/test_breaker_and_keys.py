"""Shared circuits over real HTTP and real Redis: retries heed a breaker that has just opened,
and a key missing in one process is that process's fault alone."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Callable

import pytest
import redis

from router import AllModelsFailed, Completion
from router._config import RoutesConfig, parse_routes
from router._runtime import Runtime
from router._state._circuit import CircuitBreaker, CircuitState
from router._state._store import Store, StoreSettings
from router._task import Task
from tests.calls.conftest import ROUTES, run
from tests.support.openai_server import OpenAIServer, ok, server_error, unauthorized

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PLAIN = "Please summarise the weekly status report in two sentences."
A, B = "test-model-a", "test-model-b"
KEY = "TEST_PROVIDER_KEY"


def _config(server: OpenAIServer, *, threshold: int = 50) -> RoutesConfig:
    text = ROUTES.format(url=server.url, deadline=10.0)
    return parse_routes(text.replace("failure_threshold: 50", f"failure_threshold: {threshold}"))


def _runtime(config: RoutesConfig, redis_url: str) -> Runtime:
    return Runtime.build(config, store=Store(StoreSettings(url=redis_url)), simulate=False)


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY, "sk-test-not-a-real-key")


@pytest.mark.usefixtures("key")
def test_a_call_whose_own_failures_open_the_breaker_stops_retrying_that_model(
    openai_server: OpenAIServer, redis_url: str
) -> None:
    # Three tries per model, but the second failure opens alpha's circuit: the third never goes out.
    openai_server.script(A, server_error(500), server_error(500), server_error(500))
    openai_server.script(B, ok("from beta"))
    result = run(_runtime(_config(openai_server, threshold=2), redis_url).complete(Task.build(PLAIN)))
    assert result.model == "beta"
    assert len(openai_server.requests_for(A)) == 2
    assert [(a.model, a.outcome) for a in result.attempts] == [
        ("alpha", "error"),
        ("alpha", "error"),
        ("beta", "ok"),
    ]


@pytest.mark.usefixtures("key")
def test_a_breaker_opened_elsewhere_during_the_backoff_stops_the_retry(
    openai_server: OpenAIServer, redis_url: str
) -> None:
    config = _config(openai_server)
    openai_server.script(A, server_error(500), ok("alpha should not be asked again"))
    openai_server.script(B, ok("from beta"))
    runtime = _runtime(config, redis_url)
    # Another client of the same Redis, with its own connections and caches, as another process has.
    elsewhere = CircuitBreaker(Store(StoreSettings(url=redis_url)), config.policies.circuit_breaker)

    async def open_after_first_request() -> None:
        while not openai_server.requests_for(A):
            await asyncio.sleep(0.005)
        await elsewhere.park("alpha", 60, "failures")

    async def main() -> object:
        opener = asyncio.create_task(open_after_first_request())
        result = await runtime.complete(Task.build(PLAIN))
        await opener
        await elsewhere.aclose()
        return result

    result = run(main())
    assert getattr(result, "model", None) == "beta"
    assert len(openai_server.requests_for(A)) == 1
    skipped = [a for a in getattr(result, "attempts", ()) if a.outcome == "skipped"]
    assert [a.model for a in skipped] == ["alpha"]
    assert "circuit opened during this call" in (skipped[0].error or "")


@pytest.mark.usefixtures("key")
def test_a_failed_half_open_probe_moves_on_at_once(openai_server: OpenAIServer, redis_url: str) -> None:
    config = _config(openai_server)
    runtime = _runtime(config, redis_url)
    openai_server.script(A, server_error(500), ok("alpha should not be asked again"))
    openai_server.script(B, ok("from beta"))

    async def main() -> object:
        await runtime.executor.guards.circuit.park("alpha", 0.05, "failures")
        await asyncio.sleep(0.1)  # the cool-down is over: the next call is the probe
        return await runtime.complete(Task.build(PLAIN))

    result = run(main())
    assert getattr(result, "model", None) == "beta"
    assert len(openai_server.requests_for(A)) == 1  # three tries per model, but a probe gets one


def _call_without_key(url: str, redis_url: str, results: multiprocessing.Queue[str]) -> None:
    os.environ.pop(KEY, None)
    config = parse_routes(ROUTES.format(url=url, deadline=10.0))
    runtime = Runtime.build(config, store=Store(StoreSettings(url=redis_url)), simulate=False)
    try:
        asyncio.run(runtime.complete(Task.build(PLAIN)))
        results.put("answered")
    except AllModelsFailed as error:
        results.put(str(error))


def test_a_key_missing_in_one_process_writes_no_shared_state_and_blocks_no_one(
    openai_server: OpenAIServer, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[str] = context.Queue()
    keyless = context.Process(target=_call_without_key, args=(openai_server.url, redis_url, results))
    keyless.start()
    message = results.get(timeout=60)
    keyless.join(timeout=10)
    assert "TEST_PROVIDER_KEY is not set in this process" in message
    assert openai_server.requests == []
    # No circuit, no rate-limit slot, no budget hold: nothing in Redis says the models are bad.
    assert [k for k in redis.Redis.from_url(redis_url).scan_iter() if b"ledger" not in k] == []

    monkeypatch.setenv(KEY, "sk-test-not-a-real-key")
    openai_server.script(A, ok("alpha is fine"))
    result = run(_runtime(_config(openai_server), redis_url).complete(Task.build(PLAIN)))
    assert (result.model, [a.outcome for a in result.attempts]) == ("alpha", ["ok"])


def test_a_providers_401_parks_the_model_visibly_for_the_bounded_auth_cool_down(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    runtime = make_runtime()
    cooldown = runtime.config.policies.fallback.auth_cooldown_s
    openai_server.script(A, unauthorized())
    openai_server.script(B, ok("beta"), ok("beta again"))

    async def main() -> tuple[Completion, CircuitState, float]:
        await runtime.complete(Task.build(PLAIN))
        second = await runtime.complete(Task.build(PLAIN))
        return second, await runtime.executor.guards.circuit.state("alpha"), time.time()

    second, state, now = run(main())
    skip = second.attempts[0]
    assert (skip.model, skip.outcome) == ("alpha", "skipped")
    assert "parked after the provider refused the API key (authentication_failed;" in (skip.error or "")
    assert (state.state, state.reason) == ("open", "authentication_failed")
    assert state.opens_until is not None
    assert now < state.opens_until <= now + cooldown
