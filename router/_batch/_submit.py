"""Submitting a job: stream the input into Redis, then publish and queue it.

The input is read one line at a time and written in pipelined pages, so a
file of any size takes the memory of one page. Each line is validated as it
passes (JSON, fields, ``Task.build``, custom_id uniqueness through a Redis
hash); a bad line's item is failed at once with its line number, and the rest
of the job runs. Nothing is visible until ``publish``; any failure before it
removes what was written (see ``_jobs``).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

import redis
import structlog

from router._batch._input import Item, LineError, Parsed, Source, parse_source
from router._batch._items import BatchItem, ItemResult
from router._batch._jobs import (
    STAGING_TTL_S,
    JobSpec,
    Published,
    cleanup,
    create_staging,
    existing_job,
    mark_failed,
    publish,
)
from router._batch._keys import JobKeys, job_keys, new_job_id
from router._errors import BatchError, BatchInputError
from router._state._replies import text
from router._state._store import STORE_ERRORS, Store

log = structlog.get_logger("router.batch")

PAGE_LINES = 500
"""Lines validated and written per Redis round trip."""

ChunkRange = tuple[int, int]
Dispatch = Callable[[str, Sequence[ChunkRange]], None]
"""Queues a job's chunks: (job id, [(start, stop), ...]) as positions in its items list."""


@dataclass(frozen=True)
class Submitted:
    job_id: str
    status: str
    existing: bool


@dataclass
class _Progress:
    items: int = 0
    """Non-blank lines seen: the next item number."""
    valid: int = 0
    invalid: int = 0
    first_errors: list[str] | None = None

    def note_error(self, message: str) -> None:
        self.invalid += 1
        if self.first_errors is None:
            self.first_errors = []
        if len(self.first_errors) < 3:
            self.first_errors.append(message.splitlines()[0])


def submit(store: Store, source: Source, spec: JobSpec, *, dispatch: Dispatch, chunk_size: int) -> Submitted:
    """Validate and store the input, publish the job and queue its chunks."""
    try:
        earlier = existing_job(store, spec.idempotency_key)
    except STORE_ERRORS as exc:
        raise store.unavailable(exc) from None
    if earlier is not None:
        return Submitted(earlier, "existing", existing=True)
    keys = job_keys(store, new_job_id(spec.idempotency_key))
    progress = _Progress()
    try:
        create_staging(store, keys, spec, time.time())
        for page in _pages(parse_source(source)):
            _write_page(store, keys, spec, page, progress)
        if progress.items == 0:
            raise BatchInputError("the batch has no items")
        published = publish(
            store, keys, spec, total=progress.items, invalid=progress.invalid, error=_all_invalid(progress)
        )
    except BaseException as exc:
        _abandon(store, keys, progress.items)
        if isinstance(exc, STORE_ERRORS):
            raise store.unavailable(exc) from None
        raise
    return _after_publish(store, keys, published, progress, dispatch, chunk_size)


def _after_publish(
    store: Store,
    keys: JobKeys,
    published: Published,
    progress: _Progress,
    dispatch: Dispatch,
    chunk_size: int,
) -> Submitted:
    if published.existing:
        _abandon(store, keys, progress.items)
        return Submitted(published.job_id, "existing", existing=True)
    log.info(
        "batch.submitted",
        job_id=keys.job_id,
        total=progress.items,
        invalid=progress.invalid,
        status=published.status,
    )
    if published.status != "failed":
        _dispatch(store, keys.job_id, progress.valid, dispatch, chunk_size)
    return Submitted(keys.job_id, published.status, existing=False)


def _dispatch(store: Store, job_id: str, valid: int, dispatch: Dispatch, chunk_size: int) -> None:
    ranges = [(start, min(start + chunk_size, valid)) for start in range(0, valid, chunk_size)]
    try:
        dispatch(job_id, ranges)
    except Exception as exc:
        message = f"the job's work could not be queued ({type(exc).__name__}: {exc})"
        # With Redis down the job stays in_progress with nothing queued (an open issue).
        with contextlib.suppress(*STORE_ERRORS):
            mark_failed(store, job_id, message)
        if isinstance(exc, STORE_ERRORS):
            raise store.unavailable(exc) from None
        raise BatchError(message) from exc


def _abandon(store: Store, keys: JobKeys, items_seen: int) -> None:
    # With Redis unreachable the staging keys expire by themselves (STAGING_TTL_S).
    with contextlib.suppress(*STORE_ERRORS):
        cleanup(store, keys, items_seen)


def _all_invalid(progress: _Progress) -> str:
    shown = "; ".join(progress.first_errors or [])
    return f"no line of the input is valid ({progress.invalid} invalid): {shown}"


def _pages(parsed: Iterable[Parsed]) -> Iterable[list[Parsed]]:
    iterator = iter(parsed)
    while page := list(islice(iterator, PAGE_LINES)):
        yield page


def _write_page(store: Store, keys: JobKeys, spec: JobSpec, page: list[Parsed], progress: _Progress) -> None:
    client = store.sync()
    first = progress.items
    progress.items += len(page)
    checked = _check_ids(client, keys, page)
    pipe = client.pipeline(transaction=False)
    for offset, entry in enumerate(checked):
        n = first + offset
        if isinstance(entry, LineError):
            progress.note_error(entry.message)
            custom_id = entry.custom_id or f"line-{entry.line}"
            result = ItemResult.failure(custom_id, entry.line, entry.code, entry.message)
            pipe.set(keys.result(n), result.dumps(), ex=spec.results_ttl_s)
        else:
            progress.valid += 1
            pipe.rpush(keys.items, _payload(n, entry))
    for key in (keys.job, keys.items, keys.ids):
        pipe.expire(key, STAGING_TTL_S)
    pipe.execute()


def _payload(n: int, item: Item) -> str:
    assert item.custom_id is not None, "ids are given before items are stored"
    return BatchItem.of(n, item.line, item.custom_id, item.task).dumps()


def _check_ids(client: redis.Redis, keys: JobKeys, page: list[Parsed]) -> list[Parsed]:
    """Give generated ids to items without one and fail duplicates, naming the first line."""
    items = [entry for entry in page if isinstance(entry, Item)]
    claims = _claim(client, keys, [(_wanted_id(item), item.line) for item in items])
    resolved: dict[int, Parsed] = {}
    duplicates: list[Item] = []
    for item, claimed in zip(items, claims, strict=True):
        if claimed:
            resolved[item.line] = _with_id(item, _wanted_id(item))
        elif item.custom_id is None:
            resolved[item.line] = _with_id(item, _unique_generated(client, keys, item))
        else:
            duplicates.append(item)
    resolved.update(_duplicate_errors(client, keys, duplicates))
    return [resolved.get(entry.line, entry) if isinstance(entry, Item) else entry for entry in page]


def _wanted_id(item: Item) -> str:
    return item.custom_id if item.custom_id is not None else f"line-{item.line}"


def _with_id(item: Item, custom_id: str) -> Item:
    return item if item.custom_id == custom_id else Item(item.line, custom_id, item.task)


def _claim(client: redis.Redis, keys: JobKeys, wanted: list[tuple[str, int]]) -> list[bool]:
    pipe = client.pipeline(transaction=False)
    for custom_id, line in wanted:
        pipe.hsetnx(keys.ids, custom_id, line)
    return [bool(claimed) for claimed in pipe.execute()]


def _unique_generated(client: redis.Redis, keys: JobKeys, item: Item) -> str:
    # A line without custom_id collided with an explicit "line-<n>" id: add a random suffix.
    while True:
        candidate = f"line-{item.line}-{uuid.uuid4().hex[:6]}"
        if client.hsetnx(keys.ids, candidate, item.line):
            return candidate


def _duplicate_errors(client: redis.Redis, keys: JobKeys, duplicates: list[Item]) -> dict[int, LineError]:
    if not duplicates:
        return {}
    firsts = client.hmget(keys.ids, [item.custom_id or "" for item in duplicates])
    errors: dict[int, LineError] = {}
    for item, first in zip(duplicates, firsts, strict=True):
        earlier = f"line {text(first)}" if first else "an earlier line"
        message = f"line {item.line}: custom_id {item.custom_id!r} is already used by {earlier}"
        errors[item.line] = LineError(item.line, "duplicate_custom_id", message, item.custom_id)
    return errors
