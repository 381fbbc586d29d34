"""A batch across separate hosts: Redis on one, a worker on each of two others, one host cut off.

Every host is a network namespace (``tests.support.netns``) with its own
address: the workers reach Redis over the bridge, never over loopback, each has
its own ``ROUTER_HOME`` and its own copy of the routes file, and they share no
process. Mid-batch one worker host's link goes down, as a pulled cable would;
its unacknowledged chunks come back to the broker after the visibility timeout
and the other worker finishes them. Every item must end exactly once, with its
cost records once, and the cut host, once its link is back, must change nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from router._state._store import Store, StoreSettings
from tests.batch.conftest import FAILURES, eventually, routes_text
from tests.support.netns import Host, Network, network
from tests.workers.test_real_worker import ROUTER, _accounted_for, _submit

pytestmark = pytest.mark.slow

ITEMS = 300


@pytest.fixture
def hosts() -> Iterator[Network]:
    with network() as net:
        yield net


def _start_redis(host: Host, folder: Path) -> str:
    host.start(
        [
            "redis-server",
            "--bind", host.address,
            "--port", "6379",
            "--protected-mode", "no",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(folder),
        ],
        env=dict(os.environ),
        log=folder / "redis.log",
    )  # fmt: skip
    url = f"redis://{host.address}:6379"
    eventually(lambda: _answers(url), timeout_s=20, what="Redis on its host answering")
    return url


def _answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
    finally:
        client.close()


def _worker_env(folder: Path, data_url: str, broker_url: str) -> dict[str, str]:
    """A worker host's environment: its own home and its own copy of the routes file."""
    folder.mkdir(parents=True)
    routes = folder / "routes.yaml"
    routes.write_text(routes_text(latency_ms=40, failures=FAILURES), encoding="utf-8")
    return {
        **os.environ,
        "ROUTER_REDIS_URL": data_url,
        "ROUTER_BROKER_URL": broker_url,
        "ROUTER_SIMULATE": "1",
        "ROUTER_ROUTES": str(routes),
        "ROUTER_HOME": str(folder / ".router"),
        "ROUTER_LOG_LEVEL": "warning",
        "ROUTER_BATCH_VISIBILITY_TIMEOUT_S": "6",
        "ROUTER_BATCH_RESTORE_INTERVAL_S": "1",
    }


def test_a_host_cut_off_mid_batch_has_its_items_finished_elsewhere_exactly_once(
    hosts: Network, tmp_path: Path
) -> None:
    redis_host, first, second = hosts.add("redis"), hosts.add("w1"), hosts.add("w2")
    base = _start_redis(redis_host, tmp_path)
    data_url, broker_url = f"{base}/0", f"{base}/1"
    for host in (first, second):
        env = _worker_env(tmp_path / host.name, data_url, broker_url)
        # Celery's info level logs each chunk a worker receives: the test checks the cut host had work.
        argv = [ROUTER, "worker", "--loglevel", "info", "--in-flight", "16", "--pool", "threads"]
        host.start([*argv, "--concurrency", "4"], env=env, log=tmp_path / f"{host.name}.log")
    # Both must consume before the job is sent: a worker still starting when the other has taken
    # and finished the first chunks leaves the host to be cut off with nothing to lose.
    logs = [tmp_path / f"{host.name}.log" for host in (first, second)]
    eventually(lambda: all(map(_ready, logs)), timeout_s=90, what="both workers consuming")
    store = Store(StoreSettings(url=data_url))
    submitter = _worker_env(tmp_path / "submitter", data_url, broker_url)
    job = _submit(store, submitter, ITEMS)
    eventually(lambda: job.status().finished >= 60, timeout_s=90, what="both workers' progress")
    assert _chunks_received(tmp_path / "w1.log") > 0, "the host to be cut off is running chunks"
    first.cut()
    assert job.status().finished < ITEMS, "the host is cut off mid-batch"
    final = job.wait(timeout_s=180, poll_s=0.5)
    assert final.status == "completed", final
    _accounted_for(store, job, ITEMS)
    # The cut host comes back: whatever it still held is already done, so it writes nothing.
    settled = (final, sorted(result["custom_id"] for result in job.results()))
    hosts.restore(first)
    time.sleep(8)  # a visibility timeout and more for any late delivery to land
    assert (job.status(), sorted(result["custom_id"] for result in job.results())) == settled
    _accounted_for(store, job, ITEMS)


def _ready(log: Path) -> bool:
    """Celery's info level logs ``<node> ready.`` once the worker consumes from the broker."""
    return log.exists() and any(line.rstrip().endswith(" ready.") for line in log.read_text().splitlines())


def _chunks_received(log: Path) -> int:
    return sum("run_chunk" in line and "received" in line.lower() for line in log.read_text().splitlines())
