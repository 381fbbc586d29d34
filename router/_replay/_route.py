"""Route one workload's requests through one or two routes files, exactly as production would.

Each file gets its own production ``Router``. When the files' ``signals:`` settings agree
(the usual case: a change to rules or pools), a request is measured once and both routers
decide from the same signals and the same memoised token counts; otherwise each measures.
Nothing is called, logged or stored; the result of a chunk is a ``Tally``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from router._config._schema import RoutesConfig
from router._decision import Decision, Signals
from router._errors import NoModelFits
from router._explain import pool_checks
from router._gateway._chat import Target
from router._gateway._chat import parse as parse_chat
from router._gateway._errors import ApiError
from router._levels import Sensitivity
from router._replay._tally import CompareTally, FileTally, Tally, add_example
from router._replay._workload import Invalid, Request, parse_chunk
from router._router import Router
from router._signals._signal import CountTokens
from router._task import Task

_NO_TARGET = Target()


@dataclass(slots=True)
class Outcome:
    """One request under one routes file."""

    decision: Decision | None
    unroutable: str | None
    cost_usd: float | None
    output_price: float | None
    output_tokens: int


class Replayer:
    """The routers of the routes files, and the tallying of a chunk of workload lines."""

    def __init__(self, configs: Sequence[RoutesConfig]) -> None:
        self.routers = [Router(config) for config in configs]
        self.shared = all(config.signals == configs[0].signals for config in configs[1:])

    def tally(self, first: int, data: bytes) -> Tally:
        tally = Tally(files=[FileTally() for _ in self.routers])
        tally.compare = CompareTally() if len(self.routers) == 2 else None
        for parsed in parse_chunk(first, data):
            tally.lines += 1
            if isinstance(parsed, Invalid):
                tally.invalid[parsed.code] += 1
                add_example(tally.examples, parsed.code, (parsed.line, parsed.message))
            else:
                self._replay(parsed, tally)
        return tally

    def _replay(self, request: Request, tally: Tally) -> None:
        targets = [_target(request, router.config) for router in self.routers]
        tasks = [target[0] for target in targets if not isinstance(target, ApiError)]
        if not tasks:
            error = targets[0]
            assert isinstance(error, ApiError)
            code = f"refused_{error.code or error.status}"
            tally.invalid[code] += 1
            add_example(tally.examples, code, (request.line, f"line {request.line}: {error.message}"))
            return
        if request.output_tokens is not None:
            tally.outputs += 1
            tally.output_sum += request.output_tokens
            tally.output_squares += request.output_tokens**2
        measured = self.routers[0].measure(tasks[0]) if self.shared else None
        outcomes = [
            self._outcome(router, request, target, measured, file)
            for router, target, file in zip(self.routers, targets, tally.files, strict=True)
        ]
        if tally.compare is not None:
            _compare(tally.compare, request, outcomes[0], outcomes[1], self.routers)

    def _outcome(
        self,
        router: Router,
        request: Request,
        target: tuple[Task, Target] | ApiError,
        measured: tuple[Signals, CountTokens] | None,
        file: FileTally,
    ) -> Outcome:
        file.items += 1
        if isinstance(target, ApiError):
            return _unroutable(file, request, f"the gateway refuses it: {target.code or target.status}")
        task, aim = target
        signals, tokens = measured or router.measure(task)
        file.sensitivity[signals.sensitivity.label] += 1
        try:
            decision = router.decide_measured(task, signals, tokens, rule=aim.rule, model=aim.model)
        except NoModelFits as error:
            outcome = _unroutable(file, request, _why(router, error, task, signals, tokens, aim))
        else:
            outcome = _routed(file, router, request, decision)
        if signals.sensitivity > Sensitivity.PUBLIC:
            _sensitivity_effect(file, router, request, task, signals, tokens, aim, outcome)
        return outcome


def _target(request: Request, config: RoutesConfig) -> tuple[Task, Target] | ApiError:
    if request.task is not None:
        return request.task, _NO_TARGET
    assert request.chat is not None
    try:
        parsed = parse_chat(dict(request.chat), config, team=request.team, tags=request.tags)
    except ApiError as error:
        return error
    return parsed.task, parsed.target


def _routed(file: FileTally, router: Router, request: Request, decision: Decision) -> Outcome:
    chosen = decision.chosen
    info = router.models[chosen.model]
    output = chosen.expected_output_tokens if request.output_tokens is None else request.output_tokens
    cost = info.estimate(chosen.prompt_tokens, output)
    file.routed += 1
    file.models[chosen.model] += 1
    file.rules[decision.rule] += 1
    file.recorded_output += request.output_tokens is not None
    if cost is None:
        file.unpriced += 1
    else:
        file.cost_usd += cost
        file.model_cost[chosen.model] = file.model_cost.get(chosen.model, 0.0) + cost
    return Outcome(decision, None, cost, info.output_cost_per_token, output)


def _unroutable(file: FileTally, request: Request, why: str) -> Outcome:
    file.unroutable[why] += 1
    add_example(file.examples, why, (request.line, request.id))
    return Outcome(None, why, None, None, 0)


def _why(
    router: Router, error: NoModelFits, task: Task, signals: Signals, tokens: CountTokens, aim: Target
) -> str:
    """The rule, and which check each model of its pool failed, in words that do not vary by item."""
    rule = next(rule for rule in router.config.rules if rule.name == error.rule)
    pool = [router.models[aim.model]] if aim.model is not None else None
    failed: dict[str, list[str]] = {}
    for check in pool_checks(router, rule, signals, task, tokens, pool):
        first = next(name for name in check.verdict_names if not getattr(check, name).ok)
        failed.setdefault(first.replace("_", " "), []).append(check.model)
    reasons = "; ".join(f"{name}: {', '.join(models)}" for name, models in failed.items())
    return f"rule {error.rule}: {reasons}"


def _sensitivity_effect(
    file: FileTally,
    router: Router,
    request: Request,
    task: Task,
    signals: Signals,
    tokens: CountTokens,
    aim: Target,
    outcome: Outcome,
) -> None:
    """Count the item when, read as public, it would have gone to another model (or to one at all)."""
    values = dict(signals.__pydantic_extra__ or {})
    public = Signals.measured({**values, "sensitivity": Sensitivity.PUBLIC, "findings": ()})
    try:
        unaware: str | None = router.decide_measured(
            task, public, tokens, rule=aim.rule, model=aim.model
        ).model
    except NoModelFits:
        unaware = None
    actual = outcome.decision.model if outcome.decision is not None else None
    if unaware != actual:
        key = f"{signals.sensitivity.label}: {unaware or 'no model'} -> {actual or 'no model'}"
        file.sensitivity_changed[key] += 1
        add_example(file.examples, key, (request.line, request.id))


def _compare(
    compare: CompareTally, request: Request, new: Outcome, old: Outcome, routers: list[Router]
) -> None:
    if new.decision is None or old.decision is None:
        if old.decision is not None:
            why = new.unroutable or "unroutable"
            compare.became_unroutable[why] += 1
            add_example(compare.examples, why, (request.line, request.id))
        elif new.decision is not None:
            compare.became_routable += 1
            add_example(compare.examples, "routable", (request.line, request.id))
        return
    compare.both += 1
    if new.decision.model != old.decision.model:
        compare.changed += 1
        compare.moves[f"{old.decision.model} -> {new.decision.model}"] += 1
    if new.cost_usd is not None and old.cost_usd is not None:
        compare.cost_difference_usd += new.cost_usd - old.cost_usd
        if request.output_tokens is None:
            price = (new.output_price or 0.0) - (old.output_price or 0.0)
            compare.spread_recorded += price**2
            compare.spread_uniform += price**2 * max(new.output_tokens, old.output_tokens) ** 2 / 12
    new_clearance = routers[0].models[new.decision.model].spec.clearance
    old_clearance = routers[1].models[old.decision.model].spec.clearance
    if new_clearance < old_clearance:
        key = (
            f"{new.decision.signals.sensitivity.label} content: {old.decision.model} ({old_clearance.label}) "
            f"-> {new.decision.model} ({new_clearance.label})"
        )
        compare.regressions[key] += 1
        add_example(compare.examples, key, (request.line, request.id))
