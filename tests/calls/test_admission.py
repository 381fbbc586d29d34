"""Admission: the first rate-limit slot and the budget hold of a request, in one Redis round trip."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from router._calls._admission import Admission
from router._config._schema import Budget, ModelSpec
from router._errors import BudgetExceeded, StoreUnavailable
from router._state import _store
from router._state._budgets import BudgetGuard, BudgetSkip, HoldRequest, Reservation
from router._state._ratelimit import RateLimiter, SlotUnavailable
from router._state._store import Store, StoreSettings

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster

T = TypeVar("T")
UNREACHABLE = "redis://127.0.0.1:1/0"
# rpm 60: a burst of one slot, and the next a second later, so no test is slow enough to earn one.
LIMITED = ModelSpec(name="gpt-4o-mini", model="openai/gpt-4o-mini", rpm=60)
FREE = ModelSpec(name="gpt-4o-mini", model="openai/gpt-4o-mini")


def budget(action: str = "reject", limit_usd: float = 1.0) -> Budget:
    return Budget(scope="global", limit_usd=limit_usd, period="day", action=action)


class Setup:
    def __init__(self, store: Store, budgets: list[Budget]) -> None:
        self.limiter = RateLimiter(store)
        self.budgets = BudgetGuard(store, budgets)
        self.admission = Admission(store, self.limiter, self.budgets)

    async def admit(
        self, rid: str, amount: float, model: ModelSpec = LIMITED, max_wait_s: float = 0.0
    ) -> Reservation:
        hold = HoldRequest(rid, model, team=None, tags=(), amount_usd=amount)
        return await self.admission.admit(hold, tokens=100, max_wait_s=max_wait_s)

    def reserved(self) -> float:
        return sum(status.reserved_usd for status in self.budgets.status())


def run(setup: Setup, body: Callable[[Setup], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await body(setup)
        finally:
            await setup.admission.aclose()
            await setup.limiter.aclose()
            await setup.budgets.aclose()

    return asyncio.run(main())


def fill(setup: Setup, count: int) -> None:
    """Take ``count`` slots at once, on one event loop (one client: no reconnecting between them)."""

    async def body(s: Setup) -> None:
        for index in range(count):
            await s.admit(f"fill{index}", 0.0)

    run(setup, body)


@pytest.fixture
def store(redis_url: str) -> Store:
    return Store(StoreSettings(url=redis_url))


def test_a_granted_request_holds_its_budget_and_takes_a_slot(store: Store) -> None:
    setup = Setup(store, [budget()])
    reservation = run(setup, lambda s: s.admit("a", 0.25))
    assert reservation.budgets == ("global",)
    assert setup.reserved() == pytest.approx(0.25)
    # rpm 60 has a burst of 1: the next request finds no slot.
    with pytest.raises(SlotUnavailable):
        run(setup, lambda s: s.admit("c", 0.0))


def test_no_free_slot_holds_nothing(store: Store) -> None:
    setup = Setup(store, [budget()])

    async def full_then_late(s: Setup) -> SlotUnavailable:
        await s.admit("first", 0.0)
        with pytest.raises(SlotUnavailable) as full:
            await s.admit("late", 0.5)
        return full.value

    assert run(setup, full_then_late).retry_in_s > 0
    assert setup.reserved() == 0.0


def test_a_request_waits_for_the_next_slot_within_its_bound(store: Store) -> None:
    setup = Setup(store, [budget()])
    fill(setup, 1)
    # One slot frees every ~1 s at rpm 60.
    reservation = run(setup, lambda s: s.admit("patient", 0.5, max_wait_s=5.0))
    assert reservation.id == "patient"
    assert setup.reserved() == pytest.approx(0.5)


@pytest.mark.parametrize(("action", "raised"), [("skip", BudgetSkip), ("reject", BudgetExceeded)])
def test_a_full_budget_refuses_and_holds_nothing(store: Store, action: str, raised: type) -> None:
    setup = Setup(store, [budget(action=action, limit_usd=0.1)])
    with pytest.raises(raised):
        run(setup, lambda s: s.admit("big", 0.5))
    assert setup.reserved() == 0.0


def test_no_limit_and_no_budget_asks_redis_nothing() -> None:
    setup = Setup(Store(StoreSettings(url=UNREACHABLE)), [])
    reservation = run(setup, lambda s: s.admit("free", 0.5, model=FREE))
    assert (reservation.id, reservation.budgets) == ("free", ())


def test_admission_works_on_the_embedded_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_store, "_embedded_server", None)  # a server of this test's own
    setup = Setup(Store(StoreSettings(url=None)), [budget()])
    reservation = run(setup, lambda s: s.admit("embedded-a", 0.25))
    assert reservation.budgets == ("global",)
    assert setup.reserved() == pytest.approx(0.25)


def test_admissions_asked_together_each_hold_their_own_budget(store: Store) -> None:
    """The first is sent alone at once, the others share a pipeline: all are held, none twice."""
    setup = Setup(store, [budget(limit_usd=10.0)])

    async def together(s: Setup) -> list[Reservation]:
        return list(await asyncio.gather(*(s.admit(f"r{i}", 0.25, model=FREE) for i in range(8))))

    reservations = run(setup, together)
    assert sorted(r.id for r in reservations) == [f"r{i}" for i in range(8)]
    assert setup.reserved() == pytest.approx(2.0)


def test_an_unreachable_redis_fails_a_lone_admission_as_store_unavailable() -> None:
    setup = Setup(Store(StoreSettings(url=UNREACHABLE, socket_timeout_s=0.5)), [budget()])
    with pytest.raises(StoreUnavailable):
        run(setup, lambda s: s.admit("lone", 0.25))
