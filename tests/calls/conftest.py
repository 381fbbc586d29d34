"""Fixtures for call tests: a routes file pointing at the local OpenAI-compatible server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from router._config import RoutesConfig, parse_routes
from router._runtime import Runtime
from router._state._store import Store, StoreSettings
from tests.support.openai_server import OpenAIServer, openai_server

__all__ = ["make_runtime", "openai_server", "run"]

ROUTES = """
models:
  - {{name: alpha, model: openai/test-model-a, clearance: internal,
     params: {{api_base: "{url}", api_key: os.environ/TEST_PROVIDER_KEY}},
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, context_window: 100000}}
  - {{name: beta, model: openai/test-model-b, clearance: confidential,
     params: {{api_base: "{url}", api_key: os.environ/TEST_PROVIDER_KEY}},
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000004, context_window: 100000}}
  - {{name: vault, model: openai/test-model-vault, clearance: restricted,
     params: {{api_base: "{url}", api_key: os.environ/TEST_PROVIDER_KEY}},
     input_cost_per_token: 0.000003, output_cost_per_token: 0.000006, context_window: 100000}}
rules:
  - {{name: default, pool: "*"}}
policies:
  fallback: {{attempts_per_model: 3, backoff_base_s: 0.2, backoff_max_s: 1.0, deadline_s: {deadline}}}
  circuit_breaker: {{failure_threshold: 50, window_s: 60, cooldown_s: 30}}
"""


def routes_for(server: OpenAIServer, *, deadline: float = 10.0, extra: str = "") -> RoutesConfig:
    return parse_routes(ROUTES.format(url=server.url, deadline=deadline) + extra)


@pytest.fixture
def make_runtime(
    openai_server: OpenAIServer, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Runtime]:
    """Build a runtime calling the local server for real, with shared state in the real Redis."""
    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-not-a-real-key")

    def build(*, deadline: float = 10.0, extra: str = "") -> Runtime:
        config = routes_for(openai_server, deadline=deadline, extra=extra)
        return Runtime.build(config, store=Store(StoreSettings(url=redis_url)), simulate=False)

    return build


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)
