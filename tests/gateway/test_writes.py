"""A response head goes to the socket in one write with what follows it in the same loop turn."""

from __future__ import annotations

import asyncio
from typing import Any

from router._gateway._writes import HeadWithBody

HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
CHUNK = b'1f\r\ndata: {"content":"Three "}\r\n\r\n'


class Recorder:
    """A transport that keeps each write it is given."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else None


def _wrapped() -> tuple[HeadWithBody, Recorder]:
    inner = Recorder()
    return HeadWithBody(inner, asyncio.get_running_loop()), inner  # type: ignore[arg-type]


def test_the_head_and_the_first_chunk_are_one_write_and_later_chunks_go_at_once() -> None:
    async def scenario() -> list[bytes]:
        transport, inner = _wrapped()
        transport.write(HEAD)
        assert inner.writes == []  # held for what follows
        transport.write(CHUNK)
        transport.write(b"0\r\n\r\n")
        await asyncio.sleep(0)
        return inner.writes

    assert asyncio.run(scenario()) == [HEAD + CHUNK, b"0\r\n\r\n"]


def test_a_head_nothing_follows_goes_out_on_the_next_loop_turn() -> None:
    async def scenario() -> list[bytes]:
        transport, inner = _wrapped()
        transport.write(HEAD)
        await asyncio.sleep(0)
        written = list(inner.writes)
        transport.write(CHUNK)  # a body sent a turn later goes on its own
        return [*written, *inner.writes[len(written) :]]

    assert asyncio.run(scenario()) == [HEAD, CHUNK]


def test_a_head_still_held_is_written_before_the_connection_closes() -> None:
    async def scenario() -> Recorder:
        transport, inner = _wrapped()
        transport.write(HEAD)
        transport.close()
        await asyncio.sleep(0)  # the held head's own turn finds it already written
        return inner

    inner = asyncio.run(scenario())
    assert inner.writes == [HEAD]
    assert inner.closed


def test_other_writes_and_the_transport_s_own_methods_pass_straight_through() -> None:
    async def scenario() -> Recorder:
        transport, inner = _wrapped()
        transport.write(b'{"object": "list"}')
        transport.writelines([b"a", b"b"])
        assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
        assert transport.is_closing() is False
        return inner

    assert asyncio.run(scenario()).writes == [b'{"object": "list"}', b"ab"]
