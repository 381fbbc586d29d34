"""The SDK entry points: ``Client`` and ``AsyncClient``."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from router._config import RoutesConfig, check_team, load_routes
from router._decision import Decision
from router._explain import Explanation
from router._logging import ensure_logging
from router._loop import LoopThread
from router._results import Completion
from router._router import Router
from router._settings import Settings
from router._streaming import StreamEvent
from router._task import PromptOrMessages, Task

if TYPE_CHECKING:
    from router._batch import BatchJob, JobStatus
    from router._ledger._reports import CostReport, SavingsReport
    from router._runtime import Runtime
    from router._state._budgets import BudgetStatus
    from router._state._store import Store
    from router._status._snapshot import StatusSnapshot

TimeBound = float | str | None
"""A Unix time, or text such as ``7d``, ``24h``, ``2026-11-01`` or an ISO datetime."""

RoutesSource = RoutesConfig | str | os.PathLike[str] | None

BatchSource = str | os.PathLike[str] | Iterable[Mapping[str, Any]]
"""A JSONL file (streamed, never read whole) or an iterable of items."""


def _load(routes: RoutesSource, settings: Settings) -> RoutesConfig:
    if isinstance(routes, RoutesConfig):
        return routes
    return load_routes(Path(routes) if routes is not None else settings.routes)


class _Base:
    def __init__(
        self,
        routes: RoutesSource = None,
        *,
        redis_url: str | None = None,
        simulate: bool | None = None,
        settings: Settings | None = None,
    ) -> None:
        # The SDK is an edge: without ``settings`` it reads the environment here, once.
        base = settings if settings is not None else Settings.load()
        self.settings = base.with_changes(redis_url=redis_url, simulate=simulate)
        self.config = _load(routes, self.settings)
        self.router = Router(self.config)
        ensure_logging(self.settings)

    @cached_property
    def store(self) -> Store:
        """Redis from the settings' ``redis_url``; the embedded store without one."""
        # Imported here: redis costs start-up time that routing alone never needs.
        from router._state._store import Store, StoreSettings

        return Store(StoreSettings.from_settings(self.settings))

    @cached_property
    def runtime(self) -> Runtime:
        """The process's router, provider, shared guards and ledger, built on first use."""
        # Imported here: the runtime pulls in provider code that ``route`` never needs.
        from router._runtime import Runtime

        return Runtime.build(
            self.config, store=self.store, simulate=self.settings.simulate, router=self.router
        )

    def _costs(
        self,
        since: TimeBound,
        until: TimeBound,
        by: Sequence[str],
        filters: Mapping[str, str | Sequence[str]] | None,
        include_simulated: bool,
    ) -> CostReport:
        from router._ledger._reports import costs

        since_ts, until_ts = _bounds(since, until)
        return costs(
            self.store,
            since=since_ts,
            until=until_ts,
            by=tuple(by),
            filters=filters,
            include_simulated=include_simulated,
        )

    def _savings(
        self, since: TimeBound, until: TimeBound, baseline: str | None, include_simulated: bool
    ) -> SavingsReport:
        from router._ledger._reports import savings

        since_ts, until_ts = _bounds(since, until)
        return savings(
            self.store,
            self.config,
            since=since_ts,
            until=until_ts,
            baseline=baseline,
            include_simulated=include_simulated,
        )

    def _submit_batch(
        self,
        items_or_path: BatchSource,
        name: str | None,
        team: str | None,
        tags: Sequence[str],
        idempotency_key: str | None,
    ) -> BatchJob:
        from router._batch import submit_batch

        return submit_batch(
            self.store,
            self.config,
            items_or_path,
            settings=self.settings,
            name=name,
            team=team,
            tags=tuple(tags),
            idempotency_key=idempotency_key,
        )

    def _jobs(self, limit: int) -> list[JobStatus]:
        from router._batch import list_jobs

        return list_jobs(self.store, limit=limit)

    def _job(self, job_id: str) -> BatchJob:
        from router._batch import get_job

        return get_job(self.store, job_id)

    def _budgets(self) -> list[BudgetStatus]:
        from router._state._budgets import BudgetGuard

        return BudgetGuard(self.store, self.config.policies.budgets).status()

    def _status(self, simulated: bool) -> StatusSnapshot:
        from router._status._snapshot import snapshot

        return snapshot(self.store, self.config, simulated=simulated, broker=self.settings.broker_url)

    def _task(
        self,
        prompt_or_messages: PromptOrMessages,
        max_tokens: int | None,
        team: str | None,
        tags: Sequence[str],
        metadata: Mapping[str, Any] | None,
        params: Mapping[str, Any],
    ) -> Task:
        """``params``: OpenAI chat parameters (``temperature``, ``tools``, ``response_format``, ...)."""
        check_team(self.config, team)
        return Task.build(
            prompt_or_messages, max_tokens=max_tokens, team=team, tags=tags, metadata=metadata, params=params
        )


class Client(_Base):
    """Route tasks by routes.yaml, and call the chosen models.

    ``routes`` is a path, an already loaded ``RoutesConfig``, or ``None`` for
    ``$ROUTER_ROUTES`` or ``./routes.yaml``. ``redis_url`` defaults to
    ``$ROUTER_REDIS_URL``; without one, shared state lives in-process.
    ``simulate`` defaults to ``$ROUTER_SIMULATE``. Given ``settings``
    (``router.Settings(redis_url=...)``), the client reads no environment itself.
    """

    def __init__(
        self,
        routes: RoutesSource = None,
        *,
        redis_url: str | None = None,
        simulate: bool | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(routes, redis_url=redis_url, simulate=simulate, settings=settings)
        self._loop = LoopThread()
        # At exit (or when collected) unclosed, still write what the calls owe the ledger.
        self._finalizer = weakref.finalize(self, _shut_down, self._loop, self.__dict__)

    def route(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Decision:
        """Decide which model a task goes to, without calling it."""
        return self.router.decide(self._task(prompt_or_messages, max_tokens, team, tags, metadata, params))

    def explain(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
    ) -> Explanation:
        """Why a task goes where it goes: every rule with its failed conditions, every pool model's
        verdicts, the fallback order. Calls nothing; a task no model may take is explained too."""
        return self.router.explain(self._task(prompt_or_messages, max_tokens, team, tags, metadata, {}))

    def complete(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Completion:
        """Route the task and call the cheapest capable model, falling back on failure."""
        task = self._task(prompt_or_messages, max_tokens, team, tags, metadata, params)
        completion: Completion = self._loop.run(self.runtime.complete(task))
        return completion

    def costs(
        self,
        *,
        since: TimeBound = None,
        until: TimeBound = None,
        by: Sequence[str] = ("model",),
        filters: Mapping[str, str | Sequence[str]] | None = None,
        include_simulated: bool = False,
    ) -> CostReport:
        """Spend, calls and tokens per group (model, day, team, rule, provider, tag, job, outcome...).

        Simulated calls are left out unless ``include_simulated`` (the report says how many).
        """
        self.flush()
        return self._costs(since, until, by, filters, include_simulated)

    def savings(
        self,
        *,
        since: TimeBound = None,
        until: TimeBound = None,
        baseline: str | None = None,
        include_simulated: bool = False,
    ) -> SavingsReport:
        """What the same calls would have cost on ``baseline`` (default: the dearest capable model)."""
        self.flush()
        return self._savings(since, until, baseline, include_simulated)

    def budgets(self) -> list[BudgetStatus]:
        """Each budget's spend, reservations, limit and remaining amount for its current period."""
        self.flush()
        return self._budgets()

    def status(self, *, simulated: bool = False) -> StatusSnapshot:
        """Circuits (and why), rate-limit headroom, budgets, live workers and queue depth, from Redis.

        ``simulated=True`` reads the simulated key space instead.
        """
        self.flush()
        return self._status(simulated)

    def submit_batch(
        self,
        items_or_path: BatchSource,
        *,
        name: str | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> BatchJob:
        """Submit a JSONL file (streamed, never read whole) or an iterable of items as a batch job.

        Lines are in the OpenAI batch format or the short form
        ``{"custom_id"?, "prompt" | "messages", "max_tokens"?, "tags"?, "metadata"?}``, with
        the chat parameters ``complete`` takes in the body or beside those fields.
        The same ``idempotency_key`` returns the existing job. This returns once the
        items are stored and queued, with the job in progress; ``job.wait()`` waits for
        the end. Without a Redis URL the job runs in this process on the simulated provider.
        """
        return self._submit_batch(items_or_path, name, team, tags, idempotency_key)

    def jobs(self, *, limit: int = 50) -> list[JobStatus]:
        """The most recent batch jobs, newest first."""
        return self._jobs(limit)

    def job(self, job_id: str) -> BatchJob:
        """A handle on an existing batch job (``UsageError`` for a malformed id, ``JobNotFound`` for none)."""
        return self._job(job_id)

    def stream(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Iterator[StreamEvent]:
        """``complete``, streamed: ``StreamDelta`` events (text, tool-call fragments), then ``StreamDone``.

        Fallback applies until the first delta. Closing the iterator early stops the
        provider call, which is billed what it spent (the ledger record's outcome is
        ``cancelled``; ``usage_estimated`` when the provider had not reported its usage).
        """
        task = self._task(prompt_or_messages, max_tokens, team, tags, metadata, params)
        events = self.runtime.stream(task)
        try:
            while True:
                try:
                    yield self._loop.run(_next(events))
                except StopAsyncIteration:
                    return
        finally:
            self._loop.run(events.aclose())

    def flush(self) -> None:
        """Wait until every call's budget settlement and ledger record are written.

        ``complete`` returns as soon as the model has answered and does this
        bookkeeping in the background; reports from this client flush first.
        """
        if "runtime" in self.__dict__:
            self._loop.run(self.runtime.drain())

    def reset_circuit(self, model: str, *, simulated: bool = False) -> bool:
        """Close a parked or open model's circuit for every process; True if it was not closed."""
        from router._status._snapshot import areset_circuit

        reset: bool = self._loop.run(areset_circuit(self.store, self.config, model, simulated=simulated))
        return reset

    def close(self) -> None:
        """Flush, then stop the client's event loop."""
        self._finalizer()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Base):
    """The asynchronous twin of ``Client``: the same methods, awaited.

    Every method that reads or writes Redis or files is a coroutine and never blocks
    the event loop: calls run on it, reports and batch submission in a worker thread
    (their Redis client is the synchronous one the CLI uses). Reports flush this
    client's own pending bookkeeping first, as the sync client's do.
    """

    async def route(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Decision:
        """Decide which model a task goes to. Routing takes well under a millisecond, so it runs inline."""
        return self.router.decide(self._task(prompt_or_messages, max_tokens, team, tags, metadata, params))

    async def explain(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
    ) -> Explanation:
        """Why a task goes where it goes (see ``Client.explain``); runs inline like ``route``."""
        return self.router.explain(self._task(prompt_or_messages, max_tokens, team, tags, metadata, {}))

    async def complete(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Completion:
        """Route the task and call the cheapest capable model, falling back on failure."""
        task = self._task(prompt_or_messages, max_tokens, team, tags, metadata, params)
        completion: Completion = await self.runtime.complete(task)
        return completion

    async def costs(
        self,
        *,
        since: TimeBound = None,
        until: TimeBound = None,
        by: Sequence[str] = ("model",),
        filters: Mapping[str, str | Sequence[str]] | None = None,
        include_simulated: bool = False,
    ) -> CostReport:
        """Spend, calls and tokens per group (model, day, team, rule, provider, tag, job, outcome...).

        Simulated calls are left out unless ``include_simulated`` (the report says how many).
        """
        await self.flush()
        return await asyncio.to_thread(self._costs, since, until, by, filters, include_simulated)

    async def savings(
        self,
        *,
        since: TimeBound = None,
        until: TimeBound = None,
        baseline: str | None = None,
        include_simulated: bool = False,
    ) -> SavingsReport:
        """What the same calls would have cost on ``baseline`` (default: the dearest capable model)."""
        await self.flush()
        return await asyncio.to_thread(self._savings, since, until, baseline, include_simulated)

    async def budgets(self) -> list[BudgetStatus]:
        """Each budget's spend, reservations, limit and remaining amount for its current period."""
        await self.flush()
        return await asyncio.to_thread(self._budgets)

    async def status(self, *, simulated: bool = False) -> StatusSnapshot:
        """``Client.status``, awaited."""
        await self.flush()
        return await asyncio.to_thread(self._status, simulated)

    async def submit_batch(
        self,
        items_or_path: BatchSource,
        *,
        name: str | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> BatchJob:
        """``Client.submit_batch``, awaited: returns once the items are queued, the job in progress."""
        return await asyncio.to_thread(self._submit_batch, items_or_path, name, team, tags, idempotency_key)

    async def jobs(self, *, limit: int = 50) -> list[JobStatus]:
        """The most recent batch jobs, newest first."""
        return await asyncio.to_thread(self._jobs, limit)

    async def job(self, job_id: str) -> BatchJob:
        """A handle on an existing batch job (``UsageError`` for a malformed id, ``JobNotFound`` for none)."""
        return await asyncio.to_thread(self._job, job_id)

    async def stream(
        self,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> AsyncIterator[StreamEvent]:
        """``complete``, streamed: ``StreamDelta`` events, then ``StreamDone``; closing it stops the call."""
        task = self._task(prompt_or_messages, max_tokens, team, tags, metadata, params)
        events = self.runtime.stream(task)
        try:
            async for event in events:
                yield event
        finally:
            await events.aclose()

    async def flush(self) -> None:
        """Wait until every call's budget settlement and ledger record are written.

        ``complete`` returns as soon as the model has answered and does this
        bookkeeping in the background; ``costs``, ``savings`` and ``budgets`` flush first.
        """
        if "runtime" in self.__dict__:
            await self.runtime.drain()

    async def reset_circuit(self, model: str, *, simulated: bool = False) -> bool:
        """Close a parked or open model's circuit for every process; True if it was not closed."""
        from router._status._snapshot import areset_circuit

        return await areset_circuit(self.store, self.config, model, simulated=simulated)

    async def aclose(self) -> None:
        await self.flush()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _shut_down(loop: LoopThread, attributes: dict[str, Any]) -> None:
    runtime = attributes.get("runtime")
    if runtime is not None:
        loop.run(runtime.drain())
    loop.close()


def _bounds(since: TimeBound, until: TimeBound) -> tuple[float | None, float | None]:
    from router._ledger._periods import parse_since, parse_until

    since_ts = parse_since(since) if isinstance(since, str) else since
    until_ts = parse_until(until) if isinstance(until, str) else until
    return since_ts, until_ts


async def _next(events: AsyncGenerator[StreamEvent, None]) -> StreamEvent:
    return await events.__anext__()
