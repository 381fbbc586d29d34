"""The military addresses, found around the post offices only, are those the whole-text
pattern finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from router._signals import _streets
from router._signals._text import lower_same_length

# The pieces military addresses and their near misses are made of: unit words, the blanks,
# line breaks and commas between the lines, post offices, states and ZIP codes of 4 to 6
# digits, and the long s that ``re.IGNORECASE`` reads as an "s".
_PIECES = st.sampled_from(
    [
        "USS ", "usns", "psc", "Unit", "cmr", "uscgc", " ", "  ", "\t", "\n", ",", "FPO", "apo", "dpo",
        "fpo", " AE", " aa", " AP", " a", "ae", "12345", "123456", "1234", "9", "x", "Saibara ",
        "\u017f", "é", "Box 12", "  \t  \n   ", "İ",
    ]
)  # fmt: skip


def _whole_text(text: str) -> list[tuple[str, int, int]]:
    return [("street_address", *match.span()) for match in _streets._MILITARY.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_military_addresses_are_those_of_the_whole_text_pattern(text: str) -> None:
    lowered = lower_same_length(text)
    expected = _whole_text(text) if "po a" in lowered else []
    assert list(_streets.military_addresses(text, lowered)) == expected


def test_a_military_address_after_a_long_run_of_blanks_keeps_its_unit_line() -> None:
    text = "x " * 100 + "PSC 1234, Box 5678" + " " * 300 + "\n" + "\t" * 200 + "APO AE 09012 po a"
    assert list(_streets.military_addresses(text, text.lower())) == _whole_text(text)
    assert _whole_text(text)[0][1] == text.index("PSC")


_LABEL_PIECES = st.sampled_from(
    [
        "Adresa", "address", "E-Mail-Adresse", "地址", "адрес", "ip address", " ", "\t", ":", "：", "\n", "x",
        "Václavské náměstí", "12", "@", "/", "lieferadresse", "địa chỉ",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_LABEL_PIECES, max_size=12).map("".join), st.integers(0, 60))
def test_an_address_field_is_searched_for_from_its_last_colon(before: str, back: int) -> None:
    """The label search begins where a label before the last colon could start: it finds
    what the search over the 60 characters before the number finds."""
    text = before + "12 Praha"
    lowered = text.lower()
    start = len(before)
    low = max(0, start - back)
    if ":" not in lowered[low:start] or len(lowered) != len(text):
        return
    found = _streets._labelled(text, lowered, low, start, start + 2)
    label = _streets._ADDRESS_LABEL.search(lowered, low, start)
    if label is None or not _streets._label_stands_alone(text, lowered, label.start()):
        assert found is None
    else:
        assert found is not None
        assert found[1] == label.start("value")
