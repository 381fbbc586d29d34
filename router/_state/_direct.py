"""A script sent alone, on a Redis connection of its own, past redis-py's per-command path.

A lone stream's admission (``router._calls._admission``) is one EVALSHA, and its round trip
sits in the stream's time to first token. Through redis-py's asyncio client each command takes
a connection from the pool (a lock, a health check), packs its arguments, reads its reply line
by line through a ``StreamReader`` and gives the connection back: ~160 µs of CPU and ~280 µs of
wall time more than the bytes themselves on this project's 2-core machine (EVALSHA of a small
script, 3,000 in a row, process time and wall clock per call). ``Direct`` is one connection
per event loop that writes the command's bytes and parses its reply in the protocol's
``data_received`` with hiredis: the same server, database and credentials as the URL's redis-py
client.

- Only a single server over TCP or a Unix socket, without TLS, and a URL with no options beyond
  host, port, database and credentials (``direct_address`` says): anything else keeps redis-py.
- The reply is what redis-py returns without ``decode_responses``: bulk and status replies as
  ``bytes``, integers as ``int``, arrays as lists, nil as ``None``; an error reply is raised as
  the exception redis-py would raise (``NoScriptError`` for NOSCRIPT), one inside an array is
  left in it as the exception object.
- ``pipeline`` sends several commands in one write (``router._state._coalesced``: the scripts
  asked for in one turn of the loop) and returns their replies together, as redis-py's pipeline
  without MULTI does with ``raise_on_error=False``: an error reply in its place, as the exception
  object; a dead or late server fails the whole pipeline.
- Replies come back in the order the commands went, so a caller that stops waiting (a cancel)
  leaves its place: its reply, when it comes, is dropped. A reply later than the socket timeout
  drops the connection (as redis-py does), failing what else waits on it with ``ConnectionError``;
  the next command connects again, as does the first command after ``IDLE_S`` without one (where
  redis-py would PING first: a connection idle that long may have been dropped on the way).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import hiredis
import redis
from redis._parsers.base import BaseParser
from redis.asyncio.connection import parse_url

from router._state._packing import hiredis_packer

__all__ = ["Address", "Direct", "direct_address"]

Arg = str | int | float | bytes

IDLE_S = 30.0
"""A connection unused this long is replaced before the next command (redis-py's health check)."""


@dataclass(frozen=True)
class Address:
    """Where the server is and how to log in: a TCP ``host``/``port`` or a Unix socket ``path``."""

    host: str = "localhost"
    port: int = 6379
    path: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = None


_PLAIN = {"host", "port", "path", "db", "username", "password", "connection_class"}


def direct_address(url: str) -> Address | None:
    """``url``'s server, when ``Direct`` can reach it as redis-py would; else None."""
    options = parse_url(url)
    kind = options.get("connection_class")
    if not set(options) <= _PLAIN or (kind is not None and kind.__name__ != "UnixDomainSocketConnection"):
        return None  # TLS, RESP3 or another option redis-py would apply: not written here
    return Address(
        host=options.get("host", "localhost"),
        port=int(options.get("port", 6379)),
        path=options.get("path"),
        db=int(options.get("db", 0)),
        username=options.get("username"),
        password=options.get("password"),
    )


class Direct:
    """One connection to ``address`` for the running loop; ``call`` sends a command on it."""

    def __init__(self, address: Address, *, timeout_s: float, connect_timeout_s: float) -> None:
        self._address = address
        self._timeout_s = timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None

    async def call(self, *args: Arg) -> Any:
        """The command's reply; an error reply raised, a dead or late server ``OSError``/
        ``ConnectionError`` (what redis-py raises then, so ``STORE_ERRORS`` covers it)."""
        protocol = await self._ready()
        return await self._within(protocol, protocol.send(pack(args)))

    async def pipeline(self, commands: Sequence[Sequence[Arg]]) -> list[Any]:
        """The replies of ``commands``, sent in one write: as redis-py's pipeline without MULTI
        and with ``raise_on_error=False`` returns them (an error reply in its place, as the
        exception object); a dead or late server raises as ``call`` does."""
        protocol = await self._ready()
        replies: list[Any] = await self._within(protocol, protocol.send_many([pack(c) for c in commands]))
        return replies

    async def _ready(self) -> _Protocol:
        protocol = self._protocol
        now = asyncio.get_running_loop().time()
        if protocol is not None and not protocol.lost and now - protocol.used > IDLE_S:
            protocol.drop(redis.ConnectionError("the connection was idle too long"))
        if protocol is None or protocol.lost:
            protocol = await self._connect()
        protocol.used = now
        return protocol

    async def _within(self, protocol: _Protocol, reply: asyncio.Future[Any]) -> Any:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await reply
        except TimeoutError:
            protocol.drop(redis.TimeoutError("Timeout reading from Redis"))
            raise

    async def aclose(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            protocol.drop(redis.ConnectionError("the connection was closed"))

    async def _connect(self) -> _Protocol:
        connecting = self._connecting
        if connecting is None:
            # Shared by whoever asks meanwhile, and finished though the first asker is cancelled.
            connecting = self._connecting = asyncio.ensure_future(self._open())
            connecting.add_done_callback(self._connected)
        return await asyncio.shield(connecting)

    def _connected(self, connecting: asyncio.Future[_Protocol]) -> None:
        if self._connecting is connecting:
            self._connecting = None
        if not connecting.cancelled() and connecting.exception() is None:
            self._protocol = connecting.result()

    async def _open(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        address = self._address
        async with asyncio.timeout(self._connect_timeout_s):
            if address.path is not None:
                _, protocol = await loop.create_unix_connection(_Protocol, address.path)
            else:
                _, protocol = await loop.create_connection(_Protocol, address.host, address.port)
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._hello(protocol)
        except BaseException:
            protocol.drop(redis.ConnectionError("the connection's hand-shake failed"))
            raise
        return protocol

    async def _hello(self, protocol: _Protocol) -> None:
        """Log in and select the database, as redis-py's ``on_connect`` does."""
        address = self._address
        if address.username or address.password:
            login = (address.username, address.password) if address.username else (address.password,)
            try:
                await protocol.send(pack(("AUTH", *(str(part or "") for part in login))))
            except redis.ResponseError as exc:
                raise redis.AuthenticationError(str(exc)) from None
        if address.db:
            from router._state._store import NoSuchDatabase  # the store imports this module

            try:
                await protocol.send(pack(("SELECT", address.db)))
            except redis.ResponseError as exc:
                if "DB index" in str(exc):
                    raise NoSuchDatabase(address.db, str(exc)) from None
                raise


_PACKER = hiredis_packer()


def pack(args: Sequence[Arg]) -> bytes:
    """A command in RESP, packed by hiredis as redis-py packs its own (``router._state._packing``
    gives the asyncio pools the same packer): a ``DataError`` for an argument of another type."""
    name = args[0]
    if isinstance(name, str) and " " not in name:
        # What redis-py's serializer does for such a command, without its Python pass over every
        # argument (which only turns a bytearray or memoryview, never sent here, into bytes).
        with contextlib.suppress(TypeError):  # an argument hiredis refuses: redis-py's DataError below
            packed: bytes = hiredis.pack_command(tuple(args))  # type: ignore[arg-type]  # stub: one element
            return packed
    packed_by_redis_py: list[bytes] = _PACKER.pack(*args)
    return b"".join(packed_by_redis_py)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.used = asyncio.get_running_loop().time()
        # hiredis (redis-py's own C parser, a dependency already) reads the replies; an error
        # reply becomes the exception redis-py would raise (``NoScriptError`` for NOSCRIPT).
        self._reader = hiredis.Reader(protocolError=redis.ConnectionError, replyError=BaseParser.parse_error)
        self._waiting: deque[asyncio.Future[Any] | _Place] = deque()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, command: bytes) -> asyncio.Future[Any]:
        assert self.transport is not None
        reply = asyncio.get_running_loop().create_future()
        self._waiting.append(reply)
        self.transport.write(command)
        return reply

    def send_many(self, commands: list[bytes]) -> asyncio.Future[list[Any]]:
        """Write ``commands`` at once; the future gets their replies, in order, when the last is in."""
        assert self.transport is not None
        replies = _Replies(asyncio.get_running_loop().create_future(), len(commands))
        self._waiting.extend(_Place(replies, index) for index in range(len(commands)))
        self.transport.write(b"".join(commands))
        return replies.future

    def data_received(self, data: bytes) -> None:
        try:
            self._reader.feed(data)
            while (reply := self._reader.gets()) is not False:
                if not self._waiting:
                    self.drop(redis.ConnectionError("Protocol error: a reply no command asked for"))
                    return
                waiter = self._waiting.popleft()
                if waiter.done():
                    continue  # its caller stopped waiting: the reply is nobody's
                if isinstance(reply, Exception):
                    waiter.set_exception(reply)
                else:
                    waiter.set_result(reply)
        except redis.ConnectionError as exc:  # hiredis's protocol error: bytes Redis never sends
            self.drop(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(redis.ConnectionError("Connection closed by server."))

    def drop(self, error: Exception) -> None:
        """Close the connection and fail every command still waiting on it with ``error``."""
        if self.transport is not None:
            self.transport.abort()
        self._fail(error)

    def _fail(self, error: Exception) -> None:
        self.lost = True
        while self._waiting:
            waiter = self._waiting.popleft()
            if waiter.done():
                continue
            if isinstance(waiter, _Place):
                waiter.replies.fail(error)  # the whole pipeline fails, not one reply of it
            else:
                waiter.set_exception(error)


class _Replies:
    """The replies of one pipeline, gathered as they come; ``future`` gets them all at once."""

    __slots__ = ("future", "missing", "replies")

    def __init__(self, future: asyncio.Future[list[Any]], count: int) -> None:
        self.future = future
        self.replies: list[Any] = [None] * count
        self.missing = count
        if not count:
            future.set_result([])

    def put(self, index: int, reply: Any) -> None:
        self.replies[index] = reply
        self.missing -= 1
        if not self.missing:
            self.future.set_result(self.replies)

    def fail(self, error: Exception) -> None:
        if not self.future.done():
            self.future.set_exception(error)


class _Place:
    """One command's place in a pipeline, waiting in the protocol's queue as a future would:
    its reply, an error reply included, goes into the pipeline's list."""

    __slots__ = ("index", "replies")

    def __init__(self, replies: _Replies, index: int) -> None:
        self.replies = replies
        self.index = index

    def done(self) -> bool:
        return self.replies.future.done()

    def set_result(self, reply: Any) -> None:
        self.replies.put(self.index, reply)

    set_exception = set_result
    """An error reply is kept in its place, as redis-py's pipeline with ``raise_on_error=False`` does."""
