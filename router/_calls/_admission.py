"""A call's rate-limit slot and budget reservation, asked for in one Redis round trip.

Before a request goes to a model it needs both a slot in the model's shared
rate limit and a hold on every budget that applies. The two scripts stay with
their owners (``RateLimiter``, ``BudgetGuard``); this module runs them chained
(``router._state._chain``), slot first: when no slot is free nothing is held,
and when a budget has no room the slot just taken goes unused, which only ever
errs on the side of fewer requests.

On a Redis Cluster the slot (in the model's hash slot) and the holds (in the
budgets' slot) cannot share a script, so they are asked for one after the
other, slot first: two round trips, with the same outcome in every case, since
each script is still atomic on its own and the hold is only asked for once the
slot is taken.

An admission asked for while no other is waiting on this ``Admission`` is sent at once, in the
asking task, rather than through the loop's coalesced pipeline (``router._state._coalesced``):
that pipeline leaves a loop turn later, from a task of its own, and in the meantime the turn
runs what else is ready, such as the connection ``open_ahead`` starts to the model's server, so
a lone stream's admission left only after that connect. It goes on the loop's direct connection
(``router._state._direct``), past redis-py's per-command path. Admissions asked for together (a
busy gateway, a batch worker's items) still share a pipeline. The script and its reply are the same.
"""

from __future__ import annotations

from typing import Any

from router._ledger._intents import INTENT_LUA
from router._state._budgets import RESERVE_LUA, BudgetGuard, HoldRequest, Reservation
from router._state._chain import ABSENT, Arg, Part, chain, pack
from router._state._loop_clients import LoopClients
from router._state._ratelimit import SLOT_LUA, Limits, RateLimiter, patiently, wait_s
from router._state._store import Store

__all__ = ["Admission"]

ADMIT_LUA = chain([SLOT_LUA, RESERVE_LUA, INTENT_LUA])


class Admission:
    """Takes a slot and holds the budgets for one request, together."""

    def __init__(self, store: Store, limiter: RateLimiter, budgets: BudgetGuard) -> None:
        self._limiter = limiter
        self._budgets = budgets
        self._scripts = LoopClients(store, {"admit": ADMIT_LUA, "intent": INTENT_LUA})
        self._one_script = not store.cluster
        self._waiting = 0
        """Admissions whose script has been asked for and has not answered yet."""

    async def admit(
        self, hold: HoldRequest, *, tokens: int, max_wait_s: float, intent: Part = ABSENT
    ) -> Reservation:
        """Wait up to ``max_wait_s`` for a slot for ``tokens``, holding ``hold`` on the budgets with it.

        ``intent`` (the first attempt's, ``router._ledger._intents``) is stored once both are granted.

        Raises ``SlotUnavailable`` as soon as the slot would free after the wait,
        ``BudgetSkip`` or ``BudgetExceeded`` when a budget has no room.
        """
        model = hold.model
        slot = self._limiter.slot_part(model.name, Limits.of(model), tokens)
        held: list[Reservation] = []

        async def attempt() -> float:
            # Prepared afresh each time round: the hold's clock and period move on while we wait.
            pending = self._budgets.prepare(hold)
            if not self._one_script:
                wait = await self._limiter.try_part(slot)
                if wait == 0.0:
                    held.append(await self._budgets.hold(pending))
                    if intent.keys:
                        await self._scripts.run("intent", list(intent.keys), list(intent.args))
                return wait
            keys, args = pack([slot, pending.part, intent])
            if not keys:
                held.append(pending.reservation)  # no limit, no budget: nothing to ask Redis
                return 0.0
            replies = await self._admit_script(keys, args)
            wait = wait_s(replies[0])
            if wait == 0.0:
                held.append(self._budgets.held(pending, replies[1]))
            return wait

        await patiently(model.name, max_wait_s, attempt)
        return held[-1]

    async def _admit_script(self, keys: list[str], args: list[Arg]) -> Any:
        """The admission script's reply: sent at once when it is alone, else with the others."""
        alone = self._waiting == 0
        self._waiting += 1
        try:
            if not alone:
                return await self._scripts.run("admit", keys, args)
            return await self._scripts.alone("admit", keys, args)
        finally:
            self._waiting -= 1

    async def aclose(self) -> None:
        await self._scripts.aclose()
