"""What a replay counts, in pieces that add up: each worker tallies its chunks, the parent merges.

Every field is a count, a sum or a bounded list of examples (the lowest line numbers), so a
tally's size does not grow with the workload: a million lines replay in the memory of a few
chunks. Examples carry line numbers and ids only, never text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EXAMPLES = 10
"""Example lines kept per finding (the first ones in the file)."""

Example = tuple[int, str]
"""(line number, item id or a short note)."""


def _merge_examples(mine: dict[str, list[Example]], theirs: dict[str, list[Example]]) -> None:
    for key, examples in theirs.items():
        mine[key] = sorted([*mine.get(key, []), *examples])[:EXAMPLES]


def add_example(examples: dict[str, list[Example]], key: str, example: Example) -> None:
    kept = examples.setdefault(key, [])
    if len(kept) < EXAMPLES or example < kept[-1]:
        kept.append(example)
        kept.sort()
        del kept[EXAMPLES:]


@dataclass
class FileTally:
    """One routes file over the workload."""

    items: int = 0
    routed: int = 0
    cost_usd: float = 0.0
    unpriced: int = 0
    """Routed items whose model has no price (their cost is not in ``cost_usd``)."""
    recorded_output: int = 0
    """Items whose cost uses their recorded output length rather than max_tokens."""
    models: Counter[str] = field(default_factory=Counter)
    model_cost: dict[str, float] = field(default_factory=dict)
    rules: Counter[str] = field(default_factory=Counter)
    unroutable: Counter[str] = field(default_factory=Counter)
    """Why no model may take an item: the rule and each excluded model's failed check."""
    sensitivity: Counter[str] = field(default_factory=Counter)
    """Items per sensitivity level."""
    sensitivity_changed: Counter[str] = field(default_factory=Counter)
    """Items sent elsewhere because of their sensitivity: "level: model if public -> model"."""
    examples: dict[str, list[Example]] = field(default_factory=dict)
    """Example lines per ``unroutable`` and ``sensitivity_changed`` key."""

    def merge(self, other: FileTally) -> None:
        self.items += other.items
        self.routed += other.routed
        self.cost_usd += other.cost_usd
        self.unpriced += other.unpriced
        self.recorded_output += other.recorded_output
        for name in ("models", "rules", "unroutable", "sensitivity", "sensitivity_changed"):
            getattr(self, name).update(getattr(other, name))
        for model, cost in other.model_cost.items():
            self.model_cost[model] = self.model_cost.get(model, 0.0) + cost
        _merge_examples(self.examples, other.examples)


@dataclass
class CompareTally:
    """The new routes file against the old one, item by item."""

    both: int = 0
    """Items both files route, which the cost difference is over."""
    changed: int = 0
    moves: Counter[str] = field(default_factory=Counter)
    """"old model -> new model" for every item that changes model."""
    cost_difference_usd: float = 0.0
    """New minus old, over items both route with priced models."""
    spread_recorded: float = 0.0
    """Sum over items without a recorded output of (output price difference)^2: times the
    variance of the recorded output lengths, the variance of the cost difference."""
    spread_uniform: float = 0.0
    """The same sum weighted by max_tokens^2 / 12 (output length anywhere up to max_tokens), for
    workloads that record no output lengths."""
    became_unroutable: Counter[str] = field(default_factory=Counter)
    """Items the old file routes and the new one cannot, by the new file's reason."""
    became_routable: int = 0
    regressions: Counter[str] = field(default_factory=Counter)
    """Items the new file sends to a model with lower clearance than the old file did, by
    "level content: old model (clearance) -> new model (clearance)"."""
    examples: dict[str, list[Example]] = field(default_factory=dict)
    """Example lines per ``became_unroutable`` and ``regressions`` key, and ``routable``."""

    def merge(self, other: CompareTally) -> None:
        for name in ("both", "changed", "became_routable"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cost_difference_usd += other.cost_difference_usd
        self.spread_recorded += other.spread_recorded
        self.spread_uniform += other.spread_uniform
        for name in ("moves", "became_unroutable", "regressions"):
            getattr(self, name).update(getattr(other, name))
        _merge_examples(self.examples, other.examples)


@dataclass
class Tally:
    """Everything one chunk (or, merged, the whole workload) gave."""

    lines: int = 0
    invalid: Counter[str] = field(default_factory=Counter)
    files: list[FileTally] = field(default_factory=list)
    """One per routes file: the new one first, then the one it is compared against."""
    compare: CompareTally | None = None
    outputs: int = 0
    """Items with a recorded output length, and the sum and sum of squares of those lengths."""
    output_sum: float = 0.0
    output_squares: float = 0.0
    examples: dict[str, list[Example]] = field(default_factory=dict)
    """Example lines per ``invalid`` code (with the message)."""

    def merge(self, other: Tally) -> None:
        self.lines += other.lines
        self.invalid.update(other.invalid)
        if not self.files:
            self.files = [FileTally() for _ in other.files]
            self.compare = CompareTally() if other.compare is not None else None
        for mine, theirs in zip(self.files, other.files, strict=True):
            mine.merge(theirs)
        if self.compare is not None and other.compare is not None:
            self.compare.merge(other.compare)
        self.outputs += other.outputs
        self.output_sum += other.output_sum
        self.output_squares += other.output_squares
        _merge_examples(self.examples, other.examples)
