"""Chunks whose message the Redis broker lost: a job that waits on nothing is queued again.

kombu's Redis transport takes a message with BRPOP and only then records it as
unacknowledged. A worker killed between the two (the moment a chunk ends and
it asks for the next one, which is when kills land in practice) takes the
message with it: it is in no queue, in no unacknowledged set the broker would
restore, and its chunk never took a lease. The chaos test caught this: 190 of
200 items done, nothing queued, nothing leased, the job in progress for ever.

So each serving worker's keeper also looks for jobs in that state. A job is
*stalled* when it is in progress, the batch queue is empty, no lease names it
(every running or received chunk holds one) and its count of finished items
has not moved since the keeper's previous round. Two rounds apart, that cannot
be a chunk in flight between the queue and its receipt lease (a few
milliseconds), so the keeper queues the job's whole range again, in ranges of
``RESCUE_RANGE`` items. Every delivery skips the items already finished
(their result keys exist), so a rescue finishes the rest exactly once; one
keeper rescues a job at a time (a short ``SET NX``), and a duplicate rescue
would only cost the skipping.

One keeper of the whole fleet looks, the scanner: the first to take a short
lease, renewed each round it looks. The others skip the round with that one
script, so an idle fleet of a hundred workers reads the job list once a round,
not a hundred times. A scanner that dies stops renewing; another takes over
within ``SCANNER_LEASE_MS`` and starts its own two rounds.

RabbitMQ needs none of this (it requeues a lost consumer's deliveries
itself), so the rescue runs only with a Redis broker. While other jobs keep the
queue busy, a stalled job is rescued when the queue drains.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import redis.asyncio as aioredis
import structlog

from router._batch._celery import QUEUE
from router._batch._keys import index_key, job_keys
from router._state._store import Store

log = structlog.get_logger("router.batch")

RESCUE_RANGE = 50
"""Items per message of a rescue: the ranges skip what is done, so few and wide is cheapest."""
RECENT_JOBS = 200
"""How many of the newest jobs each round looks at."""
SCANNER_LEASE_MS = 15_000
"""How long the scanner's lease lasts unrenewed: three of the keeper's 5 s rounds."""
_CLAIM_MS = 60_000

# Take the scanner's lease, or renew it when this keeper holds it: 1 when this keeper looks.
_LEAD = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


@dataclass
class Rescuer:
    """Finds stalled jobs, one keeper round after another (see the module docstring)."""

    store: Store
    client: aioredis.Redis
    broker: aioredis.Redis | None
    """The Redis broker's client; ``None`` for a broker that restores its own deliveries."""
    suspects: dict[str, int] = field(default_factory=dict)
    """Jobs stalled at the previous round, with their finished count then."""
    me: str = field(default_factory=lambda: uuid.uuid4().hex)
    """This keeper's name on the scanner's lease."""

    async def stalled(self, leased_jobs: set[str]) -> list[tuple[str, int]]:
        """Jobs stalled for two rounds, with their item count; updates the suspects."""
        if self.broker is None or not await self._scanning() or await self.broker.llen(QUEUE):
            self.suspects.clear()
            return []
        now = await self._in_progress(leased_jobs)
        stalled = [
            (job_id, valid)
            for job_id, (finished, valid) in now.items()
            if self.suspects.get(job_id) == finished
        ]
        self.suspects = {job_id: finished for job_id, (finished, _) in now.items()}
        return stalled

    @staticmethod
    def ranges(valid: int) -> Sequence[tuple[int, int]]:
        """The ranges that cover a job's ``valid`` queued items."""
        return [(start, min(start + RESCUE_RANGE, valid)) for start in range(0, valid, RESCUE_RANGE)]

    async def _scanning(self) -> bool:
        """Whether this keeper is the fleet's scanner this round (see the module docstring)."""
        key = self.store.key("batch", "rescue", "scanner")
        return bool(await self.client.eval(_LEAD, 1, key, self.me, SCANNER_LEASE_MS))

    async def claim(self, job_id: str) -> bool:
        """Whether this keeper rescues ``job_id`` now (no other keeper did within a minute)."""
        key = self.store.key("batch", "rescue", job_id)
        return bool(await self.client.set(key, "1", nx=True, px=_CLAIM_MS))

    async def _in_progress(self, leased_jobs: set[str]) -> dict[str, tuple[int, int]]:
        """The newest jobs that are in progress and hold no lease: finished count and items queued."""
        names: list[bytes] = await self.client.zrevrange(index_key(self.store), 0, RECENT_JOBS - 1)  # type: ignore[assignment]
        job_ids = [_text(name) for name in names if _text(name) not in leased_jobs]
        if not job_ids:
            return {}
        pipe = self.client.pipeline(transaction=False)
        for job_id in job_ids:
            keys = job_keys(self.store, job_id)
            pipe.hmget(keys.job, ["status", "finished"])
            pipe.llen(keys.items)
        replies = await pipe.execute()
        found: dict[str, tuple[int, int]] = {}
        for job_id, (status, finished), valid in zip(job_ids, replies[::2], replies[1::2], strict=True):
            if status is not None and _text(status) == "in_progress" and valid:
                found[job_id] = (int(finished or 0), int(valid))
        return found


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
