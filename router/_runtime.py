"""Everything one process needs to route and call, wired together once.

A ``Runtime`` owns the router, the provider (real or simulated), the shared
guards (rate limits, circuit breakers, budgets) and the ledger. Build one per
process: a Celery worker child builds its own after the fork, so no
connection or event-loop state crosses ``fork()``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from router._calls._admission import Admission
from router._calls._afterwards import Afterwards
from router._calls._context import CostSink
from router._calls._executor import Executor, Guards
from router._config._schema import RoutesConfig
from router._decision import Decision
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._providers._base import Provider
from router._results import Completion
from router._router import Router
from router._state._budgets import BudgetGuard
from router._state._circuit import CircuitBreaker
from router._state._ratelimit import RateLimiter
from router._state._store import Store
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
        executor = Executor(router.models, provider, guards, config.policies, simulated=simulated)
        return cls(config, router, store, Ledger(store), executor, simulated)

    @property
    def afterwards(self) -> Afterwards:
        """The bookkeeping still running after answers (budget settlement, ledger writes)."""
        return self.executor.afterwards

    async def drain(self) -> None:
        """Wait until every answer's budget settlement and ledger record are written."""
        await self.afterwards.drain()

    async def complete(
        self,
        task: Task,
        *,
        request_id: str | None = None,
        sink: CostSink | None = None,
        decision: Decision | None = None,
        job_id: str | None = None,
        custom_id: str | None = None,
    ) -> Completion:
        """Route the task (unless a decision is given) and call models until one answers.

        With the runtime's own ledger (no ``sink``) the answer returns at once and
        the budget settlement and ledger write follow in the background (``drain``
        waits for them). A caller's ``sink`` (a batch item's transaction) gets its
        records before this returns, and the budget is settled before it too, so
        the caller's bookkeeping is complete when it commits.
        """
        decision = decision or self.router.decide(task)
        return await self.executor.run(
            task,
            decision,
            request_id=request_id or new_request_id(),
            sink=sink or self._record,
            job_id=job_id,
            custom_id=custom_id,
            settle_in_background=sink is None,
        )

    async def _record(self, record: CostRecord) -> None:
        # Written after the answer is returned (see _afterwards); a cancelled write is spooled.
        self.afterwards.spawn(
            self.ledger.arecord(record),
            "ledger",
            if_cancelled=lambda: self.ledger.spool(record, "cancelled before it was written"),
        )


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

    return LiteLLMProvider()
