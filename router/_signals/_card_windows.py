"""Payment cards in a long run of digit groups, every window checked at once with numpy.

``_pii`` reads a run of digit groups joined by single spaces or dashes ("4111 1111 1111
1111") group by group: at each group the widest window of up to five groups that is laid
out like a card and passes the card checks wins. In Python that is about 6 us a group, and
a text that is nothing but such groups ("4111 4111 4111 …") has 20,000 of them in 100,000
characters. Here the same windows are judged as arrays: the layout from the group sizes and
separators, the Luhn sum from two prefix sums (a digit is doubled or not depending on its
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


def card_windows(run: str, offset: int, first: int, last: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each card in ``run`` (digit groups joined by one space or dash,
    starting at ``offset`` in the text), reading the groups ``first`` to ``last``
    inclusive (the glued groups at the edges left out) left to right: the widest passing
    window at a group wins and the reading goes on after it."""
    import numpy as np

    raw = np.frombuffer(run.encode("ascii"), dtype=np.uint8)
    digit = raw >= ord("0")
    separators = np.flatnonzero(~digit)
    starts = np.concatenate(([0], separators + 1))
    ends = np.concatenate((separators, [len(run)]))
    # Every separator is one character: a group's first digit is its start less the
    # separators before it.
    offsets = starts - np.arange(len(starts))
    starts, ends, offsets = starts[first : last + 1], ends[first : last + 1], offsets[first : last + 1]
    digits = (raw[digit] - ord("0")).astype(np.int64)
    best = _widest_valid(raw, starts, ends, offsets, digits)
    windows: list[tuple[int, int]] = []
    reached = 0
    for index in np.flatnonzero(best).tolist():
        if index >= reached:
            size = int(best[index])
            windows.append((offset + int(starts[index]), offset + int(ends[index + size - 1])))
            reached = index + size
    return windows


def _widest_valid(
    raw: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    digits: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Per group, the number of groups of the widest valid card window starting there; 0
    where none is valid."""
    import numpy as np

    groups = len(starts)
    sizes = ends - starts
    joins = raw[ends[:-1]]  # the separator after each group but the last
    luhn = _LuhnSums(digits)
    changes = np.concatenate(([0], np.cumsum(digits[1:] != digits[:-1])))
    best = np.zeros(groups, dtype=np.int64)
    for size in range(1, _MAX_GROUPS + 1):
        count = groups - size + 1
        if count <= 0:
            break
        low = offsets[:count]
        high = offsets[size - 1 : size - 1 + count] + sizes[size - 1 : size - 1 + count]
        length = high - low
        ok = (length >= 12) & (length <= 19) & _layout(sizes, joins, size, count)
        # card_number_valid: a 12-digit number only in the Maestro ranges, not one digit
        # repeated, and the Luhn sum.
        lead = digits[np.minimum(low, len(digits) - 1)]
        second = digits[np.minimum(low + 1, len(digits) - 1)]
        maestro = (lead == 6) | ((lead == 5) & ((second == 0) | ((second >= 6) & (second <= 8))))
        ok &= (length != 12) | maestro
        ok &= changes[np.maximum(high - 1, low)] - changes[low] > 0
        ok &= luhn.valid(low, high)
        best[:count] = np.where(ok, size, best[:count])
    return best


def _layout(
    sizes: npt.NDArray[np.int64], joins: npt.NDArray[np.uint8], size: int, count: int
) -> npt.NDArray[np.bool_]:
    """Whether each window of ``size`` groups is laid out as ``_pii._card_layout`` accepts:
    one block, 4-4-…-4 with a last group of 1-4 (three groups or more), 4-6-5 or 4-6-4, with
    one kind of separator throughout."""
    import numpy as np

    if size == 1:
        return np.ones(count, dtype=bool)
    if size == 2:
        return np.zeros(count, dtype=bool)
    same = np.ones(count, dtype=bool)
    for inner in range(1, size - 1):
        same &= joins[inner : inner + count] == joins[:count]
    fours = np.ones(count, dtype=bool)
    for inner in range(size - 1):
        fours &= sizes[inner : inner + count] == 4
    tail = sizes[size - 1 : size - 1 + count]
    shaped = fours & (tail >= 1) & (tail <= 4)
    if size == 3:
        shaped |= (sizes[:count] == 4) & (sizes[1 : 1 + count] == 6) & ((tail == 5) | (tail == 4))
    return same & shaped


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
