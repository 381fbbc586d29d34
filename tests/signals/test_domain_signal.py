"""The domain signal in routes.yaml: off unless enabled, rules on it, and the errors that guard it."""

from __future__ import annotations

from pathlib import Path

import pytest

from router._config import load_routes, parse_routes
from router._errors import ConfigError
from router._router import Router
from router._task import Task

ROOT = Path(__file__).resolve().parents[2]
WORD_PROBLEM = "A baker sells 24 muffins a day at $3 each. How much money does she earn in a week?"
CAPITAL = "Which city is the capital of Australia, and why was it chosen over Sydney?"

ROUTES = """\
version: 1
models:
  - {name: small, model: openai/gpt-4o-mini}
  - {name: big, model: openai/gpt-4.1}
signals:
  domain: {enabled: true}
rules:
  - name: maths
    when: { domain: { in: [maths]%s } }
    pool: [big]
  - name: default
    pool: [small]
"""


def _router(condition_extra: str = "", routes: str = ROUTES) -> Router:
    return Router(parse_routes(routes % condition_extra))


def test_a_rule_on_the_domain_takes_the_prompts_the_classifier_reads_as_that_domain() -> None:
    router = _router()
    maths = router.decide(Task.build(WORD_PROBLEM))
    assert (maths.rule, maths.model) == ("maths", "big")
    assert maths.signals.value("domain") == "maths"
    assert router.decide(Task.build(CAPITAL)).rule == "default"


def test_min_confidence_keeps_an_unsure_prediction_out_of_the_rule() -> None:
    router = _router(", min_confidence: 1.0")
    assert router.decide(Task.build(WORD_PROBLEM)).rule == "default"


def test_the_signal_is_off_by_default_and_then_measures_nothing() -> None:
    routes = ROUTES.replace("signals:\n  domain: {enabled: true}\n", "") % ""
    with pytest.raises(ConfigError, match=r"rules\[0\].when.domain.*signals.domain.enabled: true"):
        parse_routes(routes)
    shipped = Router(load_routes(ROOT / "routes.yaml"))
    assert shipped.decide(Task.build(WORD_PROBLEM)).signals.value("domain") == "off"


def test_an_unknown_domain_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown domain 'math'.*maths, code"):
        parse_routes((ROUTES % "").replace("in: [maths]", "in: [math]"))


def test_weights_that_cannot_be_read_fail_at_load(tmp_path: Path) -> None:
    routes = (ROUTES % "").replace("{enabled: true}", f"{{enabled: true, weights: {tmp_path / 'none.npz'}}}")
    with pytest.raises(ConfigError, match="cannot read the domain weights"):
        parse_routes(routes)


@pytest.mark.parametrize("name", ["routes-domain.yaml", "routes-length.yaml"])
def test_the_example_routes_files_load(name: str) -> None:
    load_routes(ROOT / "examples" / name)
