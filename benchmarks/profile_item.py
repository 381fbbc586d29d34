"""The worker-side path of one batch item, in one process, for a repeatable count of its cost.

Runs a job's chunks through the worker's own chunk runner (``execute_chunk`` on a
``WorkerContext``: decision, admission, the simulated call through litellm, the finish
script, the ledger), without Celery, on a private Redis; or, with ``--bare``, the bare
``litellm.acompletion`` loop ``bench_batch.py --parts cost`` compares against (the router's
keywords). ``--no-provider`` replaces the litellm call by a fixed answer: the router's own
cost alone. After a warm-up job it measures one job of ``--items`` items:

- CPU seconds per item (the process's, every thread): printed;
- ``--cprofile FILE``: cProfile of the event loop's thread over the measured job, timed by the
  thread's CPU clock. Its function call counts per item do not move with the machine's load;
  its times move less than wall-clock times would;
- callgrind: the process calls ``os.getpriority`` just before the measured job and
  ``os.getsid`` just after it, so with ``--zero-before=getpriority --dump-before=getsid`` the
  dump holds the instructions of that job alone. Under valgrind, lower the calls in flight
  (``ROUTER_BATCH_IN_FLIGHT=4``): with 64 items sharing the loop 50 times slower, a Redis
  reply waits past its 5 s deadline.

    ROUTER_REDIS_URL=redis://127.0.0.1:7451/0 .venv/bin/python benchmarks/profile_item.py \
        --items 2000 --cprofile /tmp/item.prof

The Redis database named by ``ROUTER_REDIS_URL`` is flushed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.bench_batch import BARE_MODEL, IN_FLIGHT, PROMPTS, routes_file  # noqa: E402


def _mark_start() -> None:
    os.getpriority(os.PRIO_PROCESS, 0)  # callgrind --zero-before=getpriority


def _mark_end() -> None:
    os.getsid(0)  # callgrind --dump-before=getsid


def worker_path(items: int, warm: int, profile: str | None, *, no_provider: bool = False) -> float:
    """CPU seconds per item of the measured job through the chunk runner."""
    import redis

    from router._batch._context import WorkerContext, collect_less_often
    from router._batch._runner import execute_chunk
    from router._batch._sdk import submit_batch
    from router._config import load_routes
    from router._logging import configure
    from router._settings import Settings
    from router._warm import freeze_preloaded, preload

    configure("error")
    settings = Settings.load()
    redis.Redis.from_url(str(settings.redis_url)).flushdb()
    config = load_routes(settings.routes)
    # As a worker process does before it consumes: every tokenizer and language model loaded, so
    # the first items of the warm-up job do not hold the loop while their neighbours' Redis
    # replies wait (their 5 s deadline passes on a loaded machine).
    preload(config)
    freeze_preloaded()
    context = WorkerContext.from_settings(settings)
    context.warm_up()
    collect_less_often()
    if no_provider:
        _answer_at_once(context.env().runtime)

    def job(count: int) -> None:
        chunks: list[tuple[str, Sequence[tuple[int, int]]]] = []
        prompts = ({"prompt": PROMPTS[i % 4].format(i=i)} for i in range(count))
        submit_batch(
            context.store, config, prompts, settings=settings, dispatch=lambda j, r: chunks.append((j, r))
        )
        for job_id, ranges in chunks:
            for start, stop in ranges:
                execute_chunk(context, job_id, start, stop, deadline_s=600)

    job(warm)
    profiler = _profiler() if profile else None
    if profiler is not None:
        context.submit(_enable(profiler)).result()
    _mark_start()
    cpu = time.process_time()
    job(items)
    used = time.process_time() - cpu
    _mark_end()
    if profiler is not None:
        context.submit(_disable(profiler)).result()
        profiler.dump_stats(str(profile))
    context.close()
    redis.Redis.from_url(str(settings.redis_url)).flushdb()
    return used / items


def _answer_at_once(runtime: object) -> None:
    """Replace the simulated provider's litellm call by a fixed answer: the router's own cost alone."""
    from router._results import ProviderResponse, Usage

    async def acomplete(*args: object, **kwargs: object) -> ProviderResponse:
        usage = Usage(prompt_tokens=13, completion_tokens=30)
        return ProviderResponse(content="A fixed answer.", usage=usage, cost_usd=1e-05, simulated=True)

    runtime.executor.provider.acomplete = acomplete  # type: ignore[attr-defined]


def _profiler() -> cProfile.Profile:
    # The thread's CPU clock, not the wall clock: on a shared machine a call the scheduler
    # preempts (a socket send waking Redis) would otherwise be charged the time others ran.
    return cProfile.Profile(time.thread_time)


async def _enable(profiler: cProfile.Profile) -> None:
    profiler.enable()  # on the loop's thread, where the items run


async def _disable(profiler: cProfile.Profile) -> None:
    profiler.disable()


def bare(items: int, warm: int, profile: str | None) -> float:
    """CPU seconds per item of bench_batch's bare loop with the router's keywords."""
    from router._config import load_routes
    from router._pricing import resolve
    from router._providers._litellm_import import load_litellm
    from router._providers._simulator import SimulatedProvider, register_handler

    register_handler()
    litellm = load_litellm()
    routes = load_routes(str(PROJECT_ROOT / "routes.yaml"))
    spec = next(model for model in routes.models if model.name == BARE_MODEL)
    keywords = SimulatedProvider(latency=False).request_kwargs(resolve(spec))

    async def main() -> float:
        slots = asyncio.Semaphore(IN_FLIGHT)

        async def one(i: int) -> None:
            async with slots:
                content = PROMPTS[i % 4].format(i=i)
                await litellm.acompletion(
                    messages=[{"role": "user", "content": content}], max_tokens=64, **keywords
                )

        await asyncio.gather(*(one(i) for i in range(warm)))
        profiler = _profiler() if profile else None
        if profiler is not None:
            profiler.enable()
        _mark_start()
        cpu = time.process_time()
        await asyncio.gather(*(one(i) for i in range(items)))
        used = time.process_time() - cpu
        _mark_end()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))
        return used / items

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--bare", action="store_true", help="the bare litellm loop instead")
    parser.add_argument("--cprofile", help="write cProfile stats of the measured job here")
    parser.add_argument(
        "--no-provider",
        action="store_true",
        help="a fixed answer instead of the litellm call (the router alone)",
    )
    args = parser.parse_args()
    for name, value in {
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "ROUTER_SIMULATE": "1",
        "ROUTER_LOG_LEVEL": "error",
    }.items():
        os.environ.setdefault(name, value)
    if args.bare:
        cpu = bare(args.items, args.warm, args.cprofile)
    else:
        if not os.environ.get("ROUTER_REDIS_URL"):
            raise SystemExit("set ROUTER_REDIS_URL to a private Redis database this may flush")
        with tempfile.TemporaryDirectory(prefix="profile-item-") as directory:
            os.environ.setdefault("ROUTER_ROUTES", str(routes_file(Path(directory), 0)))
            os.environ.setdefault("ROUTER_HOME", str(Path(directory) / "home"))
            cpu = worker_path(args.items, args.warm, args.cprofile, no_provider=args.no_provider)
    label = "bare loop" if args.bare else "worker path"
    print(f"{label}: {cpu * 1000:.3f} ms CPU per item ({args.items} items)")


if __name__ == "__main__":
    main()
