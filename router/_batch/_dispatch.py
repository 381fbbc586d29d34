"""Queueing a job's chunks: Celery over the shared Redis, or the embedded runner."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

from router._batch._submit import ChunkRange, Dispatch
from router._state._store import Store

_apps: dict[str, Any] = {}
_apps_lock = threading.Lock()


def celery_dispatch(store: Store, broker_url: str | None = None) -> Dispatch:
    """Send one Celery message per chunk to the broker: ``broker_url``, else ``$ROUTER_BROKER_URL``,
    else the store's own Redis."""

    def dispatch(job_id: str, ranges: Sequence[ChunkRange]) -> None:
        from kombu.exceptions import OperationalError

        from workers.app import BROKER_ENV, dispatch_chunks

        url = broker_url or os.environ.get(BROKER_ENV) or store.settings.url
        assert url is not None, "the embedded store has no broker; use the embedded runner"
        try:
            dispatch_chunks(_app_for(url), job_id, ranges)
        except OperationalError as exc:
            raise store.unavailable(exc) from None

    return dispatch


def _app_for(url: str) -> Any:
    # One app (and so one broker connection pool) per broker URL for the life of the process.
    with _apps_lock:
        if url not in _apps:
            from workers.app import create_app

            _apps[url] = create_app(url)
        return _apps[url]
