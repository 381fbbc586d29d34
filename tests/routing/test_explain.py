"""`Router.explain`: every rule with its failed conditions, every pool model's verdicts, and
agreement with `Router.decide` on the same task."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from router import AsyncClient, Client
from router import _router as router_module
from router._cli import main
from router._config import load_routes, parse_routes
from router._explain import summary
from router._router import Router
from router._task import Task

ROOT = Path(__file__).resolve().parents[2]
ROUTES = str(ROOT / "routes.yaml")
ROUTER = Router(load_routes(ROUTES))
PLAIN = "Please summarise the weekly status report in two sentences."


def test_every_rule_is_listed_in_order_with_each_failed_condition_and_its_value() -> None:
    explanation = ROUTER.explain(Task.build(PLAIN))
    tokens = explanation.signals.tokens
    assert [(check.rule, check.matched, check.chosen, check.failed) for check in explanation.rules] == [
        ("restricted-data", False, False, ("sensitivity public < at_least restricted",)),
        ("confidential-data", False, False, ("sensitivity public < at_least confidential",)),
        ("long-context", False, False, (f"tokens {tokens} < min 100000",)),
        ("code-and-maths", False, False, ("tags [] include none of [code, maths]",)),
        ("non-english", False, False, ("language en is excluded by not_in [en]",)),
        ("default", True, True, ()),
    ]


def test_a_rule_after_the_chosen_one_still_says_whether_it_matches() -> None:
    explanation = ROUTER.explain(Task.build("Bitte fassen Sie den Vertrag zusammen: anna@example.de"))
    by_rule = {check.rule: check for check in explanation.rules}
    assert by_rule["confidential-data"].chosen
    assert by_rule["non-english"].matched
    assert not by_rule["non-english"].chosen


def test_the_explanation_agrees_with_the_decision() -> None:
    task = Task.build("Translate the attached invoice terms into Spanish.", tags=["code"], max_tokens=300)
    decision = ROUTER.decide(task)
    explanation = ROUTER.explain(task)
    assert (explanation.model, explanation.rule) == (decision.model, decision.rule)
    assert explanation.fallback == tuple(c.model for c in decision.candidates)
    excluded = {e.model: e.reason for e in decision.excluded}
    for check in explanation.pool:
        verdicts = [check.window, check.clearance, check.language, check.capabilities, check.cost_cap]
        failed = [v.detail for v in verdicts if not v.ok]
        assert (check.position is None) == bool(failed) == (check.model in excluded)
        if failed:
            assert excluded[check.model] in failed


def test_every_verdict_of_an_excluded_model_is_given_not_only_the_first() -> None:
    config = parse_routes(
        """
models:
  - {name: tiny, model: openai/gpt-4o-mini, clearance: public, languages: [fr], context_window: 50}
  - {name: vault, model: openai/gpt-4o, clearance: restricted}
rules:
  - {name: default, pool: "*", require: [code]}
"""
    )
    explanation = Router(config).explain(Task.build("Card 4111 1111 1111 1111 for the order, thanks a lot"))
    tiny = next(check for check in explanation.pool if check.model == "tiny")
    assert not tiny.clearance.ok
    assert "below the task's sensitivity restricted" in tiny.clearance.detail
    assert not tiny.language.ok
    assert "does not support language 'en'" in tiny.language.detail
    assert not tiny.capabilities.ok
    assert "lacks required capabilities ['code']" in tiny.capabilities.detail
    assert not tiny.window.ok
    assert "context window is 50" in tiny.window.detail


def test_a_task_no_model_may_take_is_explained_not_raised() -> None:
    config = parse_routes(
        """
models: [{name: open, model: openai/gpt-4o-mini, clearance: internal}]
rules: [{name: default, pool: "*"}]
"""
    )
    explanation = Router(config).explain(Task.build("My IBAN is DE89370400440532013000, please check it"))
    assert explanation.model is None
    assert explanation.fallback == ()
    assert explanation.pool[0].position is None
    assert not explanation.pool[0].clearance.ok


def test_the_decision_log_event_is_the_decision_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh logger: an earlier CLI test may have cached the module's at its warning level.
    monkeypatch.setattr(router_module, "log", structlog.get_logger("router"))
    with capture_logs() as logs:
        decision = ROUTER.decide(Task.build(PLAIN, team="research"))
    event = next(entry for entry in logs if entry["event"] == "route.decided")
    assert {key: event[key] for key in summary(decision)} == summary(decision)
    assert event["fallback"] == [c.model for c in decision.candidates[1:]]
    assert PLAIN not in json.dumps(event, default=str)


def test_client_explain_and_async_client_explain_give_the_same_explanation() -> None:
    with Client(ROUTES) as client:
        sync = client.explain(PLAIN, max_tokens=100)
    awaited = asyncio.run(AsyncClient(ROUTES).explain(PLAIN, max_tokens=100))
    assert sync == awaited
    assert sync.output_tokens == 100


def test_cli_explain_prints_rules_pool_and_fallback(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explain", "--routes", ROUTES, "--tag", "code", PLAIN])
    out = capsys.readouterr().out
    assert code == 0
    assert "code-and-maths     chosen" in out
    assert "capabilities: lacks required capabilities ['code']" in out  # qwen-turbo
    assert "fallback order: gpt-4o-mini -> qwen-coder -> claude-haiku-4-5" in out


def test_cli_explain_json_is_the_explanation_and_holds_no_prompt_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["explain", "--json", "--routes", ROUTES, "Mail bob@example.org about it, thanks"])
    out = capsys.readouterr().out
    data = json.loads(out)
    assert code == 0
    assert {"rule", "model", "signals", "rules", "pool", "fallback"} <= set(data)
    assert set(data["pool"][0]) >= {"window", "clearance", "language", "capabilities", "cost_cap", "position"}
    assert "bob@example.org" not in out


def test_cli_explain_exits_3_when_no_model_may_take_the_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text(
        'models: [{name: open, model: openai/gpt-4o-mini}]\nrules: [{name: default, pool: "*"}]\n',
        encoding="utf-8",
    )
    code = main(["explain", "--routes", str(routes), "My IBAN is DE89370400440532013000, check it"])
    assert code == 3
    assert "model:    (none" in capsys.readouterr().out
