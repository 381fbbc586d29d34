"""Daily spend per model as a stacked bar chart (PNG, SVG or PDF by the file's suffix).

matplotlib (the ``chart`` extra) is imported only here, and only its object API is used (a
``Figure`` with no pyplot): no global backend is switched, so drawing a chart
from the SDK leaves an interactive session alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from router._errors import UsageError
from router._ledger._periods import day_of, days_between
from router._ledger._reports import costs
from router._state._store import Store

_MAX_SERIES = 12


@dataclass(frozen=True)
class ChartSummary:
    path: Path
    days: int
    models: int
    total_usd: float


def chart(
    store: Store,
    path: Path | str,
    *,
    since: float | None = None,
    until: float | None = None,
    include_simulated: bool = False,
) -> ChartSummary:
    """Draw daily spend per model over ``[since, until)`` into ``path``."""
    target = Path(path)
    report = costs(store, since=since, until=until, by=("day", "model"), include_simulated=include_simulated)
    if not report.rows:
        raise UsageError("no calls are recorded in that range, so there is nothing to draw")
    seen = sorted({row.group[0] for row in report.rows})
    # Every day in the span, so a day without calls shows as a gap rather than vanishing.
    days = days_between(day_of(seen[0]), day_of(seen[-1]) + 1)
    spend: dict[str, dict[str, float]] = {}
    for row in report.rows:
        spend.setdefault(row.group[1], {})[row.group[0]] = row.spend_usd
    series = _top(spend)
    _draw(target, days, series, _title(days, report.total.spend_usd, report.lower_bound))
    return ChartSummary(target, len(days), len(spend), report.total.spend_usd)


def _top(spend: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    # Beyond a dozen colours a legend stops being readable: the smallest models share one bar.
    ranked = sorted(spend, key=lambda model: -sum(spend[model].values()))
    if len(ranked) <= _MAX_SERIES:
        return {model: spend[model] for model in ranked}
    kept = {model: spend[model] for model in ranked[: _MAX_SERIES - 1]}
    other: dict[str, float] = {}
    for model in ranked[_MAX_SERIES - 1 :]:
        for day, usd in spend[model].items():
            other[day] = other.get(day, 0.0) + usd
    kept[f"{len(ranked) - _MAX_SERIES + 1} others"] = other
    return kept


def _title(days: list[str], total: float, lower_bound: bool) -> str:
    span = days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"
    bound = " (lower bound: some calls unpriced)" if lower_bound else ""
    return f"Daily spend per model, {span} (UTC): ${total:,.2f}{bound}"


CHART_EXTRA = "pip install 'llm-router[chart]'"


def _draw(target: Path, days: list[str], series: dict[str, dict[str, float]], title: str) -> None:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        # A plain install has no matplotlib: charts are an extra, not a dependency of every user.
        raise UsageError(f"drawing a chart needs matplotlib, which is not installed: {CHART_EXTRA}") from None

    figure = Figure(figsize=(max(6.0, min(0.45 * len(days) + 3, 18.0)), 5.0), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(days)))
    bottom = [0.0] * len(days)
    for model, by_day in series.items():
        heights = [by_day.get(day, 0.0) for day in days]
        axes.bar(positions, heights, bottom=bottom, label=model, width=0.8)
        bottom = [low + height for low, height in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 20)
    axes.set_xticks(positions[::step], [day[5:] if len(days) > 1 else day for day in days[::step]])
    axes.tick_params(axis="x", labelrotation=45)
    axes.set_ylabel("USD")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.grid(axis="y", alpha=0.3)
    try:
        figure.savefig(target, dpi=120)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    except ValueError as exc:  # matplotlib's answer to an unknown suffix
        raise UsageError(f"cannot draw {target}: {exc}; name it FILE.png, FILE.svg or FILE.pdf") from None
