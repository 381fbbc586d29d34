"""The embedded default: no Redis server, so the batch runs in this process.

With no ``ROUTER_REDIS_URL`` the job and its results live in the in-process
fakeredis store, and its chunks run on a few threads of this process through
the chunk runner (``_runner``) that the Celery task calls in a worker, on this
process's single event loop and Runtime. No Celery app is made. The provider is
always the simulated one: nothing leaves the machine.

Everything ends with the process, so ``router batch submit --wait`` also
writes the results to ``.router/jobs/<id>.jsonl`` (see the CLI).
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Sequence

import structlog

from router._batch._context import WorkerContext
from router._batch._execute import Completer
from router._batch._runner import RETRY_ON, chunk_deadline_s, execute_chunk
from router._batch._submit import ChunkRange
from router._config import RoutesConfig
from router._settings import Settings
from router._state._store import Store

log = structlog.get_logger("router.batch")

EMBEDDED_THREADS = 4
"""Chunks run at once; the calls in flight are bounded by the context's semaphore."""
RETRIES = 5
"""Times a chunk that met an infrastructure error is run again (a worker's task retries likewise)."""


class EmbeddedRunner:
    """Runs queued chunks on daemon threads of this process."""

    def __init__(
        self, config: RoutesConfig, store: Store, settings: Settings, *, threads: int = EMBEDDED_THREADS
    ) -> None:
        self.config = config
        self.store = store
        self._deadline_s = chunk_deadline_s(settings.batch_visibility_timeout_s)
        self._queue: queue.Queue[tuple[str, int, int]] = queue.Queue()
        self._threads = threads
        self._started = False
        self._lock = threading.Lock()
        self.context = WorkerContext(
            store=store, runtime=self._simulated_runtime, in_flight=settings.batch_in_flight
        )

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
        while True:
            job_id, start, stop = self._queue.get()
            self._run(job_id, start, stop)

    def _run(self, job_id: str, start: int, stop: int) -> None:
        for retry in range(RETRIES + 1):
            try:
                execute_chunk(self.context, job_id, start, stop, deadline_s=self._deadline_s)
                return
            except RETRY_ON as exc:
                if retry == RETRIES:
                    log.error("batch.chunk_failed", job_id=job_id, start=start, error=repr(exc))
                    return
                # The items already finished are skipped when the chunk runs again.
                time.sleep(min(2**retry, 10) * random.random())
            except Exception as exc:
                log.error("batch.chunk_failed", job_id=job_id, start=start, error=repr(exc))
                return


_runners: dict[int, EmbeddedRunner] = {}
_lock = threading.Lock()


def embedded_runner(config: RoutesConfig, store: Store, settings: Settings) -> EmbeddedRunner:
    """The process's runner for this routes config (one event loop and Runtime each)."""
    with _lock:
        runner = _runners.get(id(config))
        if runner is None or runner.config is not config:
            runner = _runners[id(config)] = EmbeddedRunner(config, store, settings)
        return runner
