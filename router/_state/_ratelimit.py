"""Per-model request and token rate limits, shared by every process through Redis.

Each model has up to two GCRA (generic cell rate algorithm) buckets: one of
requests (``rpm``) and one of tokens (``tpm``). One Lua script checks both and
consumes both, or neither, against Redis's own clock, so the SDK, the CLI and
every Celery worker draw from the same allowance and our own traffic never
earns a provider's 429.

The guarantee, for each limit L with burst B and emission interval
T = (60 s + J) / (L - B + 1): in any window of 60 s + J (half-open, as a provider
counts "the last minute") at most L requests, or L tokens, are admitted. The
burst is carved out of the sustained rate instead of added on top of it, and
J = 1 s of slack absorbs the varying delay between Redis's decision and the
provider's receipt of the request. The price is about (B - 1) / L + J / 60 of
sustained throughput (3% at rpm=600 with the default burst); what it buys is
that a provider counting per minute, per sliding minute or with a token bucket
of one minute's capacity never sees us over its limit.

Why a hand-written script rather than a library: the rate-limit libraries on
PyPI keep one key per limiter, and we need two buckets decided and consumed in
one atomic step (nothing consumed on refusal), with the refusal's wait time
returned. GCRA in Lua is about thirty lines and the standard way to do that.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from router._state._chain import ABSENT, Part
from router._state._loop_clients import LoopClients
from router._state._store import Store

if TYPE_CHECKING:
    from router._config._schema import ModelSpec

__all__ = ["SLOT_LUA", "Headroom", "Limits", "RateLimiter", "SlotUnavailable", "patiently", "wait_s"]

_MINUTE_US = 60_000_000
_JITTER_US = 1_000_000
_WINDOW_US = _MINUTE_US + _JITTER_US

# KEYS[i] is one GCRA bucket holding its theoretical arrival time (TAT) in µs of
# Redis TIME. ARGV[1] is the window (µs); then three numbers per bucket: emission
# interval (µs per cell), tolerance (burst × interval) and cost (cells taken).
# A request whose cost exceeds the burst can never fit the tolerance, so it is
# admitted instead once the bucket has stood idle long enough to pay the excess
# (cost × interval - tolerance, at most one window): that keeps every window
# within the limit and still admits it eventually. Keys live one window past
# their TAT so that idle time is still known; a missing key means long idle.
SLOT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[3 * i - 1])
  local tolerance = tonumber(ARGV[3 * i])
  local increment = interval * tonumber(ARGV[3 * i + 1])
  local stored = tonumber(redis.call('GET', key) or '0')
  local idle_needed = math.min(increment - tolerance, window)
  local over = stored + idle_needed - now
  if over > wait then wait = over end
  tats[i] = math.max(stored, now) + increment
end
if wait > 0 then
  return {0, string.format('%.0f', math.ceil(wait))}
end
for i, key in ipairs(KEYS) do
  local ttl_ms = math.ceil((tats[i] - now + window) / 1000)
  redis.call('SET', key, string.format('%.0f', tats[i]), 'PX', string.format('%.0f', ttl_ms))
end
return {1, '0'}
"""


class SlotUnavailable(Exception):
    """No rate-limit slot for ``model`` within the allowed wait; one frees in ``retry_in_s``.

    An internal signal for the fallback loop (move on to the next candidate),
    not part of the public error tree.
    """

    def __init__(self, model: str, retry_in_s: float) -> None:
        # Both go to ``args`` so the default pickling rebuilds the exception across Celery.
        super().__init__(model, retry_in_s)
        self.model = model
        self.retry_in_s = retry_in_s

    def __str__(self) -> str:
        return f"no rate-limit slot for {self.model} now; one frees in {self.retry_in_s:.2f}s"


@dataclass(frozen=True)
class Limits:
    """A model's limits per minute; ``None`` means unlimited.

    The bursts default to one second's worth of requests (at least 1) and ten
    seconds' worth of tokens: a request of up to ``tpm / 6`` tokens is admitted at
    once when the bucket is full, which one second's worth would not allow for
    ordinary LLM prompts. Each burst is paid for out of the sustained rate (see
    the module docstring), so a larger burst means lower sustained throughput.
    """

    rpm: int | None
    tpm: int | None
    request_burst: int | None = field(default=None, kw_only=True)
    token_burst: int | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        for name in ("rpm", "tpm", "request_burst", "token_burst"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")

    @classmethod
    def of(cls, spec: ModelSpec) -> Limits:
        return cls(rpm=spec.rpm, tpm=spec.tpm)

    @property
    def unlimited(self) -> bool:
        return self.rpm is None and self.tpm is None

    @property
    def effective_request_burst(self) -> int | None:
        if self.rpm is None:
            return None
        return _clamp(self.request_burst or self.rpm // 60, self.rpm)

    @property
    def effective_token_burst(self) -> int | None:
        if self.tpm is None:
            return None
        return _clamp(self.token_burst or self.tpm // 6, self.tpm)


def _clamp(burst: int, limit: int) -> int:
    return max(1, min(burst, limit))


def bucket_args(limit: int, burst: int, cost: int) -> tuple[int, int, int]:
    """The script's (interval µs, tolerance µs, cost) for one bucket.

    Rounding the interval up keeps the guarantee under integer µs.
    """
    interval = math.ceil(_WINDOW_US / (limit - burst + 1))
    return interval, burst * interval, cost


@dataclass(frozen=True)
class Headroom:
    """One bucket now: its per-minute limit, its burst, and how much of the burst is free."""

    bucket: str
    """``requests`` or ``tokens``."""
    per_minute: int
    burst: int
    available: int


class RateLimiter:
    """Admits calls to a model within its ``rpm`` and ``tpm``, across every process."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._scripts = LoopClients(store, {"gcra": SLOT_LUA})

    async def try_acquire(self, model: str, limits: Limits, tokens: int) -> float:
        """Take a slot if one is free now: 0.0 when admitted, else the seconds until one would be.

        When refused nothing is consumed, in either bucket.
        """
        return await self.try_part(self.slot_part(model, limits, tokens))

    async def try_part(self, part: Part) -> float:
        """``try_acquire`` for a slot already prepared by ``slot_part``."""
        if part is ABSENT:
            return 0.0  # no limits: no Redis round trip
        return wait_s(await self._scripts.run("gcra", part.keys, part.args))

    async def acquire(self, model: str, limits: Limits, tokens: int, *, max_wait_s: float) -> float:
        """Wait for a slot for up to ``max_wait_s``; return the seconds waited.

        Raises ``SlotUnavailable`` at once when the slot would free later than the
        deadline, so the caller moves on instead of sleeping in vain.
        """
        if limits.unlimited:
            return 0.0
        return await patiently(model, max_wait_s, lambda: self.try_acquire(model, limits, tokens))

    async def aclose(self) -> None:
        """Close this event loop's Redis connections."""
        await self._scripts.aclose()

    def slot_part(self, model: str, limits: Limits, tokens: int) -> Part:
        """``SLOT_LUA``'s keys and arguments for one slot (``ABSENT`` with no limits), to chain."""
        if tokens < 0:
            raise ValueError(f"tokens must not be negative, got {tokens}")
        keys, args = self._buckets(model, limits, tokens)
        return Part(keys, args) if keys else ABSENT

    def headroom(self, model: str, limits: Limits) -> list[Headroom]:
        """What each of the model's buckets admits at once right now (for ``router status``)."""
        keys, args = self._buckets(model, limits, 1)
        if not keys:
            return []
        client = self._store.sync()
        seconds, micros = client.time()
        now = int(seconds) * 1_000_000 + int(micros)
        stored: list[bytes | str | None] = client.mget(keys)
        names = [name for name, limit in (("requests", limits.rpm), ("tokens", limits.tpm)) if limit]
        found = []
        for i, (name, tat) in enumerate(zip(names, stored, strict=True)):
            interval, tolerance = args[1 + 3 * i], args[2 + 3 * i]
            backlog = max(int(tat or 0) - now, 0)
            limit = limits.rpm if name == "requests" else limits.tpm
            assert limit is not None
            burst = tolerance // interval
            found.append(Headroom(name, limit, burst, max(0, (tolerance - backlog) // interval)))
        return found

    def _buckets(self, model: str, limits: Limits, tokens: int) -> tuple[list[str], list[int]]:
        keys: list[str] = []
        args: list[int] = [_WINDOW_US]
        # The hash tag keeps a model's keys in one slot, so the script also runs on Redis Cluster.
        base = ("ratelimit", "{" + model + "}")
        buckets = (
            ("requests", limits.rpm, limits.effective_request_burst, 1),
            ("tokens", limits.tpm, limits.effective_token_burst, tokens),
        )
        for name, limit, burst, cost in buckets:
            if limit is not None and burst is not None:
                keys.append(self._store.key(*base, name))
                args.extend(bucket_args(limit, burst, cost))
        return keys, args


async def patiently(model: str, max_wait_s: float, attempt: Callable[[], Awaitable[float]]) -> float:
    """Repeat ``attempt`` (seconds until a slot frees, 0.0 once taken) for up to ``max_wait_s``.

    Returns the seconds waited. Raises ``SlotUnavailable`` at once when the slot
    would free later than the deadline, so the caller moves on instead of
    sleeping in vain.
    """
    started = time.monotonic()
    deadline = started + max_wait_s
    while True:
        wait = await attempt()
        now = time.monotonic()
        if wait == 0.0:
            return now - started
        if now + wait > deadline:
            raise SlotUnavailable(model, wait)
        # Another process may take the slot while we sleep; then we are told a new wait.
        await asyncio.sleep(wait)


def wait_s(reply: list[int | bytes]) -> float:
    """``SLOT_LUA``'s reply as seconds to wait: 0.0 when the slot was taken."""
    return 0.0 if int(reply[0]) else int(reply[1]) / 1_000_000
