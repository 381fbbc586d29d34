"""The real provider adapter: one ``litellm.acompletion`` call per attempt.

litellm's own retries are off (``num_retries=0`` and ``max_retries=0``, since the OpenAI client
litellm wraps retries twice by default, litellm#12358): the router retries, with backoff and
Retry-After, and records every attempt. Every failure leaves as a ``ProviderError``
(see ``_errors``). Nothing here logs prompt, completion or key.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from typing import Any

from router._config._schema import ModelSpec
from router._errors import ApiKeyMissing
from router._pricing import ModelInfo
from router._providers._cost import call_cost
from router._providers._errors import prompt_texts, to_provider_error
from router._providers._keys import missing_key
from router._providers._litellm_import import load_litellm
from router._results import ProviderResponse, Usage
from router._settings import api_key
from router._streaming import current_channel, relay
from router._task import Message

__all__ = [
    "LiteLLMProvider",
    "client_timeout",
    "provider_response",
    "request_kwargs",
    "routes_prices",
    "send",
]


class LiteLLMProvider:
    """Sends each request to the model's real provider through litellm.

    API keys are read from the environment at call time, so a key exported after start-up is
    picked up. A model whose key variable is unset in this process is reported by
    ``missing_credentials`` and skipped by the router for this process only: it is a local
    configuration fault, so it opens no shared circuit. Only the provider's own 401/403
    park the model for everyone.
    """

    def missing_credentials(self, model: ModelInfo) -> str | None:
        return missing_key(model.spec)

    async def acomplete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        kwargs = request_kwargs(model.spec, max_tokens=max_tokens, timeout_s=timeout_s)
        kwargs.update(routes_prices(model))
        return await send(model, messages, {**(params or {}), **kwargs}, simulated=False)


def routes_prices(model: ModelInfo) -> dict[str, float]:
    """The routes.yaml prices, for litellm's own pricing of the call (its logging and stream
    builder price every response, a stream several times over).

    Given them, litellm prices from them (its custom pricing, never sent to the provider)
    instead of searching its catalogue, which for a model missing from it (a self-hosted
    one) costs milliseconds per call. ``call_cost`` prices such a model from routes.yaml in
    any case, so the figure is the same. Nothing is passed for a model priced by the catalogue.
    """
    spec = model.spec
    overridden = spec.input_cost_per_token is not None or spec.output_cost_per_token is not None
    if not overridden or model.input_cost_per_token is None or model.output_cost_per_token is None:
        return {}
    return {
        "input_cost_per_token": model.input_cost_per_token,
        "output_cost_per_token": model.output_cost_per_token,
    }


async def send(
    model: ModelInfo, messages: Sequence[Message], kwargs: Mapping[str, Any], *, simulated: bool
) -> ProviderResponse:
    """One ``litellm.acompletion``, streamed into the current stream's channel if there is one."""
    litellm = load_litellm()
    channel = current_channel()

    def to_error(exc: BaseException) -> Exception:
        return to_provider_error(exc, model.name, prompt_texts=prompt_texts(messages))

    extra = {"stream": True, "stream_options": {"include_usage": True}} if channel is not None else {}
    exact = kwargs.get("timeout")
    try:
        # The exact timeout bounds the wait for the answer (a stream's first bytes) here; litellm
        # gets it rounded up (``client_timeout``), so that calls share its cached client.
        async with asyncio.timeout(exact):
            response = await litellm.acompletion(
                messages=list(messages), **{**kwargs, "timeout": client_timeout(exact)}, **extra
            )
    except Exception as exc:
        raise to_error(exc) from None
    if channel is None:
        return provider_response(model, response, simulated=simulated)

    def finish(chunks: list[Any]) -> ProviderResponse:
        built = litellm.stream_chunk_builder(chunks, messages=list(messages))
        return provider_response(model, built, simulated=simulated)

    return await relay(model, response, channel, finish, to_error)


def client_timeout(timeout_s: float | None) -> float | None:
    """``timeout_s`` as litellm is given it: rounded up to whole seconds from one second on.

    litellm keeps one OpenAI client (with its HTTP pool and connections) per distinct timeout,
    among other things. The timeout a call passes is what is left of its deadline, different on
    every call, so each call built a new client, opened a new connection and, with a cache of 200
    clients, closed an old one. Rounded, calls share a client; ``send`` keeps the exact bound
    with ``asyncio.timeout`` and the executor holds the chain's deadline to the millisecond.
    """
    if timeout_s is None or timeout_s < 1:
        return timeout_s
    return float(math.ceil(timeout_s))


def request_kwargs(spec: ModelSpec, *, max_tokens: int, timeout_s: float | None) -> dict[str, Any]:
    """The ``litellm.acompletion`` keywords for one request to ``spec`` (messages aside).

    Raises ``ApiKeyMissing`` when the model's key variable is not set.
    """
    params = spec.params
    # routes.yaml ``extra`` first: the keywords the router depends on cannot be overridden by it.
    kwargs: dict[str, Any] = dict(params.extra)
    kwargs.update(
        model=spec.model,
        max_tokens=max_tokens,
        timeout=timeout_s if timeout_s is not None else params.timeout,
        num_retries=0,
        max_retries=0,
    )
    optional = {"api_base": params.api_base, "api_version": params.api_version, "api_key": _api_key(spec)}
    kwargs.update({key: value for key, value in optional.items() if value is not None})
    return kwargs


def _api_key(spec: ModelSpec) -> str | None:
    variable = spec.params.api_key_env
    if variable is None:
        return None  # litellm falls back to the provider's usual variable (OPENAI_API_KEY, ...)
    key = api_key(variable)
    if key is None:
        # The executor checks ``missing_key`` first; a caller of request_kwargs alone gets this.
        raise ApiKeyMissing(missing_key(spec) or f"{variable} is not set", model=spec.name)
    return key


def provider_response(model: ModelInfo, response: Any, *, simulated: bool) -> ProviderResponse:
    """Our ``ProviderResponse`` from litellm's ``ModelResponse``, priced by ``call_cost``."""
    choice = response.choices[0]
    usage = Usage.reported(getattr(response, "usage", None))
    calls = getattr(choice.message, "tool_calls", None)
    return ProviderResponse(
        content=choice.message.content or "",
        tool_calls=tuple(_plain(call) for call in calls) if calls else None,
        usage=usage,
        cost_usd=call_cost(model, usage, None if simulated else response),
        simulated=simulated,
        finish_reason=getattr(choice, "finish_reason", None),
        provider_model=getattr(response, "model", None),
    )


def _plain(call: Any) -> dict[str, Any]:
    """A tool call as OpenAI's JSON shape (litellm returns its own objects)."""
    data: dict[str, Any] = call.model_dump() if hasattr(call, "model_dump") else dict(call)
    return {key: value for key, value in data.items() if value is not None}
