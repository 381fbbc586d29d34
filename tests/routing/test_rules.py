"""Rule conditions: first match wins; unknown language matches only when asked for."""

from __future__ import annotations

import pytest

from router._config import parse_routes
from router._decision import FindingSummary, Signals
from router._levels import Sensitivity
from router._rules import first_match
from router._task import Task

CONFIG = parse_routes(
    """
models:
  - {name: m, model: openai/gpt-4o-mini}
rules:
  - {name: secret, when: {sensitivity: {at_least: restricted}}, pool: [m]}
  - {name: email, when: {sensitivity: {findings: [email]}}, pool: [m]}
  - {name: long, when: {tokens: {min: 1000}}, pool: [m]}
  - {name: short, when: {tokens: {max: 5}}, pool: [m]}
  - {name: unreadable, when: {language: {in: [unknown]}}, pool: [m]}
  - {name: foreign, when: {language: {not_in: [en]}}, pool: [m]}
  - {name: finance, when: {team: finance, tags: [report]}, pool: [m]}
  - {name: eu, when: {metadata: {region: eu}}, pool: [m]}
  - {name: default, pool: "*"}
"""
)


def _rule(
    tokens: int = 100,
    language: str = "en",
    sensitivity: Sensitivity = Sensitivity.PUBLIC,
    findings: tuple[str, ...] = (),
    **task: object,
) -> str:
    signals = Signals(
        tokens=tokens,
        language=language,
        language_confidence=0.9,
        sensitivity=sensitivity,
        findings=tuple(FindingSummary(type=f, level=sensitivity) for f in findings),
    )
    return first_match(CONFIG.rules, signals, Task.build("x", **task)).name  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, "default", id="plain-english"),
        pytest.param({"sensitivity": Sensitivity.RESTRICTED, "findings": ("iban",)}, "secret", id="at-least"),
        pytest.param(
            {"sensitivity": Sensitivity.CONFIDENTIAL, "findings": ("email",)}, "email", id="finding-type"
        ),
        pytest.param(
            {"sensitivity": Sensitivity.CONFIDENTIAL, "findings": ("phone",)}, "default", id="other-type"
        ),
        pytest.param({"tokens": 1000}, "long", id="min-inclusive"),
        pytest.param({"tokens": 5}, "short", id="max-inclusive"),
        pytest.param({"language": "de"}, "foreign", id="not-in"),
        pytest.param({"language": "unknown"}, "unreadable", id="unknown-asked-for"),
        pytest.param({"team": "finance", "tags": ["report"]}, "finance", id="team-and-tag"),
        pytest.param({"team": "finance"}, "default", id="team-without-tag"),
        pytest.param({"metadata": {"region": "eu"}}, "eu", id="metadata"),
    ],
)
def test_first_matching_rule_wins(kwargs: dict[str, object], expected: str) -> None:
    assert _rule(**kwargs) == expected  # type: ignore[arg-type]


def test_unknown_language_does_not_match_a_not_in_condition() -> None:
    rules = parse_routes(
        """
models: [{name: m, model: openai/gpt-4o-mini}]
rules:
  - {name: foreign, when: {language: {not_in: [en]}}, pool: [m]}
  - {name: default, pool: "*"}
"""
    ).rules
    signals = Signals(tokens=1, language="unknown", language_confidence=0.1, sensitivity=Sensitivity.PUBLIC)
    assert first_match(rules, signals, Task.build("x")).name == "default"
