"""``router replay``: what a routes file would have done to a workload, and how it differs from another."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from router._cli._common import OK, add_routes_option, print_json

if TYPE_CHECKING:
    from router._settings import Settings


def register(commands: Any) -> None:
    replay = commands.add_parser(
        "replay", help="route a workload through a routes file (and another, to compare) without calling"
    )
    replay.add_argument("workload", metavar="WORKLOAD", type=Path, help="JSONL: batch lines or chat requests")
    add_routes_option(replay)
    replay.add_argument(
        "--against", metavar="FILE", type=Path, default=None, help="routes file to compare with"
    )
    replay.add_argument("--workers", type=_positive, default=None, help="processes (default: every core)")
    replay.add_argument("--format", choices=("table", "json", "csv"), default="table")
    replay.add_argument("--json", action="store_true", help="the same as --format json")
    replay.add_argument(
        "--chart", metavar="FILE.png", default=None, help="draw the cost per model, side by side"
    )
    replay.set_defaults(handler=_replay)


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value}")
    return number


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from router._replay import replay

    result = replay(args.workload, settings.routes, against=args.against, workers=args.workers)
    if args.chart:
        from router._replay._chart import chart

        print(f"wrote {chart(result, args.chart)}", file=sys.stderr)
    if args.json or args.format == "json":
        print_json(result.as_dict())
    elif args.format == "csv":
        from router._replay._text import write_csv

        write_csv(result, csv.writer(sys.stdout))
    else:
        from router._replay._text import render

        print(render(result))
    return OK
