"""One read of everything shared through Redis that decides where calls go, for ``router status``.

Circuits (state and why), rate-limit headroom, budgets, live workers (each
answering a ping: a heartbeat taken now) and the batch queue's depth. The
simulated key space is a separate snapshot (``simulated=True``).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from router._config import RoutesConfig
from router._state._budgets import BudgetGuard, BudgetStatus
from router._state._circuit import CircuitBreaker, CircuitState
from router._state._ratelimit import Headroom, Limits, RateLimiter
from router._state._store import STORE_ERRORS, Store
from router._status._workers import LiveWorker, QueueDepth, live_workers, queue_depth


@dataclass(frozen=True)
class ModelStatus:
    model: str
    circuit: CircuitState
    rate_limits: tuple[Headroom, ...]


@dataclass(frozen=True)
class StatusSnapshot:
    store: str
    simulated: bool
    models: tuple[ModelStatus, ...]
    budgets: tuple[BudgetStatus, ...]
    workers: tuple[LiveWorker, ...] | None
    """None for the embedded store, which has no workers (batches run in the submitting process)."""
    queue: QueueDepth | None
    heartbeats: tuple[tuple[str, float], ...] = ()
    """Each worker process (``host:pid``) heard from lately, and its heartbeat's age in seconds."""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for budget in data["budgets"]:
            budget["period_start"] = budget["period_start"].isoformat()
            budget["period_end"] = budget["period_end"].isoformat()
        return data


def snapshot(
    store: Store, config: RoutesConfig, *, simulated: bool = False, broker: str | None = None
) -> StatusSnapshot:
    """Read the state of every model, budget and worker (on ``broker``, else the store's Redis) now."""
    space = store.space(simulated)
    circuits = _circuits(space, config)
    limiter = RateLimiter(space)
    try:
        models = tuple(
            ModelStatus(spec.name, circuits[spec.name], tuple(limiter.headroom(spec.name, Limits.of(spec))))
            for spec in config.models
        )
    except STORE_ERRORS as exc:
        raise store.unavailable(exc) from None
    budgets = tuple(BudgetGuard(space, config.policies.budgets).status())
    workers = None if store.embedded else tuple(live_workers(store, broker))
    depth = queue_depth(store, broker)
    beats = () if store.embedded else tuple(_heartbeats(store))
    return StatusSnapshot(store.settings.safe_url, simulated, models, budgets, workers, depth, beats)


def _heartbeats(store: Store) -> list[tuple[str, float]]:
    from router._batch._leases import heartbeats

    try:
        return heartbeats(store)
    except STORE_ERRORS as exc:
        raise store.unavailable(exc) from None


async def areset_circuit(store: Store, config: RoutesConfig, model: str, *, simulated: bool = False) -> bool:
    """Close ``model``'s circuit now; True if it was open or parked."""
    from router._config._checks import did_you_mean
    from router._errors import UsageError

    if model not in config.model_names:
        raise UsageError(f"unknown model {model!r}; {did_you_mean(model, list(config.model_names))}")
    breaker = CircuitBreaker(store.space(simulated), config.policies.circuit_breaker)
    try:
        return await breaker.reset(model)
    finally:
        await breaker.aclose()


def reset_circuit(store: Store, config: RoutesConfig, model: str, *, simulated: bool = False) -> bool:
    """The synchronous twin of ``areset_circuit``."""
    return asyncio.run(areset_circuit(store, config, model, simulated=simulated))


def _circuits(space: Store, config: RoutesConfig) -> dict[str, CircuitState]:
    breaker = CircuitBreaker(space, config.policies.circuit_breaker)

    async def run() -> dict[str, CircuitState]:
        try:
            return {spec.name: await breaker.state(spec.name) for spec in config.models}
        finally:
            await breaker.aclose()

    return asyncio.run(run())
