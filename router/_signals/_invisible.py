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
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Final

__all__ = ["INVISIBLE", "Visible", "visible"]

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


class Visible:
    """A text without its invisible characters, and the way back to the original's offsets."""

    __slots__ = ("_removed", "text")

    def __init__(self, text: str, removed: list[int]) -> None:
        self.text = text
        # For each invisible character, in order, the offset in ``text`` where it stood.
        self._removed = removed

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of ``text[start:end]``, the invisible characters inside included."""
        if not self._removed:
            return start, end
        first = start + bisect.bisect_right(self._removed, start)
        last = end - 1 + bisect.bisect_right(self._removed, end - 1)
        return first, last + 1


def visible(text: str, present: Iterable[str]) -> Visible:
    """``text`` as the detectors read it, without ``present`` (the invisible characters it
    holds); with none present it comes back as it is."""
    chars = sorted(present)
    if not chars:
        return Visible(text, [])
    # Where each one stands, by ``str.find`` (a text holds few, and few kinds): a pattern of
    # them read the whole text in ``re``, six times slower than a find and a replace per kind.
    positions: list[int] = []
    for char in chars:
        at = text.find(char)
        while at != -1:
            positions.append(at)
            at = text.find(char, at + 1)
    positions.sort()
    for char in chars:
        text = text.replace(char, "")
    # The k-th invisible character stood after k others: its offset in the visible text.
    return Visible(text, [position - k for k, position in enumerate(positions)])
