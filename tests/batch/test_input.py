"""Reading batch input: both line formats, per-line errors, and problems with the file itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from router._batch import _input
from router._batch._input import Item, LineError, parse_line, parse_source, read_lines
from router._errors import BatchInputError
from tests.batch.conftest import EXAMPLE, write_jsonl


def _parse(value: Any) -> Item | LineError:
    return parse_line(7, value if isinstance(value, str) else json.dumps(value))


def test_an_openai_batch_line_becomes_an_item_with_its_model_kept_as_a_hint() -> None:
    item = _parse(
        {
            "custom_id": "q1",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {
                "model": "gpt-4o",
                "messages": [{"role": "user", "content": "Hi"}],
                "max_tokens": 20,
                "temperature": 0.2,
            },
        }
    )
    assert isinstance(item, Item)
    assert (item.custom_id, item.line, item.max_tokens) == ("q1", 7, 20)
    assert item.messages == ({"role": "user", "content": "Hi"},)
    assert item.metadata == {"model_hint": "gpt-4o"}


def test_a_short_form_line_takes_a_prompt_or_messages_with_tags_and_metadata() -> None:
    from_prompt = _parse({"prompt": "Hello", "tags": ["code"], "metadata": {"ticket": 12}, "max_tokens": 5})
    from_messages = _parse({"custom_id": "m", "messages": [{"role": "user", "content": "Hello"}]})
    assert isinstance(from_prompt, Item)
    assert isinstance(from_messages, Item)
    assert from_prompt.custom_id is None
    assert from_prompt.messages == ({"role": "user", "content": "Hello"},)
    assert (from_prompt.tags, from_prompt.metadata, from_prompt.max_tokens) == (
        ("code",),
        {"ticket": "12"},
        5,
    )
    assert from_messages.custom_id == "m"


@pytest.mark.parametrize(
    ("line", "code", "says"),
    [
        pytest.param('{"prompt": "unterminated', "invalid_json", "not valid JSON", id="malformed-json"),
        pytest.param(
            {"custom_id": "x", "max_tokens": 3},
            "missing_prompt",
            "neither 'prompt' nor 'messages'",
            id="no-prompt-nor-messages",
        ),
        pytest.param({"prompt": "a", "messages": []}, "invalid_item", "both", id="prompt-and-messages"),
        pytest.param({"promt": "typo"}, "unknown_parameter", "unknown parameter 'promt'", id="unknown-field"),
        pytest.param(["a", "list"], "invalid_item", "expected a JSON object", id="not-an-object"),
        pytest.param(
            {"custom_id": 5, "prompt": "a"}, "invalid_item", "custom_id", id="custom-id-not-a-string"
        ),
        pytest.param({"prompt": "   "}, "invalid_item", "empty", id="empty-prompt"),
        pytest.param(
            {"prompt": "a", "max_tokens": -1}, "invalid_item", "max_tokens", id="negative-max-tokens"
        ),
        pytest.param(
            {"url": "/v1/embeddings", "body": {"input": "a"}},
            "unsupported_request",
            "embeddings",
            id="not-chat-completions",
        ),
        pytest.param(
            {"url": "/v1/chat/completions", "body": {"model": "m"}},
            "missing_prompt",
            "messages",
            id="openai-body-without-messages",
        ),
    ],
)
def test_a_bad_line_fails_with_its_line_number_and_reason(line: Any, code: str, says: str) -> None:
    error = _parse(line)
    assert isinstance(error, LineError)
    assert error.code == code
    assert error.message.startswith("line 7: ")
    assert says in error.message


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="no such file"):
        list(read_lines(tmp_path / "absent.jsonl"))


def test_a_file_of_blank_lines_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n  \n\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match="is empty"):
        list(read_lines(path))


def test_a_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"prompt": "ok"}\n{"prompt": "caf\xe9"}\n')
    with pytest.raises(BatchInputError, match=r"line 2 is not valid UTF-8"):
        list(read_lines(path))


def test_blank_lines_are_skipped_and_numbers_follow_the_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"prompt": "a"}, "", {"prompt": "b"}])
    assert [entry.line for entry in parse_source(path)] == [1, 3]


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes("\ufeff".encode() + b'{"prompt": "a"}\n')
    assert isinstance(next(iter(parse_source(path))), Item)


def test_a_line_over_the_size_limit_fails_only_its_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_input, "MAX_LINE_BYTES", 64)
    path = write_jsonl(tmp_path / "big.jsonl", [{"prompt": "x" * 500}, {"prompt": "small"}])
    first, second = parse_source(path)
    assert isinstance(first, LineError)
    assert first.code == "line_too_large"
    assert isinstance(second, Item)
    assert second.line == 2


def test_sdk_items_may_be_prompt_strings_or_line_objects() -> None:
    parsed = list(parse_source(["What is 2+2?", {"custom_id": "b", "prompt": "Hi"}, {"bad": 1}]))
    assert [type(entry) for entry in parsed] == [Item, Item, LineError]
    assert [entry.line for entry in parsed] == [1, 2, 3]


def test_the_shipped_example_has_only_its_deliberately_bad_lines_invalid() -> None:
    errors = [entry for entry in parse_source(EXAMPLE) if isinstance(entry, LineError)]
    assert sorted(error.code for error in errors) == ["invalid_json", "missing_prompt"]
