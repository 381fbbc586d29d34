"""The job record in Redis: staging, publishing, cancelling, reading.

Lifecycle::

    validating ──> in_progress ──> completed
        │               │
        │               └──> cancelling ──> cancelled
        └──> failed          (no valid line)

A job is written under its own keys while its input is validated, with a
short expiry and outside the job index; only ``publish`` (one Lua script)
makes it visible in ``router batch list`` and under its idempotency key. A
submission that dies half-way therefore leaves nothing behind for long, and
``cleanup`` removes even that at once when Redis still answers.

The status moves to ``completed``/``cancelled`` inside the transaction that
finishes the last item (see ``_finish``), so it can never disagree with the
counts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis
from redis.typing import EncodableT, FieldT

from router._batch._items import ItemResult
from router._batch._keys import JobKeys, idempotency_key, index_key, job_keys, job_prefix
from router._batch._model import DEFAULT_RESULTS_TTL_S, JobStatus
from router._errors import JobNotFound
from router._state._replies import text
from router._state._store import Store

STAGING_TTL_S = 3600
"""A job still being validated expires after this long without progress (the submitter died)."""

_RESULTS_PAGE = 500

# Publishes a validated job, or returns the live job that already holds the idempotency key.
# KEYS: job hash, items list, ids hash, idempotency key (the job hash when there is none): one slot
# ARGV: job id, now, total, invalid, has idempotency key (0/1), job key prefix of that idempotency key,
#       results ttl, error message
_PUBLISH = """
if ARGV[5] == '1' then
  local other = redis.call('GET', KEYS[4])
  if other and other ~= ARGV[1] and redis.call('EXISTS', ARGV[6] .. other) == 1 then
    return {other, 'existing'}
  end
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {ARGV[1], 'gone'} end
local total, invalid = tonumber(ARGV[3]), tonumber(ARGV[4])
local status = redis.call('HGET', KEYS[1], 'status')
redis.call('HSET', KEYS[1], 'total', total, 'failed', invalid, 'invalid', invalid, 'finished', invalid,
           'started_at', ARGV[2])
redis.call('DEL', KEYS[3])
if ARGV[5] == '1' then redis.call('SET', KEYS[4], ARGV[1]) end
if invalid >= total then
  status = 'failed'
  redis.call('HSET', KEYS[1], 'status', status, 'finished_at', ARGV[2], 'error', ARGV[8])
  redis.call('DEL', KEYS[2])
  redis.call('EXPIRE', KEYS[1], ARGV[7])
  if ARGV[5] == '1' then redis.call('EXPIRE', KEYS[4], ARGV[7]) end
  return {ARGV[1], status}
end
if status ~= 'cancelling' then
  status = 'in_progress'
  redis.call('HSET', KEYS[1], 'status', status)
end
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[2])
return {ARGV[1], status}
"""

# KEYS: job hash. ARGV: now. Returns the status after the request (nil: no such job).
_CANCEL = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status == 'in_progress' or status == 'validating' then
  redis.call('HSET', KEYS[1], 'status', 'cancelling', 'cancel_requested_at', ARGV[1])
  return 'cancelling'
end
return status
"""


@dataclass(frozen=True)
class JobSpec:
    """What the submitter asked for, recorded on the job."""

    name: str | None = None
    team: str | None = None
    tags: tuple[str, ...] = ()
    idempotency_key: str | None = None
    results_ttl_s: int = DEFAULT_RESULTS_TTL_S
    source: str | None = None


def existing_job(store: Store, key: str | None) -> str | None:
    """The live job submitted earlier with this idempotency key, if any."""
    if key is None:
        return None
    client = store.sync()
    job_id = client.get(idempotency_key(store, key))
    if job_id is None:
        return None
    found = text(job_id)
    return found if client.exists(job_keys(store, found).job) else None


def create_staging(store: Store, keys: JobKeys, spec: JobSpec, now: float) -> None:
    """The job record in state ``validating``, expiring unless published."""
    fields: dict[FieldT, EncodableT] = {
        "id": keys.job_id,
        "status": "validating",
        "name": spec.name or "",
        "team": spec.team or "",
        "tags": json.dumps(list(spec.tags)),
        "idempotency_key": spec.idempotency_key or "",
        "results_ttl_s": spec.results_ttl_s,
        "source": spec.source or "",
        "created_at": now,
        "total": 0,
        "completed": 0,
        "failed": 0,
        "cancelled": 0,
        "finished": 0,
        "cost_usd": 0,
    }
    pipe = store.sync().pipeline(transaction=True)
    pipe.hset(keys.job, mapping=fields)
    pipe.expire(keys.job, STAGING_TTL_S)
    pipe.execute()


@dataclass(frozen=True)
class Published:
    job_id: str
    status: str
    existing: bool


def publish(store: Store, keys: JobKeys, spec: JobSpec, *, total: int, invalid: int, error: str) -> Published:
    """Make the validated job visible; returns the earlier job instead when the idempotency key is taken.

    The job enters the index (another slot) just before the script publishes it,
    so a published job is always listed; one that loses to an earlier job is taken out again.
    """
    idem = spec.idempotency_key
    client = store.sync()
    now = time.time()
    client.zadd(index_key(store), {keys.job_id: now})
    job_id, status = client.register_script(_PUBLISH)(
        keys=[keys.job, keys.items, keys.ids, idempotency_key(store, idem) if idem else keys.job],
        args=[
            keys.job_id,
            now,
            total,
            invalid,
            "1" if idem else "0",
            job_prefix(store, idem) if idem else "",
            spec.results_ttl_s,
            error,
        ],
    )
    if text(job_id) != keys.job_id:
        client.zrem(index_key(store), keys.job_id)
    return Published(text(job_id), text(status), existing=text(status) == "existing")


def cleanup(store: Store, keys: JobKeys, items_seen: int) -> None:
    """Remove a job that was never published (best effort: its keys expire anyway)."""
    client = store.sync()
    pipe = client.pipeline(transaction=False)
    pipe.zrem(index_key(store), keys.job_id)
    # One key per DEL: a Cluster client's pipeline takes no multi-key DEL.
    for key in (keys.job, keys.items, keys.ids, *(keys.result(n) for n in range(items_seen))):
        pipe.delete(key)
    pipe.execute()


def read_status(store: Store, job_id: str) -> JobStatus:
    fields = store.sync().hgetall(job_keys(store, job_id).job)
    if not fields:
        raise _not_found(store, job_id)
    return JobStatus.from_hash(fields)


def request_cancel(store: Store, job_id: str) -> str:
    """Ask the workers to stop starting items of the job; returns the job's status after the request."""
    script = store.sync().register_script(_CANCEL)
    status = script(keys=[job_keys(store, job_id).job], args=[time.time()])
    if status is None:
        raise _not_found(store, job_id)
    return text(status)


def mark_failed(store: Store, job_id: str, error: str) -> None:
    """Fail a published job whose chunks could not be queued (best effort)."""
    store.sync().hset(
        job_keys(store, job_id).job, mapping={"status": "failed", "error": error, "finished_at": time.time()}
    )


def list_jobs(store: Store, *, limit: int = 50) -> list[JobStatus]:
    """The newest jobs first; ids whose record has expired are dropped from the index."""
    client = store.sync()
    ids = [text(raw) for raw in client.zrevrange(index_key(store), 0, max(limit, 1) - 1)]
    pipe = client.pipeline(transaction=False)
    for job_id in ids:
        pipe.hgetall(job_keys(store, job_id).job)
    found: list[JobStatus] = []
    for job_id, fields in zip(ids, pipe.execute(), strict=True):
        if fields:
            found.append(JobStatus.from_hash(fields))
        else:
            client.zrem(index_key(store), job_id)
    return found


def iter_results(
    store: Store, job_id: str, total: int, *, errors_only: bool = False
) -> Iterator[dict[str, Any]]:
    """Finished items' results in input order, a page at a time; unfinished items are skipped.

    ``errors_only`` keeps the items without an answer: failed ones and those a cancel stopped
    (each carries its ``error``), the same set as the gateway's error file.
    """
    client: redis.Redis = store.sync()
    keys = job_keys(store, job_id)
    for start in range(0, total, _RESULTS_PAGE):
        values = client.mget([keys.result(n) for n in range(start, min(start + _RESULTS_PAGE, total))])
        for value in values:
            if value is None:
                continue
            result = ItemResult.loads(value)
            if not errors_only or result.status != "completed":
                yield result.as_dict()


def _not_found(store: Store, job_id: str) -> JobNotFound:
    where = "this process's embedded store" if store.embedded else store.settings.safe_url
    return JobNotFound(
        f"no batch job {job_id!r} in {where} (it may have expired, or live in another store); "
        "`router batch list` (or client.jobs()) shows the jobs there are",
        job_id=job_id,
    )
