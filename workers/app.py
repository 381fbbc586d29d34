"""The Celery app factory.

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

Creating the app reads no environment and opens no connection: the broker URL
is a lazy default resolved when the configuration is first used.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import Any

from celery import Celery, signals

from router._errors import ConfigError
from router._state._store import URL_ENV, StoreSettings

QUEUE = "router-batch"
RUN_CHUNK = "router.batch.run_chunk"

BROKER_ENV = "ROUTER_BROKER_URL"
VISIBILITY_ENV = "ROUTER_BATCH_VISIBILITY_TIMEOUT_S"
RESTORE_INTERVAL_ENV = "ROUTER_BATCH_RESTORE_INTERVAL_S"
DEFAULT_VISIBILITY_TIMEOUT_S = 3600.0
DEFAULT_RESTORE_INTERVAL_S = 10.0


def broker_url_from_env() -> str:
    """``$ROUTER_BROKER_URL``, else the shared ``$ROUTER_REDIS_URL``: workers and the SDK use one Redis."""
    url = os.environ.get(BROKER_ENV) or os.environ.get(URL_ENV)
    if not url:
        raise RuntimeError(f"set {URL_ENV} (or {BROKER_ENV}) to the Redis server the batch workers share")
    if not os.environ.get(BROKER_ENV) and StoreSettings(url=url).cluster:
        # kombu's Redis transport speaks to one server, not to a Cluster.
        raise ConfigError(
            f"{URL_ENV} names a Redis Cluster, which cannot be Celery's broker; set {BROKER_ENV} "
            "to a RabbitMQ (amqp://user:password@host:5672/vhost) or a single Redis (redis://host:6379/0)"
        )
    return url


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


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
    "worker_hijack_root_logger": False,
}


def create_app(
    broker_url: str | None = None,
    *,
    visibility_timeout_s: float | None = None,
    restore_interval_s: float | None = None,
) -> Celery:
    """A Celery app with the batch task registered; unspecified settings come from the environment lazily."""
    app = Celery("router", set_as_current=False)
    app.conf.update(STATIC_SETTINGS)

    def from_env() -> dict[str, Any]:
        return {
            "broker_url": broker_url or broker_url_from_env(),
            "broker_transport_options": transport_options(
                visibility_timeout_s or _env_float(VISIBILITY_ENV, DEFAULT_VISIBILITY_TIMEOUT_S),
                restore_interval_s or _env_float(RESTORE_INTERVAL_ENV, DEFAULT_RESTORE_INTERVAL_S),
            ),
        }

    app.add_defaults(from_env)
    from workers.tasks import register

    register(app)
    signals.worker_init.connect(_preload_before_fork, weak=False, dispatch_uid="router-batch-preload")
    signals.worker_process_init.connect(
        _build_context_after_fork, weak=False, dispatch_uid="router-batch-init"
    )
    return app


def _preload_before_fork(**_: Any) -> None:
    # In the prefork parent, before the children exist: load litellm, the
    # tokenizers and the language models once so every child shares them
    # copy-on-write. No connection, loop or model call happens here.
    from router._config import load_routes
    from router._errors import ConfigError
    from router._warm import preload

    # A bad routes file is reported by each child when it builds its Runtime.
    with contextlib.suppress(ConfigError):
        preload(load_routes())


def _build_context_after_fork(**_: Any) -> None:
    # Prefork children: build the Runtime and the event loop in the child, after the fork.
    from router._batch._context import current_context

    current_context().warm_up()


def dispatch_chunks(app: Celery, job_id: str, ranges: Sequence[tuple[int, int]]) -> None:
    """Queue one task message per chunk, over one broker connection."""
    with app.producer_or_acquire() as producer:
        for start, stop in ranges:
            app.send_task(RUN_CHUNK, args=(job_id, start, stop), queue=QUEUE, producer=producer)


app = create_app()
"""The app ``celery -A workers.app worker`` loads (broker from ``$ROUTER_REDIS_URL``)."""
