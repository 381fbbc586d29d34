"""Invisible characters inside a value do not hide it, and findings keep the original offsets."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from router._levels import Sensitivity
from router._signals._invisible import _MARK_RANGES, _RANGES, MARKS, visible
from router._signals._sensitivity import Finding, SensitivityScanner
from router._signals._text import fold_noting_invisible

SCANNER = SensitivityScanner()
_TAG_ASCII = range(0xE0020, 0xE007F)  # folded to the ASCII they spell, not dropped


def _invisible(code: int) -> bool:
    return any(low <= code <= high for low, high in _RANGES)


def test_every_format_character_is_dropped_or_folded() -> None:
    format_characters = [
        code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    ]
    missing = [hex(code) for code in format_characters if not _invisible(code) and code not in _TAG_ASCII]
    assert missing == []


def test_the_marks_taken_off_digits_are_all_combining_marks() -> None:
    codes = [code for low, high in _MARK_RANGES for code in range(low, high + 1)]
    assert {unicodedata.category(chr(code)) for code in codes} <= {"Mn", "Me"}
    assert len(MARKS) == len(codes) - 1  # the combining grapheme joiner is dropped everywhere


def test_text_without_invisible_characters_is_read_as_it_is() -> None:
    for text in ("plain ASCII 4111 1111 1111 1111", "Grüße aus Köln, カード番号"):
        seen = visible(*fold_noting_invisible(text))
        assert seen.text == text
        assert seen.span(3, 9) == (3, 9)


@pytest.mark.parametrize(
    "mark", ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u2063", "\u202c"]
)
@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("4111{m}1111{m}1111{m}1111", "credit_card"),
        ("41{m}11 1111 1111 1111", "credit_card"),
        ("DE89{m}3704{m}0044{m}0532{m}0130{m}00", "iban"),
        ("078-05{m}-1120", "us_ssn"),
        ("jane{m}.doe@example.com", "email"),
        ("AKIA{m}IOSFODNN7EXAMPLE", "api_key"),
    ],
)
def test_a_value_split_by_an_invisible_character_is_found_whole(mark: str, value: str, kind: str) -> None:
    written = value.format(m=mark)
    # The span is the original text's: masking it replaces the value, invisible characters too.
    _found_whole(f"Please check {written} today.", written, kind)


def test_a_value_spelled_in_tag_characters_is_found() -> None:
    hidden = "".join(chr(0xE0000 + ord(char)) for char in "card 4111 1111 1111 1111")
    findings = SCANNER.scan(f"Hello there{hidden}")
    assert [(f.type, f.level) for f in findings] == [("credit_card", Sensitivity.RESTRICTED)]


@given(
    st.lists(
        st.tuples(st.text(alphabet="ab 7", max_size=4), st.sampled_from(["", "\u200b", "\u00ad\u2060"])),
        max_size=12,
    ),
    st.data(),
)
def test_offsets_map_back_to_the_same_characters(pieces: list[tuple[str, str]], data: st.DataObject) -> None:
    text = "é" + "".join(visible_part + invisible for visible_part, invisible in pieces)
    seen = visible(*fold_noting_invisible(text))
    assert seen.text == text.replace("\u200b", "").replace("\u00ad", "").replace("\u2060", "")
    if not seen.text:
        return
    start = data.draw(st.integers(0, len(seen.text) - 1))
    end = data.draw(st.integers(start + 1, len(seen.text)))
    first, last = seen.span(start, end)
    original = text[first:last]
    # The same visible characters, with only invisible ones between them, and none at the edges.
    assert visible(*fold_noting_invisible(original)).text == seen.text[start:end]
    assert not _invisible(ord(original[0]))
    assert not _invisible(ord(original[-1]))


@pytest.mark.parametrize(
    "marks", ["\u0301", "\u0301\u0302", "\u20e3", "\ufe0f\u20e3", "\u200b\u0301"], ids=repr
)
@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("4{m}1{m}11 1111 1111 1111{m}", "credit_card"),
        ("4111{m}-1111-1111-1111", "credit_card"),
        ("DE89 3{m}704 0044 0532 0130 00", "iban"),
        ("078-05-1{m}120", "us_ssn"),
        ("jane@example.com", "email"),  # no digit: the marks stand after the sentence's dot
    ],
)
def test_combining_marks_on_digits_are_read_as_absent(marks: str, value: str, kind: str) -> None:
    written = value.format(m=marks)
    # The marks on the last digit are the value's too: masking replaces them with it.
    _found_whole(f"Please check {written}. {marks}", written, kind)


def test_marks_on_letters_are_kept() -> None:
    text = "Jose\u0301 and Zoe\u0308 wrote 4111 1111 1111 1111"
    seen = visible(*fold_noting_invisible(text))
    assert seen.text == text


def _the_finding(text: str, kind: str) -> Finding:
    """The one finding of ``kind`` in ``text``."""
    findings = [finding for finding in SCANNER.scan(text) if finding.type == kind]
    assert len(findings) == 1
    return findings[0]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("4111&#8203;1111&#8203;1111&#8203;1111", "credit_card"),
        ("4111&#x200B;1111&#x200b;1111&#8203;1111", "credit_card"),
        ("4111&#32;1111&nbsp;1111&#x2d;1111", "credit_card"),
        ("&#52;&#49;&#49;&#49; 1111 1111 1111", "credit_card"),
        ("4&#769;111 1111 1111 1111", "credit_card"),
        ("DE89&#32;3704&#32;0044&#32;0532&#32;0130&#32;00", "iban"),
        ("jane.doe&#64;example.com", "email"),
        ("jane.doe&#x40;example.com", "email"),
        ("jane.doe&commat;example&period;com", "email"),
        ("jane.doe&#64example.com", "email"),
        ("078&#45;05&#45;1120", "us_ssn"),
    ],
)
def test_an_html_character_reference_is_read_as_the_character_it_encodes(value: str, kind: str) -> None:
    text = f"Tom &amp; Jerry: {value} &lt;end&gt;"
    finding = _the_finding(text, kind)
    start = text.index(value)
    assert (finding.start, finding.end) == (start, start + len(value))


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("card%3A4539148803436467", "credit_card"),
        ("4539%201488%200343%206467", "credit_card"),
        ("4539%E2%80%8B1488%E2%80%8B0343%E2%80%8B6467", "credit_card"),
        ("%34%35%33%39148803436467", "credit_card"),
        ("4539\\x201488\\x200343\\x206467", "credit_card"),
        ("4539\\u00201488\\u{20}0343\\U000000206467", "credit_card"),
        ("iban%3DDE89370400440532013000", "iban"),
        ("ssn%3D078-05-1120", "us_ssn"),
        ("password%3Dhunter2xyz", "password"),
        ("jane.doe\\u0040example.com", "email"),
        ("4539\\n1488\\n0343\\n6467", "credit_card"),
        ("4539\\r\\n1488\\r\\n0343\\r\\n6467", "credit_card"),
        # Escapes escaped again: a JSON string inside a JSON string.
        ("4539\\\\u00201488\\\\u00200343\\\\u00206467", "credit_card"),
        ('\\"password\\": \\"Sommer2024', "password"),
    ],
)
def test_a_percent_or_backslash_escape_is_read_as_the_character_it_encodes(value: str, kind: str) -> None:
    # A URL or form body pasted from a log, a JSON or source string: the model reads through
    # the escapes. The finding covers the value with its escapes, not the label before it.
    text = f"GET /pay?{value} HTTP/1.1"
    finding = _the_finding(text, kind)
    start = text.index(value)
    assert start <= finding.start < finding.end == start + len(value)


@pytest.mark.parametrize(
    "text",
    ["up 50%ABC, 100%DE off, 5% 10", "%00 %C3 %80%80 %ED%A0%80", "C:\\users\\x \\u12 \\uD800 \\x0g"],
    ids=repr,
)
def test_what_is_no_escape_is_read_as_written(text: str) -> None:
    assert visible(*fold_noting_invisible(text)).text == text


@pytest.mark.parametrize(
    "text", ["AT&T and R&D", "&unknownname; &#0; &#xD800; &#99999999; &", "a &amp b"], ids=repr
)
def test_what_is_no_character_reference_is_read_as_written(text: str) -> None:
    assert visible(*fold_noting_invisible(text)).text == text


@given(
    st.lists(
        st.sampled_from(
            [
                *("a", "7", " ", "\u0301", "\u200b", "&#55;", "&amp;", "&#8203;", "&#769;", "&#x41"),
                *("%37", "%20", "%E2%80%8B", "%C3%A9", "%C3", "\\u0037", "\\x41", "\\u{200b}", "\\n"),
            ]
        ),
        max_size=16,
    ),
    st.data(),
)
def test_offsets_map_back_over_marks_and_references(pieces: list[str], data: st.DataObject) -> None:
    text = "é" + "".join(pieces)
    seen = visible(*fold_noting_invisible(text))
    start = data.draw(st.integers(0, len(seen.text) - 1))
    end = data.draw(st.integers(start + 1, len(seen.text)))
    first, last = seen.span(start, end)
    # The original characters read the same on their own: no reference cut, no mark left
    # behind or taken without its digit, no invisible character at the edges.
    assert visible(*fold_noting_invisible(text[first:last])).text == seen.text[start:end]
    assert not _invisible(ord(text[first]))
    assert not _invisible(ord(text[last - 1]))


def _found_whole(text: str, written: str, kind: str) -> None:
    """``text`` holds one finding of ``kind``, spanning exactly where ``written`` stands in it."""
    findings = [finding for finding in SCANNER.scan(text) if finding.type == kind]
    assert len(findings) == 1
    start = text.index(written)
    assert (findings[0].start, findings[0].end) == (start, start + len(written))
