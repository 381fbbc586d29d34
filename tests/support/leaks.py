"""A guard for the whole suite: no prompt, completion or API key in a log event or a ledger record.

While a test runs, every prompt the router is given (``Task.build``), every
completion it returns (``Completion``) and every API key in the environment is
remembered; every structlog event (at the one method all bound loggers share)
and every ledger record (at ``Ledger.write_call``, which every write goes
through) is checked against them. A test that leaks fails, naming the event or
record and the kind of text, never printing the text itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import structlog._base

MIN_CHARS = 12
"""Shorter texts ("hi", "hello") are words any event may hold; they prove nothing."""

_KEY_NAME = re.compile(r"(API_KEY|_TOKEN|_SECRET|SECRET_KEY)$")


@dataclass
class Secrets:
    """What must never be written: by kind, the texts seen during the test."""

    texts: dict[str, set[str]] = field(default_factory=lambda: {"prompt": set(), "completion": set()})
    leaks: list[str] = field(default_factory=list)

    def remember(self, kind: str, text: str) -> None:
        for part in text.splitlines():
            if len(part.strip()) >= MIN_CHARS:
                self.texts[kind].add(part.strip())

    def check(self, where: str, blob: str) -> None:
        for kind, texts in {**self.texts, "API key": _env_keys()}.items():
            if any(text in blob for text in texts):
                self.leaks.append(f"{'an' if kind[0] in 'aeiouA' else 'a'} {kind} appeared in {where}")


def _env_keys() -> set[str]:
    return {value for name, value in os.environ.items() if _KEY_NAME.search(name) and len(value) >= 8}


@contextmanager
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Secrets]:
    from router._ledger._ledger import Ledger
    from router._results import Completion
    from router._task import Task

    secrets = Secrets()
    build = Task.build.__func__  # type: ignore[attr-defined]

    def remembering_build(cls: type[Task], *args: Any, **kwargs: Any) -> Task:
        task: Task = build(cls, *args, **kwargs)
        for text in task.texts:
            secrets.remember("prompt", text)
        return task

    completion_init = Completion.__init__

    def remembering_init(self: Completion, **data: Any) -> None:
        completion_init(self, **data)
        secrets.remember("completion", self.content)

    process = structlog._base.BoundLoggerBase._process_event

    def checked_event(self: Any, method_name: str, event: Any, event_kw: dict[str, Any]) -> Any:
        secrets.check(f"log event {event!r}", f"{event!r} {event_kw!r}")
        return process(self, method_name, event, event_kw)

    write_call = Ledger.write_call

    def checked_write(self: Ledger, record: Any) -> Any:
        secrets.check(f"ledger record {record.id!r}", record.model_dump_json())
        return write_call(self, record)

    monkeypatch.setattr(Task, "build", classmethod(remembering_build))
    monkeypatch.setattr(Completion, "__init__", remembering_init)
    monkeypatch.setattr(structlog._base.BoundLoggerBase, "_process_event", checked_event)
    monkeypatch.setattr(Ledger, "write_call", checked_write)
    yield secrets
