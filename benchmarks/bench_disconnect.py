"""What watching for a client disconnect adds to each gateway chat request (same run).

``router serve`` runs every non-streaming call, and a stream's wait for its first event, beside
a watch on the ASGI receive channel (``router._gateway._disconnect.unless_disconnected``): two
tasks instead of a plain ``await``. This times, on one event loop, many calls of a coroutine that
answers after one scheduler step (as a call awaiting a socket does), awaited plainly (the
baseline) and through ``unless_disconnected`` with a client that stays connected, interleaved in
rounds, and prints the median microseconds per call of each and the difference.

The whole-gateway figures (``bench_gateway.py``) on a shared 2-core machine vary by more than
this difference from run to run, which is why it is measured here on its own.

    .venv/bin/python benchmarks/bench_disconnect.py [--calls 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from router._gateway._disconnect import unless_disconnected


class _Connected:
    """A Starlette request whose client never leaves: ``receive`` waits until cancelled."""

    def __init__(self) -> None:
        self._never = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        await self._never.wait()
        return {"type": "http.disconnect"}


async def _call() -> int:
    await asyncio.sleep(0)  # one trip through the loop, like an answer arriving on a socket
    return 1


async def _plain(calls: int) -> None:
    for _ in range(calls):
        await _call()


async def _watched(calls: int) -> None:
    request: Any = _Connected()
    for _ in range(calls):
        await unless_disconnected(request, _call())


async def _per_call_us(run: Callable[[int], Awaitable[None]], calls: int) -> float:
    started = time.perf_counter()
    await run(calls)
    return (time.perf_counter() - started) / calls * 1e6


async def _bench(calls: int, rounds: int) -> tuple[list[float], list[float]]:
    plain: list[float] = []
    watched: list[float] = []
    await _plain(1000)  # warm-up
    await _watched(1000)
    for _ in range(rounds):
        plain.append(await _per_call_us(_plain, calls))
        watched.append(await _per_call_us(_watched, calls))
    return plain, watched


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    plain, watched = asyncio.run(_bench(args.calls, args.rounds))
    base, with_watch = statistics.median(plain), statistics.median(watched)
    print(f"== per call, median of {args.rounds} rounds of {args.calls} calls (microseconds)")
    print(f"  plain await (baseline)       {base:8.2f}")
    print(f"  unless_disconnected          {with_watch:8.2f}")
    print(f"  added by the watch           {with_watch - base:+8.2f}")


if __name__ == "__main__":
    main()
