"""A script sent alone on the direct connection answers as redis-py's own call of it does."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import redis
from redis.connection import Encoder, PythonRespSerializer

from router._errors import StoreUnavailable
from router._state._direct import Address, Direct, direct_address, pack
from router._state._loop_clients import LoopClients
from router._state._store import Store, StoreSettings

SCRIPTS = {
    "mixed": "return {1, 'two', {3, {'four', false}}, ARGV[1], KEYS[1], -7}",
    "empty": "return {}",
    "nothing": "return false",
    "status": "return redis.status_reply('FINE')",
    "inner_error": "return {1, redis.error_reply('ERR inside'), 3}",
    "error": "return redis.error_reply('ERR the script says no')",
    "write": "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])",
    "big": "return string.rep('x', 200000)",
}


def _both(url: str, name: str, keys: list[str], args: list[Any]) -> tuple[Any, Any]:
    """The reply of ``alone`` and of redis-py's script call (an error reply as its type and text)."""
    clients = LoopClients(Store(StoreSettings(url=url)), SCRIPTS)

    async def outcome(call: Any) -> Any:
        try:
            return await call
        except redis.ResponseError as exc:
            return (type(exc), str(exc))

    async def main() -> tuple[Any, Any]:
        try:
            direct = await outcome(clients.alone(name, keys, args))
            async with clients.deadline():
                through_redis_py = await outcome(clients.script(name)(keys=keys, args=args))
            return direct, through_redis_py
        finally:
            await clients.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_every_kind_of_reply_is_redis_pys(redis_url: str, name: str) -> None:
    direct, through_redis_py = _both(redis_url, name, ["k:1"], ["v é", 2, 0.5])
    if name == "inner_error":  # an error inside an array stays in it, as an exception object
        assert [type(item) for item in direct] == [type(item) for item in through_redis_py]
        assert str(direct[1]) == str(through_redis_py[1])
        return
    assert direct == through_redis_py
    assert type(direct) is type(through_redis_py)


def test_a_script_redis_does_not_know_yet_is_loaded_and_run(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).script_flush()
    clients = LoopClients(Store(StoreSettings(url=redis_url)), {"sum": "return ARGV[1] + ARGV[2]"})

    async def main() -> list[int]:
        try:
            return [await clients.alone("sum", [], [2, 3]), await clients.alone("sum", [], [4, 5])]
        finally:
            await clients.aclose()

    assert asyncio.run(main()) == [5, 9]


def test_the_urls_database_is_the_one_written(redis_url: str) -> None:
    database = int(redis_url.rsplit("/", 1)[1])
    other = redis_url.rsplit("/", 1)[0] + f"/{(database + 1) % 16}"
    sync = redis.Redis.from_url(other)
    sync.delete("direct:db")
    clients = LoopClients(Store(StoreSettings(url=redis_url)), SCRIPTS)

    async def main() -> None:
        try:
            await clients.alone("write", ["direct:db"], ["here"])
        finally:
            await clients.aclose()

    asyncio.run(main())
    assert redis.Redis.from_url(redis_url).get("direct:db") == b"here"
    assert sync.get("direct:db") is None


def test_a_database_the_server_lacks_is_explained(redis_url: str) -> None:
    missing = redis_url.rsplit("/", 1)[0] + "/999"
    clients = LoopClients(Store(StoreSettings(url=missing)), SCRIPTS)

    async def main() -> None:
        await clients.alone("nothing", [], [])

    with pytest.raises(StoreUnavailable, match="no database 999"):
        asyncio.run(main())


def test_a_cancelled_callers_reply_is_nobody_elses(redis_url: str) -> None:
    address = direct_address(redis_url)
    assert address is not None
    direct = Direct(address, timeout_s=5, connect_timeout_s=2)

    async def main() -> list[Any]:
        await direct.call("PING")
        slow = asyncio.ensure_future(direct.call("EVAL", "local t = redis.call('TIME') return 'slow'", 0))
        await asyncio.sleep(0)  # sent; cancelled before its reply
        slow.cancel()
        replies = [await direct.call("ECHO", str(n)) for n in range(3)]
        await direct.aclose()
        return replies

    assert asyncio.run(main()) == [b"0", b"1", b"2"]


@pytest.mark.timeout(15)
def test_a_silent_redis_raises_store_unavailable_and_the_connection_is_dropped(silent_server: str) -> None:
    clients = LoopClients(Store(StoreSettings(url=silent_server, socket_timeout_s=0.3)), SCRIPTS)

    async def main() -> None:
        await clients.alone("nothing", [], [])

    with pytest.raises(StoreUnavailable, match="unreachable"):
        asyncio.run(main())


def test_a_closed_port_is_store_unavailable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    clients = LoopClients(Store(StoreSettings(url=f"redis://127.0.0.1:{port}/0")), SCRIPTS)

    async def main() -> None:
        await clients.alone("nothing", [], [])

    with pytest.raises(StoreUnavailable, match="unreachable"):
        asyncio.run(main())


def test_only_plain_servers_are_reached_directly() -> None:
    assert direct_address("redis://u:p@h:7/3") == Address(host="h", port=7, db=3, username="u", password="p")
    assert direct_address("unix:///tmp/r.sock?db=2") == Address(path="/tmp/r.sock", db=2)
    assert direct_address("rediss://h:7/0") is None  # TLS
    assert direct_address("redis://h:7/0?protocol=3") is None  # an option redis-py would apply


def test_commands_are_packed_as_redis_py_packs_them() -> None:
    args = ("EVALSHA", "abc", 2, "k:1", "ключ", b"\x00raw", 0, -3, 1.5, 1e-07, 123456789012)
    assert pack(args) == b"".join(
        PythonRespSerializer(6000, Encoder("utf-8", "strict", False).encode).pack(*args)
    )
    with pytest.raises(redis.DataError):
        pack(("SET", "k", True))  # type: ignore[arg-type]


def test_a_connection_idle_too_long_is_replaced_before_the_next_command(redis_url: str) -> None:
    address = direct_address(redis_url)
    assert address is not None
    direct = Direct(address, timeout_s=5, connect_timeout_s=2)

    async def main() -> tuple[Any, bool, Any]:
        first = await direct.call("ECHO", "one")
        old = direct._protocol
        assert old is not None
        old.used -= 31  # as if unused for longer than IDLE_S
        second = await direct.call("ECHO", "two")
        replaced = direct._protocol is not old and old.lost
        await direct.aclose()
        return first, replaced, second

    assert asyncio.run(main()) == (b"one", True, b"two")


class _Transport:
    """Enough of an ``asyncio.Transport`` for the protocol: it records what it was told."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def abort(self) -> None:
        self.aborted = True


def test_replies_split_across_reads_reach_their_callers_in_order() -> None:
    from router._state._direct import _Protocol

    async def scenario() -> list[Any]:
        protocol = _Protocol()
        protocol.connection_made(_Transport())  # type: ignore[arg-type]
        replies = [protocol.send(pack(("PING",))) for _ in range(3)]
        for byte in b"$3\r\nabc\r\n*2\r\n:1\r\n$-1\r\n-NOSCRIPT No matching script\r\n":
            protocol.data_received(bytes([byte]))
        return await asyncio.gather(*replies, return_exceptions=True)

    first, second, third = asyncio.run(scenario())
    assert (first, second) == (b"abc", [1, None])
    assert isinstance(third, redis.exceptions.NoScriptError)


def test_bytes_redis_never_sends_drop_the_connection_and_fail_the_waiting() -> None:
    from router._state._direct import _Protocol

    async def scenario() -> tuple[BaseException | Any, bool]:
        protocol = _Protocol()
        transport = _Transport()
        protocol.connection_made(transport)  # type: ignore[arg-type]
        reply = protocol.send(pack(("PING",)))
        protocol.data_received(b"?garbage\r\n")
        result = (await asyncio.gather(reply, return_exceptions=True))[0]
        return result, transport.aborted and protocol.lost

    result, dropped = asyncio.run(scenario())
    assert isinstance(result, redis.ConnectionError)
    assert dropped


def test_a_pipelines_replies_are_redis_pys_with_each_error_in_its_place(redis_url: str) -> None:
    address = direct_address(redis_url)
    assert address is not None
    direct = Direct(address, timeout_s=5, connect_timeout_s=2)
    # Every kind of script reply, an error reply among them (redis-py has no reply callback for EVAL).
    commands: list[tuple[Any, ...]] = [
        ("EVAL", SCRIPTS[name], 1, "k:1", "v é", 2) for name in sorted(SCRIPTS)
    ]

    async def main() -> tuple[list[Any], list[Any]]:
        client = redis.asyncio.Redis.from_url(redis_url)
        try:
            pipe = client.pipeline(transaction=False)
            for command in commands:
                pipe.execute_command(*command)
            through_redis_py = await pipe.execute(raise_on_error=False)
            return await direct.pipeline(commands), through_redis_py
        finally:
            await direct.aclose()
            await client.aclose()

    ours, theirs = asyncio.run(main())
    assert [type(reply) for reply in ours] == [type(reply) for reply in theirs]
    assert [str(reply) for reply in ours] == [str(reply) for reply in theirs]
    assert any(isinstance(reply, redis.ResponseError) for reply in ours)


def test_a_pipeline_whose_connection_breaks_fails_whole_and_the_next_reconnects(redis_url: str) -> None:
    from router._state._direct import _Protocol

    address = direct_address(redis_url)
    assert address is not None
    direct = Direct(address, timeout_s=5, connect_timeout_s=2)

    async def main() -> tuple[BaseException | Any, list[Any]]:
        await direct.call("PING")
        protocol = direct._protocol
        assert isinstance(protocol, _Protocol)
        broken = protocol.send_many([pack(("PING",)), pack(("PING",))])
        protocol.drop(redis.ConnectionError("gone"))
        outcome = (await asyncio.gather(broken, return_exceptions=True))[0]
        again = await direct.pipeline([("ECHO", "a"), ("ECHO", "b")])
        await direct.aclose()
        return outcome, again

    outcome, again = asyncio.run(main())
    assert isinstance(outcome, redis.ConnectionError)
    assert again == [b"a", b"b"]


def test_a_pipeline_of_no_commands_answers_at_once() -> None:
    from router._state._direct import _Protocol

    async def scenario() -> list[Any]:
        protocol = _Protocol()
        protocol.connection_made(_Transport())  # type: ignore[arg-type]
        return await protocol.send_many([])

    assert asyncio.run(scenario()) == []
