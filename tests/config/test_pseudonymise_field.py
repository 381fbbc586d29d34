"""routes.yaml `pseudonymise` on a rule: levels written as words, and `restricted` refused with a fix."""

from __future__ import annotations

import textwrap

import pytest

from router import ConfigError
from router._config import lint_routes, parse_routes
from router._config._schema import RoutesConfig
from router._levels import Sensitivity

ROUTES = """\
models:
  - {name: cloud, model: openai/cloud, clearance: internal}
  - {name: vault, model: hosted_vllm/vault, clearance: restricted}
rules:
  - name: support
    when: {tags: [support]}
    pseudonymise: LEVELS
  - {name: default, pool: "*"}
"""


def _routes(levels: str) -> str:
    return ROUTES.replace("LEVELS", levels)


def test_a_rule_lists_the_levels_it_pseudonymises() -> None:
    config = parse_routes(_routes("[internal, confidential]"))
    assert config.rules[0].pseudonymise == (Sensitivity.INTERNAL, Sensitivity.CONFIDENTIAL)
    assert config.rules[1].pseudonymise == ()


def test_a_single_level_may_be_written_without_a_list() -> None:
    assert parse_routes(_routes("confidential")).rules[0].pseudonymise == (Sensitivity.CONFIDENTIAL,)


def test_restricted_may_never_be_pseudonymised_and_the_loader_says_where_and_what_to_do() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_routes(_routes("[confidential, restricted]"), source="routes.yaml")
    message = str(caught.value)
    assert "routes.yaml:7: rules[0].pseudonymise[1]: restricted text may never be pseudonymised" in message
    assert "card numbers" in message
    assert "national ids" in message
    assert "remove 'restricted' from the pseudonymise of rule 'support'" in message
    assert "give its pool a model cleared for restricted" in message
    assert list(caught.value.problems) == [line.strip() for line in message.splitlines()[1:]]


def test_an_unknown_level_is_named_with_the_known_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"rules\[0\]\.pseudonymise\[0\]: unknown sensitivity level 'secret'"
    ):
        parse_routes(textwrap.dedent(_routes("[secret]")), source="routes.yaml")


def test_the_editor_schema_documents_the_field() -> None:
    rule = RoutesConfig.model_json_schema()["$defs"]["Rule"]["properties"]["pseudonymise"]
    assert "placeholders" in rule["description"]
    assert "never 'restricted'" in rule["description"]


def test_a_pool_model_below_the_rules_level_is_no_mistake_when_the_rule_pseudonymises_that_level() -> None:
    rule = "  - {name: personal, when: {sensitivity: {at_least: confidential}}, pool: [cloud, vault]"
    plain = _routes("[internal]").replace("rules:\n", f"rules:\n{rule}}}\n")
    pseudonymised = _routes("[internal]").replace(
        "rules:\n", f"rules:\n{rule}, pseudonymise: [confidential]}}\n"
    )
    warnings = lint_routes(parse_routes(plain))
    assert any("model 'cloud' in its pool is cleared only for internal" in warning for warning in warnings)
    assert lint_routes(parse_routes(pseudonymised)) == []
