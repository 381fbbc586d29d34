"""Route every dataset prompt through the production ``Router`` and price every model on it.

Nothing is called: the routes file decides exactly as production would (same
``Router``, same signals, rules and selection), and the item's scores say how
good that choice was. What survives is a ``Row`` per item: scores, costs and
the choices, never the prompt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from router._config._schema import RoutesConfig
from router._errors import NoModelFits, UsageError
from router._eval._format import EvalItem, Price
from router._eval._mapping import Mapping
from router._router import Router
from router._task import Task


@dataclass(frozen=True, slots=True)
class Choice:
    """What one routes file did with one item."""

    routes_model: str | None
    """None when no model of the matched rule could take the item."""
    stand_in: str | None
    rule: str


@dataclass(frozen=True, slots=True)
class Row:
    """One item as the report sees it: every model's score and cost, and each routes file's choice."""

    id: str
    task: str | None
    scores: dict[str, float]
    costs: dict[str, float]
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Costing:
    """How a model's cost on an item is worked out when the dataset did not record it."""

    mapping: Mapping
    output_tokens: int | None = None
    """Assumed output tokens; None: the item's max_tokens, else the routes file's default."""


def evaluate_rows(
    items: Iterable[EvalItem], routes: Sequence[tuple[str, RoutesConfig]], costing: Costing
) -> list[Row]:
    """Every item routed through each routes file, with every model's score and cost."""
    routers = [Router(config) for _, config in routes]
    default_output = costing.output_tokens or routes[0][1].signals.default_output_tokens
    rows: list[Row] = []
    for item in items:
        task = Task.build(item.prompt, max_tokens=item.max_tokens, tags=item.tags)
        choices, tokens = _choose(routers, task, item, costing.mapping)
        output = costing.output_tokens or item.max_tokens or default_output
        costs = {model: _cost(item, model, tokens, output, costing.mapping) for model in item.scores}
        rows.append(Row(item.id, item.task, dict(item.scores), costs, choices))
    if not rows:
        raise UsageError("the dataset has no items (after --task/--split filters); nothing to evaluate")
    return rows


def _choose(
    routers: Sequence[Router], task: Task, item: EvalItem, mapping: Mapping
) -> tuple[tuple[Choice, ...], int]:
    choices: list[Choice] = []
    tokens = 0
    for router in routers:
        try:
            decision = router.decide(task)
        except NoModelFits as exc:
            choices.append(Choice(None, None, exc.rule or "?"))
            tokens = tokens or router.measure(task)[0].tokens
            continue
        tokens = decision.signals.tokens
        choices.append(Choice(decision.model, _stand_in(decision.model, item, mapping), decision.rule))
    return tuple(choices), tokens


def _stand_in(routes_model: str, item: EvalItem, mapping: Mapping) -> str:
    dataset_model = mapping.stand_in(routes_model)
    if dataset_model is None:
        raise UsageError(
            f"the routes file chose {routes_model!r} for item {item.id!r} but {mapping.source} maps no "
            f"dataset model to it; add `{routes_model}: <dataset model>` under its models "
            f"(or --stand-in {routes_model}=MODEL); dataset models: {', '.join(sorted(item.scores))}"
        )
    if dataset_model not in item.scores:
        raise UsageError(
            f"{mapping.source} maps {routes_model!r} to {dataset_model!r}, which item {item.id!r} has no "
            f"score for; dataset models: {', '.join(sorted(item.scores))}"
        )
    return dataset_model


def _cost(item: EvalItem, model: str, tokens: int, output: int, mapping: Mapping) -> float:
    recorded = item.cost_usd.get(model)
    if recorded is not None:
        return recorded
    price: Price | None = item.prices.get(model) or mapping.prices.get(model)
    if price is None:
        raise UsageError(
            f"no price for dataset model {model!r} (item {item.id!r}): the dataset gives none; add "
            f"`{model}: {{input: USD_PER_1M, output: USD_PER_1M}}` under prices in {mapping.source}"
        )
    return price.cost(item.input_tokens.get(model, tokens), item.output_tokens.get(model, output))
