"""Rule conditions: does a rule's ``when`` match a task's signals and attributes?"""

from __future__ import annotations

from collections.abc import Sequence

from router._config._schema import LanguageCondition, Rule, SensitivityCondition, TokenRange, When
from router._decision import Signals
from router._signals._language import UNKNOWN
from router._task import Task


def first_match(rules: Sequence[Rule], signals: Signals, task: Task) -> Rule:
    """The first rule that matches. The loader guarantees the last rule matches everything."""
    for rule in rules:
        if rule.when is None or matches(rule.when, signals, task):
            return rule
    return rules[-1]


def matches(when: When, signals: Signals, task: Task) -> bool:
    """Every condition given must hold (a missing condition holds)."""
    return (
        _tokens(when.tokens, signals.tokens)
        and _language(when.language, signals.language)
        and _sensitivity(when.sensitivity, signals)
        and (when.team is None or task.team in when.team)
        and (when.tags is None or not set(when.tags).isdisjoint(task.tags))
        and (when.metadata is None or all(task.metadata.get(k) == v for k, v in when.metadata.items()))
    )


def _tokens(condition: TokenRange | None, tokens: int) -> bool:
    if condition is None:
        return True
    above = condition.min is None or tokens >= condition.min
    below = condition.max is None or tokens <= condition.max
    return above and below


def _language(condition: LanguageCondition | None, language: str) -> bool:
    if condition is None:
        return True
    if language == UNKNOWN:
        # Text we could not read matches no language condition unless the rule
        # names "unknown": "not English" must not sweep it in.
        return UNKNOWN in (condition.in_ or ())
    if condition.in_ is not None and language not in condition.in_:
        return False
    return condition.not_in is None or language not in condition.not_in


def _sensitivity(condition: SensitivityCondition | None, signals: Signals) -> bool:
    if condition is None:
        return True
    if condition.at_least is not None and signals.sensitivity < condition.at_least:
        return False
    return not condition.findings or not signals.finding_types.isdisjoint(condition.findings)
