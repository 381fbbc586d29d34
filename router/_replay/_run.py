"""Run a replay over every core: the parent reads chunks, a process pool routes them.

The parent builds the routers and warms their tokenizers and language model before the
pool forks, so every worker starts with them loaded (shared copy-on-write, as the Celery
workers do). At most two chunks per worker are in flight, so memory stays flat however long
the workload; each chunk comes back as a small ``Tally``. Where ``fork`` is not available the
workers load the routes files themselves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from router._config import load_routes
from router._replay._route import Replayer
from router._replay._tally import Tally
from router._replay._workload import chunks
from router._warm import load_signals

_IN_FLIGHT_PER_WORKER = 2

_replayer: Replayer | None = None
"""The worker's replayer: inherited through fork, or built by ``_load`` after a spawn."""


def replay(workload: Path, routes: Sequence[Path], *, workers: int | None = None) -> Tally:
    """Tally every line of ``workload`` under each routes file (the new one first)."""
    global _replayer
    replayer = _warmed(Replayer([load_routes(path) for path in routes]))
    count = workers or available_cores()
    if count == 1:
        return _serial(replayer, workload)
    _replayer = replayer
    try:
        return _parallel(workload, routes, count)
    finally:
        _replayer = None


def available_cores() -> int:
    """The cores this process may run on (its affinity, where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _serial(replayer: Replayer, workload: Path) -> Tally:
    total = Tally()
    for first, data in chunks(workload):
        total.merge(replayer.tally(first, data))
    return total


def _parallel(workload: Path, routes: Sequence[Path], count: int) -> Tally:
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    if forking:
        pool = ProcessPoolExecutor(count, mp_context=context)
    else:
        pool = ProcessPoolExecutor(count, mp_context=context, initializer=_load, initargs=(tuple(routes),))
    total = Tally()
    pending: set[Future[Tally]] = set()
    with pool:
        for first, data in chunks(workload):
            if len(pending) >= count * _IN_FLIGHT_PER_WORKER:
                pending = _collect(pending, total, FIRST_COMPLETED)
            pending.add(pool.submit(_tally, first, data))
        _collect(pending, total, "ALL_COMPLETED")
    return total


def _collect(pending: set[Future[Tally]], total: Tally, until: str) -> set[Future[Tally]]:
    done, still = wait(pending, return_when=until)
    for future in done:
        total.merge(future.result())
    return still


def _tally(first: int, data: bytes) -> Tally:
    assert _replayer is not None, "the replay worker has no routers"
    return _replayer.tally(first, data)


def _load(routes: tuple[Path, ...]) -> None:
    global _replayer
    _replayer = _warmed(Replayer([load_routes(path) for path in routes]))


def _warmed(replayer: Replayer) -> Replayer:
    """Load every tokenizer and the signals' models now, once, rather than in each worker."""
    for router in replayer.routers:
        load_signals(router.config)
    return replayer
