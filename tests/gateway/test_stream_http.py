"""The full chat surface through ``router serve``: streams, tool calls and JSON schemas."""

from __future__ import annotations

import json
import time

import openai
import pytest

from router._ledger._read import find_records
from router._state._store import Store, StoreSettings
from tests.gateway.conftest import Gateway, MakeKey
from tests.support.openai_server import OpenAIServer, ok, server_error, streamed, tool_call

pytestmark = pytest.mark.slow

HELLO = [{"role": "user", "content": "Please summarise the weekly status report in two sentences."}]
TOOL = {
    "type": "function",
    "function": {
        "name": "order_status",
        "description": "Look up an order",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
    },
}


def _ledger(redis_url: str, request_id: str) -> list[object]:
    for _ in range(100):  # the ledger write follows the answer: wait for it, boundedly
        found = find_records(Store(StoreSettings(url=redis_url)), request_id=request_id)
        if found:
            return list(found)
        time.sleep(0.05)
    return []


def test_a_streamed_call_yields_deltas_then_the_usage_chunk_and_settles_from_it(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey, redis_url: str
) -> None:
    upstream.script("test-model-a", ok("one two three four", prompt_tokens=21, completion_tokens=5))
    raw = gateway.client(make_key()).chat.completions.with_raw_response.create(
        model="auto", messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(raw.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three four"
    assert {c.model for c in chunks} == {"alpha"}
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (21, 5)
    assert upstream.requests[-1].body["stream_options"] == {"include_usage": True}
    [record] = _ledger(redis_url, raw.headers["x-request-id"])
    assert (record.prompt_tokens, record.completion_tokens) == (21, 5)  # type: ignore[attr-defined]


def test_a_stream_falls_back_until_the_first_token(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", server_error(500))
    upstream.script("test-model-b", ok("from beta"))
    stream = gateway.client(make_key()).chat.completions.create(model="auto", messages=HELLO, stream=True)
    chunks = list(stream)
    assert {c.model for c in chunks} == {"beta"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "from beta"


def test_a_stream_that_breaks_after_its_first_token_ends_with_an_error_and_no_fallback(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", streamed(ok("a b c d e f g h"), break_after=3))
    before = len(upstream.requests)
    stream = gateway.client(make_key()).chat.completions.create(model="auto", messages=HELLO, stream=True)
    with pytest.raises(openai.APIError, match="after the answer had started"):
        list(stream)
    assert [r.model for r in upstream.requests[before:]] == ["test-model-a"]


def test_a_tool_call_round_trip(gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey) -> None:
    upstream.script("test-model-a", tool_call("order_status", '{"order_id": "A-17"}'), ok("It shipped."))
    client = gateway.client(make_key())
    messages: list[dict[str, object]] = [{"role": "user", "content": "Where is order A-17?"}]
    first = client.chat.completions.create(model="auto", messages=messages, tools=[TOOL])  # type: ignore[arg-type]
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert (call.function.name, json.loads(call.function.arguments)) == ("order_status", {"order_id": "A-17"})
    assert upstream.requests[-1].body["tools"] == [TOOL]
    messages += [
        choice.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": '{"status": "shipped"}'},
    ]
    second = client.chat.completions.create(model="auto", messages=messages, tools=[TOOL])  # type: ignore[arg-type]
    assert second.choices[0].message.content == "It shipped."
    assert upstream.requests[-1].body["messages"][-1]["role"] == "tool"


def test_a_streamed_tool_call_arrives_as_delta_fragments(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", tool_call("order_status", '{"order_id": "A-17"}'))
    stream = gateway.client(make_key()).chat.completions.create(
        model="auto",
        messages=HELLO,
        tools=[TOOL],
        stream=True,  # type: ignore[list-item]
    )
    calls = [call for c in stream if c.choices for call in (c.choices[0].delta.tool_calls or [])]
    assert calls
    assert calls[0].function is not None
    assert calls[0].function.name == "order_status"


def test_a_json_schema_response_format_reaches_the_model(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    schema = {"type": "json_schema", "json_schema": {"name": "s", "schema": {"type": "object"}}}
    upstream.script("test-model-a", ok('{"summary": "fine"}'))
    reply = gateway.client(make_key()).chat.completions.create(
        model="auto",
        messages=HELLO,
        response_format=schema,
        temperature=0.1,
        seed=7,  # type: ignore[arg-type]
    )
    assert json.loads(reply.choices[0].message.content or "") == {"summary": "fine"}
    sent = upstream.requests[-1].body
    assert (sent["response_format"], sent["temperature"], sent["seed"]) == (schema, 0.1, 7)


def test_a_card_number_in_a_tool_result_goes_only_to_the_cleared_model(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    before = len(upstream.requests)
    messages = [
        {"role": "user", "content": "What card is on file?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "order_status", "arguments": "{}"}}
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": "card 4111 1111 1111 1111"},
    ]  # fmt: skip
    with pytest.raises(openai.PermissionDeniedError):
        gateway.client(make_key()).chat.completions.create(model="beta", messages=messages, tools=[TOOL])  # type: ignore[arg-type]
    assert len(upstream.requests) == before
