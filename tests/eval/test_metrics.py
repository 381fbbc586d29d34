"""APGR and AIQ on hand-checked points."""

from __future__ import annotations

import pytest

from router._eval._metrics import Point, aiq, apgr, nondecreasing_hull

WEAK, STRONG = Point(cost=1.0, quality=0.5), Point(cost=11.0, quality=0.9)


@pytest.mark.parametrize("share", [0.0, 0.3, 0.5, 1.0], ids=["all-weak", "30%", "half", "all-strong"])
def test_apgr_of_a_random_mix_is_one_half(share: float) -> None:
    mix = Point(1.0 + 10.0 * share, 0.5 + 0.4 * share)
    assert apgr(mix, WEAK, STRONG) == pytest.approx(0.5)


def test_apgr_of_strong_quality_at_weak_cost_is_one() -> None:
    assert apgr(Point(1.0, 0.9), WEAK, STRONG) == pytest.approx(1.0)


def test_apgr_clips_a_router_dearer_than_the_strong_model_to_its_cost() -> None:
    assert apgr(Point(50.0, 0.9), WEAK, STRONG) == apgr(STRONG, WEAK, STRONG)


def test_apgr_is_undefined_when_the_best_model_is_also_the_cheapest() -> None:
    assert apgr(Point(1.0, 0.5), Point(1.0, 0.9), Point(1.0, 0.9)) is None


def test_hull_drops_points_under_the_frontier_and_after_the_best_quality() -> None:
    points = [Point(0, 0.2), Point(1, 0.3), Point(2, 0.8), Point(3, 0.9), Point(4, 0.7), Point(2, 0.1)]
    assert nondecreasing_hull(points) == [Point(0, 0.2), Point(2, 0.8), Point(3, 0.9)]


def test_aiq_of_one_free_point_is_its_quality() -> None:
    assert aiq([Point(0.0, 0.6)], c_max=10.0) == pytest.approx(0.6)


def test_aiq_counts_nothing_left_of_the_cheapest_point_and_holds_the_best_flat() -> None:
    # Zero on [0, 5), then 0.8 held to c_max = 10: half the range at 0.8.
    assert aiq([Point(5.0, 0.8)], c_max=10.0) == pytest.approx(0.4)


def test_aiq_integrates_the_segment_between_two_points() -> None:
    # 0.2 -> 0.6 linearly over [0, 10]: mean 0.4.
    assert aiq([Point(0.0, 0.2), Point(10.0, 0.6)], c_max=10.0) == pytest.approx(0.4)
