"""The machine-readable zone of a passport or an identity card (type ``national_id``).

A scanned or OCR'd travel document carries its holder in two or three lines of capitals,
digits and "<" fillers (ICAO 9303): ``P<GBRSMITH<<JOHN<PAUL<<<<…`` names the holder and the
issuing state, and the next line the document's number, the nationality, the date of birth
and the expiry, each with its check digit. Pasted into a ticket or a prompt ("the guest's
passport scan reads …"), each line is the document itself.

A line counts when it has an MRZ's length (30, 36 or 44 characters: the TD1, TD2 and TD3
formats, two characters either way for a dropped or doubled filler), is made of those
characters only, and holds the filler "<<" that every name field and nearly every data line
has. Nothing else is written so: base64 and hex have no "<", code writes its shifts and
here-documents with spaces or lower-case words around them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Final

from router._signals._text import reach_back

__all__ = ["MrzDetector"]

Span = tuple[str, int, int]

_MRZ_CHARS: Final = string.ascii_uppercase + string.digits + "<"
_RUN: Final = re.compile(r"[A-Z0-9<]+")
_LENGTHS: Final = frozenset(range(28, 33)) | frozenset(range(34, 39)) | frozenset(range(42, 47))
_LONGEST: Final = 46


class MrzDetector:
    """Finds the lines of a travel document's machine-readable zone."""

    types: tuple[str, ...] = ("national_id",)

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``("national_id", start, end)`` for each MRZ line."""
        # ``str.find`` from the end of each run read: 50 us a 100,000 characters without a
        # "<<", and a run of fillers is read once, not at each of its overlapping "<<"s.
        at = text.find("<<")
        while at != -1:
            start = reach_back(text, at, _MRZ_CHARS, _LONGEST)
            run = _RUN.match(text, start)
            end = at + 2 if run is None else run.end()
            if run is not None and _is_line(text, start, run.group()):
                yield "national_id", start, end
            at = text.find("<<", end)


def _is_line(text: str, start: int, run: str) -> bool:
    """Whether the run of MRZ characters at ``start`` has a line's length (it does not go on
    before the reach back stopped) and letters."""
    return not (start and text[start - 1] in _MRZ_CHARS) and len(run) in _LENGTHS and _has_letters(run)


def _has_letters(line: str) -> bool:
    """Whether a line has the letters of a name or a state code: a run of "<" and digits
    alone is a separator or a table's rule."""
    return sum(char.isalpha() for char in line) >= 3
