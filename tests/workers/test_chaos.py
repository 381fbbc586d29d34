"""Chaos, bounded: a Redis restarted mid-batch, a worker SIGKILLed mid-batch, a Redis that stops answering.

Each test runs its own ``redis-server`` (AOF on) on a free port, so restarting
or pausing it disturbs nobody else, and real ``router worker`` processes. Waits
are bounded (``eventually``): a hang is a failure, never a stuck suite. Nothing
here times anything; ``benchmarks/bench_recovery.py`` measures the recovery times.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from router._batch._dispatch import celery_dispatch
from router._batch._leases import heartbeats
from router._batch._sdk import BatchJob, submit_batch
from router._config import load_routes
from router._errors import StoreUnavailable
from router._runtime import Runtime
from router._state._store import Store, StoreSettings
from router._task import Task
from tests.batch.conftest import eventually, ledger_records, routes_text
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.redis]

ROUTER = str(Path(sys.executable).with_name("router"))
StartWorker = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    started = RedisServer(tmp_path / "redis").start()
    yield started
    started.stop()


@pytest.fixture
def env(tmp_path: Path, server: RedisServer) -> dict[str, str]:
    routes = tmp_path / "routes.yaml"
    routes.write_text(routes_text(latency_ms=1500), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ROUTER_BATCH_")}
    # The shipped visibility timeout (an hour): recovery must not depend on shortening it.
    environment.update(
        ROUTER_REDIS_URL=server.url,
        ROUTER_SIMULATE="1",
        ROUTER_ROUTES=str(routes),
        ROUTER_HOME=str(tmp_path / ".router"),
        ROUTER_LOG_LEVEL="warning",
    )
    environment.pop("ROUTER_BROKER_URL", None)
    return environment


@pytest.fixture
def start_worker(env: dict[str, str], tmp_path: Path) -> Iterator[StartWorker]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        command = [ROUTER, "worker", "--pool", "threads", "--concurrency", "2", "--loglevel", "warning"]
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def _submit(server: RedisServer, env: dict[str, str], count: int) -> tuple[Store, BatchJob]:
    store = Store(StoreSettings(url=server.url))
    items = ({"custom_id": f"item-{i}", "prompt": f"What is {i} squared?"} for i in range(count))
    config = load_routes(env["ROUTER_ROUTES"])
    job = submit_batch(store, config, items, chunk_size=10, dispatch=celery_dispatch(store, server.url))
    return store, job


def _exactly_once(store: Store, job: BatchJob, total: int) -> None:
    status = job.status()
    assert (status.status, status.completed + status.failed, status.total) == ("completed", total, total)
    results = list(job.results())
    assert sorted(result["custom_id"] for result in results) == sorted(f"item-{i}" for i in range(total))

    # The ledger gets an item's records just after its result (from the chunk's outbox): wait for it.
    def ledger_caught_up() -> bool:
        records = ledger_records(store, job.id)
        assert len({record["id"] for record in records}) == len(records)
        return bool(status.cost_usd == pytest.approx(sum(record["cost_usd"] for record in records)))

    eventually(ledger_caught_up, timeout_s=60, what="the ledger holding every item's records")


def test_a_worker_killed_mid_batch_has_its_chunks_resumed_by_another_worker(
    server: RedisServer, env: dict[str, str], start_worker: StartWorker
) -> None:
    victim = start_worker()
    start_worker()
    store, job = _submit(server, env, 200)
    eventually(lambda: job.status().finished >= 20, timeout_s=120)
    assert len(heartbeats(store)) == 2  # both worker processes beat: router status lists them
    os.killpg(victim.pid, signal.SIGKILL)  # its chunks in flight die with it, unacknowledged
    victim.wait(10)
    # Bounded far below the hour the broker would take to redeliver them.
    eventually(lambda: job.status().is_terminal, timeout_s=120)
    _exactly_once(store, job, 200)


def test_a_redis_restarted_mid_batch_loses_nothing_and_the_workers_reconnect(
    server: RedisServer, env: dict[str, str], start_worker: StartWorker
) -> None:
    start_worker()
    store, job = _submit(server, env, 60)
    eventually(lambda: job.status().finished >= 10, timeout_s=120)
    server.restart()
    eventually(lambda: job.status().is_terminal, timeout_s=180)
    _exactly_once(store, job, 60)


def test_a_redis_that_stops_answering_mid_call_is_a_clear_error_within_the_timeout(
    server: RedisServer, env: dict[str, str]
) -> None:
    store = Store(StoreSettings(url=server.url, socket_timeout_s=1.0, connect_timeout_s=1.0))
    runtime = Runtime.build(load_routes(env["ROUTER_ROUTES"]), store=store, simulate=True)

    async def two_calls() -> None:
        await runtime.complete(Task.build("A first question that works."))
        server.pause()
        try:
            await asyncio.wait_for(runtime.complete(Task.build("A second one, mid-outage.")), 30)
        finally:
            server.resume()

    with pytest.raises(StoreUnavailable, match="unreachable"):
        asyncio.run(two_calls())
