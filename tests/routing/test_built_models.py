"""The models routing builds without validating are those validation would have built."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from pydantic import BaseModel

from router._batch._items import BatchItem, ItemResult
from router._config import parse_routes
from router._decision import Candidate, Decision, FindingSummary, Pseudonymisation, Signals
from router._levels import Sensitivity
from router._pricing import resolve
from router._router import Router
from router._selection import Requirements, select
from router._task import Task

VALUES: dict[str, Any] = {
    "tokens": 13,
    "language": "en",
    "language_confidence": 0.91,
    "sensitivity": Sensitivity.CONFIDENTIAL,
    "findings": (FindingSummary(type="email", level=Sensitivity.CONFIDENTIAL),),
}


def _same(fast: BaseModel, validated: BaseModel, *, round_trip: bool = True) -> None:
    assert fast == validated
    assert repr(fast) == repr(validated)
    assert fast.model_dump() == validated.model_dump()
    assert fast.model_dump_json() == validated.model_dump_json()
    assert fast.model_fields_set == validated.model_fields_set
    assert pickle.loads(pickle.dumps(fast)) == validated
    if round_trip:
        assert type(fast).model_validate_json(fast.model_dump_json()) == validated


def test_measured_signals_are_the_signals_model_construct_makes() -> None:
    # Not read back: validating fills in the signals these values leave out (domain).
    _same(Signals.measured(VALUES), Signals.model_construct(None, **VALUES), round_trip=False)
    assert Signals.measured(VALUES).sensitivity is Sensitivity.CONFIDENTIAL


def test_measured_signals_do_not_share_the_meters_dict() -> None:
    values = dict(VALUES)
    signals = Signals.measured(values)
    values["tokens"] = 99
    assert signals.tokens == 13


PRICED = parse_routes(
    """
models:
  - {name: free, model: x/free, clearance: restricted, languages: ["*"], context_window: 1000,
     input_cost_per_token: 0, output_cost_per_token: 0, capabilities: [chat]}
  - {name: paid, model: x/paid, clearance: public, languages: [en], context_window: 1000,
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, capabilities: [chat]}
  - {name: mystery, model: x/mystery, clearance: restricted, context_window: 100000}
rules:
  - name: capped
    when: {tokens: {min: 1}}
    pool: "*"
    max_cost_per_request_usd: 1
    pseudonymise: [confidential]
  - {name: default, pool: "*"}
"""
)


def _validated(candidate: Candidate) -> Candidate:
    # As selection built them before: every field but the parameters dropped (set later, if any).
    fields = [name for name in Candidate.model_fields if name != "dropped_params"]
    return Candidate(**{name: getattr(candidate, name) for name in fields})


@pytest.mark.parametrize("output_tokens", [64, True])
def test_candidates_are_those_validation_makes(output_tokens: int) -> None:
    models = [resolve(spec) for spec in PRICED.models]
    # A catalogue price of 0 is an int: the estimate is one too until it is a candidate's.
    free = models[0].__class__(**{**{f: getattr(models[0], f) for f in models[0].__slots__}})
    object.__setattr__(free, "input_cost_per_token", 0)
    object.__setattr__(free, "output_cost_per_token", 0)
    needs = Requirements(signals=Signals(**VALUES), output_tokens=output_tokens)
    candidates, _ = select([free, *models[1:]], needs, lambda encoding: 13)
    assert candidates
    for candidate in candidates:
        _same(candidate, _validated(candidate))
    assert type(candidates[0].estimated_cost_usd) is float
    assert type(candidates[0].expected_output_tokens) is int


@pytest.mark.parametrize("max_tokens", [None, 40, True])
def test_a_decision_is_the_one_validation_makes(max_tokens: int | None) -> None:
    router = Router(PRICED)
    task = Task.build("Write to ann@example.com about the plan.", max_tokens=max_tokens)
    decision = router.decide(task)
    assert decision.rule == "capped"
    assert isinstance(decision.pseudonymisation, Pseudonymisation | None)
    validated = Decision(**{name: getattr(decision, name) for name in Decision.model_fields})
    _same(decision, validated)
    assert decision.as_dict() == validated.as_dict()
    assert type(decision.cost_cap_usd) is float


@pytest.mark.parametrize("records_cost", [[], [0.25, 0.5]])
def test_an_answered_result_is_the_one_validation_makes(records_cost: list[float]) -> None:
    item = BatchItem.of(3, 4, "row-4", Task.build("hello there"))
    response = {"content": "hi", "model": "paid", "usage": {"prompt_tokens": 3}, "rule": "default"}
    result = ItemResult.answered(item, response, sum(records_cost))
    validated = ItemResult(
        custom_id="row-4", line=4, status="completed", response=response, cost_usd=sum(records_cost)
    )
    _same(result, validated)
    assert ItemResult.loads(result.dumps()) == validated
