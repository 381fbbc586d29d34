"""The batch task: hand one chunk of a job to this process's event loop.

The task is thin on purpose: what an item does lives in ``router._batch``,
so the embedded mode and the workers run the same code.
"""

from __future__ import annotations

import asyncio
from typing import Any

from celery import Celery, Task

from router._batch._context import current_context
from router._batch._execute import ChunkReport, run_chunk
from router._errors import StoreUnavailable
from router._settings import Settings
from router._state._store import STORE_ERRORS

RETRY_ON: tuple[type[BaseException], ...] = (StoreUnavailable, TimeoutError, *STORE_ERRORS)
"""Infrastructure errors: the chunk is retried later and skips the items already done."""

CHUNK_DEADLINE_SHARE = 0.8
"""A chunk stops at this share of the visibility timeout, so Redis never redelivers a live chunk."""


def chunk_deadline_s(app: Celery) -> float:
    options: dict[str, Any] = app.conf.broker_transport_options or {}
    return float(options.get("visibility_timeout", 3600)) * CHUNK_DEADLINE_SHARE


def execute_chunk(
    job_id: str, start: int, stop: int, *, settings: Settings, deadline_s: float
) -> ChunkReport:
    """Run the chunk on the process's event loop and wait for it."""
    context = current_context(settings)
    return context.run(lambda env: asyncio.wait_for(run_chunk(env, job_id, start, stop), deadline_s))


def register(app: Celery) -> Task:
    """Define the batch task on ``app``."""
    from workers.app import RUN_CHUNK, app_settings

    @app.task(  # type: ignore[untyped-decorator]  # Celery ships no type hints
        name=RUN_CHUNK,
        # Not shared: each app gets its own task object instead of every app's closures.
        shared=False,
        bind=True,
        autoretry_for=RETRY_ON,
        retry_backoff=1,
        retry_backoff_max=60,
        retry_jitter=True,
        max_retries=60,
    )
    def run_chunk_task(self: Task, job_id: str, start: int, stop: int) -> dict[str, int]:
        report = execute_chunk(
            job_id, start, stop, settings=app_settings(self.app), deadline_s=chunk_deadline_s(self.app)
        )
        return {"done": report.done, "skipped": report.skipped}

    task: Task = run_chunk_task
    return task
