"""The fallback loop: call the decision's candidates in order until one answers.

The loop only ever walks ``decision.candidates``, the list routing built after
removing every model whose clearance is below the task's sensitivity; it has
no other source of model names. So no retry, fallback or budget downgrade can
send a task to a model that may not see it, and when every allowed model has
failed the call fails closed with ``AllModelsFailed``.

Per candidate:

1. skip it if its circuit is open (a shared cool-down) or the cost cap would be
   broken by what the chain has already spent;
2. in one Redis round trip (``Admission``), take a shared rate-limit slot and
   reserve the worst-case cost against every budget that applies (``skip``
   budgets pass to the next model, ``reject`` budgets fail the call);
3. up to ``attempts_per_model`` tries, each retry after taking another
   slot: success records the attempt, settles the budget (at once, or right
   after the answer with ``settle_in_background``) and returns; a retryable error waits
   (backoff, never sooner than ``Retry-After``) and tries again; a context
   window or authentication error moves on at once; a bad request fails the
   whole call with the provider's message.

One deadline holds for the whole chain.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from router._calls._admission import Admission
from router._calls._afterwards import Afterwards
from router._calls._backoff import retry_delay
from router._calls._context import CallState, CostSink, success_attempt
from router._config._schema import Policies
from router._decision import Candidate, Decision
from router._errors import (
    AllModelsFailed,
    AuthenticationFailed,
    BadRequest,
    CallError,
    ContextWindowExceeded,
    DeadlineExceeded,
    ProviderError,
    ProviderTimeout,
    RateLimited,
)
from router._pricing import ModelInfo
from router._providers._base import Provider
from router._results import Attempt, Completion, ProviderResponse
from router._state._budgets import BudgetGuard, BudgetSkip, HoldRequest, Reservation
from router._state._circuit import CircuitBreaker
from router._state._ratelimit import Limits, RateLimiter, SlotUnavailable
from router._task import Task

log = structlog.get_logger("router.calls")


@dataclass(frozen=True)
class Guards:
    """The shared (cross-process) checks every attempt passes."""

    limiter: RateLimiter
    circuit: CircuitBreaker
    budgets: BudgetGuard
    admission: Admission
    """The first slot and the budget hold of each model, asked for together."""


class _NextModel(Exception):
    """Internal: stop trying this model, go to the next candidate."""


class Executor:
    """Runs routed calls with retries and fallback."""

    def __init__(
        self,
        models: Mapping[str, ModelInfo],
        provider: Provider,
        guards: Guards,
        policies: Policies,
        *,
        simulated: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self.afterwards = Afterwards()
        self.models = models
        self.provider = provider
        self.guards = guards
        self.policies = policies
        self.simulated = simulated
        self._rng = rng or random.Random()

    async def run(
        self,
        task: Task,
        decision: Decision,
        *,
        request_id: str,
        sink: CostSink,
        job_id: str | None = None,
        custom_id: str | None = None,
        settle_in_background: bool = False,
    ) -> Completion:
        """Call the candidates in order; return the first answer or raise a ``CallError``.

        ``settle_in_background`` lets the answer return before the budget is settled
        (``afterwards``); settling late only keeps the worst-case hold a moment longer.
        """
        state = CallState(
            task=task,
            decision=decision,
            request_id=request_id,
            deadline=time.monotonic() + self.policies.fallback.deadline_s,
            max_tokens=decision.chosen.expected_output_tokens,
            job_id=job_id,
            custom_id=custom_id,
            settle_in_background=settle_in_background,
        )
        try:
            for index, candidate in enumerate(decision.candidates):
                completion = await self._try_candidate(state, candidate, index > 0, sink)
                if completion is not None:
                    return completion
                _log_fallback(state, candidate, decision.candidates[index + 1 :])
            raise _all_failed(state)
        except CallError as error:
            _log_failed(state, error)
            raise

    async def _try_candidate(
        self, state: CallState, candidate: Candidate, fallback: bool, sink: CostSink
    ) -> Completion | None:
        info = self.models[candidate.model]
        if not await self._admissible(state, candidate, fallback):
            return None
        reservation = await self._admit(state, info, candidate, fallback)
        if reservation is None:
            return None
        settled = False
        try:
            completion = await self._attempts(state, info, candidate, fallback, sink, reservation)
            settled = completion is not None
            return completion
        finally:
            if not settled:
                await self.guards.budgets.release(reservation)

    async def _admissible(self, state: CallState, candidate: Candidate, fallback: bool) -> bool:
        if not await self.guards.circuit.allow(candidate.model):
            state.skip(candidate.model, "circuit open: cooling down after repeated failures", fallback)
            return False
        cap = state.decision.cost_cap_usd
        estimate = candidate.estimated_cost_usd or 0.0
        if cap is not None and state.spent_usd + estimate > cap:
            spent = f"${state.spent_usd:.6f}"
            reason = f"the chain has spent {spent}; this model's estimate would pass the ${cap:g} cap"
            state.skip(candidate.model, reason, fallback)
            return False
        return True

    async def _admit(
        self, state: CallState, info: ModelInfo, candidate: Candidate, fallback: bool
    ) -> Reservation | None:
        """The first rate-limit slot and the budget reservation, in one round trip; None skips the model."""
        remaining = state.remaining_s()
        wait = min(self.policies.rate_limits.max_wait_s, max(remaining, 0.0))
        try:
            hold = HoldRequest(
                id=f"{state.request_id}:{candidate.model}:{len(state.attempts) + 1}",
                model=info.spec,
                team=state.task.team,
                tags=tuple(state.task.tags),
                amount_usd=info.estimate(candidate.prompt_tokens, state.max_tokens) or 0.0,
            )
            tokens = candidate.prompt_tokens + state.max_tokens
            return await self.guards.admission.admit(hold, tokens=tokens, max_wait_s=wait)
        except SlotUnavailable as full:
            state.skip(info.name, _no_slot(wait, full), fallback)
        except BudgetSkip as skip:
            state.skip(candidate.model, f"budget {skip.budget!r} would be exceeded", fallback)
        return None

    async def _attempts(
        self,
        state: CallState,
        info: ModelInfo,
        candidate: Candidate,
        fallback: bool,
        sink: CostSink,
        reservation: Reservation,
    ) -> Completion | None:
        tries = self.policies.fallback.attempts_per_model
        for retry in range(tries):
            try:
                # The first slot came with the reservation; retries take their own.
                attempt, response = await self._attempt(
                    state, info, candidate, fallback, sink, take_slot=retry > 0
                )
            except _NextModel:
                return None
            except ProviderError as error:
                if isinstance(error, BadRequest):
                    raise  # fails the whole call, with the provider's message
                if not await self._waited_for_retry(state, error, retry, last=retry == tries - 1):
                    return None
                continue
            record = state.cost_record(info, candidate, attempt, response.simulated or self.simulated)
            await sink(record)
            settle = self._settle(reservation, attempt, info.name)
            if state.settle_in_background:
                # Settling only lowers the hold to the actual cost: it can follow the answer.
                self.afterwards.spawn(settle, "settle")
            else:
                await settle
            return self._completion(state, info, attempt, response)
        return None

    async def _settle(self, reservation: Reservation, attempt: Attempt, model: str) -> None:
        await asyncio.gather(
            self.guards.budgets.settle(reservation, attempt.cost_usd or 0.0),
            self.guards.circuit.record_success(model),
        )

    async def _attempt(
        self,
        state: CallState,
        info: ModelInfo,
        candidate: Candidate,
        fallback: bool,
        sink: CostSink,
        *,
        take_slot: bool,
    ) -> tuple[Attempt, ProviderResponse]:
        """One request. Returns the successful attempt or raises what the loop should do next."""
        remaining = state.remaining_s()
        if remaining <= 0:
            raise _deadline(state, self.policies.fallback.deadline_s)
        if take_slot:
            await self._take_slot(state, info, candidate, fallback, remaining)
        number = len(state.attempts) + 1
        started = time.monotonic()
        try:
            # asyncio.timeout, unlike wait_for, runs the call in this task: no extra task per call.
            async with asyncio.timeout(max(state.remaining_s(), 0.001)):
                response = await self.provider.acomplete(
                    info,
                    state.task.messages,
                    max_tokens=state.max_tokens,
                    timeout_s=_timeout(info, remaining),
                )
        except (TimeoutError, ProviderError) as raw:
            error = raw if isinstance(raw, ProviderError) else _chain_timeout(info)
            await self._on_error(state, info, candidate, fallback, sink, error, started)
            raise AssertionError("unreachable") from None  # _on_error always raises
        latency = (time.monotonic() - started) * 1000
        attempt = success_attempt(info.name, number, response, latency, fallback)
        state.attempts.append(attempt)
        state.spent_usd += attempt.cost_usd or 0.0
        _log_attempt(state, attempt)
        return attempt, response

    async def _take_slot(
        self, state: CallState, info: ModelInfo, candidate: Candidate, fallback: bool, remaining: float
    ) -> None:
        limits = Limits(rpm=info.spec.rpm, tpm=info.spec.tpm)
        wait = min(self.policies.rate_limits.max_wait_s, remaining)
        try:
            await self.guards.limiter.acquire(
                info.name, limits, candidate.prompt_tokens + state.max_tokens, max_wait_s=wait
            )
        except SlotUnavailable as full:
            state.skip(info.name, _no_slot(wait, full), fallback)
            raise _NextModel from None

    async def _on_error(
        self,
        state: CallState,
        info: ModelInfo,
        candidate: Candidate,
        fallback: bool,
        sink: CostSink,
        error: ProviderError,
        started: float,
    ) -> None:
        """Record a failed attempt, update shared state, and raise what the loop does next."""
        attempt = Attempt(
            model=info.name,
            number=len(state.attempts) + 1,
            outcome="error",
            error_type=error.error_type,
            error=error.message[:500],
            status=error.status,
            latency_ms=round((time.monotonic() - started) * 1000, 3),
            fallback=fallback,
        )
        state.attempts.append(attempt)
        await sink(state.cost_record(info, candidate, attempt, self.simulated))
        _log_attempt(state, attempt)
        if error.retryable and not isinstance(error, RateLimited):
            await self.guards.circuit.record_failure(info.name)
        if isinstance(error, AuthenticationFailed):
            await self.guards.circuit.park(
                info.name, self.policies.fallback.auth_cooldown_s, error.error_type
            )
        if isinstance(error, BadRequest):
            raise error  # the request itself is wrong: another model would refuse it too
        if not error.retryable or isinstance(error, ContextWindowExceeded):
            raise _NextModel
        raise error

    async def _waited_for_retry(
        self, state: CallState, error: ProviderError, retry: int, *, last: bool
    ) -> bool:
        """Sleep before retrying the same model; False when the loop should move on instead."""
        policy = self.policies.fallback
        if last:
            return False
        if error.retry_after is not None and error.retry_after > policy.max_retry_after_s:
            return False  # waiting that long is worse than trying another model
        delay = retry_delay(policy, retry, error.retry_after, self._rng)
        if delay >= state.remaining_s():
            return False
        await asyncio.sleep(delay)
        return True

    def _completion(
        self, state: CallState, info: ModelInfo, attempt: Attempt, response: ProviderResponse
    ) -> Completion:
        completion = Completion(
            content=response.content,
            model=info.name,
            litellm_model=info.spec.model,
            attempts=tuple(state.attempts),
            usage=response.usage,
            cost_usd=None
            if attempt.cost_usd is None and state.spent_usd == 0
            else round(state.spent_usd, 10),
            latency_ms=round((time.monotonic() - state.started) * 1000, 3),
            decision=state.decision,
            simulated=response.simulated or self.simulated,
            request_id=state.request_id,
            finish_reason=response.finish_reason,
        )
        log.info(
            "call.succeeded",
            request_id=state.request_id,
            model=info.name,
            attempts=len(state.attempts),
            prompt_tokens=completion.usage.prompt_tokens,
            completion_tokens=completion.usage.completion_tokens,
            cost_usd=completion.cost_usd,
            latency_ms=completion.latency_ms,
        )
        return completion


def _timeout(info: ModelInfo, remaining_s: float) -> float:
    """The provider request timeout: the model's own, never past the chain's deadline."""
    own = info.spec.params.timeout
    return min(own, remaining_s) if own is not None else remaining_s


def _no_slot(wait_s: float, full: SlotUnavailable) -> str:
    return f"rate limit slot not free within {wait_s:.1f}s (next in {full.retry_in_s:.1f}s)"


def _chain_timeout(info: ModelInfo) -> ProviderTimeout:
    return ProviderTimeout(f"{info.name} did not answer before the call's deadline", model=info.name)


def _deadline(state: CallState, deadline_s: float) -> DeadlineExceeded:
    tried = ", ".join(f"{a.model}#{a.number} {a.error_type or a.outcome}" for a in state.attempts) or "none"
    return DeadlineExceeded(
        f"the call's {deadline_s:g}s deadline passed before any model answered (attempts: {tried})",
        attempts=state.attempts,
        deadline_s=deadline_s,
    )


def _all_failed(state: CallState) -> AllModelsFailed:
    lines = "\n".join(
        f"  {a.number}. {a.model}: {a.outcome}"
        + (f" {a.error_type}" if a.error_type else "")
        + (f" ({a.error})" if a.error else "")
        for a in state.attempts
    )
    allowed = ", ".join(c.model for c in state.decision.candidates)
    return AllModelsFailed(
        f"every model allowed for this task failed or was unavailable ({allowed}); "
        f"no other model is cleared for it, so the call fails closed. Attempts:\n{lines}",
        attempts=state.attempts,
    )


def _log_attempt(state: CallState, attempt: Attempt) -> None:
    log.info(
        "call.attempt",
        request_id=state.request_id,
        model=attempt.model,
        attempt=attempt.number,
        outcome=attempt.outcome,
        error_type=attempt.error_type,
        status=attempt.status,
        latency_ms=attempt.latency_ms,
        prompt_tokens=attempt.usage.prompt_tokens if attempt.usage else None,
        completion_tokens=attempt.usage.completion_tokens if attempt.usage else None,
        cost_usd=attempt.cost_usd,
        fallback=attempt.fallback,
    )


def _log_fallback(state: CallState, failed: Candidate, rest: tuple[Candidate, ...]) -> None:
    if rest:
        # Fallback is the router doing its job; call.failed is the warning.
        log.info(
            "call.fallback", request_id=state.request_id, from_model=failed.model, to_model=rest[0].model
        )


def _log_failed(state: CallState, error: CallError) -> None:
    # Every model only skipped (no rate-limit slot, open circuit): nothing was sent, and a
    # caller with time (a batch item) waits and tries again, so it is not yet worth a warning.
    skipped = bool(state.attempts) and all(a.outcome == "skipped" for a in state.attempts)
    (log.info if skipped else log.warning)(
        "call.failed",
        request_id=state.request_id,
        error_type=type(error).__name__,
        attempts=len(state.attempts),
        models=[a.model for a in state.attempts],
    )
