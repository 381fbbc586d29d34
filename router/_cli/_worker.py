"""``router worker``: a Celery worker for batch jobs, with the project's settings.

The default pool is ``prefork`` with one child per CPU: routing, token
counting and litellm's own bookkeeping cost CPU per item, and one process is
bound by its GIL. Each child builds its own event loop and Runtime after the
fork (``worker_process_init``) and runs one chunk at a time, the chunk's
items concurrently on its loop; the parent never builds a Runtime or calls a
model. ``--pool threads`` runs ``--concurrency`` chunks in one process on one
loop instead (less memory, one CPU).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from router._cli._common import OK, add_routes_option
from router._errors import UsageError
from router._settings import Settings

POOLS = ("threads", "prefork", "solo")


def register(commands: Any) -> None:
    worker = commands.add_parser("worker", help="run a batch worker (Celery) on the shared Redis")
    worker.add_argument(
        "--concurrency",
        type=_positive_int,
        default=None,
        help="chunks run at once: processes (default: one per CPU), or threads with --pool threads (8)",
    )
    worker.add_argument("--pool", choices=POOLS, default="prefork", help="Celery pool (default: prefork)")
    worker.add_argument(
        "--in-flight",
        type=_positive_int,
        default=None,
        help="model calls in flight per worker process at most (default: $ROUTER_BATCH_IN_FLIGHT or 64)",
    )
    worker.add_argument("--loglevel", default="info", help="Celery log level (default: info)")
    worker.add_argument("--hostname", "-n", default=None, help="worker node name (default: router@<host>)")
    worker.add_argument("--events", "-E", action="store_true", help="send task events (for Flower)")
    add_routes_option(worker)
    worker.set_defaults(handler=_worker)


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value}")
    return number


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from router._state._store import Store, StoreSettings

    # The app keeps these settings; prefork children inherit them with the parent's memory.
    settings = settings.with_changes(routes=settings.routes.absolute(), batch_in_flight=args.in_flight)
    store = Store(StoreSettings.from_settings(settings))
    if store.embedded:
        raise UsageError(
            "a worker serves a shared Redis: set ROUTER_REDIS_URL (without it, `router batch submit --wait` "
            "runs the job in its own process)"
        )
    store.ping()
    if args.pool != "prefork":
        # One process runs every task: build its Runtime now rather than on the first chunk.
        # Under prefork the parent builds nothing; each child builds its own after the fork.
        from router._batch._context import current_context

        current_context(settings).serve(settings)
    from router._batch._celery import QUEUE, create_app

    app = create_app(settings)
    app.worker_main(argv=_celery_argv(args, QUEUE))
    return OK


def _celery_argv(args: argparse.Namespace, queue: str) -> list[str]:
    concurrency = args.concurrency or (8 if args.pool == "threads" else os.cpu_count() or 1)
    argv = [
        "worker",
        f"--pool={args.pool}",
        f"--concurrency={1 if args.pool == 'solo' else concurrency}",
        f"--loglevel={args.loglevel}",
        f"--queues={queue}",
        "--without-gossip",
        "--without-mingle",
    ]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    if args.events:
        argv.append("--events")
    return argv
