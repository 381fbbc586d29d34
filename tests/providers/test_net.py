"""The asyncio network backend under httpx: httpcore's errors, and a kept-alive connection the
server closed is not reused. Real TCP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from router._providers._ahead import Upstreams
from router._providers._net import AsyncioBackend


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once the probe is closed


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=Upstreams(httpx.Limits(max_connections=4)).transport)


def test_a_refused_connection_is_httpx_connect_error() -> None:
    async def scenario() -> None:
        async with _client() as client:
            with pytest.raises(httpx.ConnectError):
                await client.post(f"http://127.0.0.1:{_closed_port()}/v1/chat/completions", content=b"{}")

    asyncio.run(scenario())


def test_a_server_that_never_answers_is_a_read_timeout() -> None:
    async def scenario() -> None:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # reads the request, answers nothing

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, _client() as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post(f"http://127.0.0.1:{port}/", content=b"{}", timeout=0.05)

    asyncio.run(scenario())


def test_a_kept_alive_connection_the_server_closed_is_replaced_by_a_new_one() -> None:
    async def scenario() -> None:
        connections: list[asyncio.Event] = []

        async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            closed = asyncio.Event()
            connections.append(closed)
            await reader.readuntil(b"\r\n\r\n")
            # Says keep-alive, then closes anyway (an idle timeout on the server's side).
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok")
            await writer.drain()
            writer.close()
            closed.set()

        server = await asyncio.start_server(once, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, _client() as client:
            first = await client.post(f"http://127.0.0.1:{port}/", content=b"{}")
            await connections[0].wait()
            await asyncio.sleep(0)  # the loop takes in the server's close
            second = await client.post(f"http://127.0.0.1:{port}/", content=b"{}")
        assert first.text == second.text == "ok"
        assert len(connections) == 2

    asyncio.run(scenario())


def test_an_unknown_extra_info_is_none_and_the_socket_is_given() -> None:
    async def scenario() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5.0)
            assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
            assert stream.get_extra_info("ssl_object") is None
            assert stream.get_extra_info("no such thing") is None
            await stream.aclose()

    asyncio.run(scenario())
