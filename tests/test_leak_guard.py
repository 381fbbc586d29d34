"""The suite-wide guard catches a prompt, a completion or a key in a log event or a ledger record."""

from __future__ import annotations

import pytest
import structlog

from router._task import Task
from tests.support.leaks import guarded

pytestmark = pytest.mark.leaks_on_purpose


def test_a_prompt_in_a_log_event_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    with guarded(monkeypatch) as secrets:
        Task.build("Please summarise the quarterly numbers.")
        structlog.get_logger("test").info("oops", detail="Please summarise the quarterly numbers.")
    assert secrets.leaks == ["a prompt appeared in log event 'oops'"]


def test_an_api_key_in_a_log_event_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPLE_API_KEY", "sk-test-0123456789abcdef")
    with guarded(monkeypatch) as secrets:
        structlog.get_logger("test").warning("auth", header="Bearer sk-test-0123456789abcdef")
    assert secrets.leaks == ["an API key appeared in log event 'auth'"]


def test_counts_and_names_are_not_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    with guarded(monkeypatch) as secrets:
        Task.build("Please summarise the quarterly numbers.")
        structlog.get_logger("test").info("route.decided", model="gpt-4o-mini", tokens=7)
    assert secrets.leaks == []
