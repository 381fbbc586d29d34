"""The policies a routes file is compared with, on the same prompts.

- every single model, and among them the strongest (best mean score; ties to
  the cheaper) and the cheapest (lowest total cost; ties to the better);
- the best single model per task (the model with the best mean score on each
  task, chosen on the evaluated prompts themselves, so it is an upper bound
  of what a perfect task classifier with one model per task could reach);
- random mixes of the cheapest and the strongest model (RouteLLM's random
  router, as its expected value) and a uniformly random model;
- the oracle: per prompt, the cheapest of the models with the best score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from router._eval._metrics import Point
from router._eval._run import Row

RANDOM_SHARES = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class Outcome:
    """What a policy did over the whole dataset."""

    name: str
    kind: str
    quality: float
    """Mean score per prompt (an item no model could take scores 0)."""
    cost_usd: float
    """Total over the dataset."""
    mix: dict[str, int] = field(default_factory=dict)
    """Prompts per model it sent them to (dataset models; routes files also name theirs)."""

    @property
    def point(self) -> Point:
        return Point(self.cost_usd, self.quality)


Pick = Callable[[Row], str]


def pick_outcome(rows: Sequence[Row], name: str, kind: str, pick: Pick) -> Outcome:
    """The outcome of sending each row to the dataset model ``pick`` names."""
    chosen = [pick(row) for row in rows]
    quality = sum(row.scores[model] for row, model in zip(rows, chosen, strict=True)) / len(rows)
    cost = sum(row.costs[model] for row, model in zip(rows, chosen, strict=True))
    return Outcome(name, kind, quality, cost, dict(Counter(chosen)))


def models_of(rows: Sequence[Row]) -> list[str]:
    """The dataset models scored on every row."""
    common = set(rows[0].scores)
    for row in rows[1:]:
        common &= set(row.scores)
    return sorted(common)


def single_models(rows: Sequence[Row]) -> list[Outcome]:
    return [pick_outcome(rows, f"always {model}", "model", always(model)) for model in models_of(rows)]


def always(model: str) -> Pick:
    return lambda _row: model


def strongest(singles: Sequence[Outcome]) -> Outcome:
    return max(singles, key=lambda o: (o.quality, -o.cost_usd))


def cheapest(singles: Sequence[Outcome]) -> Outcome:
    return min(singles, key=lambda o: (o.cost_usd, -o.quality))


def oracle(rows: Sequence[Row], models: Sequence[str]) -> Outcome:
    def best(row: Row) -> str:
        top = max(row.scores[m] for m in models)
        return min((m for m in models if row.scores[m] == top), key=lambda m: (row.costs[m], m))

    return pick_outcome(rows, "oracle (cheapest best model per prompt)", "oracle", best)


def best_per_task(rows: Sequence[Row], models: Sequence[str]) -> Outcome | None:
    """None when the dataset carries no tasks."""
    if all(row.task is None for row in rows):
        return None
    by_task: dict[str | None, list[Row]] = {}
    for row in rows:
        by_task.setdefault(row.task, []).append(row)
    winner = {task: _best_model(group, models) for task, group in by_task.items()}
    return pick_outcome(
        rows, "best model per task (chosen on these prompts)", "per-task", lambda r: winner[r.task]
    )


def _best_model(rows: Sequence[Row], models: Sequence[str]) -> str:
    def key(model: str) -> tuple[float, float]:
        return (sum(r.scores[model] for r in rows), -sum(r.costs[model] for r in rows))

    return max(models, key=key)


def random_mixes(low: Outcome, high: Outcome) -> list[Outcome]:
    """RouteLLM's random router between the cheapest and the strongest model, as expected values."""
    mixes = []
    for share in RANDOM_SHARES:
        cost, quality = _between(low, high, share)
        name = f"random {share:.0%} {_short(high)} / {_short(low)}"
        mixes.append(Outcome(name, "random", quality, cost))
    return mixes


def uniform_random(singles: Sequence[Outcome]) -> Outcome:
    quality = sum(o.quality for o in singles) / len(singles)
    cost = sum(o.cost_usd for o in singles) / len(singles)
    return Outcome("random model (uniform)", "random", quality, cost)


def _between(low: Outcome, high: Outcome, share: float) -> tuple[float, float]:
    return (
        (1 - share) * low.cost_usd + share * high.cost_usd,
        (1 - share) * low.quality + share * high.quality,
    )


def _short(outcome: Outcome) -> str:
    return outcome.name.removeprefix("always ")
