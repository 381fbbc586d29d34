"""The gateway's ASGI app: OpenAI's HTTP API in front of the same runtime as the SDK.

Built on Starlette: the routing, request and response layer without FastAPI's per-request
validation and dependency machinery, which a proxy whose bodies are checked by its own
parameter policy does not need, and whose cost would sit on every request's latency. One
process serves every request on one event loop; a request's routing, budgets, rate limits and
ledger go through the same ``Runtime`` as ``AsyncClient.complete``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from router._config._schema import RoutesConfig
from router._errors import RouterError
from router._gateway import _chat
from router._gateway._auth import admit, authenticate
from router._gateway._batches import Batches
from router._gateway._collector import CollectWhenIdle, IdleCollector
from router._gateway._disconnect import unless_disconnected
from router._gateway._errors import ApiError, bad_request, from_router_error
from router._gateway._keys import CACHE_S, ApiKey, KeyStore
from router._gateway._limits import Limits, read_body
from router._gateway._metrics import CONTENT_TYPE, Metrics
from router._gateway._sse import stream_response
from router._runtime import Runtime, new_request_id
from router._state._store import Store
from router._warm import freeze_preloaded, preload

log = structlog.get_logger("router.gateway")

Handler = Callable[["Gateway", Request, str], Awaitable[Response]]


@dataclass
class Gateway:
    """What every request handler shares."""

    config: RoutesConfig
    store: Store
    simulate: bool
    limits: Limits
    metrics: Metrics = field(default_factory=Metrics)
    runtime: Runtime | None = None
    keys: KeyStore | None = None
    batches: Batches | None = None
    announce: str | None = None

    async def start(self) -> None:
        # Tokenizers and language models now, not in the first request's latency.
        preload(self.config)
        # Built in the server's event loop: Redis clients belong to the loop they run on.
        self.runtime = Runtime.build(self.config, store=self.store, simulate=self.simulate)
        self.keys = KeyStore(self.store, cache_s=CACHE_S)
        self.batches = Batches(self.store, self.config, self.limits)
        # What start-up built lives as long as the process: out of the collector's reach.
        freeze_preloaded()
        if self.announce:
            provider = "simulated provider" if self.runtime.simulated else "real providers"
            print(f"router: serving {self.announce} ({provider})", file=sys.stderr, flush=True)

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.drain()

    @property
    def ready_runtime(self) -> Runtime:
        assert self.runtime is not None, "the gateway has not started"
        return self.runtime


def build_app(
    config: RoutesConfig,
    *,
    store: Store | None = None,
    simulate: bool = False,
    limits: Limits | None = None,
    announce: str | None = None,
) -> GatewayApp:
    """The gateway app for ``config`` on ``store`` (default: embedded); the caller's settings decide."""
    gateway = Gateway(config, store or Store(), simulate, limits or Limits(), announce=announce)
    collector = IdleCollector()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gateway.start()
        assert gateway.keys is not None
        # The background reads of a key record and of a circuit's cached verdict wait for a
        # moment no request is in flight, rather than run beside the request that found them due.
        gateway.keys.defer_refresh = True
        collector.when_idle(gateway.keys.idle)
        circuit = gateway.ready_runtime.executor.guards.circuit
        circuit.defer_peek = True
        collector.when_idle(circuit.idle)
        collector.start()
        try:
            yield
        finally:
            collector.stop()
            await gateway.stop()

    chat = _endpoint(gateway, "chat", _chat_completions)
    routes = [
        Route(CHAT_PATH, chat, methods=["POST"]),
        Route("/v1/models", _endpoint(gateway, "models", _models), methods=["GET"]),
        Route("/v1/files", _endpoint(gateway, "files", _upload), methods=["POST"]),
        Route("/v1/files/{file_id}", _endpoint(gateway, "files", _file), methods=["GET"]),
        Route("/v1/files/{file_id}/content", _endpoint(gateway, "files", _file_content), methods=["GET"]),
        Route("/v1/batches", _endpoint(gateway, "batches", _create_batch), methods=["POST"]),
        Route("/v1/batches", _endpoint(gateway, "batches", _list_batches), methods=["GET"]),
        Route("/v1/batches/{batch_id}", _endpoint(gateway, "batches", _get_batch), methods=["GET"]),
        Route(
            "/v1/batches/{batch_id}/cancel", _endpoint(gateway, "batches", _cancel_batch), methods=["POST"]
        ),
        Route("/healthz", _endpoint(gateway, "healthz", _healthz), methods=["GET"]),
        Route("/readyz", _endpoint(gateway, "readyz", _readyz), methods=["GET"]),
        Route("/metrics", _endpoint(gateway, "metrics", _metrics), methods=["GET"]),
    ]
    app = GatewayApp(
        chat,
        collector,
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: _not_found, 405: _not_allowed},
        middleware=[Middleware(CollectWhenIdle, collector=collector)],
    )
    app.state.gateway = gateway
    return app


CHAT_PATH = "/v1/chat/completions"


class GatewayApp(Starlette):
    """Starlette, with ``POST /v1/chat/completions`` answered past its middleware and routing.

    Before an endpoint Starlette runs its error middleware, the idle collector's, its exception
    middleware, the router's match of every route and the route's request wrapper with its own
    exception handling: a coroutine each per request, and a wrapper each around every message
    the response sends. The chat endpoint (``_endpoint``) turns every error into OpenAI's shape
    itself and needs none of them but the collector's count, so its requests go straight to it;
    any other request, a chat one under another method included, goes through Starlette.
    """

    def __init__(
        self, chat: Callable[[Request], Awaitable[Response]], collector: IdleCollector, **options: Any
    ) -> None:
        super().__init__(**options)
        self._chat = chat
        self._collector = collector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != CHAT_PATH or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        self._collector.begin()
        try:
            response = await self._chat(Request(scope, receive, send))
            await response(scope, receive, send)
        finally:
            self._collector.end()


def _endpoint(gateway: Gateway, name: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """``handler`` with errors in OpenAI's shape, a request id on every answer, and metrics."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        request_id = new_request_id()
        try:
            response = await handler(gateway, request, request_id)
        except ApiError as error:
            response = error.response({"x-request-id": request_id})
        except RouterError as error:
            budgets = gateway.ready_runtime.executor.guards.budgets.budgets
            response = from_router_error(error, budgets).response({"x-request-id": request_id})
        except Exception as error:  # one request's bug must not take the others down
            log.error("gateway.failed", endpoint=name, error_type=type(error).__name__, request_id=request_id)
            response = ApiError(500, f"internal error ({type(error).__name__})", "api_error").response(
                {"x-request-id": request_id}
            )
        gateway.metrics.request(name, response.status_code, time.perf_counter() - started)
        return response

    return endpoint


async def _chat_completions(gateway: Gateway, request: Request, request_id: str) -> Response:
    runtime = gateway.ready_runtime
    key = await _caller(gateway, request)
    body = await read_body(request, gateway.limits)
    parsed = _chat.parse(_json(body), gateway.config, team=key.team, tags=_tags(request, key))
    await admit(key, runtime.executor.guards.limiter, runtime.executor.guards.budgets)
    target = parsed.target
    decision = runtime.router.decide(parsed.task, rule=target.rule, model=target.model)
    if parsed.stream:
        events = runtime.stream(parsed.task, decision=decision, request_id=request_id)
        headers = _chat.decision_headers(request_id, decision)
        return await stream_response(request, events, request_id, parsed.include_usage, headers)
    call = runtime.complete(parsed.task, decision=decision, request_id=request_id)
    completion = await unless_disconnected(request, call)
    gateway.metrics.answered(completion)
    return JSONResponse(_chat.completion_body(completion), headers=_chat.explain_headers(completion))


async def _upload(gateway: Gateway, request: Request, request_id: str) -> Response:
    return await _batches(gateway).upload(request, await _caller(gateway, request))


async def _file(gateway: Gateway, request: Request, request_id: str) -> Response:
    return await _batches(gateway).file(request.path_params["file_id"], await _caller(gateway, request))


async def _file_content(gateway: Gateway, request: Request, request_id: str) -> Response:
    return await _batches(gateway).content(request.path_params["file_id"], await _caller(gateway, request))


async def _create_batch(gateway: Gateway, request: Request, request_id: str) -> Response:
    key = await _caller(gateway, request)
    return await _batches(gateway).create(_json(await read_body(request, gateway.limits)), key)


async def _list_batches(gateway: Gateway, request: Request, request_id: str) -> Response:
    return await _batches(gateway).listing(request, await _caller(gateway, request))


async def _get_batch(gateway: Gateway, request: Request, request_id: str) -> Response:
    return await _batches(gateway).get(request.path_params["batch_id"], await _caller(gateway, request))


async def _cancel_batch(gateway: Gateway, request: Request, request_id: str) -> Response:
    return await _batches(gateway).cancel(request.path_params["batch_id"], await _caller(gateway, request))


def _batches(gateway: Gateway) -> Batches:
    assert gateway.batches is not None, "the gateway has not started"
    return gateway.batches


async def _models(gateway: Gateway, request: Request, request_id: str) -> Response:
    await _caller(gateway, request)
    config = gateway.config
    data = [{"id": _chat.AUTO, "object": "model", "created": 0, "owned_by": "router"}]
    data += [
        {"id": spec.name, "object": "model", "created": 0, "owned_by": spec.provider}
        for spec in config.models
    ]
    data += [
        {"id": rule.name, "object": "model", "created": 0, "owned_by": "router:rule"} for rule in config.rules
    ]
    return JSONResponse({"object": "list", "data": data})


async def _healthz(gateway: Gateway, request: Request, request_id: str) -> Response:
    return JSONResponse({"status": "ok"})


async def _readyz(gateway: Gateway, request: Request, request_id: str) -> Response:
    checks = {"routes": "ok" if gateway.runtime is not None else "not loaded", "redis": "ok"}
    try:
        await asyncio.to_thread(gateway.store.ping)
    except RouterError as error:
        checks["redis"] = error.message
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", **checks}, 200 if ready else 503)


async def _metrics(gateway: Gateway, request: Request, request_id: str) -> Response:
    guards = gateway.ready_runtime.executor.guards
    states = await asyncio.gather(*(guards.circuit.state(name) for name in gateway.config.model_names))
    budgets = await asyncio.to_thread(guards.budgets.status)
    body = gateway.metrics.render(sum(state.state == "open" for state in states), budgets)
    return Response(body, media_type=CONTENT_TYPE)


async def _caller(gateway: Gateway, request: Request) -> ApiKey:
    assert gateway.keys is not None
    return await authenticate(request, gateway.keys)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise bad_request(f"the request body is not valid JSON ({error})") from None


def _tags(request: Request, key: ApiKey) -> list[str]:
    """The key's tag, plus any the client sends in ``x-router-tags`` (comma-separated)."""
    given = [tag.strip() for tag in request.headers.get("x-router-tags", "").split(",") if tag.strip()]
    for tag in given:
        if tag.startswith("key:"):
            raise bad_request(f"tag {tag!r} is reserved: 'key:' tags name the API key", "x-router-tags")
    return [key.tag, *given]


async def _not_found(request: Request, exc: Exception) -> Response:
    path = request.url.path
    return ApiError(404, f"no such endpoint: {request.method} {path}", code="unknown_url").response()


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return ApiError(
        405, f"{request.method} is not allowed on {request.url.path}", code="method_not_allowed"
    ).response()
