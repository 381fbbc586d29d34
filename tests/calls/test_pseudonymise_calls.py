"""Pseudonymised calls: models receive placeholders, callers get the originals back, on every path.

The provider here is a scripted fake in this process (no network): it records every request and
answers by echoing the last message it received, so an answer built from placeholders must come
back to the caller as the original text. The end-to-end test over HTTP is test_pseudonymise_http.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router import AllModelsFailed
from router import _router as router_module
from router._calls import _executor as executor_module
from router._config import parse_routes
from router._errors import ProviderError, ProviderUnavailable
from router._levels import Sensitivity
from router._pricing import ModelInfo
from router._results import Completion, ProviderResponse, Usage
from router._runtime import Runtime
from router._signals._pseudonyms import Pseudonyms, json_quoted
from router._signals._sensitivity import Finding
from router._state._store import Store, StoreSettings
from router._streaming import DeltaRestorer, StreamDelta, StreamDone, current_channel
from router._task import Message, Task

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ROUTES = parse_routes(
    """
models:
  - {name: cloud, model: openai/cloud, clearance: internal, capabilities: [chat, tools],
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, context_window: 100000}
  - {name: cloud2, model: openai/cloud2, clearance: internal, capabilities: [chat, tools],
     input_cost_per_token: 0.0000015, output_cost_per_token: 0.000003, context_window: 100000}
  - {name: eu, model: openai/eu, clearance: confidential, capabilities: [chat, tools],
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000004, context_window: 100000}
rules:
  - {name: support, pseudonymise: [confidential]}
policies:
  fallback: {attempts_per_model: 1, backoff_base_s: 0, backoff_max_s: 0, deadline_s: 10}
"""
)
NAME, MAIL, OTHER = "Helena Shaw", "helena.shaw@example.com", "bob.stone@example.org"
MESSAGES: list[Message] = [
    {"role": "system", "content": "You answer customer tickets politely."},
    {"role": "user", "content": f"My name is {NAME}, write to {MAIL}."},
    {"role": "assistant", "content": "Noted. Anything else?"},
    {"role": "user", "content": f"Yes: {NAME} also uses {OTHER}; confirm both addresses."},
]
ORIGINALS = (NAME, MAIL, OTHER, "Helena", "Shaw")
PLACEHOLDER = re.compile(r"<[A-Z_]+_[0-9]+>")


@dataclass
class Echo:
    """A fake provider: records each request and answers "Re: " + the last message's text.

    ``fail`` makes the named models raise (after ``emit_first`` of the stream, when given);
    ``tool`` answers with one tool call whose arguments quote every placeholder received;
    ``chunk`` cuts streamed text into pieces of that many characters.
    """

    fail: Mapping[str, ProviderError] = field(default_factory=dict)
    emit_first: str = ""
    tool: bool = False
    chunk: int = 3
    mangle: bool = False
    received: list[tuple[str, str]] = field(default_factory=list)

    def missing_credentials(self, model: ModelInfo) -> str | None:
        return None

    async def acomplete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        self.received.append((model.name, json.dumps([dict(m) for m in messages]) + json.dumps(params or {})))
        channel = current_channel()
        if model.name in self.fail:
            if channel is not None and self.emit_first:
                channel.emit(StreamDelta(content=self.emit_first, model=model.name))
            raise self.fail[model.name]
        text = "Re: " + str(messages[-1]["content"])
        if self.mangle:
            text = text.replace("<PERSON_1>", "<Person_1>")
        calls = None
        if self.tool:
            arguments = json.dumps({"recipients": PLACEHOLDER.findall(text)})
            calls = (
                {"id": "call_1", "type": "function", "function": {"name": "send", "arguments": arguments}},
            )
        if channel is not None:
            for start in range(0, len(text), self.chunk):
                channel.emit(StreamDelta(content=text[start : start + self.chunk], model=model.name))
            for call in calls or ():
                arguments = call["function"]["arguments"]
                for start in range(0, len(arguments), self.chunk):
                    piece = {"index": 0, "function": {"arguments": arguments[start : start + self.chunk]}}
                    channel.emit(StreamDelta(tool_calls=(piece,), model=model.name))
            channel.emit(StreamDelta(finish_reason="stop", model=model.name))
        return ProviderResponse(
            content=text, usage=Usage(prompt_tokens=20, completion_tokens=8), cost_usd=0.0, tool_calls=calls
        )

    def sent_to(self, model: str) -> list[str]:
        return [body for name, body in self.received if name == model]


def _runtime(provider: Echo) -> Runtime:
    store = Store(StoreSettings(url=None))
    store.sync().flushall()
    return Runtime.build(ROUTES, store=store, provider=provider)


def _complete(provider: Echo, messages: Sequence[Message] = MESSAGES, **params: Any) -> Completion:
    runtime = _runtime(provider)
    return asyncio.run(runtime.complete(Task.build(list(messages), params=params or None)))


def _stream(provider: Echo, messages: Sequence[Message] = MESSAGES) -> tuple[list[StreamDelta], Completion]:
    async def collect() -> tuple[list[StreamDelta], Completion]:
        deltas: list[StreamDelta] = []
        async for event in _runtime(provider).stream(Task.build(list(messages))):
            if isinstance(event, StreamDone):
                return deltas, event.completion
            deltas.append(event)
        raise AssertionError("the stream ended without StreamDone")

    return asyncio.run(collect())


def _no_original_in(bodies: Sequence[str]) -> None:
    for body in bodies:
        for value in ORIGINALS:
            assert value not in body


EXPECTED = "Re: " + str(MESSAGES[-1]["content"])


def test_the_model_receives_placeholders_and_the_caller_gets_the_originals_back() -> None:
    provider = Echo()
    result = _complete(provider)
    assert result.model == "cloud"
    assert result.decision.pseudonymised == 4
    [body] = provider.sent_to("cloud")
    _no_original_in([body])
    assert "My name is <PERSON_1>, write to <EMAIL_1>." in body
    assert "Yes: <PERSON_1> also uses <EMAIL_2>; confirm both addresses." in body
    assert "You answer customer tickets politely." in body  # text with no finding goes as written
    assert result.content == EXPECTED


def test_a_fallback_sends_the_same_placeholders_and_never_the_originals() -> None:
    provider = Echo(fail={"cloud": ProviderUnavailable("down", model="cloud", status=503)})
    result = _complete(provider)
    assert [(a.model, a.outcome) for a in result.attempts] == [("cloud", "error"), ("cloud2", "ok")]
    assert provider.sent_to("cloud") == provider.sent_to("cloud2")
    _no_original_in(provider.sent_to("cloud2"))
    assert result.content == EXPECTED


def test_a_cleared_fallback_also_gets_the_pseudonymised_text_once_the_call_pseudonymises() -> None:
    down = ProviderUnavailable("down", model="x", status=503)
    provider = Echo(fail={"cloud": down, "cloud2": down})
    result = _complete(provider)
    assert result.model == "eu"
    _no_original_in(provider.sent_to("eu"))
    assert result.content == EXPECTED


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 64], ids=lambda size: f"chunks-of-{size}")
def test_a_streamed_answer_is_restored_when_placeholders_are_split_across_deltas(chunk: int) -> None:
    provider = Echo(chunk=chunk)
    deltas, completion = _stream(provider)
    streamed = "".join(delta.content or "" for delta in deltas)
    assert streamed == EXPECTED
    assert completion.content == EXPECTED
    assert all(not PLACEHOLDER.search(delta.content or "") for delta in deltas)
    _no_original_in([body for _, body in provider.received])


def test_tool_call_arguments_are_restored_as_valid_json_complete_and_streamed() -> None:
    wanted = {"recipients": [NAME, OTHER]}
    result = _complete(Echo(tool=True))
    assert result.tool_calls is not None
    assert json.loads(result.tool_calls[0]["function"]["arguments"]) == wanted
    deltas, completion = _stream(Echo(tool=True, chunk=2))
    fragments = "".join(
        call["function"]["arguments"]
        for delta in deltas
        for call in delta.tool_calls or ()
        if "function" in call
    )
    assert json.loads(fragments) == wanted
    assert completion.tool_calls is not None
    assert json.loads(completion.tool_calls[0]["function"]["arguments"]) == wanted


def test_tool_calls_in_the_conversation_are_pseudonymised_too() -> None:
    messages: list[Message] = [
        {"role": "user", "content": "Send the receipt."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {"name": "send", "arguments": json.dumps({"to": MAIL, "name": NAME})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_9", "content": f"sent to {MAIL}"},
    ]
    provider = Echo()
    result = _complete(provider, messages)
    [body] = provider.sent_to("cloud")
    _no_original_in([body])
    assert '"id": "call_9"' in body  # structure untouched
    assert '"tool_call_id": "call_9"' in body
    assert result.content == f"Re: sent to {MAIL}"


def test_a_placeholder_the_model_mangles_reaches_the_caller_as_the_model_wrote_it() -> None:
    # Only exact placeholders are restored: "<Person_1>" is not ours, so it is not guessed at.
    result = _complete(Echo(mangle=True))
    assert result.content == EXPECTED.replace(NAME, "<Person_1>")
    assert OTHER in result.content


def test_a_delta_held_back_whole_has_not_started_the_stream_so_an_error_still_falls_back() -> None:
    # "<PERS" could be the start of a placeholder: it is held, the caller saw nothing, so cloud2 may answer.
    provider = Echo(
        fail={"cloud": ProviderUnavailable("down", model="cloud", status=503)}, emit_first="<PERS"
    )
    deltas, completion = _stream(provider)
    assert completion.model == "cloud2"
    assert "".join(delta.content or "" for delta in deltas) == EXPECTED


def test_text_masking_cannot_reach_keeps_every_uncleared_model_out() -> None:
    # An address in a tool definition is not masked (tool schemas are left as written), so the
    # masked task is still confidential: only eu, cleared for it, is asked, pseudonymised.
    tool = {
        "type": "function",
        "function": {
            "name": "send",
            "description": f"Sends mail from {OTHER}",
            "parameters": {"type": "object"},
        },
    }
    provider = Echo()
    result = _complete(provider, MESSAGES, tools=[tool])
    assert result.decision.model == "cloud"
    assert [(a.model, a.error_type) for a in result.attempts] == [
        ("cloud", "not_cleared"),
        ("cloud2", "not_cleared"),
        ("eu", None),
    ]
    assert "what the pseudonymised text still holds" in (result.attempts[0].error or "")
    assert provider.sent_to("cloud") == []
    assert provider.sent_to("cloud2") == []


def test_without_a_masker_no_model_below_the_tasks_sensitivity_is_asked() -> None:
    provider = Echo(fail={"eu": ProviderUnavailable("down", model="eu", status=503)})
    runtime = _runtime(provider)
    runtime.executor.masker = None
    with pytest.raises(AllModelsFailed) as caught:
        asyncio.run(runtime.complete(Task.build(list(MESSAGES))))
    assert [(a.model, a.error_type) for a in caught.value.attempts][:2] == [
        ("cloud", "not_cleared"),
        ("cloud2", "not_cleared"),
    ]
    assert [name for name, _ in provider.received] == ["eu"]


def test_no_original_value_reaches_a_log_event(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fresh loggers: an earlier CLI test may have cached the modules' at their warning level.
    monkeypatch.setattr(router_module, "log", structlog.get_logger("router"))
    monkeypatch.setattr(executor_module, "log", structlog.get_logger("router.calls"))
    with structlog.testing.capture_logs() as events:
        _complete(Echo(fail={"cloud": ProviderUnavailable("down", model="cloud", status=503)}))
    names = {event["event"] for event in events}
    assert {"route.decided", "call.attempt", "call.fallback", "call.succeeded"} <= names
    dumped = json.dumps(events, default=str)
    for value in ORIGINALS:
        assert value not in dumped


def test_a_value_with_quotes_is_restored_into_json_arguments_escaped() -> None:
    text = 'Ship to "The Old Mill" today'
    pseudonyms = Pseudonyms()
    start = text.index('"')
    masked = pseudonyms.mask(text, [Finding("street_address", Sensitivity.CONFIDENTIAL, start, start + 14)])
    assert masked == "Ship to <STREET_ADDRESS_1> today"
    arguments = json.dumps({"to": "<STREET_ADDRESS_1>"})
    assert json.loads(pseudonyms.restore(arguments, json_quoted)) == {"to": '"The Old Mill"'}


def test_a_custom_term_name_becomes_a_placeholder_that_is_restored() -> None:
    pseudonyms = Pseudonyms()
    masked = pseudonyms.mask("about nightingale", [Finding("project-x2", Sensitivity.CONFIDENTIAL, 6, 17)])
    assert masked == "about <PROJECT_X_1>"
    assert pseudonyms.restore("re <PROJECT_X_1>") == "re nightingale"


def test_the_delta_restorer_flushes_what_it_holds_when_the_stream_ends_without_a_finish() -> None:
    pseudonyms = Pseudonyms()
    pseudonyms.mask("Helena Shaw", [Finding("person", Sensitivity.CONFIDENTIAL, 0, 11)])
    restorer = DeltaRestorer(pseudonyms)
    assert restorer.feed(StreamDelta(content="Hi <PER", model="m")) == StreamDelta(content="Hi ", model="m")
    assert restorer.feed(StreamDelta(content="SON_1", model="m")) is None
    assert restorer.flush() == StreamDelta(content="<PERSON_1", model="m")  # never closed: as written


NAMES = st.sampled_from(["Helena Shaw", "Marco Rossi", "Anna Schmidt", "Jean Dupont", "Maria Garcia"])
MAILS = st.sampled_from(["ana.silva@example.com", "j.doe@example.org", "helena.shaw@example.com"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(NAMES, min_size=1, max_size=3),
    mails=st.lists(MAILS, min_size=1, max_size=3),
    chunk=st.integers(min_value=1, max_value=12),
    stream=st.booleans(),
)
def test_property_no_original_finding_reaches_the_provider_and_the_caller_gets_every_one_back(
    names: list[str], mails: list[str], chunk: int, stream: bool
) -> None:
    lines = [
        f"Dear {name}, please mail {mail} today." for name, mail in zip(names * 3, mails * 3, strict=False)
    ]
    messages: list[Message] = [{"role": "user", "content": line} for line in lines]
    provider = Echo(chunk=chunk)
    if stream:
        deltas, completion = _stream(provider, messages)
        assert "".join(delta.content or "" for delta in deltas) == completion.content
    else:
        completion = _complete(provider, messages)
    assert completion.content == "Re: " + lines[-1]
    for _, body in provider.received:
        for value in (*names, *mails):
            assert value not in body


def test_an_image_keeps_its_level_in_the_masked_task_whatever_the_text_becomes() -> None:
    routes = ROUTES.model_copy(
        update={
            "signals": parse_routes(
                "models: [{name: m, model: x/m}]\nrules: [{name: d}]\n"
                "signals: {sensitivity: {unreadable: internal}}\n"
            ).signals,
            "models": tuple(
                spec.model_copy(update={"capabilities": ("chat", "vision")}) for spec in ROUTES.models
            ),
        }
    )
    messages: list[Message] = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": f"Is this {NAME}? Reply to {MAIL}."},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
        }
    ]
    store = Store(StoreSettings(url=None))
    store.sync().flushall()
    provider = Echo()
    runtime = Runtime.build(routes, store=store, provider=provider)
    task = Task.build(messages)
    decision = runtime.router.decide(task)
    assert decision.pseudonymisation is not None
    assert decision.pseudonymisation.level == Sensitivity.INTERNAL
    asyncio.run(runtime.complete(task, decision=decision))
    [(model, body)] = provider.received
    assert model == "cloud"
    assert "https://example.com/a.png" in body  # the image goes as it is: cloud is cleared for internal
    _no_original_in([body])


@pytest.mark.parametrize(
    "text",
    [
        "Reply to Mrs Helena Shaw about the refund. Helena said it was late.",
        "Mrs Helena Shaw wrote; sign as H. Shaw, or HELENA SHAW.",
        "Tell Mrs Helena Shaw thanks; tell helena shaw again.",
        "Mrs Helena Shaw's parcel went to 12 Rue Mouffetard; she still lives in Mouffetard.",
    ],
    ids=["given-name-alone", "initial-and-capitals", "lower-case", "street-name-alone"],
)
def test_a_name_or_street_left_in_another_form_keeps_the_text_off_the_uncleared_models(text: str) -> None:
    # Only the form that was found gets a placeholder; a part of it written elsewhere would
    # reach the uncleared model beside the placeholder, so the call goes to a cleared one.
    provider = Echo()
    result = _complete(provider, [{"role": "user", "content": text}])
    assert result.model == "eu"
    assert provider.sent_to("cloud") == provider.sent_to("cloud2") == []


def test_a_placeholder_beside_words_that_only_greeted_the_name_still_goes_pseudonymised() -> None:
    provider = Echo()
    text = "Dear Helena Shaw, thanks. Dear all: see you."
    result = _complete(provider, [{"role": "user", "content": text}])
    assert result.model == "cloud"
    [body] = provider.sent_to("cloud")
    assert "Helena" not in body
    assert "Shaw" not in body
