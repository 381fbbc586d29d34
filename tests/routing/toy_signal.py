"""A toy signal, in one module: how many fenced code blocks a prompt holds.

It is what a newcomer writes to add a signal: a condition model, a settings model, the
fields it adds to ``Signals``, a meter, a check that explains itself, and a lint.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from router._decision import Signals
from router._signals._signal import CountTokens, Lint, Meter
from router._task import Task


class FencesCondition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    min: int = Field(ge=0)


class FencesSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    marker: str = Field(default="```", min_length=1)


class FencesSignal:
    name = "fences"
    description = "how many fenced code blocks the prompt holds"
    condition = FencesCondition
    settings = FencesSettings
    fields: Mapping[str, tuple[Any, Any]] = {"fences": (int, 0)}

    def meter(self, settings: FencesSettings) -> Meter:
        def measure(task: Task, count_tokens: CountTokens) -> Mapping[str, object]:
            return {"fences": task.text.count(settings.marker) // 2}

        return measure

    def check(self, condition: FencesCondition, signals: Signals) -> str | None:
        fences: int = signals.value("fences")
        return None if fences >= condition.min else f"fences {fences} < min {condition.min}"

    def lint(self, condition: FencesCondition, settings: FencesSettings) -> Iterator[Lint]:
        if condition.min > 100:
            yield ("min",), f"min {condition.min} fenced blocks is more than any prompt holds"
