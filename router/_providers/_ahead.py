"""Upstream connections opened while a stream's admission is still in Redis.

A stream's request may leave only once its rate-limit slot and budget hold are granted, a Redis
round trip (``router._calls._admission``). When the upstream has no idle pooled connection (one
that closes its connection after each stream, or the first request after a quiet spell), the
request would then wait again, for the TCP connection. ``OpenAhead`` lets both waits run at
once: the executor asks for a connection to a cleared model's server before it sends the
admission script, and the pool's next new connection to that server takes the one opened.

Only the TCP connection is opened ahead: it carries nothing of the request (no TLS, no header,
no byte of the prompt), so clearance, budget and rate limit still come before anything is sent.
A connection opened but not taken (the admission refused the call, or a pooled connection came
free meanwhile) is closed after ``KEEP_S``; at most ``PER_ORIGIN`` wait per server.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable

import httpcore
import httpx

from router._providers._net import AsyncioBackend

__all__ = ["KEEP_S", "PER_ORIGIN", "OpenAhead", "Upstreams"]

KEEP_S = 2.0
"""How long a connection opened ahead waits to be taken; past that a server may have dropped it."""

PER_ORIGIN = 32
"""Connections opened ahead at most per server (one per stream being admitted)."""

Address = tuple[str, int]

_PORTS = {b"http": 80, b"https": 443}


class Upstreams:
    """An httpx transport whose pool takes connections from an ``OpenAhead``."""

    def __init__(self, limits: httpx.Limits) -> None:
        self.ahead = OpenAhead()
        self.transport = httpx.AsyncHTTPTransport(limits=limits)
        pool = getattr(self.transport, "_pool", None)
        # httpx takes no network backend for its pool: it is set on the pool (httpx 0.28,
        # httpcore 1.0). A release that moves it opens connections at request time, as before.
        self._pool = pool if isinstance(pool, httpcore.AsyncConnectionPool) else None
        if self._pool is not None and hasattr(self._pool, "_network_backend"):
            self._pool._network_backend = self.ahead
        else:
            self._pool = None

    def open_ahead(self, client: httpx.AsyncClient, url: httpx.URL, timeout: float | None) -> None:
        """Open a connection for a request to ``url`` that ``client`` is about to send, unless
        the pool has an idle one for its server or the request would not go through this pool."""
        if self._pool is None or not _through(client, url, self.transport):
            return
        scheme = url.raw_scheme
        origin = httpcore.Origin(scheme, url.raw_host, url.port or _PORTS.get(scheme, 80))
        for connection in self._pool.connections:
            if connection.can_handle_request(origin) and connection.is_idle():
                return
        self.ahead.open(origin.host.decode("ascii"), origin.port, timeout)


def _through(client: httpx.AsyncClient, url: httpx.URL, transport: httpx.AsyncBaseTransport) -> bool:
    """Whether ``client`` sends a request to ``url`` through ``transport`` (not a proxy's)."""
    route = getattr(client, "_transport_for_url", None)
    return route is not None and route(url) is transport


class OpenAhead(httpcore.AsyncNetworkBackend):
    """A network backend for an httpcore pool that hands out TCP connections opened ahead."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None, *, keep_s: float = KEEP_S) -> None:
        self._inner = inner or AsyncioBackend()
        self._keep_s = keep_s
        self._waiting: dict[Address, list[tuple[float, asyncio.Task[httpcore.AsyncNetworkStream]]]] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self.opened = 0
        """Connections opened ahead; ``taken`` of them went to a request."""
        self.taken = 0

    def open(self, host: str, port: int, timeout: float | None) -> None:
        """Start connecting to ``host:port`` in the background (called in an event loop)."""
        self._expire()
        waiting = self._waiting.setdefault((host, port), [])
        if len(waiting) >= PER_ORIGIN:
            return
        connect = self._inner.connect_tcp(host, port, timeout=timeout)
        waiting.append((time.monotonic() + self._keep_s, asyncio.ensure_future(connect)))
        self.opened += 1

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self._expire()
        waiting = self._waiting.get((host, port))
        if waiting and local_address is None and socket_options is None:
            _, pending = waiting.pop(0)
            try:
                stream = await pending
            except Exception:  # a connection of its own, below, says what is wrong
                pass
            else:
                self.taken += 1
                return stream
        return await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    def waiting(self) -> int:
        """Connections opened ahead (or being opened) that no request has taken yet."""
        return sum(len(waiting) for waiting in self._waiting.values())

    async def aclose(self) -> None:
        """Close every connection still waiting (the client is closing)."""
        pending = [task for waiting in self._waiting.values() for _, task in waiting]
        self._waiting.clear()
        await asyncio.gather(*(_close(task) for task in pending))

    def _expire(self) -> None:
        now = time.monotonic()
        for address, waiting in list(self._waiting.items()):
            while waiting and waiting[0][0] <= now:
                _, task = waiting.pop(0)
                closing = asyncio.ensure_future(_close(task))
                self._closing.add(closing)  # a task nobody holds may be collected half way
                closing.add_done_callback(self._closing.discard)
            if not waiting:
                del self._waiting[address]


async def _close(task: asyncio.Task[httpcore.AsyncNetworkStream]) -> None:
    """Close what ``task`` opened, or stop it opening; its failure, if any, is nobody's now."""
    if not task.done():
        task.cancel()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        stream = await task
        await stream.aclose()
