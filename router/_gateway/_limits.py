"""What one client may cost the gateway: body size, and how slowly it may send.

Every connection is a few kilobytes of state on one event loop, so a slow or huge client
cannot take a thread or a worker away from the others; these limits make sure it cannot hold
memory or a connection for long either:

- a body over ``max_body_bytes`` is refused with 413 as soon as its ``Content-Length`` (or, for
  a chunked body, the running count) says so, before the rest is read;
- a body that does not arrive within ``body_timeout_s`` is answered 408 and dropped;
- request headers that do not arrive within ``header_timeout_s`` of the connection (or of the
  previous response on a kept-alive one) close the connection: the slowloris attack, which
  uvicorn does not bound by itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from router._gateway._errors import ApiError


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 16 * 1024 * 1024
    body_timeout_s: float = 30.0
    header_timeout_s: float = 10.0


async def read_body(request: Request, limits: Limits) -> bytes:
    """The request body, or ApiError 413 (too large) / 408 (too slow)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise _too_large(limits)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limits.body_timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.max_body_bytes:
                    raise _too_large(limits)
                chunks.append(chunk)
    except TimeoutError:
        raise ApiError(
            408, f"the request body did not arrive within {limits.body_timeout_s:g}s", code="timeout"
        ) from None
    except ClientDisconnect:
        raise ApiError(400, "the client disconnected before sending the whole body") from None
    return b"".join(chunks)


def _too_large(limits: Limits) -> ApiError:
    mib = limits.max_body_bytes / (1024 * 1024)
    return ApiError(413, f"the request body is over the {mib:g} MiB limit", code="request_too_large")


def protocol_with_header_timeout(header_timeout_s: float) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol, closing connections whose headers are too slow to arrive."""

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            # A kept-alive connection's idle wait is uvicorn's keep-alive timeout; the next
            # request's first byte starts this one again.
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout_s, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeoutProtocol
