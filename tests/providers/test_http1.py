"""The direct streams' HTTP/1.1 client: answers read whole or as they come, connections kept
alive only when their answer ended cleanly, and its errors. Real TCP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from router._providers._ahead import Pool, target
from router._providers._http1 import HIGH_WATER, ConnectError, ProtocolError, ReadError

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once the probe is closed


async def _post(pool: Pool, url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """One request of the client's shape; the answer's status, headers and body."""
    to = target(url)
    connection = await pool.connection(to, timeout)
    try:
        connection.send(to.start + b"content-length: 2\r\n\r\n{}")
        await connection.head(timeout)
        body = b"".join([chunk async for chunk in connection.body(timeout)])
    finally:
        pool.release(connection, to)
    return connection.status, connection.headers, body


async def _server(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1/chat/completions"


def _answering(*answers: bytes, connections: list[bytearray] | None = None) -> Handler:
    """A server that answers the requests on each connection with ``answers`` in turn."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received = bytearray()
        if connections is not None:
            connections.append(received)
        for answer in answers:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                received += head + await reader.readexactly(2)
            except asyncio.IncompleteReadError:
                break
            writer.write(answer)
            await writer.drain()
        writer.close()

    return handle


@pytest.mark.parametrize(
    ("url", "origin", "start"),
    [
        pytest.param(
            "http://127.0.0.1:8000/v1/chat/completions",
            ("http", "127.0.0.1", 8000),
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:8000\r\n",
            id="port",
        ),
        pytest.param(
            "https://API.example.com/v1/chat/completions?api-version=1",
            ("https", "api.example.com", 443),
            b"POST /v1/chat/completions?api-version=1 HTTP/1.1\r\nhost: api.example.com\r\n",
            id="default-port-and-query",
        ),
        pytest.param(
            "http://[::1]:8080/chat/completions",
            ("http", "::1", 8080),
            b"POST /chat/completions HTTP/1.1\r\nhost: [::1]:8080\r\n",
            id="ipv6",
        ),
        pytest.param(
            "https://bücher.example/v1 beta/chat/completions",
            ("https", "xn--bcher-kva.example", 443),
            b"POST /v1%20beta/chat/completions HTTP/1.1\r\nhost: xn--bcher-kva.example\r\n",
            id="idna-host-and-escaped-path",
        ),
    ],
)
def test_a_url_is_split_into_its_server_and_the_start_of_the_request(
    url: str, origin: tuple[str, str, int], start: bytes
) -> None:
    assert (target(url).origin, target(url).start) == (origin, start)


def test_a_refused_connection_is_a_connect_error() -> None:
    async def scenario() -> None:
        with pytest.raises(ConnectError):
            await _post(Pool(), f"http://127.0.0.1:{_closed_port()}/v1/chat/completions")

    asyncio.run(scenario())


def test_a_server_that_never_answers_is_a_timeout() -> None:
    async def scenario() -> None:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # reads the request, answers nothing

        server, url = await _server(silent)
        async with server:
            with pytest.raises(TimeoutError):
                await _post(Pool(), url, timeout=0.05)

    asyncio.run(scenario())


def test_the_request_is_its_line_host_header_and_body_in_one_piece() -> None:
    async def scenario() -> None:
        connections: list[bytearray] = []
        server, url = await _server(_answering(b"HTTP/1.1 204 No Content\r\n\r\n", connections=connections))
        async with server:
            assert (await _post(Pool(), url))[0] == 204
        port = url.split(":")[2].split("/")[0]
        expected = (
            f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-length: 2\r\n\r\n{{}}"
        )
        assert connections == [bytearray(expected.encode())]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("answer", "body"),
    [
        pytest.param(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", b"hello", id="content-length"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
            b"hello",
            id="chunked",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: %d\r\n\r\n%s"
            % (len(zlib.compress(b"hello", wbits=31)), zlib.compress(b"hello", wbits=31)),
            b"hello",
            id="gzip-unasked",
        ),
    ],
)
def test_a_kept_alive_connection_carries_the_next_request_once_its_answer_was_read(
    answer: bytes, body: bytes
) -> None:
    async def scenario() -> None:
        connections: list[bytearray] = []
        server, url = await _server(_answering(answer, answer, connections=connections))
        async with server:
            pool = Pool()
            assert (await _post(pool, url))[2] == (await _post(pool, url))[2] == body
            await pool.aclose()
        assert len(connections) == 1

    asyncio.run(scenario())


def test_a_body_the_server_ends_by_closing_is_read_to_the_close_and_not_kept() -> None:
    async def scenario() -> None:
        connections: list[bytearray] = []
        answer = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\ndata: 1\n\n"
        server, url = await _server(_answering(answer, connections=connections))
        async with server:
            pool = Pool()
            status, headers, body = await _post(pool, url)
            assert (status, headers["content-type"], body) == (200, "text/event-stream", b"data: 1\n\n")
            assert (await _post(pool, url))[2] == b"data: 1\n\n"
        assert len(connections) == 2

    asyncio.run(scenario())


def test_a_body_cut_short_is_a_read_error_and_its_connection_is_not_kept() -> None:
    async def scenario() -> None:
        connections: list[bytearray] = []
        cut = b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\nhello"
        server, url = await _server(_answering(cut, connections=connections))
        async with server:
            pool = Pool()
            with pytest.raises(ReadError):
                await _post(pool, url)
            assert pool._idle_one(target(url).origin) is None

    asyncio.run(scenario())


def test_an_answer_that_is_not_http_is_a_protocol_error() -> None:
    async def scenario() -> None:
        server, url = await _server(_answering(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
        async with server:
            with pytest.raises(ProtocolError):
                await _post(Pool(), url)

    asyncio.run(scenario())


def test_an_answer_left_part_way_closes_its_connection() -> None:
    """A call cancelled mid-stream must stop the provider's stream, not leave it in the pool."""

    async def scenario() -> None:
        closed = asyncio.Event()

        async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            while not reader.at_eof():  # until the client closes the connection
                writer.write(b"5\r\nhello\r\n")
                await asyncio.sleep(0.005)
            closed.set()

        server, url = await _server(endless)
        async with server:
            pool, to = Pool(), target(url)
            connection = await pool.connection(to, 5.0)
            connection.send(to.start + b"content-length: 0\r\n\r\n")
            await connection.head(5.0)
            async for chunk in connection.body(5.0):
                assert chunk
                break
            pool.release(connection, to)
            await asyncio.wait_for(closed.wait(), 5.0)
            assert pool._idle_one(to.origin) is None

    asyncio.run(scenario())


def test_a_kept_alive_connection_the_server_closed_is_replaced_by_a_new_one() -> None:
    async def scenario() -> None:
        connections: list[bytearray] = []
        # Says keep-alive, then closes anyway (an idle timeout on the server's side).
        answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok"
        server, url = await _server(_answering(answer, connections=connections))
        async with server:
            pool = Pool()
            first = await _post(pool, url)
            await asyncio.sleep(0.05)  # the loop takes in the server's close
            second = await _post(pool, url)
        assert first[2] == second[2] == b"ok"
        assert len(connections) == 2

    asyncio.run(scenario())


def test_a_body_arriving_faster_than_it_is_read_pauses_the_socket_reads() -> None:
    async def scenario() -> None:
        size = 4 * HIGH_WATER
        answer = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (size, b"x" * size)
        server, url = await _server(_answering(answer))
        async with server:
            pool, to = Pool(), target(url)
            connection = await pool.connection(to, 5.0)
            connection.send(to.start + b"content-length: 2\r\n\r\n{}")
            await connection.head(5.0)
            await asyncio.sleep(0.1)  # the server has written it all; the client reads nothing
            assert connection._buffered <= 2 * HIGH_WATER
            assert sum([len(chunk) async for chunk in connection.body(5.0)]) == size

    asyncio.run(scenario())


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server's TLS context for 127.0.0.1, its certificate the client's only trusted root."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_an_https_server_is_spoken_to_over_tls_and_its_connection_kept(certificate: ssl.SSLContext) -> None:
    async def scenario() -> None:
        connections: list[bytearray] = []
        answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        handler = _answering(answer, answer, connections=connections)
        server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=certificate)
        url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1/chat/completions"
        async with server:
            pool = Pool()
            pool.open_ahead(target(url), 5.0)  # TCP only: TLS starts when the request is sent
            assert (await _post(pool, url))[2] == (await _post(pool, url))[2] == b"ok"
            await pool.aclose()
        assert pool.taken == 1
        assert len(connections) == 1
        assert connections[0].startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")

    asyncio.run(scenario())


def test_a_server_whose_certificate_is_not_trusted_is_a_connect_error(
    certificate: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        server = await asyncio.start_server(_answering(), "127.0.0.1", 0, ssl=certificate)
        url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1/chat/completions"
        async with server:
            with pytest.raises(ConnectError, match="TLS"):
                await _post(Pool(), url)

    monkeypatch.delenv("SSL_CERT_FILE")  # certifi's roots only
    asyncio.run(scenario())


def test_idle_connections_past_their_time_are_closed_not_kept() -> None:
    async def scenario() -> None:
        closed: list[int] = []
        answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await _answering(answer, answer)(reader, writer)  # until the client closes
            closed.append(1)

        server, url = await _server(handle)
        async with server:
            pool, to = Pool(idle_s=0.05), target(url)
            first, second = await pool.connection(to, 5.0), await pool.connection(to, 5.0)
            for connection in (first, second):
                connection.send(to.start + b"content-length: 2\r\n\r\n{}")
                await connection.head(5.0)
                assert b"".join([chunk async for chunk in connection.body(5.0)]) == b"ok"
                pool.release(connection, to)
                if connection is first:
                    await asyncio.sleep(0.1)  # the first is past its time when the second is kept
            assert pool._idle_one(to.origin) is second
            await asyncio.sleep(0.05)
            assert len(closed) == 1  # the first's, while the second is still open
            second.close()

    asyncio.run(scenario())


def test_a_stream_read_to_its_last_event_keeps_its_connection_once_the_body_ends() -> None:
    """The chunked body's end comes after ``data: [DONE]``, here in a later packet."""

    async def scenario() -> None:
        connections: list[bytearray] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            connections.append(bytearray())
            while True:
                try:
                    await reader.readuntil(b"\r\n\r\n{}")
                except asyncio.IncompleteReadError:
                    break
                writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                writer.write(b"e\r\ndata: [DONE]\n\n\r\n")
                await writer.drain()
                await asyncio.sleep(0.05)
                writer.write(b"0\r\n\r\n")
            writer.close()

        server, url = await _server(handle)
        async with server:
            pool, to = Pool(), target(url)
            for _ in range(2):
                connection = await pool.connection(to, 5.0)
                connection.send(to.start + b"content-length: 2\r\n\r\n{}")
                await connection.head(5.0)
                async for chunk in connection.body(5.0):
                    assert chunk == b"data: [DONE]\n\n"
                    break  # the reader stops at [DONE]
                pool.release_at_end(connection, to)
                await asyncio.sleep(0.2)
            await pool.aclose()
        assert len(connections) == 1

    asyncio.run(scenario())
