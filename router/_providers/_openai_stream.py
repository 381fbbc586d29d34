"""Streams from an OpenAI-compatible server straight over HTTP, without litellm's stream path.

Time to first token is what a streaming caller waits for, and litellm's streaming path costs it
several milliseconds per call (measured on ``benchmarks/bench_gateway.py``'s zero-latency
upstream: 6.5 ms to the first chunk against 2.8 ms for the same request over httpx, and about
4x the CPU per stream): ``acompletion``'s executor hop, its logging objects, and a
``CustomStreamWrapper`` that rebuilds every chunk, then the whole stream again at the end.
The ``openai`` client's own typed chunks cost another 0.9 ms to the first token, so the SSE
lines are read here, and the request goes over this package's own HTTP/1.1 connections
(``_http1``, ``_ahead``) rather than httpx's, whose layers cost about a third of the gateway's
CPU per stream.

Only a model whose request litellm would send unchanged takes this path: ``openai/<name>`` with
an ``api_base`` and an API key variable in routes.yaml, no ``extra`` keywords and no
``api_version`` (litellm would interpret them), and a model name litellm maps with its plain
chat completions config (not the o-series or GPT-5 configs, which rename and drop parameters),
at a server that no proxy of the environment (``HTTPS_PROXY``, ``ALL_PROXY``...) stands before.
Every other model goes through litellm as before.

Such a model's calls, streamed or plain, come here only when litellm would send their messages
and parameters unchanged (``sent_unchanged``; any other goes through litellm). Through
``acompletion`` a plain call cost the gateway about 4.7 ms of CPU against 1.45 ms here
(``benchmarks/bench_gateway.py``'s upstream, sequential requests). Its answer is read by
``_openai_answer`` as litellm reads it, so text, tool calls, finish reason and usage come out
the same.

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

from router._config._schema import ModelSpec
from router._errors import ApiKeyMissing, ProviderError, ProviderTimeout, ProviderUnavailable
from router._pricing import ModelInfo
from router._providers._ahead import Pool, Target, target
from router._providers._base import Provider
from router._providers._errors import from_http_error, prompt_texts, to_provider_error
from router._providers._http1 import Connection, HTTPError
from router._providers._keys import missing_key
from router._providers._litellm import client_timeout
from router._providers._litellm_import import load_litellm
from router._providers._openai_answer import plain_answer, priced, usage_of
from router._results import ProviderResponse, Usage
from router._settings import api_key, behind_proxy
from router._signals._tokens import count_messages, count_text, encoding_for
from router._streaming import Channel, StreamDelta, current_channel, relay
from router._task import Message

__all__ = ["DirectStreams", "OpenAIStreams", "sent_unchanged", "streams_directly"]

_PREFIX = "openai/"
_DONE = b"[DONE]"


def streams_directly(spec: ModelSpec) -> bool:
    """True when a stream of ``spec`` can be read here: litellm would send it unchanged."""
    params = spec.params
    if not spec.model.startswith(_PREFIX) or params.api_base is None or params.api_key_env is None:
        return False
    if params.extra or params.api_version is not None:
        return False
    return _plain_chat_config(spec.model.removeprefix(_PREFIX)) and not behind_proxy(params.api_base)


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


def sent_unchanged(messages: Sequence[Message], params: Mapping[str, Any]) -> bool:
    """True when litellm would send a plain call's messages and parameters as they are, so the
    direct request is the one litellm would send.

    Checked against litellm's request for a plain chat config (``tests/calls/test_direct_calls_http.py``):
    it drops a message's None values, renames the ``developer`` role to ``system``, drops ``user``
    for a model outside OpenAI's catalogue, ``tool_choice`` without ``tools`` and ``stream_options``
    without ``stream``. Such a call, or one with a parameter not listed here, goes through litellm.
    """
    if not params.keys() <= _PASSED or ("tool_choice" in params and "tools" not in params):
        return False
    return all(message.get("role") in _ROLES and None not in message.values() for message in messages)


_PASSED = frozenset(
    {
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "n",
        "parallel_tool_calls",
        "presence_penalty",
        "response_format",
        "seed",
        "stop",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
    }
)
"""Chat parameters litellm sends unchanged to a plain chat config's server."""

_ROLES = frozenset({"system", "user", "assistant", "tool"})


class DirectStreams:
    """A provider that sends the requests of the models ``streams_directly`` accepts itself,
    streamed, or plain when ``sent_unchanged``, and hands every other request to ``inner``."""

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
        # A request litellm would change (a "developer" turn, a None field, ``user`` for a model
        # outside OpenAI's catalogue) goes through litellm, streamed or not, so the request on
        # the wire is litellm's either way.
        if not streams_directly(model.spec) or not sent_unchanged(messages, params or {}):
            return await self.inner.acomplete(
                model, messages, max_tokens=max_tokens, timeout_s=timeout_s, params=params
            )
        channel = current_channel()
        if channel is None:
            return await self.streams.complete(
                model, messages, max_tokens=max_tokens, timeout_s=timeout_s, params=params
            )
        return await self.streams.stream(
            model, messages, channel, max_tokens=max_tokens, timeout_s=timeout_s, params=params
        )


class OpenAIStreams:
    """Sends streamed requests over one connection pool per event loop (its connections are the
    loop's), with this package's own HTTP/1.1 client (``_http1``)."""

    def __init__(self) -> None:
        self._pools: Pool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _pool(self) -> Pool:
        loop = asyncio.get_running_loop()
        if self._pools is None or self._loop is not loop:
            # Connections made on another loop (a closed one, say) cannot be used on this one.
            self._pools = Pool()
            self._loop = loop
        return self._pools

    def open_ahead(self, spec: ModelSpec) -> None:
        """Start connecting to ``spec``'s server unless an idle connection to it is kept (``_ahead``)."""
        assert spec.params.api_base is not None  # streams_directly checked it
        self._pool().open_ahead(_target(spec.params.api_base), spec.params.timeout)

    async def aclose(self) -> None:
        pool, self._pools = self._pools, None
        if pool is not None and self._loop is asyncio.get_running_loop():
            await pool.aclose()

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
        texts, exact, to, request = _prepared(model, messages, max_tokens, timeout_s, params, stream=True)
        read_timeout = client_timeout(exact)
        pool = self._pool()
        connection: Connection | None = None
        try:
            # The exact timeout bounds the wait for the answer's head, as ``send`` does for litellm.
            async with asyncio.timeout(exact):
                connection = await pool.connection(to, exact)
                connection.send(request)
                await connection.head(None)
        except BaseException as exc:
            raise _failed(exc, connection, model.name, texts) from None
        try:
            if connection.status != 200:
                body = b"".join([chunk async for chunk in connection.body(read_timeout)])
                raise from_http_error(
                    connection.status, connection.headers, body, model.name, prompt_texts=texts
                )
            events = _events(connection.body(read_timeout), model.name, texts)

            def finish(chunks: list[Any]) -> ProviderResponse:
                return _response(model, messages, chunks)

            answered = await relay(
                model, events, channel, finish, lambda exc: _transport_error(exc, model.name, texts), _read
            )
        except BaseException:
            # Closed unless its answer was read to the end: a call cancelled or failed part way
            # stops the provider's stream with the connection.
            pool.release(connection, to)
            raise
        pool.release_at_end(connection, to)  # read to its [DONE]: kept once the body ends
        return answered

    async def complete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        """One plain (not streamed) request, its answer read whole and converted as litellm's is."""
        texts, exact, to, request = _prepared(model, messages, max_tokens, timeout_s, params, stream=False)
        pool = self._pool()
        connection: Connection | None = None
        try:
            # The exact timeout bounds the whole answer, as ``send`` bounds litellm's call.
            async with asyncio.timeout(exact):
                connection = await pool.connection(to, exact)
                connection.send(request)
                await connection.head(None)
                body = b"".join([chunk async for chunk in connection.body(None)])
        except BaseException as exc:
            raise _failed(exc, connection, model.name, texts) from None
        pool.release(connection, to)  # read to its end: kept for the next request
        if not 200 <= connection.status < 300:
            raise from_http_error(connection.status, connection.headers, body, model.name, prompt_texts=texts)
        return plain_answer(model, body, texts)


def _prepared(
    model: ModelInfo,
    messages: Sequence[Message],
    max_tokens: int,
    timeout_s: float | None,
    params: Mapping[str, Any] | None,
    *,
    stream: bool,
) -> tuple[_PromptTexts, float | None, Target, bytes]:
    """A call's prompt texts (for errors), exact timeout, target and request bytes."""
    spec = model.spec
    exact = timeout_s if timeout_s is not None else spec.params.timeout
    assert spec.params.api_base is not None  # streams_directly checked it
    to = _target(spec.params.api_base)
    return (
        _PromptTexts(messages),
        exact,
        to,
        _request(to, spec, messages, max_tokens, params or {}, stream=stream),
    )


def _failed(
    exc: BaseException, connection: Connection | None, model_name: str, texts: Sequence[str]
) -> BaseException:
    """What a call that failed before its answer raises: the connection is closed (cancelled
    too: the provider sees the call end); a cancellation stays one, any other error becomes a
    provider error."""
    if connection is not None:
        connection.close()
    return _transport_error(exc, model_name, texts) if isinstance(exc, Exception) else exc


def _request(
    to: Target,
    spec: ModelSpec,
    messages: Sequence[Message],
    max_tokens: int,
    params: Mapping[str, Any],
    *,
    stream: bool,
) -> bytes:
    """The request litellm would send for ``spec``, head and body in one piece of bytes."""
    key = api_key(spec.params.api_key_env or "")
    if key is None:
        raise ApiKeyMissing(missing_key(spec) or "the API key is not set", model=spec.name)
    if not key.isprintable() or not key.isascii():
        # A line break would end the header early (and let the rest be read as headers).
        message = f"the API key in {spec.params.api_key_env} is not one line of ASCII"
        raise ApiKeyMissing(message, model=spec.name)
    body = {
        **params,
        "model": spec.model.removeprefix(_PREFIX),
        "messages": list(messages),
        "max_tokens": max_tokens,
    }
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    content = json.dumps(body, separators=(",", ":")).encode()
    head = b"%sauthorization: Bearer %s\r\n%scontent-length: %d\r\n\r\n" % (
        to.start,
        key.encode("ascii"),
        _STREAM_HEADERS if stream else _PLAIN_HEADERS,
        len(content),
    )
    return head + content


_STREAM_HEADERS = (
    b"user-agent: router-direct-streams\r\naccept: text/event-stream\r\ncontent-type: application/json\r\n"
)
"""What every stream's request says besides its target, key and length (no compression is asked for)."""

_PLAIN_HEADERS = (
    b"user-agent: router-direct-streams\r\naccept: application/json\r\ncontent-type: application/json\r\n"
)
"""The same for a plain call's request."""


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


def _target(api_base: str) -> Target:
    """Where ``api_base``'s chat completions go, split once (``target`` caches it)."""
    return target(api_base.rstrip("/") + "/chat/completions")


async def _events(body: AsyncIterator[bytes], model_name: str, texts: Sequence[str]) -> AsyncIterator[Any]:
    """The JSON chunks of an SSE stream's body, up to its ``data: [DONE]``.

    A body that ends before ``[DONE]`` is a stream the provider dropped (a closed connection
    delimits the body, so the cut shows only so): an error, as litellm has it. Lines end at LF,
    CRLF or CR, as the SSE format has them; only ``data:`` lines are read.
    """
    rest = b""
    async for received in body:
        lines = (rest + received).splitlines(keepends=True)
        # An unfinished last line waits for the rest; a CRLF cut after its CR reads as a
        # line and a blank one, and blank lines are skipped.
        rest = lines.pop() if lines and not lines[-1].endswith((b"\n", b"\r")) else b""
        for line in lines:
            if not line.startswith(b"data:"):
                continue  # blank separators, comments, ``event:`` names
            chunk = _chunk(line[5:].strip(), model_name, texts)
            if chunk is None:
                return
            yield chunk
    raise ProviderUnavailable("the provider's stream ended before its [DONE]", model=model_name)


def _chunk(data: bytes, model_name: str, texts: Sequence[str]) -> Any:
    """One ``data:`` line's chunk, or None for ``[DONE]``."""
    if data == _DONE:
        return None
    try:
        chunk = json.loads(data)
    except ValueError:
        raise ProviderUnavailable("the provider streamed a line that is not JSON", model=model_name) from None
    if not isinstance(chunk, dict):
        raise ProviderUnavailable("the provider streamed a chunk that is not an object", model=model_name)
    if "error" in chunk:
        # vLLM and others report a failure inside a 200 stream: {"error": {...}}.
        raise from_http_error(None, {}, data, model_name, prompt_texts=texts)
    return chunk


def _read(chunk: Mapping[str, Any], model: str) -> tuple[StreamDelta | None, Usage | None]:
    usage = chunk.get("usage")
    reported = usage_of(usage) if isinstance(usage, Mapping) and usage.get("prompt_tokens") else None
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
        cost_usd=priced(model, usage),
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


def _transport_error(exc: BaseException, model_name: str, texts: Sequence[str]) -> ProviderError:
    """A failure below HTTP (refused, reset, timed out) or one raised while reading the stream."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, TimeoutError):
        return ProviderTimeout(
            f"{model_name} did not answer in time ({type(exc).__name__})", model=model_name
        )
    if isinstance(exc, HTTPError):
        return ProviderUnavailable(f"{type(exc).__name__} from the provider ({exc})"[:500], model=model_name)
    return to_provider_error(exc, model_name, prompt_texts=texts)
