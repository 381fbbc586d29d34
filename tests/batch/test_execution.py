"""Running a job's chunks: every item finished exactly once, counts and cost that add up, cancels."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from router._batch._context import WorkerContext
from router._batch._execute import Env
from router._batch._finish import JobTarget, Outcome, finish_item
from router._batch._items import ItemResult
from router._batch._keys import job_keys
from router._batch._sdk import BatchJob, submit_batch
from router._config import RoutesConfig, parse_routes
from router._errors import StoreUnavailable
from router._ledger._record import CostRecord
from router._runtime import Runtime
from router._state._budgets import BudgetGuard
from router._state._store import Store
from tests.batch.conftest import Queue, ledger_records, run_chunks

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster


def _items(count: int, *, start: int = 0) -> list[dict[str, Any]]:
    languages = ["What is {i} times three?", "Was ist {i} mal drei?", "Combien font {i} fois trois ?"]
    return [
        {"custom_id": f"c{i}", "prompt": languages[i % 3].format(i=i), "tags": ["code"] if i % 5 == 0 else []}
        for i in range(start, start + count)
    ]


def _assert_accounted_for(store: Store, job: BatchJob, total: int) -> list[dict[str, Any]]:
    status = job.status()
    results = list(job.results())
    assert status.status == "completed"
    assert status.completed + status.failed + status.cancelled == status.total == total
    assert len(results) == total
    assert len({result["custom_id"] for result in results}) == total
    assert sum(result["status"] == "completed" for result in results) == status.completed
    records = ledger_records(store, job.id)
    assert len({record["id"] for record in records}) == len(records)
    assert status.cost_usd == pytest.approx(sum(result["cost_usd"] for result in results))
    assert status.cost_usd == pytest.approx(sum(record["cost_usd"] for record in records))
    return results


def test_every_item_finishes_once_with_counts_and_costs_that_add_up(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    job = submit_batch(store, config, _items(150), chunk_size=20, dispatch=queue)
    run_chunks(context, queue.chunks)
    results = _assert_accounted_for(store, job, 150)
    answered = [result for result in results if result["status"] == "completed"]
    assert {result["response"]["rule"] for result in answered} >= {"non-english", "code-and-maths", "default"}
    assert any(len(result["response"]["attempts"]) > 1 for result in answered), "no fallback happened"
    # The line names the rule; the decision itself (candidates, signals) is not in it.
    assert all("decision" not in result["response"] for result in answered)


def test_the_budgets_count_what_the_items_spent_with_no_hold_left(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    # On a single server each answer's settlement runs in its item's finish script, on a
    # Cluster on its own before it: either way every hold is settled to the records' cost.
    job = submit_batch(store, config, _items(60), chunk_size=20, dispatch=queue)
    run_chunks(context, queue.chunks)
    run_chunks(context, queue.chunks[:1])  # delivered again: its items are done, nothing is spent
    _assert_accounted_for(store, job, 60)
    spent = sum(record["cost_usd"] for record in ledger_records(store, job.id))
    statuses = BudgetGuard(store.space(True), config.policies.budgets).status()
    total = next(status for status in statuses if status.scope == "global")
    assert spent > 0
    assert total.reserved_usd == 0.0
    assert total.spent_usd == pytest.approx(spent)


def test_a_chunk_delivered_twice_writes_nothing_twice(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    job = submit_batch(store, config, _items(40), chunk_size=40, dispatch=queue)
    first = run_chunks(context, queue.chunks)
    before = (job.status(), len(ledger_records(store, job.id)))
    again = run_chunks(context, queue.chunks * 2)
    assert first[0].done == 40
    assert [report.done for report in again] == [0, 0]
    assert (job.status(), len(ledger_records(store, job.id))) == before
    _assert_accounted_for(store, job, 40)


class LedgerDownOnce:
    """The real ledger, except that its first write fails as if Redis dropped the connection.

    That is the moment a worker dies between an item's finish script and its ledger write.
    """

    def __init__(self, store: Store) -> None:
        from router._ledger._ledger import Ledger

        self.ledger = Ledger(store)
        self.failed = False

    async def awrite(self, records: Sequence[CostRecord]) -> None:
        if not self.failed:
            self.failed = True
            raise StoreUnavailable("the ledger's shard is unreachable (test)")
        await self.ledger.awrite(records)


def test_records_left_in_the_outbox_reach_the_ledger_once_when_the_chunk_is_redelivered(
    store: Store, config: RoutesConfig, queue: Queue
) -> None:
    job = submit_batch(store, config, _items(12), chunk_size=12, dispatch=queue)
    broken = WorkerContext(
        store=store,
        runtime=lambda s: Runtime.build(config, store=s, simulate=True),
        ledger=LedgerDownOnce,
        in_flight=1,
    )
    try:
        with pytest.raises(StoreUnavailable):
            run_chunks(broken, queue.chunks)
    finally:
        broken.close()
    assert job.status().finished >= 1, "the item whose ledger write failed is done"
    left = {key.decode() for key in store.sync().hkeys(job_keys(store, job.id).outbox(0))}
    in_ledger = {record["id"] for record in ledger_records(store, job.id)}
    assert left - in_ledger, "some records are in the outbox only"
    healthy = WorkerContext(
        store=store, runtime=lambda s: Runtime.build(config, store=s, simulate=True), in_flight=16
    )
    try:
        run_chunks(healthy, queue.chunks)  # the redelivery
    finally:
        healthy.close()
    _assert_accounted_for(store, job, 12)
    assert store.sync().exists(job_keys(store, job.id).outbox(0)) == 0, "the outbox is emptied"


def test_concurrent_finishes_of_one_item_write_it_once(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    job = submit_batch(store, config, _items(2), dispatch=queue)
    keys = job_keys(store, job.id)
    target = JobTarget(keys=keys, idempotency_key=keys.job, results_ttl_s=600)
    outcome = Outcome(ItemResult.failure("c0", 1, "x", "line 1: x"))

    async def race(env: Env) -> list[bool]:
        ledger = env.ledger
        return list(
            await asyncio.gather(*(finish_item(env.client, target, 0, 0, outcome, ledger) for _ in range(20)))
        )

    assert sorted(context.run(race)) == [False] * 19 + [True]
    status = job.status()
    assert (status.failed, status.status) == (1, "in_progress")


def test_a_redelivered_chunk_runs_only_the_items_not_done_yet(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    # An earlier delivery finished items 1 and 3 of the chunk, then died: the redelivery must
    # leave them as they are (one EXISTS counts the chunk's done items, then item by item).
    job = submit_batch(store, config, _items(6), chunk_size=6, dispatch=queue)
    keys = job_keys(store, job.id)
    target = JobTarget(keys=keys, idempotency_key=keys.job, results_ttl_s=600)

    async def finish_two(env: Env) -> list[bool]:
        outcomes = {
            n: Outcome(ItemResult.failure(f"c{n}", n + 1, "earlier", f"line {n + 1}: earlier"))
            for n in (1, 3)
        }
        return [
            await finish_item(env.client, target, 0, n, outcome, env.ledger)
            for n, outcome in outcomes.items()
        ]

    assert context.run(finish_two) == [True, True]
    reports = run_chunks(context, queue.chunks)
    assert [(report.done, report.skipped) for report in reports] == [(4, 2)]
    by_id = {result["custom_id"]: result for result in _assert_accounted_for(store, job, 6)}
    earlier = {cid for cid, result in by_id.items() if (result.get("error") or {}).get("code") == "earlier"}
    assert earlier == {"c1", "c3"}, "the items done before were not run again"
    assert all(by_id[f"c{n}"]["status"] == "completed" for n in (0, 2, 4, 5))
    assert run_chunks(context, queue.chunks)[0].done == 0, "a chunk wholly done runs nothing"


def test_cancel_stops_items_not_started_and_keeps_finished_results(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    job = submit_batch(store, config, _items(60), chunk_size=20, dispatch=queue)
    run_chunks(context, queue.chunks[:1])
    assert job.cancel().status == "cancelling"
    run_chunks(context, queue.chunks[1:])
    status = job.status()
    assert (status.status, status.completed + status.failed, status.cancelled) == ("cancelled", 20, 40)
    cancelled = [result for result in job.results() if result["status"] == "cancelled"]
    assert len(cancelled) == 40
    assert cancelled[0]["error"]["code"] == "cancelled"
    unanswered = list(job.results(errors_only=True))
    assert unanswered == [result for result in job.results() if result["status"] != "completed"]
    assert len(unanswered) == 40 + status.failed
    assert job.cancel().status == "cancelled"


def test_routing_errors_fail_the_item_naming_its_line(store: Store, routes_file: Path, queue: Queue) -> None:
    # Windows cut to 20K tokens so that "too long for every model" needs no million-token prompt.
    data = yaml.safe_load(routes_file.read_text(encoding="utf-8"))
    for model in data["models"]:
        model["context_window"] = 20_000
    config = parse_routes(yaml.safe_dump(data, allow_unicode=True))
    items = [
        {"custom_id": "ok", "prompt": "What is the capital of France?"},
        {"custom_id": "huge", "prompt": "word " * 30_000},
        {"custom_id": "secret-ja", "prompt": "カード番号 4111 1111 1111 1111 の明細を要約してください。"},
    ]
    job = submit_batch(store, config, items, dispatch=queue)
    context = WorkerContext(
        store=store, runtime=lambda s: Runtime.build(config, store=s, simulate=True), in_flight=16
    )
    try:
        run_chunks(context, queue.chunks)
    finally:
        context.close()
    errors = {result["custom_id"]: result["error"] for result in job.results(errors_only=True)}
    assert set(errors) == {"huge", "secret-ja"}
    assert errors["huge"]["code"] == "no_model_fits"
    assert errors["huge"]["message"].startswith("line 2: ")
    assert errors["secret-ja"]["code"] == "no_model_fits"
    assert errors["secret-ja"]["message"].startswith("line 3: ")
    assert "does not support language 'ja'" in errors["secret-ja"]["message"]


def test_results_are_readable_while_the_job_runs(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    job = submit_batch(store, config, _items(30), chunk_size=10, dispatch=queue)
    run_chunks(context, queue.chunks[:2])
    partial = list(job.results())
    assert len(partial) == 20
    assert job.status().status == "in_progress"


def test_results_and_the_finished_job_expire_after_the_configured_time(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    job = submit_batch(store, config, _items(3), results_ttl_s=120, dispatch=queue)
    run_chunks(context, queue.chunks)
    client = store.sync()
    keys = job_keys(store, job.id)
    assert 0 < client.ttl(keys.result(0)) <= 120
    assert 0 < client.ttl(keys.job) <= 120
    assert client.exists(keys.items) == 0, "a finished job's prompts are dropped at once"


def test_the_wait_reports_progress_until_the_job_ends(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    job = submit_batch(store, config, _items(10), dispatch=queue)
    seen: list[str] = []
    context.submit(_later(context.env(), queue))
    final = job.wait(progress=lambda status: seen.append(status.status), poll_s=0.05, timeout_s=60)
    assert final.status == "completed"
    assert seen[-1] == "completed"


async def _later(env: Env, queue: Queue) -> None:
    from router._batch._execute import run_chunk

    await asyncio.sleep(0.2)
    for job_id, start, stop in queue.chunks:
        await run_chunk(env, job_id, start, stop)


@pytest.mark.timeout(15)  # a hang fails the test; how fast it gives up is not timed
def test_wait_returns_the_current_status_at_its_timeout(
    store: Store, config: RoutesConfig, queue: Queue
) -> None:
    job = submit_batch(store, config, _items(2), dispatch=queue)
    status = job.wait(timeout_s=0.3, poll_s=0.05)
    assert status.status == "in_progress"


def test_an_item_finished_with_its_records_writes_each_once_and_leaves_nothing_in_the_outbox(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext
) -> None:
    """On a single server the finish script writes the records to the ledger itself (one script,
    nothing between the two for a dying worker to lose); on a Cluster the outbox carries them.
    Either way a second finish of the item writes nothing again."""
    from router._ledger._ledger import Ledger

    job = submit_batch(store, config, _items(1), dispatch=queue)
    keys = job_keys(store, job.id)
    target = JobTarget(keys=keys, idempotency_key=keys.job, results_ttl_s=600)
    record = CostRecord(
        id=f"{job.id}:c0:1", ts=time.time(), model="m", litellm_model="openai/m", provider="openai",
        deployment="cloud", rule="default", sensitivity="public", language="en", cost_usd=0.25,
        job_id=job.id, custom_id="c0",
    )  # fmt: skip
    outcome = Outcome(ItemResult.failure("c0", 1, "x", "line 1: x", cost_usd=0.25), (record,))

    async def finish_twice(env: Env) -> list[bool]:
        ledger = Ledger(store)
        try:
            return [await finish_item(env.client, target, 0, 0, outcome, ledger) for _ in range(2)]
        finally:
            await ledger.aclose()

    assert context.run(finish_twice) == [True, False]
    assert [entry["id"] for entry in ledger_records(store, job.id)] == [record.id]
    outbox = store.sync().hkeys(keys.outbox(0))
    assert outbox == ([] if not store.cluster else [record.id.encode()])
    assert job.status().cost_usd == pytest.approx(0.25)
