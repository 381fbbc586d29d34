"""`router status` shows the shared state that decides where calls go; `router reset circuit` clears a model.

The CLI runs in a subprocess: its logging set-up must not outlive the test in this process.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from router import Client
from router._config import RoutesConfig, load_routes
from router._errors import UsageError
from router._state._circuit import CircuitBreaker
from router._state._ratelimit import Limits, RateLimiter
from router._state._store import Store, StoreSettings
from router._status._snapshot import snapshot

ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"

pytestmark = pytest.mark.redis


def router(redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUTER_REDIS_URL": redis_url}
    command = [sys.executable, "-m", "router._cli", *args, "--routes", str(ROUTES)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True)


@pytest.fixture
def store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


@pytest.fixture
def config() -> RoutesConfig:
    return load_routes(ROUTES)


def _park(store: Store, config: RoutesConfig, model: str) -> None:
    async def park() -> None:
        breaker = CircuitBreaker(store, config.policies.circuit_breaker)
        await breaker.park(model, 300, "authentication_failed")
        await breaker.aclose()

    asyncio.run(park())


def test_status_shows_a_parked_model_and_why(store: Store, config: RoutesConfig) -> None:
    _park(store, config, "gpt-4o-mini")
    models = {model.model: model for model in snapshot(store, config).models}
    parked = models["gpt-4o-mini"].circuit
    assert (parked.state, parked.reason) == ("open", "authentication_failed")
    assert models["mistral-small"].circuit.state == "closed"


def test_the_simulated_key_space_has_its_own_circuits(store: Store, config: RoutesConfig) -> None:
    _park(store, config, "gpt-4o-mini")
    models = {model.model: model for model in snapshot(store, config, simulated=True).models}
    assert models["gpt-4o-mini"].circuit.state == "closed"


def test_status_shows_rate_limit_headroom_that_calls_use_up(store: Store, config: RoutesConfig) -> None:
    spec = next(spec for spec in config.models if spec.name == "llama-3.1-70b-onprem")

    async def take(count: int) -> None:
        limiter = RateLimiter(store)
        for _ in range(count):
            assert await limiter.try_acquire(spec.name, Limits.of(spec), 100) == 0.0
        await limiter.aclose()

    before = {m.model: m for m in snapshot(store, config).models}[spec.name].rate_limits
    asyncio.run(take(3))
    after = {m.model: m for m in snapshot(store, config).models}[spec.name].rate_limits
    requests_before, requests_after = before[0], after[0]
    assert requests_before.bucket == "requests"
    assert requests_before.available == requests_before.burst
    assert requests_after.available == requests_before.available - 3


def test_status_shows_budgets_workers_and_queue_depth_as_json(redis_url: str) -> None:
    data = json.loads(router(redis_url, "status", "--json").stdout)
    assert {budget["key"] for budget in data["budgets"]} >= {"monthly-total"}
    assert data["workers"] == []  # nothing serves this test database
    assert data["queue"] == {"waiting": 0, "unacked": 0}


def test_status_without_a_live_worker_says_how_to_start_one(redis_url: str) -> None:
    assert "no live worker answered; start one:" in router(redis_url, "status").stdout


def test_reset_circuit_closes_a_parked_model_for_every_process(
    store: Store, config: RoutesConfig, redis_url: str
) -> None:
    _park(store, config, "gpt-4o-mini")
    assert "circuit closed" in router(redis_url, "reset", "circuit", "gpt-4o-mini").stdout
    assert {m.model: m for m in snapshot(store, config).models}["gpt-4o-mini"].circuit.state == "closed"


def test_the_sdk_resets_a_circuit_and_refuses_an_unknown_model(
    store: Store, config: RoutesConfig, redis_url: str
) -> None:
    _park(store, config, "mistral-small")
    with Client(ROUTES, redis_url=redis_url) as client:
        assert client.reset_circuit("mistral-small") is True
        assert client.reset_circuit("mistral-small") is False
        assert {m.model: m for m in client.status().models}["mistral-small"].circuit.state == "closed"
        with pytest.raises(UsageError, match="did you mean 'mistral-small'"):
            client.reset_circuit("mistral-smal")
