"""Per-run claims on Redis databases, so two runs on one server never flush each other's data.

Tests flush their databases before and after every test, and the benchmarks flush theirs, so two
runs on one server must never share a database. Each run claims its databases before it uses
them: one key per database, ``router-tests:claim:<db>``, kept in the server's database 0 (which
no test or benchmark flushes), set for all of the run's databases or none by one Lua script, with
a TTL that a daemon thread renews. A run that exits releases its claim; a run that is killed stops
renewing it and the claim lapses after ``ttl_s``. A run that finds every group claimed waits,
saying who holds them, and fails with that message if none frees in time.

Should something flush database 0 after all, the renewer re-takes the lost keys; if another run
took them in the meantime, the claim is marked lost and ``check()`` fails the next test loudly
rather than letting two runs share a database.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import redis

NAMESPACE = "router-tests:claim"
REGISTRY_DB = 0
# Databases 1-5, 8, 11 and 12 belong to other tools on the shared machine; 0 holds the claims.
DEFAULT_GROUPS: tuple[tuple[int, ...], ...] = ((15, 9), (14, 13), (10, 7))

# All of KEYS or none: a group is taken only if no key of it exists.
_TAKE = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return 1
"""
# Extends our own keys, re-takes keys that vanished (a flush), reports keys someone else holds.
_RENEW = """
local stolen = 0
for _, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  elseif not holder then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  else
    stolen = stolen + 1
  end
end
return stolen
"""
# Deletes only our own keys: a claim that lapsed and was taken by another run stays theirs.
_RELEASE = """
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
"""


class ClaimError(RuntimeError):
    """No group of databases could be claimed (all held, or the server is unreachable)."""


def database_url(server_url: str, db: int) -> str:
    """``server_url`` with its database replaced by ``db``."""
    return str(urlsplit(server_url)._replace(path=f"/{db}").geturl())


def parse_groups(text: str) -> tuple[tuple[int, ...], ...]:
    """``"15,9;14,13"`` -> ``((15, 9), (14, 13))``: groups separated by ``;``, databases by ``,``."""
    try:
        groups = tuple(tuple(map(int, group.split(","))) for group in text.split(";") if group.strip())
    except ValueError:
        raise ClaimError(f"cannot read database groups {text!r}: expected e.g. '15,9;14,13'") from None
    if not groups or len({len(group) for group in groups}) != 1:
        raise ClaimError(f"database groups {text!r} must all have the same number of databases")
    return groups


def _holder_label() -> str:
    command = " ".join(os.path.basename(arg) if i == 0 else arg for i, arg in enumerate(sys.argv))[:120]
    since = datetime.now(UTC).strftime("%H:%M:%SZ")
    return f"pid {os.getpid()} on {socket.gethostname()} since {since}: {command} [{uuid.uuid4().hex[:12]}]"


@dataclass
class Claim:
    """Databases on one server held by this process until ``release()`` (or until it dies)."""

    server_url: str
    databases: tuple[int, ...]
    token: str
    ttl_s: float
    namespace: str = NAMESPACE
    lost: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def url(self, index: int = 0) -> str:
        """The URL of the ``index``-th claimed database."""
        return database_url(self.server_url, self.databases[index])

    @property
    def keys(self) -> list[str]:
        return [f"{self.namespace}:{db}" for db in self.databases]

    def renew(self) -> None:
        """Extend the claim's TTL once; marks it lost if another run holds one of its keys."""
        with _registry(self.server_url) as client:
            stolen = int(client.eval(_RENEW, len(self.keys), *self.keys, self.token, int(self.ttl_s * 1000)))
        if stolen:
            self.lost = f"another run took databases {self.databases} on {self.server_url} from this one"

    def start_renewing(self) -> None:
        self._thread = threading.Thread(target=self._renew_until_stopped, name="redis-claim", daemon=True)
        self._thread.start()

    def _renew_until_stopped(self) -> None:
        while not self._stop.wait(self.ttl_s / 4):
            try:
                self.renew()
            except redis.RedisError:  # a blip: the next renewal (well before the TTL) retries
                continue

    def check(self) -> None:
        """Raise if the claim was lost, so no test runs on a database another run may flush."""
        if self.lost:
            raise ClaimError(self.lost)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        try:
            with _registry(self.server_url) as client:
                client.eval(_RELEASE, len(self.keys), *self.keys, self.token)
        except redis.RedisError:  # the claim lapses on its own after ttl_s
            pass


@contextmanager
def _registry(server_url: str) -> Iterator[redis.Redis]:
    """A short-lived client on the server's claim database."""
    client = redis.Redis.from_url(database_url(server_url, REGISTRY_DB), socket_timeout=5)
    try:
        yield client
    finally:
        client.close()


def holders(server_url: str, databases: Sequence[int], namespace: str = NAMESPACE) -> dict[int, str]:
    """Who holds each of ``databases`` now (only the held ones)."""
    with _registry(server_url) as client:
        values = client.mget([f"{namespace}:{db}" for db in databases])
    return {db: value.decode() for db, value in zip(databases, values, strict=True) if value is not None}


def try_claim(
    server_url: str, groups: Sequence[Sequence[int]], *, ttl_s: float = 30.0, namespace: str = NAMESPACE
) -> Claim | None:
    """The first free group of ``groups``, claimed atomically, or None when all are held."""
    token = _holder_label()
    with _registry(server_url) as client:
        for group in groups:
            claim = Claim(server_url, tuple(group), token, ttl_s, namespace)
            if client.eval(_TAKE, len(claim.keys), *claim.keys, token, int(ttl_s * 1000)):
                return claim
    return None


def claim(
    server_url: str,
    groups: Sequence[Sequence[int]],
    *,
    wait_s: float = 600.0,
    ttl_s: float = 30.0,
    namespace: str = NAMESPACE,
    say: Callable[[str], None] = print,
) -> Claim:
    """Claim a free group of ``groups`` on ``server_url``, waiting up to ``wait_s`` for one.

    The claim is renewed by a daemon thread until ``release()``.
    """
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            taken = try_claim(server_url, groups, ttl_s=ttl_s, namespace=namespace)
        except redis.RedisError as exc:
            raise ClaimError(f"the Redis server at {server_url} is not usable for tests: {exc}") from exc
        if taken is not None:
            taken.start_renewing()
            return taken
        held = holders(server_url, sorted({db for group in groups for db in group}), namespace)
        who = "; ".join(f"db {db}: {label}" for db, label in sorted(held.items()))
        if time.monotonic() >= deadline:
            raise ClaimError(
                f"every group of databases {list(map(list, groups))} on {server_url} is claimed ({who}). "
                "Wait for those runs to finish, point ROUTER_TEST_REDIS_URL at another server, or list "
                "other free databases in ROUTER_TEST_REDIS_DATABASES (e.g. '15,9;14,13'); a killed run's "
                f"claim lapses after {ttl_s:.0f} s."
            )
        if not told:  # once: the holders rarely change while we wait
            say(f"redis claim: all database groups on {server_url} are in use ({who}); waiting {wait_s:.0f}s")
            told = True
        time.sleep(1.0)


@contextmanager
def holding(
    urls: Sequence[str | None], *, wait_s: float = 3600.0, say: Callable[[str], None] = print
) -> Iterator[None]:
    """Hold the databases that ``urls`` name for a script's run (the benchmarks, which flush them).

    The databases of one server are claimed together, so a test run never gets one of them
    while the script runs, and the script waits for a test run that holds one. URLs that name
    no single server (None for the embedded store, ``redis+cluster://``) need no claim.
    """
    by_server: dict[str, list[int]] = {}
    for url in urls:
        if url and urlsplit(url).scheme in ("redis", "rediss"):
            parts = urlsplit(url)
            by_server.setdefault(database_url(url, 0), []).append(int(parts.path.strip("/") or 0))
    claims = [
        claim(server, [tuple(dict.fromkeys(dbs))], wait_s=wait_s, say=say)
        for server, dbs in by_server.items()
    ]
    try:
        yield
    finally:
        for held in claims:
            held.release()
