"""Checks that span several sections of routes.yaml.

Field-level rules live on the pydantic models; these need the whole file
(a rule naming a model, a budget naming a team). Each problem comes with the
path it belongs to, so the loader can point at the line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from router._config._schema import RoutesConfig, Rule
from router._levels import Sensitivity

if TYPE_CHECKING:
    from router._signals._sensitivity_signal import SensitivityCondition

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """A hint naming the closest known spelling, or the list of choices."""
    choices = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known: {', '.join(choices)}" if choices else ""


def check_team(config: RoutesConfig, team: str | None) -> None:
    """Refuse a request's team that routes.yaml does not declare (when it declares ``teams``).

    A misspelt team would otherwise dodge its budget and its rules without a word.
    """
    if team is None or config.teams is None or team in config.teams:
        return
    from router._errors import UsageError

    raise UsageError(
        f"unknown team {team!r}; {did_you_mean(team, list(config.teams))} "
        f"(routes.yaml declares: {', '.join(config.teams)})"
    )


def errors(config: RoutesConfig) -> list[Problem]:
    """Everything that makes the file unusable."""
    return [
        *_duplicate_models(config),
        *_duplicate_rules(config),
        *_pool_names(config),
        *_signal_conditions(config),
        *_team_names(config),
        *_budget_targets(config),
        *_simulation_models(config),
        *_final_rule(config),
        *_pseudonymised_levels(config),
    ]


def warnings(config: RoutesConfig) -> list[Problem]:
    """What loads but is probably a mistake."""
    return [
        *_unreachable_rules(config),
        *_empty_capability_pools(config),
        *_uncleared_pool_models(config),
        *_deep_tier_missing(config),
    ]


def _duplicate_models(config: RoutesConfig) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, spec in enumerate(config.models):
        if spec.name in seen:
            yield Problem(
                ("models", index, "name"),
                f"duplicate model name {spec.name!r} (first defined at models[{seen[spec.name]}]); "
                "give each model a unique name",
            )
        seen.setdefault(spec.name, index)


def _duplicate_rules(config: RoutesConfig) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, rule in enumerate(config.rules):
        if rule.name in seen:
            yield Problem(("rules", index, "name"), f"duplicate rule name {rule.name!r}")
        seen.add(rule.name)


def _pool_names(config: RoutesConfig) -> Iterator[Problem]:
    names = list(config.model_names)
    for index, rule in enumerate(config.rules):
        if rule.pool == "*":
            continue
        if not rule.pool:
            yield Problem(("rules", index, "pool"), "the pool is empty; list model names or use '*'")
        for position, name in enumerate(rule.pool):
            if name not in names:
                hint = did_you_mean(name, names)
                yield Problem(("rules", index, "pool", position), f"unknown model {name!r}; {hint}")


def _signal_conditions(config: RoutesConfig) -> Iterator[Problem]:
    """What each signal finds wrong with its conditions given the file's settings."""
    for index, rule in enumerate(config.rules):
        for signal, condition in rule.when.signal_checks if rule.when else ():
            for below, message in signal.lint(condition, config.signals.of(signal.name)):
                yield Problem(("rules", index, "when", signal.name, *below), message)


def _team_names(config: RoutesConfig) -> Iterator[Problem]:
    if config.teams is None:
        return
    teams = list(config.teams)
    for index, rule in enumerate(config.rules):
        for position, team in enumerate((rule.when.team or ()) if rule.when else ()):
            if team not in teams:
                path: Path = ("rules", index, "when", "team", position)
                yield Problem(path, f"unknown team {team!r}; {did_you_mean(team, teams)}")


def _budget_targets(config: RoutesConfig) -> Iterator[Problem]:
    known: dict[str, list[str] | None] = {
        "model": list(config.model_names),
        "provider": sorted({spec.provider for spec in config.models}),
        "team": list(config.teams) if config.teams is not None else None,
    }
    for index, budget in enumerate(config.policies.budgets):
        choices = known.get(budget.scope)
        if budget.target is None or budget.scope in ("global", "tag"):
            continue
        if choices is None:
            yield Problem(
                ("policies", "budgets", index, "target"),
                f"team budget for {budget.target!r} but routes.yaml declares no teams; "
                "list them under 'teams:' so a misspelt team cannot dodge its budget",
            )
        elif budget.target not in choices:
            hint = did_you_mean(budget.target, choices)
            yield Problem(
                ("policies", "budgets", index, "target"),
                f"unknown {budget.scope} {budget.target!r}; {hint}",
            )


def _simulation_models(config: RoutesConfig) -> Iterator[Problem]:
    names = list(config.model_names)
    for index, failure in enumerate(config.simulation.failures):
        if failure.model not in names and failure.model != "*":
            hint = did_you_mean(failure.model, names)
            yield Problem(
                ("simulation", "failures", index, "model"), f"unknown model {failure.model!r}; {hint}"
            )


def _final_rule(config: RoutesConfig) -> Iterator[Problem]:
    last = config.rules[-1]
    if not last.matches_all:
        yield Problem(
            ("rules", len(config.rules) - 1),
            f"the last rule ({last.name!r}) has conditions, so some tasks would match no rule; "
            "end with a default rule that has no 'when', e.g. {name: default, pool: '*'}",
        )


def _pseudonymised_levels(config: RoutesConfig) -> Iterator[Problem]:
    """A rule may not pseudonymise a level whose values must never leave the models cleared for it."""
    from router._signals._pseudonyms import pseudonymisable

    for index, rule in enumerate(config.rules):
        for position, level in enumerate(rule.pseudonymise):
            if not pseudonymisable(level):
                yield Problem(
                    ("rules", index, "pseudonymise", position),
                    f"{level.label} text may never be pseudonymised: its findings (card numbers, IBANs, "
                    "API keys, passwords, national ids) never leave the models cleared for them, not even "
                    f"as placeholders; remove {level.label!r} from the pseudonymise of rule {rule.name!r} "
                    f"and give its pool a model cleared for {level.label}",
                )


def _unreachable_rules(config: RoutesConfig) -> Iterator[Problem]:
    for index, rule in enumerate(config.rules[:-1]):
        if rule.matches_all:
            for later in range(index + 1, len(config.rules)):
                yield Problem(
                    ("rules", later),
                    f"rule {config.rules[later].name!r} can never match: "
                    f"rule {rule.name!r} before it matches every task",
                )
            return


def _empty_capability_pools(config: RoutesConfig) -> Iterator[Problem]:
    for index, rule in enumerate(config.rules):
        if rule.require and not _capable(config, rule):
            yield Problem(
                ("rules", index, "require"),
                f"no model in rule {rule.name!r}'s pool has all of {list(rule.require)}; "
                "tasks matching it will find no model",
            )


def _capable(config: RoutesConfig, rule: Rule) -> bool:
    if rule.pool != "*" and any(name not in config.model_names for name in rule.pool):
        return True  # reported as an error already
    from router._pricing import resolve  # here: _pricing imports the config package

    return any(set(rule.require) <= resolve(spec).capabilities for spec in config.pool(rule))


def _uncleared_pool_models(config: RoutesConfig) -> Iterator[Problem]:
    # A pool member below the level of a rule's tasks is never called for them: harmless
    # (clearance is enforced at selection) but almost always a mistake in the file, or a false
    # sense of fallback. The level comes from `at_least` and from the `findings` the rule
    # matches on: a task with an email finding is at least confidential.
    specs = {spec.name: spec for spec in config.models}
    for index, rule in enumerate(config.rules):
        if rule.pool == "*" or rule.when is None:
            continue
        condition = cast("SensitivityCondition | None", rule.when.signal_conditions.get("sensitivity"))
        if condition is None:
            continue
        least, by_finding = _implied_levels(config, condition, rule.pseudonymise)
        for position, name in enumerate(rule.pool):
            spec = specs.get(name)
            if spec is not None:
                message = _uncleared(rule, name, Sensitivity.parse(spec.clearance), least, by_finding)
                if message:
                    yield Problem(("rules", index, "pool", position), message)


def _implied_levels(
    config: RoutesConfig, condition: SensitivityCondition, pseudonymise: tuple[Sensitivity, ...]
) -> tuple[Sensitivity, dict[str, Sensitivity]]:
    """The least level of every task the rule takes, and the level each listed finding type
    brings (with ``at_least``, never below that).

    A level the rule pseudonymises counts as no level: a model below it may take such a task
    once its findings are replaced.
    """
    from router._signals._sensitivity_signal import finding_levels  # the signals import the config

    def kept(level: Sensitivity) -> Sensitivity:
        return Sensitivity.PUBLIC if any(masked >= level for masked in pseudonymise) else level

    floor = Sensitivity.parse(condition.at_least) if condition.at_least is not None else Sensitivity.PUBLIC
    levels = finding_levels(config.signals.of("sensitivity"))
    by_finding = {kind: max(floor, levels[kind]) for kind in condition.findings or () if kind in levels}
    least = min(by_finding.values(), default=floor)
    return kept(least), {kind: level for kind, level in by_finding.items() if kept(level) == level}


def _uncleared(
    rule: Rule, name: str, clearance: Sensitivity, least: Sensitivity, by_finding: dict[str, Sensitivity]
) -> str | None:
    if clearance < least:
        return (
            f"rule {rule.name!r} takes tasks at least {least.label}, but model {name!r} in its "
            f"pool is cleared only for {clearance.label}: it can never take them; remove it from "
            "the pool or raise its clearance"
        )
    above = sorted(kind for kind, level in by_finding.items() if clearance < level)
    if not above:
        return None
    levels = ", ".join(f"{kind} ({by_finding[kind].label})" for kind in above)
    return (
        f"rule {rule.name!r} matches findings {levels}, but model {name!r} in its pool is cleared "
        f"only for {clearance.label}: it can never take tasks with those findings; clear it for "
        f"{max(by_finding[kind] for kind in above).label} or give those findings a rule of their own"
    )


def _deep_tier_missing(config: RoutesConfig) -> Iterator[Problem]:
    """A deep tier whose backend is not installed: said here, so no call discovers it."""
    deep = config.signals.of("sensitivity").deep
    if deep is None:
        return
    from router._signals._deep import deep_tier_problem

    problem = deep_tier_problem(deep.backend, deep.model)
    if problem is not None:
        yield Problem(
            ("signals", "sensitivity", "deep"),
            f"the deep tier cannot run: {problem}; the fast tier alone finds names and addresses",
        )
