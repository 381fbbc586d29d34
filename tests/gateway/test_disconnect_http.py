"""A client that leaves mid-answer stops the provider call and is billed what was spent.

Through a real ``router serve`` process: the client goes away (the ``openai`` package closing a
stream, httpx giving up on a plain call), and the test checks that the upstream saw its
connection closed, that the ledger record says the call was cancelled with estimated usage, and
that the team's budget counted the record's cost.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from router._config import load_routes
from router._ledger._ledger import Ledger
from router._ledger._read import find_records
from router._ledger._record import CostRecord
from router._signals._tokens import count_text, encoding_for
from router._state._budgets import BudgetGuard
from router._state._store import Store, StoreSettings
from tests.gateway.conftest import Gateway, MakeKey
from tests.support.openai_server import OpenAIServer, ok, slow, streamed

pytestmark = pytest.mark.slow

HELLO = [{"role": "user", "content": "Please summarise the weekly status report in two sentences."}]
ALPHA_IN, ALPHA_OUT = 0.000001, 0.000002
WORDS = " ".join(f"w{i}" for i in range(300))


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    for _ in range(300):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


def _record(redis_url: str, request_id: str) -> CostRecord:
    store = Store(StoreSettings(url=redis_url))
    _wait_for(lambda: bool(find_records(store, request_id=request_id)), "the call is recorded")
    [record] = find_records(store, request_id=request_id)
    return record


def _research_spent(gateway: Gateway, redis_url: str) -> float:
    guard = BudgetGuard(Store(StoreSettings(url=redis_url)), load_routes(gateway.routes).policies.budgets)
    [research] = [status for status in guard.status() if status.key == "research-daily"]
    return research.spent_usd


def _tokens(text: str) -> int:
    return count_text(text, encoding_for("openai/test-model-a"))


def test_a_client_closing_a_stream_stops_the_upstream_and_is_billed_what_was_streamed(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey, redis_url: str
) -> None:
    upstream.script("test-model-a", streamed(ok(WORDS), chunk_delay_s=0.02))
    broken = upstream.broken_streams
    raw = gateway.client(make_key()).chat.completions.with_raw_response.create(
        model="auto",
        messages=HELLO,
        stream=True,  # type: ignore[arg-type]
    )
    stream = raw.parse()
    seen = ""
    for chunk in stream:
        seen += (chunk.choices[0].delta.content or "") if chunk.choices else ""
        if len(seen) > 10:
            break
    stream.close()
    _wait_for(lambda: upstream.broken_streams > broken, "the upstream saw its stream closed")
    record = _record(redis_url, raw.headers["x-request-id"])
    assert (record.model, record.outcome, record.usage_estimated) == ("alpha", "cancelled", True)
    assert record.prompt_tokens > 0
    assert _tokens(seen) <= record.completion_tokens < _tokens(WORDS)
    expected = record.prompt_tokens * ALPHA_IN + record.completion_tokens * ALPHA_OUT
    assert record.cost_usd == pytest.approx(expected)
    _wait_for(lambda: _research_spent(gateway, redis_url) > 0, "the budget is settled")
    assert _research_spent(gateway, redis_url) == pytest.approx(record.cost_usd)


def test_a_client_leaving_a_plain_call_cancels_it_and_is_billed_its_prompt(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey, redis_url: str
) -> None:
    upstream.script("test-model-a", slow(20.0))
    abandoned = upstream.abandoned
    before = len(upstream.requests)
    headers = {"Authorization": f"Bearer {make_key()}"}
    body = {"model": "auto", "messages": HELLO}
    with pytest.raises(httpx.ReadTimeout):  # the client gives up and closes its connection
        httpx.post(f"{gateway.url}/v1/chat/completions", json=body, headers=headers, timeout=1.5)
    assert len(upstream.requests) == before + 1
    _wait_for(lambda: upstream.abandoned > abandoned, "the upstream saw the router hang up")
    store = Store(StoreSettings(url=redis_url))
    _wait_for(lambda: bool(_cancelled(store)), "the cancelled call is recorded")
    [record] = _cancelled(store)
    assert (record.model, record.completion_tokens, record.usage_estimated) == ("alpha", 0, True)
    assert record.cost_usd == pytest.approx(record.prompt_tokens * ALPHA_IN)
    assert record.prompt_tokens > 0
    _wait_for(lambda: _research_spent(gateway, redis_url) > 0, "the budget is settled")
    assert _research_spent(gateway, redis_url) == pytest.approx(record.cost_usd)


def _cancelled(store: Store) -> list[CostRecord]:
    return [record for record in Ledger(store).records() if record.outcome == "cancelled"]


def test_a_client_leaving_a_stream_before_its_first_token_cancels_it_and_is_billed_its_prompt(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey, redis_url: str
) -> None:
    upstream.script("test-model-a", slow(20.0))  # a model slow to start its answer
    abandoned = upstream.abandoned
    headers = {"Authorization": f"Bearer {make_key()}"}
    body = {"model": "auto", "messages": HELLO, "stream": True}
    with pytest.raises(httpx.ReadTimeout):  # no first event, so no response yet: the client gives up
        httpx.post(f"{gateway.url}/v1/chat/completions", json=body, headers=headers, timeout=1.5)
    _wait_for(lambda: upstream.abandoned > abandoned, "the upstream saw the router hang up")
    store = Store(StoreSettings(url=redis_url))
    _wait_for(lambda: bool(_cancelled(store)), "the cancelled call is recorded")
    [record] = _cancelled(store)
    assert (record.completion_tokens, record.usage_estimated) == (0, True)
    assert record.prompt_tokens > 0
    assert record.cost_usd == pytest.approx(record.prompt_tokens * ALPHA_IN)
    _wait_for(lambda: _research_spent(gateway, redis_url) > 0, "the budget is settled")
    assert _research_spent(gateway, redis_url) == pytest.approx(record.cost_usd)
