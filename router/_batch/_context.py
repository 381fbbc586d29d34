"""One event loop, one Runtime, one Redis client per worker process.

litellm caches its async HTTP clients per event loop, so running each task
under a fresh ``asyncio.run`` leaves clients bound to closed loops ("Event
loop is closed", litellm issues #6921 and #9133). A worker process therefore
keeps a single loop alive in a daemon thread for its whole life; Celery's
task threads hand it chunks with ``asyncio.run_coroutine_threadsafe``.

The context is built on first use in the process that runs tasks, never at
import and never in a Celery parent before it forks: a context built before a
fork is detected by its pid and rebuilt in the child.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

import redis.asyncio as aioredis

from router._batch._execute import Completer, Env
from router._batch._finish import RecordWriter
from router._loop import cancel_other_tasks
from router._settings import Settings
from router._state._coalesced import coalesced
from router._state._loop_clients import direct_for
from router._state._store import Store, StoreSettings

if TYPE_CHECKING:
    from router._batch._rescue import Rescuer

T = TypeVar("T")

YOUNG_COLLECTION_AT = 20_000
"""Net new container objects at which a worker process collects its young generation (CPython: 700).

An item allocates a few thousand objects, nearly all freed by their reference counts as the item
ends; at 700 the collector ran about once per item in a worker (about 0.1 ms of CPU per item,
3-4 % of the worker's whole CPU, and its middle and old generations every few dozen items) to
find almost nothing. At 20,000 it runs about once per job of thousands of items. What it would
have found waits at most 20,000 objects longer (a few MB), so the memory stays bounded.
"""

RuntimeFactory = Callable[[Store], Completer]
LedgerFactory = Callable[[Store], RecordWriter]


def default_runtime(settings: Settings, store: Store) -> Completer:
    """The Runtime on the settings' routes file, simulated when their ``simulate`` is on."""
    from router._config import load_routes
    from router._runtime import Runtime

    runtime: Completer = Runtime.build(load_routes(settings.routes), store=store, simulate=settings.simulate)
    return runtime


def default_ledger(store: Store) -> RecordWriter:
    from router._ledger._ledger import Ledger

    ledger: RecordWriter = Ledger(store)
    return ledger


class WorkerContext:
    """The process's event loop thread and what every chunk shares.

    ``in_flight`` bounds the items (model calls and their Redis writes) the process keeps in
    flight at once (``ROUTER_BATCH_IN_FLIGHT``).
    """

    def __init__(
        self,
        *,
        store: Store,
        runtime: RuntimeFactory,
        in_flight: int,
        ledger: LedgerFactory = default_ledger,
    ) -> None:
        self.pid = os.getpid()
        self.store = store
        self.in_flight = in_flight
        self._runtime_factory = runtime
        self._ledger_factory = ledger
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="router-batch-loop", daemon=True)
        self._thread.start()
        self._env: Env | None = None
        self._keeper: Future[None] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerContext:
        """A worker process's context: the settings' Redis, routes, provider and calls in flight."""
        return cls(
            store=Store(StoreSettings.from_settings(settings)),
            runtime=functools.partial(default_runtime, settings),
            in_flight=settings.batch_in_flight,
        )

    def warm_up(self) -> None:
        """Build the Runtime now (tokenizers, litellm) instead of on the first chunk."""
        self.env()

    def serve(self, settings: Settings) -> None:
        """For a worker process: warm up, then keep a heartbeat and requeue chunks whose lease lapsed.

        Started before any chunk arrives, so a fresh worker takes over a dead one's chunks
        even when the queue is otherwise empty.
        """
        env = self.env()
        if self.store.embedded or self._keeper is not None:
            return
        collect_less_often()
        from router._batch._dispatch import celery_dispatch
        from router._batch._leases import Keeper

        dispatch = celery_dispatch(self.store, broker_url=settings.broker_url, settings=settings)
        keeper = Keeper(self.store, env.client, dispatch, rescuer=self._rescuer(settings, env))
        self._keeper = asyncio.run_coroutine_threadsafe(keeper.run_forever(), self._loop)

    def _rescuer(self, settings: Settings, env: Env) -> Rescuer | None:
        """The keeper's rescue of jobs whose message a Redis broker lost; none on RabbitMQ."""
        from router._batch._rescue import Rescuer

        broker = settings.broker_url or self.store.settings.url
        if broker is None or not broker.startswith(("redis://", "rediss://", "unix://")):
            return None
        same = broker == self.store.settings.url and not self.store.cluster
        client = (
            env.client
            if same
            else aioredis.Redis.from_url(broker, socket_timeout=self.store.settings.socket_timeout_s)
        )
        return Rescuer(self.store, env.client, client)

    def env(self) -> Env:
        with self._lock:
            if self._env is None:
                runtime = self._runtime_factory(self.store)
                ledger = self._ledger_factory(self.store)
                self._env = self.submit(self._make_env(runtime, ledger)).result()
            return self._env

    async def _make_env(self, runtime: Completer, ledger: RecordWriter) -> Env:
        # The Redis client and the semaphore belong to this loop, so they are made on it.
        client = _client(self.store, self.in_flight)
        # The items' finish scripts leave together on a direct connection (see ``Coalesced``).
        coalesced(client, direct=direct_for(self.store))
        return Env(
            store=self.store,
            client=client,
            runtime=runtime,
            ledger=ledger,
            slots=asyncio.Semaphore(self.in_flight),
        )

    def submit(self, coroutine: Awaitable[T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(_wrap(coroutine), self._loop)

    def run(self, work: Callable[[Env], Awaitable[T]], timeout_s: float | None = None) -> T:
        """Run ``work(env)`` on the process's loop and wait for it (from any other thread)."""
        env = self.env()
        return self.submit(work(env)).result(timeout_s)

    def close(self) -> None:
        """Cancel what still runs on the loop (litellm's logging worker too) and stop it.

        For tests and embedded runs; a worker process just exits.
        """
        if self._thread.is_alive():
            self.submit(self._shutdown()).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        if not self._loop.is_running():
            self._loop.close()

    async def _shutdown(self) -> None:
        await cancel_other_tasks()
        if self._env is not None:
            await coalesced(self._env.client).aclose()
            await self._env.client.aclose()
        await self._loop.shutdown_asyncgens()


def collect_less_often() -> None:
    """Raise the young generation's threshold to ``YOUNG_COLLECTION_AT`` (a worker process's own)."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_COLLECTION_AT, young), middle, old)


def _client(store: Store, in_flight: int) -> aioredis.Redis:
    """The batch's own asyncio client: a pool that waits for a free connection instead of raising."""
    return store.aio(max_connections=in_flight + 16)


async def _wrap(coroutine: Awaitable[T]) -> T:
    return await coroutine


_current: WorkerContext | None = None
_current_lock = threading.Lock()


def current_context(settings: Settings) -> WorkerContext:
    """The worker process's context, built from ``settings`` on first use (again after a fork)."""
    global _current
    with _current_lock:
        if _current is None or _current.pid != os.getpid():
            _current = WorkerContext.from_settings(settings)
        return _current
