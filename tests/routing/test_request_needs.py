"""What a request needs becomes a model requirement; everything the model reads is scanned."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router import NoModelFits, UsageError
from router._config import parse_routes
from router._levels import Sensitivity
from router._params import LITELLM_CHAT_PARAMS, OPENAI_CHAT_PARAMS, ParameterError
from router._pricing import resolve
from router._router import Router
from router._signals._sensitivity_signal import UNREADABLE
from router._task import Task

ROUTES = """
models:
  - {name: plain, model: x/plain, clearance: confidential, capabilities: [chat],
     input_cost_per_token: 0.0000001, output_cost_per_token: 0.0000001, context_window: 100000}
  - {name: tooled, model: x/tooled, clearance: confidential, capabilities: [chat, tools],
     input_cost_per_token: 0.0000002, output_cost_per_token: 0.0000002, context_window: 100000}
  - {name: seeing, model: x/seeing, clearance: confidential, capabilities: [chat, tools, vision, json_schema],
     input_cost_per_token: 0.0000003, output_cost_per_token: 0.0000003, context_window: 100000}
  - {name: vault, model: x/vault, clearance: restricted, capabilities: [chat, tools, vision, json_schema],
     input_cost_per_token: 0.0000009, output_cost_per_token: 0.0000009, context_window: 100000}
  - {name: catalogued, model: openai/gpt-4o-mini, clearance: internal}
rules:
  - {name: default, pool: "*"}
"""
CONFIG = parse_routes(ROUTES)
ROUTER = Router(CONFIG)

TOOL = {
    "type": "function",
    "function": {"name": "lookup_order", "parameters": {"type": "object", "properties": {}}},
}
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}


CARD_ARGUMENTS = '{"card": "4111111111111111"}'


def _ask(text: str = "What is the status of my order?") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_capabilities_come_from_litellms_catalogue_when_routes_yaml_gives_none() -> None:
    capabilities = ROUTER.models["catalogued"].capabilities
    assert {"tools", "vision", "json_schema"} <= capabilities


def test_capabilities_given_in_routes_yaml_are_the_whole_truth() -> None:
    config = parse_routes(
        "models: [{name: m, model: openai/gpt-4o-mini, capabilities: [chat]}]\nrules: [{name: d}]"
    )
    assert resolve(config.models[0]).capabilities == frozenset({"chat"})


@pytest.mark.parametrize(
    ("params", "messages", "needed"),
    [
        ({"tools": [TOOL]}, _ask(), "tools"),
        ({"response_format": SCHEMA}, _ask(), "json_schema"),
        ({}, [{"role": "user", "content": [{"type": "text", "text": "What is this?"}, IMAGE]}], "vision"),
    ],
    ids=["tools", "json-schema", "image"],
)
def test_a_request_need_excludes_models_without_it(
    params: dict[str, Any], messages: Any, needed: str
) -> None:
    decision = ROUTER.decide(Task.build(messages, params=params))
    for candidate in decision.candidates:
        assert needed in ROUTER.models[candidate.model].capabilities
    reasons = {item.model: item.reason for item in decision.excluded}
    assert f"lacks required capabilities ['{needed}']" in reasons["plain"]


def test_tool_choice_none_needs_no_tools() -> None:
    decision = ROUTER.decide(Task.build(_ask(), params={"tools": [TOOL], "tool_choice": "none"}))
    assert decision.model == "plain"


def test_a_named_model_lacking_a_need_is_refused_saying_which() -> None:
    with pytest.raises(NoModelFits, match=r"plain: lacks required capabilities \['tools'\]"):
        ROUTER.decide(Task.build(_ask(), params={"tools": [TOOL]}), model="plain")


def test_a_card_number_in_a_tool_definition_is_scanned() -> None:
    tool = {"type": "function", "function": {"name": "refund", "description": "card 4111 1111 1111 1111"}}
    decision = ROUTER.decide(Task.build(_ask(), params={"tools": [tool]}))
    assert decision.signals.sensitivity is Sensitivity.RESTRICTED
    assert decision.model == "vault"


@pytest.mark.parametrize(
    "message",
    [
        {"role": "system", "content": "Customer card: 4111 1111 1111 1111"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": CARD_ARGUMENTS}}
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": "card on file: 4111 1111 1111 1111"},
        {"role": "user", "content": [{"type": "text", "text": "card 4111 1111 1111 1111"}]},
    ],
    ids=["system", "assistant-tool-call", "tool-result", "text-part"],
)  # fmt: skip
def test_every_turn_the_model_reads_is_scanned(message: dict[str, Any]) -> None:
    task = Task.build([message, *_ask()], params={"tools": [TOOL]})
    assert ROUTER.decide(task).signals.sensitivity is Sensitivity.RESTRICTED


CARD = "card 4111 1111 1111 1111"


@pytest.mark.parametrize(
    "params",
    [
        {"user": CARD},
        {"safety_identifier": CARD},
        {"prompt_cache_key": CARD},
        {"stop": ["Thanks,", CARD]},
        {"web_search_options": {"user_location": {"type": "approximate", "approximate": {"city": CARD}}}},
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": CARD}}},
    ],
    ids=["user", "safety_identifier", "prompt_cache_key", "stop", "web_search_options", "tool_choice"],
)
def test_every_parameter_sent_to_the_model_is_scanned(params: dict[str, Any]) -> None:
    # The provider receives each of these; a value in any of them keeps uncleared models out.
    decision = ROUTER.decide(Task.build(_ask(), params=params))
    assert decision.signals.sensitivity is Sensitivity.RESTRICTED
    assert [candidate.model for candidate in decision.candidates] == ["vault"]


def test_a_value_split_by_line_breaks_inside_a_structured_parameter_is_found() -> None:
    # The scan reads a tool definition dumped as JSON, where the line breaks between the
    # groups are written "\\n"; the model reads the description with real ones.
    split = {**TOOL, "function": {**TOOL["function"], "description": "Charge card\n4111\n1111\n1111\n1111"}}
    decision = ROUTER.decide(Task.build(_ask(), params={"tools": [split]}))
    assert decision.signals.sensitivity is Sensitivity.RESTRICTED
    assert [candidate.model for candidate in decision.candidates] == ["vault"]


@pytest.mark.parametrize(
    ("arguments", "level"),
    [
        # Dumped as JSON with its message, a call's arguments (a JSON string themselves) have
        # their quotes and escapes escaped again: the field's name and the name's characters
        # are read through both levels.
        ('{"user": "jane", "password": "Sommer2024"}', Sensitivity.RESTRICTED),
        ('{"note": "\\u7530\\u4e2d\\u3055\\u3093\\u306b\\u9023\\u7d61"}', Sensitivity.CONFIDENTIAL),
    ],
    ids=["password-field", "ascii-escaped-japanese-name"],
)
def test_what_a_tool_calls_arguments_hold_is_read_through_their_escapes(
    arguments: str, level: Sensitivity
) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    task = Task.build([*_ask(), message, {"role": "tool", "tool_call_id": "c1", "content": "done"}])
    assert ROUTER.decide(task).signals.sensitivity is level


@pytest.mark.parametrize(
    "extra",
    [
        {"refusal": CARD},
        {"reasoning_content": CARD},
        {"thinking_blocks": [{"type": "thinking", "thinking": CARD}]},
        {"a_field_no_provider_has_yet": CARD},
        {"content": [{"type": "refusal", "refusal": CARD}]},
        {"content": [{"type": "text", "text": {"value": CARD}}]},
    ],
    ids=["refusal", "reasoning_content", "thinking_blocks", "unknown-field", "refusal-part", "odd-text-part"],
)
def test_every_message_field_the_model_may_read_is_scanned(extra: dict[str, Any]) -> None:
    message = {"role": "assistant", "content": "Noted.", **extra}
    decision = ROUTER.decide(Task.build([*_ask(), message]))
    assert decision.signals.sensitivity is Sensitivity.RESTRICTED
    assert [candidate.model for candidate in decision.candidates] == ["vault"]


def test_numeric_parameters_add_nothing_to_scan() -> None:
    params = {"temperature": 0.2, "seed": 4111111111111111, "logit_bias": {"50256": -100}, "logprobs": True}
    task = Task.build(_ask(), params=params)
    assert "4111111111111111" not in task.hidden_text
    assert ROUTER.decide(task).signals.sensitivity is Sensitivity.PUBLIC


def test_an_image_counts_as_confidential_by_default_and_as_routes_yaml_sets() -> None:
    messages = [{"role": "user", "content": [IMAGE]}]
    signals = ROUTER.decide(Task.build(messages)).signals
    assert signals.sensitivity is Sensitivity.CONFIDENTIAL
    assert [(f.type, f.count) for f in signals.findings] == [(UNREADABLE, 1)]
    strict = Router(parse_routes(ROUTES + "signals: {sensitivity: {unreadable: restricted}}"))
    assert strict.decide(Task.build(messages)).model == "vault"


def test_an_unknown_parameter_is_an_error_naming_it() -> None:
    with pytest.raises(ParameterError, match="unknown parameter 'temprature'") as refused:
        Task.build(_ask(), params={"temprature": 0.1})
    assert refused.value.param == "temprature"


def test_n_above_one_is_refused_with_the_reason() -> None:
    with pytest.raises(UsageError, match="ask 3 times"):
        Task.build(_ask(), params={"n": 3})


def test_the_known_parameters_cover_litellms_chat_parameters() -> None:
    import litellm

    client_options = {
        "request_timeout", "api_base", "api_version", "api_key", "deployment_id", "organization",
        "base_url", "default_headers", "timeout", "max_retries", "extra_headers",
        "include_server_side_tool_invocations",
    }  # fmt: skip
    missing = (
        set(litellm.OPENAI_CHAT_COMPLETION_PARAMS) - client_options - OPENAI_CHAT_PARAMS - LITELLM_CHAT_PARAMS
    )
    assert not missing


def test_a_parameter_a_model_does_not_take_excludes_it_or_is_dropped_as_routes_yaml_says() -> None:
    routes = """
models:
  - {name: claude, model: anthropic/claude-haiku-4-5, clearance: internal}
  - {name: gpt, model: openai/gpt-4o-mini, clearance: internal}
rules: [{name: d}]
"""
    task = Task.build(_ask(), params={"logit_bias": {"1": 5}})
    excluding = Router(parse_routes(routes)).decide(task)
    assert [c.model for c in excluding.candidates] == ["gpt"]
    assert "does not take parameter(s) ['logit_bias']" in excluding.excluded[0].reason
    dropping = Router(parse_routes(routes + "policies: {unsupported_params: drop}")).decide(task)
    assert {c.model: c.dropped_params for c in dropping.candidates} == {"gpt": (), "claude": ("logit_bias",)}


_PARTS = st.lists(
    st.sampled_from([{"type": "text", "text": "Describe the picture please."}, IMAGE]), min_size=1, max_size=3
)


@settings(max_examples=60, deadline=None)
@given(
    parts=_PARTS,
    tools=st.booleans(),
    schema=st.booleans(),
    card=st.booleans(),
)
def test_the_chosen_model_always_has_every_capability_the_request_needs(
    parts: list[dict[str, Any]], tools: bool, schema: bool, card: bool
) -> None:
    text = "card 4111 1111 1111 1111" if card else "hello there, a normal question"
    messages = [{"role": "system", "content": text}, {"role": "user", "content": parts}]
    params: dict[str, Any] = {}
    if tools:
        params["tools"] = [TOOL]
    if schema:
        params["response_format"] = SCHEMA
    task = Task.build(messages, params=params)
    try:
        decision = ROUTER.decide(task)
    except NoModelFits:
        return  # refused outright is fine; an incapable or uncleared model is not
    for candidate in decision.candidates:
        info = ROUTER.models[candidate.model]
        assert set(task.needs) <= info.capabilities
        assert info.spec.clearance >= decision.signals.sensitivity
