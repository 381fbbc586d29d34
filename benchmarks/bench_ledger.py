"""Ledger write cost and report speed against the local Redis server.

Prints, in one run:

- the cost of one ledger write (``Ledger.record``: the record stored once and added to
  every running total of its day, in one Lua script) per call, beside a bare Redis
  ``INCRBYFLOAT`` round trip on the same server, both sequential, one call at a time;
- the same for ``Ledger.arecord`` (asyncio) and for the write script alone (EVALSHA
  without the Python around it);
- a per-model-per-day report over 1,000,000 records from the running totals, a report
  filtered on one team (also from the totals), and reports filtered on the outcome, which
  the totals do not hold, from the records over one day and over a week.

The records are bulk-loaded through ``Ledger.stage`` in pipelines (the real write script)
into a separate database, flushed before and after.

    .venv/bin/python benchmarks/bench_ledger.py [--url redis://127.0.0.1:6379/14] [--records 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import redis  # noqa: E402
import structlog  # noqa: E402

from router._ledger._ledger import WRITE_LUA, Ledger  # noqa: E402
from router._ledger._record import CostRecord  # noqa: E402
from router._ledger._reports import costs  # noqa: E402
from router._state._store import Store, StoreSettings  # noqa: E402
from tests.support.redis_claim import holding  # noqa: E402

DAY = 86_400
START = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
MODELS = {
    "gpt-4o-mini": "openai",
    "gpt-4.1-mini": "openai",
    "claude-haiku-4-5": "anthropic",
    "claude-sonnet-4-5": "anthropic",
    "llama-3.1-70b-onprem": "hosted_vllm",
    "mistral-small": "mistral",
    "mistral-large": "mistral",
    "gemini-2.5-flash-lite": "gemini",
    "gemini-2.5-flash": "gemini",
    "qwen-coder": "dashscope",
}
TEAMS = ("research", "support", "finance", "platform", None)
RULES = ("restricted-data", "confidential-data", "long-context", "code-and-maths", "non-english", "default")
TAGS = ((), (), ("code",), ("maths",), ("code", "batch"), ("batch",))


def make_records(count: int, days: int, seed: int = 1) -> Iterator[CostRecord]:
    rng = random.Random(seed)
    models = list(MODELS)
    for index in range(count):
        model = rng.choice(models)
        yield CostRecord(
            id=f"bench-{index}:1",
            ts=START + rng.uniform(0, days * DAY),
            model=model,
            litellm_model=f"{MODELS[model]}/{model}",
            provider=MODELS[model],
            deployment="self_hosted" if MODELS[model] == "hosted_vllm" else "cloud",
            team=rng.choice(TEAMS),
            tags=rng.choice(TAGS),
            rule=rng.choice(RULES),
            sensitivity="internal",
            language="en",
            prompt_tokens=rng.randint(10, 4000),
            completion_tokens=rng.randint(0, 800),
            cost_usd=rng.uniform(1e-6, 0.02),
            estimated_cost_usd=0.01,
            latency_ms=rng.uniform(200, 3000),
            outcome="error" if rng.random() < 0.05 else "ok",
            candidates=tuple(rng.sample(models, 3)),
        )


def timed(calls: int, body: Callable[[int], object]) -> list[float]:
    """Microseconds per call, one call at a time."""
    out = []
    for index in range(calls):
        start = time.perf_counter()
        body(index)
        out.append((time.perf_counter() - start) * 1e6)
    return out


def summary(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    return (
        f"  {name:<44} mean {statistics.fmean(samples):7.1f} us   p50 {samples[len(samples) // 2]:7.1f} us"
        f"   p99 {p99:7.1f} us"
    )


def bench_writes(store: Store, client: redis.Redis, calls: int) -> None:
    print(f"Ledger write per call, {calls:,} sequential calls each (after {calls // 10:,} warm-up calls)")
    ledger = Ledger(store)
    records = list(make_records(calls * 3 + calls // 10, days=1, seed=2))
    warm = calls // 10
    for index in range(warm):
        ledger.record(records[index])
        client.incrbyfloat("bench:counter", 0.001)
    baseline = timed(calls, lambda i: client.incrbyfloat("bench:counter", 0.001))
    written = timed(calls, lambda i: ledger.record(records[warm + i]))
    script = client.register_script(WRITE_LUA)
    calls_args = [ledger.write_call(records[warm + calls + i]) for i in range(calls)]
    lua_only = timed(calls, lambda i: script(keys=calls_args[i][0], args=calls_args[i][1]))
    batch = records[warm + 2 * calls :]
    asynchronous = asyncio.run(_timed_async(ledger, batch))
    print(summary("bare INCRBYFLOAT round trip", baseline))
    print(summary("Ledger.record (sync)", written))
    print(summary("Ledger.arecord (asyncio)", asynchronous))
    print(summary("write script alone (EVALSHA, args prepared)", lua_only))
    ratio = statistics.fmean(written) / statistics.fmean(baseline)
    print(f"  Ledger.record costs {ratio:.1f}x a bare round trip; target <= 300 us per call")
    client.delete("bench:counter")


async def _timed_async(ledger: Ledger, records: list[CostRecord]) -> list[float]:
    out = []
    try:
        for record in records:
            start = time.perf_counter()
            await ledger.arecord(record)
            out.append((time.perf_counter() - start) * 1e6)
    finally:
        await ledger.aclose()
    return out


def bulk_load(store: Store, client: redis.Redis, count: int, days: int) -> None:
    ledger = Ledger(store)
    chunk = 2000
    start = time.perf_counter()
    pipe = client.pipeline(transaction=False)
    for index, record in enumerate(make_records(count, days), start=1):
        ledger.stage(pipe, record)
        if index % chunk == 0:
            pipe.execute()
        if index % 200_000 == 0:
            print(f"  ... {index:,} records loaded ({time.perf_counter() - start:.0f} s)", flush=True)
    pipe.execute()
    used = client.info("memory")["used_memory"] / 2**20
    print(
        f"  loaded {count:,} records over {days} days in {time.perf_counter() - start:.1f} s; "
        f"Redis holds {used:,.0f} MiB"
    )


def bench_reports(store: Store, count: int, days: int, repeat: int) -> None:
    print(f"Reports over {count:,} records ({days} days, {len(MODELS)} models)")
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        report = costs(store, by=("model", "day"))
        runs.append(time.perf_counter() - start)
    assert report.source == "totals", report.source
    assert report.total.calls == count, report.total
    print(
        f"  per model per day, from the running totals: median {statistics.median(runs) * 1000:7.1f} ms "
        f"({len(report.rows)} rows, {report.total.calls:,} calls); target < 1 s"
    )
    start = time.perf_counter()
    team = costs(store, by=("model", "rule"), filters={"team": "research"})
    print(
        f"  team=research by model and rule, from the totals: {(time.perf_counter() - start) * 1000:7.1f} ms "
        f"({team.total.calls:,} calls kept)"
    )
    for label, until in (("one day", START + DAY), ("one week", START + 7 * DAY)):
        start = time.perf_counter()
        failed = costs(store, since=START, until=until, by=("model",), filters={"outcome": "error"})
        elapsed = time.perf_counter() - start
        assert failed.source == "records", failed.source
        read = costs(store, since=START, until=until).total.calls
        print(
            f"  outcome=error over {label}, from the records: {elapsed:6.2f} s "
            f"({read:,} records read, {failed.total.calls:,} kept, {read / elapsed:,.0f} records/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="redis://127.0.0.1:6379/14", help="a database this script may flush")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # As the CLI and worker run by default: cost.recorded (info) is filtered out, not rendered.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    store = Store(StoreSettings(url=args.url))
    client = store.sync()
    server = client.info("server")["redis_version"]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Redis {server} at {store.settings.safe_url}; Python {sys.version.split()[0]}; load average {load}"
    )
    with holding([args.url]):
        client.flushdb()
        try:
            bench_writes(store, client, args.calls)
            client.flushdb()
            bulk_load(store, client, args.records, args.days)
            bench_reports(store, args.records, args.days, args.repeat)
        finally:
            client.flushdb()


if __name__ == "__main__":
    main()
