"""What a request cut short has spent: the attempt's record when it stops part way.

A request can stop after it has left: the caller cancels it (closes a stream, disconnects from
the gateway), or a stream breaks after its first delta. The provider bills what it has
processed by then, so the attempt is billed too, never released at zero:

- with the provider's usage, when its usage chunk arrived before the end;
- else with an estimate: the prompt tokens the router counted for this model, plus the tokens
  of the deltas already received, counted with the same tokenizer. The record says so
  (``usage_estimated``).

Either way the usage is priced like every other call (routes.yaml's price, else litellm's
catalogue), and the record's outcome says why it stopped: ``cancelled`` or ``interrupted``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from router._calls._context import CallState
from router._decision import Candidate
from router._errors import ProviderError
from router._ledger._record import CostRecord
from router._pricing import ModelInfo
from router._providers._cost import call_cost
from router._results import Attempt, Usage
from router._signals._tokens import count_text, encoding_for
from router._streaming import Channel

__all__ = ["Spent", "cut_short", "spent"]

CANCELLED = "cancelled"
"""The ``error_type`` of an attempt its caller cancelled."""


@dataclass(frozen=True)
class Spent:
    usage: Usage
    cost_usd: float | None
    estimated: bool
    """True when the usage is the router's count, not the provider's."""


def spent(info: ModelInfo, candidate: Candidate, channel: Channel | None) -> Spent:
    """What the request to ``info`` has spent so far (``channel``: its stream, if it streams)."""
    if channel is not None and channel.reported is not None:
        return Spent(channel.reported, call_cost(info, channel.reported), estimated=False)
    text = "".join(channel.received) if channel is not None else ""
    completion = count_text(text, encoding_for(candidate.litellm_model))
    usage = Usage(prompt_tokens=candidate.prompt_tokens, completion_tokens=completion)
    return Spent(usage, call_cost(info, usage), estimated=True)


@dataclass(frozen=True)
class Stopped:
    """One attempt that stopped part way."""

    info: ModelInfo
    candidate: Candidate
    number: int
    fallback: bool
    started: float
    """``time.monotonic()`` when its request left."""


def cut_short(
    state: CallState,
    stopped: Stopped,
    channel: Channel | None,
    error: ProviderError | None,
    *,
    simulated: bool,
) -> tuple[Attempt, CostRecord]:
    """The attempt and its ledger record; ``error`` is None when the caller cancelled it."""
    bill = spent(stopped.info, stopped.candidate, channel)
    attempt = Attempt(
        model=stopped.info.name,
        number=stopped.number,
        outcome="error",
        error_type=CANCELLED if error is None else error.error_type,
        error="the caller stopped the request" if error is None else error.message[:500],
        status=None if error is None else error.status,
        latency_ms=round((time.monotonic() - stopped.started) * 1000, 3),
        usage=bill.usage,
        cost_usd=bill.cost_usd,
        fallback=stopped.fallback,
    )
    record = state.cost_record(stopped.info, stopped.candidate, attempt, simulated)
    outcome = "cancelled" if error is None else "interrupted"
    update = {"outcome": outcome, "usage_estimated": bill.estimated, "priced": bill.cost_usd is not None}
    return attempt, record.model_copy(update=update)
