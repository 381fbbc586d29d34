"""Work that follows a call's answer without holding the answer up.

Once a model has answered, its budget hold is settled, its ledger record written
and its circuit told of the success. Each is a Redis round trip. Awaited before
returning, they also let litellm's own success logging for that call (CPU work
it schedules the moment the response arrives) run first, so the caller waited
for both. The runtime hands them to background tasks here and returns at once.

Nothing is lost by waiting: a budget keeps its worst-case hold a moment longer
(erring on the side of spending less), and a ledger write cancelled before it
finished (``asyncio.run`` ending with it pending, say) goes to the spool file and
is replayed by a later write, as when Redis is down. ``drain()`` waits for the pending work of
the running loop; ``Client.close``, ``AsyncClient.aclose`` and ``flush`` call it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

__all__ = ["Afterwards"]

log = structlog.get_logger("router.calls")


class Afterwards:
    """Background tasks for the bookkeeping that follows answers."""

    def __init__(self) -> None:
        # Tasks hold no strong reference to themselves: this set keeps them alive until done.
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(
        self, work: Coroutine[Any, Any, Any], what: str, *, if_cancelled: Callable[[], None] | None = None
    ) -> None:
        """Run ``work`` on the running loop, after the caller has its answer.

        ``if_cancelled`` runs when the task is cancelled, even before it started
        (a coroutine cancelled before its first step never runs its own handlers).
        """
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, what, if_cancelled))

    async def drain(self) -> None:
        """Wait until the bookkeeping started on the running loop is done."""
        loop = asyncio.get_running_loop()
        while pending := [task for task in self._tasks.copy() if task.get_loop() is loop]:
            await asyncio.gather(*pending, return_exceptions=True)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def _finished(self, task: asyncio.Task[Any], what: str, if_cancelled: Callable[[], None] | None) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            if if_cancelled is not None:
                if_cancelled()
            return
        if task.exception() is None:
            return
        error = task.exception()
        # The error names the store or the budget, never a prompt; the budget hold expires by itself.
        log.warning("call.bookkeeping_failed", work=what, error_type=type(error).__name__, error=str(error))
