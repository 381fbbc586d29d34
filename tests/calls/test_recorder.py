"""The recorder: bookkeeping after the answer, settled and written in the background, never lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from router import Client
from router._calls._recorder import Deferred
from router._config import RoutesConfig, load_routes
from router._errors import StoreUnavailable
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._runtime import Runtime
from router._state._budgets import BudgetGuard
from router._state._store import Store, StoreSettings
from router._task import Task

ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"


@pytest.fixture
def config() -> RoutesConfig:
    return load_routes(ROUTES)


@pytest.fixture
def store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


def reserved_and_spent(store: Store, config: RoutesConfig) -> tuple[float, float]:
    """The global budget of simulated calls (these tests' runtimes are simulated: their own key space)."""
    statuses = BudgetGuard(store.space(True), config.policies.budgets).status()
    total = next(status for status in statuses if status.scope == "global")
    return total.reserved_usd, total.spent_usd


def test_the_answer_comes_first_and_drain_writes_the_record_and_settles(
    store: Store, config: RoutesConfig
) -> None:
    runtime = Runtime.build(config, store=store, simulate=True)

    async def main() -> tuple[int, int, float]:
        completion = await runtime.complete(Task.build("Summarise our weekly update."))
        pending = runtime.afterwards.pending
        held, _ = reserved_and_spent(store, config)
        await runtime.drain()
        assert runtime.afterwards.pending == 0
        return pending, len(runtime.ledger.records(request_id=completion.request_id)), held

    pending, records, held = asyncio.run(main())
    assert pending == 2  # the budget settlement and the ledger write
    assert held > 0  # the worst case was still held when the answer came
    assert records == 1
    reserved, spent = reserved_and_spent(store, config)
    assert reserved == 0.0
    assert spent > 0


def test_a_loop_ending_before_the_write_spools_the_record_and_loses_nothing(
    store: Store, config: RoutesConfig
) -> None:
    runtime = Runtime.build(config, store=store, simulate=True)

    async def main() -> str:
        completion = await runtime.complete(Task.build("Summarise our weekly update."))
        return completion.request_id  # asyncio.run cancels the pending bookkeeping

    request_id = asyncio.run(main())
    ledger = Ledger(store)
    assert ledger.records(request_id=request_id) == []
    assert ledger.flush_spool() == 1
    assert [record.request_id for record in ledger.records(request_id=request_id)] == [request_id]
    assert ledger.flush_spool() == 0


def test_the_sync_client_flushes_before_its_reports_and_on_close(redis_url: str) -> None:
    with Client(ROUTES, redis_url=redis_url, simulate=True) as client:
        client.complete("Summarise our weekly update.")
        assert client.costs(include_simulated=True).total.calls == 1
        client.complete("And the one before.")
    assert Client(ROUTES, redis_url=redis_url).costs(include_simulated=True).total.calls == 2


def test_a_callers_list_collects_its_records_and_the_budget_is_settled_before_the_answer(
    store: Store, config: RoutesConfig
) -> None:
    # A batch item commits its result and records in one transaction right after.
    runtime = Runtime.build(config, store=store, simulate=True)
    records: list[CostRecord] = []

    async def main() -> tuple[int, tuple[float, float]]:
        await runtime.complete(Task.build("Summarise our weekly update."), collect=records)
        return runtime.afterwards.pending, reserved_and_spent(store, config)

    pending, (reserved, spent) = asyncio.run(main())
    assert pending == 0
    assert len(records) == 1
    assert reserved == 0.0
    assert spent == pytest.approx(records[0].cost_usd)


def test_a_failed_settlement_is_logged_without_text_and_does_not_touch_the_answer(
    store: Store, config: RoutesConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = Runtime.build(config, store=store, simulate=True)

    async def unreachable(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("Redis at redis://127.0.0.1:6379/15 is unreachable")

    monkeypatch.setattr(runtime.executor.recorder.budgets, "settle", unreachable)
    prompt = "Summarise the notes for ana.silva@example.com."

    async def main() -> str:
        completion = await runtime.complete(Task.build(prompt))
        await runtime.drain()
        return completion.content

    with capture_logs() as logs:
        content = asyncio.run(main())
    assert content
    failed = [entry for entry in logs if entry["event"] == "call.bookkeeping_failed"]
    assert [(entry["work"], entry["error_type"]) for entry in failed] == [("settle", "StoreUnavailable")]
    assert "ana.silva" not in repr(logs)


def test_a_deferred_list_keeps_the_settlement_for_the_caller_to_run_once(
    store: Store, config: RoutesConfig
) -> None:
    # A batch item runs its answer's settlement inside its own finish script.
    runtime = Runtime.build(config, store=store, simulate=True)
    records = Deferred()

    async def main() -> tuple[tuple[float, float], tuple[float, float]]:
        await runtime.complete(Task.build("Summarise our weekly update."), collect=records)
        before = reserved_and_spent(store, config)
        await records.settlements[0].run()
        await records.settlements[0].run()  # settling again counts nothing more
        return before, reserved_and_spent(store, config)

    (held, unspent), (reserved, spent) = asyncio.run(main())
    assert len(records) == len(records.settlements) == 1
    assert held > 0
    assert unspent == 0.0
    assert reserved == 0.0
    assert spent == pytest.approx(records[0].cost_usd)
