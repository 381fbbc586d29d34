"""The replay's answer, from the merged ``Tally``: per routes file, then between the two.

Costs are estimates with the same prices and token counts as production's decisions: each
item's recorded output length where the workload has one, else its ``max_tokens`` (or
``default_output_tokens``), so they are an upper bound for items without a record.

The band around the cost difference comes from the spread of output lengths: an item's
difference is (prompt-price difference) + (output-price difference) x (output length), and
the output length of an item without a record varies like the recorded ones do (their sample
variance) or, when none is recorded, anywhere between 0 and its max_tokens (variance
max_tokens^2 / 12). The band is the difference +- 1.96 standard deviations of that sum.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict

from router._levels import Sensitivity
from router._replay._tally import CompareTally, Example, FileTally, Tally

_Z95 = 1.96


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Frozen):
    """A kind of outcome, how many items had it, and the first lines that did."""

    what: str
    items: int
    lines: tuple[int, ...] = ()
    ids: tuple[str, ...] = ()


class ModelShare(_Frozen):
    model: str
    items: int
    cost_usd: float
    share: float
    """Of the file's routed items."""


class FileReport(_Frozen):
    """What one routes file would have done to the workload."""

    routes: str
    items: int
    routed: int
    cost_usd: float
    unpriced: int
    """Routed items whose model has no price; ``cost_usd`` is then a lower bound."""
    recorded_output: int
    models: tuple[ModelShare, ...]
    rules: dict[str, int]
    unroutable: tuple[Finding, ...]
    sensitivity: dict[str, int]
    sensitivity_changed: tuple[Finding, ...]
    """Items whose sensitivity sent them elsewhere than they would have gone as public text."""


class Comparison(_Frozen):
    """The new routes file against the old one."""

    routes: str
    against: str
    regressions: tuple[Finding, ...]
    """Items sent to a model with lower clearance than under the old file: shown first."""
    both: int
    changed: int
    moves: tuple[Finding, ...]
    cost_difference_usd: float
    band_usd: tuple[float, float]
    band_basis: str
    became_unroutable: tuple[Finding, ...]
    became_routable: Finding


class Invalid(_Frozen):
    code: str
    lines: int
    examples: tuple[str, ...]


class ReplayReport(_Frozen):
    workload: str
    lines: int
    workers: int
    seconds: float
    invalid: tuple[Invalid, ...]
    files: tuple[FileReport, ...]
    comparison: Comparison | None

    @property
    def regressions(self) -> int:
        return sum(item.items for item in self.comparison.regressions) if self.comparison else 0

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def report(tally: Tally, *, workload: str, routes: list[str], workers: int, seconds: float) -> ReplayReport:
    files = tuple(_file(name, file) for name, file in zip(routes, tally.files, strict=True))
    comparison = None
    if tally.compare is not None:
        comparison = _comparison(tally.compare, tally, routes[0], routes[1])
    invalid = tuple(
        Invalid(code=code, lines=count, examples=tuple(note for _, note in tally.examples.get(code, [])))
        for code, count in tally.invalid.most_common()
    )
    return ReplayReport(
        workload=workload,
        lines=tally.lines,
        workers=workers,
        seconds=round(seconds, 3),
        invalid=invalid,
        files=files,
        comparison=comparison,
    )


def _file(name: str, file: FileTally) -> FileReport:
    models = tuple(
        ModelShare(
            model=model,
            items=count,
            cost_usd=file.model_cost.get(model, 0.0),
            share=count / file.routed if file.routed else 0.0,
        )
        for model, count in file.models.most_common()
    )
    return FileReport(
        routes=name,
        items=file.items,
        routed=file.routed,
        cost_usd=file.cost_usd,
        unpriced=file.unpriced,
        recorded_output=file.recorded_output,
        models=models,
        rules=dict(file.rules.most_common()),
        unroutable=_findings(file.unroutable, file.examples),
        sensitivity=dict(file.sensitivity.most_common()),
        sensitivity_changed=_findings(file.sensitivity_changed, file.examples),
    )


def _comparison(compare: CompareTally, tally: Tally, routes: str, against: str) -> Comparison:
    spread, basis = _spread(compare, tally)
    half = _Z95 * math.sqrt(spread)
    difference = compare.cost_difference_usd
    return Comparison(
        routes=routes,
        against=against,
        regressions=tuple(
            sorted(_findings(compare.regressions, compare.examples), key=_most_sensitive_first)
        ),
        both=compare.both,
        changed=compare.changed,
        moves=_findings(compare.moves, {}),
        cost_difference_usd=difference,
        band_usd=(difference - half, difference + half),
        band_basis=basis,
        became_unroutable=_findings(compare.became_unroutable, compare.examples),
        became_routable=_finding(
            "routable under the new file only", compare.became_routable, compare.examples.get("routable", [])
        ),
    )


def _spread(compare: CompareTally, tally: Tally) -> tuple[float, str]:
    """The variance of the cost difference, and what it rests on."""
    if tally.outputs >= 2:
        mean = tally.output_sum / tally.outputs
        variance = max(0.0, (tally.output_squares - tally.outputs * mean**2) / (tally.outputs - 1))
        basis = (
            f"spread of the {tally.outputs:,} recorded output lengths (sd {math.sqrt(variance):,.0f} tokens)"
        )
        return compare.spread_recorded * variance, basis
    return compare.spread_uniform, "no recorded output lengths: each anywhere from 0 to its max_tokens"


def _most_sensitive_first(finding: Finding) -> tuple[int, int]:
    # Keys read "confidential content: old (clearance) -> new (clearance)".
    level = Sensitivity.parse(finding.what.split(" content:", 1)[0])
    return -level, -finding.items


def _findings(counts: Counter[str], examples: dict[str, list[Example]]) -> tuple[Finding, ...]:
    return tuple(_finding(what, count, examples.get(what, [])) for what, count in counts.most_common())


def _finding(what: str, count: int, examples: list[Example]) -> Finding:
    return Finding(
        what=what,
        items=count,
        lines=tuple(line for line, _ in examples),
        ids=tuple(ident for _, ident in examples),
    )
