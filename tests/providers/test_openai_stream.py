"""Which models stream without litellm, and how their SSE stream is read (no network)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from router._config import parse_routes
from router._config._schema import ModelSpec
from router._errors import ContextWindowExceeded, ProviderError, ProviderUnavailable
from router._pricing import resolve
from router._providers._openai_stream import _events, _response, streams_directly
from router._signals._tokens import count_messages, count_text, encoding_for

KEY = "os.environ/TEST_PROVIDER_KEY"
BASE = "http://127.0.0.1:9/v1"


def _spec(model: str, **params: Any) -> ModelSpec:
    given = {"api_base": BASE, "api_key": KEY, **params}
    return ModelSpec(name="m", model=model, params={k: v for k, v in given.items() if v is not None})


@pytest.mark.parametrize(
    ("spec", "direct"),
    [
        pytest.param(_spec("openai/test-model-a"), True, id="openai-compatible-server"),
        pytest.param(_spec("openai/gpt-4o-mini"), True, id="plain-gpt-config"),
        pytest.param(_spec("openai/o3-mini"), False, id="o-series-renames-params"),
        pytest.param(_spec("openai/gpt-5"), False, id="gpt-5-config"),
        pytest.param(_spec("openai/test-model-a", api_base=None), False, id="no-api-base"),
        pytest.param(_spec("openai/test-model-a", api_key=None), False, id="no-key-variable"),
        pytest.param(_spec("openai/test-model-a", api_version="2024-10-21"), False, id="api-version"),
        pytest.param(_spec("openai/test-model-a", extra={"organization": "org"}), False, id="extra-keywords"),
        pytest.param(_spec("gpt-4o-mini"), False, id="no-provider-prefix"),
        pytest.param(_spec("anthropic/claude-3-5-haiku-latest"), False, id="another-provider"),
        pytest.param(_spec("hosted_vllm/llama"), False, id="litellm-own-vllm-provider"),
    ],
)
def test_only_a_model_litellm_would_send_unchanged_streams_directly(spec: ModelSpec, direct: bool) -> None:
    assert streams_directly(spec) is direct


async def _lines(*lines: str, piece: int = 0) -> AsyncIterator[bytes]:
    """A body as it may arrive: whole, or cut into pieces of ``piece`` bytes."""
    body = "".join(lines).encode()
    size = piece or max(1, len(body))
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def _read(body: AsyncIterator[bytes]) -> list[Any]:
    return [chunk async for chunk in _events(body, "alpha", ["secret prompt text"])]


CHUNK = '{"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": null}]}'


def test_comments_event_names_and_blank_lines_are_skipped_until_done() -> None:
    got = asyncio.run(
        _read(_lines(": keep-alive\n\n", "event: message\n", f"data: {CHUNK}\n\n", "data: [DONE]\n\n"))
    )
    assert got == [{"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]}]


@pytest.mark.parametrize("piece", [1, 2, 7], ids=lambda piece: f"{piece}-byte-pieces")
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_lines_are_read_whatever_their_ends_and_wherever_the_body_is_cut(piece: int, end: str) -> None:
    lines = [
        f": keep-alive{end}",
        end,
        f"data: {CHUNK}{end}",
        end,
        f"data:{CHUNK}{end}",
        f"data: [DONE]{end}",
    ]
    got = asyncio.run(_read(_lines(*lines, piece=piece)))
    assert got == [json.loads(CHUNK)] * 2


def test_a_model_behind_an_environment_proxy_streams_through_litellm(monkeypatch: pytest.MonkeyPatch) -> None:
    """litellm's httpx goes through the proxy; this path does not speak to proxies."""
    spec = _spec("openai/gpt-4o-mini")
    assert streams_directly(spec)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.internal:3128")
    assert not streams_directly(spec)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert streams_directly(spec)


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        pytest.param(
            f"data: {CHUNK}\n\n", ProviderUnavailable, "ended before its [DONE]", id="cut-before-done"
        ),
        pytest.param("", ProviderUnavailable, "ended before its [DONE]", id="empty-body"),
        pytest.param("data: <html>\n\n", ProviderUnavailable, "not JSON", id="not-json"),
        pytest.param(
            'data: {"error": {"message": "overloaded, retry", "type": "server_error"}}\n\n',
            ProviderUnavailable,
            "overloaded, retry",
            id="error-event",
        ),
        pytest.param(
            'data: {"error": {"message": "too long", "code": "context_length_exceeded"}}\n\n',
            ContextWindowExceeded,
            "too long",
            id="context-window-event",
        ),
        pytest.param(
            'data: {"error": {"message": "bad input: secret prompt text"}}\n\n',
            ProviderUnavailable,
            "bad input: [prompt text]",
            id="echoed-prompt-is-blanked",
        ),
    ],
)
def test_a_broken_or_failing_stream_is_a_provider_error(
    body: str, error: type[ProviderError], message: str
) -> None:
    with pytest.raises(error) as raised:
        asyncio.run(_read(_lines(body)))
    assert message in raised.value.message
    assert raised.value.model == "alpha"


ROUTES = """
models:
  - {name: alpha, model: openai/test-model-a, params: {api_base: "http://127.0.0.1:9/v1"},
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, context_window: 1000}
rules:
  - {name: default, pool: [alpha]}
"""


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"model": "test-model-a", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_the_answer_is_joined_from_its_chunks_and_counted_when_no_usage_came() -> None:
    info = resolve(parse_routes(ROUTES).models[0])
    messages = [{"role": "user", "content": "Name two colours."}]
    opening = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a"'}}
    chunks = [
        _chunk({"role": "assistant", "content": "red "}),
        _chunk({"content": "and blue"}),
        _chunk({"tool_calls": [opening]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}),
        _chunk({}, "tool_calls"),
    ]
    response = _response(info, messages, chunks)
    assert response.content == "red and blue"
    assert response.tool_calls == (
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
    )
    assert response.finish_reason == "tool_calls"
    assert response.provider_model == "test-model-a"
    encoding = encoding_for("openai/test-model-a")
    prompt = count_messages(messages, encoding)
    completion = count_text('red and blue{"a": 1}', encoding)
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (prompt, completion)
    assert response.cost_usd == pytest.approx(prompt * 0.000001 + completion * 0.000002)


def test_the_providers_usage_chunk_wins_over_a_count() -> None:
    info = resolve(parse_routes(ROUTES).models[0])
    usage = {"prompt_tokens": 40, "completion_tokens": 7, "prompt_tokens_details": {"cached_tokens": 32}}
    chunks = [_chunk({"content": "x"}, "stop"), {"choices": [], "usage": usage}]
    response = _response(info, [{"role": "user", "content": "hi"}], chunks)
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (40, 7)
    assert response.usage.cached_tokens == 32
