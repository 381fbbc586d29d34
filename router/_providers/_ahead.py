"""The direct streams' connections: kept alive per server, and opened while a call is admitted.

A stream's request may leave only once its rate-limit slot and budget hold are granted, a Redis
round trip (``router._calls._admission``). When the upstream has no idle connection (one that
closes its connection after each stream, or the first request after a quiet spell), the request
would then wait again, for the TCP connection. ``open_ahead`` lets both waits run at once: the
executor asks for a connection to a cleared model's server before it sends the admission
script, and the pool's next request to that server that finds no idle connection takes it.

Only the TCP connection is opened ahead: it carries nothing of the request (no TLS, no header,
no byte of the prompt), so clearance, budget and rate limit still come before anything is sent.
A connection opened but not taken (the admission refused the call, or an idle connection came
free meanwhile) is closed after ``KEEP_S``; at most ``PER_ORIGIN`` wait per server. An idle
connection is kept ``IDLE_S`` at most (httpcore's keep-alive expiry), ``MAX_IDLE`` per server.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

import httpx

from router._providers._http1 import ConnectError, Connection

__all__ = ["END_S", "IDLE_S", "KEEP_S", "MAX_IDLE", "PER_ORIGIN", "Pool", "Target", "target"]

KEEP_S = 2.0
"""How long a connection opened ahead waits to be taken; past that a server may have dropped it."""

PER_ORIGIN = 32
"""Connections opened ahead at most per server (one per stream being admitted)."""

IDLE_S = 5.0
"""How long an idle kept-alive connection is reused; servers drop idle ones after a while."""

END_S = 1.0
"""How long the rest of an answer read up to its ``data: [DONE]`` is awaited to keep its connection."""

MAX_IDLE = 100
"""Idle connections kept per server (the ``openai`` package's own keep-alive limit)."""

Origin = tuple[str, str, int]
"""Scheme, host and port."""


@dataclass(frozen=True)
class Target:
    """Where a request goes: its server, and the start of its head (request line and Host)."""

    origin: Origin
    start: bytes


@lru_cache(maxsize=256)
def target(url: str) -> Target:
    """``url`` split once: the request line and ``Host`` header of a POST to it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    default = 443 if scheme == "https" else 80
    port = parts.port or default
    host = parts.hostname if parts.hostname.isascii() else parts.hostname.encode("idna").decode("ascii")
    shown = f"[{host}]" if ":" in host else host
    authority = shown if port == default else f"{shown}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # As httpx writes a URL: what is not ASCII (or is a space) percent-escaped, escapes kept.
    path = quote(path, safe="/?#[]@!$&'()*+,;=:%-._~")
    return Target((scheme, host, port), f"POST {path} HTTP/1.1\r\nhost: {authority}\r\n".encode("ascii"))


class Pool:
    """Connections per server for one event loop: idle ones, and ones opened ahead."""

    def __init__(self, *, keep_s: float = KEEP_S, idle_s: float = IDLE_S) -> None:
        self._keep_s = keep_s
        self._idle_s = idle_s
        self._idle: dict[Origin, list[Connection]] = {}
        self._waiting: dict[Origin, list[tuple[float, asyncio.Task[Connection]]]] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._ending: dict[asyncio.Future[None], Connection] = {}
        self._ssl: ssl.SSLContext | None = None
        self.opened = 0
        """Connections opened ahead; ``taken`` of them went to a request."""
        self.taken = 0

    def open_ahead(self, to: Target, timeout: float | None) -> None:
        """Start connecting to ``to``'s server unless an idle connection to it is kept."""
        origin = to.origin
        if any(connection.reusable for connection in self._idle.get(origin, ())):
            return
        self._expire()
        waiting = self._waiting.setdefault(origin, [])
        if len(waiting) >= PER_ORIGIN:
            return
        connect = asyncio.ensure_future(self._connect_tcp(origin, timeout))
        waiting.append((asyncio.get_running_loop().time() + self._keep_s, connect))
        self.opened += 1

    async def connection(self, to: Target, timeout: float | None) -> Connection:
        """An idle connection to ``to``'s server, else one opened ahead, else a new one."""
        origin = to.origin
        connection = self._idle_one(origin)
        if connection is None:
            connection = await self._ahead_one(origin) or await self._connect_tcp(origin, timeout)
            if origin[0] == "https":
                await self._start_tls(connection, origin[1], timeout)
        return connection

    def release(self, connection: Connection, to: Target) -> None:
        """Keep ``connection`` for the next request to ``to``'s server, or close it."""
        connection.settle()
        idle = self._idle.setdefault(to.origin, [])
        # The oldest first: requests take the newest, so the old would otherwise stay put.
        now = asyncio.get_running_loop().time()
        while idle and not (idle[0].reusable and now - idle[0].idle_since < self._idle_s):
            idle.pop(0).close()
        if connection.reusable and len(idle) < MAX_IDLE:
            idle.append(connection)
        else:
            connection.close()

    def release_at_end(self, connection: Connection, to: Target) -> None:
        """``release``, once the rest of an answer read up to its last event has arrived.

        A stream's ``data: [DONE]`` comes before its body's end (a chunked body's last, empty
        chunk), often in a later packet; released at once, the connection would be closed, and
        the next stream to the server would wait for a new one (and its TLS handshake). The
        rest is awaited in the background for at most ``END_S``, so nobody waits for it.
        """
        connection.settle()
        if connection.reusable:
            self.release(connection, to)
            return
        ending = asyncio.ensure_future(self._at_end(connection, to))
        self._ending[ending] = connection
        ending.add_done_callback(self._ending.pop)

    async def _at_end(self, connection: Connection, to: Target) -> None:
        await connection.rest(END_S)
        self.release(connection, to)

    def waiting(self) -> int:
        """Connections opened ahead (or being opened) that no request has taken yet."""
        return sum(len(waiting) for waiting in self._waiting.values())

    async def aclose(self) -> None:
        """Close every idle connection and every one still waiting to be taken or ending."""
        for ending, connection in list(self._ending.items()):
            ending.cancel()
            connection.close()
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        pending = [task for waiting in self._waiting.values() for _, task in waiting]
        self._waiting.clear()
        await asyncio.gather(*(_close(task) for task in pending))

    def _idle_one(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin)
        now = asyncio.get_running_loop().time()
        while idle:
            connection = idle.pop()  # the most recent: the least likely to have been dropped
            if connection.reusable and now - connection.idle_since < self._idle_s:
                return connection
            connection.close()
        return None

    async def _ahead_one(self, origin: Origin) -> Connection | None:
        self._expire()
        waiting = self._waiting.get(origin)
        if not waiting:
            return None
        _, pending = waiting.pop(0)
        try:
            connection = await pending
        except Exception:  # a connection of the request's own says what is wrong
            return None
        if not connection.reusable:  # the server dropped it meanwhile
            connection.close()
            return None
        self.taken += 1
        return connection

    async def _connect_tcp(self, origin: Origin, timeout: float | None) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(lambda: Connection(loop), origin[1], origin[2])
        except OSError as exc:
            raise ConnectError(f"could not connect ({type(exc).__name__}: {exc.strerror or exc})") from None
        return connection

    async def _start_tls(self, connection: Connection, host: str, timeout: float | None) -> None:
        if connection.tls:
            return
        assert connection.transport is not None
        try:
            async with asyncio.timeout(timeout):
                transport = await asyncio.get_running_loop().start_tls(
                    connection.transport, connection, self._context(), server_hostname=host
                )
        except (OSError, ssl.SSLError) as exc:
            connection.close()
            raise ConnectError(f"TLS failed ({type(exc).__name__})") from None
        except BaseException:
            connection.close()
            raise
        if transport is None:
            raise ConnectError("TLS failed (the connection closed)")
        connection.transport = transport
        connection.tls = True

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            # httpx's own: certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR when set.
            context = httpx.create_ssl_context()
            context.set_alpn_protocols(["http/1.1"])
            self._ssl = context
        return self._ssl

    def _expire(self) -> None:
        now = asyncio.get_running_loop().time()
        for origin, waiting in list(self._waiting.items()):
            while waiting and waiting[0][0] <= now:
                _, task = waiting.pop(0)
                closing = asyncio.ensure_future(_close(task))
                self._closing.add(closing)  # a task nobody holds may be collected half way
                closing.add_done_callback(self._closing.discard)
            if not waiting:
                del self._waiting[origin]


async def _close(task: asyncio.Task[Connection]) -> None:
    """Close what ``task`` opened, or stop it opening; its failure, if any, is nobody's now."""
    if not task.done():
        task.cancel()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        (await task).close()
