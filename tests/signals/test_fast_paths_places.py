"""The address, birth-date and age detector's fast paths find exactly what its plain paths find.

Where numbers are dense the address and birth-date patterns run only where a keyword they need
stands near the number (``_places._Keywords``, built from a later number on, and only where a
sampled block of numbers says they pay); the unit, street-word and birth-word patterns before
a number run only where a cheaper test says they could match, and the number-first address
patterns run as one alternation; the street words and the birth words are read as tries, and
the birth words only as far back as one can start; the street endings before a number are
searched for from the window's last three words. Each is checked against the plain path on
texts built to hold addresses, birth dates and look-alikes (the other detectors' shortcuts:
``test_fast_paths``).
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from router._signals import _places
from router._signals._text import keyword_pattern
from tests.support.mixes import lowered_pair, mixes

_PLACE_WORDS = (
    "12", "5", "221B", "born", "Rue", "rue", "de", "la", "Paix", "Main", "Street", "St", "apt", "Apt.",
    "PO Box", "P.O. Box", "psc 1234, box", "Calle", "Mayor", "Hauptstraße", "u.", "3 March 1961",
    "aged", "42 years old", "DOB:", "ul.", "Narewska", "\n", ",", "ſt", "KÁLMÁN", "via", "c/", "2024",
    "20789 Allika 46", "né le", "12/03/1961", "Suite", "geboren am", "生年月日：1985年3月12日",
    "Doğum tarihi: 12 Mart 1985", "narozen", "narozen 12. 3. 1985", "Возраст:", "34 yaşında",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_keyword_gates_change_no_address_birth_date_or_age(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    text = " ".join(rng.choice(_PLACE_WORDS) for _ in range(rng.randint(1, 400)))
    monkeypatch.setattr(_places, "_DENSE", 0)  # never gated
    plain = list(_places.places(text))
    monkeypatch.setattr(_places, "_GATED_AFTER", 1)
    monkeypatch.setattr(_places, "_DENSE", 10**9)
    monkeypatch.setattr(_places, "_GATE_WHEN_FREE", 0.0)  # gated from the first number
    assert list(_places.places(text)) == plain
    assert plain or not any(char.isdigit() for char in text)


@pytest.mark.parametrize("seed", range(40))
def test_gates_built_from_a_later_number_on_change_nothing_either(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gates built when a block of numbers has been read cover only the text from there on,
    and, where the sampled block says they would not pay, are not built at all."""
    rng = random.Random(seed)
    text = " ".join(rng.choice(_PLACE_WORDS) for _ in range(rng.randint(1, 400)))
    monkeypatch.setattr(_places, "_DENSE", 0)  # never gated
    plain = list(_places.places(text))
    monkeypatch.setattr(_places, "_GATED_AFTER", rng.randint(2, 40))
    monkeypatch.setattr(_places, "_DENSE", 10**9)
    monkeypatch.setattr(_places, "_GATE_WHEN_FREE", rng.choice((0.0, 0.5, 1.0)))
    assert list(_places.places(text)) == plain


def test_gates_are_built_where_most_numbers_have_no_keyword_near_and_not_where_most_have() -> None:
    assert _places._gates_pay(*lowered_pair("DE89 3704 " * 100), 0, 990)
    assert not _places._gates_pay(*lowered_pair("12 Main Street, apt 5, born 3 March 1961. " * 30), 0, 1200)


@pytest.mark.parametrize("seed", range(10))
def test_the_number_first_patterns_as_one_match_what_the_first_of_them_to_match_does(seed: int) -> None:
    patterns = (_places._US_ADDRESS, _places._ROMANCE_NUMBER_FIRST, _places._NUMBERED_STREET)
    for text in mixes(seed, _PLACE_WORDS, 300, (1, 12), " "):
        for start in (i for i, char in enumerate(text) if char.isdigit()):
            end = start + _places._AFTER
            expected = next(
                (
                    match.end()
                    for pattern in patterns
                    if (match := pattern.match(text, start, end)) is not None
                ),
                None,
            )
            combined = _places._NUMBER_FIRST.match(text, start, end)
            assert (combined and combined.end()) == expected, (text, start)


_STREET_PIECES = (
    *_PLACE_WORDS, "STREET", "Str.", "str", "Avenue", "ave", "AVDA.", "avda", "Avenida", "av.", "Rua",
    "rue", "Ruelle", "C/", "plaza", "Place", "pl", "Plac", "Parkway", "parkways", "ſtreet", "Ct", "ctr",
    "Mayor", "de", "l'", "n°", "nº", "4", "17b", "-", "  ",
)  # fmt: skip


def _with_alternation(pattern: re.Pattern[str], words: tuple[str, ...]) -> re.Pattern[str]:
    """``pattern`` with its trie of ``words`` written back as their alternation, in order."""
    trie = f"(?i:{keyword_pattern(words, word_end=False)})"
    assert trie in pattern.pattern
    return re.compile(pattern.pattern.replace(trie, "(?i:" + "|".join(map(re.escape, words)) + ")"))


@pytest.mark.parametrize("seed", range(10))
def test_street_words_read_as_a_trie_match_what_their_alternation_matches(seed: int) -> None:
    """Only one street (or Romance street) word can be followed by what the pattern asks
    after it (``\\b``, white space), so the trie's order, longest first, is no choice."""
    plain = [
        (_places._US_ADDRESS, _with_alternation(_places._US_ADDRESS, _places._STREET_WORD_LIST)),
        (
            _places._ROMANCE_NUMBER_FIRST,
            _with_alternation(_places._ROMANCE_NUMBER_FIRST, _places._ROMANCE_WORDS),
        ),
    ]
    last = _with_alternation(_places._ROMANCE_NUMBER_LAST, _places._ROMANCE_WORDS)
    for text in mixes(seed, _STREET_PIECES, 300, (1, 12), " "):
        for start in (i for i, char in enumerate(text) if char.isdigit()):
            for trie, alternation in plain:
                found, expected = trie.match(text, start), alternation.match(text, start)
                assert (found and found.end()) == (expected and expected.end()), (text, start)
            found, expected = _places._ROMANCE_NUMBER_LAST.search(text, 0, start), last.search(text, 0, start)
            assert (found and found.span()) == (expected and expected.span()), (text, start)


@pytest.mark.parametrize("seed", range(10))
def test_the_birth_words_as_a_trie_are_found_where_their_alternation_longest_first_finds_them(
    seed: int,
) -> None:
    words = sorted(_places._BIRTH_WORDS, key=len, reverse=True)
    alternation = re.compile("|".join(map(re.escape, words)))
    rng = random.Random(seed)
    for _ in range(300):
        text = "".join(
            rng.choice((*words, "b", "d", "o", "n", "é", " ", "née", "geb", ".")) for _ in range(20)
        )
        expected = [match.span() for match in alternation.finditer(text)]
        assert [match.span() for match in _places._BIRTH_GATE.finditer(text)] == expected, text


_WINDOW_PIECES = (
    "apt", "Apt.", "APT", "suite", "Ste", "unit", "flat", "piso", "Wohnung", "appartement", "bte", "P.O. Box",
    "po  box", "postbox", "psc 1234, box", "#", ".", " ", "  ", "\n", "x", "rue", "Calle", "ul.", "c/",
    "born", "DOB:", "né le", "geb.", "on", "12", "ſt", "KÁLMÁN", "via", "de la", "Возраст", "年齢", ":",
    "berusia", "อายุ", "alter", "ålder", "usia", "age", "suİte", "ſte", "unıt", "\u212a",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_the_tests_before_the_patterns_before_a_number_pass_wherever_the_patterns_match(seed: int) -> None:
    for window in mixes(seed, _WINDOW_PIECES, 500, (0, 8)):
        if _places._UNIT_BEFORE.search(window):
            assert _places._ends_like_a_unit(window), window
        lowered = window.lower()
        if _places._ROMANCE_WORD.search(lowered):
            assert _places._ROMANCE_GATE.search(lowered), window
        if _places._BIRTH.search(lowered):
            assert _places._BIRTH_GATE.search(lowered), window
        tail = lowered[-12:]
        if _places._AGE_WORDS_BEFORE.search(tail):
            last = tail.rstrip()
            assert last.endswith(":") or last.endswith(_places._AGE_PHRASES), window


_GERMANIC_STREET_PIECES = (
    "Hauptstraße", "Villacher", "Strasse", "str.", "Str.", "weg", "Weg", "Kálmán", "Imre", "u.", "utca",
    "Karl", "Johans", "gate", "Kongens", "gade", "Heaven's", "ring", "-", "'", "’", "(", "x", "de",
    "Am", "Ring", "tie", "KATU", "ſtraße", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "12", ",", ".",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_the_street_ending_before_a_number_is_searched_for_from_its_last_three_words(seed: int) -> None:
    """``_germanic_ending_at`` starts the search at the window's last three words: it finds
    the match the search over the whole window finds."""
    for mixed in mixes(seed, _GERMANIC_STREET_PIECES, 1000, (0, 14), " "):
        text = mixed + " 12"
        number = len(text) - 2
        for low in (0, max(0, number - 60), number // 2):
            stripped = text[low:number].lower().rstrip()
            expected = _places._GERMANIC_NUMBER_LAST.search(text, low, number)
            found = _places._germanic_ending_at(text, stripped, low, number)
            assert (found and found.span()) == (expected and expected.span()), (text, low)


@pytest.mark.parametrize("seed", range(10))
def test_the_birth_gate_reads_back_only_as_far_as_a_birth_word_can_start(seed: int) -> None:
    for mixed in mixes(seed, _WINDOW_PIECES, 1000, (0, 24)):
        window = mixed.lower()
        if _places._BIRTH.search(window):
            assert _places._BIRTH_GATE.search(window, max(0, len(window) - _places._BIRTH_REACH)), window


def test_only_the_two_cases_of_a_unit_word_ending_match_it_case_insensitively() -> None:
    """``_ends_like_a_unit`` lower-cases the window's last character and looks it up among
    the unit words' last letters: no other character may match one of them under
    ``re.IGNORECASE``, as the long s matches "s"."""
    endings = re.compile("(?i)[" + "".join(_places._UNIT_WORD_ENDINGS) + "]")
    for code in range(sys.maxunicode + 1):
        if endings.fullmatch(chr(code)):
            assert chr(code).lower() in _places._UNIT_WORD_ENDINGS, hex(code)


_NUMBER_PIECES = (
    "12", "123", "1234", "123456", "1234567", "5", " ", "-", ",", ".", "/", ")", "a", "B", "\t", "\n",
    "years old", " Jahre alt", "años", "歳", "살", "세기", "vuotias", "yaşında", "Main Street",
    "Rue de la Paix", "Allika 46", "Calle", "St.", "\u00a0", "\u2003",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(10))
def test_the_number_tests_before_the_patterns_at_a_number_pass_wherever_the_patterns_match(seed: int) -> None:
    """The number-first addresses need one of ``_HOUSE_NUMBER_NEXT`` or white space after the
    number's digits, the ages at most three digits."""
    for mixed in mixes(seed, _NUMBER_PIECES, 500, (1, 8)):
        text = "x " + mixed
        for number in _places._NUMBER.finditer(text):
            start, end = number.span()
            following = text[end : end + 1]
            if _places._NUMBER_FIRST.match(text, start, start + _places._AFTER):
                assert following in _places._HOUSE_NUMBER_NEXT or following.isspace(), text
            lowered = text.lower()
            if _places._AGE_AFTER.match(lowered, start) or _places._AGE_YEARS.match(lowered, start):
                assert end - start <= 3, text
