"""The OpenAI chat parameters a call may carry, and what each asks of a model.

One policy for every entry point (``complete``, ``stream``, the gateway):

- a parameter that neither OpenAI's chat API nor litellm defines is a ``UsageError`` (a 400 in
  the gateway) naming it;
- ``n`` above 1 is refused: each of n answers would be routed and billed on its own, so ask n
  times;
- a known parameter that a candidate model does not take (litellm's
  ``get_supported_openai_params``) excludes that model with the reason, or is dropped for it with
  a note on the candidate, as ``policies.unsupported_params`` says (``exclude`` by default);
- what a request needs becomes a capability requirement (``needs``): tools need ``tools``, a
  ``json_schema`` response format needs ``json_schema``, an image part ``vision``, an audio part
  ``audio_input``, a file part ``pdf_input``, ``reasoning_effort`` needs ``reasoning``.

Nothing here imports litellm: routing stays fast. ``unsupported`` does, and is only called for a
request that carries parameters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from router._decision import Candidate
from router._errors import UsageError

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

LITELLM_CHAT_PARAMS = frozenset({"thinking"})
"""Chat parameters litellm adds to OpenAI's (a test checks this against litellm's own list)."""

OWN = frozenset(
    {"messages", "model", "max_tokens", "max_completion_tokens", "stream", "stream_options", "metadata"}
    | {"n", "store"}
)
"""Taken by the router itself, never passed on as they came: messages and max_tokens are sent by
the executor, ``model`` chooses the route, ``stream`` the method (which asks for the usage
chunk itself), ``metadata`` feeds rule
conditions (litellm reads a ``metadata`` keyword as its own), ``store`` asks OpenAI to keep the
exchange, which a router that keeps no text does not pass on."""

PASSED = (OPENAI_CHAT_PARAMS | LITELLM_CHAT_PARAMS) - OWN
"""The parameters sent to the model as given (minus those a candidate does not take)."""

CAPABILITY_FLAGS: Mapping[str, str] = {
    "supports_function_calling": "tools",
    "supports_parallel_function_calling": "parallel_tools",
    "supports_response_schema": "json_schema",
    "supports_vision": "vision",
    "supports_audio_input": "audio_input",
    "supports_pdf_input": "pdf_input",
    "supports_reasoning": "reasoning",
    "supports_prompt_caching": "prompt_caching",
}
"""litellm catalogue flag -> capability tag, for models whose routes.yaml lists no capabilities."""


class ParameterError(UsageError):
    """A chat parameter cannot be used as given; ``param`` names it (the gateway's 400 says so)."""

    param: str
    code: str
    """``unknown_parameter``, ``unsupported_parameter`` or ``invalid_parameter``."""

    _fields = ("param", "code")

    def __init__(self, message: str, *, param: str, code: str = "invalid_parameter") -> None:
        super().__init__(message)
        self.param = param
        self.code = code


_PART_NEEDS = {"image_url": "vision", "input_audio": "audio_input", "file": "pdf_input"}
_READABLE_PARTS = frozenset({"text", "refusal"})


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters to pass on, or ``UsageError`` naming an unknown one (``n > 1`` too)."""
    for name in params:
        if name not in OPENAI_CHAT_PARAMS and name not in LITELLM_CHAT_PARAMS:
            raise ParameterError(
                f"unknown parameter {name!r}: neither OpenAI's chat API nor litellm takes it",
                param=name,
                code="unknown_parameter",
            )
    n = params.get("n")
    if n is not None and n != 1:
        raise ParameterError(
            f"n={n!r} is not supported: each answer would be routed and billed on its own; ask {n} times",
            param="n",
            code="unsupported_parameter",
        )
    for name in ("tools", "functions"):
        if params.get(name) is not None and not isinstance(params[name], list):
            raise ParameterError(f"{name!r} must be a list of definitions", param=name)
    return {name: value for name, value in params.items() if name in PASSED and value is not None}


def needs(params: Mapping[str, Any], messages: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The capability tags a request needs of the model that takes it."""
    found: list[str] = []
    if (params.get("tools") or params.get("functions")) and params.get("tool_choice") != "none":
        found.append("tools")
    response_format = params.get("response_format")
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        found.append("json_schema")
    if params.get("reasoning_effort") is not None:
        found.append("reasoning")
    found += [_PART_NEEDS[kind] for kind in _part_types(messages) if kind in _PART_NEEDS]
    return tuple(dict.fromkeys(found))


def unreadable_parts(messages: Sequence[Mapping[str, Any]]) -> int:
    """Content parts the router cannot read (images, audio, files): their text is unknown."""
    return sum(kind not in _READABLE_PARTS for kind in _part_types(messages))


_STRUCTURAL_KEYS = frozenset({"role", "content"})
"""Message keys the sensitivity scan does not read from ``hidden_text``: the role is one of a few
words, and the content's text is the task's text (its image, audio and file parts count as
unreadable instead)."""


def hidden_text(params: Mapping[str, Any], messages: Sequence[Mapping[str, Any]]) -> str:
    """Everything sent to the model beyond the messages' text, for the sensitivity scan.

    Fail closed by construction: every string in every parameter passed on (tools, schemas,
    ``stop``, ``user``, ``safety_identifier``, ``prompt_cache_key``, ``web_search_options``, ...)
    and every message field but the role and the content (name, tool calls, ``refusal``,
    ``reasoning_content``, thinking blocks, any field a provider may read), and whatever a
    text or refusal part holds beside its ``text`` string. A new parameter or field is scanned
    without a change here. (Image, audio and file parts are not read: they count as unreadable.)
    """
    pieces: list[Any] = [value for value in params.values() if _carries_text(value)]
    for message in messages:
        pieces += [value for key, value in message.items() if key not in _STRUCTURAL_KEYS and value]
        pieces += _part_leftovers(message.get("content"))
    return "\n".join(_dump(piece) for piece in pieces if piece)


def _carries_text(value: Any) -> bool:
    # Numbers and flags (temperature, seed, logprobs, ...) say nothing about anyone.
    return value is not None and not isinstance(value, bool | int | float)


def _part_leftovers(content: Any) -> list[Any]:
    """What the readable parts of a content list hold beyond a ``text`` string (a ``refusal``
    part's text, a malformed text part): the token counter and ``Task.text`` read only that."""
    if not isinstance(content, list | tuple):
        return []
    found: list[Any] = []
    for part in content:
        if isinstance(part, Mapping) and part.get("type") in _READABLE_PARTS:
            found += [
                value
                for key, value in part.items()
                if key != "type" and not (key == "text" and isinstance(value, str))
            ]
        elif not isinstance(part, str | Mapping):
            found.append(part)
    return found


def unsupported(litellm_model: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The parameters ``litellm_model`` does not take; () when litellm does not know the model."""
    from router._providers._litellm_import import load_litellm

    litellm = load_litellm()
    try:
        provider = litellm.get_llm_provider(litellm_model)[1]
        supported = litellm.get_supported_openai_params(model=litellm_model, custom_llm_provider=provider)
    except Exception:
        return ()  # a provider litellm cannot name: let the provider itself say no
    if not supported:
        return ()
    return tuple(name for name in params if name not in supported and name != "user")


def _part_types(messages: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, str):
                    yield "text"  # a bare string part is text (the token counter reads it so too)
                else:
                    yield str(part.get("type")) if isinstance(part, Mapping) else "unknown"


def _dump(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def for_candidate(params: Mapping[str, Any], candidate: Candidate) -> dict[str, Any]:
    """The parameters sent to ``candidate``: all of them, less those noted as dropped for it."""
    if not candidate.dropped_params:
        return dict(params)
    return {name: value for name, value in params.items() if name not in candidate.dropped_params}
