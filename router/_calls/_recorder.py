"""What follows each attempt: its ledger record, the budget settlement, and when they run.

One ``Recorder`` per process is injected into the ``Executor``; it is the only
place that writes a call's cost records or settles its budget holds. Where a
call's records go is the caller's choice, made per call:

- ``collect=None`` (an interactive call): the records go to the ledger and the
  budget is settled in background tasks, after the answer has returned. Each is
  a Redis round trip the caller need not wait for: a budget keeps its
  worst-case hold a moment longer, and a write cancelled before it finished is
  spooled and replayed later (see ``_afterwards``). ``drain`` waits for them.
- ``collect=[...]`` (a batch item): the records are appended to the caller's
  list, to be written in the item's own transaction, and the budget is settled
  before the call returns, so the caller's bookkeeping is complete when it commits.
  A ``Deferred`` list takes the answer's settlement too, unrun, for the caller to run
  inside its own finish script (one round trip for both): nothing is awaited between
  the answer and that script, so the spend lands as soon as it would have alone.

Before each request leaves, the recorder stores the attempt's intent (the record it
gets if its process dies meanwhile: see ``router._ledger._intents``); the attempt's own
record replaces it, whichever way it is written.
"""

from __future__ import annotations

from router._calls._afterwards import Afterwards
from router._ledger._intents import Intents
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._state._budgets import BudgetGuard, Reservation, Settlement
from router._state._chain import Part

__all__ = ["Collect", "Deferred", "Recorder"]

Collect = list[CostRecord] | None
"""A caller's list for the records of one call, or ``None`` for the ledger."""


class Deferred(list[CostRecord]):
    """A caller's list for the records of one call that also keeps the answer's budget
    settlement, for the caller to run (``Settlement.run``, or inside its own script)."""

    def __init__(self) -> None:
        super().__init__()
        self.settlements: list[Settlement] = []


class Recorder:
    """Writes each attempt's cost record and settles or releases its budget hold."""

    def __init__(self, ledger: Ledger, budgets: BudgetGuard) -> None:
        self.ledger = ledger
        self.budgets = budgets
        self.intents = Intents(ledger.store)
        self.afterwards = Afterwards()
        self._settled: set[str] = set()
        """Holds settled by ``cut_short``, whose ``release`` (the executor's, as for any
        unanswered model) must not drop them before their settlement has counted."""

    def intent_part(self, intent: CostRecord, deadline_s: float) -> Part:
        """The intent's write, for the admission script to run with the slot and the hold."""
        return self.intents.part(intent, deadline_s)

    async def intend(self, intent: CostRecord, deadline_s: float) -> None:
        """Store the intent of an attempt whose request is about to leave (a retry's)."""
        await self.intents.write(intent, deadline_s)

    async def forget(self, intent: CostRecord) -> None:
        """The request the intent announced never left."""
        await self.intents.forget(intent)

    def abandon(self, intent: CostRecord) -> None:
        """Forget an intent whose admission was cancelled, in the background: the cancelled
        caller cannot await it, and its request never left."""
        self.afterwards.spawn(self.intents.forget(intent), "forget")

    def failed(self, record: CostRecord, collect: Collect) -> None:
        """An attempt that reached the provider and failed: its record (the hold stays for a retry)."""
        self._keep(record, collect)

    async def answered(self, record: CostRecord, reservation: Reservation, collect: Collect) -> None:
        """The answering attempt: its record, and the budget hold settled to its actual cost."""
        self._keep(record, collect)
        if isinstance(collect, Deferred):
            pending = self.budgets.settlement(reservation, record.cost_usd)
            if pending is not None:
                collect.settlements.append(pending)
            return
        settle = self.budgets.settle(reservation, record.cost_usd)
        if collect is None:
            self.afterwards.spawn(settle, "settle")
        else:
            await settle

    def cut_short(self, record: CostRecord, reservation: Reservation, collect: Collect) -> None:
        """An attempt stopped part way (cancelled, or a broken stream): its record, and the hold
        settled to what it spent.

        Nothing here is awaited: a cancelled task may be cancelled again at its next await (an
        anyio cancel scope does that), and this bookkeeping must happen all the same.
        """
        self._keep(record, collect)
        self._settled.add(reservation.id)
        self.afterwards.spawn(self.budgets.settle(reservation, record.cost_usd), "settle")

    async def release(self, reservation: Reservation, collect: Collect = None) -> None:
        """Nothing more will be billed against this hold (the model was given up on)."""
        if isinstance(collect, Deferred) and any(
            pending.reservation_id == reservation.id for pending in collect.settlements
        ):
            return  # answered, then failed after: the caller's settlement bills what it spent
        if reservation.id in self._settled:
            self._settled.discard(reservation.id)  # cut short: its settlement bills what it spent
            return
        await self.budgets.release(reservation)

    async def drain(self) -> None:
        """Wait until every background write and settlement of the running loop is done."""
        await self.afterwards.drain()

    def _keep(self, record: CostRecord, collect: Collect) -> None:
        if collect is not None:
            collect.append(record)
            return
        self.afterwards.spawn(
            self.ledger.arecord(record),
            "ledger",
            if_cancelled=lambda: self.ledger.spool(record, "cancelled before it was written"),
        )
