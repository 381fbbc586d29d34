"""Finishing one item exactly once, whatever the number of deliveries.

Celery delivers a chunk at least once (late acknowledgement: a chunk whose
worker died runs again). Each item is therefore finished by one Lua script in
the job's hash slot (see ``_keys``), atomic as any script::

    EXISTS r:<n>           -> already done: nothing is written, the reply says so
    SET r:<n> <result>     the result, and the done marker
    HSET outbox:<chunk>    the item's cost records, until the ledger has them
    job counters, cost, and the final status

The ledger's keys live in other slots (a Redis Cluster cannot run one script
or transaction across slots), so the records reach the ledger just after the
script, through its write script, which counts a record id once however often
it is written. The outbox closes the gap between the two: a worker that dies
after the item's script but before the ledger write leaves the records in its
chunk's outbox, and the chunk's redelivery (a chunk is acknowledged only when
it has run to its end) first moves them to the ledger. A chunk that ends
removes from its outbox only the records it saw written, so a second delivery
running at the same time cannot lose the first's. On a single server there
is no gap to close: one script (``FINISH_AND_WRITE_LUA``) finishes the item and
then writes its records to the ledger, so they skip the outbox and the item
costs one round trip, not two. The final status flips
inside the script of the last item (it sees ``finished == total``), so exactly
one item ends the job.
"""

from __future__ import annotations

import contextlib
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

from router._batch._items import ItemResult
from router._batch._keys import JobKeys
from router._batch._model import ItemState
from router._ledger._ledger import WRITE_LUA, Ledger
from router._ledger._record import CostRecord
from router._state._budgets import SETTLE_LUA, Settlement
from router._state._chain import Part, chain, pack
from router._state._coalesced import coalesced

# KEYS: result key, job hash, items list, idempotency key (or the job hash), the chunk's outbox
# ARGV: result JSON, results ttl, counter field (completed|failed|cancelled), cost in USD, now,
#       then one (record id, record JSON) pair per cost record
# Returns 0 when the item was already done, -1 when the job is gone (the result and records are
# still kept), else the number of finished items.
FINISH_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ttl = ARGV[2]
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
if #ARGV > 5 then
  for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]) end
  redis.call('EXPIRE', KEYS[5], ttl)
end
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
if tonumber(ARGV[4]) ~= 0 then redis.call('HINCRBYFLOAT', KEYS[2], 'cost_usd', ARGV[4]) end
local finished = redis.call('HINCRBY', KEYS[2], 'finished', 1)
local total = tonumber(redis.call('HGET', KEYS[2], 'total'))
if finished >= total then
  local status = redis.call('HGET', KEYS[2], 'status')
  local final = 'completed'
  if status == 'cancelling' or status == 'cancelled' then final = 'cancelled' end
  redis.call('HSET', KEYS[2], 'status', final, 'finished_at', ARGV[5])
  redis.call('DEL', KEYS[3])
  redis.call('EXPIRE', KEYS[2], ttl)
  if KEYS[4] ~= KEYS[2] then redis.call('EXPIRE', KEYS[4], ttl) end
end
return finished
"""


FINISH_PART_LUA = f"""
local function finish(KEYS, ARGV)
{FINISH_LUA.strip()}
end
return {{finish(KEYS, ARGV)}}
"""
"""``FINISH_LUA`` as a chained part: its reply in a list, so that 0 (already done) stops the chain."""

FINISH_AND_WRITE_LUA = chain([FINISH_PART_LUA, WRITE_LUA])
"""On a single server: the item's finish and then its records' ledger write, in one script.

Nothing is then left between the two for a dying worker to leave in the outbox, so the
records go to the ledger only (the write is skipped when the item was already done,
as ``finish_item`` skips it)."""

SETTLE_FINISH_AND_WRITE_LUA = chain([SETTLE_LUA, FINISH_PART_LUA, WRITE_LUA])
"""``FINISH_AND_WRITE_LUA`` after the answer's budget settlement, in the same script.

The settlement comes first and never refuses, so it counts even when the item was already
done (two deliveries that both called the model both spent). Nothing is awaited between the
answer and this script, so the spend lands when a settlement of its own would have (a worker
killed before either leaves the hold to expire, as it would the separate settlement)."""


class RecordWriter(Protocol):
    """Writes cost records to the ledger, each counted once by id (the ledger).

    ``awrite`` raises when Redis does not take them (no spooling: the outbox
    keeps them for the chunk's redelivery), and announces the records that were new.
    """

    async def awrite(self, records: Sequence[CostRecord]) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What an item ended with: its result line, its cost records, and its answer's budget
    settlement when the call left it to the finish (``Deferred``)."""

    result: ItemResult
    records: Sequence[CostRecord] = field(default_factory=tuple)
    settlements: Sequence[Settlement] = field(default_factory=tuple)

    @property
    def state(self) -> ItemState:
        """The job counter the item moves: completed, failed or cancelled."""
        return self.result.status

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
    client: aioredis.Redis, target: JobTarget, chunk: int, n: int, outcome: Outcome, ledger: RecordWriter
) -> bool:
    """Write the item's outcome unless it is already done; True when this call wrote it.

    ``chunk`` is the position the item's chunk starts at (its outbox). The records
    this call wrote stay in the outbox until ``clear_outbox``.
    """
    keys = target.keys
    args: list[str | int] = [
        outcome.result.dumps(),
        target.results_ttl_s,
        outcome.state,
        repr(outcome.cost_usd),
        repr(time.time()),
    ]
    script_keys = [keys.result(n), keys.job, keys.items, target.idempotency_key, keys.outbox(chunk)]
    write = ledger.folded_write(outcome.records) if isinstance(ledger, Ledger) else None
    settlements = list(outcome.settlements)
    if write is not None and isinstance(ledger, Ledger):
        # One round trip instead of three; the records skip the outbox (see FINISH_AND_WRITE_LUA).
        folded = settlements.pop() if settlements else None
        for pending in settlements:  # an item answers once: never more than one
            await pending.run()
        replies = await _finish_and_write(client, Part(script_keys, args), Part(*write), folded)
        if int(replies[0][0]) == 0:
            return False
        ledger.announce(outcome.records, replies[1])
        return True
    for pending in settlements:  # a Cluster: the budgets' slot is not the job's
        await pending.run()
    for record in outcome.records:
        args += [record.id, record.model_dump_json()]
    reply = await _script(client, FINISH_LUA)(keys=script_keys, args=args)
    if int(reply) == 0:
        return False
    if outcome.records:
        await ledger.awrite(outcome.records)
    return True


async def _finish_and_write(
    client: aioredis.Redis, finish: Part, write: Part, settlement: Settlement | None
) -> list[Any]:
    """The finish and write parts' replies, after the settlement's when there is one."""
    if settlement is None:
        keys, args = pack([finish, write])
        replies: list[Any] = await coalesced(client).run(_script(client, FINISH_AND_WRITE_LUA), keys, args)
        return replies
    keys, args = pack([settlement.part, finish, write])
    try:
        # With the finishes of the other items of this turn of the loop, in one pipeline.
        replies = await coalesced(client).run(_script(client, SETTLE_FINISH_AND_WRITE_LUA), keys, args)
    except Exception:
        # The chunk will be retried, but the call was billed: settle on its own if Redis lets
        # us (settling twice counts once, should the script have run after all).
        with contextlib.suppress(Exception):
            await settlement.run()
        raise
    settlement.settled(replies[0])
    return replies[1:]


async def drain_outbox(client: aioredis.Redis, keys: JobKeys, chunk: int, ledger: RecordWriter) -> list[str]:
    """Move to the ledger what an earlier delivery of the chunk left in its outbox; their ids."""
    left = await client.hgetall(keys.outbox(chunk))
    if not left:
        return []
    records = [CostRecord.model_validate_json(payload) for payload in left.values()]
    await ledger.awrite(records)
    return [record.id for record in records]


async def clear_outbox(client: aioredis.Redis, keys: JobKeys, chunk: int, ids: Sequence[str]) -> None:
    """Forget the outbox records this delivery saw reach the ledger."""
    if ids:
        await client.hdel(keys.outbox(chunk), *ids)


_scripts: weakref.WeakKeyDictionary[aioredis.Redis, dict[str, AsyncScript]] = weakref.WeakKeyDictionary()


def _script(client: aioredis.Redis, source: str) -> AsyncScript:
    # EVALSHA, loading the script on NOSCRIPT: the source is sent once per server, not per item.
    scripts = _scripts.get(client)
    if scripts is None:
        scripts = _scripts[client] = {}
    script = scripts.get(source)
    if script is None:
        script = scripts[source] = client.register_script(source)
    return script
