"""The Redis connection every shared component uses.

In production ``ROUTER_REDIS_URL`` names the server; all processes (CLI, SDK,
Celery workers) share rate limits, cool-downs, budgets, the ledger and batch
jobs through it. With no URL the embedded default is an in-process fakeredis
server: the same commands and Lua scripts, with nothing to install.

A URL whose scheme is ``redis+cluster://`` (or ``rediss+cluster://`` for TLS)
names one node of a Redis Cluster; the client (redis-py's ``RedisCluster``)
discovers the others. Every script and transaction the router runs touches
keys of one hash slot only (see docs/SCALING.md for which keys live together),
so the same code runs on one server and on a Cluster.

Connections time out quickly so an unreachable Redis is a clear
``StoreUnavailable`` error, never a hang.

Simulated traffic (``ROUTER_SIMULATE``, the embedded demo) keeps its own key
space, ``<prefix>:sim:...``, on the same server: its circuits, rate limits,
budgets and ledger never touch the real ones, so a demo can neither park a
model nor spend from a real budget. ``Store.space(simulated=True)`` is the one
place that decides it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis
import redis.asyncio.cluster as aiocluster
import redis.cluster
import redis.exceptions

from router._errors import ConfigError, StoreUnavailable
from router._state._packing import pack_with_hiredis

if TYPE_CHECKING:
    from router._settings import Settings

URL_ENV = "ROUTER_REDIS_URL"
DEFAULT_HOME = Path(".router")
"""``home`` of a store built without settings (the test suite points it at a temporary folder)."""
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
"""URL schemes that name a Redis Cluster, and the scheme redis-py's cluster client takes for each."""
SIMULATED_SPACE = "sim"


@dataclass(frozen=True)
class StoreSettings:
    """How to reach Redis. ``url=None`` means the embedded in-process store.

    ``home`` is where the store's local files live: the ledger's spool (records that could not
    reach Redis) and, for the embedded store, its journal.
    """

    url: str | None = None
    socket_timeout_s: float = 5.0
    connect_timeout_s: float = 2.0
    prefix: str = "router"
    home: Path = field(default_factory=lambda: DEFAULT_HOME)

    @classmethod
    def from_settings(cls, settings: Settings) -> StoreSettings:
        """The store the process settings name (``ROUTER_REDIS_URL``, ``ROUTER_HOME``)."""
        return cls(url=settings.redis_url, home=settings.home)

    @property
    def embedded(self) -> bool:
        return self.url is None

    @property
    def cluster(self) -> bool:
        """Whether the URL names a Redis Cluster (``redis+cluster://host:port``)."""
        return self.url is not None and urlsplit(self.url).scheme in CLUSTER_SCHEMES

    def client_url(self) -> str:
        """The URL in the form redis-py takes: the cluster scheme becomes ``redis``/``rediss``.

        A Cluster has database 0 only, so any other database in the path is a configuration error.
        """
        assert self.url is not None
        parts = urlsplit(self.url)
        if parts.scheme not in CLUSTER_SCHEMES:
            return self.url
        database = parts.path.strip("/")
        if database not in ("", "0"):
            raise ConfigError(
                f"{URL_ENV}={self.safe_url}: a Redis Cluster has only database 0, not {database!r}; "
                "drop the /{database} from the URL"
            )
        return urlunsplit((CLUSTER_SCHEMES[parts.scheme], parts.netloc, "", parts.query, ""))

    @property
    def safe_url(self) -> str:
        """The URL with any password removed, for messages and logs."""
        if self.url is None:
            return "embedded (in-process)"
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Store:
    """Sync and async clients for one Redis (or the embedded server)."""

    def __init__(self, settings: StoreSettings | None = None) -> None:
        self.settings = settings or StoreSettings()
        self._sync: redis.Redis | None = None
        self._real: Store | None = None
        self._simulated: Store | None = None

    @property
    def embedded(self) -> bool:
        return self.settings.embedded

    @property
    def simulated(self) -> bool:
        """True for the key space of simulated traffic."""
        return self._real is not None

    @property
    def real(self) -> Store:
        """The key space of real traffic (this store unless it is the simulated view)."""
        return self._real or self

    def space(self, simulated: bool) -> Store:
        """The store whose keys hold simulated traffic's state (``simulated=True``) or real traffic's.

        Both views share one connection; only the key prefix differs.
        """
        base = self.real
        if not simulated:
            return base
        if base._simulated is None:
            view = Store(replace(base.settings, prefix=f"{base.settings.prefix}:{SIMULATED_SPACE}"))
            view._real = base
            base._simulated = view
        return base._simulated

    def key(self, *parts: str) -> str:
        """A namespaced key: ``router:<part>:<part>``."""
        return ":".join((self.settings.prefix, *parts))

    def sync(self) -> redis.Redis:
        """The synchronous client (created once, shared with the other key space)."""
        if self._real is not None:
            return self._real.sync()
        if self._sync is None:
            self._sync = _embedded_sync() if self.embedded else self._real_sync()
        return self._sync

    @property
    def cluster(self) -> bool:
        return self.settings.cluster

    def aio(self, *, caller_times_out: bool = False, max_connections: int | None = None) -> aioredis.Redis:
        """A new asyncio client. Create one per event loop: its pool is bound to the loop.

        ``caller_times_out=True`` leaves the per-command timeout to the caller, who
        wraps each command in ``asyncio.timeout(settings.socket_timeout_s)``: on
        Python 3.11 redis-py's own socket timeout sends every command through
        ``asyncio.wait_for``, which costs a task per command on the hot call path.
        ``max_connections`` bounds the pool (per node on a Cluster); a single
        server's pool then waits for a free connection instead of raising.
        """
        if self.embedded:
            return _embedded_async()
        options = self._options()
        if caller_times_out:
            options["socket_timeout"] = None
        url = self.settings.client_url()
        if self.cluster:
            if max_connections is not None:
                options["max_connections"] = max_connections
            # Typed as the single-server client on purpose: the router only uses commands both
            # clients have, on keys of one slot per script or transaction.
            return cast(aioredis.Redis, _AsyncCluster.from_url(url, **options))
        options["redis_connect_func"] = _aselect_or_explain
        if max_connections is None:
            return pack_with_hiredis(aioredis.Redis.from_url(url, **options))
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=self.settings.socket_timeout_s, **options
        )
        return pack_with_hiredis(aioredis.Redis(connection_pool=pool))

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless Redis answers."""
        try:
            self.sync().ping()
        except STORE_ERRORS as exc:
            raise self.unavailable(exc) from None

    def unavailable(self, exc: BaseException) -> StoreUnavailable:
        if isinstance(exc, NoSuchDatabase):
            return StoreUnavailable(
                f"Redis at {self.settings.safe_url} has no database {exc.index} ({exc.reply}); "
                f"give {URL_ENV} a database the server has (0 to 15 unless redis.conf sets "
                "`databases` higher)",
                url=self.settings.safe_url,
            )
        return StoreUnavailable(
            f"Redis at {self.settings.safe_url} is unreachable ({type(exc).__name__}: {exc}); "
            f"start it, or unset {URL_ENV} to use the embedded in-process store",
            url=self.settings.safe_url,
        )

    def _real_sync(self) -> redis.Redis:
        url = self.settings.client_url()
        if self.cluster:
            return cast(redis.Redis, redis.cluster.RedisCluster.from_url(url, **self._options()))
        return redis.Redis.from_url(url, **self._options(), redis_connect_func=_select_or_explain)

    def _options(self) -> dict[str, Any]:
        return {
            "socket_timeout": self.settings.socket_timeout_s,
            "socket_connect_timeout": self.settings.connect_timeout_s,
            "health_check_interval": 30,
        }


class NoSuchDatabase(redis.ConnectionError):
    """The server refused the URL's database index: a configuration fault, told apart from a hang-up."""

    def __init__(self, index: int, reply: str) -> None:
        super().__init__(f"no database {index}: {reply}")
        self.index = index
        self.reply = reply


# redis-py selects the URL's database while it connects and raises a bare ResponseError ("DB
# index is out of range") from whichever command connected first. These connect hooks (single
# server only: a Cluster has database 0 alone and its client installs its own hook) run
# redis-py's own hand-shake and turn that refusal into a NoSuchDatabase, which every caller
# already handles as a store that cannot be used (STORE_ERRORS).
def _select_or_explain(connection: Any) -> None:
    try:
        connection.on_connect()
    except redis.ResponseError as exc:
        raise _explained(connection, exc) from None


async def _aselect_or_explain(connection: Any) -> None:
    try:
        await connection.on_connect()
    except redis.ResponseError as exc:
        raise _explained(connection, exc) from None


def _explained(connection: Any, exc: redis.ResponseError) -> redis.RedisError:
    if "DB index" in str(exc):
        return NoSuchDatabase(int(connection.db), str(exc))
    return exc


STORE_ERRORS = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.ClusterDownError,
    redis.exceptions.ClusterError,
    OSError,
)
"""What a Redis call raises when the server (or enough of a Cluster) is unreachable."""


class _AsyncCluster(aiocluster.RedisCluster):
    """redis-py's asyncio Cluster client, made safe for concurrent first commands.

    With redis-py 8.1, twenty commands started at once on a client that has not yet
    discovered the Cluster fail with ``AttributeError: 'NoneType' object has no
    attribute 'writelines'``: they pick their node before the discovery that
    replaces it. Finishing the discovery first (it runs once, under the client's
    own lock) avoids that.
    """

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        if self._initialize:
            await self.initialize()
        return await super().execute_command(*args, **kwargs)


_embedded_lock = threading.Lock()
_embedded_server: Any = None


def _server() -> Any:
    # One fakeredis server per process, shared by every sync and async client,
    # so the SDK, the in-thread worker and reports all see the same data.
    global _embedded_server
    with _embedded_lock:
        if _embedded_server is None:
            import fakeredis

            _embedded_server = fakeredis.FakeServer()
        return _embedded_server


def _embedded_sync() -> redis.Redis:
    import fakeredis

    client: redis.Redis = fakeredis.FakeRedis(server=_server())
    return client


def _embedded_async() -> aioredis.Redis:
    import fakeredis

    client: aioredis.Redis = fakeredis.FakeAsyncRedis(server=_server())
    return client
