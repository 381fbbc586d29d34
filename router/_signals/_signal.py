"""The extension point for what routing measures: the ``Signal`` protocol and its registry.

A signal is one thing measured of every task (its prompt tokens, its language, its
sensitivity, ...). It brings, in one module:

* ``name``: the key of its condition under a rule's ``when:`` and of its settings under
  ``signals:`` in routes.yaml;
* ``condition``: the pydantic model of ``when.<name>`` (strict and frozen, like the rest of
  the schema), and ``check``, which says whether a condition holds for a task's measured
  values and, when it does not, why ("tokens 206 < min 100000");
* ``settings``: the pydantic model of ``signals.<name>`` (``NoSettings`` when it has none);
* ``fields``: the values it adds to a decision's ``Signals`` (name -> annotation and
  default), which are what ``check`` reads and what ``router route --json`` prints;
* ``meter``: built once per ``Router`` from the settings; it measures a task.

The registry is a dict in registration order. The built-in signals (tokens, language,
sensitivity) are registered on first use; ``register`` adds another one. The routes.yaml
schema, the rule conditions and ``Signals`` are all read off the registry, so adding a
signal is one new module plus one ``register`` call (or a line in ``BUILTIN``)::

    class Toy:
        name = "toy"
        description = "how many times the prompt says 'toy'"
        condition = ToyCondition            # when: {toy: {min: 2}}
        settings = NoSettings
        fields = {"toy": (int, 0)}

        def meter(self, settings: NoSettings) -> Meter:
            return lambda task, count_tokens: {"toy": task.text.count("toy")}

        def check(self, condition: ToyCondition, signals: Signals) -> str | None:
            found = signals.value("toy")
            return None if found >= condition.min else f"toy {found} < min {condition.min}"

        def lint(self, condition: ToyCondition, settings: NoSettings) -> Iterator[Lint]:
            return iter(())

    register(Toy())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, create_model

if TYPE_CHECKING:
    from router._decision import Signals
    from router._task import Task

__all__ = [
    "BUILTIN",
    "CountTokens",
    "Lint",
    "Meter",
    "NoSettings",
    "Signal",
    "conditions_model",
    "register",
    "registered",
    "settings_model",
    "unregister",
    "values_model",
]

CountTokens = Callable[[str], int]
"""Prompt tokens of the task under a given encoding, memoised per task (shared by every signal)."""

Meter = Callable[["Task", CountTokens], Mapping[str, object]]
"""Measures one task: returns a value for each of the signal's ``fields``."""

Lint = tuple[tuple[str | int, ...], str]
"""A problem with a condition that needs the whole file to see: a path below the condition, a message."""


class NoSettings(BaseModel):
    """The settings of a signal that has none (it gets no key under ``signals:``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Signal(Protocol):
    """One thing routing measures of every task, and the rule condition written on it."""

    @property
    def name(self) -> str:
        """The key under ``when:`` and ``signals:`` in routes.yaml."""
        ...

    @property
    def description(self) -> str:
        """What it measures, in a line (shown in ``router schema``)."""
        ...

    @property
    def condition(self) -> type[BaseModel]:
        """The model of ``when.<name>``."""
        ...

    @property
    def settings(self) -> type[BaseModel]:
        """The model of ``signals.<name>``; ``NoSettings`` when there is nothing to set."""
        ...

    @property
    def fields(self) -> Mapping[str, tuple[Any, Any]]:
        """The values it adds to ``Signals``: field name -> (annotation, default or ``...``)."""
        ...

    def meter(self, settings: Any) -> Meter:
        """What measures a task, built once per ``Router`` from this signal's settings."""
        ...

    def check(self, condition: Any, signals: Signals) -> str | None:
        """``None`` when ``condition`` holds for the measured ``signals``; else why it does not."""
        ...

    def lint(self, condition: Any, settings: Any) -> Iterator[Lint]:
        """Problems a condition has given the signal's settings (an unknown finding type)."""
        ...


BUILTIN: tuple[str, ...] = (
    "router._signals._tokens_signal:TOKENS",
    "router._signals._language_signal:LANGUAGE",
    "router._signals._sensitivity_signal:SENSITIVITY",
    "router._signals._domain_signal:DOMAIN",
)
"""The built-in signals, in the order they are measured and printed."""

_registry: dict[str, Signal] = {}
_generation = [0]  # bumped on every change, so the models derived from the registry are rebuilt


def register(signal: Signal) -> None:
    """Add a signal after those registered before it. Its name must be new."""
    signals = _loaded()
    if signal.name in signals or signal.name in _RESERVED:
        raise ValueError(f"a signal or rule condition named {signal.name!r} already exists")
    signals[signal.name] = signal
    _generation[0] += 1


def unregister(name: str) -> None:
    """Remove a signal added with ``register`` (tests use it to clean up)."""
    del _loaded()[name]
    _generation[0] += 1


def registered() -> Mapping[str, Signal]:
    """Every registered signal by name, in registration order."""
    return _loaded()


_RESERVED = frozenset({"team", "tags", "metadata"})  # request attributes rules match on


def _loaded() -> dict[str, Signal]:
    if not _registry:
        for path in BUILTIN:
            module, _, attribute = path.partition(":")
            signal: Signal = getattr(importlib.import_module(module), attribute)
            _registry[signal.name] = signal
        _generation[0] += 1
    return _registry


# --------------------------------------------------------------------------- derived models


def conditions_model() -> type[BaseModel]:
    """The model of a rule's signal conditions: one optional field per signal."""
    return _conditions(_stamp())


def settings_model() -> type[BaseModel]:
    """The model of the ``signals:`` section's per-signal settings, each with its defaults."""
    return _settings(_stamp())


def values_model() -> type[BaseModel]:
    """The model of every signal's measured values (the fields of ``Signals``)."""
    return _values(_stamp())


def _stamp() -> int:
    _loaded()
    return _generation[0]


_STRICT = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


@lru_cache(maxsize=4)
def _conditions(generation: int) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (signal.condition | None, _described(signal)) for name, signal in _registry.items()
    }
    return create_model("SignalConditions", __config__=_STRICT, **fields)


@lru_cache(maxsize=4)
def _settings(generation: int) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (signal.settings, _described(signal, default=signal.settings()))
        for name, signal in _registry.items()
        if signal.settings.model_fields
    }
    return create_model("SignalSettings", __config__=_STRICT, **fields)


@lru_cache(maxsize=4)
def _values(generation: int) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for signal in _registry.values():
        fields.update(signal.fields)
    return create_model("SignalValues", __config__=ConfigDict(frozen=True, extra="forbid"), **fields)


def _described(signal: Signal, default: Any = None) -> Any:
    from pydantic import Field

    return Field(default=default, description=signal.description)
