"""Scripts asked for in one turn of the loop share one pipeline, and each keeps its own reply."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from router._errors import StoreUnavailable
from router._state._coalesced import Coalesced
from router._state._direct import Direct, direct_address
from router._state._loop_clients import LoopClients
from router._state._store import Store, StoreSettings

INCR = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
CARRIERS = pytest.mark.parametrize("carrier", ["redis-py", "direct"])
"""Each behaviour holds whether redis-py's pipeline or the direct connection carries the scripts."""
REFUSE = "return redis.error_reply('refused: ' .. ARGV[1])"


def counting_direct_pipelines(clients: LoopClients) -> list[int]:
    """The number of commands of each pipeline the loop's direct connection sends from now on."""
    sizes: list[int] = []
    direct = clients._for_loop().direct
    assert direct is not None
    send = direct.pipeline

    async def counted(commands: Any) -> Any:
        sizes.append(len(commands))
        return await send(commands)

    direct.pipeline = counted  # type: ignore[method-assign]
    return sizes


def counting_pipelines(client: aioredis.Redis) -> list[int]:
    """The number of commands of each pipeline ``client`` executes from now on."""
    sizes: list[int] = []
    make: Callable[..., Any] = client.pipeline

    def pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = make(*args, **kwargs)
        execute = pipe.execute

        async def counted(*a: Any, **k: Any) -> Any:
            sizes.append(len(pipe.command_stack))
            return await execute(*a, **k)

        pipe.execute = counted
        return pipe

    client.pipeline = pipeline  # type: ignore[method-assign]
    return sizes


def together_on(client: aioredis.Redis, url: str, carrier: str) -> Coalesced:
    """A ``Coalesced`` on ``client`` whose pipelines go through redis-py, or the direct connection."""
    if carrier == "redis-py":
        return Coalesced(client)
    address = direct_address(url)
    assert address is not None
    return Coalesced(client, direct=Direct(address, timeout_s=5, connect_timeout_s=2))


def test_scripts_of_one_turn_of_the_loop_leave_in_one_pipeline(redis_url: str) -> None:
    clients = LoopClients(Store(StoreSettings(url=redis_url)), {"incr": INCR})

    async def main() -> tuple[list[int], list[int]]:
        await clients.client().script_load(INCR)  # else the first pipeline is refused and sent again
        sizes = counting_direct_pipelines(clients)
        try:
            replies = await asyncio.gather(*(clients.run("incr", ["n"], [1]) for _ in range(12)))
            return sorted(replies), sizes
        finally:
            await clients.aclose()

    replies, sizes = asyncio.run(main())
    assert replies == list(range(1, 13))
    assert sizes == [12]


@CARRIERS
def test_each_script_gets_its_own_reply_or_its_own_error(redis_url: str, carrier: str) -> None:
    async def main() -> list[Any]:
        client = aioredis.Redis.from_url(redis_url)
        together = together_on(client, redis_url, carrier)
        incr, refuse = client.register_script(INCR), client.register_script(REFUSE)
        try:
            return await asyncio.gather(
                together.run(incr, ["a"], [5]),
                together.run(refuse, [], ["second"]),
                together.run(incr, ["a"], [2]),
                return_exceptions=True,
            )
        finally:
            await together.aclose()
            await client.aclose()

    first, second, third = asyncio.run(main())
    assert (first, third) == (5, 7)
    assert isinstance(second, redis.ResponseError)
    assert "refused: second" in str(second)


@CARRIERS
def test_a_script_the_server_does_not_know_is_loaded_and_run_once(redis_url: str, carrier: str) -> None:
    async def main() -> tuple[list[Any], bytes | None]:
        client = aioredis.Redis.from_url(redis_url)
        await client.script_flush()
        together = together_on(client, redis_url, carrier)
        incr = client.register_script(INCR)
        try:
            replies = await asyncio.gather(*(together.run(incr, ["b"], [1]) for _ in range(3)))
            return sorted(replies), await client.get("b")
        finally:
            await together.aclose()
            await client.aclose()

    replies, total = asyncio.run(main())
    assert replies == [1, 2, 3]
    assert total == b"3"


@CARRIERS
def test_a_caller_that_stopped_waiting_before_the_pipeline_left_runs_nothing(
    redis_url: str, carrier: str
) -> None:
    async def main() -> bytes | None:
        client = aioredis.Redis.from_url(redis_url)
        together = together_on(client, redis_url, carrier)
        incr = client.register_script(INCR)
        first = asyncio.create_task(together.run(incr, ["c"], [100]))

        async def cancel_first_then_run() -> Any:
            first.cancel()  # in the same turn of the loop: its script has not left yet
            return await together.run(incr, ["c"], [1])

        try:
            await asyncio.create_task(cancel_first_then_run())
            with pytest.raises(asyncio.CancelledError):
                await first
            return await client.get("c")
        finally:
            await together.aclose()
            await client.aclose()

    assert asyncio.run(main()) == b"1"


def test_an_unreachable_redis_fails_every_script_of_the_pipeline() -> None:
    with socket.create_server(("127.0.0.1", 0)) as free:
        port = free.getsockname()[1]  # closed again below: nothing listens there
    clients = LoopClients(Store(StoreSettings(url=f"redis://127.0.0.1:{port}/0")), {"incr": INCR})

    async def main() -> list[Any]:
        try:
            return await asyncio.gather(
                *(clients.run("incr", ["n"], [1]) for _ in range(3)), return_exceptions=True
            )
        finally:
            await clients.aclose()

    replies = asyncio.run(main())
    assert all(isinstance(reply, StoreUnavailable) for reply in replies)


def test_without_a_direct_connection_redis_pys_pipeline_carries_the_scripts(redis_url: str) -> None:
    async def main() -> tuple[list[int], list[int]]:
        client = aioredis.Redis.from_url(redis_url)
        await client.delete("d")
        incr = client.register_script(INCR)
        await client.script_load(INCR)
        sizes = counting_pipelines(client)
        try:
            replies = [await Coalesced(client).run(incr, ["d"], [1])]
            together = Coalesced(client)
            replies += await asyncio.gather(*(together.run(incr, ["d"], [1]) for _ in range(5)))
            return sorted(replies), sizes
        finally:
            await client.aclose()

    replies, sizes = asyncio.run(main())
    assert replies == list(range(1, 7))
    assert sizes == [1, 5]
