"""The evaluation report: each routes file beside the baselines, with APGR and AIQ."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from router._eval import _baselines as base
from router._eval._baselines import Outcome
from router._eval._metrics import Point, aiq, apgr, nondecreasing_hull
from router._eval._run import Row


@dataclass(frozen=True)
class Line:
    outcome: Outcome
    apgr: float | None
    aiq: float | None


@dataclass(frozen=True)
class RoutesUse:
    """How one routes file spread the prompts: over its own models and rules."""

    name: str
    models: dict[str, int]
    rules: dict[str, int]
    unroutable: int
    stand_ins: dict[str, str]


@dataclass(frozen=True)
class TaskLine:
    """Quality and cost on one task's prompts: each routes file, then the oracle, strongest and cheapest."""

    task: str
    items: int
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class EvalReport:
    dataset: str
    items: int
    weak: str
    strong: str
    lines: tuple[Line, ...]
    """Routes files first, then the baselines."""
    routes: tuple[RoutesUse, ...]
    frontier: tuple[Point, ...]
    """The non-decreasing convex hull of the single models: RouterBench's zero router."""
    zero_router_aiq: float | None
    tasks: tuple[TaskLine, ...] = ()

    def line(self, name: str) -> Line:
        return next(line for line in self.lines if line.outcome.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "items": self.items,
            "weak": self.weak,
            "strong": self.strong,
            "results": [_line_dict(line) for line in self.lines],
            "routes": [vars(use) for use in self.routes],
            "zero_router": {
                "aiq": self.zero_router_aiq,
                "frontier": [{"cost_usd": p.cost, "quality": p.quality} for p in self.frontier],
            },
            "tasks": [
                {
                    "task": t.task,
                    "items": t.items,
                    "results": [
                        {"name": o.name, "quality": o.quality, "cost_usd": o.cost_usd} for o in t.outcomes
                    ],
                }
                for t in self.tasks
            ],
        }


def _line_dict(line: Line) -> dict[str, Any]:
    o = line.outcome
    return {
        "name": o.name,
        "kind": o.kind,
        "quality": o.quality,
        "cost_usd": o.cost_usd,
        "apgr": line.apgr,
        "aiq": line.aiq,
        "mix": o.mix,
    }


def build_report(dataset: str, rows: Sequence[Row], routes_names: Sequence[str]) -> EvalReport:
    """Score each routes file and every baseline on the same rows."""
    models = base.models_of(rows)
    singles = base.single_models(rows)
    weak, strong = base.cheapest(singles), base.strongest(singles)
    per_task = base.best_per_task(rows, models)
    outcomes = [
        *(_routes_outcome(rows, i, name) for i, name in enumerate(routes_names)),
        base.oracle(rows, models),
        strong,
        # One model both cheapest and best leaves nothing to mix.
        *([weak] if weak is not strong else []),
        *([per_task] if per_task else []),
        *(base.random_mixes(weak, strong) if weak is not strong else []),
        base.uniform_random(singles),
        *(o for o in singles if o is not strong and o is not weak),
    ]
    c_max = max(o.cost_usd for o in outcomes)
    models_points = [o.point for o in singles]
    lines = tuple(
        Line(o, apgr(o.point, weak.point, strong.point), aiq([o.point, *models_points], c_max))
        for o in outcomes
    )
    frontier = tuple(nondecreasing_hull(models_points))
    return EvalReport(
        dataset=dataset,
        items=len(rows),
        weak=weak.name.removeprefix("always "),
        strong=strong.name.removeprefix("always "),
        lines=lines,
        routes=tuple(_routes_use(rows, i, name) for i, name in enumerate(routes_names)),
        frontier=frontier,
        zero_router_aiq=aiq(frontier, c_max),
        tasks=_per_task(rows, routes_names, models, weak.name, strong.name),
    )


def _per_task(
    rows: Sequence[Row], routes_names: Sequence[str], models: Sequence[str], weak: str, strong: str
) -> tuple[TaskLine, ...]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.task is not None:
            groups.setdefault(row.task, []).append(row)
    lines = []
    for task, group in sorted(groups.items()):
        outcomes = (
            *(_routes_outcome(group, i, name) for i, name in enumerate(routes_names)),
            base.oracle(group, models),
            *(
                base.pick_outcome(group, name, "model", base.always(name.removeprefix("always ")))
                for name in (strong, weak)
            ),
        )
        lines.append(TaskLine(task, len(group), outcomes))
    return tuple(lines)


def _routes_outcome(rows: Sequence[Row], index: int, name: str) -> Outcome:
    quality = cost = 0.0
    mix: Counter[str] = Counter()
    for row in rows:
        stand_in = row.choices[index].stand_in
        if stand_in is None:
            continue  # no model could take it: no answer, no cost
        quality += row.scores[stand_in]
        cost += row.costs[stand_in]
        mix[stand_in] += 1
    return Outcome(f"routes: {name}", "routes", quality / len(rows), cost, dict(mix))


def _routes_use(rows: Sequence[Row], index: int, name: str) -> RoutesUse:
    choices = [row.choices[index] for row in rows]
    stand_ins = {c.routes_model: c.stand_in for c in choices if c.routes_model and c.stand_in}
    return RoutesUse(
        name=name,
        models=dict(Counter(c.routes_model for c in choices if c.routes_model).most_common()),
        rules=dict(Counter(c.rule for c in choices).most_common()),
        unroutable=sum(c.routes_model is None for c in choices),
        stand_ins=dict(sorted(stand_ins.items())),
    )


# --------------------------------------------------------------------------- text


def render_tasks(report: EvalReport) -> str:
    """Mean score per task of each routes file, the oracle, the strongest and the cheapest model."""
    if not report.tasks:
        return "the dataset carries no tasks"
    names = [_task_column(o.name) for o in report.tasks[0].outcomes]
    body = [[t.task, str(t.items), *(f"{o.quality:.3f}" for o in t.outcomes)] for t in report.tasks]
    return "\n".join(_aligned([["task", "n", *names], *body]))


def _task_column(name: str) -> str:
    if name.startswith("oracle"):
        return "oracle"
    return name.removeprefix("routes: ").removeprefix("always ")


def render(report: EvalReport) -> str:
    """The terminal table: quality, cost, APGR and AIQ per policy, then how each routes file routed."""
    strong_cost = report.line(f"always {report.strong}").outcome.cost_usd
    head = ["policy", "quality", "cost USD", "vs strongest", "APGR", "AIQ"]
    body = [
        [
            line.outcome.name,
            f"{line.outcome.quality:.4f}",
            f"{line.outcome.cost_usd:.4f}",
            f"{line.outcome.cost_usd / strong_cost:.1%}" if strong_cost else "-",
            _num(line.apgr),
            _num(line.aiq),
        ]
        for line in report.lines
    ]
    lines = [
        f"{report.dataset}: {report.items:,} prompts; weak = {report.weak} (cheapest), "
        f"strong = {report.strong} (best)",
        "",
        *_aligned([head, *body]),
        "",
        f"zero router (RouterBench: best random mix of single models) AIQ {_num(report.zero_router_aiq)}",
    ]
    for use in report.routes:
        lines.extend(_render_use(use))
    return "\n".join(lines)


def _render_use(use: RoutesUse) -> list[str]:
    models = ", ".join(
        f"{model} {count} (as {use.stand_ins.get(model, '?')})" for model, count in use.models.items()
    )
    rules = ", ".join(f"{rule} {count}" for rule, count in use.rules.items())
    out = ["", f"{use.name}:", f"  models: {models or 'none'}", f"  rules:  {rules}"]
    if use.unroutable:
        out.append(f"  no model could take {use.unroutable} prompts (scored 0, cost 0)")
    return out


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            text.ljust(widths[i]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(row)
        ).rstrip()
        for row in rows
    ]
