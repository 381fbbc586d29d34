"""A client that goes away while its answer is being made stops the provider call.

A non-streaming request holds no response open until the model answers, so nothing else would
notice that its client left: the call would run, bill and answer nobody. ``ClientWatch`` watches
the ASGI receive channel (once the body is read, the next message there is ``http.disconnect``)
and cancels the request's task when the client goes. The executor then settles what was spent
(the prompt's tokens once the request had left, else the hold is released, nothing having been
sent). ``unless_disconnected`` runs a call so. A stream keeps one watch from the wait for its
first event to its last chunk (``router._gateway._sse``): leaving part way cancels the body, and
with it the call (``router._streaming``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from starlette.requests import Request

from router._gateway._errors import ApiError

__all__ = ["CLIENT_GONE", "ClientWatch", "unless_disconnected", "until_gone"]

T = TypeVar("T")

CLIENT_GONE = 499
"""The status logged and counted for a request whose client left first (nginx's convention)."""


class ClientWatch:
    """Cancels the task that started it once the client disconnects, until ``stop``.

    The watched work runs in the request's own task and only the watch gets one of its own: a
    task per request fewer (``benchmarks/bench_disconnect.py`` measures what the watch adds).
    """

    __slots__ = ("_handler", "_stopped", "_task", "gone")

    def __init__(self, request: Request) -> None:
        handler = asyncio.current_task()
        assert handler is not None, "a ClientWatch runs in a task"
        self._handler = handler
        self._stopped = False
        self.gone = False
        self._task = asyncio.ensure_future(self._watch(request))

    async def _watch(self, request: Request) -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        if not self._stopped:
            self.gone = True
            self._handler.cancel()

    def stop(self) -> None:
        """Stop watching. Called with no await since the watched work ended, it leaves no cancel
        pending on the handler: the watch only cancels while not stopped, on the same loop."""
        self._stopped = True
        self._task.cancel()

    def consume(self) -> bool:
        """After a ``CancelledError``: True, with the cancel consumed, when this watch sent it
        (the client left); False when it came from outside (the server shutting down)."""
        if not self.gone:
            return False
        self._handler.uncancel()  # as asyncio.timeout does with its own
        return True


async def unless_disconnected(request: Request, call: Awaitable[T]) -> T:
    """``call``'s result, or ApiError 499 once the client has disconnected (``call`` cancelled)."""
    watch = ClientWatch(request)
    try:
        return await until_gone(watch, call)
    finally:
        watch.stop()


async def until_gone(watch: ClientWatch, call: Awaitable[T]) -> T:
    """``call``'s result, or ApiError 499 when ``watch`` saw the client leave first."""
    try:
        return await call
    except asyncio.CancelledError:
        if not watch.consume():
            raise  # not ours to turn into a reply
        raise ApiError(
            CLIENT_GONE, "the client disconnected before the answer", code="client_closed_request"
        ) from None
