"""structlog set-up: JSON lines in production, readable lines in a terminal.

Call ``configure()`` once at start-up (the CLI and the worker do, with the level and format of
their ``Settings``). Library code only calls ``structlog.get_logger()``; nothing here runs at
import. Events carry counts, names and codes, never prompt or completion text.
"""

from __future__ import annotations

import functools
import logging
import sys

import structlog

from router._settings import LogFormat, Settings

# litellm logs through the standard library, at INFO once per call ("LiteLLM completion() model=
# ..."). A Celery worker runs at --loglevel info, so those lines would flood its log: they are
# only shown when the router itself logs at debug.
_LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")


def configure(level: str = "warning", fmt: LogFormat | None = None) -> None:
    """Send events to stderr at ``level``, as ``fmt`` (default: console on a terminal, else JSON)."""
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level.lower()!r}; use debug, info, warning or error")
    chosen = fmt or ("console" if sys.stderr.isatty() else "json")
    renderer: structlog.typing.Processor
    if chosen == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    quiet_litellm(numeric)


def emits(level: int) -> bool:
    """Whether structlog, as configured now, emits events at ``level`` (a ``logging`` number).

    Read off the configured wrapper class when it is one of structlog's filtering loggers
    (what ``configure`` sets), without building a logger to ask: ``structlog.get_logger()``
    made per call and bound costs more than the rest of a ledger write's bookkeeping. Any
    other configuration answers yes, and its logger then filters as it does.
    """
    minimum = _filtering_levels().get(structlog.get_config()["wrapper_class"])
    return minimum is None or level >= minimum


@functools.cache
def _filtering_levels() -> dict[type, int]:
    # make_filtering_bound_logger returns one class per level, made once by structlog.
    levels = (logging.NOTSET, logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL)
    return {structlog.make_filtering_bound_logger(level): level for level in levels}


def configure_from(settings: Settings) -> None:
    """``configure`` with the settings' ``log_level`` and ``log_format``."""
    configure(settings.log_level, settings.log_format)


def quiet_litellm(level: int = logging.WARNING) -> None:
    """Keep litellm's per-call INFO lines out of the log unless the router logs at debug."""
    chosen = level if level <= logging.DEBUG else max(level, logging.WARNING)
    for name in _LITELLM_LOGGERS:
        logging.getLogger(name).setLevel(chosen)


def ensure_logging(settings: Settings) -> None:
    """Configure structlog from ``settings`` unless the application already did.

    structlog's own default prints every event to stdout; an SDK must not write
    to a program's stdout uninvited, so the client calls this once.
    """
    if not structlog.is_configured():
        configure_from(settings)
