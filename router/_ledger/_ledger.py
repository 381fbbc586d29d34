"""Writing ledger records: once each, with the day's running totals, never lost.

One Lua script stores a record and adds it to its cell of the day's totals
atomically; a record id already in the day's records hash makes a second
delivery a no-op, so a record written twice counts once (a record is built
once per attempt, so a redelivery carries the same ``ts`` and lands on the
same day). The layout is described in ``_layout``.

When Redis cannot be reached the record goes to a local spool file (and a
``cost.spooled`` warning), and the spool is replayed through the same
idempotent script on the next successful write or by ``flush_spool()``.
For two seconds after a failure records are spooled without trying Redis,
so an unreachable host does not add its connect timeout to every call.

A simulated call's record goes to the simulated key space (see ``Store.space``),
so reports leave it out unless asked for it.

With the embedded store (no Redis server) every new record is also appended
to a journal file, which the first ledger, report or budget use in a process
replays into the in-process store, so ``router costs`` after a demo run
shows the demo's spend.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
import redis.asyncio.client
import redis.client
import structlog
from pydantic import ValidationError

from router._ledger._files import append_lines, claimed, read_lines
from router._ledger._intents import Intents
from router._ledger._layout import Sums, cell_of, days_key, intents_keys, records_key, shard_of, totals_key
from router._ledger._periods import day_id, day_start
from router._ledger._record import CostRecord
from router._logging import emits
from router._state._loop_clients import LoopClients
from router._state._replies import text as _text
from router._state._store import Store

WRITE_LUA = """
-- Ledger records of one day and one shard: keep each once, and add it to its cell of the day's totals.
-- KEYS: the day's records hash, the day's totals hash, the shard's day index,
--       the shard's intents hash, their due index, its index of lost records.
-- ARGV: day, day's midnight, then per record: id, record JSON, cell, usd, prompt tokens,
--       completion tokens, unpriced (1/0), the intent it replaces ('' for none), lost (1/0), ts.
-- A record replaces its intent; a lost record is written only while its intent is still
-- there to replace (a reaper racing the real record, or another reaper, counts it once).
-- Returns per record 1 when new, 0 when already there.
local written = {}
for i = 3, #ARGV, 10 do
  local live = 1
  if ARGV[i + 7] ~= '' then
    live = redis.call('HDEL', KEYS[4], ARGV[i + 7])
    redis.call('ZREM', KEYS[5], ARGV[i + 7])
  end
  if (ARGV[i + 8] == '1' and live == 0) or redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    table.insert(written, 0)
  else
    -- Read and add before writing anything: a script that fails half-way is not rolled back.
    local calls, pt, ct, unpriced, usd = 0, 0, 0, 0, 0
    local current = redis.call('HGET', KEYS[2], ARGV[i + 2])
    if current then
      local a, b, c, d, e = string.match(current, '^(%d+) (%d+) (%d+) (%d+) (%S+)$')
      calls, pt, ct, unpriced, usd = tonumber(a), tonumber(b), tonumber(c), tonumber(d), tonumber(e)
    end
    local sums = string.format('%d %d %d %d %.17g', calls + 1, pt + tonumber(ARGV[i + 4]),
      ct + tonumber(ARGV[i + 5]), unpriced + tonumber(ARGV[i + 6]), usd + tonumber(ARGV[i + 3]))
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    redis.call('HSET', KEYS[2], ARGV[i + 2], sums)
    if ARGV[i + 8] == '1' then redis.call('ZADD', KEYS[6], ARGV[i + 9], ARGV[i]) end
    table.insert(written, 1)
  end
end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return written
"""

# Anything Redis can answer with on a write (down, timed out, out of memory):
# a ledger write must never fail the call it records.
_WRITE_ERRORS = (redis.RedisError, OSError)
_SPOOL_RECHECK_S = 30.0
_REST_AFTER_FAILURE_S = 2.0
_REPLAY_CHUNK = 500

Pipeline = redis.client.Pipeline | redis.asyncio.client.Pipeline
WriteCall = tuple[list[str], list[str | int]]


def _log() -> Any:
    return structlog.get_logger("router.ledger")


class Ledger:
    """Writes cost records to Redis (or the embedded store)."""

    def __init__(
        self, store: Store, *, spool_path: Path | None = None, journal_path: Path | None = None
    ) -> None:
        self.store = store
        self.spool_path = spool_path or store.settings.home / "ledger-spool.jsonl"
        self.journal_path = journal_path or store.settings.home / "ledger.jsonl"
        self._aio = LoopClients(store, {"write": WRITE_LUA})
        self._sync_write: Any = None
        self._journal_ready = False
        self._spool_pending = False
        self._spool_checked_at = float("-inf")
        self._down_until = float("-inf")

    # ------------------------------------------------------------------ writing

    def record(self, record: CostRecord) -> bool:
        """Write one record; True if new, False if a duplicate or spooled. Never raises for Redis."""
        self._ensure_journal()
        (keys, args), payload = self.write_call(record), record.model_dump_json()
        if self._resting(record, payload):
            return False
        try:
            new = bool(self._script()(keys=keys, args=args)[0])
        except _WRITE_ERRORS as exc:
            self._failed(record, payload, exc)
            return False
        if new:
            self._journal(record, payload)
            self.committed(record)
        if self._spool_due():
            self._replay_quietly()
        return new

    async def arecord(self, record: CostRecord) -> bool:
        """The asynchronous twin of ``record``."""
        self._ensure_journal()
        (keys, args), payload = self.write_call(record), record.model_dump_json()
        if self._resting(record, payload):
            return False
        try:
            async with self._aio.deadline():
                new = bool((await self._aio.script("write")(keys=keys, args=args))[0])
        except _WRITE_ERRORS as exc:
            self._failed(record, payload, exc)
            return False
        if new:
            self._journal(record, payload)
            self.committed(record)
        if self._spool_due():
            await self._areplay_quietly()
        return new

    async def awrite(self, records: Sequence[CostRecord]) -> None:
        """Write ``records`` now, each counted once by id; ``StoreUnavailable`` when Redis does not take them.

        For callers that keep the records until they are written (a batch chunk's
        outbox), so nothing is spooled: a spool is a file on one host, and the
        outbox is in Redis, where any worker that redelivers the chunk finds it.
        """
        self._ensure_journal()
        try:
            results = await self._awrite_many(records)
        except _WRITE_ERRORS as exc:
            raise self.store.unavailable(exc) from None
        self._announce(records, results)

    def spool(self, record: CostRecord, reason: str) -> None:
        """Keep a record whose write never finished (say, cancelled) for a later write to replay.

        Whether or not it reached Redis, the replay counts it once: writes are idempotent by id.
        """
        self._spool(record, record.model_dump_json(), reason)

    def stage(self, pipe: Pipeline, record: CostRecord) -> None:
        """Queue the writes of one record on a caller's pipeline (after ``pipe.multi()``).

        It queues the same script ``arecord`` runs, so the totals are identical and
        a record already written is still not counted twice. After a successful
        EXEC whose result for this command is ``[1]``, call ``committed(record)``.
        For a single Redis server: a Cluster client's pipelines take no scripts.

        With the embedded store the record is journaled now: should the EXEC not
        happen, a later replay writes it once (the call it records did happen).
        """
        keys, args = self.write_call(record)
        _queue(pipe, keys, args)
        self._journal(record, record.model_dump_json())

    def folded_write(self, records: Sequence[CostRecord]) -> WriteCall | None:
        """The write script's one call for ``records``, for a caller to run inside its own script
        (``chain``), or ``None`` when that cannot be: a Cluster (the ledger's keys are in
        their shard's slot), no records, or records of more than one day or shard.

        After the script, hand its write part's reply to ``announce``.
        """
        if not records or self.store.cluster:
            return None
        calls = self.write_calls(records)
        if len(calls) != 1:
            return None
        self._ensure_journal()
        return calls[0][1]

    def announce(self, records: Sequence[CostRecord], results: Sequence[Any]) -> None:
        """After a ``folded_write`` ran: journal and announce the records it said were new."""
        self._announce(records, results)

    def committed(self, record: CostRecord) -> None:
        """Announce a new record: the ``cost.recorded`` event (after ``stage``, once EXEC answered 1)."""
        # Asked of the configuration, not of a logger built for it: a worker logs at error.
        if emits(logging.INFO):  # the record's fields cost more than the event
            _log().info("cost.recorded", **record.model_dump())

    def reap_lost(self, now: float | None = None) -> int:
        """Write each call lost with its process (an intent past due) as a ``lost`` record; returns how many.

        See ``_intents``: a lost record is written only while its intent is there to
        replace, so a reap never counts a call that completed, nor one twice.
        """
        if self.store.embedded:
            return 0
        try:
            lost = [
                intent.model_copy(update={"intent": intent.id}) for intent in Intents(self.store).due(now)
            ]
            results = self._write_many(lost)
        except _WRITE_ERRORS as exc:
            raise self.store.unavailable(exc) from None
        fresh = [record for record, new in zip(lost, results, strict=True) if new]
        for record in fresh:
            self.committed(record)
        if fresh:
            _log().warning(
                "cost.lost_calls_recorded",
                records=len(fresh),
                cost_usd=sum(record.cost_usd for record in fresh),
            )
        return len(fresh)

    def write_call(self, record: CostRecord) -> WriteCall:
        """Keys and arguments of the write script for one record."""
        return self.write_calls([record])[0][1]

    def write_calls(self, records: Sequence[CostRecord]) -> list[tuple[list[CostRecord], WriteCall]]:
        """The write script's calls for ``records``: one per day and shard, with the records of each.

        A record's keys all live in its shard's slot, so each call runs on one
        Cluster node; the records of one call are written in one round trip.
        """
        groups: dict[tuple[bool, str, int], tuple[list[CostRecord], list[str | int]]] = {}
        for record in records:
            day, cell = day_id(record.ts), cell_of(record)
            where = (record.simulated, day, shard_of(cell))
            group = groups.setdefault(where, ([], [day, int(day_start(record.ts))]))
            group[0].append(record)
            group[1].extend(
                [
                    record.id,
                    record.model_dump_json(),
                    cell,
                    repr(float(record.cost_usd)),
                    record.prompt_tokens,
                    record.completion_tokens,
                    0 if record.priced else 1,
                    record.intent or "",
                    1 if record.outcome == "lost" else 0,
                    repr(record.ts),
                ]
            )
        return [
            (
                grouped,
                (
                    [
                        records_key(self.store.space(simulated), day, shard),
                        totals_key(self.store.space(simulated), day, shard),
                        days_key(self.store.space(simulated), shard),
                        *intents_keys(self.store.space(simulated), shard),
                    ],
                    args,
                ),
            )
            for (simulated, day, shard), (grouped, args) in groups.items()
        ]

    async def aclose(self) -> None:
        """Close the asyncio client of the running loop."""
        await self._aio.aclose()

    def records(
        self,
        *,
        since: float | None = None,
        until: float | None = None,
        request_id: str | None = None,
        job_id: str | None = None,
    ) -> list[CostRecord]:
        """Stored records of ``[since, until)``, of one request or job if given, oldest first."""
        from router._ledger._read import find_records  # _read imports this module

        self._ensure_journal()
        return find_records(self.store, since=since, until=until, request_id=request_id, job_id=job_id)

    # ------------------------------------------------------------------ the spool

    def flush_spool(self) -> int:
        """Write every spooled record; returns how many were new. Raises StoreUnavailable if Redis is down."""
        with claimed(self.spool_path) as claim:
            if claim is None:
                self._spool_pending = self.spool_path.exists()
                return 0
            records = _parse(claim.lines(), self.spool_path)
            try:
                results = self._write_many(records)
            except _WRITE_ERRORS as exc:
                raise self.store.unavailable(exc) from None
            claim.clear()
        self._spool_pending = False
        return self._after_replay(records, results)

    async def aflush_spool(self) -> int:
        """The asynchronous twin of ``flush_spool``."""
        with _appends_wait_for_replay(self.spool_path), claimed(self.spool_path) as claim:
            if claim is None:
                self._spool_pending = self.spool_path.exists()
                return 0
            records = _parse(claim.lines(), self.spool_path)
            try:
                results = await self._awrite_many(records)
            except _WRITE_ERRORS as exc:
                raise self.store.unavailable(exc) from None
            claim.clear()
        self._spool_pending = False
        return self._after_replay(records, results)

    def _journal(self, record: CostRecord, payload: str) -> None:
        if not self.store.embedded:
            return
        try:
            append_lines(self.journal_path, [payload])
        except OSError as exc:  # the record is in the store; only the next process would miss it
            _log().error("cost.journal_failed", id=record.id, file=str(self.journal_path), error=str(exc))

    def _resting(self, record: CostRecord, payload: str) -> bool:
        # Right after a failure, spool without trying Redis: an unreachable host would
        # otherwise cost every call the connect timeout.
        if time.monotonic() >= self._down_until:
            return False
        self._spool(record, payload, "Redis failed moments ago; not retried yet")
        return True

    def _failed(self, record: CostRecord, payload: str, exc: BaseException) -> None:
        self._down_until = time.monotonic() + _REST_AFTER_FAILURE_S
        self._spool(record, payload, f"{type(exc).__name__}: {exc}")

    def _spool(self, record: CostRecord, payload: str, error: str) -> None:
        try:
            if not _held_for_replay(self.spool_path, payload):
                append_lines(self.spool_path, [payload])
        except OSError as file_error:
            # Neither Redis nor the disk took it: the event itself carries the whole record.
            _log().error("cost.lost", error=error, spool_error=str(file_error), **record.model_dump())
            return
        self._spool_pending = True
        _log().warning(
            "cost.spooled", id=record.id, cost_usd=record.cost_usd, error=error, spool=str(self.spool_path)
        )

    def _spool_due(self) -> bool:
        # Another process may have left a spool behind: look for it now and then, not on every write.
        now = time.monotonic()
        if not self._spool_pending and now - self._spool_checked_at > _SPOOL_RECHECK_S:
            self._spool_checked_at = now
            self._spool_pending = self.spool_path.exists()
        return self._spool_pending

    def _replay_quietly(self) -> None:
        try:
            self.flush_spool()
        except Exception as exc:  # a failed replay must not fail the call that triggered it
            _log().warning("cost.spool_replay_failed", error=f"{type(exc).__name__}: {exc}")

    async def _areplay_quietly(self) -> None:
        try:
            await self.aflush_spool()
        except Exception as exc:  # as above
            _log().warning("cost.spool_replay_failed", error=f"{type(exc).__name__}: {exc}")

    def _after_replay(self, records: Sequence[CostRecord], results: Sequence[Any]) -> int:
        fresh = self._announce(records, results)
        if records:
            _log().info("cost.spool_replayed", records=len(records), new=len(fresh))
        return len(fresh)

    def _announce(self, records: Sequence[CostRecord], results: Sequence[Any]) -> list[CostRecord]:
        """Journal and announce the records the write script said were new; returns them."""
        fresh = [record for record, new in zip(records, results, strict=True) if new]
        for record in fresh:
            if self.store.embedded:  # the journal is the embedded store's only
                self._journal(record, record.model_dump_json())
            self.committed(record)
        return fresh

    # ------------------------------------------------------------------ plumbing

    def _script(self) -> Any:
        if self._sync_write is None:
            self._sync_write = self.store.sync().register_script(WRITE_LUA)
        return self._sync_write

    def _write_many(self, records: Sequence[CostRecord]) -> list[Any]:
        """Write ``records``; per record whether it was new, in their order."""
        script = self._script()
        new: dict[int, Any] = {}
        for start in range(0, len(records), _REPLAY_CHUNK):
            for grouped, (keys, args) in self.write_calls(records[start : start + _REPLAY_CHUNK]):
                new.update(zip(map(id, grouped), script(keys=keys, args=args), strict=True))
        return [new[id(record)] for record in records]

    async def _awrite_many(self, records: Sequence[CostRecord]) -> list[Any]:
        """The asynchronous twin of ``_write_many``."""
        script = self._aio.script("write")
        new: dict[int, Any] = {}
        for start in range(0, len(records), _REPLAY_CHUNK):
            for grouped, (keys, args) in self.write_calls(records[start : start + _REPLAY_CHUNK]):
                async with self._aio.deadline():
                    new.update(zip(map(id, grouped), await script(keys=keys, args=args), strict=True))
        return [new[id(record)] for record in records]

    def _ensure_journal(self) -> None:
        if not self._journal_ready:
            load_journal(self.store, self.journal_path)
            self._journal_ready = True


_journal_lock = threading.Lock()

_replay_lock = threading.Lock()
_replaying: dict[Path, list[str]] = {}
"""Spools this process is replaying asynchronously, with the lines that arrived meanwhile."""
_replayers: dict[Path, int] = {}


@contextmanager
def _appends_wait_for_replay(path: Path) -> Iterator[None]:
    """While an async replay holds the spool's lock across awaits, hold back this process's appends.

    ``append_lines`` blocks on the lock, and a write failing (or being cancelled)
    on the replaying loop's own thread would wait for a lock only that thread can
    release. Those lines wait in memory and are appended once the lock is free.
    """
    with _replay_lock:
        _replaying.setdefault(path, [])
        _replayers[path] = _replayers.get(path, 0) + 1
    try:
        yield
    finally:
        late: list[str] = []
        with _replay_lock:
            _replayers[path] -= 1
            if not _replayers[path]:  # the last replay of this spool in the process appends
                del _replayers[path]
                late = _replaying.pop(path)
        if late:
            append_lines(path, late)


def _held_for_replay(path: Path, line: str) -> bool:
    with _replay_lock:
        late = _replaying.get(path)
        if late is None:
            return False
        late.append(line)
        return True


def load_journal(store: Store, path: Path | None = None) -> int:
    """Replay the embedded journal into the embedded store, once per process; returns records read.

    A no-op for a real Redis server, which keeps its own data.
    """
    if not store.embedded:
        return 0
    journal = (path or store.settings.home / "ledger.jsonl").resolve()
    store = store.real  # one journal holds both key spaces' records
    client = store.sync()
    with _journal_lock:
        # The marker lives in the in-process store itself, so a fresh store is reloaded.
        if not client.set(store.key("ledger", "journal", str(journal)), 1, nx=True):
            return 0
        records = _parse(read_lines(journal), journal)
        _bulk_write(store, records)
    return len(records)


def _bulk_write(store: Store, records: Sequence[CostRecord]) -> None:
    """What ``WRITE_LUA`` does for each record, summed in Python and written per day.

    Running the script once per record costs about a millisecond each in the
    embedded server; a journal of a few thousand records would slow every CLI start.
    """
    client = store.sync()
    by_day: dict[tuple[bool, str, int], dict[str, CostRecord]] = {}
    for record in records:
        where = (record.simulated, day_id(record.ts), shard_of(cell_of(record)))
        by_day.setdefault(where, {}).setdefault(record.id, record)
    for (simulated, day, shard), fresh in by_day.items():
        _write_day(client, store.space(simulated), day, shard, list(fresh.values()))


def _write_day(client: Any, store: Store, day: str, shard: int, records: Sequence[CostRecord]) -> None:
    rec_key, tot_key = records_key(store, day, shard), totals_key(store, day, shard)
    with client.pipeline(transaction=True) as pipe:
        # WATCH: another thread of this process may write the same day meanwhile.
        while True:
            try:
                pipe.watch(rec_key, tot_key)
                known = set(map(_text, pipe.hkeys(rec_key)))
                todo = [record for record in records if record.id not in known]
                cells = {_text(cell): Sums.parse(text) for cell, text in pipe.hgetall(tot_key).items()}
                for record in todo:
                    cell = cell_of(record)
                    cells[cell] = cells[cell] + Sums.of(record) if cell in cells else Sums.of(record)
                pipe.multi()
                if todo:
                    pipe.hset(rec_key, mapping={record.id: record.model_dump_json() for record in todo})
                    pipe.hset(tot_key, mapping={cell: sums.text() for cell, sums in cells.items()})
                    pipe.zadd(days_key(store, shard), {day: int(day_start(records[0].ts))})
                pipe.execute()
                return
            except redis.WatchError:
                continue


def _queue(pipe: Pipeline, keys: list[str], args: list[str | int]) -> None:
    # EVAL, not EVALSHA: inside MULTI a script the server lost would fail only at EXEC.
    # (A Cluster client's pipeline takes neither: ``stage`` is for a single server.)
    pipe.eval(WRITE_LUA, len(keys), *keys, *args)


def _parse(lines: Sequence[str], path: Path) -> list[CostRecord]:
    records: list[CostRecord] = []
    for number, line in enumerate(lines, start=1):
        try:
            records.append(CostRecord.model_validate_json(line))
        except ValidationError as exc:
            # Only a torn or hand-edited line gets here; the line holds no text, so log it whole.
            _log().error(
                "cost.unreadable_line", file=str(path), line=number, content=line[:2000], error=str(exc)
            )
    return records
