"""Where the runs of ASCII digits start, found once per scan, and the patterns that begin at
one tried only there.

Each of the detectors' digit-led patterns (house numbers, number clusters, national numbers)
was a pass of ``re`` over the whole text, about 1 ms a 100,000 characters of non-ASCII text
each, though ``re`` only tests a class per character: most of the cost is the reading. Every
match of these patterns begins with a digit that no digit precedes (their look-behinds say
so), so trying the pattern at each run's start, in order and from the end of the last match
on, finds what ``finditer`` finds (``matches_at``). The starts are found in one pass, shared
by the detectors within a scan (``shared_in_scan``), by numpy in long texts.

A walk in Python costs more per start than ``re`` per character: where the runs stand closer
than one in ``SPARSE`` characters (a table of numbers, "1 1 1 ..."), and for short texts
(where the passes cost little), the patterns read the text as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final, NamedTuple

from router._signals._keyword_search import SHORTEST, matches_at
from router._signals._text import in_scan, shared_in_scan

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["code_points", "digit_led", "run_starts", "runs"]

_RUN: Final = re.compile(r"[0-9]+")
# At most one run start per this many characters for the walk to pay: a pattern's call from
# Python costs about as much as ``re`` reading 40 characters.
SPARSE: Final = 40
# From this length on the starts are read by numpy: a match object per run costs more than
# numpy's reading of the whole text (0.13 and 0.17 ms a 100,000 characters of prose), and its
# few calls pay for themselves.
_VECTOR_FROM: Final = 3_000
# The text's characters as bytes, one each ("?" for any past Latin-1), the ASCII digits
# turned to "1" and every other byte to a space: the runs of "1"s are the digit runs.
_MARKS: Final = bytes(0x31 if 0x30 <= code <= 0x39 else 0x20 for code in range(256))
# Led by a literal, so that ``re`` skips between the runs at memchr pace: a class such as
# ``[0-9]+`` is tested at every character (15 us a 1,000 characters, 1.5 ms a 100,000).
_MARKED_RUN: Final = re.compile(rb"11*")


class _Runs(NamedTuple):
    """The starts of a text's digit runs, in order, and their lengths."""

    starts: list[int]
    lengths: list[int]


def run_starts(text: str) -> list[int]:
    """Where each run of ASCII digits in ``text`` starts, in order; computed once per text
    within a scan."""
    return _runs(text).starts


def runs(text: str) -> tuple[list[int], list[int]]:
    """Where each run of ASCII digits in ``text`` starts, and how long it is, in order;
    computed once per text within a scan."""
    found = _runs(text)
    return found.starts, found.lengths


def _runs(text: str) -> _Runs:
    return shared_in_scan(_RUN, text, _find_runs)


def _find_runs(text: str) -> _Runs:
    if len(text) >= _VECTOR_FROM:
        return _vector_starts(text)
    return _marked_runs(text)


def _marked_runs(text: str) -> _Runs:
    """Where each run of ASCII digits starts and how long it is, read from the text marked
    as bytes (``_MARKS``): the encoder replaces each character past Latin-1, a lone surrogate
    too, by one "?", so the indexes are the text's. 6 us a 1,000 characters of prose, where
    numpy's reading of the code points costs 17 us, mostly in its calls."""
    marked = text.encode("latin-1", "replace").translate(_MARKS)
    spans = [run.span() for run in _MARKED_RUN.finditer(marked)]
    return _Runs([start for start, _ in spans], [end - start for start, end in spans])


def _vector_starts(text: str) -> _Runs:
    """Where each run of ASCII digits starts and how long it is, read by numpy: the code
    points (UTF-32, so their indexes are the text's; a lone surrogate passes as its own
    code), those of a digit not preceded by one, and of one not followed by one."""
    import numpy as np  # loaded by ``code_points`` already

    codes = code_points(text)
    digits = (codes >= 0x30) & (codes <= 0x39)
    first = digits.copy()
    first[1:] &= ~digits[:-1]
    last = digits.copy()
    last[:-1] &= ~digits[1:]
    starts = np.flatnonzero(first)
    lengths = np.flatnonzero(last) + 1 - starts
    return _Runs(starts.tolist(), lengths.tolist())


def code_points(text: str) -> npt.NDArray[np.uint32]:
    """The text's code points as a numpy array (UTF-32, so their indexes are the text's; a lone
    surrogate passes as its own code), computed once per text within a scan: the digit runs of
    a long text and the detectors that sift them both read it."""
    return shared_in_scan(code_points, text, _code_points)


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    import numpy as np  # on the first long scan, not when routes.yaml is read

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def digit_led(
    pattern: re.Pattern[str], text: str, lengths: frozenset[int] | None = None
) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, for a pattern whose every match begins at the
    start of a run of ASCII digits (of one of ``lengths``, when given: its first digits are
    a run of that many)."""
    if len(text) < SHORTEST or not in_scan():
        return pattern.finditer(text)
    runs = _runs(text)
    starts = runs.starts
    if lengths is not None:
        starts = [start for start, length in zip(runs.starts, runs.lengths, strict=True) if length in lengths]
    if len(starts) * SPARSE > len(text):
        return pattern.finditer(text)
    return matches_at(pattern, text, starts)
