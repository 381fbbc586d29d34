"""The batch Celery app: its factory, its one task, and what a worker process does at start.

The library owns it; ``workers/`` is only the module that ``celery -A workers``
(and docker-compose's Flower) loads, and ``router worker`` runs the app made
here. The task is thin on purpose: it hands its chunk to the chunk runner
(``_runner``), which the embedded runner calls directly, without Celery.


Reliability settings, as the Celery and kombu documentation recommends for a
Redis broker:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a chunk is acknowledged
  only after it ran, and a chunk whose worker process died is requeued, not
  acknowledged (Celery user guide, "Tasks": acks_late; configuration reference:
  task_reject_on_worker_lost). Tasks may therefore run more than once: each
  item is finished exactly once by ``router._batch._finish``.
- ``worker_prefetch_multiplier = 1``: a worker reserves no more chunks than it
  runs, so a slow worker does not sit on work others could do (user guide,
  "Optimizing": prefetch limits).
- ``visibility_timeout`` longer than the longest chunk: Redis redelivers a
  message not acknowledged within it (user guide, "Using Redis": visibility
  timeout and caveats). A chunk is cut off at 80% of it (``chunk_deadline_s``)
  and retried, so a healthy chunk is never delivered twice.
- ``unacked_restore_throttle = 1``: kombu's redis transport otherwise scans for
  messages of dead workers only every 10th restore interval (kombu
  ``transport/redis.py`` transport options).
- No result backend: results are written to Redis by the task itself.

Creating the app reads no environment and opens no connection: without
``settings`` (``celery -A workers``) they are read from the environment when
the configuration (or a task) first needs them.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from celery import Celery, Task, signals

from router._batch._context import current_context
from router._batch._leases import RECEIPT_S, hold_on_receipt
from router._batch._runner import RETRY_ON, chunk_deadline_s, execute_chunk
from router._errors import ConfigError, UsageError
from router._settings import Settings
from router._state._store import STORE_ERRORS, Store, StoreSettings

log = structlog.get_logger("router.batch")

QUEUE = "router-batch"
RUN_CHUNK = "router.batch.run_chunk"


def broker_url(settings: Settings) -> str:
    """``ROUTER_BROKER_URL``, else the shared ``ROUTER_REDIS_URL``: workers and the SDK use one Redis."""
    url = settings.broker_url or settings.redis_url
    if not url:
        raise UsageError(
            "set ROUTER_REDIS_URL (or ROUTER_BROKER_URL) to the Redis server the batch workers share"
        )
    if not settings.broker_url and StoreSettings(url=url).cluster:
        # kombu's Redis transport speaks to one server, not to a Cluster.
        raise ConfigError(
            "ROUTER_REDIS_URL names a Redis Cluster, which cannot be Celery's broker; set ROUTER_BROKER_URL "
            "to a RabbitMQ (amqp://user:password@host:5672/vhost) or a single Redis (redis://host:6379/0)"
        )
    return url


def app_settings(app: Celery) -> Settings:
    """The settings ``app`` was created with (read from the environment on first use if none)."""
    settings: Settings = app.router_settings()
    return settings


def transport_options(visibility_timeout_s: float, restore_interval_s: float) -> dict[str, Any]:
    return {
        "visibility_timeout": visibility_timeout_s,
        "unacked_restore_interval": restore_interval_s,
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 5,
    }


STATIC_SETTINGS: dict[str, Any] = {
    "task_serializer": "json",
    "accept_content": ["json"],
    "result_serializer": "json",
    "task_ignore_result": True,
    "result_backend": None,
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "task_default_queue": QUEUE,
    "broker_connection_retry_on_startup": True,
    # Chunks keep running on a lost broker connection: their items are finished exactly once
    # anyway, and the redelivered chunk skips them.
    "worker_cancel_long_running_tasks_on_connection_loss": False,
    # After a reconnect, Celery lowers the prefetch count and raises it again from the callbacks
    # of acks; on RabbitMQ the chunks that ran through the reconnect then fail their ack, and the
    # basic.qos sent from that path waited for a reply that never came: the consumer stood still
    # until the broker dropped it (3 min) and never resumed. Full prefetch at once costs at most
    # one extra chunk per slot, whose receipt lease covers it while it waits.
    "worker_enable_prefetch_count_reduction": False,
    "worker_hijack_root_logger": False,
}


def create_app(
    settings: Settings | None = None,
    *,
    broker: str | None = None,
    visibility_timeout_s: float | None = None,
    restore_interval_s: float | None = None,
) -> Celery:
    """A Celery app with the batch task registered, configured from ``settings``.

    Without settings they are read from the environment when the app's configuration (or a
    task) first needs them. ``broker`` and the two intervals override the settings.
    """
    app = Celery("router", set_as_current=False)
    app.conf.update(STATIC_SETTINGS)
    resolved: Callable[[], Settings] = functools.cache(lambda: settings or Settings.load())
    app.router_settings = resolved

    def lazy_defaults() -> dict[str, Any]:
        current = resolved()
        return {
            "broker_url": broker or broker_url(current),
            "broker_transport_options": transport_options(
                visibility_timeout_s or current.batch_visibility_timeout_s,
                restore_interval_s or current.batch_restore_interval_s,
            ),
        }

    app.add_defaults(lazy_defaults)
    _register_task(app)
    signals.worker_init.connect(_preload_before_fork, weak=False, dispatch_uid="router-batch-preload")
    signals.worker_process_init.connect(
        _build_context_after_fork, weak=False, dispatch_uid="router-batch-init"
    )
    signals.task_received.connect(_lease_on_receipt, weak=False, dispatch_uid="router-batch-receipt")
    return app


def _register_task(app: Celery) -> Task:
    @app.task(  # type: ignore[untyped-decorator]  # Celery ships no type hints
        name=RUN_CHUNK,
        # Not shared: each app gets its own task object instead of every app's closures.
        shared=False,
        bind=True,
        autoretry_for=RETRY_ON,
        retry_backoff=1,
        retry_backoff_max=60,
        retry_jitter=True,
        max_retries=60,
    )
    def run_chunk_task(self: Task, job_id: str, start: int, stop: int) -> dict[str, int]:
        context = current_context(app_settings(self.app))
        report = execute_chunk(
            context, job_id, start, stop, deadline_s=task_deadline_s(self.app), delivery=self.request.id
        )
        return {"done": report.done, "skipped": report.skipped}

    task: Task = run_chunk_task
    return task


def task_deadline_s(app: Celery) -> float:
    """How long one chunk task of ``app`` may run (a share of its broker's visibility timeout)."""
    options: dict[str, Any] = app.conf.broker_transport_options or {}
    return chunk_deadline_s(float(options.get("visibility_timeout", 3600)))


_worker_settings: Settings | None = None
"""The settings of the app this process's worker runs, kept in the parent for its children."""


def _preload_before_fork(sender: Any = None, **_: Any) -> None:
    # In the prefork parent, before the children exist: load litellm, the
    # tokenizers and the language models once so every child shares them
    # copy-on-write. No connection, loop or model call happens here. The children
    # inherit the settings with the rest of the parent's memory.
    from router._config import load_routes
    from router._errors import ConfigError
    from router._warm import freeze_preloaded, preload

    global _worker_settings
    _worker_settings = app_settings(sender.app)
    # A bad routes file is reported by each child when it builds its Runtime.
    with contextlib.suppress(ConfigError):
        preload(load_routes(_worker_settings.routes))
    freeze_preloaded()


def _build_context_after_fork(**_: Any) -> None:
    # Prefork children: build the Runtime and the event loop in the child, after the fork.
    if _worker_settings is not None:
        current_context(_worker_settings).serve(_worker_settings)


_receipt_stores: dict[str, Store] = {}


def _lease_on_receipt(sender: Any = None, request: Any = None, **_: Any) -> None:
    # In the process that consumes (the prefork parent, or the only process of the threads
    # pool), the moment a chunk's message arrives: from here until the chunk's own lease, a
    # worker killed would otherwise leave a message the broker keeps for its visibility timeout.
    if request is None or request.name != RUN_CHUNK:
        return
    job_id, start, stop = request.args
    settings = app_settings(request.task.app)
    store = _receipt_store(settings)
    if store.embedded:
        return
    wait_s = 0.0 if request.eta is None else max(0.0, (request.eta - datetime.now(UTC)).total_seconds())
    try:
        hold_on_receipt(store.sync(), store, job_id, start, stop, request.id, hold_s=wait_s + RECEIPT_S)
    except STORE_ERRORS as exc:  # the chunk takes its lease when it starts; until then it has none
        log.warning("batch.receipt_lease_failed", job_id=job_id, start=start, error_type=type(exc).__name__)


def _receipt_store(settings: Settings) -> Store:
    url = settings.redis_url or ""
    if url not in _receipt_stores:
        _receipt_stores[url] = Store(StoreSettings.from_settings(settings))
    return _receipt_stores[url]


def dispatch_chunks(app: Celery, job_id: str, ranges: Sequence[tuple[int, int]]) -> None:
    """Queue one task message per chunk, over one broker connection."""
    with app.producer_or_acquire() as producer:
        for start, stop in ranges:
            app.send_task(RUN_CHUNK, args=(job_id, start, stop), queue=QUEUE, producer=producer)
