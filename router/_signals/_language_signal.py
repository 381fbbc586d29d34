"""The language signal: which language the prompt is written in (ISO 639-1, or ``unknown``).

Condition: ``when: {language: {in: [de, fr]}}`` or ``{not_in: [en]}``. Text the detector
cannot read is ``unknown`` and matches only a condition that lists ``unknown`` under ``in``.
Settings: ``signals: {language: {min_confidence: 0.5, min_chars: 12}}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from router._signals._language import UNKNOWN, FastTextDetector
from router._signals._signal import CountTokens, Lint, Meter

if TYPE_CHECKING:
    from router._decision import Signals
    from router._task import Task

_ISO_639_1 = re.compile(r"^[a-z]{2}$")


class LanguageSettings(BaseModel):
    """How sure the detector must be before it names a language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.5
    min_chars: Annotated[int, Field(ge=0)] = 12


class LanguageCondition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _one_given(self) -> LanguageCondition:
        if self.in_ is None and self.not_in is None:
            raise ValueError("give 'in' or 'not_in'")
        for code in (self.in_ or ()) + (self.not_in or ()):
            if code != UNKNOWN and not _ISO_639_1.match(code):
                raise ValueError(f"{code!r} is not an ISO 639-1 code or 'unknown'")
        return self


class LanguageSignal:
    """fastText's language of the prompt text, with its confidence."""

    name: Final = "language"
    description: Final = "the prompt's language: ISO 639-1 codes, or unknown"
    condition: Final = LanguageCondition
    settings: Final = LanguageSettings
    fields: Final[Mapping[str, tuple[Any, Any]]] = {
        "language": (str, ...),
        "language_confidence": (float, 0.0),
    }

    def meter(self, settings: LanguageSettings) -> Meter:
        detector = FastTextDetector(min_confidence=settings.min_confidence, min_chars=settings.min_chars)

        def measure(task: Task, count_tokens: CountTokens) -> Mapping[str, object]:
            found = detector.detect(task.text)
            return {"language": found.code, "language_confidence": round(found.confidence, 4)}

        return measure

    def check(self, condition: LanguageCondition, signals: Signals) -> str | None:
        language = signals.language
        if language == UNKNOWN:
            # Text we could not read matches no language condition unless the rule
            # names "unknown": "not English" must not sweep it in.
            if UNKNOWN in (condition.in_ or ()):
                return None
            return "language unknown (unreadable) matches only a rule whose 'in' lists unknown"
        if condition.in_ is not None and language not in condition.in_:
            return f"language {language} not in [{', '.join(condition.in_)}]"
        if condition.not_in is not None and language in condition.not_in:
            return f"language {language} is excluded by not_in [{', '.join(condition.not_in)}]"
        return None

    def lint(self, condition: LanguageCondition, settings: LanguageSettings) -> Iterator[Lint]:
        return iter(())


LANGUAGE: Final = LanguageSignal()
