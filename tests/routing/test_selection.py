"""Selection: who may take a task, cheapest first, and why the others may not."""

from __future__ import annotations

import pytest

from router._config import parse_routes
from router._decision import FindingSummary, Signals
from router._levels import Sensitivity
from router._pricing import ModelInfo, resolve
from router._selection import Requirements, select

POOL = parse_routes(
    """
models:
  - {name: cheap, model: x/cheap, clearance: internal, languages: [en], context_window: 1000,
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, capabilities: [chat]}
  - {name: twin, model: x/twin, clearance: internal, languages: [en], context_window: 1000,
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, capabilities: [chat]}
  - {name: dear, model: x/dear, clearance: confidential, languages: ["*"], context_window: 100000,
     input_cost_per_token: 0.00001, output_cost_per_token: 0.00003, capabilities: [chat, code]}
  - {name: vault, model: x/vault, clearance: restricted, languages: [en, de], context_window: 4000,
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000002, capabilities: [chat]}
  - {name: mystery, model: x/mystery, clearance: internal, context_window: 100000}
rules:
  - {name: default, pool: "*"}
"""
)
MODELS = [resolve(spec) for spec in POOL.models]


def _signals(sensitivity: Sensitivity = Sensitivity.PUBLIC, language: str = "en") -> Signals:
    findings = (FindingSummary(type="credit_card", level=sensitivity),) if sensitivity else ()
    return Signals(
        tokens=100, language=language, language_confidence=0.99, sensitivity=sensitivity, findings=findings
    )


def _select(needs: Requirements, tokens: int = 100, pool: list[ModelInfo] | None = None):  # type: ignore[no-untyped-def]
    return select(pool or MODELS, needs, lambda encoding: tokens)


def test_candidates_are_ordered_by_estimated_cost_with_ties_broken_by_name() -> None:
    candidates, _ = _select(Requirements(signals=_signals(), output_tokens=10))
    names = [c.model for c in candidates]
    assert names[:2] == ["cheap", "twin"]
    assert names.index("vault") < names.index("dear")


def test_an_unpriced_model_goes_last() -> None:
    candidates, _ = _select(Requirements(signals=_signals(), output_tokens=10))
    assert candidates[-1].model == "mystery"
    assert candidates[-1].estimated_cost_usd is None


def test_the_estimate_is_prompt_tokens_times_input_price_plus_output_tokens_times_output_price() -> None:
    candidates, _ = _select(Requirements(signals=_signals(), output_tokens=50), tokens=200)
    cheap = next(c for c in candidates if c.model == "cheap")
    assert cheap.estimated_cost_usd == pytest.approx(200 * 0.000001 + 50 * 0.000002)


def test_models_below_the_tasks_sensitivity_are_excluded_with_the_reason() -> None:
    candidates, excluded = _select(Requirements(signals=_signals(Sensitivity.RESTRICTED), output_tokens=10))
    assert [c.model for c in candidates] == ["vault"]
    reasons = {e.model: e.reason for e in excluded}
    assert reasons["cheap"] == "clearance internal is below the task's sensitivity restricted (credit_card)"
    assert set(reasons) == {"cheap", "twin", "dear", "mystery"}


def test_models_that_do_not_speak_the_language_are_excluded() -> None:
    candidates, excluded = _select(Requirements(signals=_signals(language="fr"), output_tokens=10))
    assert "cheap" not in [c.model for c in candidates]
    assert {e.model: e.reason for e in excluded}["vault"] == "does not support language 'fr'"


def test_an_unknown_language_excludes_nobody() -> None:
    candidates, _ = _select(Requirements(signals=_signals(language="unknown"), output_tokens=10))
    assert len(candidates) == len(MODELS)


def test_prompt_plus_expected_output_must_fit_the_context_window() -> None:
    candidates, excluded = _select(Requirements(signals=_signals(), output_tokens=100), tokens=950)
    assert "cheap" not in [c.model for c in candidates]
    reason = {e.model: e.reason for e in excluded}["cheap"]
    assert reason == "needs 1,050 tokens (950 prompt + 100 output) but its context window is 1,000"


def test_the_cost_cap_excludes_models_whose_estimate_is_over_it() -> None:
    needs = Requirements(signals=_signals(), output_tokens=100, cost_cap_usd=0.001)
    candidates, excluded = _select(needs, tokens=100)
    reasons = {e.model: e.reason for e in excluded}
    assert "dear" in reasons
    assert reasons["dear"].startswith("estimated $0.004000 is over the $0.001 per-request cap")
    assert "no price known" in reasons["mystery"]
    assert all(c.estimated_cost_usd is not None and c.estimated_cost_usd <= 0.001 for c in candidates)


def test_required_capabilities_exclude_models_without_them() -> None:
    needs = Requirements(signals=_signals(), output_tokens=10, capabilities=("code",))
    candidates, excluded = _select(needs)
    assert [c.model for c in candidates] == ["dear"]
    assert {e.model: e.reason for e in excluded}["cheap"] == "lacks required capabilities ['code']"
