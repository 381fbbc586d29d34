"""Plain (not streamed) calls of OpenAI-compatible models go over HTTP without litellm's
``acompletion``, and come out as they did through it.

Each test sends the same scripted reply down both paths, ``DirectStreams`` (the runtime's
provider) and ``LiteLLMProvider`` alone, to the local server, and compares what each sent and
what each returned or raised.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from router._errors import (
    AuthenticationFailed,
    BadRequest,
    ContextWindowExceeded,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from router._providers._litellm import LiteLLMProvider
from router._providers._litellm_import import load_litellm
from router._providers._openai_stream import DirectStreams
from router._results import ProviderResponse
from router._runtime import Runtime
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
    slow,
    tool_call,
    unauthorized,
)

A = "test-model-a"
PLAIN = "Please summarise the weekly status report in two sentences."
MESSAGES = [{"role": "user", "content": PLAIN}]


def _providers() -> dict[str, Any]:
    return {"direct": DirectStreams(LiteLLMProvider()), "litellm": LiteLLMProvider()}


async def _call(provider: Any, runtime: Runtime, timeout_s: float = 5, **params: Any) -> ProviderResponse:
    info = runtime.router.models["alpha"]
    answer: ProviderResponse = await provider.acomplete(
        info, MESSAGES, max_tokens=20, timeout_s=timeout_s, params=params
    )
    return answer


def _both(runtime: Runtime, openai_server: OpenAIServer, reply: Reply, **params: Any) -> dict[str, Any]:
    """Each path's answer (or error) to ``reply``."""
    got: dict[str, Any] = {}
    for name, provider in _providers().items():
        openai_server.script(A, reply)
        try:
            got[name] = asyncio.run(_call(provider, runtime, **params))
        except ProviderError as error:
            got[name] = error
    return got


_TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
_CALLED = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}

_SENT_AS_THEY_ARE = [
    pytest.param(MESSAGES, {"temperature": 0.2, "seed": 3, "stop": ["x"], "top_p": 0.9}, id="sampling"),
    pytest.param(MESSAGES, {"max_tokens": 64, "max_completion_tokens": 30}, id="max-tokens"),
    pytest.param(MESSAGES, {"tools": _TOOLS, "tool_choice": "auto", "parallel_tool_calls": True}, id="tools"),
    pytest.param(MESSAGES, {"response_format": {"type": "json_object"}, "logprobs": True}, id="format"),
    pytest.param(
        [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        ],
        {},
        id="system-and-parts",
    ),
    pytest.param(
        [
            {"role": "user", "content": "hi", "name": "bob"},
            {"role": "assistant", "content": "", "tool_calls": [_CALLED]},
            {"role": "tool", "tool_call_id": "c1", "content": "r"},
        ],
        {"tools": _TOOLS},
        id="tool-turns",
    ),
]


@pytest.mark.parametrize(("messages", "params"), _SENT_AS_THEY_ARE)
def test_a_plain_call_goes_out_as_litellm_sends_it_without_litellm(
    make_runtime: Callable[..., Runtime],
    openai_server: OpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
) -> None:
    info = make_runtime().router.models["alpha"]
    asyncio.run(LiteLLMProvider().acomplete(info, messages, max_tokens=20, timeout_s=5, params=params))
    calls: list[Any] = []
    monkeypatch.setattr(load_litellm(), "acompletion", lambda **kwargs: calls.append(kwargs))
    direct = DirectStreams(LiteLLMProvider())
    asyncio.run(direct.acomplete(info, messages, max_tokens=20, timeout_s=5, params=params))
    assert calls == []  # litellm was not asked
    through_litellm, sent = openai_server.requests
    assert sent.path == through_litellm.path == "/v1/chat/completions"
    assert sent.body == through_litellm.body
    assert "stream" not in sent.body


_CHANGED_BY_LITELLM = [
    pytest.param(MESSAGES, {"user": "u-1"}, id="user"),
    pytest.param(MESSAGES, {"tool_choice": "auto"}, id="tool-choice-without-tools"),
    pytest.param(MESSAGES, {"stream_options": {"include_usage": True}}, id="stream-options"),
    pytest.param(MESSAGES, {"reasoning_effort": "low"}, id="a-parameter-not-listed"),
    pytest.param([{"role": "developer", "content": "x"}, *MESSAGES], {}, id="developer-role"),
    pytest.param([*MESSAGES, {"role": "assistant", "content": None, "tool_calls": [_CALLED]}], {}, id="none"),
]


@pytest.mark.parametrize(("messages", "params"), _CHANGED_BY_LITELLM)
def test_a_plain_call_litellm_would_change_still_goes_through_litellm(
    make_runtime: Callable[..., Runtime],
    openai_server: OpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
) -> None:
    litellm = load_litellm()
    real = litellm.acompletion
    calls: list[Any] = []

    async def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return await real(**kwargs)

    monkeypatch.setattr(litellm, "acompletion", spy)
    info = make_runtime().router.models["alpha"]
    direct = DirectStreams(LiteLLMProvider())
    asyncio.run(direct.acomplete(info, messages, max_tokens=20, timeout_s=5, params=params))
    assert len(calls) == 1


def test_the_runtime_answers_a_plain_call_on_the_direct_path(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, ok("one two three", prompt_tokens=17, completion_tokens=4))
    runtime = make_runtime()
    assert isinstance(runtime.executor.provider, DirectStreams)

    async def scenario() -> Any:
        try:
            return await runtime.complete(Task.build(PLAIN, max_tokens=50))
        finally:
            await runtime.drain()

    completion = asyncio.run(scenario())
    assert (completion.content, completion.model) == ("one two three", "alpha")
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (17, 4)
    assert completion.cost_usd == pytest.approx(17 * 0.000001 + 4 * 0.000002)


def _completion(message: dict[str, Any], finish_reason: str | None, usage: Any = None) -> Reply:
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1,
        "model": A,
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish_reason}
        ],
    }
    if usage is not None:
        body["usage"] = usage
    return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


_USAGE = {
    "prompt_tokens": 30,
    "completion_tokens": 9,
    "total_tokens": 39,
    "prompt_tokens_details": {"cached_tokens": 10},
    "completion_tokens_details": {"reasoning_tokens": 4},
}

_ANSWERS = [
    pytest.param(ok("a plain answer", prompt_tokens=11, completion_tokens=3), id="ok"),
    pytest.param(tool_call("order_status", '{"order_id": "8812"}', call_id="call_9"), id="tool-call"),
    pytest.param(_completion({"content": "<think>first this</think>then that"}, "stop", _USAGE), id="think"),
    pytest.param(_completion({"content": "cut"}, "length", _USAGE), id="length"),
    pytest.param(_completion({"content": "the end"}, "eos", _USAGE), id="finish-mapped"),
    pytest.param(_completion({"content": "no finish"}, None, _USAGE), id="finish-missing"),
    pytest.param(_completion({"content": "no usage"}, "stop"), id="usage-missing"),
    pytest.param(_completion({"content": None, "refusal": "no"}, "stop", _USAGE), id="content-none"),
    pytest.param(
        _completion({"content": "<think>a</think>b", "reasoning_content": "r"}, "stop"), id="reasoning"
    ),
    pytest.param(
        Reply(
            200,
            json.dumps(
                {
                    "model": A,
                    "choices": [{"index": 0, "message": {"content": "x"}, "finish_details": "max_tokens"}],
                }
            ).encode(),
        ),
        id="finish-details",
    ),
    pytest.param(
        _completion(
            {"content": "cached"},
            "stop",
            {"prompt_tokens": 30, "completion_tokens": 9, "prompt_cache_hit_tokens": 7},
        ),
        id="usage-deepseek-cache",
    ),
    pytest.param(
        _completion(
            {"content": "reasoned"},
            "stop",
            {"prompt_tokens": 30, "completion_tokens": 9, "reasoning_tokens": 5},
        ),
        id="usage-reasoning-tokens",
    ),
    pytest.param(
        _completion(
            {
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
            "stop",
            _USAGE,
        ),
        id="tool-call-finish-stop",
    ),
]


@pytest.mark.parametrize("reply", _ANSWERS)
def test_an_answer_comes_out_as_through_litellm(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer, reply: Reply
) -> None:
    got = _both(make_runtime(), openai_server, reply)
    assert isinstance(got["direct"], ProviderResponse)
    assert got["direct"] == got["litellm"]


_ERRORS = [
    pytest.param(rate_limited(retry_after="2"), RateLimited, 429, id="429-retry-after"),
    pytest.param(unauthorized(), AuthenticationFailed, 401, id="401"),
    pytest.param(unauthorized(403), AuthenticationFailed, 403, id="403"),
    pytest.param(context_length_exceeded(), ContextWindowExceeded, 400, id="context-window"),
    pytest.param(bad_request("Invalid value for 'temperature'."), BadRequest, 400, id="400"),
    pytest.param(server_error(503, retry_after="1"), ProviderUnavailable, 503, id="503"),
    pytest.param(garbage(), ProviderUnavailable, 500, id="garbage-200"),
]


@pytest.mark.parametrize(("reply", "expected", "status"), _ERRORS)
def test_an_error_answer_is_the_same_provider_error_as_through_litellm(
    make_runtime: Callable[..., Runtime],
    openai_server: OpenAIServer,
    reply: Reply,
    expected: type[ProviderError],
    status: int,
) -> None:
    got = _both(make_runtime(), openai_server, reply)
    direct, through_litellm = got["direct"], got["litellm"]
    assert type(direct) is type(through_litellm) is expected
    assert direct.status == through_litellm.status == status
    assert direct.retry_after == through_litellm.retry_after
    assert direct.model == "alpha"
    assert PLAIN not in direct.message


def test_an_answer_later_than_the_timeout_is_a_provider_timeout(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    runtime = make_runtime()
    openai_server.script(A, slow(2.0))
    with pytest.raises(ProviderTimeout) as raised:
        asyncio.run(_call(DirectStreams(LiteLLMProvider()), runtime, timeout_s=0.3))
    assert raised.value.model == "alpha"


def test_a_kept_connection_serves_the_next_call(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    runtime = make_runtime()
    provider = DirectStreams(LiteLLMProvider())

    async def scenario() -> tuple[str, str, int]:
        first = await _call(provider, runtime)
        second = await _call(provider, runtime)
        pool = provider.streams._pool()
        kept = sum(len(idle) for idle in pool._idle.values())
        await provider.streams.aclose()
        return first.content, second.content, kept

    assert asyncio.run(scenario()) == ("ok", "ok", 1)


def test_a_model_priced_by_litellms_catalogue_costs_what_it_costs_through_litellm(
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
    info = runtime.router.models["mini"]
    costs = []
    for provider in _providers().values():
        openai_server.script("gpt-4o-mini", _completion({"content": "fine"}, "stop", _USAGE))
        answer = asyncio.run(provider.acomplete(info, MESSAGES, max_tokens=20, timeout_s=5))
        costs.append(answer.cost_usd)
    entry = load_litellm().model_cost["gpt-4o-mini"]
    assert costs[0] is not None
    assert costs[0] == pytest.approx(costs[1])
    # The 10 cached tokens are priced at the catalogue's cached rate, not the full one.
    assert costs[0] != pytest.approx(30 * entry["input_cost_per_token"] + 9 * entry["output_cost_per_token"])


def test_only_an_answer_of_the_plain_shape_skips_litellms_conversion() -> None:
    from router._providers._openai_answer import _plain_usage

    assert _plain_usage(None) is not None
    assert _plain_usage({"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}) is not None
    assert _plain_usage(_USAGE) is not None
    assert _plain_usage({"prompt_tokens": 3, "prompt_cache_hit_tokens": 1}) is None
    assert _plain_usage({"prompt_tokens": "3"}) is None
    assert _plain_usage([]) is None
