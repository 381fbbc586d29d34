"""A new signal is one module plus its registration: routes.yaml, rules and decisions take it up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from router._config import load_routes, parse_routes
from router._decision import Signals
from router._errors import ConfigError
from router._levels import Sensitivity
from router._router import Router
from router._rules import failures
from router._signals._signal import register, registered, unregister
from router._task import Task
from tests.routing.toy_signal import FencesSignal

ROUTES = """
models:
  - {name: coder, model: openai/gpt-4o}
  - {name: chat, model: openai/gpt-4o-mini}
signals:
  fences: {marker: "~~~"}
rules:
  - {name: code, when: {fences: {min: 1}}, pool: [coder]}
  - {name: default, pool: [chat]}
"""


@pytest.fixture
def fences() -> Iterator[FencesSignal]:
    signal = FencesSignal()
    register(signal)
    yield signal
    unregister(signal.name)


def test_a_registered_signal_routes_through_routes_yaml(fences: FencesSignal, tmp_path: Path) -> None:
    (tmp_path / "routes.yaml").write_text(ROUTES, encoding="utf-8")
    router = Router(load_routes(tmp_path / "routes.yaml"))
    fenced = router.decide(Task.build("Fix this:\n~~~\nprint(1\n~~~\n"))
    plain = router.decide(Task.build("Write me a haiku about the sea, please."))
    assert (fenced.rule, fenced.model, fenced.signals.value("fences")) == ("code", "coder", 1)
    assert (plain.rule, plain.model, plain.signals.value("fences")) == ("default", "chat", 0)


def test_a_registered_signal_is_measured_after_the_built_in_ones_and_printed(fences: FencesSignal) -> None:
    decision = Router(parse_routes(ROUTES)).decide(Task.build("~~~\nx\n~~~ and some words"))
    printed = json.loads(json.dumps(decision.as_dict()))["signals"]
    built_in = [field for name, signal in registered().items() if name != "fences" for field in signal.fields]
    assert built_in[:5] == ["tokens", "language", "language_confidence", "sensitivity", "findings"]
    assert list(printed) == [*built_in, "fences"]
    assert printed["fences"] == 1


def test_a_failed_check_of_a_registered_signal_explains_itself(fences: FencesSignal) -> None:
    config = parse_routes(ROUTES)
    signals, _ = Router(config).measure(Task.build("no code here at all, just words"))
    when = config.rules[0].when
    assert when is not None
    assert list(failures(when, signals, Task.build("x"))) == ["fences 0 < min 1"]


def test_a_bad_condition_on_a_registered_signal_is_reported_with_its_path(fences: FencesSignal) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_routes(ROUTES.replace("{fences: {min: 1}}", "{fencs: {min: -1}}"), source="r.yaml")
    assert "r.yaml:8: rules[0].when.fencs: unknown key 'fencs'; did you mean 'fences'?" in str(caught.value)
    with pytest.raises(ConfigError, match=r"rules\[0\]\.when\.fences\.min: Input should be greater"):
        parse_routes(ROUTES.replace("{min: 1}", "{min: -1}"))


def test_a_registered_signal_lints_its_conditions_with_the_file_settings(fences: FencesSignal) -> None:
    with pytest.raises(ConfigError, match=r"rules\[0\]\.when\.fences\.min: min 500 fenced blocks"):
        parse_routes(ROUTES.replace("{min: 1}", "{min: 500}"))


def test_a_registered_signal_has_its_settings_and_condition_in_the_json_schema(fences: FencesSignal) -> None:
    from router._config import RoutesConfig

    schema = json.dumps(RoutesConfig.model_json_schema(by_alias=True))
    assert '"fences": {"anyOf": [{"$ref": "#/$defs/FencesCondition"}' in schema
    assert "FencesSettings" in schema


def test_without_registration_the_signal_is_an_unknown_key() -> None:
    assert "fences" not in registered()
    with pytest.raises(ConfigError, match="unknown key 'fences'"):
        parse_routes(ROUTES)


def test_a_signal_name_cannot_be_registered_twice_nor_shadow_a_request_attribute() -> None:
    with pytest.raises(ValueError, match="'tokens' already exists"):
        register(type("Again", (FencesSignal,), {"name": "tokens"})())
    with pytest.raises(ValueError, match="'team' already exists"):
        register(type("Team", (FencesSignal,), {"name": "team"})())


def test_signals_given_by_hand_are_checked_against_the_signal_types() -> None:
    signals = Signals(tokens=3, language="en", sensitivity="restricted")  # type: ignore[call-arg]
    assert signals.sensitivity is Sensitivity.RESTRICTED
    with pytest.raises(ValueError, match="tokens"):
        Signals(tokens="many", language="en", sensitivity="public")  # type: ignore[call-arg]
