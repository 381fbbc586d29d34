"""Routing under a rule's `pseudonymise`: which models it admits, and what the decision says (counts only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog

from router import _router as router_module
from router._cli import main
from router._cli._explain_view import render
from router._config import parse_routes
from router._explain import summary
from router._levels import Sensitivity
from router._router import Router
from router._task import Task

ROUTES = """
models:
  - {name: cloud, model: openai/cloud, clearance: internal,
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, context_window: 100000,
     capabilities: [chat, vision]}
  - {name: eu, model: openai/eu, clearance: confidential,
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000004, context_window: 100000,
     capabilities: [chat, vision]}
  - {name: vault, model: openai/vault, clearance: restricted,
     input_cost_per_token: 0.000003, output_cost_per_token: 0.000006, context_window: 100000,
     capabilities: [chat, vision]}
rules:
  - {name: support, when: {tags: [support]}, pseudonymise: [confidential]}
  - {name: eu-only, when: {tags: [eu]}, pseudonymise: [confidential], pool: [eu, vault]}
  - {name: default, pool: "*"}
"""
ROUTER = Router(parse_routes(ROUTES))
VALUES = ("Helena Shaw", "helena.shaw@example.com", "12 Rue Mouffetard")
TICKET = "Please reply to Mrs Helena Shaw (helena.shaw@example.com), 12 Rue Mouffetard, about her refund."


def _decide(text: str, *tags: str, routes: str = ROUTES):  # type: ignore[no-untyped-def]
    router = ROUTER if routes is ROUTES else Router(parse_routes(routes))
    return router.decide(Task.build(text, tags=tags))


def test_a_confidential_task_may_go_to_an_internal_model_pseudonymised_under_the_rule() -> None:
    decision = _decide(TICKET, "support")
    assert decision.signals.sensitivity == Sensitivity.CONFIDENTIAL
    assert decision.model == "cloud"
    assert [c.model for c in decision.candidates] == ["cloud", "eu", "vault"]
    assert decision.pseudonymisation is not None
    assert decision.pseudonymisation.level == Sensitivity.PUBLIC
    assert decision.pseudonymised == 3


def test_without_the_policy_the_internal_model_is_excluded_as_before() -> None:
    decision = _decide(TICKET)
    assert [c.model for c in decision.candidates] == ["eu", "vault"]
    assert decision.pseudonymisation is None
    assert decision.pseudonymised == 0


def test_a_finding_of_a_level_not_listed_stays_and_sets_the_level_left() -> None:
    # The private IP is internal: not pseudonymised, so the text stays internal, which cloud may take.
    decision = _decide(TICKET + " Server 10.1.2.3 is down.", "support")
    assert decision.pseudonymisation is not None
    assert decision.pseudonymisation.level == Sensitivity.INTERNAL
    assert decision.model == "cloud"


def test_restricted_findings_keep_the_uncleared_models_out() -> None:
    decision = _decide(TICKET + " Card 4111 1111 1111 1111.", "support")
    assert [c.model for c in decision.candidates] == ["vault"]
    assert decision.pseudonymisation is None
    cloud = next(item for item in decision.excluded if item.model == "cloud")
    assert cloud.reason.startswith("clearance internal is below the task's sensitivity restricted")


def test_a_card_whose_level_was_lowered_is_still_never_pseudonymised() -> None:
    routes = ROUTES + "signals:\n  sensitivity:\n    detectors: {credit_card: confidential}\n"
    decision = _decide("Refund card 4111 1111 1111 1111 for Helena Shaw.", "support", routes=routes)
    assert decision.signals.sensitivity == Sensitivity.CONFIDENTIAL
    assert [c.model for c in decision.candidates] == ["eu", "vault"]
    assert decision.pseudonymisation is None


def test_an_image_is_never_pseudonymised_it_keeps_its_level() -> None:
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Is Helena Shaw in this picture?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
        }
    ]
    decision = ROUTER.decide(Task.build(messages, tags=["support"]))
    assert [c.model for c in decision.candidates] == ["eu", "vault"]
    assert decision.pseudonymisation is None
    cloud = next(item for item in decision.excluded if item.model == "cloud")
    assert "unreadable_content" in cloud.reason


def test_no_pseudonymisation_when_every_candidate_is_cleared_for_the_text_as_written() -> None:
    decision = _decide(TICKET, "eu")
    assert [c.model for c in decision.candidates] == ["eu", "vault"]
    assert decision.pseudonymisation is None


def test_a_task_with_nothing_to_replace_is_not_pseudonymised() -> None:
    decision = _decide("Summarise the weekly status report in two sentences.", "support")
    assert decision.pseudonymisation is None
    assert decision.model == "cloud"


def test_the_decision_its_summary_and_its_log_event_hold_the_count_never_the_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A fresh logger: an earlier CLI test may have cached the module's at its warning level.
    monkeypatch.setattr(router_module, "log", structlog.get_logger("router"))
    with structlog.testing.capture_logs() as events:
        decision = _decide(TICKET, "support")
    dumped = json.dumps(decision.as_dict()) + json.dumps(summary(decision)) + json.dumps(events)
    assert decision.as_dict()["pseudonymisation"] == {
        "levels": ["confidential"],
        "findings": 3,
        "level": "public",
    }
    assert summary(decision)["pseudonymised"] == 3
    [event] = [event for event in events if event["event"] == "route.decided"]
    assert event["pseudonymised"] == 3
    for value in (*VALUES, "Helena", "Shaw", "Mouffetard"):
        assert value not in dumped


def test_explain_says_how_many_findings_are_pseudonymised_and_why_the_model_may_take_it() -> None:
    explanation = ROUTER.explain(Task.build(TICKET, tags=["support"]))
    assert explanation.pseudonymised == 3
    assert explanation.model == "cloud"
    cloud = next(check for check in explanation.pool if check.model == "cloud")
    assert cloud.clearance.ok
    assert (
        cloud.clearance.detail
        == "clearance internal covers public, what is left once 3 findings are pseudonymised"
    )
    text = render(explanation) + json.dumps(explanation.as_dict())
    assert "pseudonymised: 3 findings replaced by placeholders" in text
    for value in VALUES:
        assert value not in text


def test_explain_without_the_policy_says_nothing_of_pseudonyms() -> None:
    explanation = ROUTER.explain(Task.build(TICKET))
    assert explanation.pseudonymised == 0
    assert "pseudonymised" not in render(explanation)


@pytest.mark.parametrize("model", ["cloud", "eu"])
def test_a_named_model_is_admitted_only_as_the_rule_allows(model: str) -> None:
    decision = ROUTER.decide(Task.build(TICKET, tags=["support"]), model=model)
    assert decision.model == model
    assert decision.pseudonymised == (3 if model == "cloud" else 0)


def test_router_route_prints_the_count_and_the_level_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES, encoding="utf-8")
    assert main(["route", "--routes", str(routes), "--tag", "support", TICKET]) == 0
    out = capsys.readouterr().out
    assert "pseudonymised: 3 findings, leaving public" in out
    for value in VALUES:
        assert value not in out
