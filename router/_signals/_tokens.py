"""Exact prompt token counts per model family, from tokenizers that ship offline.

Every tokenizer file comes from litellm's wheel (``litellm/litellm_core_utils/tokenizers/``):
the tiktoken BPE files for ``o200k_base`` and ``cl100k_base`` (named by the sha1 of their
download URL, the name tiktoken's cache uses), Anthropic's published tokenizer and DeepSeek V3's
tokenizer (both Hugging Face ``tokenizers`` JSON). The directory is located without importing
litellm, which costs seconds and hundreds of MB, and nothing here ever touches the network: a
missing or altered file is an error that names the file and the fix.

Every encoding is counted by tiktoken's Rust BPE: the two Hugging Face files are converted to
tiktoken's form, which gives the same tokens as the tokenizers library 5-8x faster (the argument
and its checks are under "Hugging Face tokenizers" below; a file other than the pinned one is
counted by the tokenizers library itself).

Tokenizers load lazily, once per process, on the first count in their encoding. Parsing a file
is most of a load, so the parsed form is cached under ``$XDG_CACHE_HOME/llm-router`` (default
``~/.cache/llm-router``), named by the source file's sha256; with the cache warm, o200k_base loads
in ~0.2 s instead of ~0.45 s.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from router._errors import UsageError
from router._signals._tokenizer_cache import Parsed as _Parsed
from router._signals._tokenizer_cache import Ranks as _Ranks
from router._signals._tokenizer_cache import cached_parse

__all__ = [
    "ENCODINGS",
    "REFERENCE_ENCODING",
    "content_text",
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


@dataclass(frozen=True, slots=True)
class _TiktokenFile:
    """One of OpenAI's BPE files: its download URL, the sha256 tiktoken expects, its split pattern."""

    url: str
    sha256: str
    pattern: str


# The patterns are tiktoken_ext.openai_public's, except that cl100k_base's drops its possessive
# quantifiers ("++", "?+"), which make tiktoken's regex engine a third slower there. Nothing
# after them could take back what they match, so the pieces are the same (tests compare the
# tokens with tiktoken's own encoding on every code point). The file's name in litellm's folder
# is sha1(URL), the name tiktoken's download cache uses.
_TIKTOKEN_FILES: Final[Mapping[str, _TiktokenFile]] = {
    "o200k_base": _TiktokenFile(
        url="https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pattern="|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
    ),
    "cl100k_base": _TiktokenFile(
        url="https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pattern=(
            r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
            r"""|\s+$|\s*[\r\n]|\s+(?!\S)|\s"""
        ),
    ),
}
_HF_TOKENIZER_FILES: Final[Mapping[str, str]] = {
    "claude": "anthropic_tokenizer.json",
    "deepseek": "deepseek_tokenizer.json",
}
_REINSTALL_HINT: Final = (
    "reinstall the pinned litellm wheel: pip install --force-reinstall 'litellm==1.110.2'"
)

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


def _read_tokenizer_file(name: str, encoding: str) -> tuple[bytes, str]:
    """The bytes of a shipped tokenizer file and their sha256."""
    path = _tokenizer_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"the {encoding} tokenizer file {path} is missing; {_REINSTALL_HINT}")
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- OpenAI's tiktoken files


def _parse_tiktoken_file(data: bytes) -> _Parsed:
    # tiktoken.load.load_tiktoken_bpe's format: one "<base64 token> <rank>" per line.
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }
    return ranks, (), ()


def _tiktoken_bpe(name: str, pattern: str, ranks: _Ranks) -> Callable[[str], list[int]]:
    import tiktoken

    # No special tokens: encode_ordinary reads "<|endoftext|>" as plain text, as
    # encode(disallowed_special=()) does, without that scan.
    encoding = tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    # The Rust BPE has its own copy of the ranks; the Python dict (46 MB for o200k_base and
    # cl100k_base together, in every worker process) only serves decoding helpers and pickling,
    # which counting never uses.
    encoding._mergeable_ranks = {}
    encode: Callable[[str], list[int]] = encoding.encode_ordinary
    return encode


def _load_tiktoken(encoding: str) -> _Count:
    spec = _TIKTOKEN_FILES[encoding]
    name = hashlib.sha1(spec.url.encode()).hexdigest()
    data, sha256 = _read_tokenizer_file(name, encoding)
    if sha256 != spec.sha256:
        raise FileNotFoundError(
            f"the {encoding} tokenizer file {_tokenizer_dir() / name} is altered (sha256 mismatch); "
            f"{_REINSTALL_HINT}"
        )
    # Parsed here, not by tiktoken.get_encoding, which looks for the file in its own download
    # cache (set through the environment) and fetches it when it is absent there.
    ranks, _, _ = cached_parse(encoding, sha256, lambda: _parse_tiktoken_file(data))
    encode = _tiktoken_bpe(encoding, spec.pattern, ranks)
    return lambda text: len(encode(text))


# --------------------------------------------------------------------------- Hugging Face tokenizers


@dataclass(frozen=True, slots=True)
class _TiktokenEquivalent:
    """How tiktoken counts exactly as a Hugging Face byte-level BPE file with this ``sha256`` does."""

    sha256: str
    pattern: str
    """The pre-tokenizer's splits as one tiktoken pattern."""
    nfkc: bool
    """Whether the tokenizer normalises text to NFKC first."""


# tiktoken's Rust BPE counts these tokenizers 5-8x faster than the tokenizers library, with the
# same tokens. Why they are the same, for a file that meets these conditions (which
# tests/signals/test_tokens.py checks on the pinned files, and compares the counts on every code
# point, the shared data sets and random text):
# - ranks: the vocabulary ids rise with the merge order, every multi-byte token is made by exactly
#   one merge, and the HF tokenizer encodes each token's own bytes as that single token. Then
#   merging the lowest-ranked adjacent pair whose concatenation is a token (tiktoken) picks the
#   same merges as applying the lowest-ranked listed merge (tokenizers): were some adjacent pieces
#   x, y to form a token xy whose own merge is another split, the HF tokenizer run on xy alone
#   would stop at [x, y], not at [xy].
# - splitting: the pre-tokenizer's regexes as one tiktoken pattern (below); the Unicode classes
#   of the two regex engines (Oniguruma, Rust's regex) agree on every code point.
# - normalisation: NFKC through tokenizers' own normaliser, whose Unicode tables are older than
#   Python's: text that Python finds NFKC already is NFKC for it too, so the check skips it.
# - added tokens ("<EOT>", "<｜User｜>", ...) are split out as the HF tokenizer does: those marked
#   "normalized": false from the raw text, then the others from the normalised pieces; each
#   counts one token.

# Anthropic's: ByteLevel's default split, GPT-2's pattern, with "'s|'t|'re|'ve|'m|'ll|'d" spelt as
# one group, which the regex engine runs faster (tiktoken's r50k_base spelling, with possessive
# quantifiers, is slower again).
_GPT2_PATTERN: Final = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _deepseek_pattern() -> str:
    # DeepSeek V3 splits three times, each split applied to the pieces of the one before: runs of
    # 1-3 digits, runs of CJK, then a GPT-4-like pattern. One pattern does all three by keeping
    # the later splits' classes inside their pieces: CJK runs are split by the third pattern's
    # rules restricted to CJK, the rest by its rules without digits or CJK, with a digit or CJK
    # character counting as the end of the piece where the third pattern looks ahead. Text that
    # no rule matches stays one piece up to the next place a rule matches, as in tokenizers.
    cjk = r"\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff"
    cjk_rules = [
        rf"[[{cjk}]&&[^\p{{L}}\p{{P}}\p{{S}}]]?[[{cjk}]&&[\p{{L}}\p{{M}}]]+",
        rf"[[{cjk}]&&[\p{{P}}\p{{S}}]]+",
    ]
    other_rules = [
        r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+""",
        rf"[^\r\n\p{{L}}\p{{P}}\p{{S}}\p{{N}}{cjk}]?[[\p{{L}}\p{{M}}]--[{cjk}]]+",
        rf" ?[[\p{{P}}\p{{S}}]--[{cjk}]]+[\r\n]*",
        r"\s*[\r\n]+",
        rf"\s+(?![^\s\p{{N}}{cjk}])",
        r"\s+",
    ]
    return "|".join(
        [
            r"\p{N}{1,3}",
            *cjk_rules,
            rf"(?:(?!{'|'.join(cjk_rules)})[{cjk}])+",
            *other_rules,
            rf"(?:(?!{'|'.join(other_rules)})[^{cjk}\p{{N}}])+",
        ]
    )


_TIKTOKEN_EQUIVALENTS: Final[Mapping[str, _TiktokenEquivalent]] = {
    "claude": _TiktokenEquivalent(
        sha256="c241737df24b4e7f7c9af4fdcee29a0ca903dcb288a8b753bc346a3092911767",
        pattern=_GPT2_PATTERN,
        nfkc=True,
    ),
    "deepseek": _TiktokenEquivalent(
        sha256="4607b3d1929c5ca263a81d7153c6d6ecdbc71c9e933c0fb2df2abf181bf6df61",
        pattern=_deepseek_pattern(),
        nfkc=False,
    ),
}


def _byte_level_alphabet() -> dict[str, int]:
    """GPT-2's byte-level alphabet: the character that stands for each byte -> the byte."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    others = [byte for byte in range(256) if byte not in printable]
    alphabet = {chr(byte): byte for byte in printable}
    alphabet.update({chr(256 + index): byte for index, byte in enumerate(others)})
    return alphabet


def _parse_byte_level_bpe(data: bytes) -> _Parsed:
    spec = json.loads(data)
    added = spec["added_tokens"]
    added_ids = {token["id"] for token in added}
    alphabet = _byte_level_alphabet()
    ranks = {
        bytes(alphabet[char] for char in token): rank
        for token, rank in spec["model"]["vocab"].items()
        if rank not in added_ids
    }
    raw = tuple(token["content"] for token in added if not token["normalized"])
    normalized = tuple(token["content"] for token in added if token["normalized"])
    return ranks, raw, normalized


class _AddedTokens:
    """Splits text around added tokens, the longest where several start at one place."""

    __slots__ = ("_firsts", "_pattern")

    def __init__(self, texts: Sequence[str]) -> None:
        self._pattern = re.compile(_trie_pattern(texts)) if texts else None
        self._firsts = tuple({text[0] for text in texts})

    def split(self, text: str) -> list[str]:
        """The pieces between added tokens: one more than the added tokens found."""
        if self._pattern is None or not any(first in text for first in self._firsts):
            return [text]
        return self._pattern.split(text)


def _trie_pattern(texts: Sequence[str]) -> str:
    # One branch per shared prefix, so that a "<" in code costs one look, not one per token
    # (DeepSeek has 1,283). A greedy "?" tries the longer tokens before stopping at a shorter one.
    trie: dict[str, Any] = {}
    for text in texts:
        node = trie
        for char in text:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node_pattern(trie)


def _trie_node_pattern(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _trie_node_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    ends_here = "" in node
    if len(branches) == 1 and not ends_here:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if ends_here else "")


@functools.cache
def _hf_nfkc() -> Callable[[str], str]:
    from tokenizers.normalizers import NFKC

    normalize: Callable[[str], str] = NFKC().normalize_str
    return normalize


def _nfkc(text: str) -> str:
    # Python's check is C-speed and usually says yes (ASCII at once); tokenizers' normaliser is
    # the reference and is used for the rest.
    return text if unicodedata.is_normalized("NFKC", text) else _hf_nfkc()(text)


class _ByteLevelBpeCount:
    """A Hugging Face byte-level BPE's token count, computed by tiktoken (see above)."""

    __slots__ = ("_encode", "_nfkc", "_normalized", "_raw")

    def __init__(self, encode: Callable[[str], list[int]], parsed: _Parsed, *, nfkc: bool) -> None:
        _, raw, normalized = parsed
        self._encode = encode
        self._nfkc = nfkc
        self._raw = _AddedTokens(raw)
        self._normalized = _AddedTokens(normalized)

    def __call__(self, text: str) -> int:
        try:
            return self._count(text)
        except UnicodeEncodeError:
            # A lone surrogate has no UTF-8 form: it counts as U+FFFD, as tiktoken counts it for
            # OpenAI's encodings (the tokenizers library refuses such text).
            return self._count(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))

    def _count(self, text: str) -> int:
        pieces = self._raw.split(text)
        return len(pieces) - 1 + sum(self._count_normalized(piece) for piece in pieces if piece)

    def _count_normalized(self, text: str) -> int:
        pieces = self._normalized.split(_nfkc(text) if self._nfkc else text)
        return len(pieces) - 1 + sum(len(self._encode(piece)) for piece in pieces if piece)

    def tokens(self, text: str) -> list[int]:
        """The token ids of text without added tokens (the HF tokenizer's ids), for the tests."""
        return self._encode(_nfkc(text) if self._nfkc else text)


def _load_hf(encoding: str) -> _Count:
    data, sha256 = _read_tokenizer_file(_HF_TOKENIZER_FILES[encoding], encoding)
    equivalent = _TIKTOKEN_EQUIVALENTS.get(encoding)
    if equivalent is not None and sha256 == equivalent.sha256:
        parsed = cached_parse(encoding, sha256, lambda: _parse_byte_level_bpe(data))
        encode = _tiktoken_bpe(encoding, equivalent.pattern, parsed[0])
        return _ByteLevelBpeCount(encode, parsed, nfkc=equivalent.nfkc)
    # Any other file (another litellm's) is counted by the tokenizers library itself: exact, slower.
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(data.decode("utf-8"))
    # encode(), not encode_batch(): the batch call starts a thread pool, which breaks in the
    # forked Celery workers that count tokens too.
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False))


@functools.cache
def _counter(encoding: str) -> _Count:
    if encoding in _TIKTOKEN_FILES:
        return _load_tiktoken(encoding)
    if encoding in _HF_TOKENIZER_FILES:
        return _load_hf(encoding)
    raise UsageError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")


def count_text(text: str, encoding: str) -> int:
    """The number of tokens ``text`` has in ``encoding`` (one of ``ENCODINGS``)."""
    return _counter(encoding)(text) if text else 0


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


def content_text(content: Any) -> str:
    """The text of one message's content (a string, or its text parts one per line)."""
    return "\n".join(_text_parts(content))


def messages_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text of every message's content, one part per line, for scanning (language, sensitivity)."""
    return "\n".join(part for message in messages for part in _text_parts(message.get("content")))


@functools.lru_cache(maxsize=1024)
def _label_tokens(label: str, encoding: str) -> int:
    # Roles ("user", "assistant") and names repeat in every chat: each is counted once.
    return _counter(encoding)(label)


def _message_tokens(message: Mapping[str, Any], count: _Count, encoding: str) -> int:
    tokens = _TOKENS_PER_MESSAGE + sum(count(part) for part in _text_parts(message.get("content")))
    for key in ("role", "name"):
        value = message.get(key)
        if isinstance(value, str):
            tokens += _label_tokens(value, encoding)
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
    return _REPLY_PRIMING_TOKENS + sum(_message_tokens(message, count, encoding) for message in messages)
