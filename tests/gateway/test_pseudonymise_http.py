"""Pseudonymise and restore through ``router serve``: the gateway runs the same runtime."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.gateway.conftest import ROUTES, Gateway, MakeKey, start_gateway, stop_gateway
from tests.support.openai_server import OpenAIServer, ok
from tests.support.redis_claim import Claim

pytestmark = pytest.mark.slow

TICKET = [
    {
        "role": "user",
        "content": "Please answer Mrs Helena Shaw at helena.shaw@example.com about her late parcel.",
    }
]
ORIGINALS = ("Helena", "Shaw", "helena.shaw@example.com")
ANSWER = "Dear <PERSON_1>, we will write to <EMAIL_1> today."
RESTORED = "Dear Helena Shaw, we will write to helena.shaw@example.com today."


@pytest.fixture(scope="module")
def gateway(
    upstream: OpenAIServer, tmp_path_factory: pytest.TempPathFactory, test_redis: Claim
) -> Iterator[Gateway]:
    routes = tmp_path_factory.mktemp("pseudonymise") / "routes.yaml"
    default = "{{name: default, pool: [alpha, beta]}}"
    text = ROUTES.replace(default, "{{name: default, pool: [alpha, beta], pseudonymise: [confidential]}}")
    assert text != ROUTES
    routes.write_text(text.format(url=upstream.url))
    started = start_gateway(routes, test_redis.url())
    yield started
    stop_gateway(started)


def _assert_no_original_upstream(upstream: OpenAIServer) -> None:
    for request in upstream.requests:
        body = json.dumps(request.body)
        for value in ORIGINALS:
            assert value not in body


def test_a_chat_completion_reaches_the_uncleared_model_pseudonymised_and_returns_restored(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", ok(ANSWER))
    raw = gateway.client(make_key()).chat.completions.with_raw_response.create(model="auto", messages=TICKET)
    completion = raw.parse()
    assert completion.choices[0].message.content == RESTORED
    assert raw.headers["x-router-model"] == "alpha"
    assert raw.headers["x-router-sensitivity"] == "confidential"
    assert raw.headers["x-router-pseudonymised"] == "2"
    assert upstream.requests[-1].body["messages"][0]["content"] == (
        "Please answer Mrs <PERSON_1> at <EMAIL_1> about her late parcel."
    )
    _assert_no_original_upstream(upstream)


def test_a_streamed_chat_completion_is_restored_delta_by_delta(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", ok(ANSWER))
    chunks = list(
        gateway.client(make_key()).chat.completions.create(model="auto", messages=TICKET, stream=True)
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == RESTORED
    _assert_no_original_upstream(upstream)
