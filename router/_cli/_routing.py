"""``router validate``, ``router schema`` and ``router route``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from router._cli._common import NO_MODEL, OK, add_routes_option, print_json, read_text_argument
from router._decision import Decision
from router._settings import Settings


def register(commands: Any) -> None:
    validate = commands.add_parser("validate", help="check a routes file and print its warnings")
    validate.add_argument("file", nargs="?", default=None, help="routes file (default: as --routes)")
    validate.add_argument("--json", action="store_true", help="print the result and warnings as JSON")
    add_routes_option(validate)
    validate.set_defaults(handler=_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of routes.yaml")
    schema.set_defaults(handler=_schema)

    route = commands.add_parser("route", help="show which model a task goes to, and why")
    _task_arguments(route)
    route.add_argument("--json", action="store_true", help="print the decision as JSON")
    add_routes_option(route)
    route.set_defaults(handler=_route)

    explain = commands.add_parser(
        "explain", help="show every rule and every pool model the router weighed for a task, and why"
    )
    _task_arguments(explain)
    explain.add_argument("--json", action="store_true", help="print the explanation as JSON")
    add_routes_option(explain)
    explain.set_defaults(handler=_explain)


def _task_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", metavar="TEXT", help="the prompt, or - to read standard input")
    parser.add_argument("--team", default=None)
    parser.add_argument("--tag", dest="tags", action="append", default=[], help="a request tag (repeatable)")
    parser.add_argument("--max-tokens", type=_positive_int, default=None, help="expected output tokens")


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value}")
    return number


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from router._config import lint_routes, load_routes, resolve_path
    from router._pricing import resolve
    from router._providers._keys import unset_key_variables

    path = resolve_path(args.file or settings.routes)
    config = load_routes(path)
    warnings = lint_routes(config)
    for spec in config.models:
        if not resolve(spec).priced:
            warnings.append(
                f"model {spec.name!r} ({spec.model}) has no known price: litellm's catalogue lacks it and "
                "routes.yaml gives none; its calls are recorded as unpriced and cost reports are "
                "a lower bound"
            )
    for variable, models in unset_key_variables(config.models).items():
        warnings.append(
            f"{variable} is not set in this environment: calls from here skip {', '.join(models)} "
            "(a local fault: nothing shared is marked); export it, or run with --simulate"
        )
    if args.json:
        print_json(
            {
                "file": str(path),
                "ok": True,
                "models": len(config.models),
                "rules": len(config.rules),
                "warnings": warnings,
            }
        )
        return OK
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"{path}: OK ({len(config.models)} models, {len(config.rules)} rules, {len(warnings)} warnings)")
    return OK


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    from router._config import RoutesConfig

    schema = RoutesConfig.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "routes.yaml"
    print(json.dumps(schema, indent=2))
    return OK


def _route(args: argparse.Namespace, settings: Settings) -> int:
    from router._client import Client

    text = read_text_argument(args.text)
    client = Client(settings=settings)
    decision = client.route(text, max_tokens=args.max_tokens, team=args.team, tags=args.tags)
    if args.json:
        print_json(decision.as_dict())
    else:
        print(render(decision))
    return OK


def _explain(args: argparse.Namespace, settings: Settings) -> int:
    from router._cli._explain_view import render as render_explanation
    from router._client import Client

    text = read_text_argument(args.text)
    explanation = Client(settings=settings).explain(
        text, max_tokens=args.max_tokens, team=args.team, tags=args.tags
    )
    if args.json:
        print_json(explanation.as_dict())
    else:
        print(render_explanation(explanation))
    return OK if explanation.model is not None else NO_MODEL


def render(decision: Decision) -> str:
    """A short readable summary of a decision."""
    s = decision.signals
    findings = ", ".join(f"{f.type} x{f.count}" for f in s.findings) or "none"
    lines = [
        f"model:       {decision.model}",
        f"rule:        {decision.rule}",
        f"tokens:      {s.tokens:,}",
        f"language:    {s.language} ({s.language_confidence:.2f})",
        f"sensitivity: {s.sensitivity.label} (findings: {findings})",
    ]
    policy = decision.pseudonymisation
    if policy is not None:
        # How many, never which: the values stay in the caller's process.
        lines.append(f"pseudonymised: {policy.findings} findings, leaving {policy.level.label}")
    lines.append("candidates:")
    for c in decision.candidates:
        cost = "unpriced" if c.estimated_cost_usd is None else f"${c.estimated_cost_usd:.6f}"
        lines.append(f"  {c.model:<24} {cost:>12}  {c.prompt_tokens:,} + {c.expected_output_tokens:,} tokens")
    if decision.excluded:
        lines.append("excluded:")
        lines.extend(f"  {e.model:<24} {e.reason}" for e in decision.excluded)
    return "\n".join(lines)
