"""The terminal form of ``router explain``: the rules in order, then the chosen rule's pool."""

from __future__ import annotations

from router._explain import Explanation, ModelCheck, RuleCheck

_VERDICTS = ("window", "clearance", "language", "capabilities", "cost_cap")


def render(explanation: Explanation) -> str:
    """Rules with their failed conditions, then every pool model with its verdicts."""
    signals = explanation.signals
    findings = ", ".join(f"{f.type} x{f.count}" for f in signals.findings) or "none"
    lines = [
        f"model:    {explanation.model or '(none: no model of the pool may take this task)'}",
        f"rule:     {explanation.rule}",
        f"signals:  tokens {signals.tokens:,}, "
        f"language {signals.language} ({signals.language_confidence:.2f}), "
        f"sensitivity {signals.sensitivity.label} (findings: {findings})",
        *_pseudonymised_line(explanation),
        "",
        "rules, in order (the first that matches is chosen):",
    ]
    width = max(len(check.rule) for check in explanation.rules)
    lines.extend(_rule_line(check, width) for check in explanation.rules)
    cap = "no cost cap" if explanation.cost_cap_usd is None else f"cap ${explanation.cost_cap_usd:g}"
    lines += [
        "",
        f"pool of {explanation.rule} ({explanation.output_tokens:,} output tokens expected, {cap}):",
    ]
    lines.extend(_pool_table(explanation.pool))
    lines += ["", f"fallback order: {' -> '.join(explanation.fallback) or '(none)'}"]
    return "\n".join(lines)


def _pseudonymised_line(explanation: Explanation) -> list[str]:
    count = explanation.pseudonymised
    if not count:
        return []
    return [
        f"pseudonymised: {count} finding{'s' if count != 1 else ''} replaced by placeholders "
        "before any model sees the task, and put back in the answer"
    ]


def _rule_line(check: RuleCheck, width: int) -> str:
    if check.chosen:
        return f"  {check.rule:<{width}}  chosen"
    if check.matched:
        return f"  {check.rule:<{width}}  matches, but an earlier rule was chosen"
    return f"  {check.rule:<{width}}  no: {'; '.join(check.failed)}"


def _pool_table(pool: tuple[ModelCheck, ...]) -> list[str]:
    width = max(len(check.model) for check in pool)
    header = f"  {'#':>2}  {'model':<{width}}  {'estimate':>10}  {'tokens':>15}  " + "  ".join(
        name.replace("_", " ") for name in _VERDICTS
    )
    rows = [header]
    for check in pool:
        cost = "unpriced" if check.estimated_cost_usd is None else f"${check.estimated_cost_usd:.6f}"
        tokens = f"{check.prompt_tokens:,}+{check.output_tokens:,}" + ("" if check.tokens_exact else "~")
        cells = "  ".join(f"{'ok' if getattr(check, name).ok else 'NO':<{len(name)}}" for name in _VERDICTS)
        position = str(check.position) if check.position is not None else "-"
        rows.append(f"  {position:>2}  {check.model:<{width}}  {cost:>10}  {tokens:>15}  {cells}".rstrip())
        rows.extend(
            f"      {name.replace('_', ' ')}: {getattr(check, name).detail}"
            for name in _VERDICTS
            if not getattr(check, name).ok
        )
    return rows
