"""The fallback loop: call the decision's candidates in order until one answers.

The loop only ever walks ``decision.candidates``, the list routing built after
removing every model whose clearance is below the task's sensitivity; it has
no other source of model names. So no retry, fallback or budget downgrade can
send a task to a model that may not see it, and when every allowed model has
failed the call fails closed with ``AllModelsFailed``.

Per candidate:

1. skip it if its circuit is open (a shared cool-down), if this process cannot
   call it (its key variable is unset here: a local fault, which writes no
   shared state), or if the cost cap would be broken by what the chain has
   already spent;
2. in one Redis round trip (``Admission``), take a shared rate-limit slot and
   reserve the worst-case cost against every budget that applies (``skip``
   budgets pass to the next model, ``reject`` budgets fail the call);
3. up to ``attempts_per_model`` tries. Before each retry the circuit is asked
   again (this call's own failures, or another process's, may just have opened
   it) and another slot is taken. ``_on_error`` turns a failure into the next
   ``Step``: wait and retry, move to the next model (context window,
   authentication, a circuit just opened, a failed half-open probe), or fail
   the whole call (a bad request, with the provider's message).

What follows each attempt (its cost record, the budget settlement) belongs to
the injected ``Recorder``. The request itself leaves from one place,
``_send``: wrap that to change what goes out or how it comes back.

A decision that pseudonymises (a rule's ``pseudonymise`` admitted a model below the
task's sensitivity) is masked once per call (``Masker``) before the first
attempt; ``_send`` sends every model the masked messages and puts the originals
back into the answer (and into each streamed delta) before anything returns. A
model is asked only when its clearance covers the text it would receive: the
task as written, or the masked task's own level, measured again after masking.

One deadline holds for the whole chain.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import structlog

from router._calls._admission import Admission
from router._calls._backoff import retry_delay
from router._calls._context import CallState, success_attempt
from router._calls._masking import MaskedTask, Masker, restored
from router._calls._recorder import Collect, Recorder
from router._calls._spent import Stopped, cut_short
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
    StreamInterrupted,
)
from router._params import for_candidate
from router._pricing import ModelInfo
from router._providers._base import OpensAhead, Provider
from router._results import Attempt, Completion, ProviderResponse
from router._state._budgets import BudgetGuard, BudgetSkip, HoldRequest, Reservation
from router._state._chain import ABSENT
from router._state._circuit import CircuitBreaker
from router._state._ratelimit import Limits, RateLimiter, SlotUnavailable
from router._streaming import current_channel, restoring
from router._task import Task

log = structlog.get_logger("router.calls")

Step = Literal["retry", "next_model", "fail"]
"""What the loop does after a failed attempt."""


@dataclass(frozen=True)
class Guards:
    """The shared (cross-process) checks every attempt passes."""

    limiter: RateLimiter
    circuit: CircuitBreaker
    budgets: BudgetGuard
    """Held before a call (with ``admission``); the ``Recorder`` settles or releases the holds."""
    admission: Admission
    """The first slot and the budget hold of each model, asked for together."""


@dataclass(frozen=True)
class _Try:
    """One candidate being tried: its model, its budget hold, and whether it is the circuit's probe."""

    info: ModelInfo
    candidate: Candidate
    fallback: bool
    reservation: Reservation
    probe: bool


class Executor:
    """Runs routed calls with retries and fallback."""

    def __init__(
        self,
        models: Mapping[str, ModelInfo],
        provider: Provider,
        guards: Guards,
        recorder: Recorder,
        policies: Policies,
        *,
        simulated: bool = False,
        rng: random.Random | None = None,
        masker: Masker | None = None,
    ) -> None:
        self.models = models
        self.masker = masker
        """Masks pseudonymised calls; without one, no model below a task's sensitivity is asked."""
        self.provider = provider
        self._open_ahead = provider.open_ahead if isinstance(provider, OpensAhead) else None
        self.guards = guards
        self.recorder = recorder
        self.policies = policies
        self.simulated = simulated
        self._rng = rng or random.Random()

    async def run(
        self,
        task: Task,
        decision: Decision,
        *,
        request_id: str,
        collect: Collect = None,
        job_id: str | None = None,
        custom_id: str | None = None,
    ) -> Completion:
        """Call the candidates in order; return the first answer or raise a ``CallError``.

        ``collect`` is where the call's cost records go (see ``Recorder``): ``None`` for
        the ledger, in the background; a list for a caller that writes them itself.
        """
        state = CallState(
            task=task,
            decision=decision,
            request_id=request_id,
            deadline=time.monotonic() + self.policies.fallback.deadline_s,
            max_tokens=decision.chosen.expected_output_tokens,
            job_id=job_id,
            custom_id=custom_id,
            collect=collect,
            # Simulated calls bill nobody: a simulated call lost with its process cost nothing.
            intents=self.recorder.intents.enabled and not self.simulated,
            masked=self._masked(task, decision),
        )
        try:
            for index, candidate in enumerate(decision.candidates):
                completion = await self._try_candidate(state, candidate, index > 0)
                if completion is not None:
                    return completion
                _log_fallback(state, candidate, decision.candidates[index + 1 :])
            raise _all_failed(state)
        except CallError as error:
            _log_failed(state, error)
            raise

    async def _try_candidate(
        self, state: CallState, candidate: Candidate, fallback: bool
    ) -> Completion | None:
        info = self.models[candidate.model]
        probe = await self._admissible(state, info, candidate, fallback)
        if probe is None:
            return None
        if self._open_ahead is not None:
            # Cleared and callable: its connection opens while Redis admits the call.
            self._open_ahead(info)
        reservation = await self._admit(state, info, candidate, fallback)
        if reservation is None:
            return None
        answered = False
        try:
            completion = await self._attempts(state, _Try(info, candidate, fallback, reservation, probe))
            answered = completion is not None
            return completion
        finally:
            if not answered:
                await self.recorder.release(reservation, state.collect)

    def _masked(self, task: Task, decision: Decision) -> MaskedTask | None:
        policy = decision.pseudonymisation
        if policy is None or self.masker is None:
            return None
        return self.masker.mask(task, policy, decision)

    async def _admissible(
        self, state: CallState, info: ModelInfo, candidate: Candidate, fallback: bool
    ) -> bool | None:
        """None skips the model; otherwise whether this call is the circuit's half-open probe."""
        uncleared = _uncleared(state, info)
        if uncleared is not None:
            state.not_cleared(info.name, uncleared, fallback)
            return None
        missing = self.provider.missing_credentials(info)
        if missing is not None:
            state.local_fault(info.name, missing, fallback)
            return None
        verdict = await self.guards.circuit.check(candidate.model)
        if not verdict.allowed:
            state.skip(candidate.model, f"circuit open: {verdict.describe()}", fallback)
            return None
        cap = state.decision.cost_cap_usd
        estimate = candidate.estimated_cost_usd or 0.0
        if cap is not None and state.spent_usd + estimate > cap:
            spent = f"${state.spent_usd:.6f}"
            reason = f"the chain has spent {spent}; this model's estimate would pass the ${cap:g} cap"
            state.skip(candidate.model, reason, fallback)
            return None
        return verdict.probe

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
            intent, record = ABSENT, None
            if state.intents:
                record = state.intent_record(info, candidate, len(state.attempts) + 1, fallback)
                intent = self.recorder.intent_part(record, remaining)
            try:
                return await self.guards.admission.admit(hold, tokens=tokens, max_wait_s=wait, intent=intent)
            except asyncio.CancelledError:
                # The script may have stored the intent before the cancel reached this task, but
                # the request never left: without this the intent is reaped as a lost call.
                if record is not None:
                    self.recorder.abandon(record)
                raise
        except SlotUnavailable as full:
            state.skip(info.name, _no_slot(wait, full), fallback)
        except BudgetSkip as skip:
            state.skip(candidate.model, f"budget {skip.budget!r} would be exceeded", fallback)
        return None

    async def _attempts(self, state: CallState, now: _Try) -> Completion | None:
        tries = self.policies.fallback.attempts_per_model
        for retry in range(tries):
            # The first attempt's checks and slot came with the admission; retries redo them.
            if retry > 0 and not await self._ready_to_retry(state, now):
                return None
            outcome = await self._attempt(state, now)
            if isinstance(outcome, Completion):
                return outcome
            error, step = outcome
            if step == "fail":
                raise error  # the request itself is wrong: another model would refuse it too
            if step == "next_model":
                return None
            if not await self._waited_for_retry(state, error, retry, last=retry == tries - 1):
                return None
        return None

    async def _ready_to_retry(self, state: CallState, now: _Try) -> bool:
        """The circuit still allows the model (this call's failures may have opened it) and a slot is free."""
        # The probe holds the half-open lock: only its own outcome changes the circuit now.
        if not now.probe:
            verdict = await self.guards.circuit.check(now.info.name)
            if not verdict.allowed:
                state.skip(
                    now.info.name, f"circuit opened during this call: {verdict.describe()}", now.fallback
                )
                return False
        remaining = state.remaining_s()
        if remaining <= 0:
            raise _deadline(state, self.policies.fallback.deadline_s)
        limits = Limits(rpm=now.info.spec.rpm, tpm=now.info.spec.tpm)
        wait = min(self.policies.rate_limits.max_wait_s, remaining)
        tokens = now.candidate.prompt_tokens + state.max_tokens
        try:
            await self.guards.limiter.acquire(now.info.name, limits, tokens, max_wait_s=wait)
        except SlotUnavailable as full:
            state.skip(now.info.name, _no_slot(wait, full), now.fallback)
            return False
        if state.intents:
            intent = state.intent_record(now.info, now.candidate, len(state.attempts) + 1, now.fallback)
            await self.recorder.intend(intent, state.remaining_s())
        return True

    async def _attempt(self, state: CallState, now: _Try) -> Completion | tuple[ProviderError, Step]:
        """One request: the answer, or the error and what the loop does next."""
        remaining = state.remaining_s()
        number = len(state.attempts) + 1
        if remaining <= 0:
            if state.intents:  # the request never leaves: nothing was billed
                await self.recorder.forget(state.intent_record(now.info, now.candidate, number, now.fallback))
            raise _deadline(state, self.policies.fallback.deadline_s)
        started = time.monotonic()
        try:
            response = await self._send(state, now.info, remaining)
        except asyncio.CancelledError:
            self._cut_short(state, now, started, None)  # the caller stopped it: bill what it spent
            raise
        except (TimeoutError, ProviderError) as raw:
            error = raw if isinstance(raw, ProviderError) else _chain_timeout(now.info)
            return error, await self._on_error(state, now, error, started)
        latency = (time.monotonic() - started) * 1000
        attempt = success_attempt(now.info.name, number, response, latency, now.fallback)
        state.attempts.append(attempt)
        state.spent_usd += attempt.cost_usd or 0.0
        _log_attempt(state, attempt)
        record = state.cost_record(now.info, now.candidate, attempt, response.simulated or self.simulated)
        await self.recorder.answered(record, now.reservation, state.collect)
        await self.guards.circuit.record_success(now.info.name)
        return self._completion(state, now.info, attempt, response)

    async def _send(self, state: CallState, info: ModelInfo, remaining_s: float) -> ProviderResponse:
        """The one place a request leaves for a provider: pseudonymised when the decision says so,
        with the originals put back in the answer before it goes further."""
        sent, masked = state.sent, state.masked
        # asyncio.timeout, unlike wait_for, runs the call in this task: no extra task per call.
        async with asyncio.timeout(max(remaining_s, 0.001)):
            if masked is None:
                return await self._request(state, info, sent, remaining_s)
            with restoring(masked.pseudonyms):
                response = await self._request(state, info, sent, remaining_s)
            return restored(response, masked.pseudonyms)

    async def _request(
        self, state: CallState, info: ModelInfo, sent: Task, remaining_s: float
    ) -> ProviderResponse:
        return await self.provider.acomplete(
            info,
            sent.messages,
            max_tokens=state.max_tokens,
            timeout_s=_timeout(info, remaining_s),
            params=for_candidate(sent.params, state.decision.candidate(info.name)),
        )

    async def _on_error(self, state: CallState, now: _Try, error: ProviderError, started: float) -> Step:
        """Record a failed attempt, update shared state, and say what the loop does next."""
        if isinstance(error, StreamInterrupted):
            self._cut_short(state, now, started, error)
            return "fail"
        attempt = Attempt(
            model=now.info.name,
            number=len(state.attempts) + 1,
            outcome="error",
            error_type=error.error_type,
            error=error.message[:500],
            status=error.status,
            latency_ms=round((time.monotonic() - started) * 1000, 3),
            fallback=now.fallback,
        )
        state.attempts.append(attempt)
        self.recorder.failed(
            state.cost_record(now.info, now.candidate, attempt, self.simulated), state.collect
        )
        _log_attempt(state, attempt)
        opened = False
        if error.retryable and not isinstance(error, RateLimited):
            opened = await self.guards.circuit.record_failure(now.info.name)
        if isinstance(error, AuthenticationFailed):
            # The provider itself refused the key: park the model for everyone, for a bounded time.
            cooldown = self.policies.fallback.auth_cooldown_s
            await self.guards.circuit.park(now.info.name, cooldown, error.error_type)
        return _step(error, opened=opened, probe=now.probe)

    def _cut_short(
        self, state: CallState, now: _Try, started: float, error: StreamInterrupted | None
    ) -> None:
        """A request stopped after it left (``error`` None: cancelled): record and bill what it spent."""
        stopped = Stopped(now.info, now.candidate, len(state.attempts) + 1, now.fallback, started)
        attempt, record = cut_short(state, stopped, current_channel(), error, simulated=self.simulated)
        state.attempts.append(attempt)
        state.spent_usd += attempt.cost_usd or 0.0
        self.recorder.cut_short(record, now.reservation, state.collect)
        _log_attempt(state, attempt)

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
            tool_calls=response.tool_calls,
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


def _step(error: ProviderError, *, opened: bool, probe: bool) -> Step:
    """The loop's next move after ``error``."""
    if isinstance(error, BadRequest | StreamInterrupted):
        return "fail"  # the request is wrong, or the caller has seen part of this answer
    if not error.retryable or isinstance(error, ContextWindowExceeded):
        return "next_model"
    # A circuit this failure just opened, or a half-open probe that failed: the model is out for now.
    if opened or probe:
        return "next_model"
    return "retry"


def _uncleared(state: CallState, info: ModelInfo) -> str | None:
    """Why the model may not receive this call's text, or ``None``: its clearance covers the task
    as written, or the level the masked task still has (measured after masking, not assumed)."""
    clearance, level = info.spec.clearance, state.decision.signals.sensitivity
    if clearance >= level:
        return None
    masked = state.masked
    if masked is None:
        return f"clearance {clearance.label} is below the task's sensitivity {level.label}; not sent"
    if clearance < masked.level:
        return (
            f"clearance {clearance.label} is below {masked.level.label}, what the pseudonymised "
            "text still holds; not sent"
        )
    return None


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
