"""What every command shares: the --routes option, error reporting, exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from router._errors import (
    BatchError,
    BudgetExceeded,
    CallError,
    ConfigError,
    NoModelFits,
    RouterError,
    StoreUnavailable,
    UsageError,
)

if TYPE_CHECKING:
    from router._settings import Settings

OK, FAILED, USAGE, NO_MODEL, CALL_FAILED, STORE_DOWN, PARTIAL = 0, 1, 2, 3, 4, 5, 6
"""``PARTIAL``: a batch job completed, but some of its items failed (``batch results --errors``)."""

Handler = Callable[[argparse.Namespace, "Settings"], int]
"""A command: its parsed options and the process settings (read once, in ``run``)."""

_EXIT_CODES: tuple[tuple[type[RouterError], int], ...] = (
    (ConfigError, USAGE),
    (UsageError, USAGE),
    (NoModelFits, NO_MODEL),
    (StoreUnavailable, STORE_DOWN),
    (BudgetExceeded, CALL_FAILED),
    (CallError, CALL_FAILED),
    (BatchError, CALL_FAILED),
)


def add_routes_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--routes",
        metavar="FILE",
        default=None,
        help="routes file (default: $ROUTER_ROUTES, else ./routes.yaml)",
    )


def add_simulate_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--simulate",
        action="store_true",
        default=None,
        help="answer with the simulated provider (also: ROUTER_SIMULATE=1); no API keys needed",
    )


def run(args: argparse.Namespace) -> int:
    """Read the settings, run the chosen command; turn router errors into a message and an exit code."""
    from router._logging import configure_from
    from router._settings import Settings

    handler: Handler = args.handler
    try:
        # The CLI is an edge: the environment is read here, once, and the options override it.
        settings = Settings.load().with_changes(log_level=args.log_level, routes=_one_routes_file(args))
        configure_from(settings)
        return handler(args, settings)
    except RouterError as exc:
        return fail(str(exc), exit_code(exc))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        return OK
    except Exception as exc:
        if not _from_redis(exc):
            raise
        return fail(redis_failure(exc), STORE_DOWN)


def _from_redis(exc: BaseException) -> bool:
    # By module, so that commands that never touch Redis need not import it to check.
    return type(exc).__module__.split(".")[0] == "redis"


def redis_failure(exc: BaseException) -> str:
    """What to tell the user when Redis (or a Redis Cluster) answered a command with an error."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    hint = "check ROUTER_REDIS_URL and the server's logs"
    if "CROSSSLOT" in text or "same slot" in text or "key slot" in text:
        hint = (
            "a command spanned two hash slots of the Redis Cluster, which is a bug in the router; "
            "please report it with the command you ran"
        )
    elif "CLUSTERDOWN" in text or "cluster" in type(exc).__name__.lower():
        hint = "the Redis Cluster is not serving every slot; check `redis-cli --cluster check HOST:PORT`"
    return f"Redis refused a command ({type(exc).__name__}: {text}); {hint}"


def _one_routes_file(args: argparse.Namespace) -> str | None:
    # ``router eval`` takes several --routes and reads them itself; the others take one.
    routes = getattr(args, "routes", None)
    return routes if isinstance(routes, str) else None


def exit_code(error: RouterError) -> int:
    for kind, code in _EXIT_CODES:
        if isinstance(error, kind):
            return code
    return FAILED


def fail(message: str, code: int) -> int:
    print(f"router: error: {message}", file=sys.stderr)
    return code


def read_text_argument(value: str) -> str:
    """A TEXT argument, or standard input when it is ``-``; bytes must be UTF-8."""
    if value != "-":
        return value
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"standard input is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "convert it, e.g. with iconv -t UTF-8"
        ) from None


def writable_file(value: str) -> Path:
    """An output file the user named: its folder must exist, and it must not be a folder itself."""
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"{value} is a directory; name a file in it, e.g. {path / 'out.jsonl'}")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {value}: the directory {folder} does not exist; create it first")
    return path


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))
