"""The backslash escapes, read from one backslash run to the next, are those the pattern
finds over the whole text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from router._signals import _invisible

_PIECES = st.sampled_from(
    [
        "\\", "\\\\", "u", "{", "}", "12", "0041", "x", "4", "n", "q", "U", "0001F600", '"', "'", "/", "t",
        "a" * 70,
    ]
)  # fmt: skip


def _spans(matches: object) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(match.span(), match.groups()) for match in matches]  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_backslash_escapes_are_those_of_the_whole_text_pattern(text: str) -> None:
    expected = _spans(_invisible._BACKSLASH.finditer(text))
    assert _spans(_invisible._backslash_escapes(text)) == expected


def test_a_text_dense_with_backslashes_finds_the_same_escapes() -> None:
    text = '{\\"a\\": \\"\\\\u0034\\q\\\\\\\\n\\"}' * 20
    assert _spans(_invisible._backslash_escapes(text)) == _spans(_invisible._BACKSLASH.finditer(text))
    assert _spans(_invisible._BACKSLASH.finditer(text))
