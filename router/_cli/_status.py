"""``router status`` and ``router reset circuit MODEL``: what the shared state says, and clearing a model."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from router._cli._common import OK, add_routes_option, print_json
from router._settings import Settings

if TYPE_CHECKING:
    from router._status._snapshot import StatusSnapshot


def register(commands: Any) -> None:
    status = commands.add_parser(
        "status",
        help="circuits and why, rate-limit headroom, budgets, live workers, queue depth",
        description="Read, from Redis (or the embedded store), what decides where calls go right now.",
    )
    status.add_argument("--json", action="store_true")
    status.add_argument("--simulated", action="store_true", help="the simulated key space's state instead")
    add_routes_option(status)
    status.set_defaults(handler=_status)

    reset = commands.add_parser("reset", help="clear shared state: a parked or open circuit")
    what = reset.add_subparsers(dest="reset_command", metavar="WHAT", required=True)
    circuit = what.add_parser("circuit", help="close MODEL's circuit now, for every process")
    circuit.add_argument("model", metavar="MODEL")
    circuit.add_argument("--simulated", action="store_true", help="in the simulated key space")
    circuit.add_argument("--json", action="store_true")
    add_routes_option(circuit)
    circuit.set_defaults(handler=_reset_circuit)


def _context(settings: Settings) -> tuple[Any, Any]:
    from router._config import load_routes
    from router._state._store import Store, StoreSettings

    return Store(StoreSettings.from_settings(settings)), load_routes(settings.routes)


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from router._status._snapshot import snapshot

    store, config = _context(settings)
    found = snapshot(store, config, simulated=args.simulated, broker=settings.broker_url)
    if args.json:
        print_json(found.as_dict())
    else:
        print(render(found))
    return OK


def _reset_circuit(args: argparse.Namespace, settings: Settings) -> int:
    from router._status._snapshot import reset_circuit

    store, config = _context(settings)
    was_open = reset_circuit(store, config, args.model, simulated=args.simulated)
    if args.json:
        print_json({"model": args.model, "was_open": was_open, "state": "closed"})
    elif was_open:
        print(f"{args.model}: circuit closed (it was open or parked); calls go to it again")
    else:
        print(f"{args.model}: circuit was already closed")
    return OK


def render(found: StatusSnapshot) -> str:
    """The snapshot as text: one section per kind of state."""
    space = " (simulated key space)" if found.simulated else ""
    lines = [f"store: {found.store}{space}", "", "models:"]
    for model in found.models:
        lines.append(f"  {model.model:<24} {_circuit(model.circuit)}{_limits(model.rate_limits)}")
    lines += ["", "budgets:"]
    lines += [f"  {_budget(b)}" for b in found.budgets] or ["  none (policies.budgets in routes.yaml)"]
    lines += ["", *_workers(found)]
    return "\n".join(lines)


def _circuit(state: Any) -> str:
    if state.state == "closed":
        return f"closed ({state.failures} recent failures)"
    until = datetime.fromtimestamp(state.opens_until, tz=UTC).strftime("%H:%M:%S UTC")
    why = state.reason or "failures"
    verb = "open until" if state.state == "open" else "half-open (one probe may try) since"
    return f"{verb} {until}: {why}, {state.failures} failures; `router reset circuit {state.model}` clears it"


def _limits(headrooms: Any) -> str:
    parts = [f"{h.available:,}/{h.burst:,} {h.bucket} free now ({h.per_minute:,}/min)" for h in headrooms]
    return ("; " + ", ".join(parts)) if parts else ""


def _budget(status: Any) -> str:
    from router._money import readable

    target = status.scope if status.target is None else f"{status.scope} {status.target}"
    return (
        f"{status.key:<28} {target:<24} {status.period_id:<10} spent {readable(status.spent_usd)}, "
        f"held {readable(status.reserved_usd)} of {readable(status.limit_usd)} ({status.action})"
    )


def _workers(found: StatusSnapshot) -> list[str]:
    if found.workers is None:
        return ["workers: none (embedded store: batches run in the process that submits them)"]
    if not found.workers:
        from router._status._workers import START_WORKER_HINT

        lines = ["workers: no live worker answered; " + START_WORKER_HINT.format(url=found.store)]
    else:
        lines = ["workers:"]
        lines += [f"  {w.hostname:<40} answered a ping in {w.answered_ms:.0f} ms" for w in found.workers]
    lines += [f"  process {name:<32} heartbeat {age:.1f} s ago" for name, age in found.heartbeats]
    if found.queue is not None:
        queue = found.queue
        lines.append(f"queue: {queue.waiting:,} chunks waiting, {queue.unacked:,} taken and not acknowledged")
    return lines
