"""The Celery app that ``celery -A workers`` (and docker-compose's Flower) loads.

The library owns the app (``router._batch._celery``: its factory, its task and
what a worker process does at start) and the chunk runner; this module only
makes the app for the Celery command line. Its settings are read from the
environment when the app is first used, not at import. ``router worker`` runs
the same app, with its settings and preloading; prefer it.
"""

from router._batch._celery import create_app

app = create_app()
"""The app ``celery -A workers`` loads (broker from ``ROUTER_BROKER_URL``, else ``ROUTER_REDIS_URL``)."""

__all__ = ["app"]
