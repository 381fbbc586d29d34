"""Token counts: exact per model family, offline, equal to litellm's own counter."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router._errors import UsageError
from router._signals import _tokens
from router._signals._tokens import (
    ENCODINGS,
    REFERENCE_ENCODING,
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


def test_an_unknown_encoding_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError, match=r"unknown encoding 'p50k_base'; expected one of .*o200k_base"):
        count_text("hi", "p50k_base")


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
def fresh_tokenizers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No tokenizer loaded when the test starts (so it loads its own); none of its kept after.

    The parsed-file cache is an empty folder of the test's own, which the fixture yields.
    """
    cache_home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    _tokens._counter.cache_clear()
    yield cache_home / "llm-router"
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


@pytest.fixture(scope="module")
def tiktokens_own() -> dict[str, Any]:
    """tiktoken's registry encodings, read from litellm's copies of the files."""
    import tiktoken

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOKEN_CACHE_DIR", str(_tokens._tokenizer_dir()))
        return {encoding: tiktoken.get_encoding(encoding) for encoding in _tokens._TIKTOKEN_FILES}


def test_openai_split_patterns_are_tiktokens_own(tiktokens_own: dict[str, Any]) -> None:
    """The files are parsed here, so the patterns are copied; cl100k_base's without "+" suffixes."""
    assert _tokens._TIKTOKEN_FILES["o200k_base"].pattern == tiktokens_own["o200k_base"]._pat_str
    possessive = tiktokens_own["cl100k_base"]._pat_str
    for quantifier in ("?+", "++", "*+", "{1,3}+"):
        possessive = possessive.replace(quantifier, quantifier[:-1])
    assert _tokens._TIKTOKEN_FILES["cl100k_base"].pattern == possessive


@pytest.mark.slow
@pytest.mark.parametrize("encoding", list(_tokens._TIKTOKEN_FILES))
def test_openai_tokens_equal_tiktokens_own_on_every_code_point(
    tiktokens_own: dict[str, Any], encoding: str
) -> None:
    own = tiktokens_own[encoding]
    ours = _tokens._tiktoken_bpe(encoding, _tokens._TIKTOKEN_FILES[encoding].pattern, own._mergeable_ranks)
    for text in _code_point_texts():
        assert ours(text) == own.encode_ordinary(text), hex(ord(text[1]))


@pytest.mark.parametrize("encoding", list(_tokens._TIKTOKEN_FILES))
def test_openai_counts_equal_tiktokens_own_for_any_text(tiktokens_own: dict[str, Any], encoding: str) -> None:
    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=80))
    def check(text: str) -> None:
        assert count_text(text, encoding) == len(tiktokens_own[encoding].encode_ordinary(text))

    check()


# --------------------------------------------------------------------------- the parsed-file cache


def test_a_second_load_reads_the_cache_not_the_file_format(
    fresh_tokenizers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = count_text("Hello there, cache.", "cl100k_base")
    (entry,) = fresh_tokenizers.iterdir()
    assert entry.name == f"cl100k_base-{_tokens._TIKTOKEN_FILES['cl100k_base'].sha256}.v1.marshal"
    _tokens._counter.cache_clear()
    monkeypatch.setattr(_tokens, "_parse_tiktoken_file", _must_not_be_called)
    assert count_text("Hello there, cache.", "cl100k_base") == first


def test_the_converted_claude_tokenizer_is_cached_too(
    fresh_tokenizers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = count_text("Hello <EOT> there", "claude")
    _tokens._counter.cache_clear()
    monkeypatch.setattr(_tokens, "_parse_byte_level_bpe", _must_not_be_called)
    assert count_text("Hello <EOT> there", "claude") == first
    assert [entry.name.split("-")[0] for entry in fresh_tokenizers.iterdir()] == ["claude"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00garbage", id="garbage"),
        pytest.param(b"\xe9\x02\x00\x00\x00", id="truncated"),
        pytest.param(marshal.dumps({"not": "ranks"}), id="foreign-value"),
        pytest.param(
            hashlib.sha256(marshal.dumps(1)).digest() + marshal.dumps(1),
            id="checksummed-foreign-value",
        ),
    ],
)
def test_an_unreadable_cache_entry_is_rebuilt(fresh_tokenizers: Path, content: bytes) -> None:
    expected = count_text("Hello there, cache.", "cl100k_base")
    (entry,) = fresh_tokenizers.iterdir()
    entry.write_bytes(content)
    _tokens._counter.cache_clear()
    assert count_text("Hello there, cache.", "cl100k_base") == expected
    assert entry.read_bytes() != content


def test_a_damaged_cache_entry_is_not_used(fresh_tokenizers: Path) -> None:
    """A flipped bit in a token's bytes would still load; the checksum refuses it."""
    expected = count_text("Hello there, cache.", "cl100k_base")
    (entry,) = fresh_tokenizers.iterdir()
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.write_bytes(bytes(data))
    _tokens._counter.cache_clear()
    assert count_text("Hello there, cache.", "cl100k_base") == expected
    assert entry.read_bytes() != bytes(data)


def test_an_unwritable_cache_folder_only_costs_time(fresh_tokenizers: Path) -> None:
    fresh_tokenizers.parent.mkdir()
    fresh_tokenizers.write_text("a file where the folder should be")
    assert count_text("Hello there", "cl100k_base") == 2


def test_an_altered_cached_file_is_still_refused(fresh_tokenizers: Path, tmp_path: Path) -> None:
    """The cache is named by the source's hash, so it never vouches for a changed source file."""
    count_text("warm the cache", "cl100k_base")
    _tokens._counter.cache_clear()
    altered = tmp_path / "tokenizers"
    altered.mkdir()
    (altered / "9b5ad71b2ce5302211f9c61530b329a4922fc6a4").write_bytes(b"not the cl100k ranks")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_tokens, "_tokenizer_dir", lambda: altered)
        with pytest.raises(FileNotFoundError, match="sha256"):
            count_text("hi", "cl100k_base")


# ------------------------------------------------------------------ Claude and DeepSeek through tiktoken

HF_ENCODINGS = ["claude", "deepseek"]
EDGE_CASES = {
    "spaces": " " * 1000,
    "newlines": "\n" * 500,
    "mixed-whitespace": " \n \n\t \r\n  x\u3000\u3000y\u00a0\u00a0z\u2028\u2029",
    "trailing-spaces": "x  \t  ",
    "emoji": "😀 👩\u200d👩\u200d👧\u200d👦 family 🏳️\u200d🌈🇺🇳🇩🇪" + "😀" * 300,
    "claude-added-tokens": "<EOT><EOT>a<EOT>b<META_START>x<META_END><META><SOS>",
    "deepseek-added-tokens": "<｜User｜>hi<｜Assistant｜><think>x</think><｜place▁holder▁no▁5｜>｜DSML｜",
    "added-token-near-misses": "<EOT <EOT>> <<EOT> ＜EOT＞ <eot> <META_START <<EOT>>"
    " <｜User ＜｜User｜＞ <<｜User｜>>",
    "openai-special-tokens": "<|endoftext|> special <|endofprompt|> <|fim_prefix|> <|EOT|>",
    "long-word": "supercalifragilisticexpialidocious" * 500,
    "long-run": "a" * 20_000,
    "long-digits": "1" * 10_000 + " ١٢٣٤٥ 12 123 1234",
    "long-cjk": "漢" * 5000,
    "kana": "漢字カタ・カナ123ひらがな゛ a\u3099b ゠ー",
    "compatibility-forms": "ﬁﬂ ½ ² ㎏ Ⅻ ｆｕｌｌｗｉｄｔｈ ﾊﾝｶｸ e\u0301" * 20,
    "newer-unicode": "\U0001fbf0\U0001fbf9 \u32ff \ua7f2",  # NFKC forms newer than tokenizers' tables
    "controls": "\u0000\u0001\u007f\ufeff\u200b\u200d x\u0000\u0001y",
    "contractions": "can't won't I'm you'll they've he'd she's 'S 'T CAN'T",
    "code": "def f(x):\n    return x < 2  # comment\n\n\n" * 20,
}


@pytest.fixture(scope="module")
def hf_tokenizers() -> dict[str, Any]:
    """The shipped files run by the tokenizers library: the reference tiktoken must equal."""
    from tokenizers import Tokenizer

    return {
        encoding: Tokenizer.from_file(str(_tokens._tokenizer_dir() / _tokens._HF_TOKENIZER_FILES[encoding]))
        for encoding in HF_ENCODINGS
    }


@pytest.fixture(scope="module")
def hf_reference(hf_tokenizers: dict[str, Any]) -> Any:
    """The reference count of a text in an encoding."""
    return lambda text, encoding: len(hf_tokenizers[encoding].encode(text, add_special_tokens=False))


@pytest.mark.parametrize("encoding", HF_ENCODINGS)
@pytest.mark.parametrize("text", [*TEXTS.values(), *EDGE_CASES.values()], ids=[*TEXTS, *EDGE_CASES])
def test_counts_equal_the_hf_tokenizers(hf_reference: Any, text: str, encoding: str) -> None:
    assert count_text(text, encoding) == hf_reference(text, encoding)


@pytest.mark.parametrize("encoding", HF_ENCODINGS)
def test_counts_equal_the_hf_tokenizers_for_any_text(hf_reference: Any, encoding: str) -> None:
    @settings(max_examples=300, deadline=None)
    @given(st.text(st.characters(exclude_categories=["Cs"]), max_size=80))
    def check(text: str) -> None:
        assert count_text(text, encoding) == hf_reference(text, encoding)

    check()


# Each character beside letters, digits, punctuation, whitespace, CJK and itself: it joins its
# neighbours' piece or not by the class each regex engine gives it.
CODE_POINT_CONTEXT = "a{c}b 1{c}2 .{c}, {c}a\t{c}\n漢{c}カ x{c}{c}'s"


@pytest.mark.slow
@pytest.mark.parametrize("encoding", HF_ENCODINGS)
def test_tokens_equal_the_hf_tokenizers_on_every_code_point(
    hf_tokenizers: dict[str, Any], encoding: str
) -> None:
    """The two regex engines' Unicode classes and the NFKC step agree, character by character.

    Token ids, not only counts, are compared (tiktoken's ranks are the HF ids). A sweep of every
    code point in 14 (Claude) and 21 (DeepSeek) contexts found no difference either.
    """
    counter = _tokens._counter(encoding)
    assert isinstance(counter, _tokens._ByteLevelBpeCount)
    texts = _code_point_texts()
    # encode_batch runs on every core; the router itself never calls it (forked workers).
    expected = hf_tokenizers[encoding].encode_batch(texts, add_special_tokens=False)
    for text, reference in zip(texts, expected, strict=True):
        assert counter.tokens(text) == reference.ids, hex(ord(text[1]))


@pytest.mark.parametrize("encoding", HF_ENCODINGS)
def test_a_lone_surrogate_counts_as_u_fffd(hf_reference: Any, encoding: str) -> None:
    """The tokenizers library refuses such text; tiktoken's reading of OpenAI encodings is kept."""
    assert count_text("ab\ud800cd <EOT>", encoding) == hf_reference("ab\ufffdcd <EOT>", encoding)


@pytest.mark.parametrize("encoding", HF_ENCODINGS)
def test_the_shipped_file_is_the_one_proven_equivalent(encoding: str) -> None:
    """A different file (another litellm's) would be counted by the tokenizers library instead."""
    _, sha256 = _tokens._read_tokenizer_file(_tokens._HF_TOKENIZER_FILES[encoding], encoding)
    assert _tokens._TIKTOKEN_EQUIVALENTS[encoding].sha256 == sha256


# What each file asks of its text before the BPE, as the tiktoken pattern reproduces it.
PREPROCESSING = {
    "claude": (
        {"type": "NFKC"},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True},
    ),
    "deepseek": (
        {"type": "Sequence", "normalizers": []},
        {
            "type": "Sequence",
            "pretokenizers": [
                {
                    "type": "Split",
                    "pattern": {"Regex": "\\p{N}{1,3}"},
                    "behavior": "Isolated",
                    "invert": False,
                },
                {
                    "type": "Split",
                    "pattern": {"Regex": "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"},
                    "behavior": "Isolated",
                    "invert": False,
                },
                {
                    "type": "Split",
                    "pattern": {
                        "Regex": "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+"
                        "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*"
                        "|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"
                    },
                    "behavior": "Isolated",
                    "invert": False,
                },
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ],
        },
    ),
}


@pytest.mark.parametrize("encoding", HF_ENCODINGS)
def test_the_file_meets_the_conditions_of_the_equivalence(encoding: str) -> None:
    """The conditions stated in _tokens.py, checked on the pinned file (see the argument there)."""
    from tokenizers import Tokenizer

    path = _tokens._tokenizer_dir() / _tokens._HF_TOKENIZER_FILES[encoding]
    spec = json.loads(path.read_bytes())
    assert (spec["normalizer"], spec["pre_tokenizer"]) == PREPROCESSING[encoding]
    model = spec["model"]
    assert model["type"] == "BPE"
    assert [model[key] for key in ("dropout", "continuing_subword_prefix", "end_of_word_suffix")] == [
        None
    ] * 3
    assert not any(model.get(key) for key in ("byte_fallback", "ignore_merges"))
    assert all(
        not token[flag] for token in spec["added_tokens"] for flag in ("lstrip", "rstrip", "single_word")
    )
    vocab: dict[str, int] = model["vocab"]
    made = [vocab[left + right] for left, right in (merge.split(" ") for merge in model["merges"])]
    assert made == sorted(set(made))  # ranks rise with the merge order; one merge per token
    added = {token["id"] for token in spec["added_tokens"]}
    assert sum(rank not in added for rank in vocab.values()) == 256 + len(made)  # bytes and merges
    tokenizer = Tokenizer.from_file(str(path))
    unreproduced = [
        token
        for token, rank in vocab.items()
        if rank not in added and [piece.id for piece in tokenizer.model.tokenize(token)] != [rank]
    ]
    assert unreproduced == []


def test_tokenizers_nfkc_tables_are_no_newer_than_pythons() -> None:
    """Why text Python finds NFKC already can skip tokenizers' normaliser."""
    from tokenizers.normalizers import NFKC

    normalize = NFKC().normalize_str
    differing = [
        c
        for c in range(0x110000)
        if not 0xD800 <= c < 0xE000 and normalize(chr(c)) != unicodedata.normalize("NFKC", chr(c))
    ]
    assert all(normalize(chr(c)) == chr(c) for c in differing)  # only characters tokenizers does not know


def test_added_tokens_split_the_longest_first() -> None:
    added = _tokens._AddedTokens(["<META>", "<META_START>", "<M"])
    assert added.split("a<META_START>b<META>c<M") == ["a", "b", "c", ""]
    assert added.split("<META_STOP>") == ["", "ETA_STOP>"]
    assert added.split("no markers") == ["no markers"]


def test_counting_ascii_in_claude_needs_no_tokenizers_import() -> None:
    code = (
        "import sys; from router._signals._tokens import count_text; "
        "count_text('plain ASCII <EOT>', 'claude'); count_text('<｜User｜> 123', 'deepseek'); "
        "print('tokenizers' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "False"


def _code_point_texts() -> list[str]:
    """Every code point of planes 0 and 1 and a sample of the others, each in CODE_POINT_CONTEXT.

    Planes 0 and 1 hold nearly every character Unicode added lately, which one regex engine's
    tables may know and another's not.
    """
    code_points = [
        chr(c) for c in range(0x110000) if (c < 0x20000 or c % 97 == 0) and not 0xD800 <= c < 0xE000
    ]
    return [
        " ".join(CODE_POINT_CONTEXT.format(c=c) for c in code_points[start : start + 1024])
        for start in range(0, len(code_points), 1024)
    ]


def _must_not_be_called(*args: object) -> Any:
    raise AssertionError("called although the cache holds the result")
