"""The SSE body's chunks and where the response's writes fall: each delta as it comes, the end in one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, cast

from router._errors import RouterError
from router._gateway._sse import _body, _Chunks
from router._results import Completion
from router._streaming import StreamDelta, StreamDone, StreamEvent


async def _events(events: list[StreamEvent | Exception]) -> AsyncIterator[StreamEvent]:
    for event in events:
        if isinstance(event, Exception):
            raise event
        yield event


def _sent(first: StreamEvent, rest: list[StreamEvent | Exception]) -> list[tuple[list[Any], bool]]:
    """Each write's SSE payloads (parsed) and whether it closed the body."""

    async def collect() -> list[tuple[bytes, bool]]:
        return [item async for item in _body(first, _events(rest), _Chunks("chatcmpl-1", "m"), False)]

    writes = asyncio.run(collect())
    parsed = []
    for chunk, last in writes:
        lines = [line.removeprefix("data: ") for line in chunk.decode().split("\n\n") if line]
        parsed.append(([line if line == "[DONE]" else json.loads(line) for line in lines], last))
    return parsed


def _done() -> StreamDone:
    return StreamDone(cast(Completion, None))  # without include_usage the completion is not read


def test_each_delta_with_content_is_its_own_write_and_the_end_is_one_write() -> None:
    writes = _sent(
        StreamDelta(content="Three ", model="m"),
        [StreamDelta(content="bullets.", model="m"), StreamDelta(finish_reason="stop", model="m"), _done()],
    )
    assert [last for _, last in writes] == [False, False, True]
    first, second, end = (payloads for payloads, _ in writes)
    assert first[0]["choices"][0]["delta"] == {"role": "assistant", "content": "Three "}
    assert second[0]["choices"][0]["delta"] == {"content": "bullets."}
    assert end[0]["choices"][0]["finish_reason"] == "stop"
    assert end[1:] == ["[DONE]"]


def test_a_finish_reason_on_a_delta_with_content_is_not_held_back() -> None:
    writes = _sent(StreamDelta(content="All of it.", finish_reason="stop", model="m"), [_done()])
    assert [(len(payloads), last) for payloads, last in writes] == [(1, False), (1, True)]
    assert writes[0][0][0]["choices"][0]["delta"]["content"] == "All of it."


def test_a_delta_after_a_held_finish_reason_sends_the_held_one_first() -> None:
    writes = _sent(
        StreamDelta(finish_reason="stop", model="m"), [StreamDelta(content="more", model="m"), _done()]
    )
    assert [payloads[0]["choices"][0]["delta"].get("content") for payloads, _ in writes[:2]] == [None, "more"]
    assert writes[-1] == (["[DONE]"], True)


def test_a_failure_after_a_held_finish_reason_ends_the_body_with_both() -> None:
    writes = _sent(
        StreamDelta(content="partial", model="m"),
        [StreamDelta(finish_reason="length", model="m"), RouterError("the provider went away")],
    )
    payloads, last = writes[-1]
    assert last
    assert payloads[0]["choices"][0]["finish_reason"] == "length"
    assert payloads[1]["error"]["code"] == "stream_interrupted"
