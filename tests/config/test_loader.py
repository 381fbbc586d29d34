"""routes.yaml loading: a valid file loads; every kind of mistake is named with its line and a fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from router import ConfigError
from router._config import lint_routes, load_routes, parse_routes
from router._levels import Sensitivity

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """\
models:
  - name: small
    model: openai/gpt-4o-mini
  - name: onprem
    model: hosted_vllm/llama
    clearance: restricted
    input_cost_per_token: 0
    output_cost_per_token: 0
    context_window: 8192
rules:
  - name: default
    pool: "*"
"""


def _problems(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_routes(textwrap.dedent(text), source="routes.yaml")
    return str(caught.value)


def test_the_shipped_routes_file_validates_without_warnings() -> None:
    config = load_routes(ROOT / "routes.yaml")
    assert lint_routes(config) == []
    families = {spec.model.split("/")[0] for spec in config.models}
    assert {"openai", "anthropic", "hosted_vllm", "mistral", "gemini", "dashscope"} <= families


def test_only_the_self_hosted_llama_is_cleared_for_restricted_data_in_the_shipped_file() -> None:
    config = load_routes(ROOT / "routes.yaml")
    restricted = [spec.name for spec in config.models if spec.clearance == Sensitivity.RESTRICTED]
    assert restricted == ["llama-3.1-70b-onprem"]
    assert config.model("llama-3.1-70b-onprem").deployment.kind == "self_hosted"


def test_a_minimal_file_gets_defaults() -> None:
    config = parse_routes(MINIMAL)
    assert config.model("small").clearance == Sensitivity.INTERNAL
    assert config.model("small").languages == ("*",)
    assert config.signals.default_output_tokens == 512
    assert config.policies.fallback.attempts_per_model == 2


def test_levels_are_written_as_words_and_compare_in_order() -> None:
    config = parse_routes(MINIMAL)
    assert config.model("onprem").clearance > config.model("small").clearance


def test_loaded_config_is_frozen() -> None:
    config = parse_routes(MINIMAL)
    with pytest.raises(Exception, match="frozen"):
        config.model("small").clearance = Sensitivity.RESTRICTED  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            MINIMAL.replace(
                "    model: openai/gpt-4o-mini", "    model: openai/gpt-4o-mini\n    clearence: public"
            ),
            ["routes.yaml:4: models[0].clearence: unknown key 'clearence'; did you mean 'clearance'?"],
            id="misspelt-key-with-hint",
        ),
        pytest.param(
            MINIMAL.replace('pool: "*"', "pool: [smal]"),
            ["routes.yaml:12: rules[0].pool[0]: unknown model 'smal'; did you mean 'small'?"],
            id="unknown-model-in-rule",
        ),
        pytest.param(
            MINIMAL.replace("name: onprem", "name: small"),
            ["models[1].name: duplicate model name 'small'"],
            id="duplicate-model-name",
        ),
        pytest.param(
            MINIMAL.replace("clearance: restricted", "clearance: secret"),
            ["routes.yaml:6: models[1].clearance: unknown sensitivity level 'secret'", "public, internal"],
            id="unknown-level",
        ),
        pytest.param(
            MINIMAL
            + "signals:\n  sensitivity:\n    custom_terms:\n"
            + "      - {name: x, level: internal, regex: ['(']}\n",
            ["signals.sensitivity.custom_terms[0].regex", "regex '(' does not compile"],
            id="invalid-custom-regex",
        ),
        pytest.param(
            MINIMAL
            + "signals:\n  sensitivity:\n    custom_terms:\n"
            + "      - {name: x, level: internal, regex: ['(\\w+\\s?)+$']}\n",
            [
                "routes.yaml:16: signals.sensitivity.custom_terms[0].regex",
                "could hang the router: it nests a repeat inside a repeat",
                "make the inner part atomic",
            ],
            id="catastrophic-custom-regex",
        ),
        pytest.param(
            MINIMAL
            + "signals:\n  sensitivity:\n    custom_terms:\n"
            + "      - {name: x, level: internal, regex: ['(ab)-\\1']}\n",
            [
                "routes.yaml:16: signals.sensitivity.custom_terms[0].regex",
                "it refers back to a group",
                "spell the repeated text out",
            ],
            id="backreference-custom-regex",
        ),
        pytest.param(
            MINIMAL.replace(
                "  - name: small\n    model: openai/gpt-4o-mini",
                "  - name: small\n    model: openai/gpt-4o-mini\n    params: {api_key: sk-live-123}",
            ),
            ["api_key must be an environment reference such as os.environ/OPENAI_API_KEY"],
            id="literal-api-key",
        ),
        pytest.param(
            MINIMAL.replace(
                "rules:\n  - name: default\n", "rules:\n  - name: default\n    when: {tokens: {min: 10}}\n"
            ),
            ["the last rule ('default') has conditions"],
            id="no-default-rule",
        ),
        pytest.param(
            MINIMAL + "policies:\n  budgets:\n    - {scope: model, target: smol, limit_usd: 5}\n",
            ["policies.budgets[0].target: unknown model 'smol'; did you mean 'small'?"],
            id="budget-unknown-model",
        ),
        pytest.param(
            MINIMAL + "policies:\n  budgets:\n    - {scope: global, limit_usd: -5}\n",
            ["policies.budgets[0].limit_usd: Input should be greater than 0"],
            id="negative-budget",
        ),
        pytest.param(
            MINIMAL + "policies:\n  budgets:\n    - {scope: global, limit_usd: 5, period: fortnight}\n",
            ["policies.budgets[0].period", "'day', 'week' or 'month'"],
            id="unknown-period",
        ),
        pytest.param(
            MINIMAL
            + "teams: [research]\npolicies:\n  budgets:\n"
            + "    - {scope: team, target: reserch, limit_usd: 5}\n",
            ["unknown team 'reserch'; did you mean 'research'?"],
            id="budget-unknown-team",
        ),
        pytest.param(
            "models: [\n  - a: b\n",
            ["routes.yaml:2:3: YAML syntax error"],
            id="yaml-syntax",
        ),
        pytest.param(
            MINIMAL + "rules: []\n",
            ["duplicate key 'rules' (first at line 10)"],
            id="duplicate-yaml-key",
        ),
    ],
)
def test_a_bad_file_fails_with_line_path_and_hint(text: str, expected: list[str]) -> None:
    message = _problems(text)
    for fragment in expected:
        assert fragment in message


def test_a_literal_key_is_never_echoed_back() -> None:
    message = _problems(
        MINIMAL.replace(
            "model: openai/gpt-4o-mini", "model: openai/gpt-4o-mini\n    params: {api_key: sk-live-SECRET}"
        )
    )
    assert "SECRET" not in message


def test_a_missing_file_names_the_ways_to_give_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such routes file; pass --routes FILE, set ROUTER_ROUTES"):
        load_routes(tmp_path / "nope.yaml")


def test_an_empty_file_says_what_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text("# nothing\n")
    with pytest.raises(ConfigError, match="the file is empty; it needs 'models' and 'rules'"):
        load_routes(path)


def test_rules_after_a_catch_all_are_reported_as_unreachable() -> None:
    config = parse_routes(MINIMAL + "  - name: never\n    pool: [small]\n".replace("rules:", ""))
    assert any("rule 'never' can never match" in warning for warning in lint_routes(config))


def test_every_problem_is_reported_at_once() -> None:
    text = MINIMAL.replace("clearance: restricted", "clearance: secret").replace('pool: "*"', "pool: [smal]")
    with pytest.raises(ConfigError) as caught:
        parse_routes(text)
    assert len(caught.value.problems) >= 1
    assert "secret" in str(caught.value)
