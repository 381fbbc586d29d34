"""The routing core: measure a task, match a rule, select models.

``Router`` is built once from a validated ``RoutesConfig`` and is cheap to
call: each registered signal (``router._signals._signal``) builds its meter
once from its settings, and tokenizers, the language model and the sensitivity
patterns are loaded once per process and shared.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import structlog

from router._config._schema import RoutesConfig, Rule
from router._decision import Decision, Excluded, Signals, built
from router._errors import NoModelFits
from router._explain import summary
from router._logging import emits
from router._pricing import ModelInfo, resolve
from router._rules import Matcher
from router._selection import (
    Requirements,
    apply_param_policy,
    needs_pseudonyms,
    pseudonymisation,
    select,
)
from router._signals._sensitivity import SensitivityScanner
from router._signals._sensitivity_signal import scanner_for
from router._signals._signal import CountTokens, Meter, registered
from router._signals._tokens import count_messages
from router._task import Message, Task

if TYPE_CHECKING:
    from router._explain import Explanation

log = structlog.get_logger("router")


class Router:
    """Turns a task into a ``Decision`` according to routes.yaml."""

    def __init__(self, config: RoutesConfig) -> None:
        self.config = config
        self.models: dict[str, ModelInfo] = {spec.name: resolve(spec) for spec in config.models}
        self._meters: tuple[Meter, ...] = tuple(
            signal.meter(config.signals.of(name)) for name, signal in registered().items()
        )
        self._pool_names = _pool_names(config)
        self._rules = {rule.name: rule for rule in config.rules}
        self._matcher = Matcher(config.rules)

    def measure(self, task: Task) -> tuple[Signals, _Tokens]:
        """Every registered signal of a task, and a memoised token counter for selection."""
        tokens = _Tokens(task.messages)
        values: dict[str, object] = {}
        for meter in self._meters:
            values.update(meter(task, tokens))
        return Signals.measured(values), tokens

    def decide(self, task: Task, *, rule: str | None = None, model: str | None = None) -> Decision:
        """Route a task, or raise ``NoModelFits`` naming why each pool model was excluded.

        ``rule`` routes by that rule whatever its ``when``; ``model`` makes that one model the
        pool (the matching rule still sets the cost cap, the required capabilities and what may
        be pseudonymised). Neither can lift clearance: a named model below the task's
        sensitivity is excluded like any other, unless the rule's ``pseudonymise`` admits it.
        """
        started = time.perf_counter()
        signals, tokens = self.measure(task)
        decision = self.decide_measured(task, signals, tokens, rule=rule, model=model)
        _log_decision(decision, task, time.perf_counter() - started)
        return decision

    def decide_measured(
        self,
        task: Task,
        signals: Signals,
        tokens: CountTokens,
        *,
        rule: str | None = None,
        model: str | None = None,
    ) -> Decision:
        """``decide`` from signals measured already (replay measures once for two routes files
        whose signal settings agree); logs nothing."""
        matched = self._rules[rule] if rule is not None else self._matcher.first(signals, task)
        needs = self.requirements(matched, signals, task)
        pool = [self.models[model]] if model is not None else self.pool(matched)
        candidates, excluded = select(pool, needs, tokens)
        if task.params:
            candidates, excluded = apply_param_policy(
                candidates, excluded, task.params, self.config.policies.unsupported_params
            )
        if not candidates:
            raise _no_model_fits(matched.name, signals, excluded)
        policy = needs.pseudonymisation
        if policy is not None and not any(
            needs_pseudonyms(self.models[option.model], signals) for option in candidates
        ):
            policy = None  # every candidate is cleared for the text as written
        max_tokens = task.max_tokens
        # Every field, of its type, in the order declared (see ``built``): nothing to validate.
        return built(
            Decision,
            rule=matched.name,
            signals=signals,
            candidates=tuple(candidates),
            excluded=tuple(excluded),
            max_tokens=max_tokens if max_tokens is None or type(max_tokens) is int else int(max_tokens),
            cost_cap_usd=needs.cost_cap_usd,
            pseudonymisation=policy,
        )

    def explain(self, task: Task) -> Explanation:
        """Every rule with its failed conditions, and every pool model with its verdicts (no call)."""
        from router._explain import explain

        return explain(self, task)

    def requirements(self, rule: Rule, signals: Signals, task: Task) -> Requirements:
        """What a task matched to ``rule`` asks of a model."""
        return Requirements(
            signals=signals,
            output_tokens=task.max_tokens or self.config.signals.default_output_tokens,
            capabilities=tuple(dict.fromkeys((*rule.require, *task.needs))),
            cost_cap_usd=_cap(rule.max_cost_per_request_usd, self.config.policies.max_cost_per_request_usd),
            pseudonymisation=pseudonymisation(rule.pseudonymise, signals),
        )

    @property
    def scanner(self) -> SensitivityScanner:
        """The sensitivity scanner routing measures with (the executor masks with it too)."""
        return scanner_for(self.config.signals.of("sensitivity"))

    def pool(self, rule: Rule) -> list[ModelInfo]:
        """The models of a rule's pool, in file order."""
        names = self._pool_names.get(rule.name) or [spec.name for spec in self.config.pool(rule)]
        return [self.models[name] for name in names]


class _Tokens:
    """Prompt tokens of a task's messages per encoding, each encoding counted once.

    The count is the chat-format count (``count_messages``) the providers bill
    and the simulator reports, so estimates and recorded usage agree.
    """

    def __init__(self, messages: Sequence[Message]) -> None:
        self._messages = messages
        self._counts: dict[str, int] = {}

    def __call__(self, encoding: str) -> int:
        count = self._counts.get(encoding)
        if count is None:
            count = self._counts[encoding] = count_messages(self._messages, encoding)
        return count


def _pool_names(config: RoutesConfig) -> dict[str, tuple[str, ...]]:
    """Each rule's pool by name, resolved once: config.pool() rebuilds a dict of every model per call.

    Empty when rule names repeat (the loader refuses that; a config built by hand may not).
    """
    names = [rule.name for rule in config.rules]
    if len(set(names)) < len(names):
        return {}
    return {rule.name: tuple(spec.name for spec in config.pool(rule)) for rule in config.rules}


def _cap(rule_cap: float | None, global_cap: float | None) -> float | None:
    caps = [float(cap) for cap in (rule_cap, global_cap) if cap is not None]
    return min(caps) if caps else None


def _no_model_fits(rule: str, signals: Signals, excluded: list[Excluded]) -> NoModelFits:
    lines = "\n".join(f"  - {item.model}: {item.reason}" for item in excluded)
    message = (
        f"no model of rule {rule!r} may take this task "
        f"({signals.tokens:,} tokens, language {signals.language}, "
        f"sensitivity {signals.sensitivity.label}):\n"
        f"{lines}"
    )
    return NoModelFits(message, rule=rule, excluded=[(item.model, item.reason) for item in excluded])


def _log_decision(decision: Decision, task: Task, elapsed_s: float) -> None:
    if not emits(logging.INFO):  # the summary costs more than the event; a worker logs at error
        return
    fields = summary(decision)
    log.info("route.decided", **fields, team=task.team, decide_ms=round(elapsed_s * 1000, 3))
