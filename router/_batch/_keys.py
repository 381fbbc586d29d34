"""Where a batch job lives in Redis.

    router:batch:jobs                     sorted set: job id by creation time (``router batch list``)
    router:batch:idem:<key>               string: the job id submitted with that idempotency key
    router:batch:job:<id>                 hash: the job record (status, counts, cost, timestamps)
    router:batch:job:<id>:items           list: one JSON payload per valid item, in input order
    router:batch:job:<id>:ids             hash: custom_id -> line, only while the input is validated
    router:batch:job:<id>:r:<n>           string: item n's result (JSON); also its done marker

Item ``n`` counts the input's non-blank lines from 0. A result key is written
once, in the same transaction as the job counters and the item's cost records,
so its existence is the "done" marker that makes redelivered chunks harmless.
"""

from __future__ import annotations

from dataclasses import dataclass

from router._state._store import Store


@dataclass(frozen=True)
class JobKeys:
    """The Redis keys of one job."""

    job_id: str
    job: str
    items: str
    ids: str
    result_prefix: str

    def result(self, n: int) -> str:
        return f"{self.result_prefix}{n}"


def job_keys(store: Store, job_id: str) -> JobKeys:
    job = store.key("batch", "job", job_id)
    return JobKeys(job_id=job_id, job=job, items=f"{job}:items", ids=f"{job}:ids", result_prefix=f"{job}:r:")


def job_prefix(store: Store) -> str:
    """The job hash key without the id, for Lua scripts that look a job up by id."""
    return store.key("batch", "job", "")


def index_key(store: Store) -> str:
    return store.key("batch", "jobs")


def idempotency_key(store: Store, key: str) -> str:
    return store.key("batch", "idem", key)
