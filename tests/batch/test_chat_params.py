"""Batch lines carry the OpenAI chat parameters ``complete`` takes, checked per line, passed on.

Both line formats: the short form takes them beside its own fields, an OpenAI batch line keeps
its body's. The policy is ``complete``'s (``router._params``): an unknown parameter fails its
line, naming the line and the parameter. The worker derives what the parameters ask of the
model again (tools, a JSON schema) and what the model will read beyond the text, so routing and
the sensitivity scan see them as for ``complete``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from router._batch._context import WorkerContext
from router._batch._input import Item, LineError, parse_line
from router._batch._items import BatchItem
from router._batch._sdk import submit_batch
from router._config import RoutesConfig, parse_routes
from router._levels import Sensitivity
from router._router import Router
from router._runtime import Runtime
from router._state._store import Store
from router._task import Task
from tests.batch.conftest import REPO, Queue, run_chunks
from tests.support.openai_server import OpenAIServer, ok, openai_server

__all__ = ["openai_server"]

TOOL = {"type": "function", "function": {"name": "order_status", "parameters": {"type": "object"}}}
SCHEMA = {"type": "json_schema", "json_schema": {"name": "s", "schema": {"type": "object"}}}
HI = [{"role": "user", "content": "Summarise the weekly status report."}]
CHAT = {"temperature": 0.2, "top_p": 0.9, "seed": 7, "stop": ["END"], "response_format": SCHEMA}


def _parse(value: Any) -> Item | LineError:
    return parse_line(7, json.dumps(value))


def _openai_line(body: dict[str, Any], custom_id: str = "q1") -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


def test_a_short_form_line_carries_chat_parameters_beside_its_own_fields() -> None:
    item = _parse({"prompt": "Summarise it.", "tags": ["code"], "tools": [TOOL], **CHAT})
    assert isinstance(item, Item)
    assert dict(item.task.params) == {"tools": [TOOL], **CHAT}
    assert set(item.task.needs) == {"tools", "json_schema"}


def test_an_openai_batch_line_keeps_its_bodys_parameters_and_its_model_as_a_hint() -> None:
    body = {"model": "gpt-4o", "messages": HI, "max_completion_tokens": 30, "tool_choice": "auto"}
    item = _parse(_openai_line({**body, "tools": [TOOL], **CHAT}))
    assert isinstance(item, Item)
    assert dict(item.task.params) == {"tool_choice": "auto", "tools": [TOOL], **CHAT}
    assert (item.max_tokens, item.metadata) == (30, {"model_hint": "gpt-4o"})


@pytest.mark.parametrize(
    ("line", "code", "says"),
    [
        pytest.param(
            {"prompt": "a", "temprature": 0.2},
            "unknown_parameter",
            "unknown parameter 'temprature'",
            id="short-form-misspelt-parameter",
        ),
        pytest.param(
            {"promt": "a"},
            "unknown_parameter",
            "a line's own fields: custom_id",
            id="short-form-misspelt-field",
        ),
        pytest.param(
            _openai_line({"messages": HI, "temprature": 0.2}),
            "unknown_parameter",
            "unknown parameter 'temprature'",
            id="openai-body-misspelt-parameter",
        ),
        pytest.param(
            _openai_line({"messages": HI, "n": 3}), "unsupported_parameter", "n=3", id="openai-body-n-above-1"
        ),
        pytest.param(
            {"prompt": "a", "tools": {"not": "a list"}}, "invalid_parameter", "'tools'", id="tools-not-a-list"
        ),
    ],
)
def test_a_line_with_a_parameter_the_policy_refuses_fails_naming_the_line_and_parameter(
    line: Any, code: str, says: str
) -> None:
    error = _parse(line)
    assert isinstance(error, LineError)
    assert (error.code, error.message.startswith("line 7: ")) == (code, True)
    assert says in error.message


def test_a_stored_item_gives_the_worker_its_parameters_and_what_they_need() -> None:
    messages = [
        *HI,
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "order_status", "arguments": "{}"}}
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": "shipped"},
    ]  # fmt: skip
    built = Task.build(messages, params={"tools": [TOOL], **CHAT})
    task = BatchItem.loads(BatchItem.of(0, 1, "q", built).dumps()).task(team=None, job_tags=())
    assert (dict(task.params), task.needs, task.hidden_text) == (
        dict(built.params),
        built.needs,
        built.hidden_text,
    )
    assert "order_status" in task.scanned_text


def test_an_image_in_a_batch_line_is_unreadable_to_the_worker_too_so_it_fails_closed() -> None:
    config = parse_routes((REPO / "routes.yaml").read_text(encoding="utf-8"))
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    line = _parse(
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "What is it?"}, image]}]}
    )
    assert isinstance(line, Item)
    task = BatchItem.of(0, 1, "q", line.task).task(team=None, job_tags=())
    assert task.unreadable == 1
    routing = Router(config)
    at_submission = routing.decide(line.task).signals.sensitivity
    assert routing.decide(task).signals.sensitivity == at_submission >= Sensitivity.CONFIDENTIAL


ROUTES = """
models:
  - {{name: alpha, model: openai/test-model-a, clearance: internal,
     params: {{api_base: "{url}", api_key: os.environ/TEST_PROVIDER_KEY}},
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, context_window: 100000,
     capabilities: [chat, tools, json_schema]}}
rules:
  - {{name: default, pool: "*"}}
policies:
  fallback: {{attempts_per_model: 1, backoff_base_s: 0.01, backoff_max_s: 0.05, deadline_s: 10}}
"""


@pytest.fixture
def http_config(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> RoutesConfig:
    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-not-a-real-key")
    return parse_routes(ROUTES.format(url=openai_server.url))


@pytest.fixture
def http_context(store: Store, http_config: RoutesConfig) -> Iterator[WorkerContext]:
    """A worker context whose runtime calls the local server for real (no simulation)."""
    context = WorkerContext(
        store=store, runtime=lambda s: Runtime.build(http_config, store=s, simulate=False), in_flight=4
    )
    yield context
    context.close()


def test_a_batch_passes_each_lines_parameters_to_the_model_in_both_formats(
    store: Store,
    http_config: RoutesConfig,
    http_context: WorkerContext,
    openai_server: OpenAIServer,
    queue: Queue,
) -> None:
    openai_server.script("test-model-a", ok('{"a": 1}'), ok('{"b": 2}'), ok("plain"))
    lines = [
        {"custom_id": "short", "prompt": "Summarise the weekly status report.", **CHAT},
        _openai_line({"model": "gpt-4o", "messages": HI, "tools": [TOOL], "temperature": 0}, "openai"),
        {"custom_id": "none", "prompt": "Summarise the weekly status report."},
    ]
    job = submit_batch(store, http_config, lines, chunk_size=1, dispatch=queue)
    run_chunks(http_context, queue.chunks)
    assert job.status().completed == 3
    sent = {_custom(request.body): request.body for request in openai_server.requests}
    assert {name: sent["short"][name] for name in CHAT} == CHAT
    assert (sent["openai"]["tools"], sent["openai"]["temperature"]) == ([TOOL], 0)
    assert sent["openai"]["model"] == "test-model-a"  # the routes chose it, not the line's hint
    assert not {"temperature", "seed", "tools"} & set(sent["none"])


def _custom(body: dict[str, Any]) -> str:
    # Each line's request is told apart by what it carries (the server sees no custom_id).
    if "tools" in body:
        return "openai"
    return "short" if "seed" in body else "none"
