"""Names written as a handle: ``helena_shaw``, ``@maria_garcia``, ``helena_shaw_61``.

A chat message's ``name`` field (the OpenAI protocol's participant name, which must match
``[A-Za-z0-9_-]+``), a username and a mention write people with underscores. Prose has no
capitals there to go by, so a handle counts when a known given name and a known family name
are two of its parts, not both common words: ``helena_shaw`` and ``maria_garcia`` are
someone, ``max_value``, ``grace_period`` and ``mark_price`` are not (nor, so, ``john_smith``).

Only underscores are read: prose has almost none, where dots and hyphens join every other
pair of words ("well-known", "e.g."). Code has many ("max_price = 3", where "max" is a given
name and "price" a family name), so the handle must stand as one: after an "@", or as a
line of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from router._signals._names import NameLists
from router._signals._text import reach_back

__all__ = ["handle_names"]

Span = tuple[str, int, int]

_HANDLE_CHARS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
_REACH: Final = 40  # a handle's length to either side of an underscore, at most
_LINE_ENDS: Final = frozenset("\n\r")
_CODE_AFTER: Final = frozenset("(=[.")


def handle_names(text: str, lists: NameLists) -> Iterator[Span]:
    """Yield ``("person", start, end)`` for every handle made of a person's names."""
    at = text.find("_")
    while at != -1:
        start = reach_back(text, at, _HANDLE_CHARS, min(at, _REACH))
        end = at
        limit = min(len(text), at + _REACH)
        while end < limit and text[end] in _HANDLE_CHARS:
            end += 1
        if _stands_as_a_handle(text, start, end) and _names_a_person(text[start:end], lists):
            yield "person", start, end
        at = text.find("_", end)


def _stands_as_a_handle(text: str, start: int, end: int) -> bool:
    """Whether the run stands as a handle, not as a name in code ("max_price = 3",
    ``df["max_price"]``): a mention after "@", or a line of its own (a message's ``name``
    field, which the scan reads on a line of its own, see ``router._params.hidden_text``)."""
    before = text[start - 1] if start else "\n"
    after = text[end] if end < len(text) else "\n"
    if before == "@":
        return after not in _CODE_AFTER
    return before in _LINE_ENDS and after in _LINE_ENDS


def _names_a_person(handle: str, lists: NameLists) -> bool:
    parts = [part.lower() for part in handle.split("_") if part.isalpha()]
    if not 2 <= len(parts) <= 3 or any(len(part) < 3 for part in parts):
        return False
    given = [index for index, part in enumerate(parts) if part in lists.first]
    family = [index for index, part in enumerate(parts) if part in lists.last]
    return any(
        g != f and not (parts[g] in lists.common and parts[f] in lists.common) for g in given for f in family
    )
