"""Logging set-up: the settings choose level and format; litellm's per-call INFO lines stay out."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import structlog

from router._logging import configure, emits

LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")


@pytest.fixture(autouse=True)
def _restore_litellm_levels() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in ("", *LITELLM_LOGGERS)}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("level", ["info", "warning"])
def test_litellm_info_lines_are_not_logged_unless_the_router_logs_at_debug(level: str) -> None:
    # A Celery worker runs at --loglevel info: litellm's loggers must not inherit that level.
    logging.getLogger().setLevel(logging.INFO)
    configure(level)
    for name in LITELLM_LOGGERS:
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        assert logging.getLogger(name).isEnabledFor(logging.WARNING), name


def test_at_debug_litellm_logs_its_details_too() -> None:
    configure("debug")
    assert all(logging.getLogger(name).isEnabledFor(logging.DEBUG) for name in LITELLM_LOGGERS)


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure("loud")


@pytest.mark.parametrize("level", ["debug", "info", "warning", "error"])
def test_emits_answers_as_a_logger_of_the_configured_level_would(level: str) -> None:
    configure(level)
    logger = structlog.get_logger("router.test")
    for asked in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL):
        assert emits(asked) is logger.is_enabled_for(asked), (level, asked)


def test_emits_says_yes_for_a_logger_it_cannot_read_the_level_of() -> None:
    structlog.configure(wrapper_class=structlog.stdlib.BoundLogger)
    assert emits(logging.DEBUG)
