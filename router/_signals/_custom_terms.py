"""Organisation-specific sensitive terms: keyword lists and regular expressions from config.

All keywords of all terms are compiled into one regular expression shaped as a trie
(``proj(?:ect(?: falcon)?|…)``), matched against the lower-cased text. Python's ``re`` has
no multi-keyword search, and a flat case-insensitive alternation of 10 keywords costs about
130 µs per 1,000 characters; the trie over lower-cased text costs a fraction of that and
grows slowly with the number of keywords. Keywords match on word boundaries: the character
either side of a match must not continue the keyword's word, which is a letter or digit of
the same script (``_text.continues_word``). So "Project Nightingale" is found in
"これはProject Nightingaleです" and in "Проект Project Nightingale", and a keyword in
Japanese or Chinese is found inside a sentence, as those scripts put no spaces between words.

People write a many-word term as a slug, a hashtag, a file or branch name, or wrapped over
two lines: between its words the text may have any run of spaces, line breaks, "_", "-" or
".", or nothing ("project-nightingale", "#ProjectNightingale", "Project\\nNightingale").
A keyword of several words ending in a Latin letter is also found with the plural "s" or
"es" ("Bluebird mergers").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from router._levels import Sensitivity
from router._signals._patterns import SafePattern, compiles, pattern_hazard
from router._signals._text import base_letter, continues_word, fold_accents, keyword_pattern

__all__ = ["CustomTerm", "CustomTermDetector"]

Span = tuple[str, int, int]

_NEVER: Final = re.compile(r"(?!)")
# Up to this many keywords, one substring test each is cheaper than a pass of the pattern.
_FEW_KEYWORDS: Final = 24
# What separates the words of a keyword in config, and what may stand between them in text.
_KEYWORD_GAP: Final = re.compile(r"[\s_-]+")
_TEXT_GAP: Final = r"[\s_.\-]*"
_TEXT_GAPS: Final = re.compile(_TEXT_GAP)


def _key(keyword: str) -> str:
    """The form keywords are looked up by: lower case, without accents or what separates its
    words."""
    return _TEXT_GAPS.sub("", fold_accents(keyword.lower()))


@functools.cache
def _accented(letter: str) -> tuple[str, ...]:
    """The lower-case Latin letters that ``letter`` is with accents: "e" gives é, è, ê, ë, ..."""
    return tuple(chr(code) for code in _LATIN_ACCENTED if base_letter(chr(code)) == letter)


_LATIN_ACCENTED: Final = tuple(
    code for block in (range(0xC0, 0x250), range(0x1E00, 0x1F00)) for code in block if chr(code).islower()
)


_ACCENTED_LETTER: Final = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def _unaccented(text: str) -> bool:
    return text.isascii() or _ACCENTED_LETTER.search(text) is None


def _spell(char: str) -> str:
    """One character of a keyword as a pattern: a letter matches its accented forms too, so
    "Societe Generale" in a text finds the keyword "Société Générale" and the reverse."""
    accented = _accented(char) if char.isascii() and char.isalpha() else ()
    return f"[{char}{''.join(accented)}]" if accented else re.escape(char)


def _spellings(keyword: str) -> tuple[str, ...]:
    """A keyword's words joined by one space, and, for a keyword of several words ending in a
    Latin letter, its plurals (one word alone may be a common word whose plural is another
    thing: "nightingales sing" is not about Nightingale)."""
    keyword = fold_accents(keyword.lower())
    words = " ".join(word for word in _KEYWORD_GAP.split(keyword) if word) or keyword
    last = words[-1]
    latin = unicodedata.name(last, "").startswith("LATIN ")
    return (words, f"{words}s", f"{words}es") if latin and " " in words else (words,)


def _keyword_regex(spellings: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """The trie of the spellings, with a gap of separators or none where a space stands."""
    return re.compile(keyword_pattern(spellings, spell=_spell).replace(re.escape(" "), _TEXT_GAP), flags)


@dataclass(frozen=True)
class CustomTerm:
    """A sensitive term of the organisation: a finding type with its level, found by
    keywords (case-insensitive, whole words) and/or regular expressions (Python ``re`` syntax,
    run on ``regex`` under a time budget: ``_patterns``).

    Invalid input is refused here, at the edge: an empty name, no keyword and no pattern, a
    blank keyword, a pattern that does not compile, that matches the empty string, or that
    could backtrack catastrophically (``_patterns.pattern_hazard``).

    Each pattern is one pass over the text. One that starts with literal text
    (``PRJ-[0-9]{4}``) costs about 4 µs per 1,000 characters, most of it starting the time
    budget's clock; one that starts with ``\\b`` or a character class about 30 µs, as the
    engine can then no longer skip ahead.
    """

    name: str
    level: Sensitivity
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"custom term name must be a non-empty string, got {self.name!r}")
        # Config loaders hand over lists and level names; store them as the declared types.
        object.__setattr__(self, "level", Sensitivity.parse(self.level))
        object.__setattr__(self, "keywords", _strings(self.name, "keywords", self.keywords))
        object.__setattr__(self, "patterns", _strings(self.name, "patterns", self.patterns))
        if not self.keywords and not self.patterns:
            raise ValueError(f"custom term {self.name!r} has no keywords and no patterns; give at least one")
        for pattern in self.patterns:
            _check_pattern(self.name, pattern)


def _strings(name: str, field: str, values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueError(f"custom term {name!r}: {field} must be a list of strings, not one string")
    result = tuple(values)
    for value in result:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(
                f"custom term {name!r}: {field} entries must be non-empty strings, got {value!r}"
            )
    return result


def _check_pattern(name: str, pattern: str) -> None:
    broken = compiles(pattern)
    if broken:
        raise ValueError(f"custom term {name!r}: invalid regular expression {pattern!r}: {broken}")
    if re.fullmatch(pattern, ""):
        raise ValueError(f"custom term {name!r}: pattern {pattern!r} matches the empty string")
    hazard = pattern_hazard(pattern)
    if hazard:
        raise ValueError(f"custom term {name!r}: pattern {pattern!r} could hang the router: {hazard}")


class CustomTermDetector:
    """Finds the keywords and patterns of a set of custom terms."""

    def __init__(self, terms: Sequence[CustomTerm]) -> None:
        self.types: tuple[str, ...] = tuple(dict.fromkeys(term.name for term in terms))
        self._names_by_keyword: dict[str, tuple[str, ...]] = {}
        spellings: dict[str, None] = {}
        for term in terms:
            for keyword in term.keywords:
                for spelling in _spellings(keyword):
                    spellings[spelling] = None
                    key = _key(spelling)
                    names = self._names_by_keyword.get(key, ())
                    if term.name not in names:
                        self._names_by_keyword[key] = (*names, term.name)
        # The fast path's substring tests: each keyword's first word is in any text it is in.
        self._first_words = tuple(dict.fromkeys(spelling.split(" ", 1)[0] for spelling in spellings))
        self._few_keywords = len(self._first_words) <= _FEW_KEYWORDS
        self._lowered = _keyword_regex(spellings) if spellings else _NEVER
        # For the rare text whose lower-casing changes its length ("İ" becomes two characters),
        # offsets in the lower-cased copy would be wrong; scan the original case-insensitively.
        self._ignorecase = _keyword_regex(spellings, re.IGNORECASE) if spellings else _NEVER
        self._patterns = [(term.name, SafePattern(p)) for term in terms for p in term.patterns]

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``(term name, start, end)`` for every keyword and pattern match."""
        if self._names_by_keyword:
            lowered = text.lower()
            if len(lowered) != len(text):
                yield from self._keywords(self._ignorecase, text, text)
            elif not (self._few_keywords and _unaccented(text)) or any(
                word in lowered for word in self._first_words
            ):
                # For a short list, one substring test per keyword is cheaper than the pattern
                # (in text without accented Latin letters: with them, a keyword may be written
                # with accents the substring test would miss).
                yield from self._keywords(self._lowered, lowered, text)
        for name, pattern in self._patterns:
            for start, end in pattern.spans(text):
                yield name, start, end

    def _keywords(self, pattern: re.Pattern[str], haystack: str, text: str) -> Iterator[Span]:
        position = 0
        while match := pattern.search(haystack, position):
            start, end = match.span()
            if start == 0 or not continues_word(haystack[start], haystack[start - 1]):
                names = self._names_by_keyword.get(_key(match.group()))
                for name in self._owners(match.group()) if names is None else names:
                    yield name, start, end
                position = end
            else:
                position = start + 1  # inside a longer word; a real match may still start later

    def _owners(self, matched: str) -> tuple[str, ...]:
        """Term names for a match whose lower-case form is not a dictionary key (Unicode
        case folding can differ from ``str.lower``)."""
        return tuple(
            name
            for key, names in self._names_by_keyword.items()
            if re.fullmatch(re.escape(key), _key(matched), re.IGNORECASE)
            for name in names
        )
