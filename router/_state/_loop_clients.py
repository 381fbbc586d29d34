"""One asyncio Redis client, with its Lua scripts, per running event loop.

A redis.asyncio client belongs to the loop its connections were made on. A
process may run several loops over its life (a Client's loop thread,
``asyncio.run`` per Celery task, a worker's long-lived loop), so every shared
component (rate limiter, circuit breaker, budgets, ledger) keeps one client per
loop, and the clients of loops that have closed are dropped when a new loop
appears. redis-py's script objects send EVALSHA and load the script on NOSCRIPT.

``alone`` sends one script at once on the loop's ``Direct`` connection (``router._state._direct``)
when the URL allows one: for a call whose round trip is waited on, with nothing to share it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from router._state._coalesced import Coalesced
from router._state._direct import Direct, direct_address
from router._state._store import STORE_ERRORS, Store

__all__ = ["LoopClients", "direct_for"]


@dataclass(frozen=True)
class _Bound:
    client: aioredis.Redis
    scripts: dict[str, AsyncScript]
    coalesced: Coalesced | None
    """Sends the scripts of one turn of the loop together (a single server only)."""
    direct: Direct | None
    """The connection of ``alone`` (a single server over TCP or a Unix socket, without TLS)."""


class LoopClients:
    """The asyncio client and registered scripts of the running loop."""

    def __init__(self, store: Store, scripts: Mapping[str, str]) -> None:
        self._store = store
        self._sources = dict(scripts)
        self._bound: dict[asyncio.AbstractEventLoop, _Bound] = {}
        self._lock = threading.Lock()

    def client(self) -> aioredis.Redis:
        return self._for_loop().client

    def script(self, name: str) -> AsyncScript:
        return self._for_loop().scripts[name]

    async def run(self, name: str, keys: Sequence[str], args: Sequence[str | int | float]) -> Any:
        """Run script ``name``; an unreachable Redis raises ``StoreUnavailable``."""
        bound = self._for_loop()
        try:
            if bound.coalesced is not None:  # the pipeline carries the deadline
                return await bound.coalesced.run(bound.scripts[name], keys, args)
            async with self.deadline():
                return await bound.scripts[name](keys=keys, args=args)
        except STORE_ERRORS as exc:
            raise self._store.unavailable(exc) from None

    async def alone(self, name: str, keys: Sequence[str], args: Sequence[str | int | float]) -> Any:
        """``run``, sent at once by this task on the loop's direct connection if there is one,
        else as redis-py's script call: never through the coalesced pipeline, which leaves a
        loop turn later from a task of its own."""
        bound = self._for_loop()
        script = bound.scripts[name]
        try:
            if bound.direct is not None:
                try:
                    return await bound.direct.call("EVALSHA", script.sha, len(keys), *keys, *args)
                except NoScriptError:
                    pass  # nothing ran: redis-py's call below loads the script and sends it again
            async with self.deadline():
                return await script(keys=keys, args=args)
        except STORE_ERRORS as exc:
            raise self._store.unavailable(exc) from None

    def deadline(self) -> asyncio.Timeout:
        """The socket timeout for one command or pipeline on this loop's client.

        The clients are made with ``caller_times_out=True``, so every use of
        ``client()`` must run inside this. A timed-out command makes redis-py drop
        its connection, so no late reply is read by the next command.
        """
        return asyncio.timeout(self._store.settings.socket_timeout_s)

    async def aclose(self) -> None:
        """Close the running loop's client (others close with their loops)."""
        with self._lock:
            bound = self._bound.pop(asyncio.get_running_loop(), None)
        if bound is not None:
            if bound.direct is not None:
                await bound.direct.aclose()
            await bound.client.aclose()

    def _for_loop(self) -> _Bound:
        loop = asyncio.get_running_loop()
        bound = self._bound.get(loop)
        if bound is not None:
            return bound
        with self._lock:
            # A closed loop's client can never run again; dropping it lets the loop be collected.
            for closed in [other for other in self._bound if other.is_closed()]:
                del self._bound[closed]
            client = self._store.aio(caller_times_out=True)
            scripts = {name: client.register_script(source) for name, source in self._sources.items()}
            timeout_s = self._store.settings.socket_timeout_s
            # One direct connection carries both the lone scripts and the pipelines of the others.
            direct = direct_for(self._store)
            together = None if self._store.cluster else Coalesced(client, timeout_s=timeout_s, direct=direct)
            bound = self._bound[loop] = _Bound(client, scripts, together, direct)
        return bound


def direct_for(store: Store) -> Direct | None:
    """A direct connection to ``store``'s server, when it is a single one ``Direct`` can reach."""
    settings = store.settings
    if store.embedded or store.cluster:
        return None
    address = direct_address(settings.client_url())
    if address is None:
        return None
    return Direct(address, timeout_s=settings.socket_timeout_s, connect_timeout_s=settings.connect_timeout_s)
