"""Server-sent events in OpenAI's ``chat.completion.chunk`` format.

The first event is awaited before the response starts: until then fallback runs and a failure
is an ordinary JSON error with its status, and the explain headers can name the model that is
answering. Afterwards each delta is one ``data:`` line; with ``stream_options.include_usage``
a last chunk with empty ``choices`` carries the usage (and, under ``x_router``, the cost and the
attempts); then ``data: [DONE]``. A failure after the first token is sent as an ``error`` event,
which OpenAI's clients raise.

One ``ClientWatch`` covers the request from the wait for the first event to the last chunk: a
client that goes away cancels the body, and with it the provider call, which bills what was
spent. The response is written as plain ASGI messages (``EventStream``) rather than through
Starlette's ``StreamingResponse``, which under uvicorn (ASGI 2.3) runs each stream in an anyio
task group with a second watch of its own: that group's start delayed the first token by a
loop turn and cost tasks per stream.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from router._errors import RouterError
from router._gateway._chat import completion_id, usage_body
from router._gateway._disconnect import ClientWatch, until_gone
from router._results import Completion
from router._streaming import StreamDelta, StreamDone, StreamEvent


async def stream_response(
    request: Request,
    events: AsyncIterator[StreamEvent],
    request_id: str,
    include_usage: bool,
    headers: dict[str, str],
) -> Response:
    """Wait for the first event (errors still become JSON responses), then stream the rest.

    The wait stops the call if the client leaves meanwhile (a model slow to start its answer).
    """
    watch = ClientWatch(request)
    try:
        first = await until_gone(watch, anext(events))
    except BaseException:
        watch.stop()
        raise
    model = first.model if isinstance(first, StreamDelta) else first.completion.model
    body = _body(first, events, _Chunks(completion_id(request_id), model), include_usage)
    headers = {**headers, "x-router-model": model, "cache-control": "no-cache"}
    return EventStream(body, watch, headers)


class EventStream(Response):
    """``body``'s chunks as an SSE response, each sent as soon as it is made."""

    media_type = "text/event-stream"

    def __init__(
        self, body: AsyncIterator[tuple[bytes, bool]], watch: ClientWatch, headers: dict[str, str]
    ) -> None:
        self.body_iterator = body
        self.watch = watch
        self.status_code = 200
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            async for chunk, last in self.body_iterator:
                # The last chunk closes the body in the same write (uvicorn joins the chunked
                # encoding's terminator to it): one send to the socket fewer per stream.
                await send({"type": "http.response.body", "body": chunk, "more_body": not last})
        except asyncio.CancelledError:
            if not self.watch.consume():
                raise
            # The client left: the body's ``finally`` has closed the call, which bills what it spent.
        finally:
            self.watch.stop()
            await self.body_iterator.aclose()  # type: ignore[attr-defined]


class _Chunks:
    def __init__(self, chunk_id: str, model: str) -> None:
        self.base = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }
        self.first = True

    def delta(self, delta: StreamDelta) -> bytes:
        body: dict[str, Any] = {}
        if self.first:
            body["role"] = "assistant"
            self.first = False
        if delta.content is not None:
            body["content"] = delta.content
        if delta.tool_calls:
            body["tool_calls"] = [dict(call) for call in delta.tool_calls]
        choice = {"index": 0, "delta": body, "finish_reason": delta.finish_reason, "logprobs": None}
        return _event({**self.base, "choices": [choice]})

    def usage(self, completion: Completion) -> bytes:
        extra = {"cost_usd": completion.cost_usd, "attempts": len(completion.attempts)}
        return _event({**self.base, "choices": [], "usage": usage_body(completion.usage), "x_router": extra})


async def _body(
    first: StreamEvent, rest: AsyncIterator[StreamEvent], chunks: _Chunks, include_usage: bool
) -> AsyncIterator[tuple[bytes, bool]]:
    """Each chunk to send, and whether it is the last.

    A delta that only says why the answer ended is held back and sent with what follows it
    (the usage chunk and ``[DONE]``, which come at once): the end of a stream is one write
    to the client, not three, and no content waits for it.
    """
    held = b""
    try:
        event: StreamEvent | None = first
        while event is not None:
            if isinstance(event, StreamDone):
                if include_usage:
                    held += chunks.usage(event.completion)
                break
            if held:
                yield held, False
                held = b""
            if _ends_only(event):
                held = chunks.delta(event)
            else:
                yield chunks.delta(event), False
            event = await anext(rest, None)
        yield held + b"data: [DONE]\n\n", True
    except RouterError as error:
        failure = {"message": error.message, "type": "api_error", "param": None, "code": "stream_interrupted"}
        yield held + _event({"error": failure}), True
    finally:
        await rest.aclose()  # type: ignore[attr-defined]


def _ends_only(delta: StreamDelta) -> bool:
    """A delta with a finish reason and nothing else to show."""
    return delta.finish_reason is not None and not delta.content and not delta.tool_calls


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"
