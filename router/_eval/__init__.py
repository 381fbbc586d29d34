"""Offline evaluation of routes files on datasets with per-prompt quality labels.

``evaluate`` routes every prompt of a dataset through the production
``Router`` (no model is called), looks up the score of the model each routes
file chose (through a mapping from routes.yaml models to the dataset's
models), and sets quality and cost beside the baselines on the same prompts,
with RouteLLM's APGR and RouterBench's AIQ (see ``_metrics``).

Modules: ``_format`` (the JSONL format), ``_sources`` (converters of the
public sets), ``_mapping`` (stand-ins), ``_run`` (routing and costing),
``_baselines``, ``_metrics``, ``_report`` and ``_chart``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from router._config import load_routes
from router._errors import UsageError
from router._eval._format import EvalItem, read_items, write_items
from router._eval._mapping import Mapping, default_mapping, load_mapping
from router._eval._report import EvalReport, build_report, render
from router._eval._run import Costing, evaluate_rows
from router._eval._sources import SOURCES, convert

DEFAULT_DATA = Path("../shared/data")

__all__ = [
    "DEFAULT_DATA",
    "SOURCES",
    "EvalItem",
    "EvalReport",
    "Selection",
    "convert",
    "evaluate",
    "load_dataset",
    "render",
    "write_items",
]


class Selection:
    """Which items of a dataset to keep: by task (kept or dropped) and by split."""

    def __init__(
        self, tasks: Sequence[str] = (), exclude_tasks: Sequence[str] = (), splits: Sequence[str] = ()
    ) -> None:
        self.tasks, self.exclude_tasks, self.splits = set(tasks), set(exclude_tasks), set(splits)

    def keep(self, item: EvalItem) -> bool:
        if self.tasks and item.task not in self.tasks:
            return False
        if item.task in self.exclude_tasks:
            return False
        return not self.splits or item.split in self.splits

    def filter(self, items: Iterable[EvalItem]) -> Iterator[EvalItem]:
        return (item for item in items if self.keep(item))


def load_dataset(dataset: str, data: Path = DEFAULT_DATA) -> Iterator[EvalItem]:
    """A dataset file in the eval format, or a named public set read from ``data``."""
    path = Path(dataset)
    if path.is_file():
        return read_items(path)
    if dataset in SOURCES:
        return convert(dataset, data)
    raise UsageError(f"{dataset!r}: no such file, and not a known dataset ({', '.join(SOURCES)})")


def evaluate(
    dataset: str,
    routes: Sequence[str | os.PathLike[str]],
    *,
    data: Path = DEFAULT_DATA,
    mapping: str | None = None,
    stand_ins: Sequence[str] = (),
    selection: Selection | None = None,
    output_tokens: int | None = None,
) -> EvalReport:
    """Quality and cost of each routes file on ``dataset``, beside the baselines."""
    chosen = mapping or default_mapping(dataset)
    if chosen is None and not stand_ins:
        raise UsageError(
            f"say which dataset model stands in for each routes.yaml model: --map FILE "
            f"(or a shipped mapping name) or --stand-in ROUTES=DATASET; {dataset!r} has no default mapping"
        )
    stand_in_map = (load_mapping(chosen) if chosen else Mapping({})).with_overrides(stand_ins)
    configs = [(str(path), load_routes(path)) for path in routes]
    items = (selection or Selection()).filter(load_dataset(dataset, data))
    rows = evaluate_rows(items, configs, Costing(stand_in_map, output_tokens))
    return build_report(dataset, rows, [name for name, _ in configs])
