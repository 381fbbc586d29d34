"""Workload files for ``router replay``: read in chunks of whole lines, parsed line by line.

A line is one request in any of three shapes, told apart by its keys:

* an OpenAI batch line (``custom_id``, ``method``, ``url``, ``body``) or the short batch form
  (``prompt`` or ``messages``, ``max_tokens``, ``tags``, ``metadata``), exactly as
  ``router batch submit`` reads them (``router._batch._input``);
* a chat completions request body as the gateway receives it (``messages``, ``model``,
  ``max_tokens``, ``metadata``, ...), checked by the gateway's own parser, so a request the
  gateway would refuse is reported as refused, and ``model`` naming a rule or a model routes
  the way it would there.

Any line may also carry what a log export knows about the request: ``team``, ``tags`` (for
chat requests, which have no field for them), and the recorded output length as
``output_tokens`` or ``usage.completion_tokens``; these keys are taken off before the line
is parsed. A workload is a file path; chunks of about ``CHUNK_BYTES`` go to the workers as
bytes, so no process ever holds more than a few chunks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from router._batch._input import Item, LineError, parse_value
from router._batch._input import _open as open_input
from router._errors import BatchInputError, UsageError
from router._task import Task

CHUNK_BYTES = 256 * 1024

_BATCH_KEYS = frozenset({"custom_id", "method", "url", "body", "prompt"})
_SHORT_KEYS = frozenset({"custom_id", "prompt", "messages", "max_tokens", "tags", "metadata"})


@dataclass(frozen=True, slots=True)
class Request:
    """One workload line, ready to route: a task, or a chat body to parse per routes file."""

    line: int
    id: str
    task: Task | None
    """The task of a batch line; ``None`` for a chat request (see ``chat``)."""
    chat: Mapping[str, Any] | None
    """A chat completions body, parsed by the gateway's parser against each routes file."""
    team: str | None
    tags: tuple[str, ...]
    output_tokens: int | None
    """The recorded output length, when the line carries one."""


@dataclass(frozen=True, slots=True)
class Invalid:
    """A line that is not a request: ``code`` is stable, ``message`` says what is wrong."""

    line: int
    code: str
    message: str


def chunks(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file as ``(number of its first line, whole lines)`` pieces of about ``CHUNK_BYTES``."""
    with _open(path) as stream:
        first, seen = 1, False
        while True:
            data = stream.read(CHUNK_BYTES)
            if not data:
                break
            data += stream.readline()  # finish the last line, however long
            seen = seen or bool(data.strip())
            yield first, data
            first += data.count(b"\n")
    if not seen:
        raise UsageError(f"{path} is empty: it has no line to replay")


def parse_chunk(first: int, data: bytes) -> Iterator[Request | Invalid]:
    """Every non-blank line of a chunk."""
    for offset, raw in enumerate(data.split(b"\n")):
        if raw.strip():
            yield parse(first + offset, raw)


def parse(line: int, raw: bytes) -> Request | Invalid:
    """One line: a request, or why it is not one."""
    try:
        value = json.loads(raw.removeprefix(b"\xef\xbb\xbf") if line == 1 else raw)
    except UnicodeDecodeError:
        return Invalid(line, "not_utf8", f"line {line}: not valid UTF-8")
    except json.JSONDecodeError as exc:
        return Invalid(line, "invalid_json", f"line {line}: not valid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(value, dict):
        return Invalid(line, "invalid_item", f"line {line}: expected a JSON object")
    try:
        team, tags, output_tokens = _extras(value)
    except UsageError as exc:
        return Invalid(line, "invalid_item", f"line {line}: {exc.message}")
    if _BATCH_KEYS & value.keys() or value.keys() <= _SHORT_KEYS:
        return _batch_request(line, value, team, tags, output_tokens)
    if "messages" in value:
        return Request(line, f"line-{line}", None, value, team, tags, output_tokens)
    return Invalid(
        line, "invalid_item", f"line {line}: neither a batch line nor a chat request (no 'messages')"
    )


def _batch_request(
    line: int, value: dict[str, Any], team: str | None, tags: tuple[str, ...], output_tokens: int | None
) -> Request | Invalid:
    parsed = parse_value(line, value)
    if isinstance(parsed, LineError):
        return Invalid(line, parsed.code, parsed.message)
    return Request(
        line, parsed.custom_id or f"line-{line}", _task(parsed, team), None, team, tags, output_tokens
    )


def _task(item: Item, team: str | None) -> Task:
    return Task.build(
        list(item.messages), max_tokens=item.max_tokens, team=team, tags=item.tags, metadata=item.metadata
    )


def _extras(value: dict[str, Any]) -> tuple[str | None, tuple[str, ...], int | None]:
    """Take off the keys a log export adds: team, tags of a chat request, recorded output length."""
    team = value.pop("team", None)
    if team is not None and not isinstance(team, str):
        raise UsageError("'team' must be a string")
    tags: tuple[str, ...] = ()
    if "messages" in value and "model" in value and "tags" in value:  # a chat request has no tags field
        raw = value.pop("tags")
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(tag, str) for tag in raw):
            raise UsageError("'tags' must be a string or a list of strings")
        tags = tuple(raw)
    usage = value.pop("usage", None)
    recorded = value.pop("output_tokens", None)
    if recorded is None and isinstance(usage, Mapping):
        recorded = usage.get("completion_tokens")
    if recorded is not None and (isinstance(recorded, bool) or not isinstance(recorded, int) or recorded < 0):
        raise UsageError("'output_tokens' (or usage.completion_tokens) must be a whole number >= 0")
    return team, tags, recorded


def _open(path: Path) -> BinaryIO:
    try:
        return open_input(path)
    except BatchInputError as exc:  # the batch reader's words; here it is a usage error (exit 2)
        raise UsageError(exc.message) from None
