"""Characters a model reads through but a reader does not see, taken out before detection.

A zero-width space between the groups of a card number (``4111\\u200b1111\\u200b1111\\u200b1111``),
a soft hyphen inside an IBAN or a word joiner in an API key leaves the value whole for the model
that receives it (they are dropped or ignored when it reads the digits) but split for a
detector, so it passed as public. Copy-pasted web text carries them by accident; an evasion
carries them on purpose. The detectors therefore read the text without them, and each finding's
offsets are mapped back to the original text, so that masking replaces the whole value,
invisible characters included.

What counts as invisible: the Unicode format characters (category Cf: zero-width spaces and
joiners, bidirectional controls, the soft hyphen, word joiners, invisible operators, the byte
order mark, interlinear annotation marks, tag characters), the combining grapheme joiner,
the Mongolian free variation selectors and the variation selectors. Tag characters that
spell ASCII (U+E0020-U+E007E, "ASCII smuggling") are not dropped: ``_text.fold`` reads them
as the ASCII they spell. The list is fixed here rather than read from ``unicodedata`` at import;
tests/signals/test_invisible.py checks it against ``unicodedata``.

Two more ways of writing a value that a model reads through are undone the same way, each
finding's offsets mapped back over them:

* combining marks (Unicode categories Mn and Me) of the blocks made to go on any character
  (combining diacritical marks, their extended and supplement blocks, marks for symbols,
  half marks: ``MARKS``) on a digit (``4\u0301111 …``, the keycap ``4\ufe0f\u20e3``): the
  digit is read without them, and a finding that ends on the digit ends after its marks.
  ``_text.fold_noting_invisible`` notes them in its one pass, so a text without any costs
  nothing more; the marks of a script (a Devanagari vowel sign) are not taken out;
* HTML character references (``&#64;``, ``&#x40;``, ``&commat;``, ``&#8203;``): read as the
  character they encode (an invisible one dropped), a finding taking the whole reference.
  Numeric references need no ``;`` (browsers and models read ``&#64`` too); named ones do;
* percent escapes (``card%3A4539%201488…``, ``iban%3DDE89…``: a URL or a form body pasted from
  a log) and backslash escapes (``\\u0034``, ``\\x20``, ``\\u{40}``, ``\\U00000034``, ``\\n``,
  ``\\t``: a JSON or source string, a parameter dumped as JSON for the scan): read as the
  character they encode, a run of percent escapes as UTF-8 (``%E2%80%8B``, a zero-width space,
  dropped). An escape that encodes no character (a lone continuation byte, NUL, a surrogate)
  is read as written.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import Final

__all__ = ["INVISIBLE", "MARKS", "Visible", "visible"]

_RANGES: Final = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x0600, 0x0605),  # Arabic number signs
    (0x061C, 0x061C),  # Arabic letter mark
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    (0x202A, 0x202E),  # bidirectional embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidirectional isolates, deprecated format characters
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # byte order mark, zero-width no-break space
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),  # language tag
    (0xE007F, 0xE007F),  # cancel tag
    (0xE0100, 0xE01EF),  # variation selectors supplement
)

INVISIBLE: Final = frozenset(chr(code) for low, high in _RANGES for code in range(low, high + 1))
"""Every invisible character; ``_text.fold_noting_invisible`` finds those a text holds in the
same pass that finds its foldable characters."""


# The blocks of combining marks for any character, every code point in them assigned Mn or
# Me (Unicode 14; tests/signals/test_invisible.py checks them against ``unicodedata``).
_MARK_RANGES: Final = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1ACE),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20F0),
    (0xFE20, 0xFE2F),
)
MARKS: Final = frozenset(chr(code) for low, high in _MARK_RANGES for code in range(low, high + 1)) - INVISIBLE
"""The combining marks taken out where they stand on a digit."""
# A digit followed by a character that may be a mark (or an invisible character before one).
_DIGIT_THEN_NON_ASCII: Final = re.compile(r"[0-9](?=[^\x00-\x7f])")
_REFERENCE: Final = re.compile(r"&(?:#(?:[0-9]{1,7}|[xX][0-9A-Fa-f]{1,6});?|[A-Za-z][A-Za-z0-9]{1,31};)")
# Led by its literal, so that ``re`` skips ahead to each "%" (led by a group, it tried every
# position: 1.5 ms a 100,000 characters instead of 0.03).
_PERCENT_RUN: Final = re.compile(r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")
# Any number of backslashes: a JSON string inside a JSON string (a tool call's arguments,
# dumped with its message for the scan) escapes its escapes, \\u7530 for 田 and \\\" for a
# quote. Read one level only, \\u7530 left a backslash between the characters of 田中さん, and
# \"password\": \"Sommer2024\" hid the password's field from its detector. A run is read from
# its first backslash only (the look-behind), so a long run costs one pass, not one a position.
_ESCAPED: Final = (
    r"(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|([nrt/\"']))"
)
_BACKSLASH: Final = re.compile(r"(?<!\\)\\+" + _ESCAPED)
# The same led by the run's first backslash, the look-behind after it, so that ``re`` skips
# ahead to backslashes (led by the look-behind, it tries every position); and a bare run.
_BACKSLASH_LED: Final = re.compile(r"\\(?<!\\\\)\\*" + _ESCAPED)
_BACKSLASHES: Final = re.compile(r"\\+")
# Texts with fewer backslashes than one in this many characters are read from one to the next.
_SPARSE_BACKSLASHES: Final = 64
# A line break or tab escaped in a JSON string (a tool's description, a parameter dumped for
# the scan, a pasted log line) splits a card's groups for the model as the characters do.
_SHORT_ESCAPES: Final = {"n": "\n", "r": "\r", "t": "\t", "/": "/", '"': '"', "'": "'"}
_MAX_CODE_POINT: Final = 0x10FFFF
_SURROGATES: Final = range(0xD800, 0xE000)


class Visible:
    """A text without its invisible characters, and the way back to the original's offsets."""

    __slots__ = ("_removed", "_tails", "text")

    def __init__(self, text: str, removed: list[int], tails: dict[int, int] | None = None) -> None:
        self.text = text
        # For each character taken out, in order, the offset in ``text`` of the character
        # that followed it.
        self._removed = removed
        # For a character of ``text`` that the characters after it belong to (a digit's
        # marks, the rest of a character reference), how many of them there are.
        self._tails = tails or {}

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of ``text[start:end]``, the characters taken out inside
        included, and those that belong to its last character."""
        if not self._removed:
            return start, end
        first = start + bisect.bisect_right(self._removed, start)
        last = end - 1 + bisect.bisect_right(self._removed, end - 1)
        return first, last + 1 + self._tails.get(end - 1, 0)


def visible(text: str, present: Iterable[str]) -> Visible:
    """``text`` as the detectors read it: without the invisible characters and the marks on
    its digits, its character references read; with none of them it comes back as it is.
    ``present`` holds the invisible characters and ``MARKS`` the text holds."""
    present = set(present)
    invisible = present & INVISIBLE
    encoded = _encoded(text)
    marks = _marks_on_digits(text) if present & MARKS else []
    if not encoded and not marks:
        return _without(text, sorted(invisible))
    return _Rewriter(text).run(_edits(text, invisible, encoded, marks))


def _without(text: str, chars: list[str]) -> Visible:
    """``text`` without ``chars``: the common case, done with ``str.replace``."""
    if not chars:
        return Visible(text, [])
    # Where each one stands, by ``str.find`` (a text holds few, and few kinds): a pattern of
    # them read the whole text in ``re``, six times slower than a find and a replace per kind.
    positions = _positions(text, chars)
    for char in chars:
        text = text.replace(char, "")
    # The k-th invisible character stood after k others: its offset in the visible text.
    return Visible(text, [position - k for k, position in enumerate(positions)])


def _positions(text: str, chars: Iterable[str]) -> list[int]:
    positions: list[int] = []
    for char in chars:
        at = text.find(char)
        while at != -1:
            positions.append(at)
            at = text.find(char, at + 1)
    positions.sort()
    return positions


def _marks_on_digits(text: str) -> list[int]:
    """Where a combining mark stands on a digit: right after it, or after other such marks
    and invisible characters."""
    found: list[int] = []
    for digit in _DIGIT_THEN_NON_ASCII.finditer(text):
        at = digit.end()
        while at < len(text) and (text[at] in INVISIBLE or text[at] in MARKS):
            if text[at] in MARKS:
                found.append(at)
            at += 1
    return found


# (start, end, what the characters read as: "" for nothing, None for a mark on a digit)
_Edit = tuple[int, int, str | None]


def _edits(text: str, present: Iterable[str], encoded: list[_Edit], marks: list[int]) -> list[_Edit]:
    """Every change to ``text``, in order: the invisible characters and the marks taken out,
    the encoded characters decoded."""
    edits: list[_Edit] = [(at, at + 1, "") for at in _positions(text, present)]
    edits.extend((at, at + 1, None) for at in marks)
    edits.extend(encoded)
    edits.sort(key=lambda edit: edit[0])
    return edits


def _encoded(text: str) -> list[_Edit]:
    """The character references and escapes of ``text`` that encode a character, each with
    the character as the detectors read it; a ``str.find`` per kind keeps a text without
    any of them from paying for the patterns."""
    edits: list[_Edit] = []
    if "&" in text:
        for reference in _REFERENCE.finditer(text):
            edits.extend(_edit(reference.start(), reference.end(), _decoded(reference.group())))
    if "%" in text:
        for run in _PERCENT_RUN.finditer(text):
            edits.extend(_percent_edits(run.start(), bytes.fromhex(run.group().replace("%", ""))))
    if "\\" in text:
        for escape in _backslash_escapes(text):
            *codes, short = escape.groups()
            char = _SHORT_ESCAPES[short] if short else _character(int(next(c for c in codes if c), 16))
            edits.extend(_edit(escape.start(), escape.end(), char))
    return edits


def _backslash_escapes(text: str) -> Iterator[re.Match[str]]:
    """``_BACKSLASH.finditer(text)``, its pattern tried only at the backslashes that start a run:
    led by its look-behind, the pattern is tried at every position (5 ms a 100,000 characters).
    A match can start nowhere else, and holds no backslash after its run."""
    if text.count("\\") * _SPARSE_BACKSLASHES > len(text):
        # Backslashes everywhere (a JSON dump): the pattern led by a backslash, which ``re``
        # skips ahead to, costs less than a step in Python per run.
        yield from _BACKSLASH_LED.finditer(text)
        return
    at = text.find("\\")
    while at != -1:
        escape = _BACKSLASH.match(text, at)
        if escape is None:
            run = _BACKSLASHES.match(text, at)
            at = text.find("\\", run.end() if run else at + 1)
            continue
        yield escape
        at = text.find("\\", escape.end())


def _edit(start: int, end: int, char: str | None) -> list[_Edit]:
    """The edit reading ``start:end`` as ``char`` (an invisible one dropped); none for None."""
    return [] if char is None else [(start, end, "" if char in INVISIBLE else char)]


def _percent_edits(start: int, data: bytes) -> list[_Edit]:
    """A run of percent escapes starting at ``start``, read as UTF-8: each character it
    encodes, over its escapes (three characters a byte); a byte that starts no character is
    left as written."""
    edits: list[_Edit] = []
    at = 0
    while at < len(data):
        size = _utf8_size(data[at])
        try:
            char = data[at : at + size].decode("utf-8") if size else None
        except UnicodeDecodeError:
            char = None
        if char is None or len(char) != 1:
            at += 1
            continue
        edits.extend(_edit(start + 3 * at, start + 3 * (at + size), _character(ord(char))))
        at += size
    return edits


def _utf8_size(lead: int) -> int:
    """The bytes of the UTF-8 sequence ``lead`` starts; 0 for a byte that starts none."""
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    return 4 if 0xF0 <= lead <= 0xF4 else 0


def _character(code: int) -> str | None:
    """The character of ``code`` as the detectors read it (folded); None for none."""
    from router._signals._text import fold  # _text imports this module

    if code == 0 or code > _MAX_CODE_POINT or code in _SURROGATES:
        return None
    return fold(chr(code))


def _decoded(reference: str) -> str | None:
    """The character an HTML character reference encodes, as the detectors read it (folded);
    None when it encodes none, or more than one."""
    if reference[1] == "#":
        digits = reference[2:].rstrip(";")
        return _character(int(digits[1:], 16) if digits[0] in "xX" else int(digits))
    from html.entities import html5

    from router._signals._text import fold  # _text imports this module

    char = html5.get(reference[1:])
    return fold(char) if char is not None and len(char) == 1 else None


class _Rewriter:
    """Builds the text the detectors read from the edits of ``_edits``, and its offset map."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pieces: list[str] = []
        self._length = 0  # of the text built so far
        self._removed: list[int] = []
        self._tails: dict[int, int] = {}
        self._last = ""  # the last character built, its offset there and in ``text``
        self._last_at = self._last_origin = -1

    def run(self, edits: list[_Edit]) -> Visible:
        position = 0
        for start, end, reading in edits:
            self._keep(position, start)
            if reading is None or (reading and self._on_digit(reading)):
                self._attach(start, end)
            elif reading:
                self._replace(start, end, reading)
            else:
                self._removed.extend([self._length] * (end - start))
            position = end
        self._keep(position, len(self._text))
        return Visible("".join(self._pieces), self._removed, self._tails)

    def _keep(self, start: int, end: int) -> None:
        if start < end:
            self._pieces.append(self._text[start:end])
            self._length += end - start
            self._last, self._last_at, self._last_origin = self._text[end - 1], self._length - 1, end - 1

    def _on_digit(self, reading: str) -> bool:
        """Whether a decoded reference is a mark on the digit before it."""
        return reading in MARKS and "0" <= self._last <= "9"

    def _attach(self, start: int, end: int) -> None:
        """``text[start:end]`` taken out, as part of the character built last."""
        if not "0" <= self._last <= "9":  # a mark found on a digit is always right after one
            self._replace(start, end, self._text[start:end])
            return
        self._removed.extend([self._length] * (end - start))
        self._tails[self._last_at] = end - self._last_origin - 1

    def _replace(self, start: int, end: int, reading: str) -> None:
        """``text[start:end]`` read as the one character ``reading``."""
        self._pieces.append(reading)
        self._removed.extend([self._length + 1] * (end - start - 1))
        if end - start > 1:
            self._tails[self._length] = end - start - 1
        self._last, self._last_at, self._last_origin = reading, self._length, start
        self._length += 1
