"""Budgets enforced atomically across every process sharing one Redis.

Before a call, ``reserve`` holds its worst-case cost on every budget that
applies, in one Lua script that first checks ``spent + reserved + amount <=
limit`` on all of them: either all are held or none is. After the call,
``settle`` drops the hold and adds the actual cost (the cost the ledger record
holds); ``release`` drops it when nothing was billed. Checking and holding in
one step is what keeps concurrent calls from overshooting, as check-then-record
does (litellm issues #18730, #34732). The guarantee holds as long as a call's
actual cost does not exceed what it reserved.

Per budget and calendar period (UTC), keys under the store's prefix::

    budget:{budgets}:<budget key>:<period>       HASH  spent, reserved, alerted, r:<id> -> held amount,
                                                       x:<id> -> amount of an expired hold not yet settled
    budget:{budgets}:<budget key>:<period>:held  ZSET  reservation id scored by its expiry (ms)

Every budget carries the ``{budgets}`` hash tag (see ``period_hash``).

A hold expires ``reservation_ttl_s`` after it was taken (choose it above the
longest call, fallback chain included): each reserve first sweeps the
expired holds of the budgets it touches, so a crashed process cannot hold
budget forever. A late ``settle`` of an expired hold still counts its spend,
and settling twice counts once. Spend goes to the period current at settle
time, the period of the record's timestamp. Both keys expire 35 days after
their period ends.

With the embedded store, spend of the current period is rebuilt once per
process from the ledger's running totals (which the journal reloads), so a
budget keeps counting across runs of the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NoReturn

import structlog

from router._config._schema import Budget, ModelSpec
from router._errors import BudgetExceeded, ConfigError
from router._ledger._layout import Cell, Sums, shards, totals_key
from router._ledger._ledger import load_journal
from router._ledger._periods import days_between, period_bounds, period_end_ts, period_id
from router._money import readable
from router._state._chain import ABSENT, Part
from router._state._loop_clients import LoopClients
from router._state._replies import text as _text
from router._state._store import STORE_ERRORS, Store

RESERVE_LUA = """
-- Hold ARGV amount on every budget, or on none.
-- KEYS: per budget, its period hash and its holds zset.
-- ARGV: reservation id, amount (>= 0), now (ms), expiry (ms), then per budget: limit, keep-until (ms).
-- Holds are subtracted as '-' .. amount (a string): a Lua number would round to 14 digits.
-- Returns {1} when held (or already held), else {0, then per budget over its limit: index, spent, reserved}.
local id, amount, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local n = #KEYS / 2
for i = 1, n do
  local h, z = KEYS[2 * i - 1], KEYS[2 * i]
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  for _, rid in ipairs(expired) do
    local held = redis.call('HGET', h, 'r:' .. rid)
    if held then
      redis.call('HINCRBYFLOAT', h, 'reserved', '-' .. held)
      redis.call('HDEL', h, 'r:' .. rid)
      redis.call('HSET', h, 'x:' .. rid, held)
    end
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', z, '-inf', now) end
  -- With no hold left, reset the sum so float rounding cannot accumulate.
  if redis.call('ZCARD', z) == 0 then redis.call('HSET', h, 'reserved', '0') end
end
if redis.call('HEXISTS', KEYS[1], 'r:' .. id) == 1 then return {1} end
local over = {0}
for i = 1, n do
  local h = KEYS[2 * i - 1]
  local spent = tonumber(redis.call('HGET', h, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', h, 'reserved') or '0')
  if spent + reserved + amount > tonumber(ARGV[3 + 2 * i]) then
    table.insert(over, tostring(i))
    table.insert(over, tostring(spent))
    table.insert(over, tostring(reserved))
  end
end
if #over > 1 then return over end
for i = 1, n do
  local h, z, keep = KEYS[2 * i - 1], KEYS[2 * i], ARGV[4 + 2 * i]
  redis.call('HSET', h, 'r:' .. id, ARGV[2])
  redis.call('HINCRBYFLOAT', h, 'reserved', ARGV[2])
  redis.call('ZADD', z, ARGV[4], id)
  redis.call('PEXPIREAT', h, keep)
  redis.call('PEXPIREAT', z, keep)
end
return {1}
"""

SETTLE_LUA = """
-- Drop a reservation's holds and count the actual spend in the current period.
-- KEYS: per budget, the hold's period hash, its holds zset, the current period hash.
-- ARGV: reservation id, actual usd, then per budget: limit, alert fraction, keep-until (ms).
-- Returns {index, spent} for each budget whose alert threshold is crossed for the first time this period.
local id, actual = ARGV[1], ARGV[2]
local alerts = {}
for i = 1, #KEYS / 3 do
  local h, z, current = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local held = redis.call('HGET', h, 'r:' .. id)
  local live = false
  if held then
    live = true
    redis.call('HINCRBYFLOAT', h, 'reserved', '-' .. held)
    redis.call('HDEL', h, 'r:' .. id)
    redis.call('ZREM', z, id)
    if redis.call('ZCARD', z) == 0 then redis.call('HSET', h, 'reserved', '0') end
  else
    -- An expired hold still owes its spend; a hold already settled owes nothing.
    live = redis.call('HDEL', h, 'x:' .. id) == 1
  end
  if live and tonumber(actual) ~= 0 then
    local limit, alert, keep = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), ARGV[3 * i + 2]
    local spent = tonumber(redis.call('HINCRBYFLOAT', current, 'spent', actual))
    redis.call('PEXPIREAT', current, keep)
    if spent >= limit * alert and redis.call('HSETNX', current, 'alerted', '1') == 1 then
      table.insert(alerts, tostring(i))
      table.insert(alerts, tostring(spent))
    end
  end
end
return alerts
"""

_KEEP_AFTER_PERIOD_S = timedelta(days=35).total_seconds()


class BudgetSkip(Exception):
    """Internal signal: ``budget`` (action ``skip``) has no room, so ``model`` leaves the candidates."""

    def __init__(self, budget: str, model: str) -> None:
        super().__init__(budget, model)
        self.budget = budget
        self.model = model

    def __str__(self) -> str:
        return f"budget {self.budget!r} has no room for a call to {self.model!r}"


@dataclass(frozen=True)
class Reservation:
    """A worst-case cost held on every budget that applies to one call."""

    id: str
    amount_usd: float
    model: str
    budgets: tuple[str, ...] = ()
    """Keys of the budgets held (``Budget.key``)."""
    keys: tuple[str, ...] = ()
    """The Redis hashes of the budget counters held, one per budget."""
    expires_at: float = 0.0


@dataclass(frozen=True)
class Settlement:
    """One hold's settlement, built now and run later: alone (``run``), or as a part of the
    caller's own script (``part`` for ``SETTLE_LUA``), whose reply the caller hands to ``settled``.

    Settling is idempotent by reservation id (a settled hold owes nothing), so running it again
    after a script whose reply was lost counts its spend once.
    """

    reservation_id: str
    part: Part
    budgets: tuple[Budget, ...]
    now: float
    guard: BudgetGuard = field(repr=False, compare=False)

    async def run(self) -> None:
        await self.guard.run_settlement(self)

    def settled(self, alerts: Sequence[Any]) -> None:
        """After the script ran: the threshold alerts its reply names."""
        self.guard.settled(self, alerts)


@dataclass(frozen=True)
class HoldRequest:
    """What a call asks the budgets to hold: its worst-case cost, and who and what it is for."""

    id: str
    model: ModelSpec
    team: str | None
    tags: tuple[str, ...]
    amount_usd: float


@dataclass(frozen=True)
class PendingReservation:
    """A reservation asked for but not yet answered: what ``RESERVE_LUA`` gets, and what it holds."""

    reservation: Reservation
    budgets: tuple[Budget, ...]
    part: Part
    """``ABSENT`` when no budget applies: nothing to hold, nothing to ask Redis."""


@dataclass(frozen=True)
class BudgetStatus:
    """One budget in its current period."""

    key: str
    scope: str
    target: str | None
    period: str
    period_id: str
    period_start: datetime
    period_end: datetime
    spent_usd: float
    reserved_usd: float
    limit_usd: float
    remaining_usd: float
    alert_at: float
    action: str

    @property
    def alerting(self) -> bool:
        return self.spent_usd >= self.limit_usd * self.alert_at


def _log() -> Any:
    return structlog.get_logger("router.ledger")


class BudgetGuard:
    """Reserves, settles and reports the budgets of routes.yaml."""

    def __init__(
        self,
        store: Store,
        budgets: Sequence[Budget],
        *,
        clock: Callable[[], float] = time.time,
        reservation_ttl_s: float = 600.0,
    ) -> None:
        self.store = store
        self.budgets = _by_key(budgets)
        self.clock = clock
        self.reservation_ttl_s = reservation_ttl_s
        self._aio = LoopClients(store, {"reserve": RESERVE_LUA, "settle": SETTLE_LUA})
        self._rebuilt: set[str] = set()
        self._journal_ready = False

    def applicable(self, model: ModelSpec, team: str | None, tags: Sequence[str]) -> list[Budget]:
        """The budgets a call to ``model`` for ``team`` with ``tags`` counts against."""
        return [
            budget
            for budget in self.budgets.values()
            if _applies(budget, model.name, model.provider, team, tags)
        ]

    async def reserve(
        self,
        *,
        reservation_id: str,
        model: ModelSpec,
        team: str | None,
        tags: Sequence[str],
        amount_usd: float,
    ) -> Reservation:
        """Hold ``amount_usd`` on every applicable budget, or raise BudgetExceeded / BudgetSkip."""
        return await self.hold(
            self.prepare(HoldRequest(reservation_id, model, team, tuple(tags), amount_usd))
        )

    async def hold(self, pending: PendingReservation) -> Reservation:
        """Ask Redis for a prepared reservation on its own (not chained)."""
        if pending.part is ABSENT:
            return pending.reservation
        reply = await self._aio.run("reserve", pending.part.keys, pending.part.args)
        return self.held(pending, reply)

    def prepare(self, request: HoldRequest) -> PendingReservation:
        """The ``RESERVE_LUA`` call for a reservation, to run alone (``reserve``) or chained."""
        reservation_id, model, amount_usd = request.id, request.model, request.amount_usd
        if amount_usd < 0:
            raise ValueError(f"a reservation cannot be negative (got {amount_usd})")
        budgets = self.applicable(model, request.team, request.tags)
        now = self.clock()
        expires_at = now + self.reservation_ttl_s
        if not budgets:
            reservation = Reservation(reservation_id, amount_usd, model.name, expires_at=expires_at)
            return PendingReservation(reservation, (), ABSENT)
        self._rebuild_embedded(budgets, now)
        hashes = [self._hash(budget, now) for budget in budgets]
        keys = [key for h in hashes for key in (h, f"{h}:held")]
        args: list[str | int] = [reservation_id, repr(float(amount_usd)), _ms(now), _ms(expires_at)]
        for budget in budgets:
            args += [repr(budget.limit_usd), _keep_until(budget, now)]
        names = tuple(budget.key for budget in budgets)
        reservation = Reservation(reservation_id, amount_usd, model.name, names, tuple(hashes), expires_at)
        return PendingReservation(reservation, tuple(budgets), Part(keys, args))

    def held(self, pending: PendingReservation, reply: Sequence[Any]) -> Reservation:
        """The reservation ``RESERVE_LUA`` replied ``reply`` to, or BudgetExceeded / BudgetSkip."""
        if int(reply[0]) != 1:
            reservation = pending.reservation
            over = [_text(item) for item in reply[1:]]
            self._refuse(list(pending.budgets), over, reservation.model, reservation.amount_usd)
        return pending.reservation

    async def settle(self, reservation: Reservation, actual_usd: float) -> None:
        """Drop the hold and count ``actual_usd`` (the ledger record's cost) in the current period."""
        pending = self.settlement(reservation, actual_usd)
        if pending is not None:
            await pending.run()

    def settlement(self, reservation: Reservation, actual_usd: float) -> Settlement | None:
        """``settle``'s script call, for a caller to run inside its own script (``chain`` with
        ``SETTLE_LUA``) or alone later (``Settlement.run``); ``None`` when no budget is held."""
        if actual_usd < 0:
            raise ValueError(f"a call cannot cost less than nothing (got {actual_usd})")
        if not reservation.budgets:
            return None
        now = self.clock()
        budgets = tuple(self.budgets[name] for name in reservation.budgets)
        self._rebuild_embedded(budgets, now)
        keys: list[str] = []
        args: list[str | int] = [reservation.id, "0" if actual_usd == 0 else repr(float(actual_usd))]
        for budget, held in zip(budgets, reservation.keys, strict=True):
            keys += [held, f"{held}:held", self._hash(budget, now)]
            args += [repr(budget.limit_usd), repr(budget.alert_at), _keep_until(budget, now)]
        return Settlement(reservation.id, Part(keys, args), budgets, now, self)

    async def run_settlement(self, pending: Settlement) -> None:
        """Run a settlement built by ``settlement`` on its own (one round trip)."""
        pending.settled(await self._aio.run("settle", list(pending.part.keys), list(pending.part.args)))

    def settled(self, pending: Settlement, alerts: Sequence[Any]) -> None:
        """The threshold alerts a settlement's script reply names (``SETTLE_LUA``'s reply)."""
        for index, spent in zip(alerts[::2], alerts[1::2], strict=True):
            self._alert(pending.budgets[int(index) - 1], float(spent), pending.now)

    async def release(self, reservation: Reservation) -> None:
        """Drop the hold of a call that was not billed."""
        await self.settle(reservation, 0.0)

    async def aclose(self) -> None:
        await self._aio.aclose()

    def status(self) -> list[BudgetStatus]:
        """Every budget's spend, live holds, limit and remaining amount in its current period."""
        now = self.clock()
        budgets = list(self.budgets.values())
        self._rebuild_embedded(budgets, now)
        client = self.store.sync()
        try:
            pipe = client.pipeline(transaction=False)
            for budget in budgets:
                h = self._hash(budget, now)
                pipe.hget(h, "spent")
                pipe.zrangebyscore(f"{h}:held", _ms(now), "+inf")
            replies = pipe.execute()
            held = self._held_amounts(client, budgets, replies[1::2], now)
        except STORE_ERRORS as exc:
            raise self.store.unavailable(exc) from None
        return [
            _status(budget, now, float(spent or 0), reserved)
            for budget, spent, reserved in zip(budgets, replies[::2], held, strict=True)
        ]

    # ------------------------------------------------------------------ helpers

    def _hash(self, budget: Budget, now: float) -> str:
        return period_hash(self.store, budget.key, period_id(budget.period, now))

    def _held_amounts(
        self, client: Any, budgets: list[Budget], ids: list[list[bytes]], now: float
    ) -> list[float]:
        pipe = client.pipeline(transaction=False)
        for budget, live in zip(budgets, ids, strict=True):
            fields: list[bytes] = [b"r:" + rid for rid in live] or [b"-"]
            pipe.hmget(self._hash(budget, now), fields)
        return [sum(float(amount) for amount in amounts if amount) for amounts in pipe.execute()]

    def _refuse(self, budgets: list[Budget], over: list[str], model: str, amount: float) -> NoReturn:
        found = [
            (budgets[int(over[i]) - 1], float(over[i + 1]), float(over[i + 2]))
            for i in range(0, len(over), 3)
        ]
        # A reject budget wins: the caller must hear that it cannot spend, not silently get another model.
        budget, spent, reserved = next(((b, s, r) for b, s, r in found if b.action == "reject"), found[0])
        if budget.action == "skip":
            raise BudgetSkip(budget.key, model)
        raise BudgetExceeded(
            f"budget {budget.key!r} ({_describe(budget)}) would be exceeded by a call to {model!r}: "
            f"{readable(spent)} spent and {readable(reserved)} held of {readable(budget.limit_usd)}, "
            f"this call may cost up to {readable(amount)}",
            budget=budget.key,
            limit_usd=budget.limit_usd,
            spent_usd=spent,
        )

    def _alert(self, budget: Budget, spent: float, now: float) -> None:
        _log().warning(
            "budget.threshold",
            budget=budget.key,
            scope=budget.scope,
            target=budget.target,
            period=period_id(budget.period, now),
            spent_usd=spent,
            limit_usd=budget.limit_usd,
            alert_at=budget.alert_at,
        )

    def _rebuild_embedded(self, budgets: Sequence[Budget], now: float) -> None:
        # The embedded store starts empty in each process: count this period's spend from the
        # ledger's totals, once, before this process settles anything in it.
        if not self.store.embedded:
            return
        if not self._journal_ready:
            load_journal(self.store)
            self._journal_ready = True
        client = self.store.sync()
        for budget in budgets:
            h = self._hash(budget, now)
            if h not in self._rebuilt:
                if not client.hexists(h, "spent"):
                    client.hsetnx(h, "spent", repr(_ledger_spend(self.store, budget, now)))
                self._rebuilt.add(h)


def period_hash(store: Store, budget_key: str, period: str) -> str:
    """The hash of one budget's period (its holds zset is this key + ``:held``).

    One hash tag for every budget: a call holds all its budgets in one script, all
    or none, so on a Redis Cluster they must share a slot. That slot is busy (two
    scripts per call that has a budget), as each budget's counter is one key anyway.
    """
    return store.key("budget", "{budgets}", budget_key, period)


def _by_key(budgets: Sequence[Budget]) -> dict[str, Budget]:
    found: dict[str, Budget] = {}
    for budget in budgets:
        if budget.key in found:
            raise ConfigError(
                f"two budgets are both called {budget.key!r}; give one of them a distinct 'name' "
                "so each keeps its own spend"
            )
        found[budget.key] = budget
    return found


def _applies(budget: Budget, model: str, provider: str, team: str | None, tags: Sequence[str]) -> bool:
    if budget.scope == "global":
        return True
    if budget.scope == "model":
        return budget.target == model
    if budget.scope == "provider":
        return budget.target == provider
    if budget.scope == "team":
        return team is not None and budget.target == team
    return budget.target in tags


def _ledger_spend(store: Store, budget: Budget, now: float) -> float:
    """Spend of the budget's current period, from the cells of the ledger's day totals."""
    start, _ = period_bounds(budget.period, now)
    client = store.sync()
    pipe = client.pipeline(transaction=False)
    for day in days_between(start.timestamp(), now + 1):
        for shard in shards():
            pipe.hgetall(totals_key(store, day, shard))
    return sum(
        Sums.parse(value).usd
        for cells in pipe.execute()
        for field, value in cells.items()
        if _cell_applies(budget, Cell.parse(field))
    )


def _cell_applies(budget: Budget, cell: Cell) -> bool:
    return _applies(budget, cell.model, cell.provider, cell.team, cell.tags)


def _status(budget: Budget, now: float, spent: float, reserved: float) -> BudgetStatus:
    start, end = period_bounds(budget.period, now)
    return BudgetStatus(
        key=budget.key,
        scope=budget.scope,
        target=budget.target,
        period=budget.period,
        period_id=period_id(budget.period, now),
        period_start=start,
        period_end=end,
        spent_usd=spent,
        reserved_usd=reserved,
        limit_usd=budget.limit_usd,
        remaining_usd=max(budget.limit_usd - spent - reserved, 0.0),
        alert_at=budget.alert_at,
        action=budget.action,
    )


def _describe(budget: Budget) -> str:
    scope = budget.scope if budget.target is None else f"{budget.scope} {budget.target}"
    return f"{scope}, ${budget.limit_usd:.2f} per {budget.period}"


def _keep_until(budget: Budget, now: float) -> int:
    # From the period's cached end, not its datetime: every hold and settlement asks (twice an item).
    return _ms(period_end_ts(budget.period, now) + _KEEP_AFTER_PERIOD_S)


def _ms(ts: float) -> int:
    return int(ts * 1000)
