"""The state of one routed call as it moves along its fallback chain."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from router._calls._masking import MaskedTask
from router._decision import Candidate, Decision
from router._ledger._record import CostRecord
from router._pricing import ModelInfo
from router._results import Attempt, ProviderResponse, Usage
from router._task import Task


@dataclass
class CallState:
    """Everything the fallback loop knows about one call; no prompt text beyond ``task`` (and
    ``masked``, when the decision pseudonymises)."""

    task: Task
    decision: Decision
    request_id: str
    deadline: float
    """``time.monotonic()`` value after which no new attempt starts."""
    max_tokens: int
    started: float = field(default_factory=time.monotonic)
    attempts: list[Attempt] = field(default_factory=list)
    spent_usd: float = 0.0
    job_id: str | None = None
    custom_id: str | None = None
    collect: list[CostRecord] | None = None
    """Where the call's cost records go: the caller's list, or the ledger (``None``)."""
    intents: bool = False
    """Whether each attempt's intent is stored before its request (see ``router._ledger._intents``)."""
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    """This execution of the call: a batch item re-run after a crash gets another."""
    masked: MaskedTask | None = None
    """The task pseudonymised, once per call, when the decision says so: every model gets it."""

    @property
    def sent(self) -> Task:
        """The task as it leaves for a provider: pseudonymised when the decision says so."""
        return self.masked.task if self.masked is not None else self.task

    def remaining_s(self) -> float:
        return self.deadline - time.monotonic()

    def skip(self, model: str, reason: str, fallback: bool) -> None:
        number = len(self.attempts) + 1
        self.attempts.append(
            Attempt(model=model, number=number, outcome="skipped", error=reason, fallback=fallback)
        )

    def local_fault(self, model: str, reason: str, fallback: bool) -> None:
        """A model this process cannot call (its key is unset here): no request, nothing billed."""
        self._refused(model, "api_key_missing", reason, fallback)

    def not_cleared(self, model: str, reason: str, fallback: bool) -> None:
        """A model that may not receive this call's text: no request. An error, not a skip, as
        waiting would not change it (a batch item does not retry it)."""
        self._refused(model, "not_cleared", reason, fallback)

    def _refused(self, model: str, error_type: str, reason: str, fallback: bool) -> None:
        number = len(self.attempts) + 1
        self.attempts.append(
            Attempt(
                model=model,
                number=number,
                outcome="error",
                error_type=error_type,
                error=reason,
                fallback=fallback,
            )
        )

    def record_id(self, number: int) -> str:
        if self.job_id is not None:
            return f"{self.job_id}:{self.custom_id}:{number}"
        return f"{self.request_id}:{number}"

    def intent_id(self, number: int) -> str:
        return f"{self.record_id(number)}~{self.run}"

    def intent_record(self, info: ModelInfo, candidate: Candidate, number: int, fallback: bool) -> CostRecord:
        """What the ledger says of attempt ``number`` if its process dies during the request."""
        # One record built and validated once, on the request's path before its admission,
        # rather than an Attempt, the attempt's record and a copy of it.
        estimate = info.estimate(candidate.prompt_tokens, self.max_tokens) or 0.0
        return CostRecord(
            **self._fields(info, candidate, number, fallback),
            id=self.intent_id(number),
            intent=None,
            prompt_tokens=candidate.prompt_tokens,
            completion_tokens=0,
            cost_usd=estimate,
            priced=True,
            latency_ms=0.0,
            outcome="lost",
            error_type=None,
            simulated=False,
        )

    def cost_record(
        self, info: ModelInfo, candidate: Candidate, attempt: Attempt, simulated: bool
    ) -> CostRecord:
        """The ledger record of one attempt: counts and names only."""
        usage = attempt.usage or Usage()
        return CostRecord(
            **self._fields(info, candidate, attempt.number, attempt.fallback),
            id=self.record_id(attempt.number),
            intent=self.intent_id(attempt.number) if self.intents else None,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=attempt.cost_usd or 0.0,
            priced=attempt.cost_usd is not None or attempt.outcome != "ok",
            latency_ms=attempt.latency_ms,
            outcome="ok" if attempt.outcome == "ok" else "error",
            error_type=attempt.error_type,
            simulated=simulated,
        )

    def _fields(self, info: ModelInfo, candidate: Candidate, number: int, fallback: bool) -> dict[str, Any]:
        """What every record of this call's attempt ``number`` says, whatever its outcome."""
        signals = self.decision.signals
        return {
            "ts": time.time(),
            "model": info.name,
            "litellm_model": info.spec.model,
            "provider": info.spec.provider,
            "deployment": info.spec.deployment.kind,
            "team": self.task.team,
            "tags": self.task.tags,
            "rule": self.decision.rule,
            "sensitivity": signals.sensitivity.label,
            "language": signals.language,
            "estimated_cost_usd": candidate.estimated_cost_usd,
            "attempt": number,
            "fallback": fallback,
            "request_id": self.request_id,
            "job_id": self.job_id,
            "custom_id": self.custom_id,
            "candidates": tuple(c.model for c in self.decision.candidates),
        }


def success_attempt(
    model: str, number: int, response: ProviderResponse, latency_ms: float, fallback: bool
) -> Attempt:
    return Attempt(
        model=model,
        number=number,
        outcome="ok",
        latency_ms=round(latency_ms, 3),
        usage=response.usage,
        cost_usd=response.cost_usd,
        fallback=fallback,
    )
