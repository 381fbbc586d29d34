"""Batch throughput, latency-bound concurrency and memory, through real workers on the local Redis.

Prints, in one run (each part can be chosen with ``--parts``):

- ``cost``: CPU per item of one ``router worker --pool threads`` process, beside two bare loops
  of ``litellm.acompletion`` on the simulated provider in the same run (litellm's defaults, and
  the keywords the router's own calls pass, the second run before and after the worker's and
  averaged), and the Redis commands per item (commandstats, and the worker's own with MONITOR).
  The target ratio is against the loop with the router's keywords;
- ``throughput``: items per second through the whole path (submit, route, simulated call with
  zero latency, result and cost records written) with one and then two ``router worker``
  processes, beside a bare loop of ``litellm.acompletion`` on the same simulated provider
  (same concurrency bound, one process) measured in the same run;
- ``latency``: with 200 ms of simulated provider latency, items per second from one worker and
  the calls it kept in flight (Little's law: rate x mean call latency, and the bound);
- ``memory``: peak RSS of each worker process and of the submitting process during a
  100,000-item job, with the worker's RSS sampled along the way to show it stays flat.

Workers run with the default pool (prefork, one child per CPU; ``--pool threads`` for one
process). The routes are the project's routes.yaml without its per-model rpm/tpm limits (they would
cap the rate at the limits, which is what they are for, not what is measured here). The data
and broker use their own databases, flushed before and after.

    .venv/bin/python benchmarks/bench_batch.py [--parts throughput,latency,memory] [--items 4000]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import redis  # noqa: E402
import yaml  # noqa: E402

from benchmarks._proc import cpu_s, process_tree, pss_mb, rss_mb  # noqa: E402
from tests.support.redis_claim import holding  # noqa: E402

ROUTER = str(Path(sys.executable).with_name("router"))
IN_FLIGHT = 64
BARE_MODEL = "gemini-2.5-flash-lite"
PROMPTS = (
    "What is {i} squared?",
    "Wie viele Tage hat der Monat {i}?",
    "Write a Python function that returns {i} factorial.",
    "Summarise the plot of a {i}-page novel in one line.",
)


def routes_file(directory: Path, latency_ms: float) -> Path:
    data = yaml.safe_load((PROJECT_ROOT / "routes.yaml").read_text(encoding="utf-8"))
    for model in data["models"]:
        model.pop("rpm", None)
        model.pop("tpm", None)
    data["simulation"] = {"latency_ms": latency_ms, "failures": [], "seed": 1}
    path = directory / f"routes-{int(latency_ms)}ms.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def environment(args: argparse.Namespace, routes: Path, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BENCH_POOL": args.pool,
        "ROUTER_REDIS_URL": args.data_url,
        "ROUTER_BROKER_URL": args.broker_url,
        "ROUTER_SIMULATE": "1",
        "ROUTER_ROUTES": str(routes),
        "ROUTER_HOME": str(home),
        "ROUTER_LOG_LEVEL": "error",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }


def flush(args: argparse.Namespace) -> None:
    for url in (args.data_url, args.broker_url):
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()


@contextmanager
def workers(count: int, env: dict[str, str], log_dir: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    pool = env.get("BENCH_POOL", "prefork")
    started = []
    for number in range(count):
        log = (log_dir / f"worker-{number}.log").open("wb")
        started.append(
            subprocess.Popen(
                [
                    ROUTER,
                    "worker",
                    "--loglevel",
                    "error",
                    "--pool",
                    pool,
                    *(["--concurrency", "8"] if pool == "threads" else []),
                    "--in-flight",
                    str(IN_FLIGHT),
                    "--hostname",
                    f"bench{number}@%h",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def run_job(env: dict[str, str], items: int, *, timeout_s: float) -> dict[str, Any]:
    """Submit ``items`` prompts in a child process, wait for the job; returns its timing and memory."""
    code = f"""
import json, resource, sys, time
from router._logging import configure
configure("error")
from router._batch._sdk import submit_batch
from router._config import load_routes
from router._settings import Settings
from router._state._store import Store, StoreSettings
settings = Settings.load()
store = Store(StoreSettings.from_settings(settings))
prompts = {PROMPTS!r}
items = ({{"prompt": prompts[i % 4].format(i=i)}} for i in range({items}))
started = time.perf_counter()
job = submit_batch(store, load_routes(settings.routes), items, settings=settings)
submitted = time.perf_counter()
status = job.wait(poll_s=0.05, timeout_s={timeout_s})
ended = time.perf_counter()
latencies = [r["response"]["latency_ms"] for r in job.results() if r["status"] == "completed"]
print(json.dumps({{"status": status.status, "completed": status.completed, "failed": status.failed,
    "submit_s": submitted - started, "total_s": ended - started,
    "mean_latency_ms": sum(latencies) / max(len(latencies), 1),
    "submitter_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout_s + 60
    )
    if done.returncode != 0:
        raise SystemExit(f"the submitter failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bare_loop(items: int, *, router_settings: bool = False) -> tuple[float, float]:
    """litellm.acompletion on the simulated provider, IN_FLIGHT at a time, in a fresh process.

    Returns items per second and CPU seconds per item (the process's own, user + system).
    ``router_settings`` passes the keywords the router's own calls pass (``SimulatedProvider.
    request_kwargs`` for the routes.yaml model: its prices, litellm's retries off), so the
    line shows what those settings alone save litellm, apart from the router's own work.
    """
    code = f"""
import asyncio, time
from router._config import load_routes
from router._pricing import resolve
from router._providers._simulator import SimulatedProvider, register_handler
from router._providers._litellm_import import load_litellm
register_handler()
litellm = load_litellm()
prompts = {PROMPTS!r}
if {router_settings!r}:
    routes = load_routes({str(PROJECT_ROOT / "routes.yaml")!r})
    spec = next(model for model in routes.models if model.name == {BARE_MODEL!r})
    keywords = SimulatedProvider(latency=False).request_kwargs(resolve(spec))
else:
    keywords = {{"model": "router-sim/" + {BARE_MODEL!r}}}
async def main():
    slots = asyncio.Semaphore({IN_FLIGHT})
    async def one(i):
        async with slots:
            await litellm.acompletion(messages=[{{"role": "user", "content": prompts[i % 4].format(i=i)}}],
                max_tokens=64, **keywords)
    await asyncio.gather(*(one(i) for i in range(200)))  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(i) for i in range({items})))
    print({items} / (time.perf_counter() - started), (time.process_time() - cpu) / {items})
asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"the bare loop failed:\n{done.stderr[-3000:]}")
    rate, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(rate), float(cpu)


def warm_up(env: dict[str, str]) -> None:
    # Workers build their Runtime before consuming; a small job makes sure every one is serving.
    result = run_job(env, 400, timeout_s=120)
    if result["status"] != "completed":
        raise SystemExit(f"warm-up job ended {result['status']}")


class CommandStats:
    """``INFO commandstats`` of the data Redis (every primary of a Cluster), from now until ``delta()``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.before = self._read()

    def _clients(self) -> list[redis.Redis]:
        if self.url.startswith("redis+cluster://"):
            return [redis.Redis(host="127.0.0.1", port=port) for port in _CLUSTER_PORTS]
        return [redis.Redis.from_url(self.url)]

    def _read(self) -> dict[str, tuple[int, float]]:
        found: dict[str, tuple[int, float]] = {}
        for client in self._clients():
            for name, stat in client.info("commandstats").items():
                calls, usec = found.get(name, (0, 0.0))
                found[name] = (calls + int(stat["calls"]), usec + float(stat["usec"]))
            client.close()
        return found

    def delta(self) -> CommandDelta:
        after = self._read()
        by_command = {
            name.removeprefix("cmdstat_"): (
                calls - self.before.get(name, (0, 0.0))[0],
                usec - self.before.get(name, (0, 0.0))[1],
            )
            for name, (calls, usec) in after.items()
        }
        # INFO itself is not the job's; neither are our own reads of the stats.
        by_command.pop("info", None)
        return CommandDelta(
            {name: stat for name, stat in by_command.items() if stat[0] > 0},
            primaries=len(_CLUSTER_PORTS) if self.url.startswith("redis+cluster://") else 1,
        )


class CommandDelta:
    def __init__(self, by_command: dict[str, tuple[int, float]], primaries: int) -> None:
        self.by_command = by_command
        self.primaries = primaries
        self.how = ""

    @property
    def calls(self) -> int:
        return sum(calls for calls, _ in self.by_command.values())

    def per_item(self, items: int) -> str:
        ordered = sorted(self.by_command.items(), key=lambda entry: -entry[1][0])
        return ", ".join(
            f"{name} {calls / items:.2f} ({usec / max(calls, 1):.1f} us)" for name, (calls, usec) in ordered
        )

    def ceiling(self, items: int) -> float:
        """Items/s the data Redis could carry with this mix: its own time per item.

        ``usec`` in commandstats is the time the server spent executing (a script's time
        includes the commands it runs, which are also counted on their own: an upper bound).
        Reading, parsing and replying cost on top, per round trip, measured as the server
        time one PING takes at redis-benchmark's ceiling beyond its own ``usec``. The round
        trips are the scripts plus about two plain commands per item (the done check and
        the status read; ``--parts cost`` counts them exactly with MONITOR). On a Cluster
        each primary does its share at once, if the slots are balanced.
        """
        scripts = sum(calls for name, (calls, _) in self.by_command.items() if name in ("evalsha", "eval"))
        round_trips = scripts / items + 2
        execution_us = sum(usec for _, usec in self.by_command.values()) / items
        per_item_us = execution_us + round_trips * io_overhead_us()
        primaries = f"; x{self.primaries} primaries, balanced" if self.primaries > 1 else ""
        self.how = (
            f"(server {per_item_us:.0f} us/item: {execution_us:.0f} us executing per commandstats + "
            f"{round_trips:.1f} round trips x {io_overhead_us():.1f} us I/O, redis-benchmark PING{primaries})"
        )
        return 1e6 / per_item_us * self.primaries


_io_overhead: list[float] = []
_CLUSTER_PORTS: list[int] = []


def io_overhead_us() -> float:
    """Server time per command that commandstats leaves out: 1e6 / (PING/s at the ceiling) - PING's usec."""
    if not _io_overhead:
        port = _free_port(7190)
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            out = subprocess.run(
                [
                    "redis-benchmark",
                    "-p",
                    str(port),
                    "-t",
                    "ping_mbulk",
                    "-n",
                    "200000",
                    "-c",
                    "50",
                    "-q",
                    "--csv",
                ],
                capture_output=True,
                text=True,
                timeout=120,
            ).stdout
            rate = float(out.strip().splitlines()[-1].split(",")[1].strip('"'))
            stat = redis.Redis(port=port).info("commandstats")["cmdstat_ping"]
            _io_overhead.append(max(1e6 / rate - float(stat["usec_per_call"]), 0.0))
        finally:
            server.terminate()
            server.wait(10)
    return _io_overhead[0]


def _free_port(start: int) -> int:
    import socket

    for port in range(start, 7200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                probe.close()
                with socket.socket() as bus:
                    bus.bind(("127.0.0.1", port + 10000))
                return port
            except OSError:
                continue
    raise SystemExit("no free port in 7101-7199")


@contextmanager
def data_store(url: str) -> Iterator[str]:
    """The data Redis: ``url``, or a three-primary Cluster on free ports when ``url`` is ``cluster``."""
    if url != "cluster":
        yield url
        return
    from tests.support.cluster import local_cluster

    with local_cluster(3) as cluster:
        _CLUSTER_PORTS[:] = cluster.ports
        try:
            yield cluster.url
        finally:
            _CLUSTER_PORTS.clear()


def worker_cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of the given processes so far (those that have exited count 0)."""
    total = 0.0
    for pid in pids:
        try:
            total += cpu_s(pid)
        except OSError:
            continue
    return total


class Monitor:
    """The commands the worker's own connections send (``MONITOR``), not those its scripts run."""

    def __init__(self, url: str) -> None:
        client = redis.Redis.from_url(url)
        # After a warm-up job, every open connection is the worker's (the submitter has exited).
        self.worker_addrs = {entry["addr"] for entry in client.client_list()}
        client.close()
        parts = urlsplit(url)
        self.output = Path(tempfile.mkstemp(prefix="bench-monitor-")[1])
        self.process = subprocess.Popen(
            ["redis-cli", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 6379), "monitor"],
            stdout=self.output.open("w"),
        )
        time.sleep(0.5)

    def stop(self) -> dict[str, int]:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:  # redis-cli may not heed SIGINT without a terminal
            self.process.kill()
            self.process.wait(10)
        counts: dict[str, int] = {}
        lines = self.output.read_text(errors="replace").splitlines()
        self.output.unlink()
        for line in lines:
            # 1733050000.123456 [7 127.0.0.1:50312] "EVALSHA" ...; a script's own calls say [7 lua]
            head, _, rest = line.partition("] ")
            addr = head.rpartition(" ")[2]
            if addr in self.worker_addrs and rest:
                name = rest.split(" ", 1)[0].strip('"').lower()
                counts[name] = counts.get(name, 0) + 1
        return counts


def cost(args: argparse.Namespace, work: Path) -> None:
    """CPU per item in the worker and Redis commands per item, beside the bare loop's CPU per item."""
    env = environment(args, routes_file(work, 0), work / "home")
    env = {**env, "BENCH_POOL": "threads"}  # one process: its CPU is the worker's
    _, bare_cpu = bare_loop(args.items)
    _, settled_cpu = bare_loop(args.items, router_settings=True)
    flush(args)
    with workers(1, env, work) as started:
        warm_up(env)
        pids = [pid for process in started for pid in process_tree(process.pid)]
        stats, cpu = CommandStats(args.data_url), worker_cpu_s(pids)
        result = run_job(env, args.items, timeout_s=600)
        used, commands = worker_cpu_s(pids) - cpu, stats.delta()
        monitor = Monitor(args.data_url)
        small = max(args.items // 5, 200)
        run_job(env, small, timeout_s=600)
        sent = monitor.stop()
    # Once more after the worker's run, and the mean of the two: other load on the machine
    # moves between the bare loops and the worker's run, and the ratio is the figure compared.
    _, settled_after = bare_loop(args.items, router_settings=True)
    settled_before, settled_cpu = settled_cpu, (settled_cpu + settled_after) / 2
    whole = used / args.items
    print(f"bare litellm.acompletion loop: {bare_cpu * 1000:.2f} ms CPU per item")
    print(
        f"bare loop with the router's litellm keywords (SimulatedProvider.request_kwargs): "
        f"{settled_cpu * 1000:.2f} ms CPU per item (mean of {settled_before * 1000:.2f} before the "
        f"worker's run and {settled_after * 1000:.2f} after it)"
    )
    print(
        f"whole path, 1 worker process ({args.items} items, {result['status']}): "
        f"{whole * 1000:.2f} ms CPU per item"
    )
    # The honest ratio is against the loop given the router's own keywords: what those keywords
    # save litellm is not work the router's side of the path did away with.
    print(
        f"  = {whole / settled_cpu:.2f}x the bare loop with the router's keywords (the target: <= 1.30x); "
        f"{whole / bare_cpu:.2f}x the bare loop with litellm's defaults"
    )
    print(
        f"  data Redis, every command executed (scripts' own and the submitter's included): "
        f"{commands.calls / args.items:.2f} per item: {commands.per_item(args.items)}"
    )
    ordered = sorted(sent.items(), key=lambda entry: -entry[1])
    print(
        f"  the worker's round trips to the data Redis (MONITOR, {small} items): "
        f"{sum(sent.values()) / small:.2f} commands per item: "
        + ", ".join(f"{name} {count / small:.2f}" for name, count in ordered)
    )


def throughput(args: argparse.Namespace, work: Path) -> None:
    env = environment(args, routes_file(work, 0), work / "home")
    bare, _ = bare_loop(args.items)
    print(f"bare litellm.acompletion loop (simulated, {IN_FLIGHT} in flight, 1 process): {bare:8.1f} items/s")
    targets = [("single Redis", args.data_url)]
    if args.cluster:
        targets.append(("3-primary Cluster", "cluster"))
    for label, data_url in targets:
        with data_store(data_url) as url:
            run_env = {**env, "ROUTER_REDIS_URL": url}
            for count in (1, 2):
                flush(args)
                with workers(count, run_env, work):
                    warm_up(run_env)
                    stats = CommandStats(url)
                    result = run_job(run_env, args.items, timeout_s=600)
                    commands = stats.delta()
                rate = args.items / result["total_s"]
                print(
                    f"{label}, {count} worker{'s' if count > 1 else ' '} ({args.items} items, zero latency): "
                    f"{rate:8.1f} items/s = {rate / bare:.2f}x bare  (submit {result['submit_s']:.2f} s, "
                    f"{result['failed']} failed; data Redis {commands.calls / args.items:.1f} commands/item)"
                )
            ceiling = commands.ceiling(args.items)
            print(f"  {label} ceiling with this command mix: {ceiling:,.0f} items/s {commands.how}")


def latency(args: argparse.Namespace, work: Path) -> None:
    env = environment(args, routes_file(work, 200), work / "home")
    flush(args)
    with workers(1, env, work):
        warm_up(env)
        result = run_job(env, args.items, timeout_s=600)
    rate = args.items / result["total_s"]
    in_flight = rate * result["mean_latency_ms"] / 1000
    print(
        f"200 ms provider latency, 1 worker ({args.items} items): {rate:.1f} items/s, "
        f"{in_flight:.0f} calls in flight on average (bound {IN_FLIGHT} per process; "
        f"mean call {result['mean_latency_ms']:.0f} ms)"
    )


def memory(args: argparse.Namespace, work: Path) -> None:
    env = environment(args, routes_file(work, 0), work / "home")
    flush(args)
    with workers(2, env, work) as started:
        warm_up(env)
        samples: list[float] = []
        pss: list[float] = []
        result: dict[str, Any] = {}
        # The submitter runs in a child process (run_job); this thread samples the workers meanwhile.
        thread = threading.Thread(
            target=lambda: result.update(run_job(env, args.memory_items, timeout_s=3600))
        )
        thread.start()
        while thread.is_alive():
            samples.append(max(rss_mb(pid) for process in started for pid in process_tree(process.pid)))
            pss.append(max(pss_mb(pid) for process in started for pid in process_tree(process.pid)))
            time.sleep(2)
        peaks = [rss_mb(pid, "VmHWM") for process in started for pid in process_tree(process.pid)]
        # At the end of the job, while the workers still run: each parent and each pool child.
        steady = [
            (role, rss_mb(pid), pss_mb(pid))
            for process in started
            for role, pid in zip(("parent", *["child"] * 64), process_tree(process.pid), strict=False)
        ]
    thirds = [samples[min(len(samples) * k // 3, len(samples) - 1)] for k in (1, 2, 3)] if samples else []
    print(
        f"{args.memory_items:,}-item job ({result['status']}, {result['total_s']:.0f} s): peak RSS per "
        f"worker process (parents, pool children) {', '.join(f'{peak:.0f}' for peak in peaks)} MB; largest "
        f"worker process RSS at 1/3, 2/3, 3/3 of the run "
        f"{' / '.join(f'{value:.0f}' for value in thirds)} MB; largest worker process PSS (shared "
        f"pages split between the processes sharing them) {max(pss, default=0):.0f} MB; submitter peak "
        f"RSS {result['submitter_peak_mb']:.0f} MB"
    )
    for role in ("parent", "child"):
        found = [(rss, pss) for kind, rss, pss in steady if kind == role]
        print(
            f"  at the end, each {role}: RSS {', '.join(f'{rss:.0f}' for rss, _ in found)} MB; "
            f"PSS {', '.join(f'{pss:.0f}' for _, pss in found)} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-url", default="redis://127.0.0.1:6379/7", help="a database this script may flush"
    )
    parser.add_argument(
        "--broker-url", default="redis://127.0.0.1:6379/6", help="a database this script may flush"
    )
    parser.add_argument("--parts", default="cost,throughput,latency,memory")
    parser.add_argument(
        "--cluster", action="store_true", help="also measure throughput on a 3-primary Cluster it starts"
    )
    parser.add_argument("--pool", default="prefork", choices=("prefork", "threads"), help="the workers' pool")
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--memory-items", type=int, default=100_000)
    args = parser.parse_args()
    claimed = holding([args.data_url, args.broker_url])  # no test run flushes them meanwhile
    with claimed, tempfile.TemporaryDirectory(prefix="bench-batch-") as directory:
        work = Path(directory)
        try:
            for part in args.parts.split(","):
                parts = {"cost": cost, "throughput": throughput, "latency": latency, "memory": memory}
                parts[part.strip()](args, work)
        finally:
            flush(args)


if __name__ == "__main__":
    main()
