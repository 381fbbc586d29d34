"""Where the ledger keeps things in Redis.

The ledger is split into ``SHARDS`` shards, each under its own hash tag so that
on a Redis Cluster the shards spread over the primaries while one record's
write (record, totals cell, day index) stays in one slot. Per shard ``S`` and
UTC day ``D`` (keys under the store's prefix, ``router:`` by default)::

    ledger:{ledger-S}:rec:D    HASH   record id -> the record as JSON (the id makes writes idempotent)
    ledger:{ledger-S}:tot:D    HASH   cell -> "calls prompt_tokens completion_tokens unpriced_calls usd"
    ledger:{ledger-S}:days     ZSET   D scored by its midnight (Unix time): which days hold data

A cell is one combination of model, provider, team, rule and tag set, as a
JSON array (``["gpt-4o-mini","openai","research","default",["code"]]``), so a
write touches one totals field whatever the number of tags, and a report
grouped or filtered by any of those dimensions (and the day) is summed from
the cells: a report over N days reads N x SHARDS hashes of at most a few
thousand fields in all, however many records. Filters on other fields
(outcome, language...) and exports read the records hashes of the days they
cover.

A record's shard is a hash of its cell, so each cell lives in exactly one
shard: a day's totals are the union of its shards' hashes, never a sum, and a
redelivered record (same cell) lands on the shard that already holds it. The
price is that one busy cell (one model, team and rule taking most calls) keeps
one shard busy, as a busy budget keeps its slot busy.
"""

from __future__ import annotations

import functools
import json
import zlib
from dataclasses import dataclass

from router._ledger._record import CostRecord
from router._state._store import Store

CELL_DIMENSIONS: tuple[str, ...] = ("model", "provider", "team", "rule", "tag")

SHARDS = 16
"""Ledger shards: enough that a 3-to-16-primary Cluster spreads the writes, few enough to read cheaply."""


def shards() -> range:
    return range(SHARDS)


def shard_of(cell: str) -> int:
    """The shard a cell (``cell_of``) and every record of it live in."""
    return zlib.crc32(cell.encode()) % SHARDS


def _tag(shard: int) -> str:
    return f"{{ledger-{shard}}}"


def records_key(store: Store, day: str, shard: int) -> str:
    return store.key("ledger", _tag(shard), "rec", day)


def totals_key(store: Store, day: str, shard: int) -> str:
    return store.key("ledger", _tag(shard), "tot", day)


def days_key(store: Store, shard: int) -> str:
    return store.key("ledger", _tag(shard), "days")


def intents_keys(store: Store, shard: int) -> tuple[str, str, str]:
    """The shard's intents hash, their due-time index and its index of lost records (see ``_intents``)."""
    base = store.key("ledger", _tag(shard), "intents")
    return base, f"{base}:due", store.key("ledger", _tag(shard), "lost")


def cell_of(record: CostRecord) -> str:
    """The totals field a record adds to (tags sorted, so their order does not split a cell)."""
    return _cell(record.model, record.provider, record.team, record.rule, tuple(record.tags))


@functools.lru_cache(maxsize=4096)
def _cell(model: str, provider: str, team: str | None, rule: str, tags: tuple[str, ...]) -> str:
    # A worker writes the same few cells over and over (a record, and its intent, per call):
    # each cell's JSON is made once. Names and tags only, as the ledger keeps them anyway.
    parts = [model, provider, team, rule, sorted(set(tags))]
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Cell:
    """The dimensions of one totals field, shaped like a record for filters and grouping."""

    model: str
    provider: str
    team: str | None
    rule: str
    tags: tuple[str, ...]

    @classmethod
    def parse(cls, field: bytes | str) -> Cell:
        model, provider, team, rule, tags = json.loads(field)
        return cls(model, provider, team, rule, tuple(tags))

    def as_record(self) -> dict[str, object]:
        return {
            "model": self.model,
            "provider": self.provider,
            "team": self.team,
            "rule": self.rule,
            "tags": self.tags,
        }


@dataclass(frozen=True, slots=True)
class Sums:
    """The running totals of one cell."""

    calls: int
    prompt_tokens: int
    completion_tokens: int
    unpriced: int
    usd: float

    @classmethod
    def parse(cls, value: bytes | str) -> Sums:
        calls, pt, ct, unpriced, usd = value.split()
        return cls(int(calls), int(pt), int(ct), int(unpriced), float(usd))

    def text(self) -> str:
        """The stored form; ``repr`` keeps every bit of the float, like the script's ``%.17g``."""
        return f"{self.calls} {self.prompt_tokens} {self.completion_tokens} {self.unpriced} {self.usd!r}"

    def __add__(self, other: Sums) -> Sums:
        return Sums(
            self.calls + other.calls,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.unpriced + other.unpriced,
            self.usd + other.usd,
        )

    @classmethod
    def of(cls, record: CostRecord) -> Sums:
        unpriced = 0 if record.priced else 1
        return cls(1, record.prompt_tokens, record.completion_tokens, unpriced, record.cost_usd)
