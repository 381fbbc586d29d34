"""Per-call overhead of the router over a bare ``litellm.acompletion``, beside ``litellm.Router``.

All three call the same simulated provider (a litellm custom provider with zero
latency) through litellm's own call path, in one process and one run:

- bare:          ``litellm.acompletion`` straight to the simulated model;
- litellm.Router: a two-deployment Router with a fallback from the first to the second;
- ours:          ``Runtime.complete``: routing decision (three signals), circuit check,
                 budget reservation and settlement, shared rate limit, ledger write.

"Overhead" is each path's median minus the bare median. Run:

    .venv/bin/python benchmarks/bench_calls.py [--calls 400] [--redis redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

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


async def _interleaved(paths: dict[str, Callable[[], Awaitable[Any]]], n: int) -> dict[str, list[float]]:
    """Time ``n`` calls of every path, one of each per round in a shuffled order.

    Interleaving call by call puts every path under the same machine load and the
    same state of litellm's background logging tasks, which blocks of one path
    at a time do not (their figures drifted by a millisecond between runs).
    """
    for call in paths.values():
        for _ in range(20):  # warm-up: clients, scripts, tokenizers
            await call()
    samples: dict[str, list[float]] = {name: [] for name in paths}
    order = list(paths)
    shuffle = random.Random(0).shuffle
    for _ in range(n):
        shuffle(order)
        for name in order:
            started = time.perf_counter()
            await paths[name]()
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def _litellm_router(litellm: Any, sim: SimulatedProvider, runtime: Runtime) -> Any:
    first = runtime.router.models["gemini-2.5-flash-lite"]
    second = runtime.router.models["gpt-4o-mini"]
    model_list = [
        {"model_name": "chat", "litellm_params": sim.request_kwargs(first)},
        {"model_name": "chat-fallback", "litellm_params": sim.request_kwargs(second)},
    ]
    return litellm.Router(model_list=model_list, fallbacks=[{"chat": ["chat-fallback"]}], num_retries=0)


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

    async def bare() -> Any:
        return await litellm.acompletion(messages=MESSAGES, max_tokens=512, **bare_kwargs)

    async def via_litellm_router() -> Any:
        return await lrouter.acompletion(model="chat", messages=MESSAGES, max_tokens=512)

    async def ours() -> Any:
        return await runtime.complete(Task.build(PROMPT))

    paths = {"bare litellm.acompletion": bare, "litellm.Router": via_litellm_router, "ours": ours}
    results = await _interleaved(paths, calls)
    _report(results, store)


def _without_rate_limits(config: RoutesConfig) -> RoutesConfig:
    # The shipped rpm limits (e.g. 4,000/min) would make this loop wait for
    # slots: that is the limiter working, not overhead. The limiter's own cost
    # (one Lua call) is still paid with rpm/tpm set this high.
    models = tuple(spec.model_copy(update={"rpm": 10**9, "tpm": 10**12}) for spec in config.models)
    return config.model_copy(update={"models": models})


def _report(results: dict[str, list[float]], store: Store) -> None:
    base = statistics.median(results["bare litellm.acompletion"])
    print(f"store: {store.settings.safe_url}; samples per path: {len(next(iter(results.values())))}")
    print(f"{'path':<26}{'p50 ms':>9}{'p90 ms':>9}{'overhead p50 ms':>17}")
    for name, samples in results.items():
        samples.sort()
        p50, p90 = statistics.median(samples), samples[int(len(samples) * 0.9)]
        print(f"{name:<26}{p50:>9.3f}{p90:>9.3f}{p50 - base:>17.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="'' for the embedded store")
    args = parser.parse_args()
    asyncio.run(_main(args.calls, args.redis or None))
