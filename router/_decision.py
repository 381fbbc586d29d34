"""The typed result of routing: which model, by which rule, and why.

A decision never holds the prompt: only counts, codes and finding types, so
it can be logged, stored with a batch item or sent across Celery freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, SerializationInfo, model_serializer, model_validator

from router._config._schema import Level
from router._levels import Sensitivity
from router._signals._signal import values_model


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


_M = TypeVar("_M", bound=BaseModel)

_set_attribute = object.__setattr__


def built(cls: type[_M], defaulted: tuple[str, ...] = (), /, **values: Any) -> _M:
    """An instance of ``cls`` from every one of its fields, each already of its field's type,
    given in the order the model declares them; ``defaulted`` names those the caller leaves at
    their defaults (not in ``model_fields_set``, as when left out of the constructor).

    For the values routing computes itself (a decision's candidates, the decision): what
    pydantic would validate is known to hold, and each decision builds several of these.
    This is ``model_construct`` given every field (same ``__dict__``, same fields set),
    without its per-field alias and default lookups, which cost more than validating.
    """
    return _assembled(cls, values, set(values).difference(defaulted), None)


def _assembled(
    cls: type[_M], values: dict[str, Any], fields_set: set[str], extra: dict[str, Any] | None
) -> _M:
    """An instance of ``cls`` with these attributes, as pydantic's constructors leave them."""
    instance = cls.__new__(cls)
    _set_attribute(instance, "__dict__", values)
    _set_attribute(instance, "__pydantic_fields_set__", fields_set)
    _set_attribute(instance, "__pydantic_extra__", extra)
    _set_attribute(instance, "__pydantic_private__", None)
    return instance


class FindingSummary(_Frozen):
    """One kind of sensitive content found, and how many times (never the text)."""

    type: str
    level: Level
    count: int = 1


class Signals(BaseModel):
    """What the router measured of a task: the values of every registered signal.

    The fields come from the signal registry (``router._signals._signal``): each signal adds
    its own (``tokens``; ``language`` and ``language_confidence``; ``sensitivity`` and
    ``findings``). A signal added later is read with ``value(name)``; the built-in ones also
    have typed properties below.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _typed(cls, data: Any) -> Any:
        # Values given by hand (tests, callers) are checked against the signals' own types.
        return dict(values_model().model_validate(data)) if isinstance(data, Mapping) else data

    @classmethod
    def measured(cls, values: Mapping[str, object]) -> Signals:
        """Signals from values the meters produced, which are typed already (the router's fast path).

        What ``model_construct(**values)`` makes (no declared fields: every value is an extra),
        without its per-field lookups: one per decision.
        """
        return _assembled(cls, {}, set(), dict(values))

    @model_serializer(mode="plain")
    def _dump(self, info: SerializationInfo) -> dict[str, Any]:
        return values_model().model_construct(**self._values).model_dump(mode=info.mode)

    @property
    def _values(self) -> dict[str, Any]:
        return self.__pydantic_extra__ or {}

    def value(self, field: str) -> Any:
        """The measured value of a signal field, by name (for signals without a property here)."""
        try:
            return self._values[field]
        except KeyError:
            raise KeyError(f"no signal field {field!r}; measured: {', '.join(self._values)}") from None

    # The typed properties annotate a local rather than call typing.cast: routing and each
    # item's call read them a few dozen times per task, and cast is a Python call each time.

    @property
    def tokens(self) -> int:
        """Prompt tokens under the reference tokenizer (o200k_base); per-model counts are on candidates."""
        value: int = self.__pydantic_extra__["tokens"]  # type: ignore[index]
        return value

    @property
    def language(self) -> str:
        """ISO 639-1 code, or ``unknown``."""
        value: str = self.__pydantic_extra__["language"]  # type: ignore[index]
        return value

    @property
    def language_confidence(self) -> float:
        value: float = self.__pydantic_extra__["language_confidence"]  # type: ignore[index]
        return value

    @property
    def sensitivity(self) -> Sensitivity:
        value: Sensitivity = self.__pydantic_extra__["sensitivity"]  # type: ignore[index]
        return value

    @property
    def findings(self) -> tuple[FindingSummary, ...]:
        value: tuple[FindingSummary, ...] = self._values.get("findings", ())
        return value

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
    dropped_params: tuple[str, ...] = ()
    """Chat parameters this model does not take, left out of its request (``unsupported_params: drop``)."""


class Pseudonymisation(_Frozen):
    """A rule's ``pseudonymise`` policy as this task needs it: levels and counts, never values.

    Set on a decision when a candidate below the task's sensitivity is cleared for what is
    left once the findings of ``levels`` are replaced by placeholders. Then every model of the
    call, cleared or not, receives the pseudonymised text (one behaviour, failing closed).
    """

    levels: tuple[Level, ...]
    """The levels whose findings are replaced (the rule's ``pseudonymise``)."""
    findings: int
    """How many findings routing counted for replacement."""
    level: Level
    """The task's sensitivity once they are replaced."""


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
    pseudonymisation: Pseudonymisation | None = None
    """Set when the call sends the task pseudonymised (see ``Pseudonymisation``)."""

    @property
    def pseudonymised(self) -> int:
        """How many findings are replaced by placeholders before any model sees the task."""
        return self.pseudonymisation.findings if self.pseudonymisation is not None else 0

    @property
    def model(self) -> str:
        """The chosen model: the cheapest capable one."""
        return self.candidates[0].model

    @property
    def chosen(self) -> Candidate:
        return self.candidates[0]

    def candidate(self, model: str) -> Candidate:
        """The candidate entry of ``model`` (its token count, estimate and dropped parameters)."""
        return next(candidate for candidate in self.candidates if candidate.model == model)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``router route --json``."""
        return {"model": self.model, **self.model_dump(mode="json")}
