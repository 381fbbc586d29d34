"""Rule conditions: does a rule's ``when`` match a task's signals and attributes, and if not, why?

Signal conditions are checked by their signal (``router._signals._signal``), in registry
order; the request's team, tags and metadata are checked here. A failed check says which
condition failed and with what value ("tokens 206 < min 100000"), for ``router explain``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import BaseModel

from router._config._schema import Rule, When
from router._decision import Signals
from router._signals._signal import Signal
from router._task import Task


class Matcher:
    """The rules of a routes file, each paired once with the signals that check its conditions."""

    __slots__ = ("_rules",)

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = tuple(
            (
                rule,
                rule.when.signal_checks if rule.when else (),
                rule.when if _asks_request(rule.when) else None,
            )
            for rule in rules
        )

    def first(self, signals: Signals, task: Task) -> Rule:
        """The first rule that matches. The loader guarantees the last rule matches everything."""
        for rule, checks, request in self._rules:
            if _holds(checks, signals) and (
                request is None or next(_request_failures(request, task), None) is None
            ):
                return rule
        return self._rules[-1][0]


def first_match(rules: Sequence[Rule], signals: Signals, task: Task) -> Rule:
    """The first rule that matches. The loader guarantees the last rule matches everything."""
    return Matcher(rules).first(signals, task)


def matches(when: When, signals: Signals, task: Task) -> bool:
    """Every condition given must hold (a missing condition holds)."""
    return next(failures(when, signals, task), None) is None


def _holds(checks: tuple[tuple[Signal, BaseModel], ...], signals: Signals) -> bool:
    # A plain loop: all() over a generator costs a frame per rule on every decision.
    for signal, condition in checks:  # noqa: SIM110
        if signal.check(condition, signals) is not None:
            return False
    return True


def _asks_request(when: When | None) -> bool:
    return when is not None and (when.team is not None or when.tags is not None or when.metadata is not None)


def failures(when: When, signals: Signals, task: Task) -> Iterator[str]:
    """Why each condition of ``when`` that does not hold fails, in the order written above."""
    for signal, condition in when.signal_checks:
        failed = signal.check(condition, signals)
        if failed is not None:
            yield failed
    yield from _request_failures(when, task)


def _request_failures(when: When, task: Task) -> Iterator[str]:
    if when.team is not None and task.team not in when.team:
        yield f"team {task.team or '(none)'} not in [{', '.join(when.team)}]"
    if when.tags is not None and set(when.tags).isdisjoint(task.tags):
        yield f"tags [{', '.join(task.tags)}] include none of [{', '.join(when.tags)}]"
    for key, wanted in (when.metadata or {}).items():
        got = task.metadata.get(key)
        if got != wanted:
            yield f"metadata {key}={got if got is not None else '(none)'}, not {wanted}"
