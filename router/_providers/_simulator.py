"""The simulated provider: the embedded default, answering without any API key.

Requests still go through litellm's own call path. A ``CustomLLM`` handler is registered in
``litellm.custom_provider_map`` under the provider name ``router-sim`` (once per process, and
again if someone replaced the map), and each request is ``litellm.acompletion(model=
"router-sim/<routes.yaml name>", ...)``. So parameter handling, the response object, exception
classes and their mapping to router errors are litellm's real ones; only the network is missing.

Answers are priced like real ones: prompt tokens are counted from the real messages with the
model family's tokenizer (chat format), completion tokens from the generated reply (bounded by
``max_tokens``), and the cost comes from ``call_cost``: the routes.yaml price, else litellm's
catalogue price for the real model id. The reply hands litellm that same price
(``_stamp_cost``), so litellm does not search its catalogue for ``router-sim/<name>`` in vain.
The reply says it is simulated and never repeats the prompt.

Failures (``simulation.failures`` in routes.yaml, or ``inject()`` at run time) are raised from
inside the handler as litellm's own exception classes, with the status, headers and JSON error
body a provider would send, so ``_errors.to_provider_error`` maps them exactly like real ones.

A bare ``litellm.acompletion(model="router-sim/gpt-4o-mini", messages=...)`` works as well (no
latency, no failures, the name taken as the model id); ``SimulatedProvider.request_kwargs``
gives the keywords that route a bare call through a particular simulator.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import random
import threading
import weakref
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from router._config._schema import InjectedFailure, Simulation
from router._errors import UsageError
from router._pricing import ModelInfo
from router._providers._litellm import send
from router._providers._litellm_import import load_litellm
from router._results import ProviderResponse
from router._signals._tokens import count_messages, count_text, encoding_for
from router._task import Message

__all__ = ["PROVIDER_NAME", "FailureKind", "SimulatedProvider", "register_handler"]

PROVIDER_NAME: Final = "router-sim"
FailureKind = Literal[
    "rate_limit", "timeout", "server_error", "outage", "context_window", "auth", "bad_request"
]
FAILURE_KINDS: Final[tuple[str, ...]] = get_args(FailureKind)

# litellm_params["metadata"][_META_KEY] tells the shared handler which simulator and real model
# a request is for; metadata is litellm's documented pass-through for caller data.
_META_KEY: Final = "router_sim"
_DEFAULT_RETRY_AFTER_S: Final = 1.0
_FAKE_URL: Final = "http://router-sim.invalid/v1/chat/completions"

# Live simulators by key, so the one process-wide handler can find the right one per request.
_SIMULATORS: weakref.WeakValueDictionary[int, SimulatedProvider] = weakref.WeakValueDictionary()
_KEYS = itertools.count(1)
_REGISTER_LOCK = threading.Lock()


_sleep = asyncio.sleep
"""How the simulator waits out its latency (tests record it instead of timing the call)."""


@dataclass
class _Injection:
    """A failure added at run time; ``remaining`` counts down when it fires (None: forever)."""

    model: str
    kind: FailureKind
    rate: float
    retry_after_s: float | None
    remaining: int | None


class SimulatedProvider:
    """A ``Provider`` that answers through litellm with simulated, correctly priced replies.

    ``seed`` (default ``simulation.seed``) makes the failure draws repeatable. ``latency=False``
    drops the configured latency, leaving only litellm's own call path (for benchmarks).
    """

    def __init__(
        self, simulation: Simulation | None = None, *, seed: int | None = None, latency: bool = True
    ) -> None:
        self.simulation = simulation or Simulation()
        self._latency_s = self.simulation.latency_ms / 1000 if latency else 0.0
        self._rng = random.Random(seed if seed is not None else self.simulation.seed)
        self._injections: list[_Injection] = []
        self._key = next(_KEYS)
        _SIMULATORS[self._key] = self

    def inject(
        self,
        model: str,
        kind: FailureKind,
        *,
        rate: float = 1.0,
        retry_after_s: float | None = None,
        times: int | None = None,
    ) -> None:
        """Make requests to ``model`` (or ``"*"``) fail with ``kind``; ``times`` limits how many.

        Injected failures are checked before the routes.yaml ones, newest last.
        """
        if kind not in FAILURE_KINDS:
            raise UsageError(f"unknown failure kind {kind!r}; expected one of {', '.join(FAILURE_KINDS)}")
        if not 0 <= rate <= 1:
            raise UsageError(f"rate must be between 0 and 1, not {rate!r}")
        if times is not None and times < 1:
            raise UsageError(f"times must be at least 1 (or None for every request), not {times!r}")
        self._injections.append(_Injection(model, kind, rate, retry_after_s, times))

    def clear_injections(self) -> None:
        """Forget every failure added with ``inject`` (routes.yaml failures stay)."""
        self._injections.clear()

    def request_kwargs(self, model: ModelInfo) -> dict[str, Any]:
        """The ``litellm.acompletion`` keywords (besides messages, max_tokens) routed to this simulator."""
        ours: dict[str, Any] = {"simulator": self._key, "litellm_model": model.spec.model}
        if model.priced:
            ours["prices"] = (model.input_cost_per_token, model.output_cost_per_token)
        return {
            "model": f"{PROVIDER_NAME}/{model.name}",
            "metadata": {_META_KEY: ours},
            "num_retries": 0,
            "max_retries": 0,
        }

    def missing_credentials(self, model: ModelInfo) -> str | None:
        """The simulator needs no key."""
        return None

    async def acomplete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        register_handler()
        timeout = timeout_s if timeout_s is not None else model.spec.params.timeout
        kwargs = {
            **(params or {}),
            "max_tokens": max_tokens,
            "timeout": timeout,
            **self.request_kwargs(model),
        }
        return await send(model, messages, kwargs, simulated=True)

    # ------------------------------------------------------------------ inside litellm's call path

    async def _answer(self, request: _Request, model_response: Any) -> Any:
        content, prompt_tokens, completion_tokens = await self._reply(request)
        return _fill(model_response, request, content, prompt_tokens, completion_tokens)

    async def _stream(self, request: _Request) -> AsyncIterator[dict[str, Any]]:
        """The same reply as ``_answer``, a few words per chunk, usage on the last one."""
        content, prompt_tokens, completion_tokens = await self._reply(request)
        words = content.split(" ")
        for start in range(0, len(words), 4):
            piece = " ".join(words[start : start + 4]) + (" " if start + 4 < len(words) else "")
            yield _chunk(piece, finish="", usage=None)
        cut = request.max_tokens is not None and completion_tokens >= request.max_tokens
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        yield _chunk("", finish="length" if cut else "stop", usage=usage)

    async def _reply(self, request: _Request) -> tuple[str, int, int]:
        failure = self._draw_failure(request.name)
        await self._wait(request)
        if failure is not None:
            raise _exception(failure, request.name)
        encoding = encoding_for(request.litellm_model)
        prompt_tokens = count_messages(request.messages, encoding)
        content, completion_tokens = _reply(request.name, prompt_tokens, request.max_tokens, encoding)
        return content, prompt_tokens, completion_tokens

    async def _wait(self, request: _Request) -> None:
        if not self._latency_s:
            return  # not even sleep(0): no latency means litellm's path and nothing else
        if request.timeout is not None and self._latency_s > request.timeout:
            # Slower than the caller waits: a real provider would time out, so this one does too.
            await _sleep(request.timeout)
            raise _exception(_Injection(request.name, "timeout", 1.0, None, None), request.name)
        await _sleep(self._latency_s)

    def _draw_failure(self, name: str) -> _Injection | None:
        for injection in list(self._injections):
            if injection.model in (name, "*") and self._rng.random() < injection.rate:
                self._consume(injection)
                return injection
        for configured in self.simulation.failures:
            if configured.model in (name, "*") and self._rng.random() < configured.rate:
                return _from_config(configured)
        return None

    def _consume(self, injection: _Injection) -> None:
        if injection.remaining is None:
            return
        injection.remaining -= 1
        if injection.remaining <= 0 and injection in self._injections:
            self._injections.remove(injection)


@functools.cache
def _bare() -> SimulatedProvider:
    """The simulator a bare ``litellm.acompletion("router-sim/...")`` call gets: no latency, no failures."""
    return SimulatedProvider(Simulation())


@dataclass(frozen=True)
class _Request:
    name: str
    litellm_model: str
    messages: Sequence[Mapping[str, Any]]
    max_tokens: int | None
    timeout: float | None
    prices: tuple[float, float] | None = None
    """Per prompt and per completion token (``ModelInfo``'s), when the request came from a
    ``SimulatedProvider`` of a priced model."""


def _from_config(failure: InjectedFailure) -> _Injection:
    return _Injection(failure.model, failure.kind, failure.rate, failure.retry_after_s, None)


# --------------------------------------------------------------------------- litellm registration


def register_handler() -> None:
    """Put the ``router-sim`` handler into ``litellm.custom_provider_map`` unless it is there.

    Idempotent, and cheap enough to call before every request: it also restores the entry if
    other code assigned a new map (as litellm's docs do: ``custom_provider_map = [...]``).
    """
    litellm = load_litellm()
    with _REGISTER_LOCK:
        if not any(item.get("provider") == PROVIDER_NAME for item in litellm.custom_provider_map):
            litellm.custom_provider_map.append({"provider": PROVIDER_NAME, "custom_handler": _handler()})


@functools.cache
def _handler() -> Any:
    litellm = load_litellm()

    # litellm only dispatches to instances of its CustomLLM, so the class is built once litellm
    # is loaded (never at import time).
    base: Any = litellm.CustomLLM

    class SimulatedLLM(base):  # type: ignore[misc]  # litellm is loaded untyped (see _litellm_import)
        """litellm's entry into the simulator: routes each request to its SimulatedProvider."""

        async def acompletion(self, *args: Any, **kwargs: Any) -> Any:
            simulator, request = _parse_request(kwargs)
            return await simulator._answer(request, kwargs["model_response"])

        async def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
            simulator, request = _parse_request(kwargs)
            async for chunk in simulator._stream(request):
                yield chunk

        def completion(self, *args: Any, **kwargs: Any) -> Any:
            # Synchronous litellm.completion() works too, from code with no running event loop.
            simulator, request = _parse_request(kwargs)
            return asyncio.run(simulator._answer(request, kwargs["model_response"]))

    return SimulatedLLM()


def _parse_request(kwargs: Mapping[str, Any]) -> tuple[SimulatedProvider, _Request]:
    litellm_params = kwargs.get("litellm_params") or {}
    ours = (litellm_params.get("metadata") or {}).get(_META_KEY) or {}
    simulator = _SIMULATORS.get(ours.get("simulator", 0)) or _bare()
    name = str(kwargs["model"])
    optional = kwargs.get("optional_params") or {}
    timeout = kwargs.get("timeout")
    prices = ours.get("prices")
    return simulator, _Request(
        name=name,
        litellm_model=str(ours.get("litellm_model") or name),
        messages=kwargs.get("messages") or [],
        max_tokens=optional.get("max_tokens") or optional.get("max_completion_tokens"),
        timeout=float(timeout) if isinstance(timeout, int | float) else None,
        prices=(float(prices[0]), float(prices[1])) if prices else None,
    )


# --------------------------------------------------------------------------- replies


def _reply(name: str, prompt_tokens: int, max_tokens: int | None, encoding: str) -> tuple[str, int]:
    """The simulated reply cut to ``max_tokens`` tokens, and its token count."""
    text = (
        f"[simulated {name}] This is a simulated answer to a {prompt_tokens}-token prompt. "
        "No model was called and the prompt was not read beyond counting its tokens."
    )
    tokens = count_text(text, encoding)
    if max_tokens is None or tokens <= max_tokens:
        return text, tokens
    # The longest prefix that fits: a binary search over characters (token counts grow with length).
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if count_text(text[:middle], encoding) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    return text[:low], count_text(text[:low], encoding)


def _chunk(text: str, *, finish: str, usage: dict[str, int] | None) -> dict[str, Any]:
    """One of litellm's ``GenericStreamingChunk`` dicts."""
    return {"text": text, "tool_use": None, "is_finished": bool(finish), "finish_reason": finish,
            "usage": usage, "index": 0}  # fmt: skip


def _fill(
    model_response: Any, request: _Request, content: str, prompt_tokens: int, completion_tokens: int
) -> Any:
    litellm = load_litellm()
    choice = model_response.choices[0]
    choice.message.content = content
    cut = request.max_tokens is not None and completion_tokens >= request.max_tokens
    choice.finish_reason = "length" if cut else "stop"
    model_response.model = request.litellm_model
    model_response.usage = litellm.Usage(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )
    _stamp_cost(model_response, request, prompt_tokens, completion_tokens)
    return model_response


def _stamp_cost(model_response: Any, request: _Request, prompt_tokens: int, completion_tokens: int) -> None:
    """Give litellm the reply's price, as providers that report their own cost do.

    litellm prices every response on its way out (``_hidden_params["response_cost"]``, for its
    logging), unless the response already carries a cost. For ``router-sim/<name>`` it finds
    no catalogue entry, and the failed search through the catalogue cost about 1 ms of CPU per
    call, a third of litellm's whole call path: the router prices the call itself
    (``call_cost``), with the same ``ModelInfo`` prices stamped here, so the figures agree. A
    zero price is not stamped: litellm would take it for a missing one and log a warning.
    """
    if request.prices is None:
        return
    cost = prompt_tokens * request.prices[0] + completion_tokens * request.prices[1]
    if cost > 0:
        # _hidden_params is where litellm's docs say to read a response's cost from.
        model_response._hidden_params["response_cost"] = cost


# --------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class _Shape:
    """How a provider reports one failure kind: litellm's class, the status and the error code."""

    litellm_class: str
    status: int
    code: str
    message: str
    retry_after_s: float | None = None
    """Sent as Retry-After when the failure sets none."""


_SHAPES: Final[Mapping[str, _Shape]] = {
    "rate_limit": _Shape(
        "RateLimitError",
        429,
        "rate_limit_exceeded",
        "simulated rate limit for {name}",
        _DEFAULT_RETRY_AFTER_S,
    ),
    "timeout": _Shape("Timeout", 408, "timeout", "simulated timeout: {name} did not answer in time"),
    "server_error": _Shape("InternalServerError", 500, "server_error", "simulated server error at {name}"),
    "outage": _Shape(
        "ServiceUnavailableError", 503, "service_unavailable", "simulated outage: {name} is down"
    ),
    "context_window": _Shape(
        "ContextWindowExceededError",
        400,
        "context_length_exceeded",
        "simulated: the prompt exceeds the context window of {name}",
    ),
    "auth": _Shape("AuthenticationError", 401, "invalid_api_key", "simulated: invalid API key for {name}"),
    "bad_request": _Shape(
        "BadRequestError", 400, "invalid_request_error", "simulated: {name} rejected the request as invalid"
    ),
}


def _exception(failure: _Injection, name: str) -> Exception:
    """litellm's exception for ``failure``, shaped like a provider's (status, headers, JSON body)."""
    shape = _SHAPES[failure.kind]
    message = shape.message.format(name=name)
    seconds = failure.retry_after_s if failure.retry_after_s is not None else shape.retry_after_s
    headers = {} if seconds is None else {"retry-after": f"{seconds:g}"}
    response = _http_response(shape.status, message, shape.code, headers)
    error_class = getattr(load_litellm(), shape.litellm_class)
    error: Exception = error_class(message=message, model=name, llm_provider=PROVIDER_NAME, response=response)
    return error


def _http_response(status: int, message: str, code: str, headers: Mapping[str, str]) -> Any:
    import httpx

    body = {"error": {"message": message, "type": code, "param": None, "code": code}}
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers=dict(headers),
        request=httpx.Request("POST", _FAKE_URL),
    )
