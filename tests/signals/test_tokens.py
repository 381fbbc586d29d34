"""Token counts: exact per model family, offline, equal to litellm's own counter."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from router._errors import UsageError
from router._signals import _tokens
from router._signals._tokens import (
    ENCODINGS,
    REFERENCE_ENCODING,
    TokenCounter,
    count_messages,
    count_text,
    encoding_for,
    is_exact,
    messages_text,
)

TEXTS = {
    "empty": "",
    "greeting": "Hello, world!",
    "special-tokens": "<|endoftext|> special <|endofprompt|> <|fim_prefix|> <EOT>",
    "multilingual": "Grüß Gott, wie geht's? 日本語のテキスト。 Привет мир! مرحبا بالعالم 🎉",
    "code": "def count(xs: list[int]) -> int:\n\treturn sum(1 for _ in xs)  # 1234567890\n\n",
    "whitespace-run": "a" + " " * 200 + "b\n\n\n\n\tc",
    "long-repeat": "ab" * 1500,
}
# litellm picks the encoding from its price map, so these ids exercise each family's tokenizer:
# its Anthropic tokenizer covers the Claude names it lists (claude-sonnet-4-5); older names it
# counts with cl100k_base, which is why the test names the model and the encoding separately.
LITELLM_MODELS = {"gpt-4o": "o200k_base", "gpt-3.5-turbo": "cl100k_base", "claude-sonnet-4-5": "claude"}


@pytest.fixture(scope="module")
def litellm() -> Any:
    """litellm itself, offline (tests/conftest.py set its offline switches before this import)."""
    assert os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP") == "True"
    import litellm

    return litellm


@pytest.mark.parametrize("text_id", list(TEXTS))
@pytest.mark.parametrize("model", list(LITELLM_MODELS))
def test_counts_equal_litellms_token_counter(litellm: Any, model: str, text_id: str) -> None:
    text = TEXTS[text_id]
    assert count_text(text, LITELLM_MODELS[model]) == litellm.token_counter(model=model, text=text)


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-3.5-turbo"])
def test_chat_overhead_equals_litellms(litellm: Any, model: str) -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are terse."},
        {
            "role": "user",
            "name": "bob",
            "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}],
        },
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": None},
    ]
    expected = litellm.token_counter(model=model, messages=messages)
    assert count_messages(messages, encoding_for(model)) == expected


def test_an_empty_chat_costs_only_the_reply_priming() -> None:
    assert count_messages([], REFERENCE_ENCODING) == 3


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_special_token_text_is_counted_as_text(encoding: str) -> None:
    """A prompt quoting "<|endoftext|>" is counted, never rejected."""
    assert count_text("<|endoftext|>", encoding) >= 1
    assert count_text("say <|endoftext|> twice <|endoftext|>", encoding) > count_text("say twice", encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_counts_offline_and_grows_with_text(encoding: str) -> None:
    assert count_text("", encoding) == 0
    assert 0 < count_text("Hello there", encoding) < count_text("Hello there, " * 50, encoding)


def test_each_encoding_is_computed_once_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = _tokens.count_text

    def counted(text: str, encoding: str) -> int:
        calls.append(encoding)
        return real(text, encoding)

    monkeypatch.setattr(_tokens, "count_text", counted)
    counter = TokenCounter("The same prompt, measured for several candidate models.")
    first = [counter.count(encoding) for encoding in ENCODINGS]
    again = [counter.count(encoding) for encoding in ENCODINGS * 3]
    assert again == first * 3
    assert sorted(calls) == sorted(ENCODINGS)


def test_token_counter_agrees_with_count_text() -> None:
    counter = TokenCounter(TEXTS["multilingual"])
    assert {e: counter.count(e) for e in ENCODINGS} == {
        e: count_text(TEXTS["multilingual"], e) for e in ENCODINGS
    }


def test_an_unknown_encoding_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError, match="o200k_base") as caught:
        count_text("hi", "p50k_base")
    assert caught.value.encoding == "p50k_base"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("model", "encoding", "exact"),
    [
        pytest.param("gpt-4o", "o200k_base", True, id="gpt-4o"),
        pytest.param("azure/gpt-4o-mini", "o200k_base", True, id="azure-gpt-4o-mini"),
        pytest.param("openai/gpt-4.1-nano", "o200k_base", True, id="gpt-4.1"),
        pytest.param("gpt-5-mini", "o200k_base", True, id="gpt-5"),
        pytest.param("o1", "o200k_base", True, id="o1"),
        pytest.param("o3-mini", "o200k_base", True, id="o3"),
        pytest.param("openrouter/openai/o4-mini", "o200k_base", True, id="o4"),
        pytest.param("ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base", True, id="fine-tuned"),
        pytest.param("gpt-3.5-turbo", "cl100k_base", True, id="gpt-3.5"),
        pytest.param("azure/gpt-35-turbo", "cl100k_base", True, id="azure-gpt-35"),
        pytest.param("gpt-4", "cl100k_base", True, id="gpt-4"),
        pytest.param("gpt-4-turbo", "cl100k_base", True, id="gpt-4-turbo"),
        pytest.param("claude-2.1", "claude", True, id="claude-2"),
        pytest.param("anthropic/claude-sonnet-4-5", "claude", False, id="claude-4.5"),
        pytest.param(
            "bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0", "claude", False, id="bedrock-claude"
        ),
        pytest.param("deepseek/deepseek-chat", "deepseek", True, id="deepseek-chat"),
        pytest.param("deepseek/deepseek-reasoner", "deepseek", True, id="deepseek-reasoner"),
        pytest.param("deepseek/deepseek-coder", "deepseek", False, id="deepseek-coder"),
        pytest.param("groq/deepseek-r1-distill-llama-70b", "cl100k_base", False, id="r1-distill"),
        pytest.param("groq/llama-3.1-8b-instant", "cl100k_base", False, id="llama-3"),
        pytest.param(
            "together_ai/meta-llama/Llama-4-Scout-17B-16E-Instruct", "o200k_base", False, id="llama-4"
        ),
        pytest.param("dashscope/qwen-max", "cl100k_base", False, id="qwen"),
        pytest.param("gemini/gemini-2.5-flash", "o200k_base", False, id="gemini"),
        pytest.param("mistral/mistral-large-latest", "cl100k_base", False, id="mistral"),
        pytest.param("ollama/phi3", "cl100k_base", False, id="unknown-family"),
    ],
)
def test_model_ids_map_to_their_familys_encoding(model: str, encoding: str, exact: bool) -> None:
    assert encoding_for(model) == encoding
    assert is_exact(model) is exact


def test_the_reference_encoding_is_one_of_the_encodings() -> None:
    assert REFERENCE_ENCODING in ENCODINGS


def test_messages_text_joins_string_and_text_part_content() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [{"type": "text", "text": "Look:"}, {"type": "image_url", "image_url": {}}],
        },
        {"role": "assistant", "content": None, "tool_calls": []},
        {"role": "user", "content": ["plain part", {"type": "text", "text": "last"}]},
    ]
    assert messages_text(messages) == "Be brief.\nLook:\nplain part\nlast"


@pytest.fixture
def fresh_tokenizers() -> Iterator[None]:
    """No tokenizer loaded when the test starts (so it loads its own); none of its kept after."""
    _tokens._counter.cache_clear()
    yield
    _tokens._counter.cache_clear()


@pytest.mark.usefixtures("fresh_tokenizers")
def test_a_missing_tokenizer_file_is_a_clear_error_not_a_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_tokens, "_tokenizer_dir", lambda: tmp_path)
    with pytest.raises(FileNotFoundError, match="reinstall the pinned litellm"):
        count_text("hi", "o200k_base")


@pytest.mark.usefixtures("fresh_tokenizers")
def test_an_altered_tokenizer_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "9b5ad71b2ce5302211f9c61530b329a4922fc6a4").write_bytes(b"not the cl100k ranks")
    monkeypatch.setattr(_tokens, "_tokenizer_dir", lambda: tmp_path)
    with pytest.raises(FileNotFoundError, match="sha256"):
        count_text("hi", "cl100k_base")
    assert (tmp_path / "9b5ad71b2ce5302211f9c61530b329a4922fc6a4").exists()  # tiktoken never saw it


@pytest.mark.usefixtures("fresh_tokenizers")
def test_loading_leaves_the_callers_tiktoken_cache_setting_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "/somewhere/of/the/callers")
    count_text("hi", "cl100k_base")
    assert os.environ["TIKTOKEN_CACHE_DIR"] == "/somewhere/of/the/callers"


def test_importing_the_module_does_not_import_litellm_or_a_tokenizer() -> None:
    code = (
        "import sys, router._signals._tokens as t; "
        "print(sorted(m for m in ('litellm', 'tiktoken', 'tokenizers') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "[]"
