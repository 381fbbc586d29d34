"""Streams from an OpenAI-compatible server straight over HTTP, without litellm's stream path.

Time to first token is what a streaming caller waits for, and litellm's streaming path costs it
several milliseconds per call (measured on ``benchmarks/bench_gateway.py``'s zero-latency
upstream: 6.5 ms to the first chunk against 2.8 ms for the same request over httpx, and about
4x the CPU per stream): ``acompletion``'s executor hop, its logging objects, and a
``CustomStreamWrapper`` that rebuilds every chunk, then the whole stream again at the end.
httpx is what litellm and the ``openai`` package themselves send with; the ``openai`` client's
own typed chunks cost another 0.9 ms to the first token, so the SSE lines are read here.

Only a model whose request litellm would send unchanged takes this path: ``openai/<name>`` with
an ``api_base`` and an API key variable in routes.yaml, no ``extra`` keywords and no
``api_version`` (litellm would interpret them), and a model name litellm maps with its plain
chat completions config (not the o-series or GPT-5 configs, which rename and drop parameters).
Every other model, and every call that does not stream, goes through litellm as before.

The request is the one litellm sends for such a model: the model id without its ``openai/``
prefix, the messages, ``max_tokens``, the chat parameters (``router._params``), ``stream`` and
``stream_options.include_usage`` (so the usage comes from the stream). What comes back passes
through ``router._streaming.relay`` like litellm's chunks, so fallback until the first token, a
broken stream's ``StreamInterrupted``, cancellation and billing of what was spent are the same.
Errors are mapped by ``from_http_error`` into the same ``ProviderError`` tree, from the status,
the headers (``Retry-After``) and the body's message field only. Nothing here logs prompt,
completion or key.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, overload

import httpx

from router._config._schema import ModelSpec
from router._errors import ApiKeyMissing, ProviderError, ProviderTimeout, ProviderUnavailable
from router._pricing import ModelInfo
from router._providers._ahead import Upstreams
from router._providers._base import Provider
from router._providers._cost import call_cost
from router._providers._errors import from_http_error, prompt_texts, to_provider_error
from router._providers._keys import missing_key
from router._providers._litellm import client_timeout
from router._providers._litellm_import import load_litellm
from router._results import ProviderResponse, Usage
from router._settings import api_key
from router._signals._tokens import count_messages, count_text, encoding_for
from router._streaming import Channel, StreamDelta, current_channel, relay
from router._task import Message

__all__ = ["DirectStreams", "OpenAIStreams", "streams_directly"]

_PREFIX = "openai/"
_DONE = "[DONE]"
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
"""The ``openai`` package's own pool limits (what litellm's cached clients use)."""


def streams_directly(spec: ModelSpec) -> bool:
    """True when a stream of ``spec`` can be read here: litellm would send it unchanged."""
    params = spec.params
    if not spec.model.startswith(_PREFIX) or params.api_base is None or params.api_key_env is None:
        return False
    if params.extra or params.api_version is not None:
        return False
    return _plain_chat_config(spec.model.removeprefix(_PREFIX))


@lru_cache(maxsize=256)
def _plain_chat_config(model_id: str) -> bool:
    load_litellm()  # with its offline settings
    from litellm.types.utils import LlmProviders
    from litellm.utils import ProviderConfigManager

    config = ProviderConfigManager.get_provider_chat_config(model=model_id, provider=LlmProviders.OPENAI)
    # By name: a litellm release that renames them sends the model back through litellm.
    return type(config).__name__ in _PLAIN_CONFIGS


_PLAIN_CONFIGS = frozenset({"OpenAIGPTConfig", "OpenAIUnknownModelConfig"})
"""litellm's configs that send OpenAI's chat parameters as they are."""


class DirectStreams:
    """A provider that streams the models ``streams_directly`` accepts itself and hands every
    other request (any model's plain call, another model's stream) to ``inner``."""

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.streams = OpenAIStreams()

    def missing_credentials(self, model: ModelInfo) -> str | None:
        return self.inner.missing_credentials(model)

    def open_ahead(self, model: ModelInfo) -> None:
        if current_channel() is not None and streams_directly(model.spec):
            self.streams.open_ahead(model.spec)

    async def acomplete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        channel = current_channel()
        if channel is None or not streams_directly(model.spec):
            return await self.inner.acomplete(
                model, messages, max_tokens=max_tokens, timeout_s=timeout_s, params=params
            )
        return await self.streams.stream(
            model, messages, channel, max_tokens=max_tokens, timeout_s=timeout_s, params=params
        )


class OpenAIStreams:
    """Sends streamed requests on one httpx client per event loop (its connections are the loop's)."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._upstreams: Upstreams | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _http(self) -> httpx.AsyncClient:
        return self._pool()[0]

    def _pool(self) -> tuple[httpx.AsyncClient, Upstreams]:
        loop = asyncio.get_running_loop()
        if self._client is None or self._upstreams is None or self._loop is not loop:
            # A client built on another loop (a closed one, say) cannot be used on this one.
            self._upstreams = Upstreams(_LIMITS)
            self._client = httpx.AsyncClient(transport=self._upstreams.transport, timeout=None)
            self._loop = loop
        return self._client, self._upstreams

    def open_ahead(self, spec: ModelSpec) -> None:
        """Start connecting to ``spec``'s server unless a pooled connection is free (``_ahead``)."""
        assert spec.params.api_base is not None  # streams_directly checked it
        client, upstreams = self._pool()
        upstreams.open_ahead(client, _chat_url(spec.params.api_base), spec.params.timeout)

    async def aclose(self) -> None:
        client, upstreams, self._client, self._upstreams = self._client, self._upstreams, None, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()
            if upstreams is not None:
                await upstreams.ahead.aclose()

    async def stream(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        channel: Channel,
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        """One streamed request; its deltas go to ``channel``, its response is returned."""
        spec = model.spec
        texts = _PromptTexts(messages)
        exact = timeout_s if timeout_s is not None else spec.params.timeout
        request = self._request(spec, messages, max_tokens, params or {}, client_timeout(exact))
        try:
            # The exact timeout bounds the wait for the answer's head, as ``send`` does for litellm.
            async with asyncio.timeout(exact):
                response = await self._http().send(request, stream=True)
        except Exception as exc:
            raise _transport_error(exc, model.name, texts) from None
        try:
            if response.status_code != 200:
                body = await response.aread()
                raise from_http_error(
                    response.status_code, response.headers, body, model.name, prompt_texts=texts
                )
            events = _events(response, model.name, texts)

            def finish(chunks: list[Any]) -> ProviderResponse:
                return _response(model, messages, chunks)

            return await relay(
                model, events, channel, finish, lambda exc: _transport_error(exc, model.name, texts), _read
            )
        finally:
            await response.aclose()

    def _request(
        self,
        spec: ModelSpec,
        messages: Sequence[Message],
        max_tokens: int,
        params: Mapping[str, Any],
        timeout_s: float | None,
    ) -> httpx.Request:
        key = api_key(spec.params.api_key_env or "")
        if key is None:
            raise ApiKeyMissing(missing_key(spec) or "the API key is not set", model=spec.name)
        body = {
            **params,
            "model": spec.model.removeprefix(_PREFIX),
            "messages": list(messages),
            "max_tokens": max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        assert spec.params.api_base is not None  # streams_directly checked it
        return self._http().build_request(
            "POST",
            _chat_url(spec.params.api_base),
            content=json.dumps(body, separators=(",", ":")).encode(),
            headers={
                "authorization": f"Bearer {key}",
                "content-type": "application/json",
                "accept": "text/event-stream",
            },
            timeout=httpx.Timeout(timeout_s),
        )


class _PromptTexts(Sequence[str]):
    """``prompt_texts(messages)``, worked out only if an error message needs blanking."""

    def __init__(self, messages: Sequence[Message]) -> None:
        self._messages = messages
        self._texts: list[str] | None = None

    def _all(self) -> list[str]:
        if self._texts is None:
            self._texts = prompt_texts(self._messages)
        return self._texts

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all()[index]


@lru_cache(maxsize=256)
def _chat_url(api_base: str) -> httpx.URL:
    """The chat completions URL of ``api_base``, parsed once (half of building a request)."""
    return httpx.URL(api_base.rstrip("/") + "/chat/completions")


async def _events(response: httpx.Response, model_name: str, texts: Sequence[str]) -> AsyncIterator[Any]:
    """The JSON chunks of an SSE stream, up to its ``data: [DONE]``.

    A body that ends before ``[DONE]`` is a stream the provider dropped (a closed connection
    delimits the body, so the cut shows only so): an error, as litellm has it.
    """
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, comments, ``event:`` names
        data = line[5:].strip()
        if data == _DONE:
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ProviderUnavailable(
                "the provider streamed a line that is not JSON", model=model_name
            ) from None
        if not isinstance(chunk, dict):
            raise ProviderUnavailable("the provider streamed a chunk that is not an object", model=model_name)
        if "error" in chunk:
            # vLLM and others report a failure inside a 200 stream: {"error": {...}}.
            raise from_http_error(None, {}, data.encode(), model_name, prompt_texts=texts)
        yield chunk
    raise ProviderUnavailable("the provider's stream ended before its [DONE]", model=model_name)


def _read(chunk: Mapping[str, Any], model: str) -> tuple[StreamDelta | None, Usage | None]:
    usage = chunk.get("usage")
    reported = _usage(usage) if isinstance(usage, Mapping) and usage.get("prompt_tokens") else None
    choices = chunk.get("choices") or ()
    if not choices or not isinstance(choices[0], Mapping):
        return None, reported
    choice = choices[0]
    raw = choice.get("delta")
    delta = raw if isinstance(raw, Mapping) else {}
    content, calls, finish = delta.get("content"), delta.get("tool_calls"), choice.get("finish_reason")
    if not content and not calls and not finish:
        return None, reported
    tool_calls = tuple(_plain(call) for call in calls) if isinstance(calls, list) and calls else None
    return StreamDelta(
        content=content or None, tool_calls=tool_calls, finish_reason=finish, model=model
    ), reported


def _plain(call: Any) -> dict[str, Any]:
    data: Mapping[str, Any] = call if isinstance(call, Mapping) else {}
    return {key: value for key, value in data.items() if value is not None}


def _usage(raw: Mapping[str, Any]) -> Usage:
    prompt_details = raw.get("prompt_tokens_details") or {}
    completion_details = raw.get("completion_tokens_details") or {}
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
        cached_tokens=int(prompt_details.get("cached_tokens") or 0),
        reasoning_tokens=int(completion_details.get("reasoning_tokens") or 0),
    )


def _response(model: ModelInfo, messages: Sequence[Message], chunks: list[Any]) -> ProviderResponse:
    """The whole answer from its chunks: text, tool calls joined from their fragments, usage."""
    content: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    finish_reason: str | None = None
    usage: Usage | None = None
    provider_model: str | None = None
    for chunk in chunks:
        delta, reported = _read(chunk, model.name)
        usage = reported or usage
        provider_model = provider_model or chunk.get("model")
        if delta is None:
            continue
        if delta.content:
            content.append(delta.content)
        for call in delta.tool_calls or ():
            _join_call(calls, call)
        finish_reason = delta.finish_reason or finish_reason
    text = "".join(content)
    if usage is None:
        usage = _counted(model, messages, text, calls)  # the provider ignored include_usage
    return ProviderResponse(
        content=text,
        tool_calls=tuple(calls[index] for index in sorted(calls)) or None,
        usage=usage,
        cost_usd=_cost(model, usage),
        finish_reason=finish_reason,
        provider_model=provider_model,
    )


def _join_call(calls: dict[int, dict[str, Any]], fragment: Mapping[str, Any]) -> None:
    """Add one streamed tool-call fragment to the call it continues (by ``index``)."""
    index = fragment.get("index", 0)
    index = index if isinstance(index, int) else 0
    call = calls.setdefault(index, {"function": {"arguments": ""}})
    for key in ("id", "type"):
        if fragment.get(key) is not None:
            call[key] = fragment[key]
    function = fragment.get("function")
    if isinstance(function, Mapping):
        if function.get("name"):
            call["function"]["name"] = function["name"]
        call["function"]["arguments"] += str(function.get("arguments") or "")


def _counted(
    model: ModelInfo, messages: Sequence[Message], text: str, calls: Mapping[int, Mapping[str, Any]]
) -> Usage:
    """Our own count, with the router's tokenizer, when the provider sent no usage."""
    encoding = encoding_for(model.spec.model)
    called = "".join(str(call.get("function", {}).get("arguments", "")) for call in calls.values())
    return Usage(
        prompt_tokens=count_messages(messages, encoding),
        completion_tokens=count_text(text + called, encoding),
    )


def _cost(model: ModelInfo, usage: Usage) -> float | None:
    """The call's price: routes.yaml's, else litellm's catalogue price for this usage (cached
    and reasoning tokens included), as litellm prices a response it built."""
    spec = model.spec
    if spec.input_cost_per_token is not None or spec.output_cost_per_token is not None:
        return call_cost(model, usage)
    litellm = load_litellm()
    details = {"cached_tokens": usage.cached_tokens}
    reported = litellm.Usage(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
        prompt_tokens_details=details,
        completion_tokens_details={"reasoning_tokens": usage.reasoning_tokens},
    )
    priced = litellm.ModelResponse(model=model.spec.model, usage=reported)
    return call_cost(model, usage, priced)


def _transport_error(exc: BaseException, model_name: str, texts: Sequence[str]) -> ProviderError:
    """A failure below HTTP (refused, reset, timed out) or one raised while reading the stream."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return ProviderTimeout(
            f"{model_name} did not answer in time ({type(exc).__name__})", model=model_name
        )
    if isinstance(exc, httpx.HTTPError):
        return ProviderUnavailable(f"{type(exc).__name__} from the provider ({exc})"[:500], model=model_name)
    return to_provider_error(exc, model_name, prompt_texts=texts)
