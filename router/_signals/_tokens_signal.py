"""The tokens signal: how long the prompt is, in tokens of the reference tokenizer.

Condition: ``when: {tokens: {min: 100000}}`` (inclusive bounds, ``min``, ``max`` or both).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from router._signals._signal import CountTokens, Lint, Meter, NoSettings
from router._signals._tokens import REFERENCE_ENCODING

if TYPE_CHECKING:
    from router._decision import Signals
    from router._task import Task


class TokenRange(BaseModel):
    """Prompt tokens (reference tokenizer), inclusive bounds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: Annotated[int, Field(ge=0)] | None = None
    max: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TokenRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class TokensSignal:
    """Prompt tokens under ``o200k_base``, counted in the chat format providers bill."""

    name: Final = "tokens"
    description: Final = "prompt tokens (o200k_base, chat format), inclusive bounds"
    condition: Final = TokenRange
    settings: Final = NoSettings
    fields: Final[Mapping[str, tuple[Any, Any]]] = {"tokens": (int, ...)}

    def meter(self, settings: NoSettings) -> Meter:
        return _measure

    def check(self, condition: TokenRange, signals: Signals) -> str | None:
        tokens = signals.tokens
        if condition.min is not None and tokens < condition.min:
            return f"tokens {tokens} < min {condition.min}"
        if condition.max is not None and tokens > condition.max:
            return f"tokens {tokens} > max {condition.max}"
        return None

    def lint(self, condition: TokenRange, settings: NoSettings) -> Iterator[Lint]:
        return iter(())


def _measure(task: Task, count_tokens: CountTokens) -> Mapping[str, object]:
    return {"tokens": count_tokens(REFERENCE_ENCODING)}


TOKENS: Final = TokensSignal()
