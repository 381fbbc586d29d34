"""Server-sent events in OpenAI's ``chat.completion.chunk`` format.

The response starts with the first event: until then fallback runs and a failure is an
ordinary JSON error with its status, and the explain headers can name the model that is
answering. Afterwards each delta is one ``data:`` line; with ``stream_options.include_usage``
a last chunk with empty ``choices`` carries the usage (and, under ``x_router``, the cost and the
attempts); then ``data: [DONE]``. A failure after the first token is sent as an ``error`` event,
which OpenAI's clients raise.

The call runs in the request's own task, and its deltas are written from there as the provider
adapter passes them on (``router._streaming.Sink``): no second task, queue or loop turn stands
between the provider's first chunk and the client's. One ``ClientWatch`` covers the request from
the call's start to the last chunk: a client that goes away cancels the request's task, and with
it the provider call, which bills what was spent. The response is written as plain ASGI
messages rather than through Starlette's ``StreamingResponse``, which under uvicorn (ASGI 2.3)
runs each stream in an anyio task group with a second watch of its own.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from router._errors import RouterError
from router._gateway._chat import completion_id, usage_body
from router._gateway._disconnect import ClientWatch, client_gone
from router._results import Completion
from router._streaming import Sink, StreamDelta


async def stream_response(
    request: Request,
    run: Callable[[Sink], Awaitable[Completion]],
    request_id: str,
    include_usage: bool,
    headers: dict[str, str],
) -> Response:
    """Run the call (``run``, a ``Runtime.stream_into``) in this task, its deltas written to the
    client as they come; errors before the first one still become JSON responses.

    The response has been sent when this returns (``SentStream``). A client that leaves before
    the first event stops the call too (a model slow to start its answer).
    """
    send: Send = request._send  # the ASGI send of this request, as Starlette keeps it
    writer = _Writer(send, headers, completion_id(request_id), include_usage)
    watch = ClientWatch(request)
    try:
        completion = await run(Sink(deliver=writer.delta))
        await writer.done(completion)
    except asyncio.CancelledError:
        if not watch.consume():
            raise  # not ours: the server is shutting down
        if writer.response is None:
            raise client_gone() from None
        # The client left: the call was cancelled in this task and billed what it spent.
    except RouterError as error:
        if writer.response is None:
            raise
        await writer.fail(error)
    finally:
        watch.stop()
    assert writer.response is not None
    return writer.response


class SentStream(Response):
    """An SSE response whose head and chunks ``_Writer`` has sent already."""

    media_type = "text/event-stream"

    def __init__(self, headers: dict[str, str]) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers(headers)
        self.answered_at = time.perf_counter()
        """When the head went out with the first chunk: the request's latency for the metrics."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


class _Writer:
    """Writes a stream's events as SSE chunks, each as soon as it is made.

    The head goes out with the first chunk, in the same turn (``router._gateway._writes`` joins
    them into one write). A delta that only says why the answer ended is held back and sent with
    what follows it (the usage chunk and ``[DONE]``, which come at once): the end of a stream is
    one write to the client, not three, and no content waits for it. The last write closes the
    body (uvicorn joins the chunked encoding's terminator to it).
    """

    def __init__(self, send: Send, headers: dict[str, str], chunk_id: str, include_usage: bool) -> None:
        self._send = send
        self._headers = headers
        self._chunk_id = chunk_id
        self._include_usage = include_usage
        self._chunks: _Chunks | None = None
        self._held = b""
        self.response: SentStream | None = None
        """Set once the response has started."""

    async def delta(self, delta: StreamDelta) -> None:
        chunks = self._chunks or await self._start(delta.model)
        if self._held:
            await self._body(self._held)
            self._held = b""
        if _ends_only(delta):
            self._held = chunks.delta(delta)
        else:
            await self._body(chunks.delta(delta))

    async def done(self, completion: Completion) -> None:
        chunks = self._chunks or await self._start(completion.model)
        usage = chunks.usage(completion) if self._include_usage else b""
        await self._body(self._held + usage + b"data: [DONE]\n\n", last=True)

    async def fail(self, error: RouterError) -> None:
        failure = {"message": error.message, "type": "api_error", "param": None, "code": "stream_interrupted"}
        await self._body(self._held + _event({"error": failure}), last=True)

    async def _start(self, model: str) -> _Chunks:
        self.response = SentStream({**self._headers, "x-router-model": model, "cache-control": "no-cache"})
        await self._send({"type": "http.response.start", "status": 200, "headers": self.response.raw_headers})
        self._chunks = _Chunks(self._chunk_id, model)
        return self._chunks

    async def _body(self, chunk: bytes, *, last: bool = False) -> None:
        await self._send({"type": "http.response.body", "body": chunk, "more_body": not last})


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


def _ends_only(delta: StreamDelta) -> bool:
    """A delta with a finish reason and nothing else to show."""
    return delta.finish_reason is not None and not delta.content and not delta.tool_calls


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"
