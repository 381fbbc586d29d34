"""Typed results of model calls: one ``Attempt`` per try, one ``Completion`` per answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from router._decision import Decision

Outcome = Literal["ok", "error", "skipped"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Usage(_Frozen):
    """Tokens as the provider reported them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    """Prompt tokens the provider served from its prompt cache (part of ``prompt_tokens``)."""
    reasoning_tokens: int = 0
    """Completion tokens the model spent reasoning (part of ``completion_tokens``)."""

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @classmethod
    def reported(cls, raw: Any) -> Usage:
        """litellm's usage object (of a response or a stream's usage chunk) as our ``Usage``."""
        # A provider that reports no usage gives zeros rather than a failed call.
        prompt_details = getattr(raw, "prompt_tokens_details", None)
        completion_details = getattr(raw, "completion_tokens_details", None)
        return cls(
            prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
            cached_tokens=int(getattr(prompt_details, "cached_tokens", 0) or 0),
            reasoning_tokens=int(getattr(completion_details, "reasoning_tokens", 0) or 0),
        )


class Attempt(_Frozen):
    """One try of one model: what happened, how long it took, what it cost.

    ``outcome`` is ``skipped`` when the model was passed over without a request
    (open circuit, rate limit slot not free in time, budget ``skip``).
    """

    model: str
    number: int
    """1-based attempt number across the whole call (fallbacks included)."""
    outcome: Outcome
    error_type: str | None = None
    error: str | None = None
    """The provider's error message (never prompt text), or why the model was skipped."""
    status: int | None = None
    latency_ms: float = 0.0
    usage: Usage | None = None
    cost_usd: float | None = None
    fallback: bool = False
    """True when this attempt went to a model other than the first choice."""


class ProviderResponse(_Frozen):
    """What a provider adapter returns for one successful request."""

    content: str
    usage: Usage
    cost_usd: float | None
    """None when no price is known for the model (an unpriced call)."""
    simulated: bool = False
    finish_reason: str | None = None
    provider_model: str | None = None
    tool_calls: tuple[dict[str, Any], ...] | None = None
    """The tool calls of the assistant message, as the provider returned them (OpenAI's shape)."""


class Completion(_Frozen):
    """The answer to a routed call, with every attempt it took to get it."""

    content: str
    model: str
    """The routes.yaml name of the model that answered."""
    litellm_model: str
    attempts: tuple[Attempt, ...]
    usage: Usage
    cost_usd: float | None
    """Cost of the whole call: every billed attempt, not only the one that answered."""
    latency_ms: float
    decision: Decision
    simulated: bool = False
    request_id: str = ""
    finish_reason: str | None = None
    tool_calls: tuple[dict[str, Any], ...] | None = None
    """The tool calls the model asked for (``{"id", "type": "function", "function": {...}}``)."""

    @property
    def message(self) -> dict[str, Any]:
        """The assistant message as OpenAI's API shapes it, ready to append to the conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [dict(call) for call in self.tool_calls]
        elif message["content"] is None:
            message["content"] = ""
        return message

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``router complete --json``."""
        data = self.model_dump(mode="json")
        data["decision"] = self.decision.as_dict()
        return data
