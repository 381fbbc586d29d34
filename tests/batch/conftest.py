"""Fixtures for batch tests: a routes file with simulated failures, the real Redis, a worker context.

Everything runs the real code: the real Runtime on the simulated provider (no
network), real Redis (this run's claimed database, flushed per test by ``redis_url``), and,
in ``tests/workers``, real Celery worker processes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from router._batch._context import WorkerContext
from router._batch._execute import ChunkReport, run_chunk
from router._batch._submit import ChunkRange
from router._config import RoutesConfig, load_routes
from router._state._store import Store, StoreSettings

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "prompts.jsonl"

FAILURES: list[dict[str, Any]] = [
    # The default rule's first choice fails now and then, so calls fall back to gpt-4o-mini,
    # which is itself rate limited at times; restricted items (one model only) fail for good
    # when both tries of llama hit the outage.
    {"model": "gemini-2.5-flash-lite", "kind": "server_error", "rate": 0.2},
    {"model": "gpt-4o-mini", "kind": "rate_limit", "rate": 0.3, "retry_after_s": 0.05},
    {"model": "llama-3.1-70b-onprem", "kind": "outage", "rate": 0.5},
]


def routes_text(
    *, latency_ms: float = 0.0, failures: list[dict[str, Any]] | None = None, seed: int = 7
) -> str:
    """The project's routes.yaml, fast and deterministic for tests: no rate limits, tiny backoffs."""
    data = yaml.safe_load((REPO / "routes.yaml").read_text(encoding="utf-8"))
    for model in data["models"]:
        model.pop("rpm", None)
        model.pop("tpm", None)
    data["policies"]["fallback"].update({"backoff_base_s": 0.01, "backoff_max_s": 0.05, "deadline_s": 30})
    data["policies"]["circuit_breaker"] = {"failure_threshold": 100000, "window_s": 60, "cooldown_s": 1}
    data["simulation"] = {"latency_ms": latency_ms, "failures": failures or [], "seed": seed}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def routes_file(tmp_path: Path) -> Path:
    path = tmp_path / "routes.yaml"
    path.write_text(routes_text(failures=FAILURES), encoding="utf-8")
    return path


@pytest.fixture
def config(routes_file: Path) -> RoutesConfig:
    return load_routes(routes_file)


@pytest.fixture
def store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


class Queue:
    """A dispatch that keeps the chunks, for tests that run them by hand."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, int, int]] = []

    def __call__(self, job_id: str, ranges: list[ChunkRange]) -> None:
        self.chunks.extend((job_id, start, stop) for start, stop in ranges)


@pytest.fixture
def queue() -> Queue:
    return Queue()


@pytest.fixture
def context(store: Store, config: RoutesConfig) -> Iterator[WorkerContext]:
    """A worker process's context (loop thread, real Runtime, simulated provider) in the test process."""
    from router._runtime import Runtime

    context = WorkerContext(
        store=store, runtime=lambda s: Runtime.build(config, store=s, simulate=True), in_flight=16
    )
    yield context
    context.close()


def run_chunks(context: WorkerContext, chunks: list[tuple[str, int, int]]) -> list[ChunkReport]:
    """Run chunks as concurrent workers would, all on the context's loop."""

    async def all_chunks(env: Any) -> list[ChunkReport]:
        return list(await asyncio.gather(*(run_chunk(env, job, start, stop) for job, start, stop in chunks)))

    return context.run(all_chunks, timeout_s=120)


def write_jsonl(path: Path, lines: list[Mapping[str, Any] | str]) -> Path:
    path.write_text(
        "".join(
            (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines
        ),
        encoding="utf-8",
    )
    return path


def ledger_records(store: Store, job_id: str) -> list[dict[str, Any]]:
    """Every ledger record of a job, across days and key spaces (a simulated job's are apart)."""
    from router._ledger._read import find_records

    return [record.model_dump(mode="json") for record in find_records(store, job_id=job_id)]


Check = Callable[[], bool]


def eventually(check: Check, *, timeout_s: float, every_s: float = 0.1, what: str = "condition") -> None:
    """Wait for ``check`` to hold, failing the test after ``timeout_s``."""
    import time

    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout_s} s")
        time.sleep(every_s)
