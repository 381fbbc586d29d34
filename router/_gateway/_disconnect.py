"""A client that goes away while its answer is being made stops the provider call.

A non-streaming request holds no response open until the model answers, so nothing else would
notice that its client left: the call would run, bill and answer nobody. ``unless_disconnected``
runs the call beside a watch on the ASGI receive channel (once the body is read, the next
message there is ``http.disconnect``) and cancels the call when the client goes. The executor
then settles what was spent (the prompt's tokens once the request had left, else the hold is
released, nothing having been sent). A stream waits so for its first event; once it has started,
Starlette's ``StreamingResponse`` cancels its body when the client goes, and with it the call
(``router._streaming``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from starlette.requests import Request

from router._gateway._errors import ApiError

__all__ = ["CLIENT_GONE", "unless_disconnected"]

T = TypeVar("T")

CLIENT_GONE = 499
"""The status logged and counted for a request whose client left first (nginx's convention)."""


async def unless_disconnected(request: Request, call: Awaitable[T]) -> T:
    """``call``'s result, or ApiError 499 once the client has disconnected (``call`` cancelled).

    ``call`` runs in this task and only the watch gets one of its own: a task per request fewer
    (``benchmarks/bench_disconnect.py`` measures what the watch adds).
    """
    handler = asyncio.current_task()
    assert handler is not None, "unless_disconnected runs in a task"
    state = _Watch()
    watch = asyncio.ensure_future(_cancel_when_gone(request, handler, state))
    try:
        result = await call
        state.answered = True  # before any other await: the watch cannot cancel the handler now
        return result
    except asyncio.CancelledError:
        if not state.gone:
            raise  # cancelled from outside (the server shutting down): not ours to turn into a reply
        handler.uncancel()  # the watch's cancel is consumed here, as asyncio.timeout does with its own
        raise ApiError(
            CLIENT_GONE, "the client disconnected before the answer", code="client_closed_request"
        ) from None
    finally:
        watch.cancel()


class _Watch:
    __slots__ = ("answered", "gone")

    def __init__(self) -> None:
        self.answered = False
        self.gone = False


async def _cancel_when_gone(request: Request, handler: asyncio.Task[object], state: _Watch) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
    if not state.answered:
        state.gone = True
        handler.cancel()
