"""Redis replies as Python text: the store's clients do not decode, so replies arrive as bytes."""

from __future__ import annotations

from typing import Any

__all__ = ["text"]


def text(value: Any) -> str:
    """A reply (bytes, or already text or a number) as ``str``."""
    return value.decode() if isinstance(value, bytes) else str(value)
