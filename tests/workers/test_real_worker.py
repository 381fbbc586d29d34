"""Real Celery workers (``router worker`` processes) on the real Redis.

Data and broker use this run's two claimed databases (``redis_url`` and
``redis_broker_url``) on the server that ``ROUTER_TEST_REDIS_URL`` names, flushed
before and after each test; workers are killed in teardown whatever happens.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from router._batch._dispatch import celery_dispatch
from router._batch._sdk import BatchJob, submit_batch
from router._config import load_routes
from router._state._store import Store, StoreSettings
from tests.batch.conftest import FAILURES, eventually, ledger_records, routes_text

pytestmark = [pytest.mark.slow, pytest.mark.redis]


ROUTER = str(Path(sys.executable).with_name("router"))

THREADS = ("--pool", "threads", "--concurrency", "4")
PREFORK = ("--pool", "prefork", "--concurrency", "2")

StartWorker = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def worker_env(tmp_path: Path, redis_url: str, redis_broker_url: str) -> dict[str, str]:
    routes = tmp_path / "routes.yaml"
    routes.write_text(routes_text(latency_ms=40, failures=FAILURES), encoding="utf-8")
    env = {
        **os.environ,
        "ROUTER_REDIS_URL": redis_url,
        "ROUTER_BROKER_URL": redis_broker_url,
        "ROUTER_SIMULATE": "1",
        "ROUTER_ROUTES": str(routes),
        "ROUTER_HOME": str(tmp_path / ".router"),
        "ROUTER_LOG_LEVEL": "warning",
        # Short enough for a killed worker's chunks to come back within the test.
        "ROUTER_BATCH_VISIBILITY_TIMEOUT_S": "6",
        "ROUTER_BATCH_RESTORE_INTERVAL_S": "1",
    }
    return env


@pytest.fixture
def start_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[StartWorker]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*options: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [ROUTER, "worker", "--loglevel", "warning", "--in-flight", "16", *(options or THREADS)],
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@pytest.fixture
def data_store(worker_env: dict[str, str]) -> Store:
    return Store(StoreSettings(url=worker_env["ROUTER_REDIS_URL"]))


def _submit(store: Store, env: dict[str, str], count: int, **options: Any) -> BatchJob:
    config = load_routes(env["ROUTER_ROUTES"])
    prompts = [
        "What is {i} squared?",
        "Wie spät ist es in Tokio, wenn es in Berlin {i} Uhr ist?",
        "My card 4111 1111 1111 1111 was charged {i} times; draft a complaint.",
        "Write a {i}-line poem.",
    ]
    items = ({"custom_id": f"item-{i}", "prompt": prompts[i % 4].format(i=i)} for i in range(count))
    dispatch = celery_dispatch(store, broker_url=env["ROUTER_BROKER_URL"])
    return submit_batch(store, config, items, chunk_size=20, dispatch=dispatch, **options)


def _accounted_for(store: Store, job: BatchJob, total: int) -> None:
    status = job.status()
    results = list(job.results())
    assert status.completed + status.failed + status.cancelled == status.total == total
    assert sorted(result["custom_id"] for result in results) == sorted(f"item-{i}" for i in range(total))
    records = ledger_records(store, job.id)
    assert len({record["id"] for record in records}) == len(records)
    assert status.cost_usd == pytest.approx(sum(record["cost_usd"] for record in records))
    assert status.cost_usd == pytest.approx(sum(result["cost_usd"] for result in results))


def test_hundreds_of_items_with_injected_failures_are_all_accounted_for(
    start_worker: StartWorker, data_store: Store, worker_env: dict[str, str]
) -> None:
    start_worker()
    job = _submit(data_store, worker_env, 400)
    final = job.wait(timeout_s=120, poll_s=0.2)
    assert final.status == "completed", final
    _accounted_for(data_store, job, 400)
    failed = list(job.results(errors_only=True))
    assert final.failed == len(failed) > 0, "the llama outage should fail some restricted items"
    assert all(result["error"]["message"].startswith(f"line {result['line']}: ") for result in failed)


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
    start_worker: StartWorker, data_store: Store, worker_env: dict[str, str]
) -> None:
    # Prefork: the chunks are lost with the parent and its children, each with its own Runtime.
    first = start_worker(*PREFORK)
    job = _submit(data_store, worker_env, 400)
    eventually(lambda: job.status().finished >= 60, timeout_s=60, what="the first worker's progress")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    stalled = job.status()
    assert stalled.status == "in_progress"
    assert stalled.finished < 400
    start_worker(*THREADS)
    final = job.wait(timeout_s=120, poll_s=0.2)
    assert final.status == "completed", final
    _accounted_for(data_store, job, 400)


def test_cancel_mid_batch_ends_cancelled_with_partial_results(
    start_worker: StartWorker, data_store: Store, worker_env: dict[str, str]
) -> None:
    start_worker()
    job = _submit(data_store, worker_env, 400)
    eventually(lambda: job.status().finished >= 40, timeout_s=60, what="the worker's progress")
    job.cancel()
    final = job.wait(timeout_s=60, poll_s=0.2)
    assert final.status == "cancelled"
    assert final.cancelled > 0
    assert final.completed > 0
    _accounted_for(data_store, job, 400)
