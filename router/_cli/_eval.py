"""``router eval``: how good a routes file is for the money, offline, on labelled prompts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from router._cli._common import OK, print_json
from router._errors import UsageError
from router._settings import Settings

_DESCRIPTION = """\
Route every prompt of DATASET through each routes file (the production router,
no model is called) and report quality and cost beside the baselines on the
same prompts: the strongest and the cheapest model, the best model per task,
random mixes, and the oracle, with RouteLLM's APGR and RouterBench's AIQ.

DATASET is a JSONL file (one object per line: "id", "prompt", "scores"
{model: score}, and optionally "prices" {model: {"input", "output"}} in USD per
1M tokens, "input_tokens", "output_tokens", "cost_usd" per model, "task",
"split", "tags", "max_tokens"), or a public set read from --data:
dcrouter:test, dcrouter:train, routellm:mmlu, routellm:gsm8k,
routellm:mt-bench, routerarena.

Each routes.yaml model is scored as the dataset model that stands in for it:
--map NAME|FILE (YAML "models: {routes model: dataset model}", optional
"prices"); the shipped mappings (dcrouter, routellm, routerarena) are the
default for their sets; --stand-in ROUTES=DATASET overrides one entry.

`router eval convert SOURCE -o FILE.jsonl` writes a public set in the format.
"""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "eval",
        help="quality and cost of a routes file on a labelled dataset, beside the baselines",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", metavar="DATASET", help="a JSONL file, a public set, or `convert`")
    parser.add_argument("source", metavar="SOURCE", nargs="?", default=None, help="with convert: the set")
    parser.add_argument("-o", "--output", metavar="FILE.jsonl", default=None, help="with convert: where")
    parser.add_argument(
        "--routes",
        metavar="FILE",
        action="append",
        default=[],
        help="routes file to evaluate (repeatable; default: $ROUTER_ROUTES, else ./routes.yaml)",
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=None,
        help="folder holding routing/ (default ../shared/data)",
    )
    parser.add_argument("--map", dest="mapping", metavar="NAME|FILE", default=None, help="model stand-ins")
    parser.add_argument(
        "--stand-in",
        dest="stand_ins",
        metavar="ROUTES=DATASET",
        action="append",
        default=[],
        help="one stand-in, over the mapping's (repeatable)",
    )
    parser.add_argument(
        "--task", dest="tasks", action="append", default=[], help="keep only this task (repeatable)"
    )
    parser.add_argument(
        "--exclude-task",
        dest="exclude_tasks",
        action="append",
        default=[],
        help="drop this task (repeatable)",
    )
    parser.add_argument(
        "--split", dest="splits", action="append", default=[], help="keep only this split (repeatable)"
    )
    parser.add_argument(
        "--output-tokens", type=int, default=None, help="assumed output tokens where none are recorded"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--by-task", action="store_true", help="also print the quality on each task")
    parser.add_argument(
        "--chart", metavar="FILE.png", type=Path, default=None, help="draw the cost-quality plane"
    )
    parser.set_defaults(handler=_eval)


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from router._eval import DEFAULT_DATA

    data = args.data or DEFAULT_DATA
    if args.dataset == "convert":
        return _convert(args.source, args.output, data)
    if args.source is not None or args.output is not None:
        raise UsageError("SOURCE and -o belong to `router eval convert SOURCE -o FILE.jsonl`")
    return _report(args, settings, data)


def _convert(source: str | None, output: str | None, data: Path) -> int:
    from router._eval import SOURCES, convert, write_items

    if source is None or output is None:
        raise UsageError(f"write `router eval convert SOURCE -o FILE.jsonl`; sources: {', '.join(SOURCES)}")
    count = write_items(convert(source, data), Path(output))
    print(f"{output}: {count:,} items from {source}")
    return OK


def _report(args: argparse.Namespace, settings: Settings, data: Path) -> int:
    from router._eval import Selection, evaluate, render
    from router._eval._report import render_tasks

    if args.output_tokens is not None and args.output_tokens <= 0:
        raise UsageError(f"--output-tokens must be a positive integer, not {args.output_tokens}")
    routes = args.routes or [settings.routes]
    report = evaluate(
        args.dataset,
        routes,
        data=data,
        mapping=args.mapping,
        stand_ins=args.stand_ins,
        selection=Selection(args.tasks, args.exclude_tasks, args.splits),
        output_tokens=args.output_tokens,
    )
    if args.chart is not None:
        from router._eval._chart import draw

        draw(report, args.chart)
    if args.json:
        print_json(report.as_dict())
    else:
        print(render(report))
        if args.by_task:
            print("\n" + render_tasks(report))
        if args.chart is not None:
            print(f"\nchart: {args.chart}")
    return OK
