"""Budgets: held atomically before a call, settled after, never overshot under concurrency."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
import redis
from structlog.testing import capture_logs

from router._config._schema import Budget, ModelSpec
from router._errors import BudgetExceeded, ConfigError
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._state._budgets import BudgetGuard, BudgetSkip, Reservation, period_hash
from router._state._store import Store, StoreSettings

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster

T = TypeVar("T")
NOON = datetime(2026, 11, 4, 12, 0, tzinfo=UTC).timestamp()
UNREACHABLE = "redis://127.0.0.1:1/0"
GPT = ModelSpec(name="gpt-4o-mini", model="openai/gpt-4o-mini")
CLAUDE = ModelSpec(name="claude-haiku-4-5", model="anthropic/claude-haiku-4-5")


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def run(guard: BudgetGuard, body: Callable[[BudgetGuard], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await body(guard)
        finally:
            await guard.aclose()

    return asyncio.run(main())


async def reserve(guard: BudgetGuard, rid: str, amount: float, **call: Any) -> Reservation:
    fields: dict[str, Any] = {"model": GPT, "team": None, "tags": ()} | call
    return await guard.reserve(reservation_id=rid, amount_usd=amount, **fields)


def budget(**fields: Any) -> Budget:
    values: dict[str, Any] = {
        "scope": "global",
        "limit_usd": 1.0,
        "period": "day",
        "action": "reject",
    } | fields
    return Budget(**values)


def spent(raw: redis.Redis, store: Store, key: str, period: str) -> float:
    return float(raw.hget(period_hash(store, key, period), "spent") or 0)


# --------------------------------------------------------------------------- concurrency


@pytest.mark.parametrize("action", ["skip", "reject"])
def test_fifty_concurrent_calls_never_push_recorded_spend_past_the_limit(
    store: Store, raw: redis.Redis, action: str
) -> None:
    """Five "processes" (each its own guard and connection pool) race 50 calls for room for 20."""
    limit = budget(limit_usd=20.0, action=action)
    guards = [BudgetGuard(store, [limit], clock=Clock()) for _ in range(5)]

    async def call(index: int) -> str:
        guard = guards[index % len(guards)]
        try:
            held = await reserve(guard, f"call-{index}", 1.0)
        except BudgetSkip:
            return "skipped"
        except BudgetExceeded:
            return "rejected"
        await asyncio.sleep(0.005)  # the model call
        await guard.settle(held, 1.0)
        return "ok"

    async def main() -> list[str]:
        try:
            return await asyncio.gather(*(call(i) for i in range(50)))
        finally:
            for guard in guards:
                await guard.aclose()

    outcomes = asyncio.run(main())
    refused = "skipped" if action == "skip" else "rejected"
    assert outcomes.count("ok") == 20
    assert outcomes.count(refused) == 30
    assert spent(raw, store, "global", "2026-11-04") == pytest.approx(20.0)
    assert spent(raw, store, "global", "2026-11-04") <= 20.0


def test_reserving_holds_budget_until_settled(store: Store) -> None:
    guard = BudgetGuard(store, [budget(limit_usd=1.0)], clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        first = await reserve(guard, "a", 0.75)
        with pytest.raises(BudgetExceeded) as refused:
            await reserve(guard, "b", 0.5)
        assert (vars(refused.value)["budget"], vars(refused.value)["limit_usd"]) == ("global", 1.0)
        await guard.settle(first, 0.25)
        await reserve(guard, "b", 0.5)

    run(guard, body)


def test_a_budget_refusal_shows_sub_cent_amounts_readably(store: Store) -> None:
    guard = BudgetGuard(store, [budget(limit_usd=0.01)], clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        await reserve(guard, "a", 0.0042)
        with pytest.raises(BudgetExceeded) as refused:
            await reserve(guard, "b", 0.0073)
        message = str(refused.value)
        assert "$0.0042 held of $0.0100" in message
        assert "may cost up to $0.0073" in message

    run(guard, body)


def test_money_for_people_keeps_two_digits_below_a_cent() -> None:
    from router._money import plain, readable

    assert [readable(v) for v in (0.0, 0.000042, 0.0123456, 1234.5)] == [
        "$0.00",
        "$0.000042",
        "$0.0123",
        "$1,234.50",
    ]
    assert [plain(v) for v in (0.0020486999999999997, 1.5e-07, 0.0)] == ["0.0020487", "0.00000015", "0"]


def test_reject_wins_over_skip_when_both_budgets_are_full(store: Store) -> None:
    budgets = [budget(scope="model", target="gpt-4o-mini", action="skip"), budget(action="reject")]
    guard = BudgetGuard(store, budgets, clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        with pytest.raises(BudgetExceeded):
            await reserve(guard, "a", 2.0)

    run(guard, body)


def test_a_skip_budget_sends_the_call_to_the_next_model(store: Store) -> None:
    guard = BudgetGuard(store, [budget(scope="model", target="gpt-4o-mini", action="skip")], clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        with pytest.raises(BudgetSkip) as skipped:
            await reserve(guard, "a", 2.0, model=GPT)
        assert (skipped.value.budget, skipped.value.model) == ("model:gpt-4o-mini", "gpt-4o-mini")
        await reserve(guard, "a", 2.0, model=CLAUDE)

    run(guard, body)


def test_a_refused_call_holds_nothing_on_any_budget(store: Store, raw: redis.Redis) -> None:
    roomy = budget(name="roomy", limit_usd=100.0)
    tight = budget(scope="team", target="research", limit_usd=1.0)
    guard = BudgetGuard(store, [roomy, tight], clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        with pytest.raises(BudgetExceeded):
            await reserve(guard, "a", 2.0, team="research")

    run(guard, body)
    assert {status.key: status.reserved_usd for status in guard.status()} == {
        "roomy": 0.0,
        "team:research": 0.0,
    }


@pytest.mark.parametrize(
    ("scope", "target", "call", "applies"),
    [
        ("model", "gpt-4o-mini", {"model": GPT}, True),
        ("model", "gpt-4o-mini", {"model": CLAUDE}, False),
        ("provider", "anthropic", {"model": CLAUDE}, True),
        ("provider", "anthropic", {"model": GPT}, False),
        ("team", "research", {"team": "research"}, True),
        ("team", "research", {"team": "support"}, False),
        ("tag", "code", {"tags": ("maths", "code")}, True),
        ("tag", "code", {"tags": ()}, False),
    ],
    ids=["model", "other-model", "provider", "other-provider", "team", "other-team", "tag", "untagged"],
)
def test_a_budget_counts_only_the_calls_in_its_scope(
    store: Store, scope: str, target: str, call: dict[str, Any], applies: bool
) -> None:
    guard = BudgetGuard(store, [budget(scope=scope, target=target, limit_usd=1.0)], clock=Clock())

    async def body(guard: BudgetGuard) -> Reservation:
        return await reserve(guard, "a", 0.5, **call)

    assert bool(run(guard, body).keys) == applies


def test_no_applicable_budget_means_no_redis_call() -> None:
    guard = BudgetGuard(Store(StoreSettings(url=UNREACHABLE)), [budget(scope="team", target="finance")])

    async def body(guard: BudgetGuard) -> None:
        held = await reserve(guard, "a", 5.0, team="research")
        await guard.settle(held, 5.0)

    run(guard, body)


# --------------------------------------------------------------------------- settle, release, expiry


def test_settling_twice_counts_the_spend_once(store: Store, raw: redis.Redis) -> None:
    guard = BudgetGuard(store, [budget(limit_usd=10.0)], clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        held = await reserve(guard, "a", 1.0)
        await guard.settle(held, 0.75)
        await guard.settle(held, 0.75)

    run(guard, body)
    assert spent(raw, store, "global", "2026-11-04") == 0.75


def test_release_frees_the_hold_and_spends_nothing(store: Store) -> None:
    guard = BudgetGuard(store, [budget(limit_usd=1.0)], clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        await guard.release(await reserve(guard, "a", 1.0))
        await reserve(guard, "b", 1.0)

    run(guard, body)
    (status,) = guard.status()
    assert (status.spent_usd, status.reserved_usd) == (0.0, 1.0)


def test_an_expired_hold_frees_its_budget_but_a_late_settle_still_counts(
    store: Store, raw: redis.Redis
) -> None:
    clock = Clock()
    guard = BudgetGuard(store, [budget(limit_usd=1.0)], clock=clock, reservation_ttl_s=60)

    async def body(guard: BudgetGuard) -> None:
        crashed = await reserve(guard, "crashed", 1.0)
        with pytest.raises(BudgetExceeded):
            await reserve(guard, "b", 0.5)
        clock.now += 61
        await reserve(guard, "b", 0.5)
        await guard.settle(crashed, 0.25)
        await guard.settle(crashed, 0.25)

    run(guard, body)
    (status,) = guard.status()
    assert (status.spent_usd, status.reserved_usd, status.remaining_usd) == (0.25, 0.5, 0.25)


def test_the_threshold_warning_is_emitted_once_per_period(store: Store) -> None:
    clock = Clock()
    guard = BudgetGuard(store, [budget(limit_usd=10.0, alert_at=0.5)], clock=clock)

    async def spend(guard: BudgetGuard) -> None:
        for index in range(4):
            await guard.settle(await reserve(guard, f"{clock.now}-{index}", 2.0), 2.0)

    with capture_logs() as events:
        run(guard, spend)
        clock.now += 86_400
        run(guard, spend)
    alerts = [event for event in events if event["event"] == "budget.threshold"]
    assert [(a["period"], a["spent_usd"], a["log_level"]) for a in alerts] == [
        ("2026-11-04", 6.0, "warning"),
        ("2026-11-05", 6.0, "warning"),
    ]


# --------------------------------------------------------------------------- periods


def test_a_day_budget_starts_again_at_midnight_utc(store: Store) -> None:
    clock = Clock(datetime(2026, 11, 4, 23, 59, 59, tzinfo=UTC).timestamp())
    guard = BudgetGuard(store, [budget(limit_usd=1.0, period="day")], clock=clock)

    async def before(guard: BudgetGuard) -> None:
        await guard.settle(await reserve(guard, "late", 1.0), 1.0)
        with pytest.raises(BudgetExceeded):
            await reserve(guard, "too-late", 0.01)

    async def after(guard: BudgetGuard) -> None:
        await guard.settle(await reserve(guard, "early", 0.5), 0.5)

    run(guard, before)
    clock.now += 1
    run(guard, after)
    (status,) = guard.status()
    assert (status.period_id, status.spent_usd, status.remaining_usd) == ("2026-11-05", 0.5, 0.5)
    assert status.period_start == datetime(2026, 11, 5, tzinfo=UTC)


def test_spend_of_a_call_settled_after_midnight_counts_in_the_new_period(
    store: Store, raw: redis.Redis
) -> None:
    clock = Clock(datetime(2026, 11, 4, 23, 59, 59, tzinfo=UTC).timestamp())
    guard = BudgetGuard(store, [budget(limit_usd=1.0)], clock=clock)

    async def body(guard: BudgetGuard) -> None:
        held = await reserve(guard, "a", 1.0)
        clock.now += 2
        await guard.settle(held, 0.5)

    run(guard, body)
    assert spent(raw, store, "global", "2026-11-04") == 0.0
    assert spent(raw, store, "global", "2026-11-05") == 0.5
    assert guard.status()[0].reserved_usd == 0.0


def test_status_lists_each_budget_in_its_current_period(store: Store) -> None:
    budgets = [budget(name="month", period="month", limit_usd=100.0), budget(name="week", period="week")]
    guard = BudgetGuard(store, budgets, clock=Clock())

    async def body(guard: BudgetGuard) -> None:
        await guard.settle(await reserve(guard, "a", 0.5), 0.25)
        await reserve(guard, "b", 0.25)

    run(guard, body)
    month, week = guard.status()
    assert (month.period_id, month.spent_usd, month.reserved_usd, month.remaining_usd) == (
        "2026-11",
        0.25,
        0.25,
        99.5,
    )
    assert (week.period_id, week.period_start) == ("2026-W45", datetime(2026, 11, 2, tzinfo=UTC))


# --------------------------------------------------------------------------- embedded, errors


def test_an_embedded_budget_counts_spend_recorded_by_earlier_runs(
    embedded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from router._state import _store

    record = CostRecord(
        id="earlier:1",
        ts=NOON,
        model="gpt-4o-mini",
        litellm_model="openai/gpt-4o-mini",
        provider="openai",
        deployment="cloud",
        rule="default",
        sensitivity="internal",
        language="en",
        cost_usd=0.75,
    )
    Ledger(embedded).record(record)
    monkeypatch.setattr(_store, "_embedded_server", None)  # a new process
    guard = BudgetGuard(Store(StoreSettings(url=None)), [budget(limit_usd=1.0)], clock=Clock())
    assert guard.status()[0].spent_usd == 0.75

    async def body(guard: BudgetGuard) -> None:
        with pytest.raises(BudgetExceeded):
            await reserve(guard, "a", 0.5)

    run(guard, body)


def test_redis_down_at_reserve_is_a_clear_store_error() -> None:
    from router._errors import StoreUnavailable

    guard = BudgetGuard(Store(StoreSettings(url=UNREACHABLE)), [budget()])
    with pytest.raises(StoreUnavailable, match="unreachable"):
        run(guard, lambda guard: reserve(guard, "a", 0.1))


def test_two_budgets_with_one_key_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="distinct 'name'"):
        BudgetGuard(Store(StoreSettings(url=UNREACHABLE)), [budget(), budget(limit_usd=5.0)])


@pytest.mark.parametrize(
    "error",
    [BudgetSkip("model:gpt-4o-mini", "gpt-4o-mini"), BudgetExceeded("full", budget="global", limit_usd=1.0)],
    ids=["skip", "exceeded"],
)
def test_budget_signals_survive_pickling(error: Exception) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), vars(copy)) == (type(error), str(error), vars(error))
