"""Simulated traffic keeps its own key space: it can neither park a model nor spend a real budget."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from router._client import Client
from router._state._store import Store, StoreSettings

ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"

pytestmark = pytest.mark.redis


def test_the_simulated_view_shares_the_connection_and_prefixes_every_key(redis_url: str) -> None:
    store = Store(StoreSettings(url=redis_url))
    simulated = store.space(True)
    assert simulated.sync() is store.sync()
    assert simulated.key("circuit", "m") == "router:sim:circuit:m"
    assert (simulated.simulated, simulated.real is store, store.space(False) is store) == (True, True, True)
    assert simulated.space(True) is simulated


def test_a_simulated_call_spends_from_no_real_budget_and_writes_no_real_state(redis_url: str) -> None:
    with Client(ROUTES, redis_url=redis_url, simulate=True) as client:
        client.complete("Write a haiku about routers.", team="research")
        budgets = client.budgets()
    assert budgets
    assert [status.spent_usd + status.reserved_usd for status in budgets] == [0.0] * len(budgets)
    raw = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in raw.scan_iter("router:*")]
    raw.close()
    assert any(key.startswith("router:sim:budget:") for key in keys)
    shared = [key for key in keys if key.split(":")[1] in ("budget", "circuit", "rl", "ratelimit")]
    assert shared == []


def test_a_simulated_call_is_left_out_of_reports_unless_asked(redis_url: str) -> None:
    with Client(ROUTES, redis_url=redis_url, simulate=True) as client:
        client.complete("Write a haiku about routers.")
        assert client.costs().total.calls == 0
        assert client.costs(include_simulated=True).total.calls == 1
