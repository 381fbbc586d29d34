"""Exact prompt token counts per model family, from tokenizers that ship offline.

Every tokenizer file comes from litellm's wheel (``litellm/litellm_core_utils/tokenizers/``):
the tiktoken BPE files for ``o200k_base`` and ``cl100k_base`` (named by the sha1 of their
download URL, the name tiktoken's cache uses), Anthropic's published tokenizer and DeepSeek V3's
tokenizer (both Hugging Face ``tokenizers`` JSON). The directory is located without importing
litellm, which costs seconds and hundreds of MB, and nothing here ever touches the network: a
missing or altered file is an error that names the file and the fix.

Tokenizers load lazily, once per process, on the first count in their encoding.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from router._errors import UsageError

__all__ = [
    "ENCODINGS",
    "REFERENCE_ENCODING",
    "TokenCounter",
    "count_messages",
    "count_text",
    "encoding_for",
    "is_exact",
    "messages_text",
]

ENCODINGS: Final[tuple[str, ...]] = ("o200k_base", "cl100k_base", "claude", "deepseek")
REFERENCE_ENCODING: Final = "o200k_base"
"""The encoding that routing rules' token conditions (``max_tokens: 8000``) are measured in."""

# OpenAI's chat format, as in OpenAI's cookbook and litellm.token_counter: every message costs
# <|start|>{role}<|message|>…<|end|> (3 tokens beyond its strings), a ``name`` one more, and the
# reply is primed with <|start|>assistant<|message|> (3 tokens).
_TOKENS_PER_MESSAGE: Final = 3
_TOKENS_PER_NAME: Final = 1
_REPLY_PRIMING_TOKENS: Final = 3

# tiktoken's download URL and the sha256 tiktoken expects of the file (tiktoken_ext.openai_public).
# The file name in the cache is sha1(URL). The hash is checked here before tiktoken reads the
# cache, because on a mismatch tiktoken deletes the cached file and downloads it again.
_TIKTOKEN_FILES: Final[Mapping[str, tuple[str, str]]] = {
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}
_HF_TOKENIZER_FILES: Final[Mapping[str, str]] = {
    "claude": "anthropic_tokenizer.json",
    "deepseek": "deepseek_tokenizer.json",
}
_REINSTALL_HINT: Final = (
    "reinstall the pinned litellm wheel: pip install --force-reinstall 'litellm==1.110.2'"
)
_TIKTOKEN_ENV_LOCK: Final = threading.Lock()

_Count = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class _Family:
    """Models whose id matches ``pattern`` are counted in ``encoding``; ``exact`` if it is their own."""

    pattern: re.Pattern[str]
    encoding: str
    exact: bool


def _family(pattern: str, encoding: str, *, exact: bool) -> _Family:
    # A family name starts a word of the model id: "gpt-4o" matches "azure/gpt-4o-mini" and
    # "openrouter/openai/gpt-4o", "claude" matches "bedrock/us.anthropic.claude-3-5-sonnet".
    return _Family(re.compile(rf"(?<![a-z0-9]){pattern}"), encoding, exact)


# First match wins, so specific names come before the families that contain them.
_FAMILIES: Final[tuple[_Family, ...]] = (
    # DeepSeek-R1 distills are Llama or Qwen models with their base model's tokenizer (see below).
    _family(r"deepseek-r1-distill", "cl100k_base", exact=False),
    # The shipped Anthropic tokenizer is the one Anthropic published for Claude 1/2. Claude 3 and
    # later use an unpublished tokenizer; the old one is the closest offline (litellm uses it too).
    _family(r"claude-(?:instant|[12](?![0-9]))", "claude", exact=True),
    _family(r"claude", "claude", exact=False),
    # The shipped file is DeepSeek V3's 128k tokenizer, shared by V3.x, R1, deepseek-chat and
    # deepseek-reasoner. Older DeepSeek models (coder, V2) had a 100k vocabulary: approximate.
    _family(r"deepseek-(?:chat|reasoner|v3|r1)", "deepseek", exact=True),
    _family(r"deepseek", "deepseek", exact=False),
    # OpenAI: gpt-4o and every later model (4.1, 4.5, 5.x, o-series, gpt-oss) use o200k_base
    # (gpt-oss's o200k_harmony adds only special tokens). gpt-3.5 and gpt-4 use cl100k_base.
    _family(
        r"(?:chatgpt-4o|gpt-4o|gpt-4\.[1-9]|gpt-[5-9]|gpt-oss|o[1-9](?![0-9]))", "o200k_base", exact=True
    ),
    _family(r"(?:gpt-3\.5|gpt-35|gpt-4|text-embedding-3|text-embedding-ada-002)", "cl100k_base", exact=True),
    # Llama 4: a 200k-vocabulary tiktoken BPE that splits text with o200k's pattern.
    _family(r"llama-?4", "o200k_base", exact=False),
    # Llama 3.x: tiktoken BPE = cl100k_base's 100k merges and split pattern plus 28k tokens for
    # other languages, so cl100k_base is equal on English and slightly high elsewhere. (Llama 2's
    # 32k SentencePiece counts ~10-20 % more than cl100k_base; no closer tokenizer ships.)
    _family(r"(?:code)?llama", "cl100k_base", exact=False),
    # Qwen 1-3: byte-level BPE grown from cl100k_base's merges (151k vocabulary, extra CJK tokens,
    # single-digit numbers): cl100k_base is close, somewhat high on Chinese, low on long numbers.
    _family(r"(?:qwen|qwq)", "cl100k_base", exact=False),
    # Gemini and Gemma: a 256k SentencePiece vocabulary built for many languages. o200k_base is the
    # largest, most multilingual shipped vocabulary and so the closest; English counts are similar.
    _family(r"(?:gemini|gemma)", "o200k_base", exact=False),
    # Mistral: the older models use a 32k SentencePiece vocabulary, the newer "Tekken" a 131k
    # tiktoken BPE. cl100k_base sits between the two and errs high rather than low, which is the
    # safe side for a context-window check.
    _family(
        r"(?:mistral|mixtral|ministral|magistral|codestral|devstral|pixtral)", "cl100k_base", exact=False
    ),
)
# Any other model (Cohere, xAI, local models, ...): cl100k_base, litellm's own default.
_DEFAULT_FAMILY: Final = _Family(re.compile(""), "cl100k_base", exact=False)


@functools.lru_cache(maxsize=1024)
def _family_of(litellm_model: str) -> _Family:
    name = litellm_model.strip().lower()
    return next((family for family in _FAMILIES if family.pattern.search(name)), _DEFAULT_FAMILY)


def encoding_for(litellm_model: str) -> str:
    """The encoding that counts prompt tokens for a litellm model id (``"azure/gpt-4o"``)."""
    return _family_of(litellm_model).encoding


def is_exact(litellm_model: str) -> bool:
    """Whether ``encoding_for(litellm_model)`` is the model's own tokenizer, not the closest one."""
    return _family_of(litellm_model).exact


def _tokenizer_dir() -> Path:
    # find_spec locates the installed package without executing litellm/__init__.py.
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"litellm is not installed, and its wheel ships the tokenizers: {_REINSTALL_HINT}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"


def _tokenizer_file(name: str, encoding: str) -> Path:
    path = _tokenizer_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"the {encoding} tokenizer file {path} is missing; {_REINSTALL_HINT}")
    return path


def _load_tiktoken(encoding: str) -> _Count:
    import tiktoken

    url, sha256 = _TIKTOKEN_FILES[encoding]
    path = _tokenizer_file(hashlib.sha1(url.encode()).hexdigest(), encoding)
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise FileNotFoundError(
            f"the {encoding} tokenizer file {path} is altered (sha256 mismatch); {_REINSTALL_HINT}"
        )
    with _TIKTOKEN_ENV_LOCK:
        # tiktoken takes its cache directory only from the environment: point it at litellm's
        # files while the encoding loads, then put the caller's setting back.
        previous = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(path.parent)
        try:
            tiktoken_encoding = tiktoken.get_encoding(encoding)
        finally:
            if previous is None:
                del os.environ["TIKTOKEN_CACHE_DIR"]
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = previous
    # encode_ordinary reads special-token text ("<|endoftext|>") as plain text, which is what
    # encode(disallowed_special=()) does, without the special-token scan.
    encode: Callable[[str], list[int]] = tiktoken_encoding.encode_ordinary
    return lambda text: len(encode(text))


def _load_hf(encoding: str) -> _Count:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_tokenizer_file(_HF_TOKENIZER_FILES[encoding], encoding)))
    # encode(), not encode_batch(): the batch call starts a thread pool, which breaks in the
    # forked Celery workers that count tokens too.
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False))


@functools.cache
def _counter(encoding: str) -> _Count:
    if encoding in _TIKTOKEN_FILES:
        return _load_tiktoken(encoding)
    if encoding in _HF_TOKENIZER_FILES:
        return _load_hf(encoding)
    raise UsageError(
        f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}", encoding=encoding
    )


def count_text(text: str, encoding: str) -> int:
    """The number of tokens ``text`` has in ``encoding`` (one of ``ENCODINGS``)."""
    return _counter(encoding)(text) if text else 0


class TokenCounter:
    """Counts tokens of one text under several encodings, each encoding computed once (memoised)."""

    __slots__ = ("_counts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._counts: dict[str, int] = {}

    def count(self, encoding: str) -> int:
        """The token count of the text in ``encoding``, computed on the first call only."""
        counted = self._counts.get(encoding)
        if counted is None:
            counted = self._counts[encoding] = count_text(self._text, encoding)
        return counted


def _text_parts(content: Any) -> list[str]:
    # Content is a string or a list of parts; only text parts carry text (images, audio and
    # files are left out: they are neither scanned nor counted here).
    if isinstance(content, str):
        return [content]
    if not isinstance(content, list):
        return []
    return [
        part if isinstance(part, str) else part["text"]
        for part in content
        if isinstance(part, str)
        or (isinstance(part, Mapping) and part.get("type") == "text" and isinstance(part.get("text"), str))
    ]


def messages_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text of every message's content, one part per line, for scanning (language, sensitivity)."""
    return "\n".join(part for message in messages for part in _text_parts(message.get("content")))


def _message_tokens(message: Mapping[str, Any], count: _Count) -> int:
    tokens = _TOKENS_PER_MESSAGE + sum(count(part) for part in _text_parts(message.get("content")))
    for key in ("role", "name"):
        value = message.get(key)
        if isinstance(value, str):
            tokens += count(value)
    return tokens + (_TOKENS_PER_NAME if isinstance(message.get("name"), str) else 0)


def count_messages(messages: Sequence[Mapping[str, Any]], encoding: str) -> int:
    """Prompt tokens of a chat in ``encoding``, with OpenAI's chat-format overhead.

    Each message costs 3 tokens plus its role, name (+1) and text parts; the reply priming adds 3,
    as in OpenAI's cookbook and ``litellm.token_counter(messages=...)``. Other families wrap
    messages differently (Claude's turns cost a few tokens too); the same overhead is used for
    them as a close estimate. Image, audio and file parts, tool calls and tool-call ids are not
    counted (litellm prices images separately; tool payloads are a small share of a prompt).
    """
    count = _counter(encoding)
    return _REPLY_PRIMING_TOKENS + sum(_message_tokens(message, count) for message in messages)
