"""Random texts made of pieces, for the tests that hold a fast path to its plain one."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

__all__ = ["lowered_pair", "mixes"]


def mixes(
    seed: int, pieces: Sequence[str], count: int, sizes: tuple[int, int], joiner: str = ""
) -> Iterator[str]:
    """``count`` texts of ``sizes`` pieces each (a random number in that range), joined by ``joiner``."""
    rng = random.Random(seed)
    for _ in range(count):
        yield joiner.join(rng.choice(pieces) for _ in range(rng.randint(*sizes)))


def lowered_pair(text: str) -> tuple[str, str]:
    return text, text.lower()
