"""The fast forms of the label patterns (and of the test for characters past U+FFFF) find what
their plain forms find."""

from __future__ import annotations

import re

import pytest

from router._signals import _identifiers, _phone, _text
from tests.support.mixes import mixes

_JOIN_PIECES = (
    " ", "  ", "\t", "\n", "-", "number", "No.", "nr", "n°", "ID", "code", "номер", "is", "ist", "=>", ":",
    "=", "#", ".", "：", "は", "是", "는", "'", '"', "“", "x", "1", "12", "é", "\u00a0", "es", "era",
    "numéro", "isx",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(10))
def test_the_join_after_a_label_with_possessive_blanks_matches_what_it_matched_without(seed: int) -> None:
    """``_JOIN``'s blanks before its words and signs are possessive: no match gave them back."""
    plain = re.compile(_identifiers._JOIN.pattern.replace("*+", "*"), _identifiers._JOIN.flags)
    for text in mixes(seed, _JOIN_PIECES, 1000, (0, 12)):
        for end in (len(text), 24):
            expected = plain.match(text, 0, end)
            found = _identifiers._JOIN.match(text, 0, end)
            assert (found and found.span()) == (expected and expected.span()), text


_LABEL_PIECES = (
    "order", "invoice", "ref", "tracking", "case", "acct", "sku", "serial", "model", "id", "po", "number",
    "num", "no", "#", ".", ":", " ", "\t", "\n", "\u2028", "\x0b", "x", "1", "no.", "é", "orders", "pid",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(10))
def test_the_id_label_is_searched_for_wherever_it_can_end_the_window(seed: int) -> None:
    for window in mixes(seed, _LABEL_PIECES, 2000, (0, 8)):
        window = window[-24:]
        assert _phone._after_id_label(window) == (_phone._ID_LABEL.search(window) is not None), window


_ASTRAL_PIECES = ("a", "é", "中", "\ud800", "\udfff", "\U0001f600", "\U00010000", "\U0010ffff", "\uffff", " ")


@pytest.mark.parametrize("seed", range(5))
def test_a_text_holds_a_character_past_the_basic_plane_where_re_finds_one(seed: int) -> None:
    astral = re.compile("[\U00010000-\U0010ffff]")
    for text in mixes(seed, _ASTRAL_PIECES, 500, (0, 6)):
        assert _text._has_astral(text) == (astral.search(text) is not None), ascii(text)
