"""Payment cards in a long run of digit groups, every window checked at once with numpy.

``_pii`` reads a run of digit groups joined by group separators ("4111 1111 1111 1111",
"4111.1111.1111.1111") group by group: at each group the widest window of up to five groups
that is laid out like a card and passes the card checks wins. In Python that is about 6 us a
group, and a text that is nothing but such groups ("4111 4111 4111 …") has 20,000 of them in
100,000 characters. Here the same windows are judged as arrays: the layout from the group
sizes, the Luhn sum from two prefix sums (a digit is doubled or not depending on its
distance from the window's end, so one sum per parity), and only the groups where some
window passes are walked in Python. The result is the same list of windows as the
group-by-group reading; ``_pii`` uses this for long runs only, where it pays for numpy's
set-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["card_windows"]

_MAX_GROUPS: Final = 5
_DOUBLED: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its two digits summed
_BLOCK_GLUE: Final = b"._"  # as ``_pii._BLOCK_GLUE``: a block next to one is not a card


def card_windows(run: str, offset: int, *, glued_first: bool, glued_last: bool) -> list[tuple[int, int]]:
    """``(start, end)`` of each card in ``run`` (ASCII digit groups joined by group
    separators, starting at ``offset`` in the text), read left to right, leaving out the
    first or last group where it is glued to what stands outside the run: the widest
    passing window at a group wins and the reading goes on after it."""
    import numpy as np

    raw = np.frombuffer(run.encode("ascii"), dtype=np.uint8)
    digit = (raw >= ord("0")) & (raw <= ord("9"))
    edges = np.flatnonzero(np.diff(np.concatenate(([False], digit, [False])).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    sizes = ends - starts
    # A group's first digit among the run's digits: the digits of the groups before it.
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    # Whether a dot or an underscore joins each group to the one before or after it in the
    # run, read before the glued edge groups are left out: "1.4111111111111111" (the "1"
    # glued to a decimal point before it) is still the fraction of a decimal.
    glued = _glued_blocks(raw, starts, ends)
    low, high = (1 if glued_first else 0), len(starts) - (1 if glued_last else 0)
    starts, ends, offsets, sizes = (part[low:high] for part in (starts, ends, offsets, sizes))
    glued = glued[low:high]
    if not len(starts):
        return []
    digits = (raw[digit] - ord("0")).astype(np.int64)
    # Per gap between two groups: joined by something other than one space or dash.
    space_or_dash = np.frombuffer(b" -", dtype=np.uint8)
    loose = (starts[1:] - ends[:-1] != 1) | ~np.isin(raw[ends[:-1]], space_or_dash)
    best = _widest_valid(sizes, offsets, glued, np.asarray(loose), digits)
    windows: list[tuple[int, int]] = []
    reached = 0
    for index in np.flatnonzero(best).tolist():
        if index >= reached:
            size = int(best[index])
            windows.append((offset + int(starts[index]), offset + int(ends[index + size - 1])))
            reached = index + size
    return windows


def _glued_blocks(
    raw: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Per group, whether a dot or underscore joins it to the group before or after it."""
    import numpy as np

    glue = np.frombuffer(_BLOCK_GLUE, dtype=np.uint8)
    before = np.isin(raw[np.maximum(starts - 1, 0)], glue)
    before[0] = False
    after = np.isin(raw[np.minimum(ends, len(raw) - 1)], glue)
    after[-1] = False
    return np.asarray(before | after)


def _widest_valid(
    sizes: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    glued: npt.NDArray[np.bool_],
    loose: npt.NDArray[np.bool_],
    digits: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Per group, the number of groups of the widest valid card window starting there; 0
    where none is valid. ``glued`` marks the groups a dot or underscore joins to the next
    or the previous one: alone, such a group is not a card."""
    import numpy as np

    groups = len(sizes)
    luhn = _LuhnSums(digits)
    loose_before = np.concatenate(([0], np.cumsum(loose)))  # loose gaps before each group
    changes = np.concatenate(([0], np.cumsum(digits[1:] != digits[:-1])))
    best = np.zeros(groups, dtype=np.int64)
    for size in range(1, _MAX_GROUPS + 1):
        count = groups - size + 1
        if count <= 0:
            break
        low = offsets[:count]
        high = offsets[size - 1 : size - 1 + count] + sizes[size - 1 : size - 1 + count]
        length = high - low
        ok = (length >= 12) & (length <= 19) & _layout(sizes, size, count)
        if size == 1:
            ok &= ~glued[:count]
        # card_number_valid: a 12-digit number only in the Maestro ranges, not one digit
        # repeated, and the Luhn sum.
        lead = digits[np.minimum(low, len(digits) - 1)]
        second = digits[np.minimum(low + 1, len(digits) - 1)]
        maestro = (lead == 6) | ((lead == 5) & ((second == 0) | ((second >= 6) & (second <= 8))))
        ok &= (length != 12) | maestro
        ok &= changes[np.maximum(high - 1, low)] - changes[low] > 0
        ok &= luhn.valid(low, high)
        # _pii._scheme_prefix, asked only where a gap of the window is loose.
        # Two halves of eight count as loosely joined: two numbers side by side look the same.
        loosely = loose_before[size - 1 : size - 1 + count] - loose_before[:count] > 0
        if size == 2:
            loosely = np.ones(count, dtype=bool)
        ok &= ~loosely | _scheme_prefix(digits, low)
        best[:count] = np.where(ok, size, best[:count])
    return best


def _layout(sizes: npt.NDArray[np.int64], size: int, count: int) -> npt.NDArray[np.bool_]:
    """Whether each window of ``size`` groups is laid out as ``_pii._card_layout`` accepts:
    one block, 4-4-…-4 with a last group of 1-4 (three groups or more), 4-6-5, 4-6-4 or 8-8."""
    import numpy as np

    if size == 1:
        return np.ones(count, dtype=bool)
    if size == 2:
        return np.asarray((sizes[:count] == 8) & (sizes[1 : 1 + count] == 8))
    fours = np.ones(count, dtype=bool)
    for inner in range(size - 1):
        fours &= sizes[inner : inner + count] == 4
    tail = sizes[size - 1 : size - 1 + count]
    shaped = fours & (tail >= 1) & (tail <= 4)
    if size == 3:
        shaped |= (sizes[:count] == 4) & (sizes[1 : 1 + count] == 6) & ((tail == 5) | (tail == 4))
    return np.asarray(shaped)


def _scheme_prefix(digits: npt.NDArray[np.int64], low: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether the number starting at each of ``low`` has a prefix of
    ``_pii._SCHEME_PREFIXES`` (or starts with 4, 5 or 6); every window holds 12 digits or more."""
    import numpy as np

    end = len(digits) - 1
    first, second = digits[np.minimum(low, end)], digits[np.minimum(low + 1, end)]
    four = (
        first * 1000 + second * 100 + digits[np.minimum(low + 2, end)] * 10 + digits[np.minimum(low + 3, end)]
    )
    two = first * 10 + second
    return np.asarray(
        ((first >= 4) & (first <= 6))
        | ((two >= 22) & (two <= 27))
        | np.isin(two, (30, 34, 35, 36, 37, 38, 39, 81, 82))
        | np.isin(four, (8600, 9792, 9860))
    )


class _LuhnSums:
    """Luhn sums of any window of a digit array in constant time: the digits at even and at
    odd indices doubled, each as a prefix sum."""

    def __init__(self, digits: npt.NDArray[np.int64]) -> None:
        import numpy as np

        doubled = np.asarray(_DOUBLED, dtype=np.int64)[digits]
        even = np.arange(len(digits)) % 2 == 0
        self._even = np.concatenate(([0], np.cumsum(np.where(even, doubled, digits))))
        self._odd = np.concatenate(([0], np.cumsum(np.where(even, digits, doubled))))

    def valid(self, low: npt.NDArray[np.int64], high: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Whether each window ``digits[low:high]`` passes the Luhn check."""
        import numpy as np

        # The last digit is not doubled, the one before it is, and so on: where the last
        # index is even, the odd indices are doubled.
        last_even = (high - 1) % 2 == 0
        total = np.where(last_even, self._odd[high] - self._odd[low], self._even[high] - self._even[low])
        return np.asarray(total % 10 == 0)
