"""A call lost with its process is still money spent: its intent is on the books before the request.

Real HTTP to the local OpenAI-compatible server, real Redis, and a real second
process that is SIGKILLed while the provider holds its request.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time

import pytest
import redis

from router._cli import main
from router._config import parse_routes
from router._ledger._intents import GRACE_S, Intents
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._ledger._reports import costs
from router._runtime import Runtime
from router._state._store import Store, StoreSettings
from router._task import Task
from tests.calls.conftest import ROUTES, run
from tests.support.openai_server import OpenAIServer, ok, server_error, slow

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PLAIN = "Please summarise the weekly status report in two sentences."
A = "test-model-a"


def later() -> float:
    """A moment past the due time of every intent made so far (the calls' deadline is 10 s here)."""
    return time.time() + 10 + GRACE_S + 60


def _runtime(server_url: str, redis_url: str) -> Runtime:
    config = parse_routes(ROUTES.format(url=server_url, deadline=10.0))
    return Runtime.build(config, store=Store(StoreSettings(url=redis_url)), simulate=False)


def _call_and_hang(server_url: str, redis_url: str) -> None:
    os.environ["TEST_PROVIDER_KEY"] = "sk-test-not-a-real-key"
    asyncio.run(_runtime(server_url, redis_url).complete(Task.build(PLAIN)))


def _intents_left(redis_url: str) -> int:
    client = redis.Redis.from_url(redis_url)
    return sum(client.hlen(key) for key in client.scan_iter("*intents") if not key.endswith(b":due"))


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-not-a-real-key")


@pytest.mark.slow
def test_a_call_killed_with_its_process_is_recorded_as_lost_at_its_reserved_estimate_once(
    openai_server: OpenAIServer,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    openai_server.script(A, slow(20.0))
    context = multiprocessing.get_context("spawn")
    caller = context.Process(target=_call_and_hang, args=(openai_server.url, redis_url))
    caller.start()
    try:
        deadline = time.monotonic() + 60
        while not openai_server.requests_for(A) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert openai_server.requests_for(A), "the caller never reached the provider"
    finally:
        os.kill(caller.pid or 0, signal.SIGKILL)
        caller.join(timeout=10)
    store = Store(StoreSettings(url=redis_url))
    ledger = Ledger(store)
    assert ledger.reap_lost(now=time.time()) == 0  # not due yet: the call might still be running

    assert ledger.reap_lost(now=later()) == 1
    assert ledger.reap_lost(now=later()) == 0
    [lost] = [record for record in ledger.records() if record.outcome == "lost"]
    assert (lost.model, lost.outcome, lost.attempt) == ("alpha", "lost", 1)
    assert lost.cost_usd == pytest.approx(lost.estimated_cost_usd)
    assert lost.cost_usd > 0
    report = costs(store)
    assert (report.lost_calls, report.uncertain_usd) == (1, pytest.approx(lost.cost_usd))
    assert report.total.spend_usd >= lost.cost_usd  # the lost call is spend, at its estimate
    monkeypatch.setenv("ROUTER_REDIS_URL", redis_url)
    capsys.readouterr()
    assert main(["costs"]) == 0
    assert "uncertain: $" in capsys.readouterr().out


@pytest.mark.usefixtures("key")
def test_a_call_that_completes_replaces_its_intent_and_counts_once(
    openai_server: OpenAIServer, redis_url: str
) -> None:
    openai_server.script(A, server_error(500), ok("on the second try"))
    runtime = _runtime(openai_server.url, redis_url)

    async def main() -> tuple[str, int]:
        completion = await runtime.complete(Task.build(PLAIN))
        await runtime.drain()
        return completion.request_id, _intents_left(redis_url)

    request_id, left = run(main())
    assert left == 0
    ledger = runtime.ledger
    assert ledger.reap_lost(now=later()) == 0
    # By request: a spool left by an earlier test's cancelled write may be replayed into this ledger.
    records = ledger.records(request_id=request_id)
    assert [(r.outcome, r.attempt) for r in records] == [("error", 1), ("ok", 2)]
    assert costs(runtime.store).lost_calls == 0


@pytest.mark.usefixtures("key")
def test_a_batch_items_collected_records_replace_their_intents_when_its_transaction_writes_them(
    openai_server: OpenAIServer, redis_url: str
) -> None:
    runtime = _runtime(openai_server.url, redis_url)
    records: list[CostRecord] = []
    run(runtime.complete(Task.build(PLAIN), collect=records))
    assert _intents_left(redis_url) == 1  # the item has not committed yet

    client = redis.Redis.from_url(redis_url)
    with client.pipeline(transaction=True) as pipe:
        for record in records:
            runtime.ledger.stage(pipe, record)
        pipe.execute()
    assert _intents_left(redis_url) == 0
    assert runtime.ledger.reap_lost(now=later()) == 0


def test_the_embedded_store_keeps_no_intents() -> None:
    assert not Intents(Store(StoreSettings(url=None))).enabled


@pytest.mark.usefixtures("key")
def test_a_call_cancelled_as_its_admission_returns_leaves_no_intent_to_be_reaped_as_lost(
    openai_server: OpenAIServer, redis_url: str
) -> None:
    # The admission script stores the intent with the slot and the hold; a cancel that reaches
    # the caller just after the script ran (its reply still on the way) stops the call before
    # any request leaves, so nothing was billed and no lost record may appear later.
    runtime = _runtime(openai_server.url, redis_url)
    admission = runtime.executor.guards.admission
    admit = admission.admit

    async def admitted_then_cancelled(*args: object, **kwargs: object) -> object:
        await admit(*args, **kwargs)  # type: ignore[arg-type]
        raise asyncio.CancelledError

    admission.admit = admitted_then_cancelled  # type: ignore[method-assign]

    async def main() -> int:
        with pytest.raises(asyncio.CancelledError):
            await runtime.complete(Task.build(PLAIN))
        await runtime.drain()
        return _intents_left(redis_url)

    assert run(main()) == 0
    assert openai_server.requests_for(A) == []
    assert runtime.ledger.reap_lost(now=later()) == 0
    assert costs(runtime.store).lost_calls == 0
