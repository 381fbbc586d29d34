"""The domain signal: which kind of task the prompt is (maths, code, choice, qa, logic, writing).

Condition: ``when: {domain: {in: [maths, code]}}`` (or ``not_in``), optionally with
``min_confidence: 0.6`` so that only a confident prediction matches.
Settings: ``signals: {domain: {enabled: true}}``; ``weights: FILE.npz`` uses other weights
trained by ``scripts/train_domain.py`` (a path as given, or relative to the working
directory). The classifier is in ``_domain.py``.

It is off unless a routes file turns it on, so a router that has no rule on it pays
nothing for it; a rule on it while it is off fails at load, naming the setting.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from router._signals._domain import WEIGHTS, shipped
from router._signals._signal import CountTokens, Lint, Meter

if TYPE_CHECKING:
    from router._decision import Signals
    from router._task import Task

OFF: Final = "off"
"""The value when the signal is not measured; it matches no condition."""


class DomainSettings(BaseModel):
    """Whether to run the domain classifier, and with which weights."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = False
    weights: Path | None = Field(
        default=None, description="other weights (.npz from scripts/train_domain.py)"
    )

    @property
    def path(self) -> Path:
        return self.weights or WEIGHTS


class DomainCondition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str, ...] | None = None
    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.0

    @model_validator(mode="after")
    def _one_given(self) -> DomainCondition:
        if self.in_ is None and self.not_in is None:
            raise ValueError("give 'in' or 'not_in'")
        return self


class DomainSignal:
    """The task domain a small linear classifier reads from the prompt's start."""

    name: Final = "domain"
    description: Final = "the task's domain (maths, code, choice, qa, logic, writing); off unless enabled"
    condition: Final = DomainCondition
    settings: Final = DomainSettings
    fields: Final[Mapping[str, tuple[Any, Any]]] = {"domain": (str, OFF), "domain_confidence": (float, 0.0)}

    def meter(self, settings: DomainSettings) -> Meter:
        if not settings.enabled:
            return _off
        classifier = shipped(settings.path)

        def measure(task: Task, count_tokens: CountTokens) -> Mapping[str, object]:
            found = classifier.predict(task.text)
            return {"domain": found.label, "domain_confidence": round(found.confidence, 4)}

        return measure

    def check(self, condition: DomainCondition, signals: Signals) -> str | None:
        domain, confidence = signals.value("domain"), signals.value("domain_confidence")
        if domain == OFF:
            return "domain not measured (signals.domain.enabled is false)"
        if condition.in_ is not None and domain not in condition.in_:
            return f"domain {domain} not in [{', '.join(condition.in_)}]"
        if condition.not_in is not None and domain in condition.not_in:
            return f"domain {domain} in not_in [{', '.join(condition.not_in)}]"
        if confidence < condition.min_confidence:
            return f"domain {domain} confidence {confidence:.2f} < min_confidence {condition.min_confidence}"
        return None

    def lint(self, condition: DomainCondition, settings: DomainSettings) -> Iterator[Lint]:
        if not settings.enabled:
            yield (), "the domain signal is off; set signals.domain.enabled: true to route on it"
            return
        try:
            labels = shipped(settings.path).labels
        except OSError as exc:
            yield (), f"cannot read the domain weights {settings.path}: {exc.strerror or exc}"
            return
        for key, names in (("in", condition.in_), ("not_in", condition.not_in)):
            for position, label in enumerate(names or ()):
                if label not in labels:
                    yield (
                        (key, position),
                        f"unknown domain {label!r}; the classifier knows {', '.join(labels)}",
                    )


def _off(task: Task, count_tokens: CountTokens) -> Mapping[str, object]:
    return {"domain": OFF, "domain_confidence": 0.0}


DOMAIN: Final = DomainSignal()
