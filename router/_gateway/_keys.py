"""Gateway API keys: created once, stored only as hashes, checked on every request.

A key is ``sk-router-`` plus 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits).
Redis keeps its SHA-256, never the key: a plain hash is enough for a secret with that much
entropy (as GitHub and Stripe tokens are stored), and costs microseconds per request where a
password hash (bcrypt, argon2) would cost milliseconds. Layout under the store's prefix::

    gateway:key:<sha256 hex>   HASH  id, team, rpm, budget_usd, budget_period, created, revoked
    gateway:keys               HASH  key id -> sha256 hex (for list and revoke)

A key's team applies to rules and budgets like the SDK's ``team=``; its ``rpm`` is a shared
rate limit; its budget is a routes.yaml-style budget of scope ``tag`` on the tag ``key:<id>``
that every request made with the key carries, held and settled like any other budget.

A gateway process keeps the records of keys it has seen for ``CACHE_S`` (``KeyCache``), so a
busy key costs one Redis round trip per second instead of one per request. The price is a
bounded delay: a key revoked (or whose record is changed) in Redis is refused by every gateway
process at most ``CACHE_S`` later. Unknown keys are never cached: a key just created works at
once, and guessed keys cannot fill the cache, which holds at most ``CACHE_SIZE`` records.

A record used in the second half of its time is read again in the background (``REFRESH_AT``),
so a key in steady use never waits for Redis before its request goes on: that wait, once a
second, fell on about one stream in sixty and sat in the tail of the time to first token. The
bound holds as before: a record is never used past ``CACHE_S`` after the read it came from
began, and one that is gone from Redis (or cannot be read) ages out as it would have.

In the gateway (``defer_refresh``) that read waits for the next moment no request is in flight
(``idle``, from ``router._gateway._collector``), up to ``URGENT_AT`` of the record's time: started
by the request that found the record due, its work (redis-py's command, the write that wakes
Redis) ran beside that request's routing and admission, about one stream in fifty at a stream
every few milliseconds, which is where a p99 is made. A gateway never idle that long reads at
``URGENT_AT`` as before, in the background, still well before the record runs out.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from router._config._schema import Budget
from router._errors import UsageError
from router._state._loop_clients import LoopClients
from router._state._replies import text as _text
from router._state._store import STORE_ERRORS, Store

PREFIX = "sk-router-"
Period = Literal["day", "week", "month"]

CACHE_S = 1.0
"""How long a gateway process trusts a key record it read: the bound on a revocation's delay."""

CACHE_SIZE = 10_000
"""Key records one process keeps at most (least recently used go first)."""

REFRESH_AT = 0.5
"""The share of a record's time after which a use of it reads it again, in the background."""

URGENT_AT = 0.75
"""With ``defer_refresh``: the share after which the read starts at once, idle or not."""


@dataclass(frozen=True)
class ApiKey:
    """What the gateway knows of a key: never the key itself."""

    id: str
    team: str | None
    created: float
    rpm: int | None = None
    budget_usd: float | None = None
    budget_period: Period = "month"
    revoked: float | None = None
    name: str | None = None

    @property
    def tag(self) -> str:
        """The tag on every request made with this key (ledger reports can group by it)."""
        return f"key:{self.id}"

    @property
    def budget(self) -> Budget | None:
        if self.budget_usd is None:
            return None
        return Budget(
            name=self.tag,
            scope="tag",
            target=self.tag,
            limit_usd=self.budget_usd,
            period=self.budget_period,
            action="reject",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "team": self.team,
            "rpm": self.rpm,
            "budget_usd": self.budget_usd,
            "budget_period": self.budget_period,
            "created": self.created,
            "revoked": self.revoked,
        }


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyStore:
    """Create, list and revoke keys (synchronous, for the CLI); ``authenticate`` for the gateway."""

    def __init__(self, store: Store, *, cache_s: float = 0.0) -> None:
        self.store = store
        self._index = store.key("gateway", "keys")
        self._aio = LoopClients(store, {})
        self._cache = KeyCache(cache_s)
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        """Background reads of cached records, by hash (one at a time per record)."""
        self.defer_refresh = False
        """Leave a due record's read to ``idle`` (until ``URGENT_AT``): set by the gateway."""
        self._due: set[str] = set()
        """Records found due while deferring, read at the next ``idle``."""

    def _entry(self, hashed: str) -> str:
        return self.store.key("gateway", "key", hashed)

    def create(
        self,
        *,
        team: str | None,
        rpm: int | None = None,
        budget_usd: float | None = None,
        budget_period: Period = "month",
        name: str | None = None,
    ) -> tuple[str, ApiKey]:
        """A new key and its record; the key is returned here and never again."""
        if rpm is not None and rpm < 1:
            raise UsageError(f"--rpm must be at least 1, not {rpm}")
        if budget_usd is not None and budget_usd <= 0:
            raise UsageError(f"--budget must be a positive amount in USD, not {budget_usd:g}")
        secret = PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            id=f"key_{secrets.token_hex(6)}",
            team=team,
            created=time.time(),
            rpm=rpm,
            budget_usd=budget_usd,
            budget_period=budget_period,
            name=name,
        )
        hashed = digest(secret)
        client = self.store.sync()
        with client.pipeline(transaction=True) as pipe:
            pipe.hset(self._entry(hashed), mapping=_fields(key))
            pipe.hset(self._index, key.id, hashed)
            self._checked(pipe.execute)
        return secret, key

    def list(self) -> list[ApiKey]:
        """Every key, newest first, revoked ones included."""
        client = self.store.sync()
        hashes = self._checked(lambda: client.hgetall(self._index))
        with client.pipeline(transaction=False) as pipe:
            for hashed in hashes.values():
                pipe.hgetall(self._entry(_text(hashed)))
            rows = self._checked(pipe.execute)
        keys = [_key(row) for row in rows if row]
        return sorted(keys, key=lambda key: key.created, reverse=True)

    def revoke(self, key_id: str) -> ApiKey:
        """Mark a key revoked: the next request made with it gets a 401."""
        client = self.store.sync()
        hashed = self._checked(lambda: client.hget(self._index, key_id))
        if hashed is None:
            raise UsageError(f"no key has id {key_id!r}; `router keys list` shows the ids")
        entry = self._entry(_text(hashed))
        self._checked(lambda: client.hsetnx(entry, "revoked", repr(time.time())))
        return _key(self._checked(lambda: client.hgetall(entry)))

    async def authenticate(self, secret: str) -> ApiKey | None:
        """The key's record (revoked ones too, so the caller can say so), or None if unknown.

        A record read less than ``cache_s`` ago is reused (see the module docstring).
        """
        hashed = digest(secret)
        cached = self._cache.get(hashed)
        if cached is not None:
            if hashed not in self._refreshing and self._cache.due(hashed, REFRESH_AT):
                if self.defer_refresh and not self._cache.due(hashed, URGENT_AT):
                    self._due.add(hashed)
                else:
                    self._refresh(hashed)
            return cached
        started = self._cache.now()
        try:
            row = await self._read(hashed)
        except STORE_ERRORS as exc:
            raise self.store.unavailable(exc) from None
        if not row:
            return None
        key = _key(row)
        self._cache.put(hashed, key, read_at=started)
        return key

    async def _read(self, hashed: str) -> Mapping[Any, Any]:
        async with self._aio.deadline():
            row: Mapping[Any, Any] = await self._aio.client().hgetall(self._entry(hashed))
        return row

    def idle(self) -> None:
        """No request is in flight: start the reads found due meanwhile."""
        due, self._due = self._due, set()
        for hashed in due:
            if hashed not in self._refreshing:
                self._refresh(hashed)

    def _refresh(self, hashed: str) -> None:
        self._due.discard(hashed)
        task = asyncio.ensure_future(self._reread(hashed))
        self._refreshing[hashed] = task  # the loop holds tasks only weakly
        task.add_done_callback(lambda _: self._refreshing.pop(hashed, None))

    async def _reread(self, hashed: str) -> None:
        """Read a cached record again; one gone from Redis is dropped at once."""
        started = self._cache.now()
        try:
            row = await self._read(hashed)
        except STORE_ERRORS:
            return  # the record ages out on time; the request after that reads and reports it
        if row:
            self._cache.put(hashed, _key(row), read_at=started)
        else:
            self._cache.drop(hashed)

    def _checked(self, call: Any) -> Any:
        try:
            return call()
        except STORE_ERRORS as exc:
            raise self.store.unavailable(exc) from None


class KeyCache:
    """Key records by hash for ``ttl_s`` seconds, at most ``size`` of them (0 s: no caching)."""

    def __init__(
        self, ttl_s: float, size: int = CACHE_SIZE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._clock = clock
        self._records: OrderedDict[str, tuple[float, ApiKey]] = OrderedDict()

    def get(self, hashed: str) -> ApiKey | None:
        entry = self._records.get(hashed)
        if entry is None:
            return None
        expires, key = entry
        if expires <= self._clock():
            del self._records[hashed]
            return None
        self._records.move_to_end(hashed)
        return key

    def due(self, hashed: str, share: float = REFRESH_AT) -> bool:
        """Whether the record is past ``share`` of its time: worth reading again ahead."""
        entry = self._records.get(hashed)
        return entry is not None and entry[0] - self._clock() < self._ttl_s * (1 - share)

    def now(self) -> float:
        return self._clock()

    def put(self, hashed: str, key: ApiKey, *, read_at: float | None = None) -> None:
        """Keep ``key`` until ``ttl_s`` after ``read_at`` (when its read began; default now)."""
        if self._ttl_s <= 0:
            return
        started = self._clock() if read_at is None else read_at
        self._records[hashed] = (started + self._ttl_s, key)
        self._records.move_to_end(hashed)
        while len(self._records) > self._size:
            self._records.popitem(last=False)

    def drop(self, hashed: str) -> None:
        self._records.pop(hashed, None)

    def __len__(self) -> int:
        return len(self._records)


def _fields(key: ApiKey) -> dict[Any, Any]:  # redis-py types its mappings invariantly
    values: dict[str, object] = {
        "id": key.id,
        "team": key.team,
        "rpm": key.rpm,
        "budget_usd": key.budget_usd,
        "budget_period": key.budget_period,
        "created": repr(key.created),
        "name": key.name,
    }
    return {name: str(value) for name, value in values.items() if value is not None}


def _key(row: Mapping[Any, Any]) -> ApiKey:
    fields = {_text(name): _text(value) for name, value in row.items()}
    period = fields.get("budget_period", "month")
    return ApiKey(
        id=fields["id"],
        team=fields.get("team"),
        created=float(fields["created"]),
        rpm=int(fields["rpm"]) if "rpm" in fields else None,
        budget_usd=float(fields["budget_usd"]) if "budget_usd" in fields else None,
        budget_period=period if period in ("day", "week", "month") else "month",  # type: ignore[arg-type]
        revoked=float(fields["revoked"]) if "revoked" in fields else None,
        name=fields.get("name"),
    )
