"""What every detector needs to know about characters: folding variant forms to ASCII, and
which neighbouring characters belong to the same word.

Two things made a value written against Japanese, Chinese or Russian text invisible
(``カード番号4539148803436467で``, ``Карта4539148803436467``): the word-boundary tests asked
``str.isalnum`` (or ``\\b``), which counts every letter of every script as part of the
number's word; and digits typed in full width (``４５３９``) or in another script's digits are
not ``[0-9]``. Both are fixed here, for every detector at once:

* :func:`fold` maps full-width forms, every Unicode decimal digit, every space separator,
  the common hyphens and the tag characters that spell ASCII to their ASCII equivalent. It
  is the length-preserving part of NFKC (plus the other scripts' digits, which NFKC leaves
  alone, and the tags), so the offsets of a finding in the folded text are its offsets in
  the original. (Invisible characters are taken out after folding: see ``_invisible``.)
* :func:`ascii_word_char` is the only test numbers use for "glued to a word": a value's
  neighbour is part of its token only when it is an ASCII letter, digit or ``_``.
* :func:`continues_word` is the test keywords use: a neighbour glues only when it is a
  letter or digit of the same script as the keyword's edge, and never in scripts written
  without spaces between words (Han, kana, Hangul particles, Thai, Lao, Khmer, Myanmar).
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Final, TypeAlias, TypeVar, cast

from router._signals._invisible import INVISIBLE, MARKS

__all__ = [
    "ascii_word_char",
    "base_letter",
    "continues_word",
    "find_all",
    "fold",
    "fold_accents",
    "fold_noting_invisible",
    "keyword_pattern",
    "lower_same_length",
    "shared_in_scan",
    "sharing_lowered",
    "word_class",
]

# The code point of "0" in every run of ten Unicode decimal digits (category Nd), Unicode 15.
# Hard-coded rather than computed at import, which would mean 1.1 million category lookups;
# tests/signals/test_text.py checks the list against ``unicodedata``.
_DIGIT_ZEROS: Final = (
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50,
    0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0,
    0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140,
    0x1E2F0, 0x1E950, 0x1FBF0,
)  # fmt: skip
# Every space separator (category Zs) other than the ASCII space: the no-break and thin
# spaces French and Swedish print between digit groups, the ideographic space.
_SPACES: Final = (0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)
# Hyphens people type between digit groups; the em dash and wave dash join words, not digits.
_HYPHENS: Final = (0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE63)
# Between two digits, though, an em dash or a horizontal bar is what word processors make of a
# typed "--" ("4539—1488—…" reads as a card to a model): read there as a hyphen, and only
# there ("example.com—and" keeps its dash, so the address still ends at "com").
_DIGIT_DASHES: Final = "\u2014\u2015\ufe58"
_DASH_BETWEEN_DIGITS: Final = re.compile(f"(?<=[0-9])[{_DIGIT_DASHES}](?=[0-9])")


def _fold_table() -> dict[int, int]:
    table = {0xFF01 + offset: 0x21 + offset for offset in range(0x5E)}  # full-width ASCII
    table.update({code: 0x20 for code in _SPACES})
    table.update({code: 0x2D for code in _HYPHENS})
    for zero in _DIGIT_ZEROS:
        table.update({zero + value: 0x30 + value for value in range(10)})
    # Tag characters spell ASCII invisibly ("ASCII smuggling"); some models read them as text.
    table.update({0xE0000 + code: code for code in range(0x20, 0x7F)})
    return table


_FOLD: Final = _fold_table()
# The foldable and the invisible characters of the Basic Multilingual Plane as one
# regular-expression class, which ``re`` tests in constant time per character (a bitmap): one
# pass finds both. The few past U+FFFF (other scripts' digits, tags) in sets, looked at only
# when the text has such characters at all. A class holding both is tested range by range,
# about 0.4 us per character.
_NOTABLE_BMP: Final = re.compile(
    "["
    + "".join(
        re.escape(char) for char in sorted({*map(chr, _FOLD), *INVISIBLE, *MARKS}) if ord(char) <= 0xFFFF
    )
    + "]"
)
_NOTABLE_ASTRAL: Final = frozenset(char for char in {*map(chr, _FOLD), *INVISIBLE} if ord(char) > 0xFFFF)


def _has_astral(text: str) -> bool:
    """Whether ``text`` holds a character past U+FFFF: in UTF-16 each takes two code units
    (and a lone surrogate one, as itself), so the encoding is longer than two bytes a
    character. The codec reads 100,000 characters in 0.14 ms, ``re`` in 1 ms."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


_NOTED: Final = INVISIBLE | MARKS  # what ``fold_noting_invisible`` reports rather than folds


def fold(text: str) -> str:
    """``text`` with full-width forms, Unicode digits, spaces and hyphens as ASCII, and
    emphasis underscores around a value as spaces; same length."""
    return fold_noting_invisible(text)[0]


# Markdown's emphasis around a value: "_4111 1111 1111 1111_", "__078-05-1120__", "_+44 20 7946
# 0958_", "_DE89 3704 …_". The detectors take "_" for a letter of an identifier ("run_4111…"
# is no card), so the value was read as part of a word and had no finding at all. An
# underscore that opens emphasis (before a letter, a digit, a "+" or a "(") or closes it
# (after a letter, a digit or a ")"), with no letter, digit or "_" on its other side, is
# read as a space; one inside a name ("order_4111…", "DB_PASS") is left as it is. Code's leading underscores
# ("self._token") are read as spaces too, which names no value differently.
# Led by the "_" itself, so that ``re`` jumps from one to the next (a look-behind first is
# tried at every character: 60M instructions a 100,000).
_EMPHASIS: Final = re.compile(r"_(?:(?<!\w_)_?(?=[A-Za-z0-9+(])|(?<=[A-Za-z0-9)]_)_?(?!\w))")


def _as_spaces(match: re.Match[str]) -> str:
    return " " * len(match.group())


def fold_noting_invisible(text: str) -> tuple[str, frozenset[str]]:
    """``fold(text)``, and the invisible characters and combining marks (``_invisible``) the
    text holds."""
    if "_" in text:
        text = _EMPHASIS.sub(_as_spaces, text)
    if text.isascii():
        return text, frozenset()
    present = set(_NOTABLE_BMP.findall(text))
    if _has_astral(text):
        present.update(_NOTABLE_ASTRAL.intersection(text))
    # One ``str.replace`` per distinct foldable character: a text holds few distinct ones,
    # and each replace runs in C, where a substitution calls back into Python per match.
    noted = present & _NOTED
    for char in present - noted:
        text = text.replace(char, chr(_FOLD[ord(char)]))
    if any(dash in text for dash in _DIGIT_DASHES):
        text = _DASH_BETWEEN_DIGITS.sub("-", text)
    return text, frozenset(noted)


# The lower-cased text of the scan under way (the text, and its lower-cased form), so that
# the detectors that read it lower-cased share one ``str.lower`` (0.2 ms a 100,000
# characters, three of them). Set only for the length of one scan (``sharing_lowered``):
# no text outlives its scan here.
_SHARED_LOWERED: Final[ContextVar[list[str] | None]] = ContextVar("shared_lowered", default=None)


# What the detectors derive from the scan's text and share (``shared_in_scan``): the
# keyword occurrences of ``_keyword_search``, found in one pass for all of them. Set, like the
# lower-cased text, only for the length of one scan.
_SHARED_DERIVED: Final[ContextVar[dict[object, tuple[str, object]] | None]] = ContextVar(
    "shared_derived", default=None
)
_T = TypeVar("_T")


@contextlib.contextmanager
def sharing_lowered() -> Iterator[None]:
    """Within the block, ``lower_same_length`` of the same text object is computed once, and
    so is what ``shared_in_scan`` computes."""
    token = _SHARED_LOWERED.set([])
    derived = _SHARED_DERIVED.set({})
    try:
        yield
    finally:
        _SHARED_DERIVED.reset(derived)
        _SHARED_LOWERED.reset(token)


def in_scan() -> bool:
    """Whether the caller runs within ``sharing_lowered`` (a scan of all the detectors)."""
    return _SHARED_DERIVED.get() is not None


def shared_in_scan(key: object, text: str, compute: Callable[[str], _T]) -> _T:
    """``compute(text)``, computed once per ``key`` and text object within ``sharing_lowered``
    (and each time outside it)."""
    shared = _SHARED_DERIVED.get()
    if shared is None:
        return compute(text)
    entry = shared.get(key)
    if entry is not None and entry[0] is text:
        return cast(_T, entry[1])
    value = compute(text)
    shared[key] = (text, value)
    return value


def fold_accents(text: str) -> str:
    """``text`` with each Latin letter's accents taken off ("Société" -> "Societe"), one
    character for one, so that offsets stay those of ``text``."""
    return text if text.isascii() else "".join(base_letter(char) for char in text)


@functools.cache
def base_letter(char: str) -> str:
    """A Latin letter without its accents ("é" -> "e"); any other character as it is."""
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    marks = decomposed[1:]
    if marks and base.isascii() and base.isalpha() and all(unicodedata.combining(mark) for mark in marks):
        return base
    return char


def lower_same_length(text: str) -> str:
    """``text.lower()``, or ``text`` itself where lower-casing changed the length (offsets in
    the lower-cased text must be those of ``text``; a rare case mapping lengthens a few
    letters). Shared by the detectors within ``sharing_lowered``."""
    shared = _SHARED_LOWERED.get()
    if shared and shared[0] is text:
        return shared[1]
    lower = text.lower()
    if len(lower) != len(text):
        lower = text
    if shared is not None:
        shared[:] = (text, lower)
    return lower


def ascii_word_char(char: str) -> bool:
    """Whether ``char`` is an ASCII letter, digit or underscore: part of a number's token."""
    return char.isascii() and (char.isalnum() or char == "_")


# Scripts whose words are written without spaces between them: a keyword or a value inside
# their text is never glued to its neighbours.
_UNSPACED: Final = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR", "IDEOGRAPHIC")
# Letters that continue a word of the given script; digits and "_" continue any word.
_SCRIPT_CLASSES: Final = {
    "LATIN": "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
    "GREEK": "\u0370-\u03ff\u1f00-\u1fff",
    "CYRILLIC": "\u0400-\u052f",
    "ARMENIAN": "\u0530-\u058f",
    "HEBREW": "\u0590-\u05ff",
    "ARABIC": "\u0600-\u06ff\u0750-\u077f",
    "DEVANAGARI": "\u0900-\u097f",
    "GEORGIAN": "\u10a0-\u10ff",
}


@functools.cache
def word_class(char: str) -> str | None:
    """A regular-expression class of the characters that continue a word ending (or starting)
    with ``char``; ``None`` when nothing glues to it (punctuation, unspaced scripts)."""
    if not (char.isalnum() or char == "_"):
        return None
    if char.isascii() and not char.isalpha():
        return r"[0-9A-Za-z_]"
    script = unicodedata.name(char, "").split(" ", 1)[0]
    if script in _UNSPACED:
        return None
    letters = _SCRIPT_CLASSES.get(script)
    # A letter of a script not listed: the same Unicode block of 128 code points.
    if letters is None:
        low = ord(char) & ~0x7F
        letters = f"\\u{low:04x}-\\u{low + 0x7F:04x}" if low <= 0xFFFF else re.escape(char)
    return f"[0-9_{letters}]"


@functools.cache
def _word_pattern(char: str) -> re.Pattern[str] | None:
    pattern = word_class(char)
    return None if pattern is None else re.compile(pattern)


def continues_word(edge: str, neighbour: str) -> bool:
    """Whether ``neighbour``, written right next to ``edge``, is part of the same word."""
    pattern = _word_pattern(edge)
    return pattern is not None and pattern.fullmatch(neighbour) is not None


_Trie: TypeAlias = dict[str, "_Trie"]


def keyword_pattern(
    keywords: Iterable[str], *, word_end: bool = True, spell: Callable[[str], str] = re.escape
) -> str:
    """A regular expression matching any of ``keywords``, shared prefixes written once.

    Python's ``re`` tries the alternatives of ``a|b|c`` one after another at every position,
    so 200 label words cost 200 tests per character; as a trie, a position costs about one
    test per distinct first letter.

    The end-of-word check is inside the pattern, after each keyword's last character, so
    that, when the longest keyword runs into a longer word ("project falcon" in "project
    falconry"), the engine backs off to a shorter one ("project"); the start-of-word check is
    done by the caller, because a look-behind in front would stop ``re`` from skipping ahead
    on the first character. ``word_end=False`` leaves the end check out too: the pattern then
    finds the keywords as prefixes, wherever they stand. ``spell`` writes one character of a
    keyword as a pattern (by default the character itself).
    """
    trie: _Trie = {}
    for keyword in keywords:
        node = trie
        for char in keyword:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(trie, "", word_end, spell)


def _trie_node(node: _Trie, last: str, word_end: bool, spell: Callable[[str], str]) -> str:
    branches = [
        spell(char) + _trie_node(child, char, word_end, spell) for char, child in node.items() if char
    ]
    if "" in node and not word_end:
        branches.append("")
    elif "" in node:
        # The keyword may end here (if the next character does not continue its word) or go
        # on; going on is tried first, so the longest wins.
        after = word_class(last)
        branches.append("" if after is None else f"(?!{after})")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def find_all(text: str, word: str) -> Iterator[int]:
    """Where ``word`` starts in ``text``, overlapping, in order (``str.find`` from each on)."""
    at = text.find(word)
    while at != -1:
        yield at
        at = text.find(word, at + 1)


def merged_windows(windows: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Overlapping windows (given in order of their starts) joined, so that a text full of
    what a window is read around (key ids, digits) is searched once, not once per window."""
    current: tuple[int, int] | None = None
    for low, high in windows:
        if current is not None and low <= current[1]:
            current = (current[0], max(current[1], high))
            continue
        if current is not None:
            yield current
        current = (low, high)
    if current is not None:
        yield current


def reach_back(text: str, end: int, chars: str, limit: int) -> int:
    """Where the run of ``chars`` that ends at ``end`` starts, looking back at most ``limit``.

    ``str.rstrip`` over the window rather than ``re.search(...\\Z)``: ``re`` would try every
    start in the window and read on to its end from each, ``limit`` squared steps per call;
    and rather than a walk in Python, a step per character (39 per IPv6 candidate).
    """
    low = max(0, end - limit)
    window = text[low:end]
    return end - (len(window) - len(window.rstrip(chars)))
