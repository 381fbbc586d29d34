"""One HTTP/1.1 connection of the direct streams: httptools' parser on the loop's own transport.

The direct streams (``router._providers._openai_stream``) send one kind of request, a POST with
a JSON body, and read one kind of answer, a server-sent event stream or an error's JSON. httpx,
httpcore and h11 were built for every request and every answer: a request's ``Request`` and
``Headers`` models, h11's event objects and header validation, httpx's cookie jar and text
decoding of every line, anyio's locks around each read. Measured under cProfile on
``benchmarks/bench_gateway.py``'s zero-latency upstream, that was about a third of the gateway's
CPU per stream, half of it before the first chunk was forwarded. Here the request's head is
built as bytes and written with its body in one write, and the answer is read by httptools
(llhttp, uvicorn's own parser, already a dependency) in the connection's ``data_received``: the
first chunk's bytes reach the stream reader without another task, lock or copy.

What a connection does:

- ``send`` writes the request (``begin`` first starts a fresh parser), ``head`` waits for the
  status line and headers, ``body`` yields the decoded body (chunked or not), which ends with
  the message, at a close for a body the server delimits so (``connection: close``, no length);
- what arrives while no request is in flight (the server closing an idle connection, or bytes
  nobody asked for) makes it unusable, which ``reusable`` tells the pool;
- a body arriving faster than it is read pauses the transport's reading past ``HIGH_WATER``.

Errors are this module's ``HTTPError`` tree (drawn below); a wait past its timeout is Python's
``TimeoutError``. Nothing here logs, and no error message carries a header's or body's bytes::

    HTTPError
    ├── ConnectError   the connection could not be opened (refused, unreachable, TLS failed)
    ├── ReadError      the connection broke or closed before the answer ended
    └── ProtocolError  the answer is not HTTP/1.1 (or the request could not be written)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import zlib
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import httptools

__all__ = ["HIGH_WATER", "ConnectError", "Connection", "HTTPError", "ProtocolError", "ReadError"]

HIGH_WATER = 256 * 1024
"""Body bytes received and not yet read past which the connection stops reading the socket."""


class HTTPError(Exception):
    """A failure of the connection or of the HTTP exchange on it."""


class ConnectError(HTTPError):
    pass


class ReadError(HTTPError):
    pass


class ProtocolError(HTTPError):
    pass


class Connection(asyncio.Protocol):
    """One kept-alive TCP (or TLS) connection; one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.tls = False
        self.idle_since = loop.time()
        self._parser: httptools.HttpResponseParser | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._names: list[bytes] = []
        self._values: list[bytes] = []
        self.status = 0
        self.headers: dict[str, str] = {}
        self._headers_done = False
        self._complete = False
        self._keep_alive = False
        self._closed = False
        self._error: HTTPError | None = None

    # -------------------------------------------------------------- the pool's view

    @property
    def reusable(self) -> bool:
        """Idle, open, and left by its last answer ready for another request."""
        return not self._closed and self._error is None and self._parser is None

    async def rest(self, timeout: float) -> None:
        """Read what is left of an answer whose reader has stopped (at ``data: [DONE]``) until
        its end, for at most ``timeout``; what it says is dropped."""
        with contextlib.suppress(HTTPError, TimeoutError):
            async with asyncio.timeout(timeout):
                while not self._complete:
                    while self._chunks:
                        self._take()
                    self._check(head=False)
                    if not self._complete:
                        await self._wait(None)
        self._chunks.clear()
        self._buffered = 0

    def settle(self) -> None:
        """Count the answer as read once all of it has arrived and been taken, though its
        reader stopped early (at ``data: [DONE]``, before the chunked body's last bytes)."""
        if self._parser is not None and self._complete and not self._chunks and self._error is None:
            self._finished()

    def close(self) -> None:
        self._closed = True
        if self.transport is not None:
            self.transport.close()

    # -------------------------------------------------------------- a request

    def send(self, data: bytes) -> None:
        """Write a request (its head and body, ``data``) and expect its answer."""
        if self.transport is None or self._closed or self._error is not None or self.transport.is_closing():
            raise ReadError("the connection was closed before the request was sent")
        self._parser = httptools.HttpResponseParser(self)
        self._chunks.clear()
        self._buffered = 0
        self.status, self.headers = 0, {}
        self._names, self._values = [], []
        self._headers_done = self._complete = False
        self.transport.write(data)

    async def head(self, timeout: float | None) -> None:
        """Wait until the status and headers have arrived."""
        while not self._headers_done:
            self._check(head=True)
            await self._wait(timeout)

    async def body(self, timeout: float | None) -> AsyncIterator[bytes]:
        """The answer's body as it arrives, decoded from its transfer and content encodings;
        each wait for more is bounded by ``timeout``."""
        decoder = _decoder(self.headers.get("content-encoding"))
        while True:
            while self._chunks:
                chunk = self._take()
                yield decoder.decompress(chunk) if decoder is not None else chunk
            if self._complete:
                break
            self._check(head=False)
            await self._wait(timeout)
        if decoder is not None and (rest := decoder.flush()):
            yield rest
        self._finished()

    def _take(self) -> bytes:
        chunk = self._chunks.popleft()
        self._buffered -= len(chunk)
        if self._paused and self._buffered < HIGH_WATER // 4 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return chunk

    def _check(self, *, head: bool) -> None:
        """Raise what stops the answer from going on: an error, or the connection's end."""
        if self._error is not None:
            raise self._error
        if self._closed:
            if not head and self._delimited_by_close():
                self._complete = True
                return
            raise ReadError("the server closed the connection before the answer ended")

    def _delimited_by_close(self) -> bool:
        headers = self.headers
        return "content-length" not in headers and "chunked" not in headers.get("transfer-encoding", "")

    def _finished(self) -> None:
        self._parser = None
        if self._keep_alive and not self._closed:
            self.idle_since = self.loop.time()
        else:
            self.close()

    async def _wait(self, timeout: float | None) -> None:
        waiter = self.loop.create_future()
        self._waiter = waiter
        try:
            async with asyncio.timeout(timeout):
                await waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -------------------------------------------------------------- asyncio.Protocol

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # A request is one small write and must go at once, as httpcore's backends set it.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:
            # Bytes nobody asked for: this connection's next answer could not be told apart.
            self._error = ProtocolError("the server sent bytes while no request was in flight")
            self.close()
            return
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._error = ProtocolError("the server switched protocols")
        except httptools.HttpParserError:
            self._error = ProtocolError("the server's answer is not valid HTTP/1.1")
        self._wake()

    def eof_received(self) -> bool | None:
        self._closed = True
        self._wake()
        return None  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        if exc is not None and self._error is None and self._parser is not None:
            self._error = ReadError(f"the connection broke ({type(exc).__name__})")
        self._wake()

    # -------------------------------------------------------------- httptools' callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self._names.append(name)
        self._values.append(value)

    def on_headers_complete(self) -> None:
        assert self._parser is not None
        headers: dict[str, str] = {}
        for raw, value in zip(self._names, self._values, strict=True):
            name = raw.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[name] = f"{headers[name]}, {text}" if name in headers else text
        self.headers = headers
        self.status = self._parser.get_status_code()
        self._keep_alive = self._parser.should_keep_alive()
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        if not self._paused and self._buffered > HIGH_WATER and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def on_message_complete(self) -> None:
        self._complete = True


def _decoder(encoding: str | None) -> Any:
    """A decompressor for a body the server compressed anyway (none is asked for)."""
    if not encoding or encoding == "identity":
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ProtocolError(f"the server sent a body encoded as {encoding[:40]!r}")
