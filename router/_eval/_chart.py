"""The cost-quality plane: single models, their frontier, the baselines and each routes file.

Like the spend chart, this uses matplotlib's object API only (a ``Figure``, no
pyplot), and imports it only when a chart is asked for.
"""

from __future__ import annotations

from pathlib import Path

from router._errors import UsageError
from router._eval._report import EvalReport

_MARKERS = {"routes": "*", "oracle": "P", "model": "o", "per-task": "D", "random": "x"}


def draw(report: EvalReport, path: Path) -> None:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError("--chart needs matplotlib: pip install matplotlib") from None
    figure = Figure(figsize=(9.0, 6.0), layout="constrained")
    axes = figure.add_subplot()
    frontier = report.frontier
    axes.plot(
        [p.cost for p in frontier],
        [p.quality for p in frontier],
        "--",
        color="grey",
        label="single-model frontier",
    )
    for line in report.lines:
        o = line.outcome
        routes = o.kind == "routes"
        axes.scatter(
            [o.cost_usd],
            [o.quality],
            marker=_MARKERS.get(o.kind, "o"),
            s=220 if routes else 40,
            zorder=4 if routes else 3,
            color="crimson" if routes else None,
            label=o.name if o.kind != "model" else None,
        )
        if o.kind == "model":
            axes.annotate(
                o.name.removeprefix("always "),
                (o.cost_usd, o.quality),
                fontsize=7,
                xytext=(4, 4),
                textcoords="offset points",
            )
    axes.set_xlabel("cost over the dataset (USD)")
    axes.set_ylabel("quality (mean score per prompt)")
    axes.set_title(f"{report.dataset}: {report.items:,} prompts", fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="lower right")
    try:
        figure.savefig(path, dpi=120)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"cannot draw {path}: {exc}; name it FILE.png, FILE.svg or FILE.pdf") from None
