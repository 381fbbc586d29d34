"""Per-chunk leases: a killed worker's chunks come back in seconds, not after the visibility timeout.

Redis redelivers an unacknowledged message only after the broker's visibility
timeout (an hour by default, and it must stay longer than any chunk, or a
slow live chunk would be delivered twice). So every delivery of a chunk holds
a short lease, a member of one sorted set scored by its expiry on Redis's
clock:

- the worker that receives the message takes it at once (Celery's
  ``task_received``, before the task waits for a pool slot or its ETA), for
  ``RECEIPT_S`` past the ETA: a worker killed between taking a message and
  starting it (the moment a chunk ends and the next one arrives) leaves a
  lease that lapses, not a message the broker keeps for an hour;
- the running chunk takes it again for ``LEASE_S`` and renews it while it runs.

Every serving worker process also reaps: a lease that lapsed belongs to a
worker that died (SIGKILL, OOM, a lost host), so the reaper claims it, queues
the chunk again and forgets the lease. The new delivery skips the items already
finished (their result keys exist) and finishes the rest exactly once; the dead
worker's original message, restored by the broker an hour later, finds nothing
left to do.

A lease names its delivery (the Celery task id), so two deliveries of one chunk
(a redelivery beside a slow original) hold a lease each, and the one that ends
first does not take the other's away.

The same loop writes this process's heartbeat, so ``router status`` lists the
live workers and when each was last heard from.

    router:batch:leases    ZSET  "<job>:<start>:<stop>:<delivery>" -> lease expiry (ms, Redis TIME)
    router:batch:workers   ZSET  "<host>:<pid>"                    -> last heartbeat (ms, Redis TIME)
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

import redis
import redis.asyncio as aioredis
import structlog

from router._state._store import STORE_ERRORS, Store

if TYPE_CHECKING:
    from router._batch._rescue import Rescuer

log = structlog.get_logger("router.batch")

LEASE_S = 15.0
"""A running chunk's lease: a worker silent this long is taken for dead."""
RECEIPT_S = 2 * LEASE_S
"""A received chunk's lease past its ETA: ample for a pool slot, short beside the visibility timeout."""
RENEW_S = 5.0
"""How often a running chunk renews its lease (a third of it, so two renewals may be missed)."""
REAP_S = 5.0
"""How often each serving process looks for lapsed leases (and beats its heart)."""
LIVE_S = 3 * REAP_S
"""A worker whose heartbeat is older than this is not live."""
_FORGET_WORKERS_S = 3600.0
_REAP_BATCH = 20

_NOW_MS = (
    "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
)

# KEYS: leases. ARGV: member, lease ms. Take or renew: the expiry moves on from Redis's now.
_HOLD = _NOW_MS + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return now"

# KEYS: leases. ARGV: lease ms, limit. Claim lapsed leases for one lease time; return member, score pairs.
_CLAIM = (
    _NOW_MS
    + """
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
local until_ = now + tonumber(ARGV[1])
for _, member in ipairs(lapsed) do
  redis.call('ZADD', KEYS[1], until_, member)
  table.insert(claimed, member)
end
return {string.format('%.0f', until_), claimed}
"""
)

# KEYS: leases. ARGV: member, the claim's score. Forget a claimed lease unless a new delivery took it.
_FORGET = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
"""

# KEYS: workers. ARGV: member, forget after ms.
_BEAT = (
    _NOW_MS
    + """
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now
"""
)

Redispatch = Callable[[str, Sequence[tuple[int, int]]], None]


def leases_key(store: Store) -> str:
    return store.key("batch", "leases")


def workers_key(store: Store) -> str:
    return store.key("batch", "workers")


def member(job_id: str, start: int, stop: int, delivery: str) -> str:
    return f"{job_id}:{start}:{stop}:{delivery}"


def parse_member(value: bytes | str) -> tuple[str, int, int]:
    """The job and chunk a lease is for (its delivery is only there to tell leases apart)."""
    text = value.decode() if isinstance(value, bytes) else value
    job_id, start, stop, _delivery = text.rsplit(":", 3)
    return job_id, int(start), int(stop)


def hold_on_receipt(
    client: redis.Redis, store: Store, job_id: str, start: int, stop: int, delivery: str, *, hold_s: float
) -> None:
    """Take a received chunk's lease for ``hold_s`` (the worker's consumer calls it, synchronously)."""
    client.eval(_HOLD, 1, leases_key(store), member(job_id, start, stop, delivery), int(hold_s * 1000))


@asynccontextmanager
async def leased(
    client: aioredis.Redis,
    store: Store,
    job_id: str,
    start: int,
    stop: int,
    delivery: str,
    *,
    lease_s: float = LEASE_S,
    renew_s: float = RENEW_S,
) -> AsyncIterator[None]:
    """Hold the delivery's lease while the body runs, renewing it; release it however the body ends."""
    key, name = leases_key(store), member(job_id, start, stop, delivery)
    lease_ms = int(lease_s * 1000)
    await client.eval(_HOLD, 1, key, name, lease_ms)

    ended = asyncio.Event()

    async def renew() -> None:
        # Stopped by an event, never by cancelling: on Python 3.11 a cancel that lands while a
        # redis-py command with a socket timeout finishes is lost (its ``asyncio.wait_for``
        # returns the reply instead), and a renewal loop that missed it would hold the lease,
        # and the chunk's end, forever.
        while not await _wait(ended, renew_s):
            with suppress(*STORE_ERRORS):  # a missed renewal is retried; two in a row may cost a rerun
                await client.eval(_HOLD, 1, key, name, lease_ms)

    renewing = asyncio.get_running_loop().create_task(renew())
    try:
        yield
    finally:
        ended.set()
        await asyncio.shield(renewing)  # a renewal in flight ends within the socket timeout
        with suppress(*STORE_ERRORS):  # an unreleased lease lapses; the rerun it causes skips what is done
            await client.zrem(key, name)


async def _wait(event: asyncio.Event, timeout_s: float) -> bool:
    """Whether ``event`` was set within ``timeout_s``."""
    with suppress(TimeoutError):
        async with asyncio.timeout(timeout_s):
            await event.wait()
    return event.is_set()


@dataclass
class Keeper:
    """A serving worker process's background duty: its heartbeat, and reaping lapsed leases."""

    store: Store
    client: aioredis.Redis
    redispatch: Redispatch
    name: str = ""
    lease_s: float = LEASE_S
    every_s: float = REAP_S
    rescuer: Rescuer | None = None
    """Queues again the jobs a Redis broker lost a message of (see ``_rescue``)."""

    def __post_init__(self) -> None:
        self.name = self.name or f"{socket.gethostname()}:{os.getpid()}"

    async def run_forever(self) -> None:
        while True:
            try:
                await self.beat()
                await self.reap()
            except Exception as exc:  # Redis or the broker away: next round; the keeper must never stop
                log.warning("batch.keeper_failed", error_type=type(exc).__name__)
            _raise_if_cancelling()
            await asyncio.sleep(self.every_s)

    async def beat(self) -> None:
        await self.client.eval(_BEAT, 1, workers_key(self.store), self.name, int(_FORGET_WORKERS_S * 1000))

    async def reap(self) -> int:
        """Queue again every chunk whose lease lapsed, and every stalled job; returns how many."""
        key = leases_key(self.store)
        score, claimed = await self.client.eval(_CLAIM, 1, key, int(self.lease_s * 1000), _REAP_BATCH)
        for name in claimed:
            job_id, start, stop = parse_member(name)
            log.warning("batch.chunk_lease_lapsed", job_id=job_id, start=start, stop=stop, by=self.name)
            await asyncio.to_thread(self.redispatch, job_id, [(start, stop)])
            await self.client.eval(_FORGET, 1, key, name, score)
        return len(claimed) + await self.rescue()

    async def rescue(self) -> int:
        """Queue again the jobs that wait on nothing (see ``_rescue``); returns how many."""
        if self.rescuer is None:
            return 0
        held: list[bytes] = await self.client.zrange(leases_key(self.store), 0, -1)  # type: ignore[assignment]
        leased_jobs = {parse_member(name)[0] for name in held}
        rescued = 0
        for job_id, valid in await self.rescuer.stalled(leased_jobs):
            if await self.rescuer.claim(job_id):
                log.warning("batch.job_rescued", job_id=job_id, items=valid, by=self.name)
                await asyncio.to_thread(self.redispatch, job_id, self.rescuer.ranges(valid))
                rescued += 1
        return rescued


def _raise_if_cancelling() -> None:
    # A cancel that redis-py lost (see ``leased``) is still counted on the task: honour it.
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def heartbeats(store: Store) -> list[tuple[str, float]]:
    """Worker processes heard from within ``LIVE_S``, with the age of their last heartbeat in seconds."""
    client = store.sync()
    seconds, micros = client.time()
    now_ms = int(seconds) * 1000 + int(micros) // 1000
    found: list[tuple[bytes, float]] = client.zrangebyscore(  # type: ignore[assignment]
        workers_key(store), now_ms - LIVE_S * 1000, "+inf", withscores=True
    )
    return [(_text(name), (now_ms - score) / 1000) for name, score in found]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
