"""The typed result of routing: which model, by which rule, and why.

A decision never holds the prompt: only counts, codes and finding types, so
it can be logged, stored with a batch item or sent across Celery freely.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from router._config._schema import Level


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FindingSummary(_Frozen):
    """One kind of sensitive content found, and how many times (never the text)."""

    type: str
    level: Level
    count: int = 1


class Signals(_Frozen):
    """What the router measured of a task."""

    tokens: int
    """Prompt tokens under the reference tokenizer (o200k_base); per-model counts are on candidates."""
    language: str
    language_confidence: float
    sensitivity: Level
    findings: tuple[FindingSummary, ...] = ()

    @property
    def finding_types(self) -> frozenset[str]:
        return frozenset(finding.type for finding in self.findings)


class Candidate(_Frozen):
    """A model that may take the task, with its own token count and cost estimate."""

    model: str
    litellm_model: str
    prompt_tokens: int
    expected_output_tokens: int
    estimated_cost_usd: float | None
    """None when neither litellm's catalogue nor routes.yaml gives a price."""
    tokens_exact: bool = True
    """False when no tokenizer of this model's family ships offline and a close one was used."""


class Excluded(_Frozen):
    model: str
    reason: str


class Decision(_Frozen):
    """The ordered list of models that may take a task; the first is the choice."""

    rule: str
    signals: Signals
    candidates: tuple[Candidate, ...]
    excluded: tuple[Excluded, ...] = ()
    max_tokens: int | None = None
    cost_cap_usd: float | None = None

    @property
    def model(self) -> str:
        """The chosen model: the cheapest capable one."""
        return self.candidates[0].model

    @property
    def chosen(self) -> Candidate:
        return self.candidates[0]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``router route --json``."""
        return {"model": self.model, **self.model_dump(mode="json")}
