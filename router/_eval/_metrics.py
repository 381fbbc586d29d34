"""RouteLLM's APGR and RouterBench's AIQ, for points on the cost-quality plane.

**APGR** (average performance gap recovered; Ong et al., "RouteLLM: Learning
to Route LLMs with Preference Data", arXiv:2406.18665, §4, and
``routellm/evals/evaluate.py``): for a router between a weak and a strong
model, PGR = (r(router) - r(weak)) / (r(strong) - r(weak)), and APGR is the
area under PGR against the share of calls sent to the strong model, from 0 to
1. A random mix scores 0.5, the best possible router close to 1. RouteLLM
sweeps a threshold, and its sweep always includes the two ends (all weak, all
strong). A routes file is one operating point, so its curve here is that
point joined to those two ends, (0, weak) - (x, router) - (1, strong), with x
the router's cost placed between the weak and the strong model's cost (the
strong-call share when the two models' prompts cost the same; clipped to
[0, 1]). Weak = the cheapest single model, strong = the best one.

**AIQ** (average improvement in quality; Hu et al., "RouterBench: A Benchmark
for Multi-LLM Routing System", arXiv:2403.12031, §3, and
``evaluation/AIQ.py``): take a router's (cost, quality) points, their
non-decreasing convex hull (mixing two operating points at random reaches
any point on the segment between them; spending more never has to lower
quality), hold the last quality flat up to the largest cost compared, and
AIQ = (1 / c_max) x the area under that curve, which is zero left of the
router's cheapest point. As in RouterBench's code, the cost axis starts at 0
and c_max is the largest cost among everything compared in one report.
RouterBench's "zero router" is that hull over the single models alone. A
routes file is one point, so its curve is the hull of its point together with
the single models (what mixing it with them at random reaches): its AIQ
equals the zero router's unless the point lies above the single-model
frontier, and the difference is what the routing adds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Point:
    cost: float
    quality: float


def apgr(point: Point, weak: Point, strong: Point) -> float | None:
    """RouteLLM's APGR of one operating point; None when the strong model is no better or no dearer."""
    gap = strong.quality - weak.quality
    span = strong.cost - weak.cost
    if gap <= 0 or span <= 0:
        return None
    x = min(1.0, max(0.0, (point.cost - weak.cost) / span))
    area = 0.5 * x * (weak.quality + point.quality) + 0.5 * (1 - x) * (point.quality + strong.quality)
    return (area - weak.quality) / gap


def nondecreasing_hull(points: Sequence[Point]) -> list[Point]:
    """The upper convex hull of the points, from the cheapest to the best one."""
    ordered = sorted(points, key=lambda p: (p.cost, -p.quality))
    hull: list[Point] = []
    for point in ordered:
        if hull and point.cost == hull[-1].cost:
            continue  # same cost, lower quality: never on the upper hull
        while len(hull) >= 2 and _cross(hull[-2], hull[-1], point) >= 0:
            hull.pop()
        hull.append(point)
    best = max(range(len(hull)), key=lambda i: (hull[i].quality, -i))
    return hull[: best + 1]


def _cross(a: Point, b: Point, c: Point) -> float:
    # >= 0: b lies on or below the segment a-c, so it is not on the upper hull.
    return (b.cost - a.cost) * (c.quality - a.quality) - (b.quality - a.quality) * (c.cost - a.cost)


def aiq(points: Sequence[Point], c_max: float) -> float | None:
    """RouterBench's AIQ of a router's operating points over costs [0, c_max]."""
    if c_max <= 0 or not points:
        return None
    hull = nondecreasing_hull(points)
    curve = [*hull, Point(max(c_max, hull[-1].cost), hull[-1].quality)]
    area = 0.0
    for left, right in itertools.pairwise(curve):
        lo, hi = min(left.cost, c_max), min(right.cost, c_max)
        if hi > lo:
            # The segment's quality at the clipped ends, by linear interpolation.
            area += (hi - lo) * (_at(left, right, lo) + _at(left, right, hi)) / 2
    return area / c_max


def _at(left: Point, right: Point, cost: float) -> float:
    if right.cost == left.cost:
        return right.quality
    share = (cost - left.cost) / (right.cost - left.cost)
    return left.quality + share * (right.quality - left.quality)
