"""Street addresses, dates of birth and ages.

Addresses: a house number with a street word, in the US/UK (``12 Main Street``), French,
Spanish, Italian, Portuguese, Polish, Czech and Romanian (``12 Rue Mouffetard``,
``Calle Mayor 5``, ``ul. Narewska 94``, ``náměstí Míru 12``), German, Dutch and Nordic
(``Hauptstraße 5``, ``Keizersgracht 123``, ``Storgatan 12``, ``Karl Johans gate 12``),
Hungarian and Turkish (``Kálmán Imre u. 12.``) formats; apartment, suite and box lines
(``Apt. 478``, ``PSC 0413, Box 8144``); "the corner of X and Y"; and the formats of the
router's other languages, address fields and East Asian addresses (``_streets``).
Dates of birth: a date within a few words after a birth word of any of the router's 30
languages (born, DOB, geboren, né, doğum, 生年月日, 出生, 생년월일, ngày sinh, วันเกิด, ...),
written with digits (12.03.1985, 1985年3月12日, 1985년 3월 12일, 12. 3. 1985) or a month word.
Ages: "42 years old", "aged 42", their equivalents ("42歳", "42살") and the age field of a form
("Возраст: 42").

Every one of them holds a digit, so the scan is driven by the digit runs (``re`` skips to
digits on its own): each run is tried as the start of an address (the number first) and
as its end (the street first), with the words before it read from a slice of at most 60
characters. Text without digits costs one test.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Final

from router._signals._date_words import BIRTH_WORDS as _BIRTH_WORDS
from router._signals._date_words import MONTHS as _MONTHS
from router._signals._digit_runs import digit_led
from router._signals._keyword_search import Family, Within, matches_at
from router._signals._streets import military_addresses, world_address
from router._signals._text import keyword_pattern, lower_same_length

__all__ = ["PLACE_TYPES", "places"]

PLACE_TYPES: Final = ("street_address", "date_of_birth", "age")

Span = tuple[str, int, int]

# A number that may start an address, a birth date or an age: up to six digits at the start
# of a digit run that no letter (but one of a script written without spaces) or digit glues
# to the front of, with an ASCII letter or any non-ASCII character within four characters
# before it ("date de naissance : 12/03/1985", a French colon between spaces) or three after
# it. Every address, birth date and age has one there; a list of numbers ("1 2 3 …",
# "4111 4111 …") has none, and ``re`` skips such a list without a Python step per number.
# The first digit comes first, the look-behinds after it, so that ``re`` can jump from digit
# to digit; the digits are possessive, so a failed look-ahead is not met by a shorter number.
_NEAR: Final = "[A-Za-z\u0080-\U0010ffff]"
# Scripts written without spaces, whose letters run into a number ("建国路88号", "梅田3丁目"):
# Thai, kana, CJK ideographs, Hangul.
_UNSPACED: Final = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_NUMBER: Final = re.compile(
    rf"[0-9](?<![^\W_{_UNSPACED}][0-9])"
    rf"(?:(?:(?<={_NEAR}[0-9])|(?<={_NEAR}[\s\S][0-9])|(?<={_NEAR}[\s\S]{{2}}[0-9])|(?<={_NEAR}[\s\S]{{3}}[0-9]))"
    rf"[0-9]{{0,5}}+"
    rf"|[0-9]{{0,5}}+(?=[\s\S]{{0,2}}{_NEAR}))"
)
_BEFORE: Final = 60
# After each block of this many numbers, above a density of one per ``_DENSE`` characters,
# the block's stretch of text is sampled (``_gates_pay``): where most of its numbers have no
# keyword near, the keywords of the rest of the text are looked up once (``_Keywords``).
_GATED_AFTER: Final = 32
_DENSE: Final = 150
# The share of sampled numbers with no keyword near above which the gates are worth building.
_GATE_WHEN_FREE: Final = 0.5

_STREET_WORD_LIST: Final = (
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
    "court", "ct", "way", "place", "pl", "terrace", "ter", "parkway", "pkwy", "circle", "cir",
    "highway", "hwy", "square", "sq", "trail", "trl", "crescent", "cres", "close", "row", "walk",
    "alley", "loop", "path", "pike", "plaza", "gardens", "grove", "mews", "heights", "estates",
    "junction", "jct", "ridge", "park",
)  # fmt: skip
_STREET_PART: Final = re.compile(r"[^\W\d_]{4,}")


def street_parts(value: str) -> frozenset[str]:
    """The words of a found address that say where it is, lower-cased, without numbers and
    street words: ``"12 Rue Mouffetard"`` gives ``{"mouffetard"}`` (see ``name_parts``)."""
    words = (match.group().lower() for match in _STREET_PART.finditer(value))
    return frozenset(word for word in words if word not in _STREET_WORD_LIST)


# The street words as a trie (``keyword_pattern``), which ``re`` reads in about a third less
# time than their alternation (a test per word, case-insensitively) at each number. It matches
# the same: at most one of the words can be followed by the ``\b`` after them, the trie trying
# the longer first.
_STREET_WORDS: Final = keyword_pattern(_STREET_WORD_LIST, word_end=False)
# Number first. "12 Main Street", "4 N. Elm Ave", "221B Baker Street".
_US_ADDRESS: Final = re.compile(
    rf"[0-9]{{1,6}}[A-Za-z]?(?:[ -][0-9]{{1,4}})?,?\s+(?:[NSEW]\.?\s+)?"
    rf"(?:[A-Z0-9][\w'’.-]*\s+){{0,4}}(?i:{_STREET_WORDS})\b\.?"
)
_ROMANCE_WORDS: Final = (
    "rue", "avenue", "av.", "avenida", "avda", "avda.", "boulevard", "bd", "bld", "chemin", "allée",
    "impasse", "quai", "place", "cours", "calle", "c/", "paseo", "plaza", "praça", "rua", "travessa",
    "largo", "via", "viale", "piazza", "piazzale", "corso", "vicolo", "ul.", "ulica", "al.", "aleja",
    "carrer", "rambla", "camino", "carretera", "ronda", "strada", "calea", "bulevardul", "str.",
    "rynek", "plac", "osiedle", "os.", "náměstí", "nám.", "třída", "nábřeží", "aleea", "șoseaua",
    "soseaua", "splaiul", "piața", "piata",
)  # fmt: skip
_ROMANCE_WORD: Final = re.compile(r"(?<![a-z])" + keyword_pattern(_ROMANCE_WORDS))
# As a trie for the same reason as ``_STREET_WORDS``: the white space after them lets at most
# one of the words match at a place.
_ROMANCE_ALTERNATIVES: Final = keyword_pattern(_ROMANCE_WORDS, word_end=False)
_ROMANCE_NAME: Final = (
    r"(?:(?:de|du|des|del|della|delle|dei|di|da|do|dos|das|la|le|les|los|las|el|d'|l')\s*)*"
    r"[A-ZÀ-Ý0-9][\w'’.-]*(?:\s+(?:de|du|des|del|della|di|da|do|dos|das|la|le|[A-ZÀ-Ý][\w'’.-]*)){0,5}"
)
# "12 Rue Mouffetard", "12, rue de la Paix".
_ROMANCE_NUMBER_FIRST: Final = re.compile(
    rf"[0-9]{{1,5}}[a-zA-Z]?,?\s+(?i:{_ROMANCE_ALTERNATIVES})\s+{_ROMANCE_NAME}"
)
# "Calle Mayor 5", "Rua Cidade de Maracajá 468", "ul. Narewska 94": ends at the number.
_ROMANCE_NUMBER_LAST: Final = re.compile(
    rf"(?<![\w.-])(?i:{_ROMANCE_ALTERNATIVES})\s+{_ROMANCE_NAME},?\s+(?:n[°º.]\s*)?\Z"
)
_GERMANIC_SUFFIXES: Final = (
    "straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer", "chaussee",
    "steig", "pfad", "markt", "straat", "laan", "gracht", "plein", "dijk", "kade", "singel", "steeg",
    "vej", "gade", "vænget", "gatan", "vägen", "väg", "gata", "veien", "vegen", "gate", "vei",
    "stræti", "straeti", "katu", "tie", "kuja",
)  # fmt: skip
# "Hauptstraße 5", "Villacher Strasse 89", "Kálmán Imre u. 12.": ends at the number.
_SEPARATE_WORDS: Final = (
    "straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "u.", "út", "tér", "utca", "körút",
    "köz", "sétány", "rakpart", "sokak", "cadde", "caddesi", "náměstí", "nám.", "třída", "tř.",
    "nábřeží",
)  # fmt: skip
# "Karl Johans gate 12", "Kongens gade 5": the Nordic street word
# apart, after a name in the genitive (no apostrophe: "Heaven's Gate 2" is none).
_GENITIVE_WORDS: Final = (
    "gate", "gata", "gade", "vei", "vej", "väg", "vägen", "veien", "vegen", "allé", "plass", "plads",
    "torg", "torv",
)  # fmt: skip
_STREET_ENDINGS: Final = _GERMANIC_SUFFIXES + _SEPARATE_WORDS + _GENITIVE_WORDS
# Their last two characters (each has two or more): most windows before a number end in
# none of them, which one look-up tells, where ``str.endswith`` compared the 75 in turn.
_STREET_TAILS: Final = frozenset(ending[-2:] for ending in _STREET_ENDINGS)
# "Hauptstraße 5", "Villacher Strasse 89", "Kálmán Imre u. 12.": ends at the number.
_GERMANIC_NUMBER_LAST: Final = re.compile(
    r"(?<![\w-])(?:[^\W\d_][\w'’-]*(?i:"
    + "|".join(re.escape(suffix) for suffix in _GERMANIC_SUFFIXES)
    + r")|[^\W\da-z_][\w'’-]*(?:\s+[^\W\da-z_][\w'’-]*)?\s+(?i:"
    + "|".join(re.escape(word) for word in _SEPARATE_WORDS)
    + r")|(?:[^\W\da-z_][\w'’-]*\s+)?[^\W\da-z_][\w-]*s\s+(?i:"
    + "|".join(re.escape(word) for word in _GENITIVE_WORDS)
    + r"))\s+\Z"
)
# "20789 Allika 46", "0138 Brisas 6802": a postcode, a street name, a house number, as the
# Nordic, Baltic and Latin American formats print them; not a date ("12 April 2014"), nor a
# decimal after it, though a full stop may end the sentence.
_NUMBERED_STREET: Final = re.compile(
    r"[0-9]{3,5}\s+[A-ZÀ-ÞÆØÅ][^\W\d_A-Z]{2,}(?:\s+[A-ZÀ-ÞÆØÅ][^\W\d_A-Z]{2,}){0,2}\s+[0-9]{1,4}"
    r"(?![\w%,:/-]|\.[0-9]|\s*(?:%|percent|per cent|times|years|days|hours|minutes|people|points|km|kg|mi))"
    r"(?<!\s19[0-9]{2})(?<!\s20[0-9]{2})"
)
_AFTER: Final = 120
# What may follow the digits of a house number in the number-first patterns (or white space).
_HOUSE_NUMBER_NEXT: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -,")
# The number-first patterns in the order they are tried: an alternation returns the first
# that matches, as that pattern alone would.
_NUMBER_FIRST: Final = re.compile(
    "|".join(f"(?:{pattern.pattern})" for pattern in (_US_ADDRESS, _ROMANCE_NUMBER_FIRST, _NUMBERED_STREET))
)
# The gates of ``_Keywords``: the words of ``_US_ADDRESS`` (after the white space it puts
# before them), ``_UNIT_BEFORE``, ``_ROMANCE_WORD``/``_ROMANCE_NUMBER_*`` and ``_BIRTH``.
# Read on the lower-cased text, where ``re`` skips to the words' first letters (read
# case-insensitively, it tests every position): ``_Keywords`` turns them off for a text in
# which the lower-cased text and ``re.IGNORECASE`` could disagree.
_STREET_GATE: Final = re.compile(r"\s" + keyword_pattern(_STREET_WORD_LIST, word_end=False))
_UNIT_GATE: Final = re.compile(
    keyword_pattern(
        (
            "apt",
            "apartment",
            "suite",
            "ste",
            "unit",
            "flat",
            "piso",
            "wohnung",
            "appartement",
            "bte",
            "postbox",
            "psc",
            "postfach",
            "postbus",
            "apartado",
            "casella postale",
            "caixa postal",
            "boîte postale",
            "skrytka pocztowa",
        ),
        word_end=False,
    )
    + r"|p\.?\s?o\.?\s+box"
)
_ROMANCE_GATE: Final = re.compile(keyword_pattern(_ROMANCE_WORDS, word_end=False))
# The same words found in the scan's shared keyword pass (``_keyword_search``): where they
# stand tells, without a search over the 60 characters before each number, whether
# ``_ROMANCE_GATE`` (and ``_BIRTH_GATE``) would find one there.
_ROMANCE_FAMILY: Final = Family(_ROMANCE_WORDS)
# Characters that ``re.IGNORECASE`` matches to an ASCII letter of the words and that
# ``str.lower`` leaves alone (or lengthens): long s, Kelvin sign, dotless i, dotted I.
_CASE_ODDITIES: Final = ("\u017f", "\u212a", "\u0131", "\u0130")
# A house number, with its letter ("12a", "5 A") or the flat or orientation number after a
# slash ("ul. Marszałkowska 10/12", "Vinohradská 1234/56"): the whole number is the address.
_HOUSE_NUMBER_TAIL: Final = re.compile(r"[0-9]{1,5}(?:/[0-9]{1,4}(?![0-9]))?(?:\s?[a-zA-Z](?!\w))?\.?")
_UNIT_BEFORE: Final = re.compile(
    r"(?<![\w])(?i:apt|apartment|suite|ste|unit|flat|piso|wohnung|appartement|bte|p\.?\s?o\.?\s+box|postbox|"
    r"psc\s+[0-9]{4},?\s+box|postfach|postbus|apartado|casella\s+postale|caixa\s+postal|boîte\s+postale"
    r"|skrytka\s+pocztowa)\.?\s*#?\s*\Z"
)
# The last letters of the words of ``_UNIT_BEFORE``: apt, suite, unit, flat, piso, wohnung, bte, box,
# and the post boxes of other languages: postfach, postbus, apartado, postale, postal, pocztowa;
# and the long s, which ``re.IGNORECASE`` reads as the "s" of "postbus".
_UNIT_WORD_ENDINGS: Final = frozenset("teogxhsla\u017f")
# The last character before a number that ``_ends_like_a_unit`` can pass, as written or
# lower-cased (``stripped`` in ``_address_ending_at`` is either): a unit word's last letter,
# or the "#" or "." it strips first.
_UNIT_LAST_CHARS: Final = _UNIT_WORD_ENDINGS | {char.upper() for char in _UNIT_WORD_ENDINGS} | {"#", "."}
# The words' last letters as written ("p.o. box" and "psc 1234, box" end in "box").
_UNIT_WORD_TAILS: Final = (
    "apt", "apartment", "suite", "ste", "unit", "flat", "piso", "wohnung", "appartement", "bte", "box",
    "postfach", "postbus", "apartado", "postale", "postal", "pocztowa",
)  # fmt: skip
_CORNER: Final = re.compile(r"(?i:the corner of)\s+[^\n,.]{3,60}?\s+and\s+[^\W\d_][^\n,.]{2,40}")
# Its words read case-insensitively are the lower-cased text's: none of their letters has a
# case-insensitive match beyond its two ASCII cases (as "s" has "ſ" and "k" the Kelvin sign).
_CORNER_FAMILY: Final = Family(("the corner of",))

# A month written as a word of any language after a birth word ("12 марта 1985", "12. března
# 1985", "12 Mart 1985", "1985. március 12."): the birth word says it is a date, so any word
# of letters or marks (Devanagari vowel signs are not letters) may stand for the month.
_MONTH_WORD: Final = r"[^\s0-9.,;:/()]{3,15}"
_DATE: Final = re.compile(
    rf"(?:[0-9]{{1,4}}[./-] ?[0-9]{{1,2}}[./-] ?[0-9]{{2,4}}"
    # East Asian dates: 1985年3月12日, 1985년 3월 12일, 昭和60年3月12日.
    rf"|[0-9]{{1,4}} ?[年년] ?[0-9]{{1,2}} ?[月월] ?[0-9]{{1,2}} ?[日号號일]?"
    rf"|[0-9]{{1,2}}(?:st|nd|rd|th|\.|º|er)?\s+(?:of\s+|de\s+)?"
    rf"(?:{_MONTHS})\.?,?\s+(?:de\s+)?[0-9]{{4}}|(?:{_MONTHS})\.?\s+[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s+[0-9]{{4}}"
    # 03-MAR-1961, 3-Mar-61, 3 Mar 61: the dashed month of database exports and medical records.
    rf"|[0-9]{{1,2}}(?:-(?:{_MONTHS})-|\s(?:{_MONTHS})\.?\s)(?:[0-9]{{4}}|[0-9]{{2}})(?![0-9])"
    rf"|[0-9]{{1,2}}\s+tháng\s+[0-9]{{1,2}},?\s+(?:năm\s+)?[0-9]{{4}}"
    rf"|[0-9]{{1,2}}\.?\s+(?:de\s+)?{_MONTH_WORD}\.?,?\s+(?:de\s+)?[0-9]{{4}}"
    rf"|[0-9]{{4}}\.?\s+{_MONTH_WORD}\s+[0-9]{{1,2}}\.?(?![0-9])"
    # A birthday without its year, with a month by name: "3 March", "March 3rd", "3. März".
    rf"|[0-9]{{1,2}}(?:st|nd|rd|th|\.|º|er)?\s+(?:of\s+|de\s+)?(?:{_MONTHS})(?![^\W\d_])"
    rf"|(?:{_MONTHS})\.?\s+(?:the\s+)?[0-9]{{1,2}}(?:st|nd|rd|th)?(?![0-9]))"
)
_BIRTH: Final = re.compile(r"(?<![a-z])(?P<word>" + keyword_pattern(_BIRTH_WORDS) + r")[^\n0-9]{0,24}?\Z")
# A trie, which finds the longest word at each place as the alternation longest first did.
_BIRTH_GATE: Final = re.compile(keyword_pattern(_BIRTH_WORDS, word_end=False))
_BIRTH_FAMILY: Final = Family(_BIRTH_WORDS)
# At most 24 characters follow the word of ``_BIRTH``: the word starts in the last
# ``_BIRTH_REACH`` characters before the number, and the gate before it reads no further back.
_BIRTH_REACH: Final = 24 + max(map(len, _BIRTH_WORDS))
# The longest word a gate matches, "p. o.  box" with white space: how far back a word that
# a gate's earlier match swallowed can start.
_LONGEST: Final = 16
_DATE_START: Final = re.compile(rf"(?:{_MONTHS})\.?\s+[0-9]", re.IGNORECASE)
# The age suffixes of Japanese, Chinese and Korean ("45歳", "45岁", "45살", "45세"; not "세기",
# a century, or "세대", a generation) stand where "years old" does.
_AGE_AFTER: Final = re.compile(
    r"[0-9]{1,3}(?:[- ]years?[- ]old|\s+jahre\s+alt|-jährige|\s+años de edad|\s+anni di età|"
    r"\s+anos de idade|\s+jaar\s+oud|\s?yaşında|-?vuotias|\s+år\s+gam(?:mal|mel)|"
    r"\s+let\s+star[ýá]|\s?(?:[歳岁歲살]|세(?![기대]))(?![0-9])"
    # The clinical shorthand: "62 y/o male", "45yo", "30 y.o.".
    r"|\s?(?:y/o|y\.o\.|yo)(?![^\W\d_]|-))"
)
_AGE_BEFORE: Final = re.compile(r"(?<![a-z])(?:aged\s+|age\s*:\s*|âgée? de )\Z")
# The Romance languages say a person's age with "to have": "tiene 45 años", "ha 45 anni", "tem
# 45 anos", "il a 45 ans"; "45 años" alone is any span of time ("hace 45 años"), and the
# French "a" only after its pronoun (the Italian "a" is "at": "a 20 anni di distanza").
_AGE_HAVE: Final = re.compile(
    r"(?<![^\W\d_])(?:tiene|tenía|tenia|cumplió|cumple|ha|aveva|compie|compiuto|tem|tinha|fez|completou"
    r"|tengo|tienes|tienen|tenemos|cumplí|ho|hai|hanno|avevo|compio|tenho|tens|têm|fiz"
    r"|(?:il|elle|on) a|j'ai|j’ai|tu as|avait|avons|ont|fête)\s+\Z"
)
_AGE_YEARS: Final = re.compile(r"[0-9]{1,3}\s+(?:años|anni|anos|ans)(?![^\W\d_])")
# "aged 42" in the other languages ("berusia 42", "อายุ 42 ปี") and the age field of a form
# ("Возраст: 42", "年齢：42", "나이: 42"); as in English, "at the age of" ("im Alter von",
# "בגיל") is prose about anyone, and a field's word alone is often a thing's age or lifetime
# ("Alter", "umur"), so it counts only before a colon.
_AGE_PHRASES: Final = ("berusia", "อายุ")
_AGE_LABELS: Final = (
    "возраст", "вік", "възраст", "alter", "edad", "età", "idade", "leeftijd", "wiek", "věk", "alder",
    "ålder", "ikä", "yaş", "életkor", "usia", "umur", "tuổi", "vârsta", "vârstă", "ηλικία", "العمر",
    "سن", "גיל", "आयु", "उम्र", "年齢", "年龄", "나이",
)  # fmt: skip
_AGE_WORDS_BEFORE: Final = re.compile(
    rf"(?<![^\W\d_])(?:{keyword_pattern(_AGE_PHRASES, word_end=False)}\s*"
    rf"|{keyword_pattern(_AGE_LABELS, word_end=False)}\s*:\s*)\Z"
)


def places(text: str) -> Iterator[Span]:
    """Yield ``(type, start, end)`` for every street address, birth date and age in ``text``."""
    if not any(digit in text for digit in "0123456789"):
        return
    lowered = lower_same_length(text)
    covered = seen = 0
    keywords = _Keywords.everywhere()
    words = _WindowWords.of(lowered)
    block = next_sample = 0
    for number in digit_led(_NUMBER, text):
        start, end = number.span()
        if start < covered:
            continue
        seen += 1
        # Finding the words costs about 45 ns a character, the gates save about 6 us a
        # number: worth it where numbers stand closer than one in 150 characters, and most
        # have no keyword near (numbers between letters, "DE89 3704 …"; in addresses and
        # forms most have one, and the gates only cost).
        if keywords.open and seen % _GATED_AFTER == 1:
            block = start  # where the last block of numbers began
        elif keywords.open and seen % _GATED_AFTER == 0 and seen * _DENSE > start and seen >= next_sample:
            if _gates_pay(text, lowered, block, start):
                keywords = _Keywords(text, lowered, max(0, start - _BEFORE - 2 * _LONGEST))
            else:
                next_sample = 4 * seen  # sampled again after three times as many: linear
        # A plain call, not a generator: a number starts or ends one span at most.
        if (found := _at_number(text, lowered, start, end, keywords, words)) is not None:
            covered = max(covered, found[2])
            yield found
    if "corner of" in lowered:
        for match in _corners(text, lowered):
            yield "street_address", match.start(), match.end()
    yield from military_addresses(text, lowered)


def _corners(text: str, lowered: str) -> Iterator[re.Match[str]]:
    """``_CORNER.finditer(text)``, tried only where the lower-cased text reads "the corner of"."""
    found = None if lowered is text else _CORNER_FAMILY.occurrences(lowered)
    if found is None:
        # Lower-cased, the text changed length: ``lowered`` is the text as written.
        return _CORNER.finditer(text)
    return matches_at(_CORNER, text, (start for start, _ in found))


class _WindowWords:
    """Where the Romance street words and the birth words stand in the lower-cased text."""

    def __init__(self, romance: Within, birth: Within) -> None:
        self.romance = romance
        self.birth = birth

    @classmethod
    def of(cls, lowered: str) -> _WindowWords | None:
        romance = _ROMANCE_FAMILY.occurrences(lowered)
        birth = _BIRTH_FAMILY.occurrences(lowered)
        return None if romance is None or birth is None else cls(Within(romance), Within(birth))


def _romance_word_in(before: str, low: int, high: int, words: _WindowWords | None) -> bool:
    """Whether ``_ROMANCE_GATE`` finds a word in ``before``, the text from ``low`` to ``high``."""
    return _ROMANCE_GATE.search(before) is not None if words is None else words.romance.any(low, high)


def _birth_word_in(before: str, low: int, high: int, words: _WindowWords | None) -> bool:
    """Whether ``_BIRTH_GATE`` finds a word in the last ``_BIRTH_REACH`` characters of
    ``before``, the text from ``low`` to ``high``."""
    reach = len(before) - _BIRTH_REACH if len(before) > _BIRTH_REACH else 0
    if words is None:
        return _BIRTH_GATE.search(before, reach) is not None
    return words.birth.any(low + reach, high)


def _gates_pay(text: str, lowered: str, first: int, last: int) -> bool:
    """Whether at least ``_GATE_WHEN_FREE`` of the numbers from ``first`` to ``last`` (the
    last block, at most ``_GATED_AFTER * _DENSE`` characters of it) have no keyword near,
    read from gates over that stretch alone."""
    first = max(first, last - _GATED_AFTER * _DENSE)
    low = max(0, first - _BEFORE - _LONGEST)
    sample = _Keywords(text, lowered, low, min(len(text), last + _AFTER + _LONGEST))
    starts = [
        number.start() for number in _NUMBER.finditer(text, first, last + _AFTER) if number.start() <= last
    ]
    free = sum(1 for start in starts if sample.none_near(start))
    return free >= _GATE_WHEN_FREE * len(starts)


class _Keywords:
    """Where the words that the address and birth-date patterns need stand in the text, found
    in one pass per kind, so that a number with none of them near it costs a look-up, not a
    pattern each (a text of numbers between letters, "DE89 3704 …", cost 9 us per number).

    A gate is a necessary condition only: where it passes, the pattern it guards runs as
    before. Each gate pattern lists the same words as its pattern, read the same way (on the
    lower-cased text, or case-insensitively on the text), without the checks around them, so
    it finds every place the pattern could use; a word starting inside a gate's previous
    match is covered by looking up to ``_LONGEST`` characters further back.
    """

    open = False

    @classmethod
    def everywhere(cls) -> _Keywords:
        """Gates that always pass: where numbers are few, finding the words costs more."""
        keywords = cls.__new__(cls)
        keywords._street = keywords._unit = keywords._romance = keywords._birth = keywords._any = _EVERYWHERE
        keywords.open = True
        return keywords

    def __init__(self, text: str, lowered: str, low: int = 0, high: int | None = None) -> None:
        """The gates for the numbers from ``low + _BEFORE + _LONGEST`` on (to ``high``)."""
        high = len(lowered) if high is None else high
        self._birth = [m.start() for m in _BIRTH_GATE.finditer(lowered, low, high)]
        if lowered is text or (not text.isascii() and any(odd in text for odd in _CASE_ODDITIES)):
            # Case-insensitive patterns could match what the lower-cased text does not hold.
            self._street = self._unit = self._romance = self._any = _EVERYWHERE
            return
        self._street = [m.start() for m in _STREET_GATE.finditer(lowered, low, high)]
        self._unit = [m.start() for m in _UNIT_GATE.finditer(lowered, low, high)]
        self._romance = [m.start() for m in _ROMANCE_GATE.finditer(lowered, low, high)]
        self._any = sorted(self._street + self._unit + self._romance + self._birth)

    def none_near(self, number: int) -> bool:
        """Whether no gate's word stands in any gate's window of the number at ``number``."""
        return not _any_between(self._any, number - _BEFORE - _LONGEST, number + _AFTER)

    def street(self, low: int, high: int) -> bool:
        return _any_between(self._street, low - _LONGEST, high)

    def unit(self, low: int, high: int) -> bool:
        return _any_between(self._unit, low - _LONGEST, high)

    def romance(self, low: int, high: int) -> bool:
        return _any_between(self._romance, low - _LONGEST, high)

    def birth(self, low: int, high: int) -> bool:
        return _any_between(self._birth, low - _LONGEST, high)


_EVERYWHERE: Final[list[int]] = []


def _any_between(positions: list[int], low: int, high: int) -> bool:
    """Whether a position in the sorted ``positions`` lies in ``[low, high)``."""
    if positions is _EVERYWHERE:
        return True
    index = bisect.bisect_left(positions, low)
    return index < len(positions) and positions[index] < high


def _at_number(
    text: str, lowered: str, start: int, end: int, keywords: _Keywords, words: _WindowWords | None
) -> Span | None:
    """The address, birth date or age that begins or ends with the number at ``start``."""
    low = start - _BEFORE if start > _BEFORE else 0  # a conditional costs a third of ``max``
    before = lowered[low:start]
    # Without gates (``open``) every gate passes: their calls (two each) are skipped
    # (``ungated or gate(...)``) rather than made.
    ungated = keywords.open
    if not ungated and keywords.none_near(start):
        return _without_keywords(text, lowered, before, low, start, end)
    if found := _address_ending_at(text, before, low, start, keywords, words):
        return found
    if (found := _address_starting_at(text, start, end, keywords)) is not None:
        return found
    if (
        (ungated or keywords.birth(low, start))
        # The same words, found without a look-behind each, where they can start.
        and _birth_word_in(before, low, start, words)
        and (birth := _BIRTH.search(before)) is not None
        # The month may stand between the word and the number ("born March 3, 1961").
        and (date := _date_at(lowered, low + birth.end("word"), start))
    ):
        return "date_of_birth", date[0], date[1]
    return world_address(text, lowered, before, low, start, end) or _age(lowered, before, start, end)


def _address_starting_at(text: str, start: int, end: int, keywords: _Keywords) -> Span | None:
    """An address whose house number is the number at ``start`` (its digits end at ``end``,
    or six digits on)."""
    following = text[end : end + 1]
    # Each pattern reads at most six digits, then a letter, a space, a dash, a comma or white
    # space: after any other character (or a seventh digit) none of them matches.
    if following not in _HOUSE_NUMBER_NEXT and not following.isspace():
        return None
    if keywords.open:
        # No gates: the three patterns as one, which tries them in the same order.
        match = _NUMBER_FIRST.match(text, start, start + _AFTER)
        return None if match is None else ("street_address", start, match.end())
    for pattern, gate in (
        (_US_ADDRESS, keywords.street),
        (_ROMANCE_NUMBER_FIRST, keywords.romance),
        (_NUMBERED_STREET, None),
    ):
        if gate is not None and not gate(start, start + _AFTER):
            continue
        match = pattern.match(text, start, start + _AFTER)
        if match is not None:
            return "street_address", start, match.end()
    return None


def _without_keywords(text: str, lowered: str, before: str, low: int, start: int, end: int) -> Span | None:
    """``_at_number`` where no gate's word stands near: the patterns that need none of them,
    in the same order."""
    stripped = before.rstrip()
    if (
        stripped[-2:] in _STREET_TAILS
        and stripped.endswith(_STREET_ENDINGS)
        and (match := _germanic_ending_at(text, stripped, low, start))
    ):
        return "street_address", match.start(), _house_number_end(text, start)
    if (match := _NUMBERED_STREET.match(text, start, start + _AFTER)) is not None:
        return "street_address", start, match.end()
    return world_address(text, lowered, before, low, start, end) or _age(lowered, before, start, end)


def _age(lowered: str, before: str, start: int, end: int) -> Span | None:
    # An age has at most three digits, and a letter, a space or a sign after them: a longer
    # run (``end`` is where it ends, or six digits on) holds none of the patterns' ages.
    short = end - start <= 3
    if short and (age := _AGE_AFTER.match(lowered, start, start + 30)) is not None:
        return "age", start, age.end()
    tail = before[-12:]
    # "aged 42", "age: 42", "âgé de 42": no pattern to run without "ag" or "âg".
    if ("ag" in tail or "âg" in tail) and _AGE_BEFORE.search(tail):
        return "age", start, end
    if (
        short
        and (years := _AGE_YEARS.match(lowered, start, start + 12)) is not None
        and _AGE_HAVE.search(tail)
    ):
        return "age", start, years.end()
    # The other languages' words end the tail, or its colon does: no pattern to run otherwise.
    last = tail.rstrip()
    if (last.endswith(":") or last.endswith(_AGE_PHRASES)) and _AGE_WORDS_BEFORE.search(tail):
        return "age", start, end
    return None


def _address_ending_at(
    text: str, before: str, low: int, number: int, keywords: _Keywords, words: _WindowWords | None
) -> Span | None:
    """An address whose street name stands before the house number at ``number``."""
    stripped = before.rstrip()
    if not stripped:
        return None
    if stripped[-2:] in _STREET_TAILS and stripped.endswith(_STREET_ENDINGS):
        match = _germanic_ending_at(text, stripped, low, number)
        if match is not None:
            return "street_address", match.start(), _house_number_end(text, number)
    unit_low = number - 24 if number - 24 > low else low
    ungated = keywords.open
    if (
        (ungated or keywords.unit(unit_low, number))
        # The character ``_ends_like_a_unit`` tests first, read from ``stripped`` (most
        # numbers follow none of them), before its window is cut and stripped again.
        and stripped[-1] in _UNIT_LAST_CHARS
        and _ends_like_a_unit(text[unit_low:number])
        and (unit := _UNIT_BEFORE.search(text, unit_low, number))
    ):
        return "street_address", unit.start(), _house_number_end(text, number)
    if not (ungated or keywords.romance(low, number)) or not _romance_word_in(before, low, number, words):
        return None  # the gate lists the same words without the look-behind that stops ``re`` at each
    word = _ROMANCE_WORD.search(before)
    if word is not None and (match := _ROMANCE_NUMBER_LAST.search(text, low + word.start(), number)):
        return "street_address", match.start(), _house_number_end(text, number)
    return None


def _germanic_ending_at(text: str, stripped: str, low: int, number: int) -> re.Match[str] | None:
    """``_GERMANIC_NUMBER_LAST.search(text, low, number)``, begun at the last three words of
    the window (``stripped`` is ``text[low:number]`` lower-cased, without its trailing white
    space). A match holds at most three words and the white space between them, so it starts
    in them: searched from ``low``, each of the window's word starts was tried with its
    choices of suffix, about 30 us a number (1 ms a 100,000 characters of dense PII text)."""
    words = stripped.rsplit(None, 3)
    start = low + len(words[0]) if len(words) == 4 else low
    return _GERMANIC_NUMBER_LAST.search(text, start, number)


def _ends_like_a_unit(window: str) -> bool:
    """Whether ``window`` could end as ``_UNIT_BEFORE`` needs: with a unit word ("apt",
    "suite", "box"), then an optional ".", white space, "#", white space. Every unit word
    ends in one of ``_UNIT_WORD_ENDINGS``, which hold every character that ``re.IGNORECASE``
    matches to one of them (the long s for "s"); stripping more than the pattern allows only
    lets more windows through to the pattern."""
    stripped = window.rstrip().rstrip("#").rstrip().rstrip(".")
    if stripped[-1:].lower() not in _UNIT_WORD_ENDINGS:
        return False
    # Its last letters too (the pattern's 18 words searched from each of 24 starts cost
    # 4-13 us): where the case oddities stand, the lower-cased text may not spell them.
    return (
        not stripped.isascii() and any(odd in stripped for odd in _CASE_ODDITIES)
    ) or stripped.lower().endswith(_UNIT_WORD_TAILS)


def _house_number_end(text: str, number: int) -> int:
    tail = _HOUSE_NUMBER_TAIL.match(text, number)
    return tail.end() if tail else number


def _date_at(lowered: str, low: int, number: int) -> tuple[int, int] | None:
    """The date that starts at the number (or at the month name just before it)."""
    month = _DATE_START.search(lowered, low, number + 2)
    start = month.start() if month else number
    date = _DATE.match(lowered, start, start + 40)
    return None if date is None else (start, date.end())
