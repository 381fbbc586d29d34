"""Batch input, read one line at a time: the OpenAI batch format or the short form.

OpenAI batch format (one request per line)::

    {"custom_id": "q1", "method": "POST", "url": "/v1/chat/completions",
     "body": {"model": "gpt-4o-mini", "messages": [...], "max_tokens": 200}}

The ``model`` in the body is only a hint: routes.yaml decides which model
answers (the hint is kept in the item's metadata as ``model_hint``). The
body's other fields are OpenAI chat parameters (temperature, tools,
response_format, ...), passed on to the model as ``complete`` passes its own.

Short form::

    {"custom_id"?: str, "prompt": str | "messages": [...], "max_tokens"?: int,
     "tags"?: [str], "metadata"?: {str: str}, <any OpenAI chat parameter>?: ...}

Either way the parameters are checked by the same policy as ``complete``'s
(``router._params``), line by line at submission: a parameter neither OpenAI
nor litellm defines fails its line (code ``unknown_parameter``), naming it.

A line that cannot be used becomes a ``LineError`` (that item fails, the rest
of the job runs). Problems with the file itself (missing, empty, not UTF-8)
raise ``BatchInputError``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from router._errors import BatchInputError, UsageError
from router._params import ParameterError
from router._params import check as check_params
from router._task import Task

MAX_LINE_BYTES = 16 * 1024 * 1024
"""Longer lines fail their item without being held in memory whole."""

_SHORT_KEYS = frozenset({"custom_id", "prompt", "messages", "max_tokens", "tags", "metadata"})
_OPENAI_KEYS = frozenset({"custom_id", "method", "url", "body"})
_BODY_OWN = frozenset({"messages", "model", "metadata"})
"""Body fields the batch reads itself; the rest of a body is chat parameters."""
_CHAT_URLS = frozenset({"/v1/chat/completions", "/chat/completions"})

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any] | str]
"""A JSONL file path, or items: each a line object (either format) or a prompt string."""


@dataclass(frozen=True)
class Item:
    """A valid input line, ready to route: its task is built (and so validated) once, here."""

    line: int
    custom_id: str | None
    """None when the line gave none; the job generates ``line-<line>``."""
    task: Task

    @property
    def messages(self) -> tuple[Mapping[str, Any], ...]:
        return self.task.messages

    @property
    def max_tokens(self) -> int | None:
        return self.task.max_tokens

    @property
    def tags(self) -> tuple[str, ...]:
        return self.task.tags

    @property
    def metadata(self) -> Mapping[str, str]:
        return self.task.metadata


@dataclass(frozen=True)
class LineError:
    """An input line that fails its item: ``code`` is stable, ``message`` names the line."""

    line: int
    code: str
    message: str
    custom_id: str | None = None


Parsed = Item | LineError


def parse_source(source: Source) -> Iterator[Parsed]:
    """Every non-blank line of ``source``, parsed. Lines are numbered from 1."""
    if isinstance(source, str | os.PathLike):
        yield from (parse_line(number, text) for number, text in read_lines(Path(source)))
        return
    if isinstance(source, bytes | bytearray | Mapping):
        raise UsageError("give a path to a JSONL file or an iterable of items (dicts or prompt strings)")
    for number, value in enumerate(source, start=1):
        yield parse_value(number, value) if not isinstance(value, str) else _item_from_prompt(number, value)


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's non-blank lines with their numbers, streamed; a huge line is cut at ``MAX_LINE_BYTES``."""
    stream = _open(path)
    with stream:
        seen = 0
        for number, raw in enumerate(_raw_lines(stream), start=1):
            text = _decode(path, number, raw)
            if number == 1:
                text = text.removeprefix("\ufeff")
            if text.strip():
                seen += 1
                yield number, text
        if seen == 0:
            raise BatchInputError(f"{path} is empty: it has no line to submit")


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise BatchInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BatchInputError(f"{path} is a directory; give a JSONL file") from None
    except PermissionError:
        raise BatchInputError(f"{path}: permission denied") from None


def _raw_lines(stream: BinaryIO) -> Iterator[bytes]:
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            _skip_rest_of_line(stream)
            yield b"\x00too-long"  # a marker that cannot be valid JSON; see parse_line
            continue
        yield raw


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


def _decode(path: Path, number: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BatchInputError(
            f"{path}: line {number} is not valid UTF-8 (byte {exc.start} of the line is "
            f"{raw[exc.start : exc.start + 1]!r}); convert the file, e.g. with iconv -t UTF-8"
        ) from None


def parse_line(number: int, text: str) -> Parsed:
    """One JSONL line: a valid ``Item`` or the ``LineError`` that explains it."""
    if text.startswith("\x00too-long"):
        return LineError(number, "line_too_large", f"line {number}: longer than {MAX_LINE_BYTES:,} bytes")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return LineError(
            number, "invalid_json", f"line {number}: not valid JSON: {exc.msg} (column {exc.colno})"
        )
    return parse_value(number, value)


def parse_value(number: int, value: Any) -> Parsed:
    """One decoded line object in either format."""
    if not isinstance(value, Mapping):
        return LineError(number, "invalid_item", f"line {number}: expected a JSON object, got {_kind(value)}")
    custom_id = value.get("custom_id")
    if custom_id is not None and (not isinstance(custom_id, str) or not custom_id.strip()):
        return LineError(number, "invalid_item", f"line {number}: custom_id must be a non-empty string")
    try:
        if _OPENAI_KEYS & (value.keys() - {"custom_id"}):
            return _openai_item(number, value, custom_id)
        return _short_item(number, value, custom_id)
    except _LineProblem as problem:
        return LineError(number, problem.code, f"line {number}: {problem}", custom_id)


class _LineProblem(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _openai_item(number: int, value: Mapping[str, Any], custom_id: str | None) -> Item:
    _reject_unknown(value, _OPENAI_KEYS, "an OpenAI batch line")
    method, url = value.get("method", "POST"), value.get("url", "/v1/chat/completions")
    if method != "POST" or url not in _CHAT_URLS:
        raise _LineProblem(
            "unsupported_request",
            f"only POST /v1/chat/completions requests are supported, not {method} {url}",
        )
    body = value.get("body")
    if not isinstance(body, Mapping):
        raise _LineProblem("invalid_item", "'body' must be an object with 'messages'")
    if "messages" not in body:
        raise _LineProblem("missing_prompt", "the body has no 'messages'")
    max_tokens = body.get("max_tokens", body.get("max_completion_tokens"))
    metadata = _metadata(body.get("metadata"))
    if isinstance(body.get("model"), str):
        metadata["model_hint"] = body["model"]
    params = {name: value for name, value in body.items() if name not in _BODY_OWN}
    return _build(number, custom_id, body["messages"], max_tokens, (), metadata, params)


def _short_item(number: int, value: Mapping[str, Any], custom_id: str | None) -> Item:
    params = {name: item for name, item in value.items() if name not in _SHORT_KEYS}
    _known(params)
    has_prompt, has_messages = "prompt" in value, "messages" in value
    if has_prompt == has_messages:
        problem = (
            "has both 'prompt' and 'messages'; give one"
            if has_prompt
            else "has neither 'prompt' nor 'messages'"
        )
        raise _LineProblem("missing_prompt" if not has_prompt else "invalid_item", problem)
    content = value["prompt"] if has_prompt else value["messages"]
    if has_prompt and not isinstance(content, str):
        raise _LineProblem("invalid_item", f"'prompt' must be a string, not {_kind(content)}")
    return _build(
        number,
        custom_id,
        content,
        value.get("max_tokens"),
        _tags(value.get("tags")),
        _metadata(value.get("metadata")),
        params,
    )


def _build(
    number: int,
    custom_id: str | None,
    content: Any,
    max_tokens: Any,
    tags: tuple[str, ...],
    metadata: dict[str, str],
    params: Mapping[str, Any] | None = None,
) -> Item:
    if isinstance(max_tokens, bool):
        raise _LineProblem("invalid_item", "max_tokens must be a positive integer")
    try:
        task = Task.build(content, max_tokens=max_tokens, tags=tags, metadata=metadata, params=params)
    except ParameterError as exc:
        raise _LineProblem(exc.code, exc.message) from None
    except UsageError as exc:
        raise _LineProblem("invalid_item", exc.message) from None
    return Item(number, custom_id, task)


def _known(params: Mapping[str, Any]) -> None:
    """A short-form line's fields beyond its own are chat parameters: each must be one."""
    try:
        check_params(params)
    except ParameterError as exc:
        # A misspelt field of the line's own lands here too: name those beside the policy's reason.
        hint = (
            f" (a line's own fields: {', '.join(sorted(_SHORT_KEYS))})"
            if exc.code == "unknown_parameter"
            else ""
        )
        raise _LineProblem(exc.code, exc.message + hint) from None


def _item_from_prompt(number: int, prompt: str) -> Parsed:
    try:
        return _build(number, None, prompt, None, (), {})
    except _LineProblem as problem:
        return LineError(number, problem.code, f"item {number}: {problem}")


def _reject_unknown(value: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _LineProblem(
            "invalid_item", f"unknown field {unknown[0]!r} in {what} (expected: {', '.join(sorted(allowed))})"
        )


def _tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(tag, str) for tag in value):
        return tuple(value)
    raise _LineProblem("invalid_item", "'tags' must be a string or a list of strings")


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _LineProblem("invalid_item", "'metadata' must be an object")
    return {str(key): str(item) for key, item in value.items()}


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
