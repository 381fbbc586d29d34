"""The Redis connection every shared component uses.

In production ``ROUTER_REDIS_URL`` names the server; all processes (CLI, SDK,
Celery workers) share rate limits, cool-downs, budgets, the ledger and batch
jobs through it. With no URL the embedded default is an in-process fakeredis
server: the same commands and Lua scripts, with nothing to install.

Connections time out quickly so an unreachable Redis is a clear
``StoreUnavailable`` error, never a hang.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis

from router._errors import StoreUnavailable

URL_ENV = "ROUTER_REDIS_URL"


@dataclass(frozen=True)
class StoreSettings:
    """How to reach Redis. ``url=None`` means the embedded in-process store."""

    url: str | None = None
    socket_timeout_s: float = 5.0
    connect_timeout_s: float = 2.0
    prefix: str = "router"

    @classmethod
    def from_env(cls, url: str | None = None) -> StoreSettings:
        return cls(url=url if url is not None else (os.environ.get(URL_ENV) or None))

    @property
    def embedded(self) -> bool:
        return self.url is None

    @property
    def safe_url(self) -> str:
        """The URL with any password removed, for messages and logs."""
        if self.url is None:
            return "embedded (in-process)"
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Store:
    """Sync and async clients for one Redis (or the embedded server)."""

    def __init__(self, settings: StoreSettings | None = None) -> None:
        self.settings = settings or StoreSettings.from_env()
        self._sync: redis.Redis | None = None

    @property
    def embedded(self) -> bool:
        return self.settings.embedded

    def key(self, *parts: str) -> str:
        """A namespaced key: ``router:<part>:<part>``."""
        return ":".join((self.settings.prefix, *parts))

    def sync(self) -> redis.Redis:
        """The synchronous client (created once)."""
        if self._sync is None:
            self._sync = _embedded_sync() if self.embedded else self._real_sync()
        return self._sync

    def aio(self, *, caller_times_out: bool = False) -> aioredis.Redis:
        """A new asyncio client. Create one per event loop: its pool is bound to the loop.

        ``caller_times_out=True`` leaves the per-command timeout to the caller, who
        wraps each command in ``asyncio.timeout(settings.socket_timeout_s)``: on
        Python 3.11 redis-py's own socket timeout sends every command through
        ``asyncio.wait_for``, which costs a task per command on the hot call path.
        """
        if self.embedded:
            return _embedded_async()
        assert self.settings.url is not None
        options = self._options()
        if caller_times_out:
            options["socket_timeout"] = None
        return aioredis.Redis.from_url(self.settings.url, **options)

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless Redis answers."""
        try:
            self.sync().ping()
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise self.unavailable(exc) from None

    def unavailable(self, exc: BaseException) -> StoreUnavailable:
        return StoreUnavailable(
            f"Redis at {self.settings.safe_url} is unreachable ({type(exc).__name__}: {exc}); "
            f"start it, or unset {URL_ENV} to use the embedded in-process store",
            url=self.settings.safe_url,
        )

    def _real_sync(self) -> redis.Redis:
        assert self.settings.url is not None
        return redis.Redis.from_url(self.settings.url, **self._options())

    def _options(self) -> dict[str, Any]:
        return {
            "socket_timeout": self.settings.socket_timeout_s,
            "socket_connect_timeout": self.settings.connect_timeout_s,
            "health_check_interval": 30,
        }


STORE_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)
"""What a Redis call raises when the server is unreachable."""

_embedded_lock = threading.Lock()
_embedded_server: Any = None


def _server() -> Any:
    # One fakeredis server per process, shared by every sync and async client,
    # so the SDK, the in-thread worker and reports all see the same data.
    global _embedded_server
    with _embedded_lock:
        if _embedded_server is None:
            import fakeredis

            _embedded_server = fakeredis.FakeServer()
        return _embedded_server


def _embedded_sync() -> redis.Redis:
    import fakeredis

    client: redis.Redis = fakeredis.FakeRedis(server=_server())
    return client


def _embedded_async() -> aioredis.Redis:
    import fakeredis

    client: aioredis.Redis = fakeredis.FakeAsyncRedis(server=_server())
    return client
