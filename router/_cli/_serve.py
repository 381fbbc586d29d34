"""``router serve`` (the OpenAI-compatible gateway) and ``router keys`` (its API keys)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from router._cli._common import OK, add_routes_option, add_simulate_option, print_json
from router._errors import UsageError
from router._settings import Settings


def register(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="serve the OpenAI chat API over the routes (router serve --help)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    serve.add_argument("--max-body-mb", type=float, default=16.0, help="largest request body (default 16)")
    serve.add_argument(
        "--body-timeout", type=float, default=30.0, help="seconds a client has to send its body"
    )
    serve.add_argument(
        "--header-timeout", type=float, default=10.0, help="seconds a client has to send its request headers"
    )
    add_simulate_option(serve)
    add_routes_option(serve)
    serve.set_defaults(handler=_serve)
    _register_keys(commands)


def _register_keys(commands: Any) -> None:
    keys = commands.add_parser("keys", help="create, list and revoke the gateway's API keys")
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a key (shown once, stored only as a hash)")
    create.add_argument("--team", default=None, help="the team the key's requests count for")
    create.add_argument("--rpm", type=int, default=None, help="requests per minute allowed with this key")
    create.add_argument("--budget", type=float, default=None, metavar="USD", help="spend limit per period")
    create.add_argument("--budget-period", choices=("day", "week", "month"), default="month")
    create.add_argument("--name", default=None, help="a label for `router keys list`")
    create.add_argument("--quiet", action="store_true", help="print only the key")
    add_routes_option(create)
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="every key: id, team, limits, created, revoked")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="revoke a key by id: its requests get a 401 within a second")
    revoke.add_argument("key_id", metavar="KEY_ID")
    revoke.set_defaults(handler=_revoke)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from router._config import load_routes
    from router._gateway._app import build_app
    from router._gateway._limits import Limits
    from router._gateway._server import serve

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    config = load_routes(settings.routes)
    store = _store(settings)
    store.ping()
    limits = Limits(
        max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        body_timeout_s=args.body_timeout,
        header_timeout_s=args.header_timeout,
    )
    announce = f"the OpenAI API on http://{args.host}:{args.port}/v1"
    serve(
        build_app(
            config,
            store=store,
            simulate=bool(args.simulate) or settings.simulate,
            limits=limits,
            announce=announce,
        ),
        host=args.host,
        port=args.port,
        limits=limits,
    )
    return OK


def _store(settings: Settings) -> Any:
    from router._state._store import Store, StoreSettings

    return Store(StoreSettings.from_settings(settings))


def _keystore(settings: Settings) -> Any:
    from router._gateway._keys import KeyStore

    store = _store(settings)
    if store.embedded:
        raise UsageError(
            "API keys live in Redis, shared with `router serve`: set ROUTER_REDIS_URL "
            "(for example redis://127.0.0.1:6379/0) in both"
        )
    return KeyStore(store)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    from router._config import load_routes

    teams = load_routes(settings.routes).teams
    if args.team is not None and teams is not None and args.team not in teams:
        raise UsageError(f"unknown team {args.team!r}; routes.yaml lists: {', '.join(teams)}")
    secret, key = _keystore(settings).create(
        team=args.team, rpm=args.rpm, budget_usd=args.budget, budget_period=args.budget_period, name=args.name
    )
    print(secret)
    if not args.quiet:
        print(f"-- key {key.id} for team {key.team or '(none)'}: shown once, store it now", file=sys.stderr)
    return OK


def _list(args: argparse.Namespace, settings: Settings) -> int:
    keys = _keystore(settings).list()
    if args.json:
        print_json([key.as_dict() for key in keys])
        return OK
    print(f"{'id':<18} {'team':<12} {'rpm':>6} {'budget':>14} {'created':<17} revoked")
    for key in keys:
        budget = f"${key.budget_usd:g}/{key.budget_period}" if key.budget_usd is not None else "-"
        revoked = _when(key.revoked) if key.revoked is not None else "-"
        team, rpm, created = key.team or "-", key.rpm or "-", _when(key.created)
        print(f"{key.id:<18} {team:<12} {rpm:>6} {budget:>14} {created:<17} {revoked}")
    return OK


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    key = _keystore(settings).revoke(args.key_id)
    print(f"revoked {key.id} (team {key.team or '-'})")
    return OK


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M")
