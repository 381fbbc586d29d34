"""Custom-term patterns cannot hang the router: hazardous shapes are refused, the rest run on a budget."""

from __future__ import annotations

import re

import pytest

from router._levels import Sensitivity
from router._signals._custom_terms import CustomTerm
from router._signals._patterns import SafePattern, pattern_hazard
from router._signals._sensitivity import SensitivityScanner


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bFIN-\d{4,6}\b",
        r"PRJ-[0-9]{4}",
        r"(?<!\d)\d{3}-\d{4}(?!\d)",
        r"[a-z]+(?:-[a-z]+)*",
        r"(?:\w+\.)+com",
        r"(?:[A-Z]{2}-\d+)+",
        r"(\d{3}-?)+",
        r"(?>\w+\s?)+$",
        r"(\w+\s?)++$",
    ],
    ids=[
        "shipped-ticket",
        "literal-prefix",
        "lookarounds",
        "delimited-repeat",
        "dotted-name",
        "fixed-then-variable",
        "optional-inside",
        "atomic-inner",
        "possessive-outer",
    ],
)
def test_patterns_that_cannot_backtrack_catastrophically_are_accepted(pattern: str) -> None:
    assert pattern_hazard(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a+)+b", "nests a repeat inside a repeat"),
        (r"(\w+\s?)+$", "nests a repeat inside a repeat"),
        (r"(?:x|y+)*z", "nests a repeat inside a repeat"),
        (r"(?:-a*a*)+", "nests a repeat inside a repeat"),
        (r"(?=(a+)+)x", "nests a repeat inside a repeat"),
        (r"(ab)-\1", "refers back to a group"),
        (r"(?P<x>a)(?P=x)", "refers back to a group"),
        (r"(a)?(?(1)b|c)", "refers back to a group"),
    ],
    ids=[
        "classic",
        "words",
        "alternation",
        "two-repeats-per-pass",
        "in-lookahead",
        "backref",
        "named",
        "conditional",
    ],
)
def test_patterns_that_can_backtrack_catastrophically_are_refused_with_the_fix(
    pattern: str, reason: str
) -> None:
    hazard = pattern_hazard(pattern)
    assert hazard is not None
    assert reason in hazard
    assert "rewrite" in hazard or "spell the repeated text out" in hazard


def test_a_custom_term_with_a_hazardous_pattern_is_refused_naming_term_and_pattern() -> None:
    with pytest.raises(
        ValueError, match=r"custom term 'tickets': pattern '\(a\+\)\+b' could hang the router"
    ):
        CustomTerm("tickets", Sensitivity.INTERNAL, patterns=("(a+)+b",))


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\bFIN-\d{4,6}\b", "see FIN-1234 and FIN-99, then FIN-123456."),
        (r"PRJ-[0-9]{4}", "PRJ-0001PRJ-0002 prj-0003"),
        (r"\d+", "٤١١١ and 42"),  # Unicode digits, as re reads them
    ],
    ids=["word-bounded", "adjacent", "unicode-digits"],
)
def test_a_safe_pattern_finds_what_re_finds(pattern: str, text: str) -> None:
    assert list(SafePattern(pattern).spans(text)) == [m.span() for m in re.finditer(pattern, text)]


def test_a_scan_that_runs_out_of_time_reports_the_whole_text() -> None:
    """Overlapping alternatives in a repeat slip past the static check; the budget stops them."""
    runaway = SafePattern(r"(a|aa)+b", timeout_s=0.01)
    text = "a" * 5_000
    assert list(runaway.spans(text)) == [(0, len(text))]


def test_a_text_whose_scan_runs_out_of_time_gets_the_terms_level() -> None:
    """Fail closed: a text the router could not finish reading counts as carrying the term."""
    term = CustomTerm("ticket", Sensitivity.CONFIDENTIAL, patterns=(r"(a|aa)+b",))
    scanner = SensitivityScanner(levels={}, custom_terms=[term])
    findings = scanner.scan("a" * 20_000)
    assert {(finding.type, finding.level) for finding in findings} == {("ticket", Sensitivity.CONFIDENTIAL)}
