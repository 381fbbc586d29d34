"""Lua scripts asked for in the same turn of the event loop, sent to Redis in one pipeline.

A batch worker keeps dozens of calls in flight, and their answers come back together: in
one turn of the loop a dozen items ask for their admission or their finish, each a script
of its own. Sent one by one, each script pays redis-py's whole per-command path (a
connection taken from the pool and checked, the command written, its reply read, the
connection given back); sent together they share one of each, and only the packing and
the parsing stay per script.

Nothing about a script's meaning changes: each is still its own EVALSHA, atomic on its
own, with its own reply or its own error for its own caller (a pipeline without MULTI, so
one script's error is not another's). A script whose caller stopped waiting before the
pipeline left is not sent. An unreachable server fails every script of the pipeline, as
it would have failed each of them alone; a server that does not know a script yet
(NOSCRIPT: nothing ran) gets it loaded and the scripts it refused sent again.

Given a ``Direct`` connection (``router._state._direct``), a pipeline is one write on it and
its replies are parsed by hiredis as they arrive, past redis-py's pipeline (a connection taken
from the pool and checked, each command packed and each reply read through its own layers):
the same commands, replies and errors. Without one, redis-py's pipeline carries them.

Single servers only: a Cluster client routes commands by slot, and its pipelines are not
used here.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from router._state._direct import Direct

__all__ = ["Coalesced", "coalesced"]


@dataclass(frozen=True)
class _Call:
    script: AsyncScript
    keys: Sequence[Any]
    args: Sequence[Any]
    future: asyncio.Future[Any]


class Coalesced:
    """Runs scripts on ``client``; those asked for in one turn of the loop leave in one pipeline.

    ``timeout_s`` bounds each pipeline (for a client made with ``caller_times_out``); None
    leaves it to the client's own socket timeout. Use one per client, on the client's loop.
    """

    def __init__(
        self, client: aioredis.Redis, *, timeout_s: float | None = None, direct: Direct | None = None
    ) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self._direct = direct
        self._waiting: list[_Call] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def run(self, script: AsyncScript, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        """The script's reply, as ``script(keys=keys, args=args)`` would return it (or raise)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._waiting:
            # After the callbacks ready now: the other items of this turn join the same pipeline.
            loop.call_soon(self._flush)
        self._waiting.append(_Call(script, keys, args, future))
        return await future

    def _flush(self) -> None:
        calls = [call for call in self._waiting if not call.future.done()]
        self._waiting = []
        if calls:
            task = asyncio.get_running_loop().create_task(self._send(calls))
            self._sending.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._sending.discard)

    async def _send(self, calls: list[_Call]) -> None:
        try:
            async with asyncio.timeout(self._timeout_s):
                replies = await self._replies(calls)
        except asyncio.CancelledError:
            for call in calls:
                call.future.cancel()
            raise
        except Exception as exc:
            for call in calls:
                if not call.future.done():
                    call.future.set_exception(exc)
            return
        for call, reply in zip(calls, replies, strict=True):
            if call.future.done():
                continue
            if isinstance(reply, Exception):
                call.future.set_exception(reply)
            else:
                call.future.set_result(reply)

    async def _replies(self, calls: list[_Call]) -> list[Any]:
        replies = await self._pipeline(calls)
        refused = [index for index, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if refused:
            # NOSCRIPT: the script did not run; load it once and send what was refused again.
            for source in dict.fromkeys(calls[index].script.script for index in refused):
                await self._client.script_load(source)
            again = await self._pipeline([calls[index] for index in refused])
            for index, reply in zip(refused, again, strict=True):
                replies[index] = reply
        return replies

    async def _pipeline(self, calls: list[_Call]) -> list[Any]:
        if self._direct is not None:
            return await self._direct.pipeline(
                [("EVALSHA", call.script.sha, len(call.keys), *call.keys, *call.args) for call in calls]
            )
        pipe = self._client.pipeline(transaction=False)
        for call in calls:
            pipe.evalsha(call.script.sha, len(call.keys), *call.keys, *call.args)
        replies: list[Any] = await pipe.execute(raise_on_error=False)
        return replies

    async def aclose(self) -> None:
        """Close the direct connection, if there is one (the client is its owner's to close)."""
        if self._direct is not None:
            await self._direct.aclose()


_per_client: weakref.WeakKeyDictionary[aioredis.Redis, Coalesced] = weakref.WeakKeyDictionary()


def coalesced(client: aioredis.Redis, *, direct: Direct | None = None) -> Coalesced:
    """The ``Coalesced`` of ``client``, made on first use (with ``direct``, if given, for its
    pipelines; the client's own socket timeout applies)."""
    found = _per_client.get(client)
    if found is None:
        found = _per_client[client] = Coalesced(client, direct=direct)
    return found
