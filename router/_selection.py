"""Choosing among a rule's pool: who may take the task, cheapest first.

A model is a candidate when its clearance covers the task's sensitivity (or,
under a rule's ``pseudonymise`` policy, the level left once those findings are
replaced by placeholders: see ``pseudonymisation``), it
speaks the task's language, it has the rule's required capabilities, the
prompt plus the expected output fit its window, and its estimated cost is
under the cap. Every other model of the pool is excluded with its reason.
The candidates, ordered by estimated cost (ties by name), are the decision:
the first is called, the rest are the fallback order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from router._decision import Candidate, Excluded, FindingSummary, Pseudonymisation, Signals, built
from router._levels import Sensitivity
from router._pricing import ModelInfo
from router._signals._language import UNKNOWN
from router._signals._pseudonyms import replaceable

CountTokens = Callable[[str], int]
"""Prompt tokens under a given encoding (memoised by the caller)."""


@dataclass(frozen=True, slots=True)
class Requirements:
    """What the task asks of a model."""

    signals: Signals
    output_tokens: int
    capabilities: tuple[str, ...] = ()
    cost_cap_usd: float | None = None
    pseudonymisation: Pseudonymisation | None = None
    """The rule's pseudonymise policy for this task, when it would admit a model at all."""


def select(
    pool: Sequence[ModelInfo], needs: Requirements, count_tokens: CountTokens
) -> tuple[list[Candidate], list[Excluded]]:
    """Split the pool into ordered candidates and excluded models with reasons."""
    candidates: list[Candidate] = []
    excluded: list[Excluded] = []
    for info in pool:
        reason = _policy_reason(info, needs)
        candidate = None
        if reason is None:
            candidate = _candidate(info, needs, count_tokens(info.encoding))
            reason = size_reason(info, candidate) or cost_reason(candidate, needs.cost_cap_usd)
        if reason is None and candidate is not None:
            candidates.append(candidate)
        else:
            excluded.append(Excluded(model=info.name, reason=reason or "excluded"))
    candidates.sort(key=_order)
    return candidates, excluded


def _order(candidate: Candidate) -> tuple[int, float, str]:
    # Unpriced models go last: we cannot claim they are cheaper.
    cost = candidate.estimated_cost_usd
    return (cost is None, cost or 0.0, candidate.model)


def _policy_reason(info: ModelInfo, needs: Requirements) -> str | None:
    return (
        clearance_reason(info, needs.signals, needs.pseudonymisation)
        or language_reason(info, needs.signals)
        or capability_reason(info, needs.capabilities)
    )


def clearance_reason(
    info: ModelInfo, signals: Signals, pseudonymised: Pseudonymisation | None = None
) -> str | None:
    """Why the model may not see the task's content, or ``None`` when its clearance covers it
    (or covers what ``pseudonymised`` leaves of it)."""
    clearance = info.spec.clearance
    if clearance < signals.sensitivity:
        if pseudonymised is not None and clearance >= pseudonymised.level:
            return None
        found = ", ".join(sorted(signals.finding_types)) or "content"
        reason = (
            f"clearance {clearance.label} is below the task's sensitivity "
            f"{signals.sensitivity.label} ({found})"
        )
        if pseudonymised is not None:
            reason += f" and below {pseudonymised.level.label}, what pseudonymising leaves"
        return reason
    return None


def needs_pseudonyms(info: ModelInfo, signals: Signals) -> bool:
    """Whether the model may take the task only pseudonymised (its clearance is below it)."""
    return info.spec.clearance < signals.sensitivity


def pseudonymisation(levels: Sequence[Sensitivity], signals: Signals) -> Pseudonymisation | None:
    """What pseudonymising the findings of ``levels`` makes of the task: the level left and how
    many findings go; ``None`` when it would replace nothing or lower nothing."""
    if not levels or not signals.findings:
        return None
    replaced = [found for found in signals.findings if replaceable(found.type, found.level, levels)]
    left = _highest(found for found in signals.findings if not replaceable(found.type, found.level, levels))
    if not replaced or left >= signals.sensitivity:
        return None
    count = sum(found.count for found in replaced)
    return Pseudonymisation(levels=tuple(dict.fromkeys(levels)), findings=count, level=left)


def _highest(findings: Iterable[FindingSummary]) -> Sensitivity:
    return max((found.level for found in findings), default=Sensitivity.PUBLIC)


def language_reason(info: ModelInfo, signals: Signals) -> str | None:
    """Why the model cannot take the task's language (an unknown language is not held against it)."""
    if signals.language != UNKNOWN and not info.spec.speaks(signals.language):
        return f"does not support language {signals.language!r}"
    return None


def capability_reason(info: ModelInfo, capabilities: Sequence[str]) -> str | None:
    """Which of the rule's required capabilities the model lacks."""
    missing = [tag for tag in capabilities if tag not in info.capabilities]
    return f"lacks required capabilities {missing}" if missing else None


def candidate(info: ModelInfo, needs: Requirements, count_tokens: CountTokens) -> Candidate:
    """The model as a candidate: its own prompt token count and cost estimate."""
    return _candidate(info, needs, count_tokens(info.encoding))


def _candidate(info: ModelInfo, needs: Requirements, prompt_tokens: int) -> Candidate:
    output = needs.output_tokens
    cost = info.estimate(prompt_tokens, output)
    # Every field, of its type, in the order declared: ``built`` skips the validation (four
    # candidates a decision). A price of 0 in the catalogue is an int: validation made it 0.0.
    return built(
        Candidate,
        ("dropped_params",),
        model=info.name,
        litellm_model=info.spec.model,
        prompt_tokens=prompt_tokens,
        expected_output_tokens=output if type(output) is int else int(output),
        estimated_cost_usd=cost if cost is None or type(cost) is float else float(cost),
        tokens_exact=info.tokens_exact,
        dropped_params=(),
    )


def size_reason(info: ModelInfo, candidate: Candidate) -> str | None:
    output = candidate.expected_output_tokens
    if info.max_output_tokens is not None and output > info.max_output_tokens:
        return f"{output:,} output tokens requested but it writes at most {info.max_output_tokens:,}"
    needed = candidate.prompt_tokens + output
    if info.context_window is not None and needed > info.context_window:
        return (
            f"needs {needed:,} tokens ({candidate.prompt_tokens:,} prompt + {output:,} output) "
            f"but its context window is {info.context_window:,}"
        )
    return None


def cost_reason(candidate: Candidate, cap: float | None) -> str | None:
    if cap is None:
        return None
    cost = candidate.estimated_cost_usd
    if cost is None:
        return (
            f"no price known (neither litellm's catalogue nor routes.yaml), "
            f"so the ${cap:g} cap cannot be checked"
        )
    if cost > cap:
        return f"estimated ${cost:.6f} is over the ${cap:g} per-request cap"
    return None


def apply_param_policy(
    candidates: list[Candidate],
    excluded: list[Excluded],
    params: Mapping[str, Any],
    policy: Literal["exclude", "drop"],
) -> tuple[list[Candidate], list[Excluded]]:
    """Exclude each candidate that does not take one of ``params``, or note what it drops."""
    from router._params import unsupported

    kept: list[Candidate] = []
    excluded = list(excluded)
    for candidate in candidates:
        missing = unsupported(candidate.litellm_model, params)
        if not missing:
            kept.append(candidate)
        elif policy == "drop":
            kept.append(candidate.model_copy(update={"dropped_params": missing}))
        else:
            reason = f"does not take parameter(s) {list(missing)} (policies.unsupported_params: exclude)"
            excluded.append(Excluded(model=candidate.model, reason=reason))
    return kept, excluded
