"""``router serve`` driven by the official ``openai`` package, as an application would use it."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from router._gateway._keys import CACHE_S, KeyStore
from router._ledger._read import find_records
from router._state._store import Store, StoreSettings
from tests.gateway.conftest import Gateway, MakeKey
from tests.support.openai_server import OpenAIServer, bad_request, ok, server_error

pytestmark = pytest.mark.slow

HELLO = [{"role": "user", "content": "Please summarise the weekly status report in two sentences."}]
CARD = [{"role": "user", "content": "Refund card 4111 1111 1111 1111 for the customer, please."}]


def _records(redis_url: str, request_id: str) -> list[object]:
    # The ledger write follows the answer in the background: wait for it, boundedly.
    for _ in range(100):
        found = find_records(Store(StoreSettings(url=redis_url)), request_id=request_id)
        if found:
            return list(found)
        time.sleep(0.05)
    return []


def test_a_plain_call_answers_with_the_routes_yaml_model_and_explain_headers(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey, redis_url: str
) -> None:
    upstream.script("test-model-a", ok("Two sentences.", prompt_tokens=20, completion_tokens=4))
    raw = gateway.client(make_key()).chat.completions.with_raw_response.create(model="auto", messages=HELLO)
    reply = raw.parse()
    assert reply.choices[0].message.content == "Two sentences."
    assert reply.model == "alpha"
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (20, 4)
    headers = raw.headers
    assert headers["x-router-model"] == "alpha"
    assert headers["x-router-rule"] == "default"
    assert headers["x-router-sensitivity"] == "public"
    assert headers["x-router-language"] == "en"
    assert int(headers["x-router-tokens"]) > 0
    assert headers["x-router-attempts"] == "1"
    assert float(headers["x-router-cost-usd"]) == pytest.approx(20 * 0.000001 + 4 * 0.000002)
    records = _records(redis_url, headers["x-request-id"])
    assert [(r.model, r.team, r.outcome) for r in records] == [("alpha", "research", "ok")]  # type: ignore[attr-defined]


def test_a_failing_first_model_falls_back_and_the_headers_say_so(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", server_error(500))
    upstream.script("test-model-b", ok("from beta"))
    raw = gateway.client(make_key()).chat.completions.with_raw_response.create(model="auto", messages=HELLO)
    assert raw.parse().model == "beta"
    assert (raw.headers["x-router-attempts"], raw.headers["x-router-fallbacks"]) == ("2", "alpha")


def test_models_lists_auto_every_model_and_every_rule(gateway: Gateway, make_key: MakeKey) -> None:
    names = [model.id for model in gateway.client(make_key()).models.list()]
    assert names == ["auto", "alpha", "beta", "vault", "restricted-data", "default"]


def test_a_rule_name_as_model_routes_by_that_rule(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    reply = gateway.client(make_key()).chat.completions.create(model="restricted-data", messages=HELLO)
    assert reply.model == "vault"


def test_a_card_number_sent_to_a_named_cloud_model_is_403_and_nothing_is_sent(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    before = len(upstream.requests)
    with pytest.raises(openai.PermissionDeniedError) as refused:
        gateway.client(make_key()).chat.completions.create(model="alpha", messages=CARD)
    assert "clearance internal is below the task's sensitivity restricted" in refused.value.message
    assert refused.value.code == "clearance"
    assert len(upstream.requests) == before


def test_the_same_card_number_with_auto_goes_only_to_the_cleared_model(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    before = len(upstream.requests)
    reply = gateway.client(make_key()).chat.completions.create(model="auto", messages=CARD)
    assert reply.model == "vault"
    assert [request.model for request in upstream.requests[before:]] == ["test-model-vault"]


@pytest.mark.parametrize(
    "header", [None, "Bearer sk-router-not-a-key", "Basic abc"], ids=["none", "unknown", "basic"]
)
def test_a_missing_or_unknown_key_is_401_in_openai_shape(gateway: Gateway, header: str | None) -> None:
    headers = {"authorization": header} if header else {}
    response = httpx.post(
        f"{gateway.url}/v1/chat/completions", json={"model": "auto", "messages": HELLO}, headers=headers
    )
    assert response.status_code == 401
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "invalid_api_key")


def test_a_revoked_key_is_401_once_the_process_cache_has_expired(
    gateway: Gateway, key_store: KeyStore
) -> None:
    secret, key = key_store.create(team="research")
    client = gateway.client(secret)
    client.models.list()
    key_store.revoke(key.id)
    time.sleep(CACHE_S)  # the documented bound: a process trusts a key record it read this long
    with pytest.raises(openai.AuthenticationError, match="revoked"):
        client.chat.completions.create(model="auto", messages=HELLO)


def test_a_team_budget_exhausted_is_429_with_retry_after(
    gateway: Gateway, make_key: MakeKey, upstream: OpenAIServer
) -> None:
    before = len(upstream.requests)
    with pytest.raises(openai.RateLimitError) as refused:
        gateway.client(make_key(team="finance")).chat.completions.create(model="auto", messages=HELLO)
    assert refused.value.code == "budget_exceeded"
    assert int(refused.value.response.headers["retry-after"]) >= 1
    assert len(upstream.requests) == before


def test_a_key_budget_exhausted_is_429(gateway: Gateway, make_key: MakeKey) -> None:
    with pytest.raises(openai.RateLimitError) as refused:
        gateway.client(make_key(budget_usd=0.0000001)).chat.completions.create(model="auto", messages=HELLO)
    assert "key:key_" in refused.value.message


def test_a_key_over_its_rpm_is_429_with_retry_after(gateway: Gateway, make_key: MakeKey) -> None:
    client = gateway.client(make_key(rpm=1))
    client.chat.completions.create(model="auto", messages=HELLO)
    with pytest.raises(openai.RateLimitError) as refused:
        client.chat.completions.create(model="auto", messages=HELLO)
    assert refused.value.code == "rate_limit_exceeded"
    assert int(refused.value.response.headers["retry-after"]) >= 1


def test_every_allowed_model_failing_is_502(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", server_error(500))
    upstream.script("test-model-b", server_error(503))
    with pytest.raises(openai.InternalServerError) as failed:
        gateway.client(make_key()).chat.completions.create(model="auto", messages=HELLO)
    assert failed.value.status_code == 502
    assert failed.value.code == "all_models_failed"


def test_a_provider_bad_request_is_400_with_its_message(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    upstream.script("test-model-a", bad_request("Invalid value for 'messages'."))
    with pytest.raises(openai.BadRequestError, match="Invalid value"):
        gateway.client(make_key()).chat.completions.create(model="auto", messages=HELLO)


def test_an_unknown_parameter_is_400_naming_it(gateway: Gateway, make_key: MakeKey) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        gateway.client(make_key()).chat.completions.create(
            model="auto", messages=HELLO, extra_body={"temprature": 0.2}
        )
    assert refused.value.param == "temprature"
    assert refused.value.code == "unknown_parameter"


def test_an_unknown_model_is_404_listing_the_names(gateway: Gateway, make_key: MakeKey) -> None:
    with pytest.raises(openai.NotFoundError, match="use one of: auto, alpha, beta, vault"):
        gateway.client(make_key()).chat.completions.create(model="gpt-5", messages=HELLO)


def test_missing_messages_is_400_naming_the_parameter(gateway: Gateway, make_key: MakeKey) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        gateway.client(make_key()).chat.completions.create(model="auto", messages=[])
    assert refused.value.param == "messages"
