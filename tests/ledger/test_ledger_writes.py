"""Ledger writes: one record and its running totals at once, idempotent, logged, never lost."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis
from structlog.testing import capture_logs

from router._errors import StoreUnavailable
from router._ledger._layout import Sums, days_key, records_key, shards, totals_key
from router._ledger._ledger import Ledger, load_journal
from router._ledger._record import CostRecord
from router._ledger._reports import costs
from router._state import _store
from router._state._store import Store, StoreSettings

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster

RecordFactory = Callable[..., CostRecord]
UNREACHABLE = "redis://127.0.0.1:1/0"
NOON = datetime(2026, 11, 4, 12, tzinfo=UTC).timestamp()


def totals(client: redis.Redis, store: Store, day: str) -> dict[bytes, bytes]:
    """The day's totals over every shard (a cell lives in exactly one)."""
    found: dict[bytes, bytes] = {}
    for shard in shards():
        found.update(client.hgetall(totals_key(store, day, shard)))  # type: ignore[arg-type]
    return found


def stored_records(client: redis.Redis, store: Store, day: str) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for shard in shards():
        found.update(client.hgetall(records_key(store, day, shard)))  # type: ignore[arg-type]
    return found


def days(client: redis.Redis, store: Store) -> set[bytes]:
    return {day for shard in shards() for day in client.zrange(days_key(store, shard), 0, -1)}  # type: ignore[union-attr]


def calls(client: redis.Redis, store: Store, day: str) -> int:
    """Calls counted by the day's running totals, over all cells."""
    return sum(Sums.parse(value).calls for value in totals(client, store, day).values())


def test_a_new_record_adds_to_its_cell_of_the_days_totals(
    store: Store, raw: redis.Redis, make_record: RecordFactory
) -> None:
    record = make_record(tags=("maths", "code"), cost_usd=0.5, prompt_tokens=10, completion_tokens=3)
    ledger = Ledger(store)
    assert ledger.record(record) is True
    assert ledger.record(make_record(tags=("code", "maths"), cost_usd=0.25, priced=False)) is True
    assert totals(raw, store, record.day) == {
        b'["gpt-4o-mini","openai","research","default",["code","maths"]]': b"2 1010 203 1 0.75"
    }
    assert days(raw, store) == {record.day.encode()}


def test_a_record_stays_whole_in_the_records_hash(
    store: Store, raw: redis.Redis, make_record: RecordFactory
) -> None:
    record = make_record()
    Ledger(store).record(record)
    stored = stored_records(raw, store, record.day).get(record.id.encode())
    assert CostRecord.model_validate_json(stored or b"") == record


def test_a_record_delivered_twice_counts_once(
    store: Store, raw: redis.Redis, make_record: RecordFactory
) -> None:
    record = make_record()
    ledger = Ledger(store)
    assert ledger.record(record) is True
    assert ledger.record(record) is False
    assert asyncio.run(_arecord(ledger, record)) is False
    assert calls(raw, store, record.day) == 1


def test_arecord_writes_the_same_as_record(
    store: Store, raw: redis.Redis, make_record: RecordFactory
) -> None:
    record = make_record()
    assert asyncio.run(_arecord(Ledger(store), record)) is True
    assert calls(raw, store, record.day) == 1


def test_each_new_record_is_emitted_as_a_cost_recorded_event(
    store: Store, make_record: RecordFactory
) -> None:
    record = make_record(tags=("code",))
    ledger = Ledger(store)
    with capture_logs() as events:
        ledger.record(record)
        ledger.record(record)
    recorded = [event for event in events if event["event"] == "cost.recorded"]
    assert len(recorded) == 1, "a duplicate is not a new cost"
    assert recorded[0]["log_level"] == "info"
    assert {key: recorded[0][key] for key in record.model_dump()} == record.model_dump()


def test_a_record_has_no_field_that_could_hold_prompt_or_completion_text() -> None:
    fields = set(CostRecord.model_fields)
    assert not fields & {"prompt", "completion", "text", "messages", "content", "response", "output"}
    assert {name for name in fields if "prompt" in name or "completion" in name} == {
        "prompt_tokens",
        "completion_tokens",
    }


@pytest.mark.single_redis  # a transaction of a marker key and ledger keys spans slots on a Cluster
@pytest.mark.parametrize("kind", ["sync", "asyncio"])
def test_stage_in_a_watched_transaction_writes_the_same_totals_as_arecord(
    redis_url: str, raw: redis.Redis, make_record: RecordFactory, kind: str
) -> None:
    direct = Store(StoreSettings(url=redis_url, prefix="direct"))
    staged = Store(StoreSettings(url=redis_url, prefix="staged"))
    records = [make_record(tags=("code",)), make_record(team=None, cost_usd=0.0, priced=False), make_record()]
    for record in records:
        assert asyncio.run(_arecord(Ledger(direct), record))
    if kind == "sync":
        _stage_sync(Ledger(staged), staged, records)
    else:
        asyncio.run(_stage_async(Ledger(staged), staged, records))
    day = records[0].day
    assert totals(raw, staged, day) == totals(raw, direct, day)
    assert stored_records(raw, staged, day) == stored_records(raw, direct, day)


@pytest.mark.single_redis  # a Cluster client's pipelines take no scripts
def test_stage_does_not_count_a_record_already_written(
    store: Store, raw: redis.Redis, make_record: RecordFactory
) -> None:
    record = make_record()
    ledger = Ledger(store)
    ledger.record(record)
    pipe = raw.pipeline()
    ledger.stage(pipe, record)
    assert pipe.execute() == [[0]]
    assert calls(raw, store, record.day) == 1


def test_a_record_is_spooled_and_logged_when_redis_is_down(home: Path, make_record: RecordFactory) -> None:
    ledger = Ledger(Store(StoreSettings(url=UNREACHABLE)))
    record = make_record()
    with capture_logs() as events:
        assert asyncio.run(_arecord(ledger, record)) is False
    spooled = [event for event in events if event["event"] == "cost.spooled"]
    assert len(spooled) == 1
    assert spooled[0]["log_level"] == "warning"
    assert spooled[0]["id"] == record.id
    lines = ledger.spool_path.read_text().splitlines()
    assert [CostRecord.model_validate_json(line) for line in lines] == [record]


def test_right_after_a_failure_records_are_spooled_without_trying_redis(
    home: Path, make_record: RecordFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(Store(StoreSettings(url=UNREACHABLE)))
    ledger.record(make_record())
    monkeypatch.setattr(ledger, "_script", lambda: pytest.fail("Redis was tried again at once"))
    assert ledger.record(make_record()) is False
    assert len(ledger.spool_path.read_text().splitlines()) == 2


def test_spooled_records_are_replayed_by_the_next_successful_write(
    home: Path, store: Store, raw: redis.Redis, make_record: RecordFactory
) -> None:
    down = Ledger(Store(StoreSettings(url=UNREACHABLE)))
    lost = [make_record(), make_record()]
    for record in lost:
        down.record(record)
    up = Ledger(store)
    with capture_logs() as events:
        assert up.record(make_record()) is True
    assert calls(raw, store, lost[0].day) == 3
    assert up.spool_path.read_text() == ""
    assert [e["id"] for e in events if e["event"] == "cost.recorded"][1:] == [r.id for r in lost]


def test_replaying_a_spool_twice_counts_its_records_once(
    home: Path, store: Store, raw: redis.Redis, make_record: RecordFactory
) -> None:
    record = make_record()
    Ledger(Store(StoreSettings(url=UNREACHABLE))).record(record)
    spool = Ledger(store).spool_path
    copy = spool.read_text()
    assert Ledger(store).flush_spool() == 1
    spool.write_text(copy)  # as if a crash came between the writes and clearing the file
    assert asyncio.run(_aflush(Ledger(store))) == 0
    assert calls(raw, store, record.day) == 1


def test_flush_spool_keeps_the_spool_and_raises_while_redis_is_down(
    home: Path, make_record: RecordFactory
) -> None:
    ledger = Ledger(Store(StoreSettings(url=UNREACHABLE)))
    ledger.record(make_record())
    with pytest.raises(StoreUnavailable):
        ledger.flush_spool()
    assert len(ledger.spool_path.read_text().splitlines()) == 1


def test_a_torn_last_spool_line_is_left_out(home: Path, store: Store, make_record: RecordFactory) -> None:
    ledger = Ledger(store)
    whole = make_record()
    ledger.spool_path.parent.mkdir(parents=True)
    ledger.spool_path.write_text(whole.model_dump_json() + "\n" + make_record().model_dump_json()[:40])
    assert ledger.flush_spool() == 1


def test_the_embedded_ledger_is_reloaded_from_its_journal_by_a_new_process(
    embedded: Store, make_record: RecordFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [make_record(cost_usd=0.25), make_record(cost_usd=0.5)]
    ledger = Ledger(embedded)
    for record in records:
        ledger.record(record)
    ledger.record(records[0])
    lines = ledger.journal_path.read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r.id for r in records]

    monkeypatch.setattr(_store, "_embedded_server", None)  # the next process starts empty
    fresh = Store(StoreSettings(url=None))
    assert costs(fresh).total.spend_usd == pytest.approx(0.75)
    assert load_journal(fresh) == 0, "the journal is replayed once per process"
    assert Ledger(fresh).record(records[1]) is False


def test_an_embedded_staged_record_is_journaled_for_the_next_process(
    embedded: Store, make_record: RecordFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = make_record(cost_usd=0.5)
    _stage_sync(Ledger(embedded), embedded, [record])
    monkeypatch.setattr(_store, "_embedded_server", None)
    assert costs(Store(StoreSettings(url=None))).total.spend_usd == 0.5


def test_records_of_one_request_or_job_come_back_oldest_first(
    store: Store, make_record: RecordFactory
) -> None:
    ledger = Ledger(store)
    second = make_record(id="req[1]*:2", request_id="req[1]*", attempt=2, ts=NOON + 1)
    first = make_record(id="req[1]*:1", request_id="req[1]*", attempt=1, ts=NOON)
    longer = make_record(id="req[1]*x:1", request_id="req[1]*x")
    batch = make_record(id="job-7:line-1:1", request_id="r9", job_id="job-7", custom_id="line-1")
    for record in (second, first, longer, batch):
        ledger.record(record)
    assert ledger.records(request_id="req[1]*") == [first, second]
    assert ledger.records(job_id="job-7") == [batch]
    assert len(ledger.records()) == 4


# --------------------------------------------------------------------------- helpers


async def _arecord(ledger: Ledger, record: CostRecord) -> bool:
    try:
        return await ledger.arecord(record)
    finally:
        await ledger.aclose()


async def _aflush(ledger: Ledger) -> int:
    try:
        return await ledger.aflush_spool()
    finally:
        await ledger.aclose()


def _stage_sync(ledger: Ledger, store: Store, records: list[CostRecord]) -> None:
    client = store.sync()
    for record in records:
        marker = store.key("done", record.id)
        with client.pipeline() as pipe:
            pipe.watch(marker)  # type: ignore[no-untyped-call]
            assert pipe.get(marker) is None
            pipe.multi()
            pipe.set(marker, 1)
            ledger.stage(pipe, record)
            assert pipe.execute() == [True, [1]]


async def _stage_async(ledger: Ledger, store: Store, records: list[CostRecord]) -> None:
    client: aioredis.Redis = store.aio()
    try:
        for record in records:
            marker = store.key("done", record.id)
            async with client.pipeline() as pipe:
                await pipe.watch(marker)
                assert await pipe.get(marker) is None
                pipe.multi()  # type: ignore[no-untyped-call]
                pipe.set(marker, 1)
                ledger.stage(pipe, record)
                assert await pipe.execute() == [True, [1]]
    finally:
        await client.aclose()


def test_a_write_spooled_while_this_loop_replays_the_spool_waits_instead_of_deadlocking(
    home: Path, store: Store, raw: redis.Redis, make_record: RecordFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The async replay holds the spool's lock across its Redis round trip. A write
    # failing (or cancelled) on the same thread meanwhile used to block on that lock forever.
    old, late = make_record(), make_record()
    Ledger(Store(StoreSettings(url=UNREACHABLE))).record(old)
    ledger = Ledger(store)
    replay = ledger._awrite_many

    async def replay_while_a_write_fails(records: Any) -> Any:
        ledger._spool(late, late.model_dump_json(), "a write failing during the replay")
        return await replay(records)

    monkeypatch.setattr(ledger, "_awrite_many", replay_while_a_write_fails)
    assert asyncio.run(asyncio.wait_for(ledger.aflush_spool(), timeout=10)) == 1
    assert [json.loads(line)["id"] for line in ledger.spool_path.read_text().splitlines()] == [late.id]
    assert Ledger(store).flush_spool() == 1
    assert calls(raw, store, old.day) == 2
