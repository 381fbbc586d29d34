"""structlog set-up: JSON lines in production, readable lines in a terminal.

Call ``configure()`` once at start-up (the CLI and the worker do). Library
code only calls ``structlog.get_logger()``; nothing here runs at import.
Events carry counts, names and codes, never prompt or completion text.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Literal

import structlog

LEVEL_ENV = "ROUTER_LOG_LEVEL"
FORMAT_ENV = "ROUTER_LOG_FORMAT"

Format = Literal["json", "console"]


def configure(level: str | None = None, fmt: Format | None = None) -> None:
    """Send events to stderr at ``level`` (default ``$ROUTER_LOG_LEVEL`` or ``warning``)."""
    name = (level or os.environ.get(LEVEL_ENV) or "warning").upper()
    numeric = logging.getLevelNamesMapping().get(name)
    if numeric is None:
        raise ValueError(f"unknown log level {name.lower()!r}; use debug, info, warning or error")
    chosen = fmt or _format_from_env()
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


def ensure_logging() -> None:
    """Configure structlog with the defaults above unless the application already did.

    structlog's own default prints every event to stdout; an SDK must not write
    to a program's stdout uninvited, so the client calls this once.
    """
    if not structlog.is_configured():
        configure()


def _format_from_env() -> Format:
    value = os.environ.get(FORMAT_ENV, "").lower()
    if value in ("json", "console"):
        return value  # type: ignore[return-value]
    return "console" if sys.stderr.isatty() else "json"
