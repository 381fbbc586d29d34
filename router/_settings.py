"""Settings: every ``ROUTER_*`` environment variable, read once, at the edge.

Each entry point builds one ``Settings`` when it starts and passes it down as an argument: the
CLI (``router ...``, once per command), the SDK (``Client``/``AsyncClient``, unless given one),
the batch worker (``router worker``, and ``celery -A workers`` through ``workers``) and the
gateway. Nothing else under ``router/`` or ``workers/`` reads the environment (a test greps for
it). A bad value fails here, naming the variable, the value and the fix.

A newcomer adds a setting as a field below (its variable is ``ROUTER_`` + the field name in
capitals), a row in the README's "Configuration by environment" table (a test compares the
two), and passes ``settings.<field>`` to the code that needs it.

This is also the one module that touches the process environment for what is not ours:

- API keys named in routes.yaml (``api_key: os.environ/VAR``), read by ``api_key`` when a call
  is made, so a key is never held in a settings object, a decision or a log;
- ``XDG_CACHE_HOME``, the base directory of the parsed-tokenizer cache (``cache_home``);
- the proxy variables httpx honours (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``...), read at
  call time by ``behind_proxy``: a stream to a server behind one goes through litellm;
- the offline switches litellm and huggingface_hub read when litellm is imported
  (``set_litellm_offline_defaults``). They are litellm's settings, not ours: they are set,
  unless the caller chose otherwise, right before litellm's first import. The Makefile and
  ``tests/conftest.py`` export the same values for the processes they start, which may import
  litellm through another path first (pytest plugins, a Celery worker's preload).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from router._errors import ConfigError

__all__ = [
    "ENV_PREFIX",
    "LITELLM_OFFLINE_ENV",
    "LOG_LEVELS",
    "LogFormat",
    "LogLevel",
    "Settings",
    "api_key",
    "cache_home",
    "env_name",
    "set_litellm_offline_defaults",
]

ENV_PREFIX = "ROUTER_"

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
LogFormat = Literal["json", "console"]
LOG_LEVELS: tuple[LogLevel, ...] = get_args(LogLevel)

_REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster")
_REDIS_EXAMPLE = "redis://localhost:6379/0"

# Read by litellm at import (and by huggingface_hub): use the price map shipped in the wheel, and
# never fetch a tokenizer or a catalogue on its own.
LITELLM_OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_OFFLINE_MODE": "true",
    "HF_HUB_OFFLINE": "1",
}


class Settings(BaseSettings):
    """The router's process settings, from ``ROUTER_*`` variables (defaults as in the README)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        # ``ROUTER_REDIS_URL=`` means unset, as ``export ROUTER_REDIS_URL=`` does in a shell.
        env_ignore_empty=True,
        frozen=True,
        # Other ROUTER_* variables (ROUTER_TEST_REDIS_URL of the test suite) are not ours.
        extra="ignore",
    )

    routes: Path = Field(default=Path("routes.yaml"), description="routes file")
    # repr=False: a URL may hold a password.
    redis_url: str | None = Field(
        default=None, repr=False, description="Redis for shared state, budgets, the ledger and batch jobs"
    )
    simulate: bool = Field(default=False, description="answer with the simulated provider")
    home: Path = Field(default=Path(".router"), description="where the embedded default keeps its files")
    broker_url: str | None = Field(
        default=None, repr=False, description="Celery broker, if not the same Redis"
    )
    # 64, not more: the Runtime's own Redis clients use redis-py's default asyncio pool, which has
    # 100 connections and raises (rather than waits) when they are all lent out.
    batch_in_flight: int = Field(default=64, gt=0, description="model calls in flight per worker process")
    batch_chunk_size: int = Field(default=50, gt=0, description="items per Celery task")
    batch_results_ttl_s: int = Field(
        default=7 * 24 * 3600, ge=60, description="how long batch results are kept"
    )
    batch_visibility_timeout_s: float = Field(default=3600.0, gt=0, description="broker visibility timeout")
    batch_restore_interval_s: float = Field(
        default=10.0, gt=0, description="how often a worker looks for chunks of dead workers"
    )
    log_level: LogLevel = Field(default="warning", description="least severe event logged")
    log_format: LogFormat | None = Field(default=None, description="console on a terminal, else JSON")

    @classmethod
    def defaults(cls) -> Settings:
        """The documented defaults, reading no environment (library code called without settings)."""
        return cls.model_construct()

    @classmethod
    def load(cls) -> Settings:
        """The settings from the environment; ``ConfigError`` naming each bad variable."""
        try:
            return cls()
        except ValidationError as exc:
            raise _settings_error(exc, from_environment=True) from None

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with the given fields replaced (``None`` leaves a field as it is), validated alike."""
        given = {name: value for name, value in changes.items() if value is not None}
        if not given:
            return self
        try:
            # Every field is passed, so the environment cannot change any of them here.
            return type(self)(**{**dict(self), **given})
        except ValidationError as exc:
            raise _settings_error(exc, from_environment=False) from None

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None:
            _check_redis_url(value)
        return value

    @property
    def safe_redis_url(self) -> str | None:
        """``redis_url`` with any password left out, for messages."""
        return None if self.redis_url is None else _without_password(self.redis_url)


def env_name(field: str) -> str:
    """The environment variable of a settings field: ``redis_url`` -> ``ROUTER_REDIS_URL``."""
    return f"{ENV_PREFIX}{field.upper()}"


def _check_redis_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in _REDIS_SCHEMES:
        raise ValueError(
            f"not a Redis URL; give one such as {_REDIS_EXAMPLE} "
            "(schemes: redis://, rediss://, unix://, redis+cluster://, rediss+cluster://)"
        )
    if parts.scheme == "unix":
        return
    try:
        parts.port  # noqa: B018  # urllib parses the port lazily, and raises here
    except ValueError:
        raise ValueError(f"the port is not a number; give one such as {_REDIS_EXAMPLE}") from None
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(
            f"the database is the URL's path and must be a number (0 to 15 on a default server), "
            f"not {database!r}; give one such as {_REDIS_EXAMPLE}"
        )


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else "***@"
    return parts._replace(netloc=user + netloc).geturl()


def _settings_error(exc: ValidationError, *, from_environment: bool) -> ConfigError:
    problems = [_problem(error, from_environment) for error in exc.errors()]
    if len(problems) == 1:
        return ConfigError(f"invalid setting: {problems[0]}", problems=problems)
    listed = "\n".join(f"  {problem}" for problem in problems)
    return ConfigError(f"invalid settings ({len(problems)} problems):\n{listed}", problems=problems)


def _problem(error: Any, from_environment: bool) -> str:
    field = str(error["loc"][0]) if error["loc"] else "?"
    value = error.get("input")
    if field in ("redis_url", "broker_url") and isinstance(value, str):
        value = _without_password(value)
    where = f"{env_name(field)}={value!r}" if from_environment else f"{field}={value!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    fix = _FIXES.get(field, "")
    return f"{where}: {message}" + (f"; {fix}" if fix and fix not in message else "")


_FIXES = {
    "simulate": "use 1 or 0 (also true/false, yes/no, on/off)",
    "log_level": "use debug, info, warning or error",
    "log_format": "use json or console (or unset it: console on a terminal, else JSON)",
    "batch_in_flight": "use a positive whole number such as 64",
    "batch_chunk_size": "use a positive whole number such as 50",
    "batch_results_ttl_s": "use a whole number of seconds, at least 60 (default: 604800, a week)",
    "batch_visibility_timeout_s": "use a positive number of seconds such as 3600",
    "batch_restore_interval_s": "use a positive number of seconds such as 10",
}


# --------------------------------------------------------------------------- not ours


def api_key(variable: str) -> str | None:
    """The API key in ``$variable`` (routes.yaml's ``os.environ/VAR``), read at call time; None if unset."""
    return os.environ.get(variable) or None


def behind_proxy(url: str) -> bool:
    """Whether httpx (litellm's, the ``openai`` package's) would send to ``url`` through a proxy
    of the environment, as urllib reads the variables (``NO_PROXY`` included)."""
    if not any(os.environ.get(name) for name in _PROXY_VARIABLES):
        return False  # at once: urllib's reading walks the whole environment (70 us a call)
    proxies = getproxies_environment()
    parts = urlsplit(url)
    if not (proxies.get(parts.scheme.lower()) or proxies.get("all")):
        return False
    return not proxy_bypass(parts.hostname or "")


_PROXY_VARIABLES = tuple(
    name for scheme in ("https", "http", "all") for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY")
)
"""The variables that put a proxy before an http(s) server."""


def cache_home() -> Path:
    """``$XDG_CACHE_HOME`` (default ``~/.cache``): the XDG base directory for cached files."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def set_litellm_offline_defaults() -> None:
    """Keep litellm offline (see the module docstring); a value the caller exported wins."""
    for name, value in LITELLM_OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
