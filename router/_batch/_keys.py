"""Where a batch job lives in Redis.

Every key of one job, and the idempotency key it was submitted with, carry
the same hash tag, so the scripts that publish a job and finish its items run
in one slot of a Redis Cluster. The tag is part of the job id
(``batch_<12 hex tag><12 hex random>``): any process can find a job's keys from
its id alone. A job with an idempotency key takes its tag from a hash of that
key, so the job and its key always meet in one slot; other jobs get a random
tag, which spreads jobs over the Cluster's primaries. One job's items all
write to its slot (its counters are one hash anyway).

    router:batch:jobs                         sorted set: job id by creation time (``router batch list``)
    router:batch:{T}:idem:<key>               string: the job id submitted with that idempotency key
    router:batch:{T}:job:<id>                 hash: the job record (status, counts, cost, timestamps)
    router:batch:{T}:job:<id>:items           list: one JSON payload per valid item, in input order
    router:batch:{T}:job:<id>:ids             hash: custom_id -> line, only while the input is validated
    router:batch:{T}:job:<id>:r:<n>           string: item n's result (JSON); also its done marker
    router:batch:{T}:job:<id>:outbox:<start>  hash: record id -> cost record (JSON) of the chunk at <start>,
                                              kept until the ledger has it

Item ``n`` counts the input's non-blank lines from 0. A result key is written
once, by the script that also moves the job counters and puts the item's cost
records in its chunk's outbox, so its existence is the "done" marker that
makes redelivered chunks harmless. The ledger lives in other slots (see
``router._ledger._layout``): records go from the outbox to the ledger after
the script, idempotently by record id, and a redelivered chunk first moves
whatever its outbox still holds.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

from router._errors import UsageError
from router._state._store import Store

_TAG_HEX = 12
_JOB_ID = re.compile(rf"batch_([0-9a-f]{{{_TAG_HEX}}})[0-9a-f]+")
# What a caller may pass as a job id: the router's own ids, and ids of another form typed by
# hand, but never a path, a glob, a Redis pattern or a line break.
_JOB_ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


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

    def outbox(self, start: int) -> str:
        """The outbox of the chunk that starts at item position ``start``."""
        return f"{self.job}:outbox:{start}"


def new_job_id(idempotency: str | None = None) -> str:
    """A fresh job id whose tag is the idempotency key's (when given) or random."""
    tag = _idempotency_tag(idempotency) if idempotency else uuid.uuid4().hex[:_TAG_HEX]
    return f"batch_{tag}{uuid.uuid4().hex[:_TAG_HEX]}"


def check_job_id(value: object) -> str:
    """``value`` if it has the shape of a job id; else ``UsageError`` saying what one looks like."""
    if not isinstance(value, str) or not _JOB_ID_SHAPE.fullmatch(value):
        shown = repr(value) if isinstance(value, str) else f"a {type(value).__name__} ({value!r})"
        raise UsageError(
            f"{shown[:80]} is not a job id: job ids are up to 128 letters, digits, '_' and '-', "
            "like batch_0123abcd...; `router batch list` (or client.jobs()) shows them"
        )
    return value


def job_keys(store: Store, job_id: str) -> JobKeys:
    job = _job_prefix(store, _tag_of(job_id)) + job_id
    return JobKeys(job_id=job_id, job=job, items=f"{job}:items", ids=f"{job}:ids", result_prefix=f"{job}:r:")


def job_prefix(store: Store, idempotency: str) -> str:
    """The hash key of the jobs submitted with ``idempotency`` without the id, for Lua scripts."""
    return _job_prefix(store, _idempotency_tag(idempotency))


def index_key(store: Store) -> str:
    return store.key("batch", "jobs")


def idempotency_key(store: Store, key: str) -> str:
    return store.key("batch", "{" + _idempotency_tag(key) + "}", "idem", key)


def _job_prefix(store: Store, tag: str) -> str:
    return store.key("batch", "{" + tag + "}", "job", "")


def _tag_of(job_id: str) -> str:
    # An id of another form (typed by hand) is its own tag: its keys still share one slot.
    found = _JOB_ID.fullmatch(job_id)
    return found.group(1) if found else job_id


def _idempotency_tag(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:_TAG_HEX]
