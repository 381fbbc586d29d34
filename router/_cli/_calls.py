"""``router complete``: route a task and call the chosen model."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from router._cli._common import OK, add_routes_option, add_simulate_option, print_json, read_text_argument
from router._results import Completion
from router._settings import Settings


def register(commands: Any) -> None:
    complete = commands.add_parser("complete", help="route a task and call the cheapest capable model")
    complete.add_argument("text", metavar="TEXT", help="the prompt, or - to read standard input")
    complete.add_argument("--json", action="store_true", help="print the result as JSON")
    complete.add_argument("--team", default=None)
    complete.add_argument(
        "--tag", dest="tags", action="append", default=[], help="a request tag (repeatable)"
    )
    complete.add_argument("--max-tokens", type=int, default=None, help="the most output tokens to generate")
    add_simulate_option(complete)
    add_routes_option(complete)
    complete.set_defaults(handler=_complete)


def _complete(args: argparse.Namespace, settings: Settings) -> int:
    from router._client import Client

    text = read_text_argument(args.text)
    with Client(simulate=args.simulate, settings=settings) as client:
        result = client.complete(text, max_tokens=args.max_tokens, team=args.team, tags=args.tags)
    if args.json:
        print_json(result.as_dict())
    else:
        print(result.content)
        print(summary(result), file=sys.stderr)
    return OK


def summary(result: Completion) -> str:
    """One line on stderr: who answered, after how many attempts, at what cost."""
    cost = "unpriced" if result.cost_usd is None else f"${result.cost_usd:.6f}"
    tried = len([a for a in result.attempts if a.outcome != "skipped"])
    simulated = " (simulated)" if result.simulated else ""
    return (
        f"-- {result.model}{simulated} via rule {result.decision.rule}: {result.usage.prompt_tokens}+"
        f"{result.usage.completion_tokens} tokens, {cost}, {tried} attempt(s), {result.latency_ms:.0f} ms"
    )
