"""``POST /v1/chat/completions``: the OpenAI request body in, a routed task out, and back.

The parameter policy, one rule for every request:

- a parameter that OpenAI's chat API does not define is a 400 naming it (``param`` is set);
- ``model`` is ``auto`` (the routes decide), a rule name, or a routes.yaml model name;
  anything else is a 404 ``model_not_found`` listing what may be named;
- a parameter OpenAI defines that this gateway does not pass on yet is a 400 saying so, never
  silently dropped: an application that asks for tools or JSON output must not get prose back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from router._config._schema import RoutesConfig
from router._errors import UsageError
from router._gateway._errors import ApiError, bad_request
from router._results import Completion
from router._task import Task

AUTO = "auto"

OPENAI_CHAT_PARAMS = frozenset(
    {
        "messages", "model", "audio", "frequency_penalty", "function_call", "functions", "logit_bias",
        "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities", "n",
        "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key", "prompt_cache_retention",
        "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier", "stop", "store",
        "stream", "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
        "verbosity", "web_search_options",
    }
)  # fmt: skip
"""Every body field of OpenAI's chat completions API."""

_ACCEPTED = frozenset(
    {"messages", "model", "max_tokens", "max_completion_tokens", "metadata", "user", "store"}
)
"""What the gateway takes today; ``stream: false`` and ``n: 1`` are accepted too (the defaults)."""


@dataclass(frozen=True)
class Target:
    """What the request's ``model`` names: the routes (auto), one rule, or one model."""

    rule: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    task: Task
    target: Target


def parse(body: Any, config: RoutesConfig, *, team: str | None, tags: Sequence[str]) -> ChatRequest:
    """The routed task a chat completions body asks for, or an ``ApiError`` naming the problem."""
    if not isinstance(body, Mapping):
        raise bad_request("the request body must be a JSON object")
    _check_parameters(body)
    target = _target(body.get("model"), config)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array of chat messages", "messages")
    max_tokens = _max_tokens(body)
    metadata = _metadata(body.get("metadata"))
    try:
        task = Task.build(messages, max_tokens=max_tokens, team=team, tags=tags, metadata=metadata)
    except UsageError as error:
        raise bad_request(error.message, "messages") from None
    return ChatRequest(task, target)


def _check_parameters(body: Mapping[str, Any]) -> None:
    for name in body:
        if name not in OPENAI_CHAT_PARAMS:
            raise bad_request(
                f"unknown parameter {name!r}: it is not part of OpenAI's chat completions API",
                name,
                "unknown_parameter",
            )
    for name, value in body.items():
        if name in _ACCEPTED or value is None:
            continue
        if (name, value) in (("stream", False), ("n", 1)):
            continue
        raise bad_request(
            f"parameter {name!r} is not supported by this gateway yet; leave it out",
            name,
            "unsupported_parameter",
        )


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
    usage = completion.usage
    return {
        "id": completion_id(completion.request_id),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": completion.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": completion.content, "refusal": None},
                "logprobs": None,
                "finish_reason": completion.finish_reason or "stop",
            }
        ],
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        },
        "system_fingerprint": None,
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
        "x-request-id": completion.request_id,
        "x-router-model": completion.model,
        "x-router-rule": decision.rule,
        "x-router-sensitivity": decision.signals.sensitivity.label,
        "x-router-attempts": str(len(completion.attempts)),
        "x-router-fallbacks": ",".join(dict.fromkeys(attempt.model for attempt in tried)),
        "x-router-cost-usd": cost or "0",
        "x-router-simulated": "true" if completion.simulated else "false",
    }
