"""A disk cache of parsed tokenizer files, so that a cold start skips most of the parsing.

Entries live under ``$XDG_CACHE_HOME/llm-router`` (default ``~/.cache/llm-router``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final, TypeGuard

__all__ = ["Parsed", "Ranks", "cached_parse"]

# Parsing is most of a cold start: tiktoken's base64 file takes ~0.2 s (o200k_base), a tokenizer
# JSON ~0.1 s. The parsed ranks are kept as marshal data (bytes -> int, no code: unlike pickle,
# loading it runs nothing) behind the sha256 of that data, so that a damaged entry is never used,
# and named by the source file's sha256, so that a changed file is never read from a stale entry.
# An unreadable, damaged, foreign or half-written entry is rebuilt.
_CACHE_FORMAT: Final = 1
Ranks = dict[bytes, int]
Parsed = tuple[Ranks, tuple[str, ...], tuple[str, ...]]
"""A byte-level BPE as tiktoken takes it: token bytes -> rank, and the added tokens' texts
(those matched in the raw text, and those matched after normalisation)."""


def _cache_dir() -> Path:
    # Read when a tokenizer loads (never at import); the XDG base directory convention.
    from router._settings import cache_home

    return cache_home() / "llm-router"


def cached_parse(encoding: str, sha256: str, parse: Callable[[], Parsed]) -> Parsed:
    """The parsed form of a tokenizer file: from the cache when a whole, matching entry is there."""
    path = _cache_dir() / f"{encoding}-{sha256}.v{_CACHE_FORMAT}.marshal"
    cached = _read_entry(path)
    if _is_parsed(cached):
        return cached
    parsed = parse()
    payload = marshal.dumps(parsed)
    _write_atomically(path, hashlib.sha256(payload).digest() + payload)
    return parsed


def _read_entry(path: Path) -> object:
    try:
        entry = path.read_bytes()
    except OSError:
        return None
    digest, payload = entry[:32], entry[32:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def _is_parsed(value: object) -> TypeGuard[Parsed]:
    # The checksum vouches for the bytes; this tells a value of this shape from any other.
    if not (isinstance(value, tuple) and len(value) == 3):
        return False
    ranks, *added = value
    return (
        isinstance(ranks, dict)
        and len(ranks) >= 256
        and all(isinstance(texts, tuple) and all(isinstance(text, str) for text in texts) for texts in added)
    )


def _write_atomically(path: Path, data: bytes) -> None:
    # Workers start together and may all write the entry: each writes its own temporary file and
    # renames it into place, so a reader sees a whole file or none. A read-only or full disk only
    # means the next start parses again.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
