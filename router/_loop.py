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
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and wait for its result in the calling thread."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure()).result()

    def close(self) -> None:
        """Cancel what still runs on the loop (litellm's logging worker, say), then stop and close it.

        A loop merely stopped keeps its tasks pending; when they are collected
        later they try to use the dead loop and raise "Event loop is closed".
        """
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(_cancel_the_rest(), loop).result(_CLOSE_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_CLOSE_TIMEOUT_S)
        if not thread.is_alive():
            loop.close()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=self._name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop


_CLOSE_TIMEOUT_S = 10.0


async def cancel_other_tasks() -> None:
    """Cancel every other task of the running loop and wait until they have all ended."""
    current = asyncio.current_task()
    rest = [task for task in asyncio.all_tasks() if task is not current]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)


async def _cancel_the_rest() -> None:
    await cancel_other_tasks()
    await asyncio.get_running_loop().shutdown_asyncgens()
