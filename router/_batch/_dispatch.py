"""Queueing a job's chunks: Celery over the shared Redis, or the embedded runner."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from router._batch._submit import ChunkRange, Dispatch
from router._settings import Settings
from router._state._store import Store

_apps: dict[str, Any] = {}
_apps_lock = threading.Lock()


def celery_dispatch(
    store: Store, broker_url: str | None = None, *, settings: Settings | None = None
) -> Dispatch:
    """Send one Celery message per chunk to the broker: ``broker_url`` (``ROUTER_BROKER_URL``), else
    the store's own Redis."""

    def dispatch(job_id: str, ranges: Sequence[ChunkRange]) -> None:
        from kombu.exceptions import OperationalError

        from router._batch._celery import dispatch_chunks

        url = broker_url or store.settings.url
        assert url is not None, "the embedded store has no broker; use the embedded runner"
        try:
            dispatch_chunks(_app_for(url, settings), job_id, ranges)
        except OperationalError as exc:
            raise store.unavailable(exc) from None

    return dispatch


def _app_for(url: str, settings: Settings | None = None) -> Any:
    # One app (and so one broker connection pool) per broker URL for the life of the process.
    with _apps_lock:
        if url not in _apps:
            from router._batch._celery import create_app

            _apps[url] = create_app(settings or Settings.defaults(), broker=url)
        return _apps[url]
