"""Run a test body in two real processes at once, for state shared through Redis."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def in_two_processes(target: Callable[..., None], *args: object) -> list[Any]:
    """Run ``target(*args, barrier, queue)`` in two spawned processes; return what each put."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=target, args=(*args, ready, results)) for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=10)
        assert process.exitcode == 0
    return outcomes
