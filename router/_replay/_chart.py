"""The estimated cost per model under each routes file, as side-by-side bars (PNG, SVG or PDF)."""

from __future__ import annotations

from pathlib import Path

from router._errors import UsageError
from router._replay._report import ReplayReport


def chart(report: ReplayReport, path: Path | str) -> Path:
    """Draw the chart into ``path``; matplotlib's object API only, no pyplot."""
    from matplotlib.figure import Figure

    target = Path(path)
    models = sorted({share.model for file in report.files for share in file.models})
    if not models:
        raise UsageError("no item of the workload was routed, so there is nothing to draw")
    figure = Figure(figsize=(max(6.0, 0.8 * len(models) + 3), 5.0), layout="constrained")
    axes = figure.add_subplot()
    width = 0.8 / len(report.files)
    for index, file in enumerate(report.files):
        cost = {share.model: share.cost_usd for share in file.models}
        positions = [place + index * width for place in range(len(models))]
        axes.bar(
            positions,
            [cost.get(model, 0.0) for model in models],
            width=width,
            label=f"{file.routes} (${file.cost_usd:,.2f})",
        )
    axes.set_xticks([place + width * (len(report.files) - 1) / 2 for place in range(len(models))], models)
    axes.tick_params(axis="x", labelrotation=45)
    axes.set_ylabel("estimated USD")
    axes.set_title(f"Estimated cost per model: {report.workload} ({report.lines:,} lines)", fontsize=10)
    axes.legend(fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    try:
        figure.savefig(target, dpi=120)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"cannot draw {target}: {exc}; name it FILE.png, FILE.svg or FILE.pdf") from None
    return target
