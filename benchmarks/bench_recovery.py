"""Recovery after a worker SIGKILL and after a Redis restart, mid-batch, with the shipped settings.

Starts a private redis-server (AOF on, a free port), real `router worker`
processes (threads pool) and a simulated job whose items take --latency-ms
each, then:

* worker: SIGKILLs one of two workers while it holds chunks, and reports how
  long after the kill its chunks were taken for lost (the lease lapsing), when
  their first item was finished by the other worker, and when the last was;
* redis: restarts the server (SIGTERM, AOF flushed) and reports how long after
  it answers again the next item is finished.

Both check that every item finished exactly once. Baseline: without leases a
killed worker's chunks come back after the broker's visibility timeout
(ROUTER_BATCH_VISIBILITY_TIMEOUT_S, 3600 s by default).

    .venv/bin/python benchmarks/bench_recovery.py [--items 200] [--latency-ms 1500]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from router._batch._dispatch import celery_dispatch  # noqa: E402
from router._batch._keys import job_keys  # noqa: E402
from router._batch._leases import LEASE_S, REAP_S  # noqa: E402
from router._batch._sdk import BatchJob, submit_batch  # noqa: E402
from router._config import load_routes  # noqa: E402
from router._state._store import Store, StoreSettings  # noqa: E402
from tests.batch.conftest import routes_text  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

ROUTER = str(Path(sys.executable).with_name("router"))
CHUNK = 10


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-recovery-") as folder:
        work = Path(folder)
        print(f"lease {LEASE_S:.0f} s, reaped every {REAP_S:.0f} s; baseline without leases: 3600 s")
        worker_kill(work / "kill", args.items, args.latency_ms)
        redis_restart(work / "restart", args.items, args.latency_ms)


class Run:
    def __init__(self, work: Path, latency_ms: float) -> None:
        self.work = work
        self.server = RedisServer(work / "redis").start()
        routes = work / "routes.yaml"
        routes.write_text(routes_text(latency_ms=latency_ms), encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ROUTER_")}
        self.env.update(
            ROUTER_REDIS_URL=self.server.url,
            ROUTER_SIMULATE="1",
            ROUTER_ROUTES=str(routes),
            ROUTER_HOME=str(work / ".router"),
            ROUTER_LOG_LEVEL="warning",
            ROUTER_LOG_FORMAT="json",
        )
        self.workers: list[subprocess.Popen[bytes]] = []
        self.store = Store(StoreSettings(url=self.server.url))

    def worker(self) -> subprocess.Popen[bytes]:
        log = (self.work / f"worker-{len(self.workers)}.log").open("wb")
        command = [ROUTER, "worker", "--pool", "threads", "--concurrency", "2", "--loglevel", "warning"]
        process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.workers.append(process)
        return process

    def submit(self, count: int) -> BatchJob:
        items = ({"custom_id": f"item-{i}", "prompt": f"What is {i} squared?"} for i in range(count))
        config = load_routes(self.env["ROUTER_ROUTES"])
        dispatch = celery_dispatch(self.store, self.server.url)
        return submit_batch(self.store, config, items, chunk_size=CHUNK, dispatch=dispatch)

    def finished_at(
        self, job: BatchJob, count: int, until: float, seen: dict[int, float] | None = None
    ) -> dict[int, float]:
        """Poll every item's result key; the first time each was seen, until the job ends."""
        keys = job_keys(self.store, job.id)
        seen = {} if seen is None else seen
        client = self.store.sync()
        while time.monotonic() < until:
            todo = [n for n in range(count) if n not in seen]
            if not todo:
                break
            now = time.monotonic()
            try:
                found = client.mget([keys.result(n) for n in todo])
            except Exception:  # the server is down in the restart run: keep polling
                time.sleep(0.05)
                continue
            seen.update({n: now for n, value in zip(todo, found, strict=True) if value is not None})
            time.sleep(0.05)
        return seen

    def close(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        self.server.stop()


def _wait_for(check: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.05)


def _check_once(job: BatchJob, count: int) -> str:
    status = job.status()
    ids = sorted(result["custom_id"] for result in job.results())
    ok = status.status == "completed" and ids == sorted(f"item-{i}" for i in range(count))
    return "every item finished exactly once" if ok else f"NOT exactly once: {status}"


def worker_kill(work: Path, count: int, latency_ms: float) -> None:
    run = Run(work, latency_ms)
    try:
        victim = run.worker()
        run.worker()
        time.sleep(3)
        job = run.submit(count)
        _wait_for(lambda: job.status().finished >= 2 * CHUNK, 120)
        time.sleep(0.5)
        os.killpg(victim.pid, signal.SIGKILL)
        killed = time.monotonic()
        killed_wall = time.time()
        seen = run.finished_at(job, count, killed + 300)
        lapsed = _lapsed_chunks(work, job.id)
        print(f"worker SIGKILL ({count} items of {latency_ms:.0f} ms, chunks of {CHUNK}):")
        if not lapsed:
            print("  the killed worker held no unfinished chunk; run again")
            return
        held = [n for _, start, stop, _ in lapsed for n in range(start, stop) if n in seen]
        detected = min(at for *_, at in lapsed) - killed_wall
        resumed = min(seen[n] for n in held) - killed
        done = max(seen[n] for n in held) - killed
        print(
            f"  {len(lapsed)} chunks taken for lost {detected:.1f} s after the kill (lease lapsed, requeued)"
        )
        print(f"  their first item finished {resumed:.1f} s after the kill; their last {done:.1f} s after it")
        print(f"  {_check_once(job, count)}")
    finally:
        run.close()


def _lapsed_chunks(work: Path, job_id: str) -> list[tuple[str, int, int, float]]:
    found = []
    for log in work.glob("worker-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if '"batch.chunk_lease_lapsed"' in line:
                event = json.loads(line[line.index("{") :])
                if event["job_id"] == job_id:
                    stamp = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
                    found.append((job_id, event["start"], event["stop"], stamp))
    return found


def redis_restart(work: Path, count: int, latency_ms: float) -> None:
    run = Run(work, latency_ms)
    try:
        run.worker()
        time.sleep(3)
        job = run.submit(count)
        _wait_for(lambda: job.status().finished >= 2 * CHUNK, 120)
        before = run.finished_at(job, count, time.monotonic() + 0.5)  # what was done before the stop
        run.server.stop()
        down = time.monotonic()
        run.server.start()
        up = time.monotonic()
        seen = run.finished_at(job, count, up + 300, dict.fromkeys(before, down))
        after = sorted(at for at in seen.values() if at > up)
        print(f"redis restart (SIGTERM, AOF; down {up - down:.1f} s):")
        if after:
            print(f"  next item finished {after[0] - up:.1f} s after Redis answered again")
            print(f"  job done {after[-1] - up:.1f} s after it; {_check_once(job, count)}")
        else:
            print(f"  no item finished after the restart: {job.status()}")
    finally:
        run.close()


if __name__ == "__main__":
    main()
