"""Where the runs of ASCII digits start, found once per scan, and the patterns that begin at
one tried only there.

Each of the detectors' digit-led patterns (house numbers, number clusters, national numbers)
was a pass of ``re`` over the whole text, about 1 ms a 100,000 characters of non-ASCII text
each, though ``re`` only tests a class per character: most of the cost is the reading. Every
match of these patterns begins with a digit that no digit precedes (their look-behinds say
so), so trying the pattern at each run's start, in order and from the end of the last match
on, finds what ``finditer`` finds (``matches_at``). The starts are found in one pass, shared
by the detectors within a scan (``shared_in_scan``).

A walk in Python costs more per start than ``re`` per character: where the runs stand closer
than one in ``SPARSE`` characters (a table of numbers, "1 1 1 ..."), and for short texts
(where the passes cost little), the patterns read the text as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from router._signals._keyword_search import SHORTEST, matches_at
from router._signals._text import in_scan, shared_in_scan

__all__ = ["digit_led", "run_starts"]

_RUN: Final = re.compile(r"[0-9]+")
# At most one run start per this many characters for the walk to pay: a pattern's call from
# Python costs about as much as ``re`` reading 40 characters.
SPARSE: Final = 40


def run_starts(text: str) -> list[int]:
    """Where each run of ASCII digits in ``text`` starts, in order; computed once per text
    within a scan."""
    return shared_in_scan(_RUN, text, _starts)


def _starts(text: str) -> list[int]:
    return [run.start() for run in _RUN.finditer(text)]


def digit_led(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, for a pattern whose every match begins at the
    start of a run of ASCII digits."""
    if len(text) < SHORTEST or not in_scan():
        return pattern.finditer(text)
    starts = run_starts(text)
    if len(starts) * SPARSE > len(text):
        return pattern.finditer(text)
    return matches_at(pattern, text, starts)
