"""Running one chunk of a job: its items concurrently, each finished exactly once.

A chunk is a range of positions in the job's items list. Its items start
together on the worker's event loop; a per-process semaphore bounds the model
calls in flight across all chunks the process runs. Each item checks the
job's status before it starts (a read at most ``FRESH_STATUS_S`` old, shared
by the process's chunks), so a cancel stops every item not yet started while
calls already in flight finish.

Errors of the item (no model fits, budget, provider failures) fail that item
only. Errors of the infrastructure (Redis unreachable) propagate after the
other items of the chunk have finished, so the task is retried and the
redelivered chunk skips what is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
import structlog

from router._batch._finish import JobTarget, Outcome, RecordWriter, clear_outbox, drain_outbox, finish_item
from router._batch._items import BatchItem, ItemResult
from router._batch._keys import JobKeys, idempotency_key, job_keys
from router._batch._leases import leased
from router._batch._model import DEFAULT_RESULTS_TTL_S, STOPPING, TERMINAL
from router._calls._recorder import Deferred
from router._errors import (
    AllModelsFailed,
    BudgetExceeded,
    CallError,
    NoModelFits,
    ProviderError,
    StoreUnavailable,
    UsageError,
)
from router._ledger._record import CostRecord
from router._logging import emits
from router._results import Completion
from router._state._replies import text
from router._state._store import STORE_ERRORS, Store
from router._task import Task

log = structlog.get_logger("router.batch")

SKIPPED_RETRIES = 6
"""Times an item whose every model was skipped (no request sent) is tried again."""
SKIPPED_BACKOFF_S = 0.5


class Completer(Protocol):
    """What a worker needs of the runtime: route and call one task, reporting each attempt's cost."""

    async def complete(
        self,
        task: Task,
        *,
        request_id: str | None = None,
        collect: list[CostRecord] | None = None,
        job_id: str | None = None,
        custom_id: str | None = None,
    ) -> Completion: ...


@dataclass(frozen=True)
class Env:
    """One worker process's shared means: set up once, used by every chunk."""

    store: Store
    client: aioredis.Redis
    runtime: Completer
    ledger: RecordWriter
    slots: asyncio.Semaphore


@dataclass(frozen=True)
class ChunkReport:
    done: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class _Job:
    target: JobTarget
    team: str | None
    tags: tuple[str, ...]
    status: str
    read_at: float
    """When ``status`` was read (``time.monotonic()``)."""


FRESH_STATUS_S = 0.1
"""An item uses a status this process read of its job less than this long ago, without a round trip.

Items start by the dozen each millisecond, and a read per item asked Redis the same question
each time; with at most one read per job per process every 0.1 s, a cancel still stops every
item that starts 0.1 s after it.
"""


async def run_chunk(env: Env, job_id: str, start: int, stop: int, delivery: str | None = None) -> ChunkReport:
    """Finish every item of the chunk that is not done yet, holding its lease (see ``_leases``).

    ``delivery`` names this run of the chunk (the Celery task id, whose lease the worker took
    on receipt); without one the run gets a name of its own.
    """
    if env.store.embedded:  # one process: nobody else could take its chunks over
        return await _run_chunk(env, job_id, start, stop)
    async with leased(env.client, env.store, job_id, start, stop, delivery or uuid.uuid4().hex):
        return await _run_chunk(env, job_id, start, stop)


async def _run_chunk(env: Env, job_id: str, start: int, stop: int) -> ChunkReport:
    keys = job_keys(env.store, job_id)
    # Records an earlier delivery put in the chunk's outbox may not have reached the ledger
    # (even when that delivery finished the job's last item).
    written = await drain_outbox(env.client, keys, start, env.ledger)
    job = await _read_job(env, keys)
    if job is None:
        await clear_outbox(env.client, keys, start, written)
        log.info("batch.chunk_skipped", job_id=job_id, start=start, reason="job not found or finished")
        return ChunkReport()
    items = [BatchItem.loads(payload) for payload in await env.client.lrange(keys.items, start, stop - 1)]
    todo = await _not_done(env, keys, items)
    outcomes = await asyncio.gather(
        *(_run_item(env, job, start, item) for item in todo), return_exceptions=True
    )
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if failures:
        raise failures[0]
    done = [outcome for outcome in outcomes if isinstance(outcome, Outcome)]
    written += [record.id for outcome in done for record in outcome.records]
    await clear_outbox(env.client, keys, start, written)
    return ChunkReport(done=len(done), skipped=len(items) - len(done))


async def _not_done(env: Env, keys: JobKeys, items: list[BatchItem]) -> list[BatchItem]:
    """The items no earlier delivery finished: a redelivered chunk skips what is done.

    A multi-key EXISTS counts the chunk's result keys in one command (they share the job's
    hash slot); only a chunk partly done, a redelivery, asks item by item which ones.
    """
    if not items:
        return []
    found = await env.client.exists(*(keys.result(item.n) for item in items))
    if found == 0:
        return items
    if found == len(items):
        return []
    pipe = env.client.pipeline(transaction=False)
    for item in items:
        pipe.exists(keys.result(item.n))
    done = await pipe.execute()
    return [item for item, finished in zip(items, done, strict=True) if not finished]


async def _read_job(env: Env, keys: JobKeys) -> _Job | None:
    fields = await env.client.hmget(keys.job, ["status", "team", "tags", "idempotency_key", "results_ttl_s"])
    status, team, tags, idem, ttl = (text(value) if value is not None else None for value in fields)
    if status is None or status in TERMINAL:
        return None
    target = JobTarget(
        keys=keys,
        idempotency_key=idempotency_key(env.store, idem) if idem else keys.job,
        results_ttl_s=int(ttl or 0) or DEFAULT_RESULTS_TTL_S,
    )
    tags_read = tuple(json.loads(tags or "[]"))
    return _Job(target=target, team=team or None, tags=tags_read, status=status, read_at=time.monotonic())


async def _run_item(env: Env, job: _Job, chunk: int, item: BatchItem) -> Outcome | None:
    """Run and finish one item: its outcome when this delivery wrote it, else None."""
    keys = job.target.keys
    # The whole item holds a slot, Redis writes included: the slot count also bounds the
    # connections the process's Redis pool must lend at once.
    async with env.slots:
        status = await _status(env, job)
        if status is None:
            return None
        if status in STOPPING:
            outcome = _cancelled(item)
        else:
            outcome = await _call(env, job, item)
        written = await finish_item(env.client, job.target, chunk, item.n, outcome, env.ledger)
    if not written:
        return None
    if emits(logging.DEBUG):  # asked of the configuration: the logger's own no-op costs more
        log.debug("batch.item_done", job_id=keys.job_id, n=item.n, state=outcome.state)
    return outcome


_statuses: dict[str, tuple[str | None, float]] = {}
"""The last status this process read of each job, and when: shared by the process's chunks."""


async def _status(env: Env, job: _Job) -> str | None:
    """The job's status, read again only when this process's last read is older than ``FRESH_STATUS_S``."""
    key, now = job.target.keys.job, time.monotonic()
    # The newer of the process's last read and the chunk's own (a chunk begun after a cancel saw
    # it); the process's on a tie. Compared inline: max() with a key costs two calls per item.
    status: str | None = job.status
    read_at = job.read_at
    last = _statuses.get(key)
    if last is not None and last[1] >= read_at:
        status, read_at = last
    if now - read_at < FRESH_STATUS_S:
        return status
    # Items that find the status stale together share one read: dozens start in the same moment.
    loop = asyncio.get_running_loop()
    reading = _reading.get(key)
    if reading is None or reading.get_loop() is not loop:
        reading = _reading[key] = loop.create_task(_read_status(env, key))
        reading.add_done_callback(lambda done: _forget_read(key, done))
    return await asyncio.shield(reading)


_reading: dict[str, asyncio.Task[str | None]] = {}
"""The status read of each job in flight in this process, for the items that wait for it."""


async def _read_status(env: Env, key: str) -> str | None:
    raw = await env.client.hget(key, "status")
    status = None if raw is None else text(raw)
    if len(_statuses) > 1000:  # jobs come and go: forget the others now and then
        _statuses.clear()
    _statuses[key] = (status, time.monotonic())
    return status


def _forget_read(key: str, done: asyncio.Task[str | None]) -> None:
    if _reading.get(key) is done:
        del _reading[key]


async def _call(env: Env, job: _Job, item: BatchItem) -> Outcome:
    # The item's cost records and its answer's budget settlement, both run in the item's own
    # finish script, not at once (see SETTLE_FINISH_AND_WRITE_LUA).
    records = Deferred()
    job_id, custom_id, line = job.target.keys.job_id, item.custom_id, item.line
    try:
        # Built from what submission validated: Task.build runs once per item, there.
        task = item.task(team=job.team, job_tags=job.tags)
        completion = await _complete_patiently(env, task, job_id, custom_id, records)
    except (StoreUnavailable, *STORE_ERRORS):
        await _settle_alone(records)
        raise
    except (NoModelFits, BudgetExceeded, CallError, UsageError) as exc:
        message = f"line {line}: {exc.message}"
        return Outcome(_failure(item, error_code(exc), message, records), records, records.settlements)
    except Exception as exc:
        # A bug must fail its item, not the chunk: a chunk that always raises would be retried forever.
        log.exception("batch.item_crashed", job_id=job_id, line=line, error_type=type(exc).__name__)
        message = f"line {line}: internal error ({type(exc).__name__}); see the worker log"
        return Outcome(_failure(item, "internal_error", message, records), records, records.settlements)
    return Outcome(_success(item, completion, records), records, records.settlements)


async def _settle_alone(records: Deferred) -> None:
    """The item goes back to be retried, but a call it made was billed: settle it if Redis lets us."""
    for pending in records.settlements:
        with contextlib.suppress(Exception):
            await pending.run()


async def _complete_patiently(
    env: Env, task: Task, job_id: str, custom_id: str, records: list[CostRecord]
) -> Completion:
    """Call the runtime; when every model was only skipped (rate limit slot, open circuit), wait and retry.

    An interactive call fails fast on a full rate limit; a batch item has time, and
    failing it would only make the user resubmit it. Nothing was sent, so nothing was billed.
    """
    for retry in range(SKIPPED_RETRIES + 1):
        try:
            return await env.runtime.complete(
                task, request_id=f"{job_id}:{custom_id}", collect=records, job_id=job_id, custom_id=custom_id
            )
        except AllModelsFailed as exc:
            if retry == SKIPPED_RETRIES or not _only_skipped(exc):
                raise
            await asyncio.sleep(min(SKIPPED_BACKOFF_S * 2**retry, 8.0) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def _only_skipped(exc: AllModelsFailed) -> bool:
    return bool(exc.attempts) and all(attempt.outcome == "skipped" for attempt in exc.attempts)


def _success(item: BatchItem, completion: Completion, records: list[CostRecord]) -> ItemResult:
    # The result line names the rule, not the whole decision: not dumped only to be dropped.
    response = completion.model_dump(mode="json", exclude={"decision"})
    response["rule"] = completion.decision.rule
    return ItemResult.answered(item, response, sum(record.cost_usd for record in records))


def _failure(item: BatchItem, code: str, message: str, records: list[CostRecord]) -> ItemResult:
    cost = sum(record.cost_usd for record in records)
    return ItemResult.failure(item.custom_id, item.line, code, message, cost_usd=cost)


def _cancelled(item: BatchItem) -> Outcome:
    message = f"line {item.line}: the job was cancelled before this item started"
    return Outcome(ItemResult.failure(item.custom_id, item.line, "cancelled", message, state="cancelled"))


def error_code(exc: Exception) -> str:
    """A stable snake-case code for an item error: ``no_model_fits``, ``rate_limited``, ..."""
    if isinstance(exc, ProviderError):
        return exc.error_type
    if isinstance(exc, UsageError):
        return "invalid_item"
    name = type(exc).__name__
    return "".join(
        f"_{char.lower()}" if char.isupper() and index else char.lower() for index, char in enumerate(name)
    )
