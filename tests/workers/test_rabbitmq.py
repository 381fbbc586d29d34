"""Batch jobs with RabbitMQ as Celery's broker and the router's state in Redis.

The worker SIGKILL test runs on the machine's shared RabbitMQ (127.0.0.1:5672),
in a virtual host of its own that it creates and deletes. The broker restart
test cannot restart a broker other tools use, so it starts a private node
(``tests.support.rabbit``) and restarts that one, data kept, as an operator
restarting the broker would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from router._state._store import Store, StoreSettings
from tests.batch.conftest import FAILURES, eventually, routes_text
from tests.support.rabbit import PrivateRabbit, private_rabbit
from tests.workers.test_real_worker import PREFORK, ROUTER, THREADS, _accounted_for, _submit

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SHARED = "127.0.0.1:5672"


@pytest.fixture
def shared_vhost() -> Iterator[str]:
    """A virtual host of this test's own on the shared RabbitMQ, deleted afterwards."""
    vhost = f"router-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True, timeout=60)
    try:
        subprocess.run(
            ["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield f"amqp://guest:guest@{SHARED}/{vhost}"
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def rabbit() -> Iterator[PrivateRabbit]:
    with private_rabbit() as node:
        yield node


class Workers:
    """``router worker`` processes on a given broker, killed in teardown whatever happens."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *options: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [ROUTER, "worker", "--loglevel", "warning", "--in-flight", "16", *(options or THREADS)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _env(tmp_path: Path, data_url: str, broker_url: str) -> dict[str, str]:
    routes = tmp_path / "routes.yaml"
    routes.write_text(routes_text(latency_ms=40, failures=FAILURES), encoding="utf-8")
    return {
        **os.environ,
        "ROUTER_REDIS_URL": data_url,
        "ROUTER_BROKER_URL": broker_url,
        "ROUTER_SIMULATE": "1",
        "ROUTER_ROUTES": str(routes),
        "ROUTER_HOME": str(tmp_path / ".router"),
        "ROUTER_LOG_LEVEL": "warning",
    }


@pytest.fixture
def data_store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


@pytest.fixture
def make_workers(tmp_path: Path, redis_url: str) -> Iterator[Callable[[str], Workers]]:
    """Workers on a given broker; every process started is killed in teardown."""
    made: list[Workers] = []

    def make(broker_url: str) -> Workers:
        made.append(Workers(_env(tmp_path, redis_url, broker_url), tmp_path))
        return made[-1]

    yield make
    for workers in made:
        workers.kill_all()


def test_a_worker_killed_mid_batch_on_rabbitmq_loses_and_duplicates_nothing(
    shared_vhost: str, data_store: Store, make_workers: Callable[[str], Workers]
) -> None:
    workers = make_workers(shared_vhost)
    first = workers.start(*PREFORK)
    job = _submit(data_store, workers.env, 300)
    eventually(lambda: job.status().finished >= 40, timeout_s=90, what="the first worker's progress")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    assert job.status().finished < 300
    # RabbitMQ requeues a dead consumer's unacknowledged chunks at once: no visibility timeout.
    workers.start(*THREADS)
    final = job.wait(timeout_s=180, poll_s=0.2)
    assert final.status == "completed", final
    _accounted_for(data_store, job, 300)


def test_a_broker_restart_mid_batch_loses_and_duplicates_nothing(
    rabbit: PrivateRabbit, data_store: Store, make_workers: Callable[[str], Workers]
) -> None:
    workers = make_workers(rabbit.url)
    workers.start(*THREADS)
    job = _submit(data_store, workers.env, 300)
    eventually(lambda: job.status().finished >= 40, timeout_s=90, what="the worker's progress")
    assert job.status().finished < 300, "the broker restarts mid-batch"
    rabbit.restart()
    # The worker reconnects; chunks it held unacknowledged come back from the durable queue.
    final = job.wait(timeout_s=240, poll_s=0.2)
    assert final.status == "completed", final
    _accounted_for(data_store, job, 300)
