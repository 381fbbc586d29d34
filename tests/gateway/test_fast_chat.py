"""Chat completions go straight to their endpoint, counted in flight; other requests through
Starlette's routing as before. In process, over httpx's ASGI transport."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from router._gateway._app import CHAT_PATH, GatewayApp
from router._gateway._collector import CollectWhenIdle, IdleCollector


def _app(seen: list[tuple[str, int]]) -> GatewayApp:
    collector = IdleCollector()

    def endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            seen.append((name, collector.in_flight))
            return JSONResponse({"path": request.url.path})

        return answer

    return GatewayApp(
        endpoint("chat"),
        collector,
        routes=[
            Route(CHAT_PATH, endpoint("route"), methods=["POST"]),
            Route("/v1/models", endpoint("models")),
        ],
        middleware=[Middleware(CollectWhenIdle, collector=collector)],
    )


def test_a_chat_completion_reaches_its_endpoint_directly_and_is_in_flight_meanwhile() -> None:
    seen: list[tuple[str, int]] = []

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=_app(seen))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            chat = await client.post(CHAT_PATH, json={})
            models = await client.get("/v1/models")
            wrong_method = await client.get(CHAT_PATH)
        return [chat.status_code, models.status_code, wrong_method.status_code]

    assert asyncio.run(scenario()) == [200, 200, 405]
    assert seen == [("chat", 1), ("models", 1)]  # the chat route's own endpoint never ran
