"""Server-sent events in OpenAI's ``chat.completion.chunk`` format.

The first event is awaited before the response starts: until then fallback runs and a failure
is an ordinary JSON error with its status, and the explain headers can name the model that is
answering. Afterwards each delta is one ``data:`` line; with ``stream_options.include_usage``
a last chunk with empty ``choices`` carries the usage (and, under ``x_router``, the cost and the
attempts); then ``data: [DONE]``. A failure after the first token is sent as an ``error`` event,
which OpenAI's clients raise. A client that goes away cancels the generator, and with it the
provider call.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import StreamingResponse

from router._errors import RouterError
from router._gateway._chat import completion_id, usage_body
from router._gateway._disconnect import unless_disconnected
from router._results import Completion
from router._streaming import StreamDelta, StreamDone, StreamEvent


async def stream_response(
    request: Request,
    events: AsyncIterator[StreamEvent],
    request_id: str,
    include_usage: bool,
    headers: dict[str, str],
) -> StreamingResponse:
    """Wait for the first event (errors still become JSON responses), then stream the rest.

    Until the response starts nothing else watches the client, so the wait for the first event
    stops the call if the client leaves meanwhile (a model slow to start its answer).
    """
    first = await unless_disconnected(request, anext(events))
    model = first.model if isinstance(first, StreamDelta) else first.completion.model
    body = _body(first, events, _Chunks(completion_id(request_id), model), include_usage)
    headers = {**headers, "x-router-model": model, "cache-control": "no-cache"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


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
) -> AsyncIterator[bytes]:
    try:
        event: StreamEvent | None = first
        while event is not None:
            if isinstance(event, StreamDone):
                if include_usage:
                    yield chunks.usage(event.completion)
                break
            yield chunks.delta(event)
            event = await anext(rest, None)
        yield b"data: [DONE]\n\n"
    except RouterError as error:
        yield _event(
            {
                "error": {
                    "message": error.message,
                    "type": "api_error",
                    "param": None,
                    "code": "stream_interrupted",
                }
            }
        )
    finally:
        await rest.aclose()  # type: ignore[attr-defined]


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"
