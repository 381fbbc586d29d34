"""Who serves the batch queue: live Celery workers and the queue's depth on the broker.

Workers are found with Celery's own remote-control ping (a broadcast over the
broker that each worker answers), so nothing extra runs in a worker to be seen;
a worker that does not answer within the timeout is not live.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from router._state._store import STORE_ERRORS, Store

PING_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class LiveWorker:
    hostname: str
    answered_ms: float
    """How long its answer to the ping took: a heartbeat taken just now."""


@dataclass(frozen=True)
class QueueDepth:
    waiting: int
    """Chunk messages queued and not yet taken by a worker."""
    unacked: int
    """Messages a worker has taken and not yet acknowledged (running, or held by a dead worker)."""


def live_workers(
    store: Store, broker: str | None = None, *, timeout_s: float = PING_TIMEOUT_S
) -> list[LiveWorker]:
    """The workers on ``broker`` (``ROUTER_BROKER_URL``, else the store's Redis) that answer a ping
    within ``timeout_s``; none for the embedded store."""
    url = broker or store.settings.url
    if url is None:
        return []
    from kombu.exceptions import OperationalError

    from router._batch._dispatch import _app_for

    started = time.monotonic()
    try:
        replies: list[dict[str, Any]] = _app_for(url).control.ping(timeout=timeout_s) or []
    except (OperationalError, *STORE_ERRORS) as exc:
        raise store.unavailable(exc) from None
    elapsed_ms = (time.monotonic() - started) * 1000
    names = sorted(name for reply in replies for name in reply)
    return [LiveWorker(name, elapsed_ms) for name in names]


def queue_depth(store: Store, broker: str | None = None) -> QueueDepth | None:
    """Messages waiting in the batch queue and taken but unacknowledged; None without a Redis broker."""
    url = broker or store.settings.url
    if url is None or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    from router._batch._celery import QUEUE

    client = redis.Redis.from_url(url, socket_timeout=store.settings.socket_timeout_s)
    try:
        # kombu's redis transport: the queue is a list, taken messages sit in the "unacked" hash.
        waiting = int(client.llen(QUEUE))
        unacked = int(client.hlen("unacked"))
    except STORE_ERRORS as exc:
        raise store.unavailable(exc) from None
    finally:
        client.close()
    return QueueDepth(waiting, unacked)


START_WORKER_HINT = "start one: ROUTER_REDIS_URL={url} router worker"
