"""The detector of personal data about people: their names (``_people``), and the street
addresses, dates of birth and ages written about them (``_places``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from router._signals._field_names import field_names
from router._signals._handles import handle_names
from router._signals._listed_names import listed_names
from router._signals._names import NameLists, name_lists
from router._signals._people import capitals_names, enough_capitals, names
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
        found = list(names(text, self._lists))
        yield from found
        spans = sorted((start, end) for kind, start, end in found if kind == "person")
        yield from listed_names(text, spans, self._lists)
        yield from field_names(text)
        if "_" in text:
            yield from handle_names(text, self._lists)
        # Arabic or Chinese text with a "PM" in it is upper case to ``str.isupper``, and reading
        # it as titles took a quarter of its scan for nothing.
        if text.isupper() and enough_capitals(text):
            yield from capitals_names(text, self._lists)
        yield from places(text)
