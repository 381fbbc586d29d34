"""Everything one process needs to route and call, wired together once.

A ``Runtime`` owns the router, the provider (real or simulated), the shared
guards (rate limits, circuit breakers, budgets) and the ledger. Build one per
process: a Celery worker child builds its own after the fork, so no
connection or event-loop state crosses ``fork()``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from router._calls._admission import Admission
from router._calls._afterwards import Afterwards
from router._calls._executor import Executor, Guards
from router._calls._masking import Masker
from router._calls._recorder import Collect, Recorder
from router._config._schema import RoutesConfig
from router._decision import Decision
from router._ledger._ledger import Ledger
from router._providers._base import Provider
from router._results import Completion
from router._router import Router
from router._state._budgets import BudgetGuard
from router._state._circuit import CircuitBreaker
from router._state._ratelimit import RateLimiter
from router._state._store import Store
from router._streaming import StreamEvent, events
from router._task import Task

_CLOSED_CACHE_S = 0.5
"""How long a process trusts a "closed" circuit verdict before asking Redis again."""


@dataclass
class Runtime:
    """Router, provider, shared guards and ledger for one process."""

    config: RoutesConfig
    router: Router
    store: Store
    ledger: Ledger
    executor: Executor
    simulated: bool

    @classmethod
    def build(
        cls,
        config: RoutesConfig,
        *,
        store: Store | None = None,
        simulate: bool = False,
        provider: Provider | None = None,
        router: Router | None = None,
    ) -> Runtime:
        """Wire a runtime on ``store`` (default: embedded); ``simulate`` picks the simulated provider."""
        store = store or Store()
        simulated = simulate
        router = router or Router(config)
        provider = provider or _provider(config, simulated)
        # Simulated calls keep their circuits, rate limits and budgets in their own key space.
        space = store.space(simulated)
        limiter = RateLimiter(space)
        budgets = BudgetGuard(space, config.policies.budgets)
        guards = Guards(
            limiter=limiter,
            circuit=CircuitBreaker(space, config.policies.circuit_breaker, closed_cache_s=_CLOSED_CACHE_S),
            budgets=budgets,
            admission=Admission(space, limiter, budgets),
        )
        ledger = Ledger(store)
        recorder = Recorder(ledger, budgets)
        executor = Executor(
            router.models,
            provider,
            guards,
            recorder,
            config.policies,
            simulated=simulated,
            masker=Masker(router.scanner),
        )
        return cls(config, router, store, ledger, executor, simulated)

    @property
    def afterwards(self) -> Afterwards:
        """The bookkeeping still running after answers (budget settlement, ledger writes)."""
        return self.executor.recorder.afterwards

    async def drain(self) -> None:
        """Wait until every answer's budget settlement and ledger record are written."""
        await self.executor.recorder.drain()

    async def complete(
        self,
        task: Task,
        *,
        request_id: str | None = None,
        collect: Collect = None,
        decision: Decision | None = None,
        job_id: str | None = None,
        custom_id: str | None = None,
    ) -> Completion:
        """Route the task (unless a decision is given) and call models until one answers.

        Without ``collect`` the answer returns at once and the budget settlement and
        ledger write follow in the background (``drain`` waits for them). With a list
        (a batch item's transaction) the records are appended to it and the budget is
        settled before this returns, so the caller's bookkeeping is complete when it
        commits. See ``Recorder``.
        """
        decision = decision or self.router.decide(task)
        return await self.executor.run(
            task,
            decision,
            request_id=request_id or new_request_id(),
            collect=collect,
            job_id=job_id,
            custom_id=custom_id,
        )

    def stream(
        self, task: Task, *, request_id: str | None = None, decision: Decision | None = None
    ) -> AsyncGenerator[StreamEvent, None]:
        """``complete``, streamed: deltas as they arrive, then ``StreamDone`` with the whole completion."""
        decision = decision or self.router.decide(task)
        return events(lambda: self.complete(task, request_id=request_id, decision=decision))


def new_request_id() -> str:
    return f"req_{uuid.uuid4().hex}"


def _provider(config: RoutesConfig, simulated: bool) -> Provider:
    from router._providers._litellm_import import load_litellm

    # Import litellm now (seconds) rather than inside the first call, where it
    # would count against that call's latency and deadline.
    load_litellm()
    if simulated:
        from router._providers._simulator import SimulatedProvider

        return SimulatedProvider(config.simulation)
    from router._providers._litellm import LiteLLMProvider
    from router._providers._openai_stream import DirectStreams

    # Streams of OpenAI-compatible servers skip litellm's stream path (time to first token).
    return DirectStreams(LiteLLMProvider())
