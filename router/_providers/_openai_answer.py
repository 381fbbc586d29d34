"""Reading an OpenAI-compatible server's answer on the direct path: a plain call's JSON body,
the usage object a stream or an answer ends with, and the call's price.

A plain answer of the usual shape (text, OpenAI's usage fields) is read here; any other goes
through litellm's own ``convert_to_model_response_object``, so tool calls, reasoning fields and
other providers' usage mappings come out as through litellm (``_openai_stream`` sends them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from router._errors import ProviderUnavailable
from router._pricing import ModelInfo
from router._providers._cost import call_cost
from router._providers._errors import from_http_error, to_provider_error
from router._providers._litellm import provider_response
from router._providers._litellm_import import load_litellm
from router._results import ProviderResponse, Usage

__all__ = ["plain_answer", "priced", "usage_of"]


def plain_answer(model: ModelInfo, body: bytes, texts: Sequence[str]) -> ProviderResponse:
    """A plain call's 2xx answer, as ``provider_response`` reads litellm's conversion of it."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        # As litellm has it: a non-JSON 200 (a confused proxy's page) is a transient fault.
        raise ProviderUnavailable(
            "the provider answered with a body that is not a JSON object", model=model.name, status=500
        )
    if "error" in data:
        raise from_http_error(None, {}, body, model.name, prompt_texts=texts)
    return _plain_answer(model, data) or _converted(model, data, texts)


def _plain_answer(model: ModelInfo, data: Mapping[str, Any]) -> ProviderResponse | None:
    """The answer read here when it has the plain shape (text, no tool calls or reasoning
    fields, OpenAI's usage fields), else None for litellm's conversion (``_converted``).

    Read as litellm reads it: the content through litellm's own ``extract_reasoning_content``
    (a leading ``<think>`` block is split off), a missing finish reason as ``finish_details``
    or ``stop``, mapped by ``map_finish_reason``; ``model`` as the answer names it. The models
    ``streams_directly`` accepts differ only in these; litellm's ``ModelResponse`` objects cost
    about a third of a plain call's CPU in the gateway.
    """
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict) or message.keys() & _CONVERTED_FIELDS:
        return None
    if not isinstance(message.get("content"), str | None):
        return None
    usage = _plain_usage(data.get("usage"))
    if usage is None:
        return None
    from litellm.litellm_core_utils.core_helpers import map_finish_reason
    from litellm.litellm_core_utils.prompt_templates.reasoning_utils import extract_reasoning_content

    _, content = extract_reasoning_content(message)
    finish = choice.get("finish_reason")
    if finish is None:
        finish = choice.get("finish_details") or "stop"
    return ProviderResponse(
        content=content or "",
        usage=usage,
        cost_usd=priced(model, usage),
        finish_reason=map_finish_reason(finish),
        provider_model=data.get("model"),
    )


_CONVERTED_FIELDS = frozenset({"tool_calls", "function_call", "reasoning_content", "reasoning"})
"""Message fields that litellm's conversion reshapes: an answer with one goes through it."""

_USAGE_FIELDS = frozenset({"prompt_tokens", "completion_tokens", "total_tokens"})
_USAGE_DETAILS = {"prompt_tokens_details": "cached_tokens", "completion_tokens_details": "reasoning_tokens"}


def _plain_usage(raw: Any) -> Usage | None:
    """OpenAI's usage object as ``Usage.reported`` reads litellm's, or None for any other shape
    (a DeepSeek or Anthropic cache count, say, which litellm's ``Usage`` maps)."""
    if raw is None:
        return Usage()  # litellm's zeros for an answer without usage
    if not isinstance(raw, dict) or not raw.keys() <= _USAGE_FIELDS | _USAGE_DETAILS.keys():
        return None
    counts = [raw.get(name) for name in _USAGE_FIELDS]
    details = [raw.get(name) or {} for name in _USAGE_DETAILS]
    if not all(isinstance(count, int | None) for count in counts) or not all(
        isinstance(d, dict) for d in details
    ):
        return None
    prompt, completion = details
    cached, reasoning = prompt.get("cached_tokens"), completion.get("reasoning_tokens")
    if not isinstance(cached, int | None) or not isinstance(reasoning, int | None):
        return None
    return usage_of(raw)


def _converted(model: ModelInfo, data: dict[str, Any], texts: Sequence[str]) -> ProviderResponse:
    """Any other answer through litellm's own conversion (its tool-call shapes and usage mappings)."""
    litellm = load_litellm()
    from litellm.litellm_core_utils.llm_response_utils.convert_dict_to_response import (
        convert_to_model_response_object,
    )

    try:
        response = convert_to_model_response_object(
            response_object=data, model_response_object=litellm.ModelResponse(), response_type="completion"
        )
    except Exception as exc:  # an answer without choices, say: litellm's error for it
        raise to_provider_error(exc, model.name, prompt_texts=texts) from None
    return provider_response(model, response, simulated=False)


def usage_of(raw: Mapping[str, Any]) -> Usage:
    """An OpenAI usage object (a stream's last chunk's, or a plain answer's) as ``Usage``."""
    prompt_details = raw.get("prompt_tokens_details") or {}
    completion_details = raw.get("completion_tokens_details") or {}
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
        cached_tokens=int(prompt_details.get("cached_tokens") or 0),
        reasoning_tokens=int(completion_details.get("reasoning_tokens") or 0),
    )


def priced(model: ModelInfo, usage: Usage) -> float | None:
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
