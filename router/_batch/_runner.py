"""The chunk runner: one chunk of a job on the process's event loop, within a deadline.

Both ways of running a batch call it: the Celery task (``_celery``) in a worker
process, and the embedded runner (``_embedded``) on a thread of the submitting
process. What an item does lives in ``_execute``; this module only hands the
chunk to the process's loop and says which failures mean "try the chunk again".
"""

from __future__ import annotations

import asyncio

from router._batch._context import WorkerContext
from router._batch._execute import ChunkReport, run_chunk
from router._errors import StoreUnavailable
from router._state._store import STORE_ERRORS

RETRY_ON: tuple[type[BaseException], ...] = (StoreUnavailable, TimeoutError, *STORE_ERRORS)
"""Infrastructure errors: the chunk is run again later and skips the items already done."""

CHUNK_DEADLINE_SHARE = 0.8
"""A chunk stops at this share of the visibility timeout, so Redis never redelivers a live chunk."""


def chunk_deadline_s(visibility_timeout_s: float) -> float:
    """How long one chunk may run: a share of the broker's visibility timeout."""
    return visibility_timeout_s * CHUNK_DEADLINE_SHARE


def execute_chunk(
    context: WorkerContext,
    job_id: str,
    start: int,
    stop: int,
    *,
    deadline_s: float,
    delivery: str | None = None,
) -> ChunkReport:
    """Run the chunk's items on the context's event loop and wait for them (from any other thread)."""
    return context.run(
        lambda env: asyncio.wait_for(run_chunk(env, job_id, start, stop, delivery), deadline_s)
    )
