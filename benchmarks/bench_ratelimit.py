"""Speed and accuracy of the shared rate limiter against the real Redis, beside a bare round trip.

Prints two things:

1. Decisions per second: one process, one asyncio loop, ``--concurrency`` tasks
   calling ``RateLimiter.try_acquire`` (rpm and tpm, both buckets) as fast as they
   can, beside the same tasks sending bare ``PING`` and ``INCR`` (the baseline: one
   round trip with no script).
2. Accuracy: two spawned processes, each with its own loop and ``--tasks`` tasks,
   hammering one model limited to ``--rpm`` with ``try_acquire`` (no sleeping) for
   ``--seconds``. Each admission's time is recorded; the report gives the total
   admitted against the allowance (``rpm × elapsed / 60``, and GCRA's
   ``burst + elapsed / interval``), the most admissions in any sliding 60-s window,
   and the share of admissions that took their 60-s window past ``rpm`` (target: 0).

Keys go under a fresh prefix and are deleted afterwards; nothing else is touched.

    .venv/bin/python benchmarks/bench_ratelimit.py [--url redis://127.0.0.1:6379/13] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import multiprocessing
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import redis  # noqa: E402

from router._state._ratelimit import Limits, RateLimiter, bucket_args  # noqa: E402
from router._state._store import Store, StoreSettings  # noqa: E402
from tests.support.redis_claim import holding  # noqa: E402

WINDOW_S = 60.0


@dataclass(frozen=True)
class Hammered:
    attempts: int
    admitted: list[float]


async def rate(op: Callable[[], Awaitable[object]], concurrency: int, seconds: float) -> float:
    """Operations per second with ``concurrency`` tasks calling ``op`` back to back."""
    done = 0
    stop_at = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < stop_at:
            await op()
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.monotonic() - started)


async def decisions(store: Store, concurrency: int, seconds: float) -> dict[str, float]:
    limiter = RateLimiter(store)
    client = store.aio()
    counter = store.key("bench", "counter")
    # Limits far above what the loop can reach: every call is admitted and writes both buckets.
    limits = Limits(rpm=10**9, tpm=10**12)
    await limiter.try_acquire("bench-speed", limits, 1)  # load the script before timing
    try:
        return {
            "limiter try_acquire (rpm + tpm)": await rate(
                lambda: limiter.try_acquire("bench-speed", limits, 500), concurrency, seconds
            ),
            "PING": await rate(client.ping, concurrency, seconds),
            "INCR": await rate(lambda: client.incr(counter), concurrency, seconds),
        }
    finally:
        await limiter.aclose()
        await client.aclose()


def hammer(
    url: str, prefix: str, rpm: int, tasks: int, seconds: float, ready: Barrier, out: Queue[Hammered]
) -> None:
    """In a spawned process: take slots as fast as the limiter allows; report attempts and admissions."""

    async def main() -> Hammered:
        limiter = RateLimiter(Store(StoreSettings(url=url, prefix=prefix)))
        limits = Limits(rpm=rpm, tpm=None)
        admitted: list[float] = []
        attempts = 0

        async def worker(stop_at: float) -> None:
            nonlocal attempts
            while time.time() < stop_at:
                attempts += 1
                if await limiter.try_acquire("bench-shared", limits, 0) == 0.0:
                    admitted.append(time.time())

        ready.wait()
        stop_at = time.time() + seconds
        await asyncio.gather(*(worker(stop_at) for _ in range(tasks)))
        await limiter.aclose()
        return Hammered(attempts, admitted)

    out.put(asyncio.run(main()))


def two_processes(url: str, prefix: str, rpm: int, tasks: int, seconds: float) -> list[Hammered]:
    context = multiprocessing.get_context("spawn")
    ready, out = context.Barrier(2), context.Queue()
    args = (url, prefix, rpm, tasks, seconds, ready, out)
    processes = [context.Process(target=hammer, args=args) for _ in range(2)]
    for process in processes:
        process.start()
    results = [out.get(timeout=seconds + 60) for _ in processes]
    for process in processes:
        process.join()
    return results


def window_overshoot(times: Sequence[float], limit: int, window: float) -> tuple[int, int]:
    """(admissions that took their sliding window past ``limit``, most admissions in any window).

    The window ending at an admission is (t - window, t], as a provider counts "the last minute".
    """
    over = most = 0
    for i, t in enumerate(times):
        count = i + 1 - bisect.bisect_right(times, t - window)
        most = max(most, count)
        over += count > limit
    return over, most


def report_accuracy(results: list[Hammered], rpm: int, seconds: float) -> None:
    times = sorted(t for result in results for t in result.admitted)
    attempts = sum(result.attempts for result in results)
    burst = Limits(rpm=rpm, tpm=None).effective_request_burst or 1
    interval_s = bucket_args(rpm, burst, 1)[0] / 1e6
    elapsed = times[-1] - times[0] if times else 0.0
    over, most = window_overshoot(times, rpm, WINDOW_S)
    print(f"\ntwo processes, rpm={rpm} (burst {burst}), {seconds:.0f} s of hammering:")
    print(f"  attempts              {attempts:>10,}  ({attempts / seconds:,.0f}/s, both processes)")
    per_process = ", ".join(str(len(result.admitted)) for result in results)
    print(f"  admitted              {len(times):>10,}  (per process: {per_process})")
    print(f"  nominal rpm x elapsed {rpm * elapsed / 60:>10,.1f}  (elapsed {elapsed:.2f} s)")
    print(f"  GCRA allowance        {burst + elapsed / interval_s:>10,.1f}  (burst + elapsed / interval)")
    print(f"  most in a 60-s window {most:>10,}  (limit {rpm})")
    print(f"  over-limit admissions {over:>10,}  share {over / max(len(times), 1):.4%}  (target 0)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default="redis://127.0.0.1:6379/13", help="a database this script may flush")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the two-process run")
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--tasks", type=int, default=8, help="concurrent tasks per hammering process")
    parser.add_argument("--concurrency", type=int, default=50, help="tasks for the decisions/s figure")
    parser.add_argument("--speed-seconds", type=float, default=5.0, help="length of each speed run")
    args = parser.parse_args(argv)

    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    store = Store(StoreSettings(url=args.url, prefix=prefix))
    store.ping()
    with holding([args.url]):
        return _bench(args, store, prefix)


def _bench(args: argparse.Namespace, store: Store, prefix: str) -> int:
    try:
        speeds = asyncio.run(decisions(store, args.concurrency, args.speed_seconds))
        print(f"one process, {args.concurrency} concurrent tasks, {args.speed_seconds:.0f} s each:")
        for name, per_second in speeds.items():
            print(f"  {name:<32} {per_second:>10,.0f}/s")
        results = two_processes(args.url, prefix, args.rpm, args.tasks, args.seconds)
        report_accuracy(results, args.rpm, args.seconds)
    finally:
        cleanup(args.url, prefix)
    return 0


def cleanup(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


if __name__ == "__main__":
    raise SystemExit(main())
