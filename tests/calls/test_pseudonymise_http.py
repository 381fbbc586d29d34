"""Pseudonymise and restore over real HTTP: litellm talks to the local OpenAI-compatible server.

The server records every request body as it arrived: none holds an original value, and the
caller still reads them in the answer, complete and streamed. Redis (the shared state and the
ledger) is the real server; nothing there holds an original either.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router._config import parse_routes
from router._runtime import Runtime
from router._state._store import Store, StoreSettings
from router._streaming import StreamDelta, StreamDone
from router._task import Task
from tests.calls.conftest import ROUTES
from tests.support.openai_server import OpenAIServer, ok, server_error, tool_call

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

A, B = "test-model-a", "test-model-b"
TICKET = (
    "Mrs Helena Shaw (helena.shaw@example.com) lives at 12 Rue Mouffetard and was born on "
    "3 March 1961. Please draft a reply to Helena Shaw about her late parcel."
)
ORIGINALS = ("Helena", "Shaw", "helena.shaw@example.com", "Mouffetard", "3 March 1961")
ANSWER = "Dear <PERSON_1>, we will write to <EMAIL_1> at <STREET_ADDRESS_1> today."
RESTORED = "Dear Helena Shaw, we will write to helena.shaw@example.com at 12 Rue Mouffetard today."


@pytest.fixture
def runtime(openai_server: OpenAIServer, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-not-a-real-key")
    text = (
        ROUTES.format(url=openai_server.url, deadline=10.0)
        .replace('{name: default, pool: "*"}', '{name: default, pool: "*", pseudonymise: [confidential]}')
        .replace("context_window: 100000}", "context_window: 100000, capabilities: [chat, tools]}")
    )
    return Runtime.build(parse_routes(text), store=Store(StoreSettings(url=redis_url)), simulate=False)


def _bodies(server: OpenAIServer) -> list[str]:
    return [json.dumps(request.body) for request in server.requests]


def _assert_nothing_original_in(blobs: list[str]) -> None:
    for blob in blobs:
        for value in ORIGINALS:
            assert value not in blob


def _redis_dump(url: str) -> list[str]:
    """Every key and value in the test's Redis database, as text to search."""
    client = redis.Redis.from_url(url)
    readers = {
        "string": client.get,
        "hash": client.hgetall,
        "list": lambda key: client.lrange(key, 0, -1),
        "zset": lambda key: client.zrange(key, 0, -1),
        "set": client.smembers,
        "stream": client.xrange,
    }
    dumped = [repr(key) + repr(readers[client.type(key).decode()](key)) for key in client.scan_iter()]
    client.close()
    return dumped


def test_complete_the_provider_receives_no_original_and_the_caller_gets_them_back(
    runtime: Runtime, openai_server: OpenAIServer, redis_url: str
) -> None:
    openai_server.script(A, ok(ANSWER))
    result = asyncio.run(runtime.complete(Task.build(TICKET)))
    asyncio.run(runtime.drain())
    assert (result.model, result.decision.pseudonymised) == ("alpha", 5)
    assert result.content == RESTORED
    [request] = openai_server.requests
    sent = request.body["messages"][0]["content"]
    assert sent == (
        "Mrs <PERSON_1> (<EMAIL_1>) lives at <STREET_ADDRESS_1> and was born on "
        "<DATE_OF_BIRTH_1>. Please draft a reply to <PERSON_1> about her late parcel."
    )
    _assert_nothing_original_in(_bodies(openai_server) + _redis_dump(redis_url))


def test_stream_the_provider_receives_no_original_and_the_deltas_carry_them_back(
    runtime: Runtime, openai_server: OpenAIServer, redis_url: str
) -> None:
    # The first model fails before its first token: the fallback gets the same placeholders.
    openai_server.script(A, server_error(500), server_error(500), server_error(500))
    openai_server.script(B, ok(ANSWER))

    async def collect() -> tuple[str, str]:
        text = ""
        async for event in runtime.stream(Task.build(TICKET)):
            if isinstance(event, StreamDelta):
                text += event.content or ""
            elif isinstance(event, StreamDone):
                return text, event.completion.content
        raise AssertionError("no StreamDone")

    streamed, content = asyncio.run(collect())
    asyncio.run(runtime.drain())
    assert streamed == content == RESTORED
    assert [request.model for request in openai_server.requests] == [A, A, A, B]
    assert len({json.dumps(request.body["messages"]) for request in openai_server.requests}) == 1
    _assert_nothing_original_in(_bodies(openai_server) + _redis_dump(redis_url))


def test_tool_call_arguments_come_back_with_the_originals(
    runtime: Runtime, openai_server: OpenAIServer
) -> None:
    openai_server.script(A, tool_call("send_mail", json.dumps({"to": "<EMAIL_1>", "name": "<PERSON_1>"})))
    tool = {"type": "function", "function": {"name": "send_mail", "parameters": {"type": "object"}}}
    result = asyncio.run(runtime.complete(Task.build(TICKET, params={"tools": [tool]})))
    assert result.tool_calls is not None
    arguments = json.loads(result.tool_calls[0]["function"]["arguments"])
    assert arguments == {"to": "helena.shaw@example.com", "name": "Helena Shaw"}
    _assert_nothing_original_in(_bodies(openai_server))


NAMES = st.sampled_from(["Helena Shaw", "Marco Rossi", "Anna Schmidt", "Jean Dupont", "Maria Garcia"])
MAILS = st.sampled_from(["ana.silva@example.com", "j.doe@example.org", "helena.shaw@example.com"])


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(names=st.lists(NAMES, min_size=1, max_size=3), mails=st.lists(MAILS, min_size=1, max_size=3))
def test_property_no_original_reaches_the_http_body_and_the_caller_reads_them_back(
    runtime: Runtime, openai_server: OpenAIServer, names: list[str], mails: list[str]
) -> None:
    lines = [
        f"Dear {name}, please mail {mail} today." for name, mail in zip(names * 3, mails * 3, strict=False)
    ]
    seen = len(openai_server.requests)
    openai_server.script(A, ok("To <PERSON_1> at <EMAIL_1>."))
    result = asyncio.run(runtime.complete(Task.build([{"role": "user", "content": line} for line in lines])))
    # The person finding may take a context word with it ("Dear Marco Rossi"): it comes back whole.
    assert names[0] in result.content
    assert mails[0] in result.content
    assert "<" not in result.content
    for request in openai_server.requests[seen:]:
        body = json.dumps(request.body)
        for value in (*names, *mails):
            assert value not in body
