"""A worker process collects its young generation less often than CPython's default."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from router._batch._context import YOUNG_COLLECTION_AT, collect_less_often


@pytest.fixture
def saved_threshold() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def test_the_young_threshold_is_raised_and_the_older_ones_are_kept(
    saved_threshold: tuple[int, int, int],
) -> None:
    gc.set_threshold(700, 10, 10)
    collect_less_often()
    assert gc.get_threshold() == (YOUNG_COLLECTION_AT, 10, 10)


def test_a_threshold_set_higher_already_is_not_lowered(saved_threshold: tuple[int, int, int]) -> None:
    gc.set_threshold(YOUNG_COLLECTION_AT * 2, 5, 7)
    collect_less_often()
    assert gc.get_threshold() == (YOUNG_COLLECTION_AT * 2, 5, 7)
