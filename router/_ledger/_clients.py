"""One asyncio Redis client (and its Lua scripts) per event loop.

``Store.aio()`` returns a new client whose connection pool is bound to the
loop it first runs on, so a component that may be awaited from several loops
(the SDK's own loop, a Celery worker's ``asyncio.run`` per task) keeps one
client per loop instead of one per call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

from router._state._store import Store


class LoopClients:
    """The asyncio client and registered scripts of the running loop."""

    def __init__(self, store: Store, scripts: Mapping[str, str]) -> None:
        self._store = store
        self._sources = dict(scripts)
        self._lock = threading.Lock()
        self._by_loop: dict[
            int, tuple[asyncio.AbstractEventLoop, aioredis.Redis, dict[str, AsyncScript]]
        ] = {}

    def client(self) -> aioredis.Redis:
        return self._entry()[1]

    def script(self, name: str) -> AsyncScript:
        return self._entry()[2][name]

    async def aclose(self) -> None:
        """Close the running loop's client (others close with their loop)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._by_loop.pop(id(loop), None)
        if entry is not None:
            await entry[1].aclose()

    def _entry(self) -> tuple[asyncio.AbstractEventLoop, aioredis.Redis, dict[str, AsyncScript]]:
        loop = asyncio.get_running_loop()
        entry = self._by_loop.get(id(loop))
        if entry is not None and entry[0] is loop:
            return entry
        with self._lock:
            # A closed loop's client can never run again; dropping it lets the loop be collected.
            for key in [key for key, (old, _, _) in self._by_loop.items() if old.is_closed()]:
                del self._by_loop[key]
            client = self._store.aio()
            scripts = {name: client.register_script(source) for name, source in self._sources.items()}
            entry = (loop, client, scripts)
            self._by_loop[id(loop)] = entry
        return entry
