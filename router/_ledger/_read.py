"""Reading the ledger back: which days hold data, their totals, their records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from router._ledger._layout import days_key, records_key, shards, totals_key
from router._ledger._ledger import load_journal
from router._ledger._periods import DAY_S
from router._ledger._record import CostRecord
from router._state._store import STORE_ERRORS, Store

_SCAN_COUNT = 5000
# A day's totals as one bulk reply ("field\nvalue\n..."): redis-py's pure-Python parser costs
# microseconds per bulk string, and a month of cells is ~100,000 of them. Cells are JSON and
# sums are numbers, so neither holds a raw newline.
TOTALS_LUA = "return table.concat(redis.call('HGETALL', KEYS[1]), '\\n')"


class Reader:
    """Reads one store's ledger; turns an unreachable Redis into StoreUnavailable."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.client = store.sync()

    def __enter__(self) -> Reader:
        try:
            load_journal(self.store)
        except STORE_ERRORS as exc:
            raise self.store.unavailable(exc) from None
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if isinstance(error, STORE_ERRORS):
            raise self.store.unavailable(error) from None

    def days(self, since: float | None, until: float | None) -> list[str]:
        """Days with data that overlap ``[since, until)``, oldest first."""
        low = "-inf" if since is None else f"({since - DAY_S}"
        high = "+inf" if until is None else f"({until}"
        pipe = self.client.pipeline(transaction=False)
        for shard in shards():
            pipe.zrangebyscore(days_key(self.store, shard), low, high)
        found: set[bytes] = {day for days in pipe.execute() for day in days}
        # Day ids are ISO dates, so their text order is their time order.
        return sorted(day.decode() for day in found)

    def totals(self, days: list[str]) -> list[dict[bytes, bytes]]:
        """Each day's running totals in one round trip: the union of its shards (a cell lives in one)."""
        script = self.client.register_script(TOTALS_LUA)
        pipe = self.client.pipeline(transaction=False)
        for day in days:
            for shard in shards():
                script(keys=[totals_key(self.store, day, shard)], client=pipe)
        blobs = pipe.execute()
        width = len(shards())
        return [
            {cell: sums for blob in blobs[start : start + width] for cell, sums in _pairs(blob).items()}
            for start in range(0, len(blobs), width)
        ]

    def records(
        self, day: str, since: float | None, until: float | None, *, id_prefix: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The records of one day (as decoded JSON) whose time is in ``[since, until)``, unordered.

        ``id_prefix`` lets Redis skip every other record (``HSCAN MATCH``).
        """
        match = None if id_prefix is None else f"{_glob_escape(id_prefix)}*"
        for shard in shards():
            key = records_key(self.store, day, shard)
            for _, raw in self.client.hscan_iter(key, match=match, count=_SCAN_COUNT):
                record: dict[str, Any] = json.loads(raw)
                ts = record["ts"]
                if (since is None or ts >= since) and (until is None or ts < until):
                    yield record


def find_records(
    store: Store,
    *,
    since: float | None = None,
    until: float | None = None,
    request_id: str | None = None,
    job_id: str | None = None,
) -> list[CostRecord]:
    """Records of ``[since, until)``, optionally of one request or batch job, oldest first.

    Both key spaces are read: real and simulated records alike.
    """
    owner = request_id if request_id is not None else job_id
    prefix = None if owner is None else f"{owner}:"
    found: list[CostRecord] = []
    for space in (store.space(False), store.space(True)):  # a job or request is real or simulated
        with Reader(space) as reader:
            found.extend(
                CostRecord.model_validate(raw)
                for day in reader.days(since, until)
                for raw in reader.records(day, since, until, id_prefix=prefix)
            )
    # The id prefix narrows the scan; the fields decide (a request id may prefix another's).
    if request_id is not None:
        found = [record for record in found if record.request_id == request_id]
    if job_id is not None:
        found = [record for record in found if record.job_id == job_id]
    return sorted(found, key=lambda record: (record.ts, record.attempt, record.id))


def _pairs(blob: bytes) -> dict[bytes, bytes]:
    parts = blob.split(b"\n") if blob else []
    return dict(zip(parts[::2], parts[1::2], strict=True))


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
