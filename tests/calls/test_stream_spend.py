"""A stream cut short bills what it spent: closed, cancelled or broken after its first token.

Real HTTP through litellm to the scripted local server. Each test checks the attempt's ledger
record (its outcome, and that its usage is the router's estimate), that the budget counted the
same amount, and, for a cancelled stream, that the upstream saw its connection closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest

import router
from router import StreamDelta, StreamInterrupted
from router._calls._spent import spent
from router._config import RoutesConfig
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._results import Usage
from router._router import Router
from router._signals._tokens import count_text, encoding_for
from router._state._store import Store, StoreSettings
from router._streaming import Channel
from router._task import Task
from tests.calls.conftest import routes_for
from tests.support.openai_server import OpenAIServer, ok, streamed

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PLAIN = "Please summarise the weekly status report in two sentences."
A = "test-model-a"
BUDGET = """
  budgets:
    - {name: everything, scope: global, limit_usd: 100, period: day, action: reject}
"""
WORDS = " ".join(f"w{i}" for i in range(300))
ALPHA_IN, ALPHA_OUT = 0.000001, 0.000002


@pytest.fixture
def config(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> RoutesConfig:
    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-not-a-real-key")
    return routes_for(openai_server, extra=BUDGET)


@pytest.fixture
def client(config: RoutesConfig, redis_url: str) -> Iterator[router.Client]:
    with router.Client(config, redis_url=redis_url, simulate=False) as made:
        yield made


def _record(redis_url: str) -> CostRecord:
    [record] = Ledger(Store(StoreSettings(url=redis_url))).records()
    return record


def _spent_usd(client: router.Client) -> float:
    [budget] = client.budgets()
    return budget.spent_usd


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    for _ in range(200):  # the upstream notices a closed connection at its next write
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


def _tokens(text: str) -> int:
    """Tokens of ``text`` as the router counts them for alpha (its family's tokenizer)."""
    return count_text(text, encoding_for("openai/" + A))


def _prompt_tokens(client: router.Client) -> int:
    return client.route(PLAIN).candidates[0].prompt_tokens


def test_closing_the_sdk_iterator_early_closes_the_upstream_and_bills_what_was_streamed(
    client: router.Client, openai_server: OpenAIServer, redis_url: str
) -> None:
    openai_server.script(A, streamed(ok(WORDS), chunk_delay_s=0.02))
    seen = ""
    events = client.stream(PLAIN)
    for event in events:
        assert isinstance(event, StreamDelta)
        seen += event.content or ""
        if len(seen) > 10:
            break
    events.close()  # type: ignore[attr-defined]
    _wait_for(lambda: openai_server.broken_streams == 1, "the upstream saw its stream closed")
    client.flush()
    record = _record(redis_url)
    assert (record.model, record.outcome, record.error_type) == ("alpha", "cancelled", "cancelled")
    assert record.usage_estimated
    assert record.prompt_tokens == _prompt_tokens(client)
    # The router may have read a few deltas more than this loop took, never fewer.
    assert _tokens(seen) <= record.completion_tokens < _tokens(WORDS)
    expected = record.prompt_tokens * ALPHA_IN + record.completion_tokens * ALPHA_OUT
    assert record.cost_usd == pytest.approx(expected)
    assert _spent_usd(client) == pytest.approx(record.cost_usd)


def test_cancelling_the_async_iterator_bills_what_was_streamed(
    config: RoutesConfig, openai_server: OpenAIServer, redis_url: str
) -> None:
    openai_server.script(A, streamed(ok(WORDS), chunk_delay_s=0.02))

    async def scenario() -> tuple[str, float]:
        async with router.AsyncClient(config, redis_url=redis_url, simulate=False) as client:
            first = asyncio.Event()
            seen: list[str] = []

            async def consume() -> None:
                async for event in client.stream(PLAIN):
                    assert isinstance(event, StreamDelta)
                    seen.append(event.content or "")
                    if len(seen) >= 3:
                        first.set()

            reader = asyncio.create_task(consume())
            await asyncio.wait_for(first.wait(), 30)
            reader.cancel()
            with pytest.raises(asyncio.CancelledError):
                await reader
            await client.flush()
            [budget] = await client.budgets()
            return "".join(seen), budget.spent_usd

    seen, spent_usd = asyncio.run(scenario())
    _wait_for(lambda: openai_server.broken_streams == 1, "the upstream saw its stream closed")
    record = _record(redis_url)
    assert (record.outcome, record.usage_estimated) == ("cancelled", True)
    assert record.completion_tokens >= _tokens(seen) > 0
    assert record.cost_usd > 0
    assert spent_usd == pytest.approx(record.cost_usd)


def test_a_stream_broken_after_its_first_token_bills_the_tokens_received(
    client: router.Client, openai_server: OpenAIServer, redis_url: str
) -> None:
    openai_server.script(A, streamed(ok("alpha bravo charlie delta echo foxtrot"), break_after=3))
    seen: list[str] = []

    def read() -> None:
        seen.extend(event.content or "" for event in client.stream(PLAIN) if isinstance(event, StreamDelta))

    with pytest.raises(StreamInterrupted, match="after the answer had started"):
        read()
    client.flush()
    assert "".join(seen) == "alpha bravo charlie "
    record = _record(redis_url)
    assert (record.outcome, record.error_type, record.usage_estimated) == (
        "interrupted",
        "stream_interrupted",
        True,
    )
    assert (record.prompt_tokens, record.completion_tokens) == (
        _prompt_tokens(client),
        _tokens("".join(seen)),
    )
    expected = record.prompt_tokens * ALPHA_IN + record.completion_tokens * ALPHA_OUT
    assert record.cost_usd == pytest.approx(expected)
    assert _spent_usd(client) == pytest.approx(record.cost_usd)
    assert len(openai_server.requests) == 1  # no fallback once the answer had started


def test_a_finished_stream_still_settles_from_the_providers_usage(
    client: router.Client, openai_server: OpenAIServer, redis_url: str
) -> None:
    openai_server.script(A, ok("all of it", prompt_tokens=40, completion_tokens=7))
    events = list(client.stream(PLAIN))
    client.flush()
    record = _record(redis_url)
    assert (record.outcome, record.usage_estimated) == ("ok", False)
    assert (record.prompt_tokens, record.completion_tokens) == (40, 7)
    assert isinstance(events[-1], router.StreamDone)
    assert _spent_usd(client) == pytest.approx(40 * ALPHA_IN + 7 * ALPHA_OUT)


def test_the_providers_usage_wins_over_the_estimate_when_it_arrived(config: RoutesConfig) -> None:
    routing = Router(config)
    info = routing.models["alpha"]
    candidate = routing.decide(Task.build(PLAIN)).candidate("alpha")
    channel = Channel(received=["some ", "text"], reported=Usage(prompt_tokens=50, completion_tokens=9))
    bill = spent(info, candidate, channel)
    assert (bill.usage.prompt_tokens, bill.usage.completion_tokens, bill.estimated) == (50, 9, False)
    assert bill.cost_usd == pytest.approx(50 * ALPHA_IN + 9 * ALPHA_OUT)
