"""``router costs`` (with ``costs export``) and ``router budgets``.

These read Redis (``ROUTER_REDIS_URL``) or, without it, the embedded store
reloaded from ``$ROUTER_HOME/ledger.jsonl``. Nothing here imports litellm:
reports come from the ledger's running totals and records, and prices (for
``--savings`` only) from the catalogue file.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from router._cli._common import OK, add_routes_option, print_json
from router._errors import UsageError
from router._money import plain, readable
from router._settings import Settings

if TYPE_CHECKING:
    from router._ledger._reports import CostReport, SavingsReport
    from router._state._budgets import BudgetStatus
    from router._state._store import Store

_SINCE_HELP = "start: a span (7d, 24h, 2w), a date (2026-11-01) or an ISO date-time; default: all"
_UNTIL_HELP = "end: a date (included whole), a span or an ISO date-time (excluded); default: now"


def register(commands: Any) -> None:
    costs = commands.add_parser(
        "costs",
        help="spend, calls and tokens per model, day, team, rule, provider or tag",
        description="Report what calls cost, from the ledger's running totals or its records.",
    )
    costs.add_argument("--since", default=None, help=_SINCE_HELP)
    costs.add_argument("--until", default=None, help=_UNTIL_HELP)
    costs.add_argument(
        "--by",
        default="model",
        help="comma-separated: model, day, team, rule, provider, tag, job, outcome, language, sensitivity",
    )
    costs.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="keep only matching calls (repeatable; FIELD=a,b for any of several), e.g. team=research, "
        "job=JOB_ID",
    )
    add_format_options(costs, ("table", "csv", "json"))
    add_simulated_option(costs)
    costs.add_argument("--savings", action="store_true", help="compare with what a baseline model would cost")
    costs.add_argument(
        "--baseline", metavar="MODEL", default=None, help="default: each call's priciest candidate"
    )
    costs.add_argument(
        "--chart", metavar="FILE.png", default=None, help="draw daily spend per model (stacked)"
    )
    add_routes_option(costs)
    costs.set_defaults(handler=_costs)

    sub = costs.add_subparsers(dest="costs_command", metavar="SUBCOMMAND")
    export = sub.add_parser("export", help="write the raw records to FILE.csv or FILE.jsonl")
    # Own destinations: a sub-parser's defaults would overwrite the parent's --since.
    export.add_argument("--since", dest="export_since", default=None, help=_SINCE_HELP)
    export.add_argument("--until", dest="export_until", default=None, help=_UNTIL_HELP)
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.csv or FILE.jsonl")
    export.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_simulated_option(export, dest="export_include_simulated")
    export.set_defaults(handler=_export)

    budgets = commands.add_parser(
        "budgets", help="each budget's spend, limit and remaining amount this period"
    )
    add_format_options(budgets, ("table", "json"))
    add_routes_option(budgets)
    budgets.set_defaults(handler=_budgets)


def add_format_options(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--format", choices=formats, default="table")
    parser.add_argument(
        "--json", dest="format", action="store_const", const="json", help="the same as --format json"
    )


def add_simulated_option(parser: argparse.ArgumentParser, *, dest: str = "include_simulated") -> None:
    parser.add_argument(
        "--include-simulated",
        dest=dest,
        action="store_true",
        help="count simulated calls too (ROUTER_SIMULATE, the embedded demo); left out by default",
    )


def _store(settings: Settings) -> Store:
    from router._state._store import Store, StoreSettings

    return Store(StoreSettings.from_settings(settings))


def _range(since: str | None, until: str | None) -> tuple[float | None, float | None]:
    from router._ledger._periods import parse_since, parse_until

    start = parse_since(since) if since else None
    end = parse_until(until) if until else None
    if start is not None and end is not None and start >= end:
        raise UsageError(f"--since ({since}) is not before --until ({until})")
    return start, end


def _where(items: Sequence[str]) -> dict[str, tuple[str, ...]]:
    filters: dict[str, tuple[str, ...]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--where {item!r} is not FIELD=VALUE, e.g. --where team=research")
        filters[name.strip()] = filters.get(name.strip(), ()) + tuple(v.strip() for v in value.split(","))
    return filters


# --------------------------------------------------------------------------- costs


def _costs(args: argparse.Namespace, settings: Settings) -> int:
    since, until = _range(args.since, args.until)
    store = _store(settings)
    if args.chart:
        from router._ledger._chart import chart

        summary = chart(store, args.chart, since=since, until=until, include_simulated=args.include_simulated)
        if args.format == "json":
            print_json({**asdict(summary), "path": str(summary.path)})
        else:
            print(
                f"wrote {summary.path}: {summary.days} days, {summary.models} models, "
                f"{readable(summary.total_usd)}"
            )
        return OK
    if args.savings:
        return _savings(args, settings, store, since, until)
    from router._ledger._reports import costs

    report = costs(
        store,
        since=since,
        until=until,
        by=args.by.split(","),
        filters=_where(args.where),
        include_simulated=args.include_simulated,
    )
    if args.format == "json":
        print_json(report.model_dump(mode="json"))
    elif args.format == "csv":
        _costs_csv(report)
    else:
        print(_costs_table(report))
    return OK


def _costs_table(report: CostReport) -> str:
    head = [*report.by, "spend_usd", "share", "calls", "prompt_tokens", "completion_tokens", "mean_usd"]
    body = [
        [
            *(value or "-" for value in row.group),
            f"{row.spend_usd:.6f}",
            f"{row.share:.1%}",
            f"{row.calls:,}",
            f"{row.prompt_tokens:,}",
            f"{row.completion_tokens:,}",
            f"{row.mean_cost_usd:.6f}",
        ]
        for row in report.rows
    ]
    t = report.total
    total = ["total", *([""] * (len(report.by) - 1))]
    total += [f"{t.spend_usd:.6f}", "100.0%" if t.spend_usd else "-", f"{t.calls:,}"]
    total += [f"{t.prompt_tokens:,}", f"{t.completion_tokens:,}", f"{t.mean_cost_usd:.6f}"]
    lines = _aligned([head, *body, total], numeric_from=len(report.by))
    lines.append(f"{_span(report.since, report.until)}; from the {_source(report.source)}")
    if report.lower_bound:
        lines.append(f"(lower bound: {report.unpriced_calls:,} unpriced calls)")
    if report.lost_calls:
        lines.append(
            f"(uncertain: ${report.uncertain_usd:.6f} of it is {report.lost_calls:,} calls lost with their"
            " process, at their reserved estimate; --where outcome=lost lists them)"
        )
    lines.extend(_simulated_lines(report))
    if not report.rows and not report.simulated_left_out_calls:
        lines.append("no calls recorded in this range")
    return "\n".join(lines)


def _simulated_lines(report: CostReport) -> list[str]:
    lines = []
    if report.simulated_calls:
        usd = readable(report.simulated_usd)
        lines.append(
            f"simulated: {report.simulated_calls:,} of these calls ({usd} at catalogue prices) were "
            "answered by the simulated provider: nothing was billed for them"
        )
    if report.simulated_left_out_calls:
        usd = readable(report.simulated_left_out_usd)
        lines.append(
            f"({report.simulated_left_out_calls:,} simulated calls, {usd} at catalogue prices, left out: "
            "add --include-simulated to count them)"
        )
    return lines


def _costs_csv(report: CostReport) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow([*report.by, "spend_usd", "calls", "prompt_tokens", "completion_tokens", *_CSV_TAIL])
    for row in report.rows:
        counts = [row.calls, row.prompt_tokens, row.completion_tokens]
        writer.writerow(
            [
                *row.group,
                plain(row.spend_usd),
                *counts,
                plain(row.mean_cost_usd),
                plain(row.share),
                row.unpriced_calls,
            ]
        )


_CSV_TAIL = ["mean_cost_usd", "share", "unpriced_calls"]


# --------------------------------------------------------------------------- savings


def _savings(
    args: argparse.Namespace, settings: Settings, store: Store, since: float | None, until: float | None
) -> int:
    from router._config import load_routes
    from router._ledger._reports import savings

    config = load_routes(settings.routes)
    report = savings(
        store,
        config,
        since=since,
        until=until,
        baseline=args.baseline,
        filters=_where(args.where),
        include_simulated=args.include_simulated,
    )
    if args.format == "json":
        print_json(report.model_dump(mode="json"))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["model", "calls", "actual_usd", "baseline_usd", "saved_usd"])
        for row in report.rows:
            writer.writerow(
                [row.model, row.calls, plain(row.actual_usd), plain(row.baseline_usd), plain(row.saved_usd)]
            )
    else:
        print(_savings_table(report))
    return OK


def _savings_table(report: SavingsReport) -> str:
    head = ["model", "calls", "actual_usd", "baseline_usd", "saved_usd"]
    body = [
        [r.model, f"{r.calls:,}", f"{r.actual_usd:.6f}", f"{r.baseline_usd:.6f}", f"{r.saved_usd:.6f}"]
        for r in report.rows
    ]
    total = ["total", f"{report.calls:,}", f"{report.actual_usd:.6f}", f"{report.baseline_usd:.6f}"]
    total.append(f"{report.saved_usd:.6f}")
    lines = _aligned([head, *body, total], numeric_from=1)
    baseline = report.baseline or "the most expensive model that could have taken each call"
    share = f" ({abs(report.saved_usd) / report.baseline_usd:.1%})" if report.baseline_usd else ""
    verdict = "saved" if report.saved_usd >= 0 else "spent more than the baseline by"
    lines.append(f"baseline: {baseline}; {verdict} ${abs(report.saved_usd):,.4f}{share}")
    lines.append(_span(report.since, report.until))
    if report.skipped_calls:
        lines.append(f"({report.skipped_calls:,} calls left out: no known price for them or their baseline)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- export


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from router._ledger._export import export

    since, until = _range(args.export_since or args.since, args.export_until or args.until)
    include = args.export_include_simulated or args.include_simulated
    count = export(_store(settings), args.output, since=since, until=until, include_simulated=include)
    if args.json or args.format == "json":
        print_json({"path": args.output, "records": count})
    else:
        print(f"wrote {count:,} records to {args.output}")
    return OK


# --------------------------------------------------------------------------- budgets


def _budgets(args: argparse.Namespace, settings: Settings) -> int:
    from router._config import load_routes
    from router._state._budgets import BudgetGuard

    config = load_routes(settings.routes)
    statuses = BudgetGuard(_store(settings), config.policies.budgets).status()
    if args.format == "json":
        print_json([_status_json(status) for status in statuses])
    elif not statuses:
        print("no budgets: add them under policies.budgets in routes.yaml")
    else:
        print(_budgets_table(statuses))
    return OK


def _status_json(status: BudgetStatus) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(status)
    data["period_start"] = status.period_start.isoformat()
    data["period_end"] = status.period_end.isoformat()
    return data


def _budgets_table(statuses: Sequence[BudgetStatus]) -> str:
    head = [
        "budget",
        "scope",
        "period",
        "spent_usd",
        "held_usd",
        "limit_usd",
        "remaining_usd",
        "used",
        "action",
    ]
    body = [
        [
            s.key,
            s.scope if s.target is None else f"{s.scope} {s.target}",
            s.period_id,
            f"{s.spent_usd:.4f}",
            f"{s.reserved_usd:.4f}",
            f"{s.limit_usd:.2f}",
            f"{s.remaining_usd:.4f}",
            f"{s.spent_usd / s.limit_usd:.1%}" + (" !" if s.alerting else ""),
            s.action,
        ]
        for s in statuses
    ]
    lines = _aligned([head, *body], numeric_from=3, numeric_to=8)
    if any(s.alerting for s in statuses):
        lines.append("! at or past its alert threshold")
    return "\n".join(lines)


# --------------------------------------------------------------------------- text


def _aligned(rows: list[list[str]], *, numeric_from: int, numeric_to: int | None = None) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    end = len(widths) if numeric_to is None else numeric_to

    def cell(i: int, text: str) -> str:
        return text.rjust(widths[i]) if numeric_from <= i < end else text.ljust(widths[i])

    return ["  ".join(cell(i, text) for i, text in enumerate(row)).rstrip() for row in rows]


def _span(since: float | None, until: float | None) -> str:
    start = "the first record" if since is None else _when(since)
    end = "now" if until is None else _when(until)
    return f"{start} to {end} (UTC)"


def _when(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return moment.strftime(
        "%Y-%m-%d" if moment.hour == moment.minute == moment.second == 0 else "%Y-%m-%d %H:%M"
    )


def _source(source: str) -> str:
    return {"totals": "running totals", "records": "records"}.get(source, "running totals and records")
