"""Chained Lua scripts: each part on its own keys and arguments, stopping at the first refusal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis

from router._state._chain import ABSENT, Part, chain, pack
from router._state._loop_clients import LoopClients
from router._state._store import Store, StoreSettings

# Each part records what it saw, so the test can tell which parts ran and on what.
SEEN = """
redis.call('RPUSH', KEYS[1], table.concat(ARGV, ','))
return {tonumber(ARGV[1]), #KEYS}
"""


@pytest.fixture(params=["real", "embedded"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "real":
        url: str = request.getfixturevalue("redis_url")
        return Store(StoreSettings(url=url))
    return Store(StoreSettings(url=None))


def run_chain(store: Store, n: int, parts: list[Part]) -> Any:
    clients = LoopClients(store, {"chain": chain([SEEN] * n)})

    async def main() -> Any:
        keys, args = pack(parts)
        try:
            return await clients.run("chain", keys, args)
        finally:
            await clients.aclose()

    return asyncio.run(main())


def seen(store: Store, key: str) -> list[str]:
    return [item.decode() for item in store.sync().lrange(store.key(key), 0, -1)]


def clear(store: Store, *keys: str) -> None:
    store.sync().delete(*(store.key(key) for key in keys))


def test_each_part_runs_on_its_own_slice_of_keys_and_arguments(store: Store) -> None:
    a, b = store.key("t-chain-a"), store.key("t-chain-b")
    clear(store, "t-chain-a", "t-chain-b")
    replies = run_chain(store, 2, [Part([a], [1, "x"]), Part([b, "unused"], [1, "y", "z"])])
    assert [list(reply) for reply in replies] == [[1, 1], [1, 2]]
    assert seen(store, "t-chain-a") == ["1,x"]
    assert seen(store, "t-chain-b") == ["1,y,z"]


def test_a_refusal_stops_the_chain_before_the_next_part(store: Store) -> None:
    a, b = store.key("t-chain-a"), store.key("t-chain-b")
    clear(store, "t-chain-a", "t-chain-b")
    replies = run_chain(store, 2, [Part([a], [0, "no"]), Part([b], [1, "never"])])
    assert [list(reply) for reply in replies] == [[0, 1]]
    assert seen(store, "t-chain-b") == []


def test_an_absent_part_replies_yes_without_running(store: Store) -> None:
    b = store.key("t-chain-b")
    clear(store, "t-chain-b")
    replies = run_chain(store, 2, [ABSENT, Part([b], [1, "ran"])])
    assert [list(reply) for reply in replies] == [[1], [1, 1]]
    assert seen(store, "t-chain-b") == ["1,ran"]


def test_pack_puts_the_counts_first_then_keys_and_arguments_in_order() -> None:
    keys, args = pack([Part(["k1"], ["a", 2]), ABSENT, Part(["k2", "k3"], [3.5])])
    assert keys == ["k1", "k2", "k3"]
    assert args == [1, 2, 0, 0, 2, 1, "a", 2, 3.5]


def test_a_chained_script_is_an_ordinary_script_to_redis(redis_url: str) -> None:
    # Syntax errors in a part would only show when Redis loads the chain.
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.script_load(chain([SEEN, SEEN, SEEN]))
    finally:
        client.close()
