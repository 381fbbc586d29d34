"""The embedded default: no Redis server, so the batch runs in this process.

With no ``ROUTER_REDIS_URL`` the job and its results live in the in-process
fakeredis store, and its chunks run on a few threads of this process through
the Celery task's own code (``Task.apply``: the task body, without a broker),
on this process's single event loop and Runtime, as in a worker. The provider
is always the simulated one: nothing leaves the machine.

Everything ends with the process, so ``router batch submit --wait`` also
writes the results to ``.router/jobs/<id>.jsonl`` (see the CLI).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from typing import Any

import structlog

from router._batch._context import WorkerContext, bind_context_to_thread
from router._batch._execute import Completer
from router._batch._submit import ChunkRange
from router._config import RoutesConfig
from router._state._store import Store

log = structlog.get_logger("router.batch")

EMBEDDED_THREADS = 4
"""Chunks run at once; the calls in flight are bounded by the context's semaphore."""


class EmbeddedRunner:
    """Runs queued chunks on daemon threads of this process."""

    def __init__(
        self, config: RoutesConfig, store: Store, *, in_flight: int, threads: int = EMBEDDED_THREADS
    ) -> None:
        self.config = config
        self.store = store
        self._queue: queue.Queue[tuple[str, int, int]] = queue.Queue()
        self._threads = threads
        self._started = False
        self._lock = threading.Lock()
        self.context = WorkerContext(store=store, runtime=self._simulated_runtime, in_flight=in_flight)

    def _simulated_runtime(self, store: Store) -> Completer:
        from router._runtime import Runtime

        runtime: Completer = Runtime.build(self.config, store=store, simulate=True)
        return runtime

    def __call__(self, job_id: str, ranges: Sequence[ChunkRange]) -> None:
        self._start()
        for start, stop in ranges:
            self._queue.put((job_id, start, stop))

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            for number in range(self._threads):
                threading.Thread(
                    target=self._work, name=f"router-batch-embedded-{number}", daemon=True
                ).start()
            self._started = True

    def _work(self) -> None:
        bind_context_to_thread(self.context)
        task = _embedded_task()
        while True:
            job_id, start, stop = self._queue.get()
            result = task.apply(args=(job_id, start, stop))
            if result.failed():
                log.error("batch.chunk_failed", job_id=job_id, start=start, error=repr(result.result))


_task: Any = None
_runners: dict[int, EmbeddedRunner] = {}
_lock = threading.Lock()


def _embedded_task() -> Any:
    global _task
    with _lock:
        if _task is None:
            from router._settings import Settings
            from workers.app import RUN_CHUNK, create_app

            # The runner's threads are bound to its context, so the app's settings go unused.
            _task = create_app(Settings.defaults(), broker="memory://").tasks[RUN_CHUNK]
        return _task


def embedded_runner(config: RoutesConfig, store: Store, *, in_flight: int) -> EmbeddedRunner:
    """The process's runner for this routes config (one event loop and Runtime each)."""
    with _lock:
        runner = _runners.get(id(config))
        if runner is None or runner.config is not config:
            runner = _runners[id(config)] = EmbeddedRunner(config, store, in_flight=in_flight)
        return runner
