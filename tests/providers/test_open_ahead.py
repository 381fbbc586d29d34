"""Connections opened while a stream is admitted: taken by its request, else closed; never
opened for a model the call may not reach. Real TCP on 127.0.0.1 to a server in the test's loop."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from router._config import parse_routes
from router._pricing import ModelInfo
from router._providers._ahead import Pool, target
from router._results import ProviderResponse, Usage
from router._runtime import Runtime
from router._state._store import Store, StoreSettings
from router._streaming import StreamDelta, StreamDone, current_channel
from router._task import Message, Task

ANSWER = b'{"ok": true}'


@dataclass
class Server:
    """Counts connections and keeps what arrives on each; answers each request with ``ANSWER``."""

    keep_alive: bool
    received: list[bytearray] = field(default_factory=list)
    closed: list[asyncio.Event] = field(default_factory=list)
    accepted: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data, gone = bytearray(), asyncio.Event()
        self.received.append(data)
        self.closed.append(gone)
        self.accepted.set()
        while chunk := await reader.read(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                connection = b"keep-alive" if self.keep_alive else b"close"
                head = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\nconnection: %s\r\n\r\n"
                writer.write(head % (len(ANSWER), connection) + ANSWER)
                if not self.keep_alive:
                    break
        gone.set()
        writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/chat/completions"


async def _serve(keep_alive: bool) -> tuple[Server, asyncio.Server]:
    server = Server(keep_alive)
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listening.sockets[0].getsockname()[1]
    return server, listening


async def _post(pool: Pool, url: str) -> bytes:
    to = target(url)
    connection = await pool.connection(to, 5.0)
    try:
        connection.send(to.start + b"content-length: 2\r\n\r\n{}")
        await connection.head(5.0)
        return b"".join([chunk async for chunk in connection.body(5.0)])
    finally:
        pool.release(connection, to)


def test_a_connection_opened_ahead_carries_the_next_request_and_nothing_before_it() -> None:
    async def scenario() -> None:
        server, listening = await _serve(keep_alive=False)
        pool = Pool()
        async with listening:
            pool.open_ahead(target(server.url), 5.0)
            await server.accepted.wait()
            assert server.received == [bytearray()]  # connected, and nothing sent yet
            assert await _post(pool, server.url) == ANSWER
            await pool.aclose()
        assert pool.opened == pool.taken == 1
        [first] = server.received  # one connection: the request went on the one opened ahead
        assert first.startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")

    asyncio.run(scenario())


def test_no_connection_is_opened_ahead_while_the_pool_has_an_idle_one_to_that_server() -> None:
    async def scenario() -> None:
        server, listening = await _serve(keep_alive=True)
        pool = Pool()
        async with listening:
            await _post(pool, server.url)
            pool.open_ahead(target(server.url), 5.0)
            await _post(pool, server.url)
            await pool.aclose()
        assert pool.opened == 0
        assert len(server.received) == 1

    asyncio.run(scenario())


def test_a_connection_opened_ahead_and_not_taken_in_time_is_closed() -> None:
    async def scenario() -> None:
        server, listening = await _serve(keep_alive=False)
        async with listening:
            pool = Pool(keep_s=0.0)  # every connection waiting is past its time at once
            pool.open_ahead(target(server.url), 5.0)
            await server.accepted.wait()
            assert await _post(pool, server.url) == ANSWER
            await server.closed[0].wait()  # the one opened ahead, closed unused
            assert pool.taken == 0
            assert pool.waiting() == 0
            assert len(server.received) == 2
            assert server.received[0] == b""
            await pool.aclose()

    asyncio.run(scenario())


def test_closing_the_pool_closes_the_connections_still_waiting() -> None:
    async def scenario() -> None:
        server, listening = await _serve(keep_alive=False)
        async with listening:
            pool = Pool()
            pool.open_ahead(target(server.url), 5.0)
            await server.accepted.wait()
            await pool.aclose()
            await server.closed[0].wait()
            assert pool.waiting() == 0

    asyncio.run(scenario())


ROUTES = parse_routes(
    """
models:
  - {name: open, model: openai/open, clearance: public, capabilities: [chat],
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000001, context_window: 100000}
  - {name: keyless, model: openai/keyless, clearance: restricted, capabilities: [chat],
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000002, context_window: 100000}
  - {name: vault, model: openai/vault, clearance: restricted, capabilities: [chat],
     input_cost_per_token: 0.000003, output_cost_per_token: 0.000003, context_window: 100000}
rules:
  - {name: default, pool: [open, keyless, vault]}
policies:
  fallback: {attempts_per_model: 1, backoff_base_s: 0, backoff_max_s: 0, deadline_s: 10}
"""
)


@dataclass
class Recording:
    """A fake provider that opens ahead: the order of what it was asked, by model."""

    log: list[str] = field(default_factory=list)

    def missing_credentials(self, model: ModelInfo) -> str | None:
        return "KEYLESS_KEY is not set" if model.name == "keyless" else None

    def open_ahead(self, model: ModelInfo) -> None:
        self.log.append(f"ahead {model.name}")

    async def acomplete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        self.log.append(f"send {model.name}")
        channel = current_channel()
        if channel is not None:
            channel.emit(StreamDelta(content="ok", model=model.name))
        return ProviderResponse(content="ok", usage=Usage(prompt_tokens=5, completion_tokens=1), cost_usd=0.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Say hello to the team.", ["ahead open", "send open"], id="public"),
        pytest.param(
            "Refund the card 4111 1111 1111 1111 for order 8812.",
            ["ahead vault", "send vault"],
            id="card-number",
        ),
    ],
)
def test_only_a_model_cleared_and_callable_is_opened_ahead_and_before_its_request(
    text: str, expected: list[str]
) -> None:
    provider = Recording()
    store = Store(StoreSettings(url=None))
    store.sync().flushall()
    runtime = Runtime.build(ROUTES, store=store, provider=provider)

    async def collect() -> str:
        try:
            async for event in runtime.stream(Task.build(text)):
                if isinstance(event, StreamDone):
                    return event.completion.model
            raise AssertionError("the stream ended without StreamDone")
        finally:
            await runtime.drain()

    model = asyncio.run(collect())
    assert model == expected[-1].split()[-1]
    assert provider.log == expected  # never the uncleared model, never the one without a key
