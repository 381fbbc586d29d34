"""One ledger record per model call: what it cost and why it went where it went.

A record never holds prompt or completion text, only counts, names and codes.
Its ``id`` makes writes idempotent: a record delivered twice counts once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["ok", "error", "lost", "cancelled", "interrupted"]
"""``lost``: the call's process died after sending it; the cost is its reserved estimate.
``cancelled``: the caller stopped it part way (closed a stream, disconnected); ``interrupted``:
its stream broke after the first delta. Both cost what was spent by then (``usage_estimated``)."""


class CostRecord(BaseModel):
    """One billed (or attempted) model call."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """``<request_id>:<attempt>`` for a call, ``<job_id>:<custom_id>:<attempt>`` for a batch item."""
    ts: float = Field(description="Unix time (UTC) the attempt ended")
    model: str
    litellm_model: str
    provider: str
    deployment: Literal["self_hosted", "cloud"]
    team: str | None = None
    tags: tuple[str, ...] = ()
    rule: str
    sensitivity: str
    language: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = True
    """False when no price is known: ``cost_usd`` is then 0 and totals are a lower bound."""
    estimated_cost_usd: float | None = None
    latency_ms: float = 0.0
    outcome: Outcome = "ok"
    usage_estimated: bool = False
    """True when the tokens are the router's count, not the provider's: a call cut short before
    the provider reported its usage (the prompt, plus the text streamed until it stopped)."""
    error_type: str | None = None
    attempt: int = 1
    fallback: bool = False
    simulated: bool = False
    request_id: str = ""
    job_id: str | None = None
    custom_id: str | None = None
    intent: str | None = None
    """The id of the intent this record replaces (``_intents``): an id, never text."""
    candidates: tuple[str, ...] = ()
    """Names of the models that could have taken the call (the decision's candidates), for savings reports."""

    @property
    def day(self) -> str:
        """The UTC calendar day of the record, ``YYYY-MM-DD``."""
        return datetime.fromtimestamp(self.ts, tz=UTC).strftime("%Y-%m-%d")
