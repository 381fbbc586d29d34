"""Finishing one item exactly once, whatever the number of deliveries.

Celery delivers a chunk at least once (late acknowledgement: a chunk whose
worker died runs again). Each item is therefore finished by one Redis
transaction that WATCHes the item's result key, which doubles as its done
marker::

    WATCH r:<n>;  EXISTS r:<n>  -> already done: nothing to write
    MULTI
      SET r:<n> <result> EX <ttl>                  the result, and the done marker
      <ledger.stage(pipe, record)> per attempt     its cost records
      EVAL finish.lua                              job counters, cost, and the final status
    EXEC                                           fails if r:<n> changed since WATCH

Either everything of the item is written or nothing is; a second run finds
the marker and writes nothing. The final status flips inside the same EXEC
(the Lua script sees ``finished == total``), so exactly one item ends the job.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from router._batch._keys import JobKeys
from router._batch._model import ItemState
from router._ledger._record import CostRecord

# KEYS: job hash, items list, idempotency key (or the job hash)
# ARGV: counter field (completed|failed|cancelled), cost in USD, now, results ttl
FINISH_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if tonumber(ARGV[2]) ~= 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'cost_usd', ARGV[2]) end
local finished = redis.call('HINCRBY', KEYS[1], 'finished', 1)
local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
if finished >= total then
  local status = redis.call('HGET', KEYS[1], 'status')
  local final = 'completed'
  if status == 'cancelling' or status == 'cancelled' then final = 'cancelled' end
  redis.call('HSET', KEYS[1], 'status', final, 'finished_at', ARGV[3])
  redis.call('DEL', KEYS[2])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  if KEYS[3] ~= KEYS[1] then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
end
return finished
"""


class Stager(Protocol):
    """Adds one cost record's writes to a caller's MULTI/EXEC pipeline (the ledger).

    ``stage`` only queues commands on ``pipe`` (a ``redis.asyncio`` pipeline in
    MULTI mode here); ``committed`` runs after an EXEC that wrote the record.
    """

    def stage(self, pipe: Any, record: CostRecord) -> None: ...

    def committed(self, record: CostRecord, payload: str | None = None) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What an item ended with: its result line, its cost records and which counter it moves."""

    state: ItemState
    result: dict[str, Any]
    records: Sequence[CostRecord] = field(default_factory=tuple)

    @property
    def cost_usd(self) -> float:
        return sum(record.cost_usd for record in self.records)


@dataclass(frozen=True)
class JobTarget:
    """The keys and settings an item's finish writes to."""

    keys: JobKeys
    idempotency_key: str
    """The Redis key of the job's idempotency key, or the job hash key when it has none."""
    results_ttl_s: int


async def finish_item(
    client: aioredis.Redis, target: JobTarget, n: int, outcome: Outcome, ledger: Stager
) -> bool:
    """Write the item's outcome unless it is already done; True when this call wrote it."""
    done_key = target.keys.result(n)
    payload = json.dumps(outcome.result, ensure_ascii=False)
    async with client.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(done_key)
                if await pipe.exists(done_key):
                    return False
                pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                _queue_writes(pipe, target, done_key, payload, outcome, ledger)
                replies = await pipe.execute()
                break
            except WatchError:
                continue  # someone else finished it meanwhile: the next round sees the marker
    for record, reply in zip(outcome.records, replies[1:], strict=False):
        if reply == 1:
            ledger.committed(record)
    return True


def _queue_writes(
    pipe: Any, target: JobTarget, done_key: str, payload: str, outcome: Outcome, ledger: Stager
) -> None:
    pipe.set(done_key, payload, ex=target.results_ttl_s)
    for record in outcome.records:
        ledger.stage(pipe, record)
    pipe.eval(
        FINISH_LUA,
        3,
        target.keys.job,
        target.keys.items,
        target.idempotency_key,
        outcome.state,
        repr(outcome.cost_usd),
        repr(time.time()),
        target.results_ttl_s,
    )
