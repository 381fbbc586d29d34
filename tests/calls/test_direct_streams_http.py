"""Streams of OpenAI-compatible models are read over HTTP without litellm, with the same rules.

Real HTTP to the scripted local server, through ``Runtime`` (routing, guards, ledger) in Redis.
litellm's ``acompletion`` is replaced by a spy, so a test sees which path each request took.
The stream-spend tests (``test_stream_spend.py``) and the gateway's stream and disconnect tests
run on this same path, since every model of their routes is an ``openai/`` model at an
``api_base``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from router._errors import (
    AllModelsFailed,
    AuthenticationFailed,
    BadRequest,
    ContextWindowExceeded,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from router._providers._litellm import LiteLLMProvider
from router._providers._litellm_import import load_litellm
from router._providers._openai_stream import DirectStreams
from router._runtime import Runtime
from router._streaming import Channel, StreamDelta, StreamDone, StreamEvent
from router._task import Task
from tests.support.openai_server import (
    OpenAIServer,
    Reply,
    bad_request,
    context_length_exceeded,
    garbage,
    ok,
    rate_limited,
    server_error,
    tool_call,
    unauthorized,
)

A, B, VAULT = "test-model-a", "test-model-b", "test-model-vault"
PLAIN = "Please summarise the weekly status report in two sentences."
CARD = "Refund the card 4111 1111 1111 1111 for order 8812."


class Spy:
    """litellm.acompletion, counted."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.calls: list[bool] = []
        """Per call: whether it asked for a stream."""

    async def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(bool(kwargs.get("stream")))
        return await self.real(**kwargs)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    litellm = load_litellm()
    spy = Spy(litellm.acompletion)
    monkeypatch.setattr(litellm, "acompletion", spy)
    return spy


async def _collect(runtime: Runtime, text: str, **params: Any) -> list[StreamEvent]:
    try:
        return [event async for event in runtime.stream(Task.build(text, max_tokens=50, params=params))]
    finally:
        await runtime.drain()


def test_a_stream_goes_out_as_litellm_sends_it_and_settles_from_its_usage_chunk(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer, spy: Spy
) -> None:
    openai_server.script(A, ok("one two three", prompt_tokens=17, completion_tokens=4))
    runtime = make_runtime()
    assert isinstance(runtime.executor.provider, DirectStreams)
    got = asyncio.run(_collect(runtime, PLAIN, temperature=0.2))
    assert spy.calls == []  # litellm was not asked
    deltas = [event for event in got if isinstance(event, StreamDelta)]
    assert "".join(delta.content or "" for delta in deltas) == "one two three"
    assert {delta.model for delta in deltas} == {"alpha"}
    done = got[-1]
    assert isinstance(done, StreamDone)
    assert (done.completion.usage.prompt_tokens, done.completion.usage.completion_tokens) == (17, 4)
    assert done.completion.cost_usd == pytest.approx(17 * 0.000001 + 4 * 0.000002)
    [request] = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.body == {
        "model": A,
        "messages": [{"role": "user", "content": PLAIN}],
        "temperature": 0.2,
        "max_tokens": 50,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


_CALLED = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


@pytest.mark.parametrize(
    ("messages", "params"),
    [
        pytest.param([{"role": "user", "content": PLAIN}], {"user": "u-1"}, id="user"),
        pytest.param([{"role": "user", "content": PLAIN}], {"tool_choice": "auto"}, id="tool-choice-alone"),
        pytest.param(
            [{"role": "developer", "content": "be brief"}, {"role": "user", "content": PLAIN}],
            {},
            id="developer",
        ),
        pytest.param(
            [
                {"role": "user", "content": PLAIN},
                {"role": "assistant", "content": None, "tool_calls": [_CALLED]},
                {"role": "tool", "tool_call_id": "c1", "content": "done"},
            ],
            {},
            id="none-content",
        ),
    ],
)
def test_a_stream_litellm_would_change_goes_through_litellm(
    make_runtime: Callable[..., Runtime],
    openai_server: OpenAIServer,
    spy: Spy,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
) -> None:
    # The direct request would differ from litellm's: "user" kept for a model outside
    # OpenAI's catalogue, tool_choice without tools, the "developer" role not renamed.
    runtime = make_runtime()

    async def scenario() -> list[StreamEvent]:
        try:
            return [
                event async for event in runtime.stream(Task.build(messages, max_tokens=50, params=params))
            ]
        finally:
            await runtime.drain()

    got = asyncio.run(scenario())
    assert isinstance(got[-1], StreamDone)
    assert spy.calls == [True]  # one streamed call, through litellm


def test_a_plain_call_of_the_same_model_goes_direct_too(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer, spy: Spy
) -> None:
    runtime = make_runtime()

    async def scenario() -> str:
        try:
            return (await runtime.complete(Task.build(PLAIN, max_tokens=50))).content
        finally:
            await runtime.drain()

    assert asyncio.run(scenario()) == "ok"
    assert spy.calls == []  # tests/calls/test_direct_calls_http.py has the plain path's rules


def test_a_streamed_tool_call_is_joined_into_the_answers_tool_calls(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, tool_call("order_status", '{"order_id": "8812"}', call_id="call_9"))
    done = asyncio.run(_collect(make_runtime(), PLAIN))[-1]
    assert isinstance(done, StreamDone)
    function = {"name": "order_status", "arguments": '{"order_id": "8812"}'}
    assert done.completion.tool_calls == ({"id": "call_9", "type": "function", "function": function},)
    assert done.completion.finish_reason == "tool_calls"


def test_errors_before_the_first_token_retry_and_fall_back_in_decision_order(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, server_error(503), rate_limited(retry_after="0"), unauthorized())
    got = asyncio.run(_collect(make_runtime(), PLAIN))
    done = got[-1]
    assert isinstance(done, StreamDone)
    attempts = [
        (attempt.model, attempt.error_type or attempt.outcome) for attempt in done.completion.attempts
    ]
    assert attempts == [
        ("alpha", "provider_unavailable"),
        ("alpha", "rate_limited"),
        ("alpha", "authentication_failed"),
        ("beta", "ok"),
    ]


def test_restricted_text_streams_only_to_the_cleared_model_and_fails_closed(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(VAULT, *[server_error(500)] * 3)
    with pytest.raises(AllModelsFailed):
        asyncio.run(_collect(make_runtime(), CARD))
    assert {request.model for request in openai_server.requests} == {VAULT}
    assert openai_server.requests_for(A) == openai_server.requests_for(B) == []


_ERRORS = [
    pytest.param(rate_limited(retry_after="2"), RateLimited, 429, id="429-retry-after"),
    pytest.param(unauthorized(), AuthenticationFailed, 401, id="401"),
    pytest.param(unauthorized(403), AuthenticationFailed, 403, id="403"),
    pytest.param(context_length_exceeded(), ContextWindowExceeded, 400, id="context-window"),
    pytest.param(bad_request("Invalid value for 'temperature'."), BadRequest, 400, id="400"),
    pytest.param(server_error(503, retry_after="1"), ProviderUnavailable, 503, id="503"),
]


async def _stream_error(provider: Any, runtime: Runtime) -> ProviderError:
    info = runtime.router.models["alpha"]
    channel = Channel()
    with pytest.raises(ProviderError) as raised:
        await _in_channel(
            channel,
            provider.acomplete(info, [{"role": "user", "content": PLAIN}], max_tokens=20, timeout_s=5),
        )
    return raised.value


async def _in_channel(channel: Channel, call: Any) -> Any:
    from router._streaming import _CURRENT

    token = _CURRENT.set(channel)
    try:
        return await call
    finally:
        _CURRENT.reset(token)


@pytest.mark.parametrize(("reply", "expected", "status"), _ERRORS)
def test_an_error_answer_is_the_same_provider_error_as_through_litellm(
    make_runtime: Callable[..., Runtime],
    openai_server: OpenAIServer,
    reply: Reply,
    expected: type[ProviderError],
    status: int | None,
) -> None:
    runtime = make_runtime()
    openai_server.script(A, reply, reply)
    direct = asyncio.run(_stream_error(DirectStreams(LiteLLMProvider()), runtime))
    through_litellm = asyncio.run(_stream_error(LiteLLMProvider(), runtime))
    assert type(direct) is type(through_litellm) is expected
    assert direct.status == status
    assert direct.retry_after == through_litellm.retry_after
    assert direct.model == "alpha"
    assert PLAIN not in direct.message


def test_a_200_that_is_not_a_stream_is_a_provider_error_and_falls_back(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    """Where litellm reads a confused proxy's HTML page as an empty answer, this path falls back."""
    openai_server.script(A, *[garbage()] * 3)
    done = asyncio.run(_collect(make_runtime(), PLAIN))[-1]
    assert isinstance(done, StreamDone)
    assert done.completion.model == "beta"
    assert {attempt.error_type for attempt in done.completion.attempts[:-1]} == {"provider_unavailable"}


def test_an_error_event_inside_a_200_stream_falls_back_before_the_first_token(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    event = b'data: {"error": {"message": "the engine is overloaded", "type": "server_error"}}\n\n'
    openai_server.script(A, *[Reply(200, event, {"Content-Type": "text/event-stream"})] * 3)
    done = asyncio.run(_collect(make_runtime(), PLAIN))[-1]
    assert isinstance(done, StreamDone)
    assert done.completion.model == "beta"
    assert done.completion.attempts[0].error == "the engine is overloaded"


def test_a_model_priced_by_litellms_catalogue_is_billed_its_catalogue_price(
    openai_server: OpenAIServer, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from router._config import parse_routes
    from router._state._store import Store, StoreSettings

    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-not-a-real-key")
    params = f'{{api_base: "{openai_server.url}", api_key: os.environ/TEST_PROVIDER_KEY}}'
    routes = f"""
models:
  - {{name: mini, model: openai/gpt-4o-mini, params: {params}}}
rules:
  - {{name: default, pool: [mini]}}
"""
    runtime = Runtime.build(parse_routes(routes), store=Store(StoreSettings(url=redis_url)), simulate=False)
    openai_server.script("gpt-4o-mini", ok("fine", prompt_tokens=1000, completion_tokens=100))
    done = asyncio.run(_collect(runtime, PLAIN))[-1]
    assert isinstance(done, StreamDone)
    prices: ModuleType = load_litellm()
    entry = prices.model_cost["gpt-4o-mini"]
    expected = 1000 * entry["input_cost_per_token"] + 100 * entry["output_cost_per_token"]
    assert done.completion.cost_usd == pytest.approx(expected)
