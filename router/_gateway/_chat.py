"""``POST /v1/chat/completions``: the OpenAI request body in, a routed task out, and back.

The parameter policy is the SDK's (``router._params``): a parameter neither OpenAI's chat API nor
litellm defines is a 400 naming it; one a candidate model does not take excludes that model or
is dropped for it, as ``policies.unsupported_params`` says. ``model`` is ``auto`` (the routes
decide), a rule name, or a routes.yaml model name; anything else is a 404 ``model_not_found``
listing what may be named.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from router._config._schema import RoutesConfig
from router._decision import Decision
from router._errors import UsageError
from router._explain import summary
from router._gateway._errors import ApiError, bad_request
from router._params import ParameterError
from router._results import Completion, Usage
from router._task import Task

AUTO = "auto"

_ROUTING = frozenset({"messages", "model", "metadata", "stream"})
"""Body fields the gateway reads itself; the rest are chat parameters for the model."""


@dataclass(frozen=True)
class Target:
    """What the request's ``model`` names: the routes (auto), one rule, or one model."""

    rule: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    task: Task
    target: Target
    stream: bool = False
    include_usage: bool = False
    """``stream_options.include_usage``: end the stream with a usage chunk."""


def parse(body: Any, config: RoutesConfig, *, team: str | None, tags: Sequence[str]) -> ChatRequest:
    """The routed task a chat completions body asks for, or an ``ApiError`` naming the problem."""
    if not isinstance(body, Mapping):
        raise bad_request("the request body must be a JSON object")
    target = _target(body.get("model"), config)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array of chat messages", "messages")
    max_tokens = _max_tokens(body)
    metadata = _metadata(body.get("metadata"))
    params = {name: value for name, value in body.items() if name not in _ROUTING}
    try:
        task = Task.build(
            messages, max_tokens=max_tokens, team=team, tags=tags, metadata=metadata, params=params
        )
    except UsageError as error:
        if isinstance(error, ParameterError):
            raise bad_request(error.message, error.param, error.code) from None
        raise bad_request(error.message, "messages") from None
    stream = body.get("stream") is True
    options = body.get("stream_options")
    include_usage = stream and isinstance(options, Mapping) and options.get("include_usage") is True
    return ChatRequest(task, target, stream, include_usage)


def _target(model: Any, config: RoutesConfig) -> Target:
    if not isinstance(model, str) or not model:
        raise bad_request("'model' is required: 'auto', a rule name or a model name", "model")
    if model == AUTO:
        return Target()
    if model in config.model_names:
        return Target(model=model)
    if any(rule.name == model for rule in config.rules):
        return Target(rule=model)
    names = ", ".join([AUTO, *config.model_names, *(rule.name for rule in config.rules)])
    raise ApiError(
        404, f"the model {model!r} does not exist; use one of: {names}", code="model_not_found", param="model"
    )


def _max_tokens(body: Mapping[str, Any]) -> int | None:
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad_request(f"{name!r} must be a positive integer, not {value!r}", name)
        return value
    return None


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise bad_request("'metadata' must be an object of string values", "metadata")
    return {str(key): val for key, val in value.items()}


def completion_body(completion: Completion) -> dict[str, Any]:
    """The ``chat.completion`` object OpenAI's clients parse."""
    return {
        "id": completion_id(completion.request_id),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": completion.model,
        "choices": [
            {
                "index": 0,
                "message": {**completion.message, "refusal": None},
                "logprobs": None,
                "finish_reason": completion.finish_reason or "stop",
            }
        ],
        "usage": usage_body(completion.usage),
        "system_fingerprint": None,
    }


def usage_body(usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def completion_id(request_id: str) -> str:
    return "chatcmpl-" + request_id.removeprefix("req_")


def explain_headers(completion: Completion) -> dict[str, str]:
    """Why this answer came from where it did: model, rule, sensitivity, attempts, cost."""
    decision = completion.decision
    tried = [attempt for attempt in completion.attempts if attempt.model != completion.model]
    cost = (
        "unpriced" if completion.cost_usd is None else f"{completion.cost_usd:.10f}".rstrip("0").rstrip(".")
    )
    return {
        **decision_headers(completion.request_id, decision),
        "x-router-model": completion.model,
        "x-router-attempts": str(len(completion.attempts)),
        "x-router-fallbacks": ",".join(dict.fromkeys(attempt.model for attempt in tried)),
        "x-router-cost-usd": cost or "0",
        "x-router-simulated": "true" if completion.simulated else "false",
    }


def decision_headers(request_id: str, decision: Decision) -> dict[str, str]:
    """What is known before the answer: the request id, the rule, the sensitivity, the language,
    the prompt tokens and how many findings are pseudonymised, read from the same summary as
    the ``route.decided`` log event."""
    fields = summary(decision)
    return {
        "x-request-id": request_id,
        **{f"x-router-{name}": str(fields[name]) for name in _DECISION_HEADERS},
    }


_DECISION_HEADERS = ("rule", "sensitivity", "language", "tokens", "pseudonymised")
