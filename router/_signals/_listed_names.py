"""The other names of a list some of whose names were found: "They had 6: Romi, Erik, Amy,
Nathaniel, Donald and Kristen.", "our 3 founders: Morrison, Rogers and Torres".

The names of a list are read one by one (``_people``), and a word that is also a common
word or that no list knows ("Kristen" after a comma, "Torres" without a given name) is not a
name on its own. In a list of three or more items of which two are names, the other items
are names too: pseudonymising only those found sent the rest as written. An item is one or
two capitalised words (or, in a list written in lower case, a word the name lists know);
items are joined by ", " and a last " and ", " & " or ", and ".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

from router._signals._names import NameLists

__all__ = ["listed_names"]

Span = tuple[str, int, int]

_WORD: Final = re.compile(r"[^\W\d_][\w'’-]*")
_JOINS: Final = (", and ", ", & ", " and ", " & ", ", ")
_JOIN_WORDS: Final = frozenset(("and", "&"))
# The first two characters of the joins: most names are followed by none, told by one slice.
_JOIN_STARTS: Final = frozenset(join[:2] for join in _JOINS)
_MIN_ITEMS: Final = 3
_MIN_FOUND: Final = 2
_MAX_ITEMS: Final = 12
# Two found names of one list stand at most a few items apart: the items between them are
# each a word or two and a join.
_NEAR: Final = 120


def listed_names(text: str, found: Sequence[tuple[int, int]], lists: NameLists) -> Iterator[Span]:
    """Yield ``("person", start, end)`` for the items of each list of names that ``found``
    (the spans of the names found, in order) leaves out."""
    spans = set(found)
    done = -1
    for index, (start, end) in enumerate(found):
        if start < done or text[end : end + 2] not in _JOIN_STARTS:
            continue  # in a list read already, or followed by no next item
        if not _near(found, index):
            continue  # a second found name of its list would stand within a few items

        items = _items(text, _list_start(text, start, lists), lists)
        done = items[-1][1] if items else end
        if len(items) >= _MIN_ITEMS and sum(item in spans for item in items) >= _MIN_FOUND:
            yield from (("person", *item) for item in items if item not in spans)


def _near(found: Sequence[tuple[int, int]], index: int) -> bool:
    """Whether another found name stands within ``_NEAR`` characters of the one at ``index``."""
    start, end = found[index]
    return (index > 0 and found[index - 1][1] > start - _NEAR) or (
        index + 1 < len(found) and found[index + 1][0] < end + _NEAR
    )


def _list_start(text: str, start: int, lists: NameLists) -> int:
    """Where the list that goes on from the item at ``start`` begins: back over the items
    written before it, each followed by ", "."""
    for _ in range(_MAX_ITEMS):
        if text[start - 2 : start] != ", ":
            break
        word = _word_start(text, start - 2)
        if word == start - 2:
            break
        # The item may be two words ("Ana Souza, Peter"): the longer reading first.
        starts = [word]
        if text[word - 1 : word] == " " and (two := _word_start(text, word - 1)) < word - 1:
            starts.insert(0, two)
        begins = next((at for at in starts if _item_end(text, at, lists) == start - 2), None)
        if begins is None:
            break
        start = begins
    return start


def _word_start(text: str, end: int) -> int:
    """Where the word of letters (and inner apostrophes and hyphens) ending at ``end`` starts."""
    at = end
    low = max(0, end - 30)
    while at > low and (text[at - 1].isalpha() or text[at - 1] in "'’-"):
        at -= 1
    return at


def _items(text: str, at: int, lists: NameLists) -> list[tuple[int, int]]:
    """The items of the list from ``at`` on, while each is joined to the next."""
    items: list[tuple[int, int]] = []
    while len(items) < _MAX_ITEMS:
        end = _item_end(text, at, lists)
        if end is None:
            break
        items.append((at, end))
        join = next((join for join in _JOINS if text.startswith(join, end)), None)
        if join is None:
            break
        at = end + len(join)
    return items


def _item_end(text: str, at: int, lists: NameLists) -> int | None:
    """Where the item at ``at`` ends: one word, or two capitalised ones ("Ana Souza"); ``None``
    when it could be no name (a lower-case word the name lists do not know)."""
    word = _WORD.match(text, at)
    if word is None or not _could_name(word.group(), lists):
        return None
    if word.group().endswith(("'s", "’s")):
        return word.end() - 2  # "Duran and Oneal's Mrs. …": the name without its possessive
    if text.startswith(" ", word.end()):
        second = _WORD.match(text, word.end() + 1)
        if (
            second is not None
            and second.group() not in _JOIN_WORDS
            and _capitalised(second.group())
            and not text.startswith(".", second.end())  # a title or an initial: "Mrs.", "K."
        ):
            return second.end()
    return word.end()


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def _could_name(word: str, lists: NameLists) -> bool:
    return _capitalised(word) or word in lists.first or word in lists.last
