"""The scan does work linear in the text, on the inputs built to make it quadratic.

Counted, not timed: a unit of work is one Python line executed in ``router/_signals`` or
one character handed to (or consumed by) a regular expression of the detectors. A scan that
rescans a run from each of its groups (as the card scan once did: 6 s for ``"1 " * 2000``)
does work growing with the square of the text; here it must grow by at most a fixed factor
over the length, and per character stay under ``WORK_PER_CHARACTER``.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from router._levels import Sensitivity
from router._signals import (
    _cued_names,
    _custom_terms,
    _digit_runs,
    _identifiers,
    _invisible,
    _keyword_search,
    _lower_names,
    _national_ids,
    _people,
    _phone,
    _pii,
    _places,
    _secrets,
    _streets,
    _text,
    _url_credentials,
)
from router._signals._custom_terms import CustomTerm
from router._signals._keyword_search import KeywordSearch
from router._signals._sensitivity import SensitivityScanner
from tests.support.adversarial import ADVERSARIAL

SIGNALS = str(Path(_pii.__file__).parent)
DETECTOR_MODULES = (
    _invisible,
    _url_credentials,
    _pii,
    _phone,
    _secrets,
    _custom_terms,
    _cued_names,
    _text,
    _digit_runs,
    _identifiers,
    _national_ids,
    _people,
    _lower_names,
    _places,
    _streets,
)

# Units of work per character of input, at most, on every input of ``ADVERSARIAL`` (ordinary
# English costs almost nothing: it has no digit and no "@"). The adversarial inputs are dense
# with candidates: every few characters starts a number, an address or a token to check, and
# the words before a number are read from a window of 60 characters (addresses, birth dates),
# so a number every seven characters costs about 100 units per character.
WORK_PER_CHARACTER = 150
# Work on 4x the text may be this many times the work on the text: 4 plus slack for the
# edges of the text, well short of the 16 of a quadratic scan.
GROWTH = 4.6

SCANNER = SensitivityScanner(
    custom_terms=[
        CustomTerm("codename", Sensitivity.CONFIDENTIAL, keywords=("nightingale", "bluebird merger"))
    ]
)


class _CountingPattern:
    """Stands in for a compiled pattern and adds the characters it is given to the count."""

    def __init__(self, pattern: re.Pattern[str], work: list[int]) -> None:
        self._pattern = pattern
        self._work = work

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pattern, name)

    def _window(self, string: str, pos: int, endpos: int | None) -> int:
        return (len(string) if endpos is None else min(endpos, len(string))) - pos

    def _anchored(self, method: str, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        found = getattr(self._pattern, method)(string, pos, sys.maxsize if endpos is None else endpos)
        # An anchored match reads what it matched (and a character past it); a bounded
        # window, when given, is counted whole.
        consumed = found.end() - pos + 1 if found else 1
        self._work[0] += consumed if endpos is None else max(1, self._window(string, pos, endpos))
        return found

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self._anchored("match", string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self._anchored("fullmatch", string, pos, endpos)

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        found = self._pattern.search(string, pos, sys.maxsize if endpos is None else endpos)
        # A search reads up to the end of what it found, or the whole window when it finds nothing.
        self._work[0] += max(1, found.end() - pos if found else self._window(string, pos, endpos))
        return found

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        self._work[0] += max(1, self._window(string, pos, endpos))
        return self._pattern.finditer(string, pos, sys.maxsize if endpos is None else endpos)

    def findall(self, string: str, pos: int = 0, endpos: int | None = None) -> list[Any]:
        self._work[0] += max(1, self._window(string, pos, endpos))
        return self._pattern.findall(string, pos, sys.maxsize if endpos is None else endpos)


def _count_patterns(monkeypatch: pytest.MonkeyPatch, work: list[int]) -> None:
    for module in DETECTOR_MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(module, name, _CountingPattern(value, work))
            elif isinstance(value, dict):  # patterns by key (``_pii._IBAN_BODIES``)
                for key, item in value.items():
                    if isinstance(item, re.Pattern):
                        monkeypatch.setitem(value, key, _CountingPattern(item, work))
            for search in value if isinstance(value, tuple) else (value,):
                if isinstance(search, KeywordSearch):  # a trie matched where its words occur
                    monkeypatch.setattr(search, "_pattern", _CountingPattern(search._pattern, work))
    # The shared keyword pass reads the text once, and hands over each occurrence it found.
    find = _keyword_search._Pass.find

    def counted_find(self: _keyword_search._Pass, text: str) -> Any:
        found = find(self, text)
        work[0] += len(text) + sum(map(len, found or ()))
        return found

    monkeypatch.setattr(_keyword_search._Pass, "find", counted_find)
    # The starts of the digit runs are read in one pass over the text.
    find_runs = _digit_runs._find_runs

    def counted_find_runs(text: str) -> Any:
        work[0] += len(text)
        return find_runs(text)

    monkeypatch.setattr(_digit_runs, "_find_runs", counted_find_runs)
    for detector, _levels in (*SCANNER._detectors, *((SCANNER._terms,) if SCANNER._terms else ())):
        for name, value in vars(detector).items() if hasattr(detector, "__dict__") else ():
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(detector, name, _CountingPattern(value, work))


def scan_work(text: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Units of work the scanner does on ``text``."""
    work = [0]
    _count_patterns(monkeypatch, work)

    def line_counter(frame: types.FrameType, event: str, arg: object) -> Any:
        if event == "line":
            work[0] += 1
        return line_counter

    def tracer(frame: types.FrameType, event: str, arg: object) -> Any:
        return line_counter if frame.f_code.co_filename.startswith(SIGNALS) else None

    sys.settrace(tracer)
    try:
        SCANNER.scan(text)
    finally:
        sys.settrace(None)
        monkeypatch.undo()
    return work[0]


@pytest.mark.parametrize("build", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_the_scan_does_work_linear_in_the_text(
    build: Callable[[int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = build(2_000), build(8_000)
    small_work, large_work = scan_work(small, monkeypatch), scan_work(large, monkeypatch)
    assert large_work <= GROWTH * small_work * len(large) / (4 * len(small)) + 100
    assert large_work <= WORK_PER_CHARACTER * len(large)


def test_the_work_count_sees_a_scan_that_rereads_the_rest_of_the_text() -> None:
    """The counter itself: reading the rest of the text from every character is caught."""
    work = [0]
    probe = _CountingPattern(re.compile(r"[0-9 ]*"), work)
    text = "1 " * 1_000
    for at in range(len(text)):
        probe.match(text, at)
    assert work[0] > WORK_PER_CHARACTER * len(text)
