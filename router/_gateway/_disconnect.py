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
    """``call``'s result, or ApiError 499 once the client has disconnected (``call`` cancelled)."""
    work = asyncio.ensure_future(call)
    watch = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait((work, watch), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watch.cancel()
        if not work.done():
            work.cancel()  # the client left (or this handler was cancelled): stop the call
        await asyncio.gather(watch, work, return_exceptions=True)
    if work.cancelled():
        raise ApiError(CLIENT_GONE, "the client disconnected before the answer", code="client_closed_request")
    return work.result()


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
