"""The asyncio client's commands are packed by hiredis: the same bytes as redis-py's own packer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis
import redis.exceptions

from router._state._store import Store, StoreSettings

ARGUMENTS: list[tuple[Any, ...]] = [
    ("EVALSHA", "0123abcd", 2, "router:{t}:job:1", "router:{t}:job:1:r:7", 0.1, 1e-07, 3.0, -12),
    ("SET", "k", "ünïcödé ✓ 日本語", b"\x00\xff raw bytes", bytearray(b"ba"), memoryview(b"mv")),
    ("CONFIG GET", "maxmemory"),  # a command name of two words is sent as two arguments
    ("HSET", "k", "empty", "", "huge", 1.5e300, "big", 12345678901234567890),
]


def _python_packed(*args: Any) -> bytes:
    # redis-py's asyncio connection without the mixin: its Python packer.
    return b"".join(aioredis.Connection().pack_command(*args))


def _client_connection(url: str) -> Any:
    client = Store(StoreSettings(url=url)).aio()
    return client.connection_pool.make_connection()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped


@pytest.mark.parametrize("args", ARGUMENTS, ids=["script", "encodings", "two-word-name", "numbers"])
def test_a_command_is_packed_into_the_bytes_redis_pys_own_packer_makes(args: tuple[Any, ...]) -> None:
    connection = _client_connection("redis://127.0.0.1:6379/0")
    assert type(connection).__name__.startswith("Hiredis")
    assert b"".join(connection.pack_command(*args)) == _python_packed(*args)


def test_an_argument_redis_cannot_take_is_refused_as_before() -> None:
    connection = _client_connection("redis://127.0.0.1:6379/0")
    with pytest.raises(redis.exceptions.DataError):
        connection.pack_command("SET", "k", None)


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("rediss://127.0.0.1:6380/0", aioredis.SSLConnection),
        ("unix:///tmp/redis.sock?db=0", aioredis.UnixDomainSocketConnection),
    ],
    ids=["tls", "unix-socket"],
)
def test_the_connection_class_the_url_chose_is_kept(url: str, base: type[Any]) -> None:
    assert isinstance(_client_connection(url), base)


def test_values_come_back_from_redis_as_they_were_sent(redis_url: str) -> None:
    async def round_trip() -> list[Any]:
        client = Store(StoreSettings(url=redis_url)).aio()
        try:
            await client.rpush("packing", "ünïcödé ✓", b"\x00\xff", 0.1, 7)
            return await client.lrange("packing", 0, -1)
        finally:
            await client.delete("packing")
            await client.aclose()

    assert asyncio.run(round_trip()) == ["ünïcödé ✓".encode(), b"\x00\xff", b"0.1", b"7"]
