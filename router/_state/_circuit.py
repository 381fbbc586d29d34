"""Circuit breakers: a model that keeps failing is skipped for a while, by every process.

    closed ──(failure_threshold failures within window_s)──▶ open
    open ──(cooldown_s passes)──▶ half-open: exactly one caller may probe
    half-open ──(a success)──▶ closed, counts reset
    half-open ──(a failure)──▶ open for another cooldown_s
    any ──park(seconds, reason)──▶ open for at least ``seconds``
    any ──reset()──▶ closed (an operator's ``router reset circuit MODEL``)

The state lives in Redis and every transition is one Lua script, timed by
Redis's clock, so concurrent callers in different processes cannot both read
"closed" and both act on it. The half-open probe is a ``SET NX PX`` lock: one
caller wins it; if that caller never reports (it crashed), the lock expires
after ``probe_timeout_s`` (by default one cool-down) and another may probe.

Keys, per model, with a hash tag so they share a Redis Cluster slot:
``<prefix>:circuit:{model}`` (hash: opened_until µs, failures, reason, seq),
``...:failures`` (sorted set of failure times, expiring after the window) and
``...:probe`` (the probe lock).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

import structlog

from router._config._schema import CircuitBreakerPolicy
from router._errors import RouterError
from router._state._loop_clients import LoopClients
from router._state._replies import text as _text
from router._state._store import STORE_ERRORS, Store

__all__ = ["CircuitBreaker", "CircuitState", "Verdict"]

_log = structlog.get_logger("router.circuit")

_REASON = re.compile(r"[a-z][a-z0-9_]{0,63}")

# Shared head of every script: Redis's clock in µs and the open-until time (0 = closed).
_HEAD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local opened_until = tonumber(redis.call('HGET', KEYS[1], 'opened_until') or '0')
local function fmt(n) return string.format('%.0f', n) end
"""

# KEYS: hash, failures, probe. ARGV: probe lock ms.
_ALLOW = (
    _HEAD
    + """
if opened_until == 0 then return {1, 'closed', 0} end
local h = redis.call('HMGET', KEYS[1], 'failures', 'reason')
local failures, reason = tonumber(h[1] or '0'), h[2] or ''
if now < opened_until then return {0, 'open', failures, reason, fmt(opened_until - now)} end
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return {1, 'probe', failures} end
return {0, 'half_open', failures, reason, '0'}
"""
)

# KEYS: hash, failures, probe. ARGV: threshold, window µs, cool-down µs.
_FAILURE = (
    _HEAD
    + """
if opened_until > 0 then
  -- A failure that ends while open came from a call begun before the circuit opened: ignore it.
  if now < opened_until then return {'open', 0} end
  local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
  redis.call('HSET', KEYS[1], 'opened_until', fmt(now + tonumber(ARGV[3])), 'reason', 'probe_failed')
  redis.call('DEL', KEYS[3])
  return {'reopened', failures}
end
local window = tonumber(ARGV[2])
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('ZADD', KEYS[2], fmt(now), fmt(now) .. '-' .. seq)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', fmt(now - window))
local count = redis.call('ZCARD', KEYS[2])
if count >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'opened_until', fmt(now + tonumber(ARGV[3])), 'failures', count,
             'reason', 'failures')
  redis.call('DEL', KEYS[2], KEYS[3])
  return {'opened', count}
end
redis.call('PEXPIRE', KEYS[2], fmt(math.ceil(window / 1000)))
return {'closed', count}
"""
)

# KEYS: hash, failures, probe.
_SUCCESS = (
    _HEAD
    + """
-- Only a success after the cool-down closes the circuit: one that ends during it
-- (a call begun earlier, or a parked model) says nothing about the model now.
if opened_until == 0 or now < opened_until then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
"""
)

# KEYS: hash, failures, probe. ARGV: duration µs, reason.
_PARK = (
    _HEAD
    + """
local until_ = now + tonumber(ARGV[1])
if until_ <= opened_until then return {0, fmt(opened_until)} end
redis.call('HSET', KEYS[1], 'opened_until', fmt(until_), 'reason', ARGV[2])
redis.call('DEL', KEYS[2], KEYS[3])
return {1, fmt(until_)}
"""
)

# KEYS: hash, failures. ARGV: window µs.
_STATE = (
    _HEAD
    + """
local h = redis.call('HMGET', KEYS[1], 'failures', 'reason')
local recent = redis.call('ZCOUNT', KEYS[2], '(' .. fmt(now - tonumber(ARGV[1])), '+inf')
return {fmt(now), fmt(opened_until), h[1] or '0', h[2] or '', recent}
"""
)

_SCRIPTS = {"allow": _ALLOW, "failure": _FAILURE, "success": _SUCCESS, "park": _PARK, "state": _STATE}


@dataclass(frozen=True)
class CircuitState:
    """A model's circuit as ``router status`` shows it.

    ``failures`` counts failures in the current window while closed, and the
    failures that opened it otherwise. ``opens_until`` is the Unix time the
    cool-down ends (``None`` when closed); ``reason`` says why it opened.
    """

    model: str
    state: Literal["closed", "open", "half_open"]
    failures: int
    opens_until: float | None
    reason: str | None


@dataclass(frozen=True)
class Verdict:
    """Whether a call may go to a model now, and if not, why and for how long."""

    allowed: bool
    probe: bool = False
    """True for the one caller let through after the cool-down (half-open)."""
    reason: str | None = None
    remaining_s: float = 0.0

    def describe(self) -> str:
        """Why the model is skipped, for the attempt record (a code and a time: never provider text)."""
        if self.reason == "authentication_failed":
            why = "parked after the provider refused the API key"
        elif self.remaining_s <= 0:
            return "another caller is probing the model after its cool-down"
        else:
            why = "cooling down after repeated failures"
        return f"{why} ({self.reason or 'failures'}; {self.remaining_s:.0f}s left)"


_CLOSED = Verdict(allowed=True)


class CircuitBreaker:
    """Skips models that keep failing, sharing that knowledge across processes."""

    def __init__(
        self,
        store: Store,
        policy: CircuitBreakerPolicy,
        *,
        probe_timeout_s: float | None = None,
        closed_cache_s: float = 0.0,
    ) -> None:
        self._store = store
        self._policy = policy
        self._probe_ms = max(1, round(1000 * (probe_timeout_s or policy.cooldown_s)))
        self._scripts = LoopClients(store, _SCRIPTS)
        # Models this process is probing (half-open). A success only changes
        # the shared state for a probe: while closed, the success script is a
        # no-op, so skipping it saves a round trip on every healthy call.
        self._probing: set[str] = set()
        # A "closed" verdict may be reused for ``closed_cache_s``: healthy models then
        # cost no round trip per call, and another process's opening is seen that much
        # later (our own failures drop the cached verdict at once).
        self._closed_cache_s = closed_cache_s
        self._closed_until: dict[str, float] = {}
        # The read of each model's circuit in flight (when the cache is on), True once it found
        # the circuit closed: the dozens of calls that find the cached verdict stale in the same
        # moment share it, instead of each sending the same script.
        self._asking: dict[str, asyncio.Future[bool]] = {}
        # A cached "closed" used in the second half of its time is read again in the background,
        # with the read-only state script (it never takes the probe lock), so a model in steady
        # use does not wait for Redis each time its verdict runs out; no verdict is used longer.
        self._peeking: dict[str, asyncio.Task[None]] = {}
        # With ``defer_peek`` (the gateway sets it) that read waits for a moment no request is
        # in flight (``idle``) until a quarter of the verdict's time is left: started by the call
        # that found the verdict due, its pipeline ran beside that call's admission, about one
        # stream in forty at a stream every few milliseconds, where a p99 is made.
        self.defer_peek = False
        self._due: dict[str, float] = {}

    async def allow(self, model: str) -> bool:
        """Whether a call to ``model`` may go ahead now (after the cool-down: one probe only)."""
        return (await self.check(model)).allowed

    async def check(self, model: str) -> Verdict:
        """``allow`` with its reasons: whether this caller is the probe, or why the model is out."""
        now = time.monotonic()
        until = self._closed_until.get(model, 0.0)
        if until > now:
            left = until - now
            if left < self._closed_cache_s / 2 and model not in self._peeking:
                if self.defer_peek and left > self._closed_cache_s / 4:
                    self._due.setdefault(model, until)
                else:
                    self._start_peek(model, now)
            return _CLOSED
        if self._closed_cache_s <= 0:
            return await self._ask(model)
        loop = asyncio.get_running_loop()
        asking = self._asking.get(model)
        if asking is not None and asking.get_loop() is loop:
            # Only a closed verdict is shared: a probe belongs to the one caller the script let
            # through, and an open circuit is asked again by each caller, as without the cache.
            if await asyncio.shield(asking):
                return _CLOSED
            return await self._ask(model)
        asking = self._asking[model] = loop.create_future()
        closed = False
        try:
            verdict = await self._ask(model)
            closed = verdict is _CLOSED
            return verdict
        finally:
            asking.set_result(closed)
            if self._asking.get(model) is asking:
                del self._asking[model]

    def idle(self) -> None:
        """No request is in flight: start the reads of the verdicts found due meanwhile."""
        due, self._due = self._due, {}
        now = time.monotonic()
        for model, until in due.items():
            # Not if the verdict was dropped or renewed meanwhile: the next call asks afresh then.
            if model not in self._peeking and self._closed_until.get(model) == until and until > now:
                self._start_peek(model, now)

    def _start_peek(self, model: str, now: float) -> None:
        self._due.pop(model, None)
        peek = asyncio.ensure_future(self._peek(model, now))
        self._peeking[model] = peek
        peek.add_done_callback(lambda _: self._peeking.pop(model, None))

    async def _peek(self, model: str, started: float) -> None:
        """Renew a cached "closed" from a read begun at ``started``; drop it if the circuit is not."""
        try:
            until_us = int((await self._run("state", model, _us(self._policy.window_s)))[1])
        except RouterError:
            return  # the cached verdict runs out on time and the next caller asks
        if until_us != 0:
            self._closed_until.pop(model, None)
        elif model in self._closed_until:  # not dropped meanwhile by a failure of our own
            self._closed_until[model] = started + self._closed_cache_s

    async def _ask(self, model: str) -> Verdict:
        allowed, state, failures, *why = await self._run("allow", model, self._probe_ms)
        verdict = _text(state)
        if verdict == "closed":
            if self._closed_cache_s > 0:
                self._closed_until[model] = time.monotonic() + self._closed_cache_s
            return _CLOSED
        if verdict == "probe":
            self._probing.add(model)
            _log.info("circuit.half_open", model=model, failures=int(failures), cooldown_s=self._cooldown)
            return Verdict(allowed=True, probe=True)
        reason, remaining_us = why
        return Verdict(bool(int(allowed)), reason=_text(reason) or None, remaining_s=int(remaining_us) / 1e6)

    async def record_success(self, model: str) -> None:
        """Note a success; a probe's success closes the circuit and resets the counts."""
        if model not in self._probing:
            return
        self._probing.discard(model)
        if int(await self._run("success", model)):
            _log.info("circuit.closed", model=model, failures=0, cooldown_s=self._cooldown)

    async def record_failure(self, model: str) -> bool:
        """Note a failure; at the threshold, or when a probe fails, the circuit opens (returns True)."""
        self._probing.discard(model)
        self._closed_until.pop(model, None)
        policy = self._policy
        verdict, failures = await self._run(
            "failure", model, policy.failure_threshold, _us(policy.window_s), _us(policy.cooldown_s)
        )
        if (outcome := _text(verdict)) in ("opened", "reopened"):
            reason = "failures" if outcome == "opened" else "probe_failed"
            self._opened(model, int(failures), self._cooldown, reason)
            return True
        return False

    async def park(self, model: str, seconds: float, reason: str) -> None:
        """Open the circuit for at least ``seconds`` (e.g. after an authentication failure).

        ``reason`` is a short snake-case code such as ``authentication_failed``;
        anything else is refused so that no provider message or key reaches Redis or logs.
        A park never shortens a longer one already in force.
        """
        self._closed_until.pop(model, None)
        if not _REASON.fullmatch(reason):
            raise ValueError(f"park reason must be a short snake_case code, got {reason!r}")
        if seconds <= 0:
            raise ValueError(f"park seconds must be positive, got {seconds}")
        extended, _ = await self._run("park", model, _us(seconds), reason)
        if int(extended):
            self._opened(model, 0, seconds, reason)

    async def state(self, model: str) -> CircuitState:
        """The circuit's current state, read atomically."""
        now, until, failures, reason, recent = await self._run("state", model, _us(self._policy.window_s))
        now_us, until_us = int(now), int(until)
        if until_us == 0:
            return CircuitState(model, "closed", int(recent), None, None)
        state: Literal["open", "half_open"] = "open" if now_us < until_us else "half_open"
        return CircuitState(model, state, int(failures), until_us / 1_000_000, _text(reason) or None)

    async def reset(self, model: str) -> bool:
        """Close the circuit now, whatever opened or parked it; True if it was not closed.

        For an operator who fixed the cause (``router reset circuit MODEL``).
        """
        self._probing.discard(model)
        self._closed_until.pop(model, None)
        client = self._scripts.client()
        try:
            async with self._scripts.deadline():
                removed = int(await client.delete(*self._keys(model)))
        except (*STORE_ERRORS, TimeoutError) as exc:
            raise self._store.unavailable(exc) from None
        _log.warning("circuit.reset", model=model, was_open=bool(removed))
        return bool(removed)

    async def aclose(self) -> None:
        """Close this event loop's Redis connections."""
        await self._scripts.aclose()

    @property
    def _cooldown(self) -> float:
        return self._policy.cooldown_s

    async def _run(self, script: str, model: str, *args: str | int | float) -> Any:
        return await self._scripts.run(script, self._keys(model), args)

    def _keys(self, model: str) -> list[str]:
        base = self._store.key("circuit", "{" + model + "}")
        return [base, f"{base}:failures", f"{base}:probe"]

    def _opened(self, model: str, failures: int, cooldown_s: float, reason: str) -> None:
        _log.warning("circuit.opened", model=model, failures=failures, cooldown_s=cooldown_s, reason=reason)


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)
