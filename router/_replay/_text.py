"""The replay report as a terminal table and as CSV rows."""

from __future__ import annotations

from typing import Any

from router._replay._report import Comparison, FileReport, Finding, ReplayReport

_SHOWN = 8
"""Rows shown per list in the terminal; --json and --format csv have them all."""


def render(report: ReplayReport) -> str:
    """Compliance regressions first, then each file side by side, then the differences."""
    lines = [
        f"replay of {report.workload}: {report.lines:,} lines, "
        f"{report.workers} workers, {report.seconds:.1f} s",
    ]
    if report.comparison is not None:
        lines += _regressions(report.comparison)
    lines += ["", *_files(report.files)]
    for file in report.files:
        lines += _per_file(file)
    if report.comparison is not None:
        lines += _differences(report.comparison)
    if report.invalid:
        lines += ["", "lines that are not requests:"]
        lines += [
            f"  {item.code:<28} {item.lines:>9,}  {item.examples[0] if item.examples else ''}"
            for item in report.invalid
        ]
    return "\n".join(lines)


def _regressions(comparison: Comparison) -> list[str]:
    total = sum(item.items for item in comparison.regressions)
    if not total:
        return ["", f"compliance: no item goes to a model with lower clearance under {comparison.routes}"]
    where = comparison.routes
    lines = ["", f"COMPLIANCE REGRESSIONS: {total:,} items go to a model with lower clearance under {where}:"]
    lines += _findings(comparison.regressions)
    return lines


def _files(files: tuple[FileReport, ...]) -> list[str]:
    width = max(24, *(len(file.routes) for file in files))
    rows = [
        ("", *(file.routes for file in files)),
        ("items routed", *(f"{file.routed:,} of {file.items:,}" for file in files)),
        ("estimated cost", *(_cost(file) for file in files)),
        ("no model may take", *(f"{file.items - file.routed:,}" for file in files)),
        (
            "sensitivity changed route",
            *(f"{sum(f.items for f in file.sensitivity_changed):,}" for file in files),
        ),
        ("recorded output lengths", *(f"{file.recorded_output:,}" for file in files)),
    ]
    return [
        "  " + f"{label:<26}" + "".join(f"{cell:>{width + 2}}" for cell in cells) for label, *cells in rows
    ]


def _cost(file: FileReport) -> str:
    text = f"${file.cost_usd:,.4f}"
    return f"{text} (+{file.unpriced:,} unpriced)" if file.unpriced else text


def _per_file(file: FileReport) -> list[str]:
    lines = ["", f"{file.routes}:", "  model mix:"]
    lines += [
        f"    {share.model:<28} {share.items:>9,}  {share.share:>6.1%}  ${share.cost_usd:,.4f}"
        for share in file.models[:_SHOWN]
    ]
    lines.append("  rules hit: " + ", ".join(f"{rule} {count:,}" for rule, count in file.rules.items()))
    if file.unroutable:
        lines.append("  no model may take, and why:")
        lines += _findings(file.unroutable)
    if file.sensitivity_changed:
        lines.append("  sensitivity made a difference (as public text -> as it is):")
        lines += _findings(file.sensitivity_changed)
    return lines


def _differences(comparison: Comparison) -> list[str]:
    low, high = comparison.band_usd
    lines = [
        "",
        f"{comparison.routes} against {comparison.against}:",
        f"  {comparison.changed:,} of {comparison.both:,} items change model",
    ]
    lines += [f"    {move.what:<52} {move.items:>9,}" for move in comparison.moves[:_SHOWN]]
    lines += [
        f"  cost difference: ${comparison.cost_difference_usd:+,.4f} "
        f"(95% band ${low:+,.4f} to ${high:+,.4f}; {comparison.band_basis})",
    ]
    unroutable = sum(item.items for item in comparison.became_unroutable)
    lines.append(f"  become unroutable: {unroutable:,}")
    lines += _findings(comparison.became_unroutable)
    lines.append(f"  become routable: {comparison.became_routable.items:,}")
    return lines


def _findings(findings: tuple[Finding, ...]) -> list[str]:
    rows = []
    for finding in findings[:_SHOWN]:
        where = ", ".join(str(line) for line in finding.lines[:5])
        rows.append(f"    {finding.items:>9,}  {finding.what}  (lines {where})")
    if len(findings) > _SHOWN:
        rows.append(f"    ... and {len(findings) - _SHOWN} more (see --json)")
    return rows


def write_csv(report: ReplayReport, writer: Any) -> None:
    """One row per figure: section, routes file, what, items, cost_usd."""
    writer.writerow(["section", "routes", "what", "items", "cost_usd"])
    for file in report.files:
        writer.writerow(["total", file.routes, "routed", file.routed, repr(file.cost_usd)])
        for share in file.models:
            writer.writerow(["model", file.routes, share.model, share.items, repr(share.cost_usd)])
        for rule, count in file.rules.items():
            writer.writerow(["rule", file.routes, rule, count, ""])
        for section, findings in (
            ("unroutable", file.unroutable),
            ("sensitivity_changed", file.sensitivity_changed),
        ):
            for finding in findings:
                writer.writerow([section, file.routes, finding.what, finding.items, ""])
    comparison = report.comparison
    if comparison is not None:
        for finding in comparison.regressions:
            writer.writerow(["regression", comparison.routes, finding.what, finding.items, ""])
        for move in comparison.moves:
            writer.writerow(["move", comparison.routes, move.what, move.items, ""])
        low, high = comparison.band_usd
        writer.writerow(
            [
                "cost_difference",
                comparison.routes,
                "new minus old",
                comparison.both,
                repr(comparison.cost_difference_usd),
            ]
        )
        writer.writerow(["cost_difference", comparison.routes, "band low (95%)", "", repr(low)])
        writer.writerow(["cost_difference", comparison.routes, "band high (95%)", "", repr(high)])
        for finding in comparison.became_unroutable:
            writer.writerow(["became_unroutable", comparison.routes, finding.what, finding.items, ""])
    for item in report.invalid:
        writer.writerow(["invalid", "", item.code, item.lines, ""])
