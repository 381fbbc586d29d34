"""The keywords the detectors look for in the lower-cased text, found for all of them in one
Aho-Corasick pass, and the searches built on where they occur.

``re`` has no multi-keyword search: a trie of the identifier labels (250 words starting
with most letters of the alphabet) is tried at every letter of the text, 4.5 ms a 100,000
characters, for a few hundred places where a label word occurs at all; the Romance street
words and the birth words cost 1-2 us at each number, read back over its 60 characters.
ahocorasick-rs finds every occurrence of every family's words in one pass in compiled code
(about 1 ms a 100,000 characters for all of them, little more than for the labels alone),
shared by the detectors within a scan (``shared_in_scan``).

* :class:`KeywordSearch` gives ``pattern.finditer``'s matches for a pattern whose every match
  begins with one of a family's words: trying the places where one occurs, in order, each
  from the end of the last match, finds the same leftmost, non-overlapping matches.
* :class:`Within` tells whether one of a family's words lies wholly within a stretch of the
  text, as ``re.search`` of their trie (``keyword_pattern(..., word_end=False)``) over that
  stretch alone would.

A text with a lone surrogate has no UTF-8 form for the automaton to read, and a short text
costs more in the call (7 us) than the patterns it spares: for them the occurrences are
``None``, and the callers run their patterns as before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

from router._signals._text import in_scan, shared_in_scan

__all__ = [
    "AS_WRITTEN",
    "LOWER_CASED",
    "Family",
    "KeywordSearch",
    "Markers",
    "Within",
    "matches_at",
    "matches_near",
]

Occurrences = list[tuple[int, int]]  # (start, end) of each occurrence, in order of their starts
# Texts shorter than this are left to the patterns: at about 250 characters the call to the
# automaton costs as much as the patterns' passes it replaces (a scan of 1,000 characters of
# Arabic prose took 0.43 ms with the patterns, 0.32 ms with the shared pass).
SHORTEST: int = 250


class _Pass:
    """Every family's words in one automaton, built when first used, read over one kind of
    text (the scan's lower-cased text, or the text as written)."""

    def __init__(self) -> None:
        self._words: dict[str, list[int]] = {}  # a word and the families it belongs to
        self._count = 0
        self._automaton: AhoCorasick | None = None
        self._families_of: list[list[int]] = []

    def add(self, words: Iterable[str]) -> int:
        family = self._count
        self._count += 1
        for word in dict.fromkeys(words):
            self._words.setdefault(word, []).append(family)
        self._automaton = None  # a family added after the first scan is in the next automaton
        return family

    def build(self) -> AhoCorasick:
        """The automaton of the families added so far, built now if not yet."""
        if self._automaton is None:
            # A DFA: built once (20 ms for the lower-cased pass's 900 words), then it reads
            # 100,000 characters in 0.5 ms where the default (a non-contiguous NFA) took 0.8-1.2.
            self._automaton = AhoCorasick(
                list(self._words), matchkind=MatchKind.Standard, implementation=Implementation.DFA
            )
            self._families_of = list(self._words.values())
        return self._automaton

    def find(self, lowered: str) -> list[Occurrences] | None:
        automaton = self.build()
        try:
            found = automaton.find_matches_as_indexes(lowered, overlapping=True)
        except UnicodeEncodeError:
            return None
        per_family: list[Occurrences] = [[] for _ in range(self._count)]
        families_of = self._families_of
        for word, start, end in found:
            for family in families_of[word]:
                per_family[family].append((start, end))
        for spans in per_family:
            spans.sort()
        return per_family


# The families read on the lower-cased text (``lower_same_length``), and on the text as written.
LOWER_CASED = _Pass()
AS_WRITTEN = _Pass()


class Family:
    """A set of keywords, looked for in one of the shared passes."""

    def __init__(self, words: Iterable[str], shared: _Pass = LOWER_CASED) -> None:
        self.words: tuple[str, ...] = tuple(dict.fromkeys(words))
        self._pass = shared
        self._index = shared.add(self.words)

    def occurrences(self, text: str) -> Occurrences | None:
        """Where the words occur in ``text`` (overlapping, in order of their starts); ``None``
        for a text the automaton cannot read, and outside a scan: the pass finds every
        family's words at once, which pays only when the detectors of a scan share it (a
        detector run on its own asks for it at each stretch it reads)."""
        if len(text) < SHORTEST or not in_scan():
            return None
        found = shared_in_scan(self._pass, text, self._pass.find)
        return None if found is None else found[self._index]


class Markers:
    """Which of a few strings occur in a text, as ``word in text`` tells: the detectors test
    for them before running what they mark ("-----BEGIN", "AKIA", " dot "). A ``str`` test
    for a string of several characters reads a text of wide characters at about 0.5 ns a
    character (50 us a 100,000, each), which the scan's shared pass spares."""

    def __init__(self, words: Iterable[str], shared: _Pass = AS_WRITTEN) -> None:
        self._family = Family(words, shared)

    def of(self, text: str) -> Callable[[str], bool]:
        """``word in text`` for each of the markers' words (and only for them)."""
        found = self._family.occurrences(text)
        if found is None:
            return text.__contains__
        return {text[start:end] for start, end in found}.__contains__


class KeywordSearch:
    """``pattern.finditer``, for a pattern whose every match begins with one of ``family``'s words."""

    def __init__(self, family: Family, pattern: re.Pattern[str]) -> None:
        self._family = family
        self._pattern = pattern
        # A match reads its word and the character after it (the end-of-word test), no more.
        self._reach = max(map(len, family.words), default=0) + 1

    def finditer(self, text: str, low: int = 0, high: int | None = None) -> Iterator[re.Match[str]]:
        """What ``pattern.finditer(text, low, high)`` yields."""
        high = len(text) if high is None else high
        found = self._family.occurrences(text)
        if found is None:
            return self._pattern.finditer(text, low, high)
        return matches_at(self._pattern, text, _starts_between(found, low, high), high, self._reach)

    def finditer_in(
        self, text: str, windows: Sequence[tuple[int, int]]
    ) -> Iterator[tuple[int, re.Match[str]]]:
        """What ``finditer(text, low, high)`` yields for each of ``windows`` (in order, none
        overlapping the next), each match with the index of its window. The occurrences are
        fetched once and read on from window to window, where a ``finditer`` per window
        fetched them and searched them for its start each time (a text dense with numbers
        has hundreds of windows, and most searches have no occurrence in any)."""
        found = self._family.occurrences(text)
        if found is None:
            for number, (low, high) in enumerate(windows):
                yield from ((number, match) for match in self._pattern.finditer(text, low, high))
            return
        pattern, reach, count = self._pattern, self._reach, len(found)
        index = 0
        for number, (low, high) in enumerate(windows):
            index = bisect.bisect_left(found, (low,), index)
            if index == count:
                return
            # ``matches_at``'s loop, inlined: a generator of it per window cost 1 % more of the
            # whole scan of dense text (callgrind, 100,000 characters).
            resume = last = -1  # as ``matches_at`` keeps them, for this window's starts
            while index < count and (start := found[index][0]) < high:
                index += 1
                if start < resume or start == last:
                    continue
                last = start
                match = pattern.match(text, start, min(high, start + reach))
                if match is not None:
                    yield number, match
                    resume = match.end()


def _starts_between(found: Occurrences, low: int, high: int) -> Iterator[int]:
    """The starts of the occurrences that start in ``[low, high)``, in order."""
    for index in range(bisect.bisect_left(found, (low,)), len(found)):
        start = found[index][0]
        if start >= high:
            return
        yield start


def matches_at(
    pattern: re.Pattern[str], text: str, starts: Iterable[int], high: int | None = None, reach: int = 0
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, ..., high)``, given (in order) every place from which on a
    match could start; ``reach``, when given, is as far as a match (and what it looks ahead
    at) can read from its start."""
    resume = last = -1
    for start in starts:
        if start < resume or start == last:
            continue  # inside the last match, where finditer does not look; or tried already
        last = start
        if reach:
            end = min(len(text) if high is None else high, start + reach)
            match = pattern.match(text, start, end)
        else:
            match = pattern.match(text, start) if high is None else pattern.match(text, start, high)
        if match is not None:
            yield match
            resume = match.end()


def matches_near(
    pattern: re.Pattern[str], text: str, anchors: Iterable[int], before: int, after: int
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, for a pattern whose every match holds one of ``anchors`` (in
    order: where a cheap literal-led pattern found its mark), starting at most ``before``
    characters before it and ending, with what it looks ahead at, at most ``after`` after it.
    Each anchor's window is searched alone: a pattern tried at every character of a long
    text costs a millisecond a 100,000, where the marks are few."""
    resume = 0
    for anchor in anchors:
        if anchor < resume:
            continue  # inside the last match
        for match in pattern.finditer(text, max(resume, anchor - before), min(len(text), anchor + after)):
            if match.end() <= anchor:
                continue
            if match.start() <= anchor:
                resume = match.end()
                yield match
            break


class Within:
    """Whether one of a family's words lies wholly within a stretch of one text."""

    def __init__(self, found: Sequence[tuple[int, int]]) -> None:
        self._starts = [start for start, _ in found]
        # The least end among the occurrences from each one on: one lies within [low, high)
        # when the first starting at ``low`` or later has such an end at ``high`` or before.
        least = [end for _, end in found]
        for index in range(len(least) - 2, -1, -1):
            least[index] = min(least[index], least[index + 1])
        self._least_end = least

    def any(self, low: int, high: int) -> bool:
        """Whether a word occurs wholly within ``[low, high)``."""
        index = bisect.bisect_left(self._starts, low)
        return index < len(self._starts) and self._least_end[index] <= high
