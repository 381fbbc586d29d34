"""Fixtures for the ledger tests: a store on the real Redis, a fresh embedded store, records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from router._ledger._record import CostRecord
from router._state import _store
from router._state._store import Store, StoreSettings

# A Wednesday noon, UTC: far from any period boundary unless a test moves it.
NOON = datetime(2026, 11, 4, 12, 0, tzinfo=UTC).timestamp()

RecordFactory = Callable[..., CostRecord]


@pytest.fixture
def store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


@pytest.fixture
def raw(redis_url: str) -> Iterator[redis.Redis]:
    """A client of its own on the test's Redis (a cluster client for the Cluster)."""
    client = Store(StoreSettings(url=redis_url)).sync()
    yield client
    client.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Where spools and journals go: the default ``./.router``, in the test's own directory."""
    return tmp_path / ".router"


@pytest.fixture
def embedded(home: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The embedded store as a new process sees it: an empty in-process server."""
    monkeypatch.setattr(_store, "_embedded_server", None)
    return Store(StoreSettings(url=None))


@pytest.fixture
def make_record() -> RecordFactory:
    """A record with plausible defaults; keywords override any field."""
    counter = iter(range(1, 1_000_000))

    def make(**fields: Any) -> CostRecord:
        values: dict[str, Any] = {
            "id": f"req-{next(counter)}:1",
            "ts": NOON,
            "model": "gpt-4o-mini",
            "litellm_model": "openai/gpt-4o-mini",
            "provider": "openai",
            "deployment": "cloud",
            "team": "research",
            "tags": (),
            "rule": "default",
            "sensitivity": "internal",
            "language": "en",
            "prompt_tokens": 1000,
            "completion_tokens": 200,
            "cost_usd": 0.00027,
            "estimated_cost_usd": 0.0003,
            "latency_ms": 420.0,
        }
        values.update(fields)
        return CostRecord(**values)

    return make
