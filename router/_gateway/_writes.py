"""A response's head goes out in one write with the start of its body.

uvicorn writes a response's status line and headers as soon as the app sends
``http.response.start``, and its first body chunk in a second write a moment later. Each write
to the client's socket can wake the client, and on a loaded machine the kernel then often runs
the client before this process gets to the second write: a stream's first token waited behind
the client's reading of the headers, then for this process's next turn. ``HeadWithBody``
holds a response head back until the next write on the connection (the first chunk, sent in the
same turn of the event loop by ``router._gateway._sse`` and by Starlette's responses) and sends
both in one write. A head that nothing follows in that turn goes out on the loop's next turn,
and before the connection is closed: nothing waits longer, and the order of bytes is unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HeadWithBody", "with_head_and_body_together"]

_HEAD = b"HTTP/1.1 "
"""How every response head that uvicorn writes begins (its status line)."""


class HeadWithBody:
    """A transport that holds a response head back until the next write or the next loop turn."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + data)
        elif data.startswith(_HEAD):
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def writelines(self, lines: Any) -> None:
        self.write(b"".join(lines))

    def flush(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        # Everything else (is_closing, get_extra_info, pause_reading, abort...) is the transport's.
        return getattr(self._transport, name)


def with_head_and_body_together(protocol: type[HttpToolsProtocol]) -> type[HttpToolsProtocol]:
    """``protocol`` writing through ``HeadWithBody``."""

    class HeadWithBodyProtocol(protocol):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            # Duck-typed: what uvicorn calls is written here, the rest is the transport's.
            self.transport = cast(asyncio.Transport, HeadWithBody(transport, self.loop))

    return HeadWithBodyProtocol
