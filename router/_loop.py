"""A private event loop on a daemon thread, for the synchronous SDK.

litellm caches its async HTTP clients per event loop, and redis.asyncio pools
bind to the loop that first used them; a fresh ``asyncio.run`` per call leaves
them tied to a closed loop ("Event loop is closed", litellm issues #6921 and
#9133). One long-lived loop per client avoids that, and also works when the
caller is itself inside a running loop (a notebook).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """Runs coroutines on one event loop that lives as long as this object."""

    def __init__(self, name: str = "router-loop") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and wait for its result in the calling thread."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure()).result()

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=self._name, daemon=True)
                thread.start()
                self._loop = loop
            return self._loop
