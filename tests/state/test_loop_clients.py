"""The per-loop clients time every command out themselves, so a silent Redis is an error, not a hang."""

from __future__ import annotations

import asyncio

import pytest

from router._errors import StoreUnavailable
from router._state._loop_clients import LoopClients
from router._state._store import Store, StoreSettings

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster


@pytest.mark.timeout(15)  # a hang fails the test; how fast it gives up is not timed
def test_a_silent_redis_raises_store_unavailable_after_the_socket_timeout(silent_server: str) -> None:
    store = Store(StoreSettings(url=silent_server, socket_timeout_s=0.3))
    clients = LoopClients(store, {"one": "return 1"})

    async def main() -> None:
        await clients.run("one", keys=[], args=[])

    with pytest.raises(StoreUnavailable, match="unreachable"):
        asyncio.run(main())


def test_scripts_run_on_the_real_redis(redis_url: str) -> None:
    clients = LoopClients(Store(StoreSettings(url=redis_url)), {"sum": "return ARGV[1] + ARGV[2]"})

    async def main() -> int:
        try:
            result: int = await clients.run("sum", keys=[], args=[2, 3])
            return result
        finally:
            await clients.aclose()

    assert asyncio.run(main()) == 5
