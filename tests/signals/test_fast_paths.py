"""The scan's fast paths find exactly what the plain paths find.

The card windows of a long run of digit groups are judged by numpy (``_card_windows``)
instead of group by group; login pairs are matched only at an "@" that could end their
address; the identifier labels, the token prefixes, the credential names, the titles and
naming cues of scripts without case, and "the corner of" are found in one Aho-Corasick pass
(``_keyword_search``); the titles of scripts without case are read as a trie; the names
before a CJK honorific are read only around the honorifics, which, with the strings some
detectors test for before they run ("-----BEGIN", "AKIA", " dot "), are found in the shared
pass; the name scan takes the capitalised words from one ``finditer``, reads them as runs of
letters, and reads the word before an unknown word only after white space or ".,:?"; the
digit-led patterns are tried only at the starts of the runs of digits (``_digit_runs``),
which numpy finds in long texts, and a pattern over the text marked as bytes in others. Each
is checked against the plain path on texts built to hold the values and their look-alikes.
(The address and birth-date detector's own: ``test_fast_paths_places``.)
"""

from __future__ import annotations

import importlib
import random
import re
import sys
from collections.abc import Iterator

import pytest
from stdnum.exceptions import InvalidLength, ValidationError

from router._signals import (
    _cued_names,
    _digit_runs,
    _emails,
    _honorifics,
    _identifiers,
    _invisible,
    _keyword_search,
    _lower_names,
    _national_ids,
    _people,
    _pii,
    _places,
    _secrets,
)
from router._signals._checksums import luhn_valid
from router._signals._names import name_lists
from router._signals._text import find_all, sharing_lowered
from tests.support.mixes import mixes


def _valid_card(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(15))
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def _digit_groups(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 200)):
        if rng.random() < 0.3:
            card = _valid_card(rng)
            parts.append(
                card if rng.random() < 0.5 else " ".join((card[:4], card[4:8], card[8:12], card[12:]))
            )
        else:
            size = rng.choice((1, 3, 4, 4, 4, 4, 5, 6, 12, 13, 16, 19))
            parts.append(
                "".join(rng.choice("0123456789" if rng.random() < 0.7 else "4") for _ in range(size))
            )
    # One separator throughout or any mix of them, as a card's groups may be joined.
    separators = rng.choice(
        ((" ",), ("-",), (".",), ("\n",), (" - ",), (" ", "-", ".", "/", "_", "\r\n", " / "))
    )
    joined = parts[0] + "".join(rng.choice(separators) + part for part in parts[1:])
    return rng.choice(("", "x", "+", "1.", "a ")) + joined + rng.choice(("", "x", ".5", ",3"))


@pytest.mark.parametrize("seed", range(40))
def test_long_runs_of_digit_groups_yield_the_cards_the_group_by_group_reading_does(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _digit_groups(random.Random(seed))
    first_digit = next(i for i, char in enumerate(text) if char.isdigit())
    run = _pii._CARD_RUN.match(text, first_digit)
    assert run is not None
    monkeypatch.setattr(_pii, "_VECTORISED_RUN", 10**9)
    plain = _pii._cards_in_run(text, run.start(), run.end())
    monkeypatch.setattr(_pii, "_VECTORISED_RUN", 12)
    assert _pii._cards_in_run(text, run.start(), run.end()) == plain


_TITLE_PIECES = (
    *_people._SPACED_TITLES, *_people._THAI_TITLES, "ال", "الس", "السي", "د", "ة", "מ", "ר", "גב", "'",
    '"', "ד", "श्र", "ी", "डॉ", ".", "นาง", "ดร", " ", "a",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(10))
def test_titles_without_case_read_as_a_trie_are_found_where_the_longest_first_list_finds_them(
    seed: int,
) -> None:
    titles = sorted((*_people._SPACED_TITLES, *_people._THAI_TITLES), key=len, reverse=True)
    alternation = re.compile("|".join(map(re.escape, titles)))
    for text in mixes(seed, _TITLE_PIECES, 500, (0, 20)):
        expected = [match.span() for match in alternation.finditer(text)]
        assert [match.span() for match in _people._CASELESS_TITLE.finditer(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 " * 500 + "4111 1111 1111 1111", ("credit_card", 1000, 1019)),
        ("1 " * 500 + "10.0.0.1", ("ip_address", 1000, 1008)),
        ("1 " * 500 + "2001:db8::1", ("ip_address", 1000, 1011)),
    ],
    ids=["card", "ipv4", "ipv6"],
)
def test_a_long_run_of_digit_groups_is_skipped_to_its_last_group_which_is_still_read(
    text: str, expected: tuple[str, int, int]
) -> None:
    assert list(_pii.PiiDetector().find(text)) == [expected]


_LOGIN_PIECES = (
    "a", "B7", "@", "@@", ".", "com", "example.org", " / ", "/", ":", "|", " ", "x1!", "-", "é", "W!nter2024",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_login_pairs_found_at_each_at_sign_are_the_ones_finditer_finds(seed: int) -> None:
    for text in mixes(seed, _LOGIN_PIECES, 500, (0, 60)):
        expected = [match.span() for match in _identifiers._LOGIN_PAIR.finditer(text)]
        assert [match.span() for match in _identifiers._login_pairs(text)] == expected, text


_LABEL_PIECES = (
    "card number", "card", " number", "number", "id", "i", "d", "no", "no.", "said", "passport", "pass",
    "pin", "pinnacle", "#", "n°", "身份证号", "身份", "é", "𝔸", " ", "\n", ":", "x", "7", "driver's licence",
    "паспорт", "номер", "\ud800",
)  # fmt: skip


@pytest.fixture
def shared_pass_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared keyword pass for short texts too, and as within a scan."""
    monkeypatch.setattr(_keyword_search, "SHORTEST", 0)
    monkeypatch.setattr(_keyword_search, "in_scan", lambda: True)


@pytest.mark.usefixtures("shared_pass_everywhere")
@pytest.mark.parametrize("seed", range(20))
def test_labels_matched_where_the_shared_pass_finds_a_label_word_are_the_ones_finditer_finds(
    seed: int,
) -> None:
    rng = random.Random(seed)
    searches = (
        *zip(
            (_identifiers._ID_LABEL, _identifiers._ID_LABEL_OTHER_SCRIPTS),
            _identifiers._ID_SEARCHES,
            strict=True,
        ),
        (_identifiers._PASSWORD_LABEL, _identifiers._PASSWORD_SEARCH),
    )
    for text in mixes(seed, _LABEL_PIECES, 300, (0, 40)):
        low = rng.randint(0, len(text))
        high = rng.choice((None, rng.randint(low, len(text))))
        for pattern, search in searches:
            expected = [
                (m.span(), m.group())
                for m in pattern.finditer(text, low, len(text) if high is None else high)
            ]
            assert [(m.span(), m.group()) for m in search.finditer(text, low, high)] == expected, text


_CASELESS_CUE_PIECES = (
    "السيد", "السيدة", "السي", "الدكتور", "اسمي", "أنا اسمي", "الاسم:", "מר", "גב'", 'ד"ר', "שמי הוא", "שם:",
    "श्री", "श्रीमती", "डॉ.", "मेरा नाम है", "นางสาว", "ดร.", "ชื่อ:", "ผมชื่อ", "我叫", "我的名字是", "姓名：",
    "患者：", "お客様名:", "申します", "이름은", "제 이름은", "성명 :", " ", "\n", ":", "x", "ا", "\ud800",
)  # fmt: skip


@pytest.mark.usefixtures("shared_pass_everywhere")
@pytest.mark.parametrize("seed", range(20))
def test_titles_and_cues_without_case_tried_where_the_shared_pass_finds_one_are_those_finditer_finds(
    seed: int,
) -> None:
    searches = (
        (_people._CASELESS_TITLE, _people._CASELESS_TITLE_SEARCH),
        (_cued_names._CUE, _cued_names._CUE_SEARCH),
    )
    for text in mixes(seed, _CASELESS_CUE_PIECES, 300, (0, 30)):
        for pattern, search in searches:
            expected = [(m.span(), m.group()) for m in pattern.finditer(text)]
            assert [(m.span(), m.group()) for m in search.finditer(text)] == expected, text


_HONORIFIC_PIECES = (
    "様", "さん", "さま", "氏", "先生", "女士", "小姐", "田中", "山", "王", "李小", "カタカナ", "ー",
    "お", "ご", "客", "模様", "先", "生", "女", "小", "さ", "ん", "。", " ", "a", "1", "\n",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_names_before_an_honorific_read_around_the_honorifics_are_those_finditer_finds(seed: int) -> None:
    for text in mixes(seed, _HONORIFIC_PIECES, 500, (0, 30)):
        expected = [m.span() for m in _honorifics._CJK_NAME.finditer(text)]
        found = _honorifics._cjk_names(text, _honorifics._honorifics_at(text))
        assert [m.span() for m in found] == expected, text


@pytest.mark.usefixtures("shared_pass_everywhere")
@pytest.mark.parametrize("seed", range(10))
def test_the_honorifics_found_in_the_shared_pass_are_those_str_find_finds(seed: int) -> None:
    for text in mixes(seed, (*_HONORIFIC_PIECES, "씨", "님", "김민수", " 씨", "\ud800"), 300, (0, 30)):
        expected = {word: list(find_all(text, word)) for word in _honorifics._HONORIFICS}
        found = _honorifics._honorifics_at(text)
        assert found == expected or (found is None and "\ud800" in text), text


_MARKER_PIECES = (
    "-----BEGIN", "-----", "BEGIN", "AKIA", "AKI", "ASIA", ":AA", ":A", "AA", "Bearer", "earer", "Basic",
    "AccountKey=", "AccountKey", " dot ", " DOT ", "dot", " ", "x", "é", "\ud800",
)  # fmt: skip


@pytest.mark.usefixtures("shared_pass_everywhere")
@pytest.mark.parametrize("seed", range(10))
def test_the_markers_found_in_the_shared_pass_are_those_str_finds(seed: int) -> None:
    for text in mixes(seed, _MARKER_PIECES, 300, (0, 12)):
        for markers, words in (
            (_secrets._MARKERS, ("-----BEGIN", "AKIA", "ASIA", ":AA", "earer", "Basic", "AccountKey=")),
            (_emails._MARKERS, (" dot ", " DOT ")),
        ):
            has = markers.of(text)
            assert [has(word) for word in words] == [word in text for word in words], text


_NEAR_NUMBER_PIECES = (
    "rue", "ru", "calle", "c/", "ul.", "via", "viale", "born", "bor", "d.o.b", "né", "née", "geb.", "rynek",
    " ", "\n", "x", "12", "the corner of", "The Corner of", "corner", " and ", "Main", "\ud800", "ſ",
)  # fmt: skip


@pytest.mark.usefixtures("shared_pass_everywhere")
@pytest.mark.parametrize("seed", range(20))
def test_the_words_found_in_the_shared_pass_are_those_the_gates_search_the_window_for(seed: int) -> None:
    rng = random.Random(seed)
    for text in mixes(seed, _NEAR_NUMBER_PIECES, 300, (0, 40)):
        lowered = text.lower()
        words = _places._WindowWords.of(lowered)
        for _ in range(5):
            low = rng.randint(0, len(text))
            high = rng.randint(low, len(text))
            before = lowered[low:high]
            assert _places._romance_word_in(before, low, high, words) == _places._romance_word_in(
                before, low, high, None
            ), (text, low, high)
            assert _places._birth_word_in(before, low, high, words) == _places._birth_word_in(
                before, low, high, None
            ), (text, low, high)
        expected = [m.span() for m in _places._CORNER.finditer(text)]
        assert [m.span() for m in _places._corners(text, lowered)] == expected, text


_TOKEN_PIECES = (
    "sk-", "sk_live_", "rk_test_", "ghp_", "github_pat_", "xox", "hf_", "glpat-", "glc_", "dapi", "SG.",
    "AKIA", "AIza", "eyJ", "abc123XYZ789", "0123456789abcdef", "-", "_", ".", " ", "key", "Token", "SECRET",
    " = ", ": ", '"', "api_", "refresh_", "\ud800",
)  # fmt: skip


@pytest.mark.usefixtures("shared_pass_everywhere")
@pytest.mark.parametrize("seed", range(20))
def test_tokens_and_credential_names_found_in_the_shared_pass_are_those_str_find_finds(seed: int) -> None:
    for text in mixes(seed, _TOKEN_PIECES, 300, (0, 30)):
        by_find = [
            token
            for rare, prefixes in _secrets._TOKEN_PREFIXES
            if rare in text
            for prefix in prefixes
            for token in _secrets._tokens_after(text, prefix)
        ]
        found = _secrets._PREFIX_FAMILY.occurrences(text)
        by_pass = [t for at, _ in found or () if (t := _secrets._token_at(text, at)) is not None]
        if found is not None:
            assert sorted(by_pass) == sorted(by_find), text
        lowered = text.lower()
        endings = _secrets._NAME_ENDING_FAMILY.occurrences(lowered)
        for ending in _secrets._NAME_ENDINGS:
            expected = list(_secrets._starts(lowered, ending, None))
            assert list(_secrets._starts(lowered, ending, endings)) == expected, text


def _names_searched_from_each_end(text: str) -> list[tuple[str, int, int]]:
    """The plain loop of ``_people.names``' capitalised words: a search from where the last
    word (or name) ended."""
    lists, found, position = name_lists(), [], 0
    while match := _people._CAPITALISED.search(text, position):
        start, end = match.span()
        position = end
        word = match.group()
        if word.endswith(_people._POSSESSIVE):
            word, end = word[:-2], end - 2
        if len(word) < 2 or word.isupper() or not _people._is_name(text, start, end, word, lists):
            continue
        position = _people._name_end(text, end)
        found.append(("person", start, position))
    return found


_NAME_PIECES = (
    "Anna", "Maria", "Smith", "Jean-Pierre", "O'Brien", "Müller's", "K.", "J", "NASA", "Dr", "Mr.",
    "Dear", "my name is", "The", "Die", "und", "van", "Paris", "Hong Kong", "GmbH", "Weber", "said",
    "(", ")", '"', ",", ".", "?", ":", "\n", " ", "  ", "1", "Ⓐ", "Über", "Σ",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_names_taken_from_one_finditer_are_the_names_a_search_from_each_end_finds(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        # An ASCII capital at the end, so that the all-lower-case reading does not run; the
        # readings after a label or a cue are passes of their own, after the capitalised one.
        text = " ".join(rng.choice(_NAME_PIECES) for _ in range(rng.randint(0, 30))) + " Lee"
        lists = name_lists()
        expected = _names_searched_from_each_end(text) + list(_lower_names.lower_case_names(text, lists))
        assert list(_people.names(text, lists)) == expected, text


# The capitalised word as a choice per character, as it was written before the runs of
# ``_people._LETTERS``.
_CAPITALISED_BY_CHARACTER = re.compile(
    f"[{_people._capitals()}]" + r"(?<![^\W\d_].)(?:[^\W\d_]|['’-](?=[^\W\d_]))*"
)


@pytest.mark.parametrize("seed", range(10))
def test_capitalised_words_read_as_letter_runs_are_those_read_letter_by_letter(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(2000):
        text = "".join(rng.choice("Aa'’-bZ é1_ Ωω-'Ⅻ") for _ in range(rng.randint(0, 16)))
        expected = [match.span() for match in _CAPITALISED_BY_CHARACTER.finditer(text)]
        assert [match.span() for match in _people._CAPITALISED.finditer(text)] == expected, text


def test_no_character_before_a_capital_but_white_space_and_punctuation_can_end_a_title_or_cue() -> None:
    """The name scan reads the word before an unknown word only after white space or ".,:?":
    any other character there ends that word, and must leave no title or cue after
    lower-casing and the stripping of ".,:?" (every title and cue ends in a letter)."""
    assert all(word[-1].isalpha() for word in _people._TITLES | _people._CUE_ENDINGS)
    letter = re.compile(r"[^\W\d_]")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isspace() or char in ".,:?" or letter.match(char):
            continue
        assert not any(part.isalpha() or part in ".,:?" for part in char.lower()), hex(code)


def _visible_char_by_char(text: str, present: frozenset[str]) -> tuple[str, list[int]]:
    """The plain reading of ``_invisible.visible``: each character kept or dropped in turn,
    a dropped one noting how many were kept before it."""
    kept: list[str] = []
    removed: list[int] = []
    for char in text:
        if char in present:
            removed.append(len(kept))
        else:
            kept.append(char)
    return "".join(kept), removed


@pytest.mark.parametrize("seed", range(20))
def test_invisible_characters_found_by_str_find_are_those_read_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ("4111", " ", "a", "é", "\u200b", "\u00ad", "\u2060", "\ufeff", "\U000e0001", "\u200b\u200b")
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        present = frozenset(char for char in text if char in _invisible.INVISIBLE)
        seen = _invisible.visible(text, present)
        assert (seen.text, seen._removed) == _visible_char_by_char(text, present), text


_DIGIT_PIECES = (
    "1", "12", "123", "4111", "2024", "123.456.789-09", "1990-05-17", " ", "  ", "-", ".", ",", "/", ":", "(",
    ")", "+", "_", "\n", "x", "ab", "AB", "Nr", "カード", "号", "Main", "Street", "DE89", "0x", "١",
    "131052-308T", "311280-888Y", "123456", "1234567",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_digit_led_patterns_tried_at_the_starts_of_digit_runs_match_what_finditer_matches(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_digit_runs, "SHORTEST", 0)
    monkeypatch.setattr(_digit_runs, "SPARSE", 0)  # the walk, however dense the runs
    monkeypatch.setattr(_digit_runs, "in_scan", lambda: True)
    patterns = (_places._NUMBER, _pii._NUMBER_CLUSTER, _national_ids._DIGIT_CANDIDATE, _national_ids._CPF)
    for text in mixes(seed, _DIGIT_PIECES, 300, (0, 60)):
        with sharing_lowered():
            for pattern in patterns:
                expected = [m.span() for m in pattern.finditer(text)]
                assert [m.span() for m in _digit_runs.digit_led(pattern, text)] == expected, (pattern, text)
            for pattern, lengths in (
                (_national_ids._CPF, _national_ids._CPF_RUN),
                (_national_ids._HETU, _national_ids._HETU_RUN),
            ):
                expected = [m.span() for m in pattern.finditer(text)]
                found = [m.span() for m in _digit_runs.digit_led(pattern, text, lengths)]
                assert found == expected, (pattern, text)


_RUN_PIECES = ("1", "12", "0", "9", "x", " ", "١", "٣", "𝟙", "é", "中", "\ud800", "\U0001f600", "/", ":")


@pytest.mark.parametrize("seed", range(20))
def test_the_digit_runs_read_by_numpy_or_as_marked_bytes_start_and_end_where_finditer_finds_them(
    seed: int,
) -> None:
    for text in mixes(seed, _RUN_PIECES, 300, (0, 60)):
        runs = [run.span() for run in _digit_runs._RUN.finditer(text)]
        expected = ([start for start, _ in runs], [end - start for start, end in runs])
        assert tuple(_digit_runs._vector_starts(text)) == expected, text
        assert tuple(_digit_runs._marked_runs(text)) == expected, text


_ID_SHAPE_PIECES = ("1", "2", "12", "0", "9", "X", "Z", "A", "L", "M", "P", "C", "ABCDE", " ", "-", "x")


def _digit_layouts(seed: int, count: int) -> Iterator[str]:
    """Digit groups of the national layouts' sizes and others, joined by a space or a dash."""
    rng = random.Random(seed)
    for _ in range(count):
        sizes = [rng.choice((1, 2, 2, 3, 4, 4, 6, 7, 15, 17, 18)) for _ in range(rng.randint(1, 7))]
        groups = ["".join(rng.choice("0123456789") for _ in range(size)) for size in sizes]
        # One separator throughout, or one per gap (an Aadhaar number's must repeat).
        same = rng.choice((" ", "-")) if rng.random() < 0.5 else None
        joined = groups[0] + "".join((same or rng.choice((" ", "-"))) + group for group in groups[1:])
        yield joined + rng.choice(("", "", "X", "x"))


@pytest.mark.parametrize("seed", range(20))
def test_the_national_shapes_as_one_pattern_match_where_one_of_them_does(seed: int) -> None:
    for value in (*mixes(seed, _ID_SHAPE_PIECES, 1000, (1, 16)), *_digit_layouts(seed, 1000)):
        for union, shapes in (
            (_national_ids._ALNUM_SHAPES, _national_ids._ALNUM_CHECKS),
            (_national_ids._LAYOUTS, _national_ids._LAYOUT_CHECKS),
        ):
            expected = any(shape.fullmatch(value) for shape, _ in shapes)
            assert bool(union.fullmatch(value)) == expected, value


def test_stdnum_checks_the_labelled_national_numbers_at_the_lengths_they_are_tried_at() -> None:
    """``valid_national_number`` tries a value only against the checks of its length: every
    other length must fail stdnum's length test (and these must pass it)."""
    for module, lengths in _national_ids.LABELLED_LENGTHS.items():
        validate = importlib.import_module(f"stdnum.{module}").validate
        passed = set()
        # From eight characters, the values' lengths after a label (shorter, several make
        # format tests that fail on every value, as NIR's "digits from the eighth on", before
        # their length test, so a probe tells nothing).
        for length in range(8, 41):
            # Digits (an NIE opens with X-Z) clear the format tests some make before the length.
            probe = ("X" if module == "es.nie" else "1") + "1" * (length - 1)
            try:
                validate(probe)
            except InvalidLength:
                continue
            except ValidationError:
                pass
            passed.add(length)
        assert passed == {length for length in lengths if length >= 8}, module


@pytest.mark.parametrize("seed", range(10))
def test_a_labelled_value_tried_against_the_checks_of_its_length_is_valid_where_all_say_so(
    seed: int,
) -> None:
    rng = random.Random(seed)
    checks = [check for check, _ in _national_ids._ANY_CHECKS]
    values = [
        "".join(rng.choice("0123456789" if rng.random() < 0.8 else "0123456789ABXZ -.") for _ in range(size))
        for size in (rng.randint(8, 24) for _ in range(2000))
    ]
    values += ["12345678Z", "X1234567L", "RSSMRA85T10A562S", "AFZPK7190K", "2 84 12 76 451 089 46"]
    for value in values:
        compact = re.sub(r"[ .-]", "", value.upper())
        assert _national_ids.valid_national_number(value) == any(check(compact) for check in checks), value


def test_a_detector_run_outside_a_scan_reads_with_its_patterns_not_the_shared_pass() -> None:
    """The pass finds every family's words at once: outside a scan nothing shares it, and a
    detector asking at each stretch it reads would run it hundreds of times."""
    text = "passport number XG9382049 " * 100
    assert _secrets._PREFIX_FAMILY.occurrences(text) is None
    assert list(_identifiers.IdentifierDetector().find(text))[:1] == [("national_id", 16, 25)]
