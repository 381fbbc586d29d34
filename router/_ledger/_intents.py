"""Calls in flight, on the books before their request leaves: a call lost with its process is still spent.

A provider bills a request whether or not the process that sent it lives to record
the answer. So just before each attempt's request goes out, its *intent* is stored:
the ledger record the attempt gets if it is lost (outcome ``lost``, cost its reserved
estimate, id ``<record id>~<run>``, unique to this execution of the call). Per ledger
shard, the shard of the record itself, so that one script touches one Cluster slot::

    ledger:{ledger-S}:intents      HASH  intent id -> the intent, a CostRecord as JSON
    ledger:{ledger-S}:intents:due  ZSET  intent id scored by when it is due (Unix time)
    ledger:{ledger-S}:lost         ZSET  id of each record written as lost, scored by its ts

The attempt's own record (``ok`` or ``error``) names its intent (``CostRecord.intent``),
and the ledger's write script deletes the intent as it writes the record: a call that
completes replaces its intent and counts once. An intent still there when it is due
(the call's deadline plus ``GRACE_S``, long past any live process's write) belongs to a
call lost with its process: ``reap`` writes it as a record through the same script,
which writes it only if it can still delete the intent, so a reap racing the real
record, or another reaper, never counts it twice. Since the id is unique to each
execution, a batch item re-run after its worker died counts beside the lost first
call, which the provider billed too.

Limits: with the embedded store there are no intents (the store and the call end with
the process). A record spooled while Redis was down and replayed more than ``GRACE_S``
after its call counts beside its lost intent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from router._ledger._layout import cell_of, intents_keys, records_key, shard_of, shards
from router._ledger._periods import day_id
from router._ledger._record import CostRecord
from router._state._chain import ABSENT, Part
from router._state._loop_clients import LoopClients
from router._state._store import Store

__all__ = ["GRACE_S", "INTENT_LUA", "Intents"]

GRACE_S = 3600.0
"""How long after its call's deadline an intent with no record is taken for lost."""

INTENT_LUA = """
-- KEYS: the shard's intents hash and due zset. ARGV: intent id, intent JSON, due (Unix s).
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return {1}
"""

FORGET_LUA = """
-- KEYS: the shard's intents hash and due zset. ARGV: intent id.
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return {1}
"""

_REAP_BATCH = 500


class Intents:
    """Stores each attempt's intent before its request, and reaps the ones whose process died."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._scripts = LoopClients(store, {"intent": INTENT_LUA, "forget": FORGET_LUA})

    @property
    def enabled(self) -> bool:
        # The embedded store lives and dies with the process: an intent there could outlive nothing.
        return not self._store.embedded

    def part(self, intent: CostRecord, deadline_s: float) -> Part:
        """The intent's write, to chain into another script (or ``ABSENT`` when intents are off)."""
        if not self.enabled:
            return ABSENT
        intents, due, _ = intents_keys(self._store, shard_of(cell_of(intent)))
        return Part(
            (intents, due), (intent.id, intent.model_dump_json(), repr(time.time() + deadline_s + GRACE_S))
        )

    async def write(self, intent: CostRecord, deadline_s: float) -> None:
        """Store the intent on its own (a retry's, or on a Cluster, where it cannot share a script)."""
        part = self.part(intent, deadline_s)
        if part.keys:
            await self._scripts.run("intent", list(part.keys), list(part.args))

    async def forget(self, intent: CostRecord) -> None:
        """Drop an intent whose request never left (the deadline passed just before it)."""
        if self.enabled:
            intents, due, _ = intents_keys(self._store, shard_of(cell_of(intent)))
            await self._scripts.run("forget", [intents, due], [intent.id])

    def due(self, now: float | None = None) -> Iterator[CostRecord]:
        """Each intent due at ``now`` (Unix time), as the ``lost`` record it becomes (``reap_lost``)."""
        client: Any = self._store.sync()
        moment = time.time() if now is None else now
        for shard in shards():
            intents, due, _ = intents_keys(self._store, shard)
            ids: list[bytes] = client.zrangebyscore(due, "-inf", repr(moment), start=0, num=_REAP_BATCH)
            stale: list[bytes] = []
            for intent_id, raw in zip(ids, client.hmget(intents, ids) if ids else [], strict=True):
                if raw is None:
                    stale.append(intent_id)  # replaced by its record between the two reads
                else:
                    yield CostRecord.model_validate_json(raw)
            if stale:
                client.zrem(due, *stale)

    def lost(self, since: float | None, until: float | None) -> list[CostRecord]:
        """The records written as lost with their ts in ``[since, until)``, for reports."""
        client: Any = self._store.sync()
        found: list[CostRecord] = []
        for shard in shards():
            _, _, lost = intents_keys(self._store, shard)
            low = "-inf" if since is None else repr(since)
            high = "+inf" if until is None else f"({until!r}"
            by_day: dict[str, list[bytes]] = {}
            found_ids: list[tuple[bytes, float]] = client.zrangebyscore(lost, low, high, withscores=True)
            for record_id, ts in found_ids:
                by_day.setdefault(day_id(ts), []).append(record_id)
            for day, ids in by_day.items():
                raws = client.hmget(records_key(self._store, day, shard), ids)
                found.extend(CostRecord.model_validate_json(raw) for raw in raws if raw is not None)
        return found

    async def aclose(self) -> None:
        await self._scripts.aclose()
