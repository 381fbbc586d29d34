"""Why this model? Every rule with its failed conditions, then the matched rule's pool, model by model.

``Router.explain`` builds an ``Explanation`` from the same steps ``Router.decide`` takes
(measure, match, select) and the same checks: each failed rule condition is the signal's own
``check`` message, each model verdict the selection's own reason. So an explanation cannot
disagree with the decision it explains. Like a decision it holds no text of the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from router._decision import Candidate, Decision, Signals
from router._rules import failures
from router._selection import (
    Requirements,
    candidate,
    capability_reason,
    clearance_reason,
    cost_reason,
    language_reason,
    needs_pseudonyms,
    select,
    size_reason,
)
from router._signals._language import UNKNOWN
from router._signals._signal import CountTokens

if TYPE_CHECKING:
    from router._config._schema import Rule
    from router._pricing import ModelInfo
    from router._router import Router
    from router._task import Task


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Verdict(_Frozen):
    """One check of a model against the task: passed or not, and the figures behind it."""

    ok: bool
    detail: str


class RuleCheck(_Frozen):
    """A rule of routes.yaml against the task, in file order."""

    rule: str
    matched: bool
    """Every condition of its ``when`` holds."""
    chosen: bool
    """It is the first rule that matched: the one the task goes by."""
    failed: tuple[str, ...] = ()
    """Each condition that does not hold, with its value ("tokens 206 < min 100000")."""


class ModelCheck(_Frozen):
    """A model of the chosen rule's pool, with every verdict (not only the first that failed)."""

    model: str
    estimated_cost_usd: float | None
    prompt_tokens: int
    output_tokens: int
    tokens_exact: bool
    window: Verdict
    clearance: Verdict
    language: Verdict
    capabilities: Verdict
    cost_cap: Verdict
    position: int | None
    """1 for the chosen model, 2 and on for the fallback order; ``None`` when excluded."""

    verdict_names: ClassVar[tuple[str, ...]] = ("clearance", "language", "capabilities", "window", "cost_cap")
    """The verdicts, in the order selection applies them."""


class Explanation(_Frozen):
    """Everything the router weighed for one task, in the order it weighed it."""

    rule: str
    model: str | None
    """The chosen model; ``None`` when no model of the pool may take the task."""
    signals: Signals
    rules: tuple[RuleCheck, ...]
    pool: tuple[ModelCheck, ...]
    fallback: tuple[str, ...]
    """Every candidate, cheapest first: the chosen model, then the fallback order."""
    output_tokens: int
    cost_cap_usd: float | None
    pseudonymised: int = 0
    """How many findings the call replaces by placeholders (the rule's ``pseudonymise``), never which."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``router explain --json``."""
        return self.model_dump(mode="json")


def explain(router: Router, task: Task) -> Explanation:
    """How ``router`` routes ``task``; unlike ``decide`` it does not raise when no model fits."""
    signals, tokens = router.measure(task)
    checks = [_rule_check(rule.name, rule.when, signals, task) for rule in router.config.rules]
    chosen = next(index for index, check in enumerate(checks) if check.matched)
    checks[chosen] = checks[chosen].model_copy(update={"chosen": True})
    rule = router.config.rules[chosen]
    needs = router.requirements(rule, signals, task)
    pool = pool_checks(router, rule, signals, task, tokens)
    policy = needs.pseudonymisation
    uses = policy is not None and any(
        check.position is not None and needs_pseudonyms(router.models[check.model], signals) for check in pool
    )
    return Explanation(
        rule=rule.name,
        model=next((check.model for check in pool if check.position == 1), None),
        signals=signals,
        rules=tuple(checks),
        pool=pool,
        fallback=tuple(check.model for check in sorted(pool, key=_position) if check.position is not None),
        output_tokens=needs.output_tokens,
        cost_cap_usd=needs.cost_cap_usd,
        pseudonymised=policy.findings if uses and policy is not None else 0,
    )


def pool_checks(
    router: Router,
    rule: Rule,
    signals: Signals,
    task: Task,
    tokens: CountTokens,
    pool: Sequence[ModelInfo] | None = None,
) -> tuple[ModelCheck, ...]:
    """Every model of ``rule``'s pool (or of ``pool``) with every verdict, in pool order."""
    needs = router.requirements(rule, signals, task)
    models = list(pool) if pool is not None else router.pool(rule)
    candidates, _ = select(models, needs, tokens)
    order = {item.model: position for position, item in enumerate(candidates, start=1)}
    return tuple(_model_check(info, needs, candidate(info, needs, tokens), order) for info in models)


def _position(check: ModelCheck) -> int:
    return check.position or 0


def summary(decision: Decision) -> dict[str, object]:
    """A decision in a few fields: the ``route.decided`` log event, and the gateway's explain headers.

    Counts, codes, names and finding types only, never text. A signal added to the registry
    shows up here when its values are plain numbers, words or flags.
    """
    signals = decision.signals
    fields: dict[str, object] = {
        "model": decision.model,
        "rule": decision.rule,
        "tokens": signals.tokens,
        "language": signals.language,
        "sensitivity": signals.sensitivity.label,
        "findings": sorted(signals.finding_types),
    }
    extra = signals.__pydantic_extra__ or {}
    for name, value in extra.items():
        if name not in fields and name not in _DETAILED and isinstance(value, str | int | float | bool):
            fields[name] = value
    fields["candidates"] = len(decision.candidates)
    fields["excluded"] = len(decision.excluded)
    fields["fallback"] = [item.model for item in decision.candidates[1:]]
    fields["pseudonymised"] = decision.pseudonymised
    return fields


_DETAILED = frozenset({"language_confidence"})  # in the explanation, too fine for a log line


def _rule_check(name: str, when: Any, signals: Signals, task: Task) -> RuleCheck:
    failed = tuple(failures(when, signals, task)) if when is not None else ()
    return RuleCheck(rule=name, matched=not failed, chosen=False, failed=failed)


def _model_check(
    info: ModelInfo, needs: Requirements, option: Candidate, order: dict[str, int]
) -> ModelCheck:
    signals = needs.signals
    return ModelCheck(
        model=info.name,
        estimated_cost_usd=option.estimated_cost_usd,
        prompt_tokens=option.prompt_tokens,
        output_tokens=option.expected_output_tokens,
        tokens_exact=option.tokens_exact,
        window=_verdict(size_reason(info, option), _fits(info, option)),
        clearance=_verdict(clearance_reason(info, signals, needs.pseudonymisation), _cleared(info, needs)),
        language=_verdict(language_reason(info, signals), _speaks(info, signals.language)),
        capabilities=_verdict(
            capability_reason(info, needs.capabilities),
            f"has {', '.join(needs.capabilities)}" if needs.capabilities else "none required",
        ),
        cost_cap=_verdict(cost_reason(option, needs.cost_cap_usd), _within(option, needs.cost_cap_usd)),
        position=order.get(info.name),
    )


def _verdict(failure: str | None, passed: str) -> Verdict:
    return Verdict(ok=False, detail=failure) if failure is not None else Verdict(ok=True, detail=passed)


def _cleared(info: ModelInfo, needs: Requirements) -> str:
    clearance, signals, policy = info.spec.clearance.label, needs.signals, needs.pseudonymisation
    if policy is not None and needs_pseudonyms(info, signals):
        return (
            f"clearance {clearance} covers {policy.level.label}, what is left once "
            f"{policy.findings} finding{'s' if policy.findings != 1 else ''} are pseudonymised"
        )
    return f"clearance {clearance} covers {signals.sensitivity.label}"


def _fits(info: ModelInfo, option: Candidate) -> str:
    needed = f"{option.prompt_tokens:,} + {option.expected_output_tokens:,} tokens"
    if info.context_window is None:
        return f"{needed}; context window unknown"
    return f"{needed} of {info.context_window:,}"


def _speaks(info: ModelInfo, language: str) -> str:
    if language == UNKNOWN:
        return "language unknown, not held against it"
    return "speaks any language" if "*" in info.spec.languages else f"speaks {language}"


def _within(option: Candidate, cap: float | None) -> str:
    if cap is None:
        return "no cap"
    cost = option.estimated_cost_usd
    return f"${cost:.6f} within ${cap:g}" if cost is not None else f"unpriced, cap ${cap:g}"
