"""The detector of personal data about people: their names (``_people``), and the street
addresses, dates of birth and ages written about them (``_places``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from router._signals._names import NameLists, name_lists
from router._signals._people import _TITLES, _after_cue, names
from router._signals._places import PLACE_TYPES, places

__all__ = ["PEOPLE_TYPES", "PeopleDetector"]

PEOPLE_TYPES: Final = ("person", *PLACE_TYPES)


class PeopleDetector:
    """Finds personal names, street addresses, dates of birth and ages."""

    types: tuple[str, ...] = PEOPLE_TYPES

    def __init__(self, lists: NameLists | None = None) -> None:
        # The lists load on the first scan, not when routes.yaml is read.
        self._lists = lists

    def find(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``(type, start, end)`` for every name, address, birth date and age found."""
        if self._lists is None:
            self._lists = name_lists()
        yield from names(text, self._lists)
        if text.isupper():
            yield from _capitals_names(text, self._lists)
        yield from places(text)


def _capitals_names(text: str, lists: NameLists) -> Iterator[tuple[str, int, int]]:
    """Names in a text written all in capitals ("NAME: HELENA SHAW": forms, old systems' exports).

    Names go by their capitals, so the text is read with its words as titles (same length,
    same offsets). There every word is capitalised, which says nothing, so a name found so
    counts only on firm ground: a known given name and a known surname, or a title or a
    cue ("MR", "NAME:") right before it. "I DON'T KNOW WHAT TO PRESS NEXT" names no one.
    """
    titled = text.title()
    if len(titled) != len(text):
        return
    for kind, start, end in names(titled, lists):
        words = titled[start:end].lower().split()
        before = titled[max(0, start - 30) : start].lower().split()
        firm = len(words) >= 2 and words[0] in lists.first and words[1] in lists.last
        if (firm and not (words[0] in lists.common and words[1] in lists.common)) or (
            before and (before[-1].rstrip(".") in _TITLES or _after_cue(before))
        ):
            yield kind, start, end
