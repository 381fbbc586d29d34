"""The ``router`` command line.

Each command group lives in its own module and registers its sub-commands.
Only the chosen command's module imports what it needs, so ``router route``
starts without litellm.

Exit codes: 0 success; 2 configuration or usage error; 3 no model may take the
task; 4 the call or job failed; 5 Redis unreachable; 6 a batch job completed
but some of its items failed; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# Every command module is always there; each imports what its commands need only when they run.
from router._cli import _batch, _calls, _costs, _eval, _replay, _routing, _serve, _status, _worker
from router._cli._common import run
from router._settings import LOG_LEVELS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="router",
        description="Route LLM tasks to the cheapest model cleared for them.",
    )
    parser.add_argument("--log-level", type=str.lower, choices=LOG_LEVELS, default=None, help=_LOG_HELP)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (_routing, _calls, _batch, _costs, _status, _worker, _eval, _serve, _replay):
        module.register(commands)
    _accept_global_options(commands)
    return parser


_LOG_HELP = "debug, info, warning (default) or error; also $ROUTER_LOG_LEVEL"


class _Version(argparse.Action):
    """``router --version``: read from the installed package only when asked (metadata costs start-up)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("llm-router")
        except PackageNotFoundError:  # pragma: no cover - run from a checkout that is not installed
            number = "unknown (not installed)"
        print(f"router {number}")
        parser.exit()


def _accept_global_options(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Let ``--log-level`` follow the command too (``router complete --log-level debug ...``)."""
    for parser in commands.choices.values():
        parser.add_argument(
            "--log-level", type=str.lower, choices=LOG_LEVELS, default=argparse.SUPPRESS, help=_LOG_HELP
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``router`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
