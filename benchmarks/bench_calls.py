"""Per-call overhead of the router over a bare ``litellm.acompletion``, beside ``litellm.Router``.

All paths call the same simulated provider (a litellm custom provider with zero
latency) through litellm's own call path, in one process and one run:

- bare:                   ``litellm.acompletion`` straight to the simulated model;
- litellm.Router:         two deployments, a fallback from the first to the second,
                          state in process memory (limits per process only);
- litellm.Router + Redis: the same, with rpm/tpm on both deployments counted in
                          Redis (``usage-based-routing-v2``), so the limits hold
                          across processes, as ours do;
- ours:                   ``Runtime.complete``: routing decision (three signals),
                          circuit check, one script for the rate-limit slot and
                          budget hold; after the answer, in the background,
                          budget settlement and ledger write.

Rounds call every path once, in a shuffled order. Before each timed call the
loop is drained of the background work earlier calls left (litellm defers its
success logging to tasks; Router + Redis defers its usage counters), so no
path's figure includes another path's work. Two figures per path:

- answer: time until the call returns its result;
- whole:  that plus draining the background work the call itself started,
          i.e. all the event-loop time one call costs.

"Overhead" is a path's median minus the bare call's median, per figure. Run:

    .venv/bin/python benchmarks/bench_calls.py [--calls 600] [--redis redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import logging

import structlog

from router._config import RoutesConfig, load_routes
from router._providers._litellm_import import load_litellm
from router._providers._simulator import SimulatedProvider, register_handler
from router._runtime import Runtime
from router._state._store import Store, StoreSettings
from router._task import Task

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "Summarise the attached meeting notes in three short bullet points for the weekly update."
MESSAGES = [{"role": "user", "content": PROMPT}]
BARE = "bare litellm.acompletion"


Samples = dict[str, dict[str, list[float]]]


async def _interleaved(paths: dict[str, Callable[[], Awaitable[Any]]], n: int) -> Samples:
    """Time ``n`` calls of every path, one of each per round in a shuffled order.

    Interleaving call by call puts every path under the same machine load;
    blocks of one path at a time drifted by a millisecond between runs.
    """
    for call in paths.values():
        for _ in range(20):  # warm-up: clients, scripts, tokenizers, litellm's workers
            await call()
    await asyncio.sleep(0.5)
    resident = asyncio.all_tasks()  # long-lived tasks (litellm's logging worker, this one)
    samples: Samples = {name: {"answer": [], "whole": []} for name in paths}
    order = list(paths)
    shuffle = random.Random(0).shuffle
    for _ in range(n):
        shuffle(order)
        for name in order:
            await _drain(resident)
            started = time.perf_counter()
            await paths[name]()
            answered = time.perf_counter()
            await _drain(resident)
            samples[name]["answer"].append((answered - started) * 1000)
            samples[name]["whole"].append((time.perf_counter() - started) * 1000)
    return samples


async def _drain(resident: set[asyncio.Task[Any]], limit_s: float = 1.0) -> None:
    """Run the loop until the background work of earlier calls is done (at most ``limit_s``)."""
    queue = _logging_queue()
    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        pending = asyncio.all_tasks() - resident
        if pending:
            await asyncio.wait(pending, timeout=deadline - time.perf_counter())
        elif queue is not None and queue.qsize():
            await asyncio.sleep(0)  # litellm's worker takes the next logging job
        else:
            return


def _logging_queue() -> Any:
    # litellm's deferred success logging waits here before it becomes a task.
    from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER

    return getattr(GLOBAL_LOGGING_WORKER, "_queue", None)


def _litellm_router(
    litellm: Any, sim: SimulatedProvider, runtime: Runtime, redis_url: str | None = None
) -> Any:
    first = runtime.router.models["gemini-2.5-flash-lite"]
    second = runtime.router.models["gpt-4o-mini"]
    limits = {"rpm": 10**9, "tpm": 10**12} if redis_url else {}
    model_list = [
        {"model_name": "chat", "litellm_params": sim.request_kwargs(first) | limits},
        {"model_name": "chat-fallback", "litellm_params": sim.request_kwargs(second) | limits},
    ]
    shared: dict[str, Any] = {}
    if redis_url:
        url = urlsplit(redis_url)
        shared = {
            "redis_host": url.hostname,
            "redis_port": url.port or 6379,
            "routing_strategy": "usage-based-routing-v2",
        }
    return litellm.Router(
        model_list=model_list, fallbacks=[{"chat": ["chat-fallback"]}], num_retries=0, **shared
    )


async def _main(calls: int, redis_url: str | None) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    litellm = load_litellm()
    register_handler()
    config = _without_rate_limits(load_routes(ROOT / "routes.yaml"))
    sim = SimulatedProvider(config.simulation, latency=False)
    store = Store(StoreSettings(url=redis_url))
    if redis_url:
        store.sync().flushdb()
    runtime = Runtime.build(config, store=store, simulate=True, provider=sim)
    chosen = runtime.router.models["gemini-2.5-flash-lite"]
    bare_kwargs = sim.request_kwargs(chosen)
    lrouter = _litellm_router(litellm, sim, runtime)
    shared_router = _litellm_router(litellm, sim, runtime, redis_url) if redis_url else None

    async def bare() -> Any:
        return await litellm.acompletion(messages=MESSAGES, max_tokens=512, **bare_kwargs)

    async def via_litellm_router() -> Any:
        return await lrouter.acompletion(model="chat", messages=MESSAGES, max_tokens=512)

    async def ours() -> Any:
        return await runtime.complete(Task.build(PROMPT))

    async def via_shared_router() -> Any:
        assert shared_router is not None
        return await shared_router.acompletion(model="chat", messages=MESSAGES, max_tokens=512)

    paths = {BARE: bare, "litellm.Router": via_litellm_router}
    if shared_router is not None:
        paths["litellm.Router + Redis"] = via_shared_router
    paths["ours"] = ours
    results = await _interleaved(paths, calls)
    _report(results, store)


def _without_rate_limits(config: RoutesConfig) -> RoutesConfig:
    # The shipped rpm limits (e.g. 4,000/min) would make this loop wait for
    # slots: that is the limiter working, not overhead. The limiter's own cost
    # (one Lua call) is still paid with rpm/tpm set this high.
    models = tuple(spec.model_copy(update={"rpm": 10**9, "tpm": 10**12}) for spec in config.models)
    return config.model_copy(update={"models": models})


def _report(results: Samples, store: Store) -> None:
    print(f"store: {store.settings.safe_url}; calls per path: {len(results[BARE]['answer'])}")
    columns = ("answer p50", "p90", "overhead", "whole p50", "p90", "overhead")
    print(f"{'path':<25}" + "".join(f"{c:>{w}}" for c, w in zip(columns, (11, 8, 10) * 2, strict=True)))
    base = {figure: statistics.median(results[BARE][figure]) for figure in ("answer", "whole")}
    for name, figures in results.items():
        row = f"{name:<25}"
        for figure, width in (("answer", 11), ("whole", 11)):
            samples = sorted(figures[figure])
            p50, p90 = statistics.median(samples), samples[int(len(samples) * 0.9)]
            row += f"{p50:>{width}.3f}{p90:>8.3f}{p50 - base[figure]:>+10.3f}"
        print(row)
    print("milliseconds; overhead = the path's p50 minus the bare call's p50")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="'' for the embedded store")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.support.redis_claim import holding  # a test run never flushes this database meanwhile

    with holding([args.redis or None]):
        asyncio.run(_main(args.calls, args.redis or None))
