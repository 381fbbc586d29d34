"""A real ``router serve`` process on a loopback port, calling a scripted local upstream.

One gateway process per test module (it takes seconds to start: litellm, tokenizers); each
test gets a flushed Redis database and makes its own keys. The upstream is the OpenAI-compatible
test server, so litellm's real HTTP path runs and the test can see every request it received.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest

from router._gateway._keys import KeyStore
from router._state._store import Store, StoreSettings
from tests.support.openai_server import OpenAIServer
from tests.support.redis_claim import Claim

ROUTES = """
teams: [research, finance]
models:
  - {{name: alpha, model: openai/test-model-a, clearance: internal, deployment: {{kind: cloud}},
     params: {{api_base: "{url}", api_key: os.environ/TEST_PROVIDER_KEY}},
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002,
     context_window: 100000, capabilities: [chat, tools, json_schema]}}
  - {{name: beta, model: openai/test-model-b, clearance: confidential, deployment: {{kind: cloud}},
     params: {{api_base: "{url}", api_key: os.environ/TEST_PROVIDER_KEY}},
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000004,
     context_window: 100000, capabilities: [chat, tools, json_schema]}}
  - {{name: vault, model: openai/test-model-vault, clearance: restricted, deployment: {{kind: self_hosted}},
     params: {{api_base: "{url}", api_key: os.environ/TEST_PROVIDER_KEY}},
     input_cost_per_token: 0.000003, output_cost_per_token: 0.000006,
     context_window: 100000, capabilities: [chat, tools, json_schema]}}
rules:
  - {{name: restricted-data, when: {{sensitivity: {{at_least: restricted}}}}, pool: [vault]}}
  - {{name: default, pool: [alpha, beta]}}
policies:
  fallback: {{attempts_per_model: 1, backoff_base_s: 0.05, backoff_max_s: 0.1, deadline_s: 10}}
  circuit_breaker: {{failure_threshold: 1000, window_s: 60, cooldown_s: 30}}
  budgets:
    - {{name: finance-daily, scope: team, target: finance, limit_usd: 0.0000001, period: day, action: reject}}
    - {{name: research-daily, scope: team, target: research, limit_usd: 1000, period: day, action: reject}}
"""

MAX_BODY_MB = 0.05
TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Gateway:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    routes: Path

    def client(self, key: str) -> openai.OpenAI:
        # No client retries: every test sees the gateway's first answer.
        return openai.OpenAI(base_url=f"{self.url}/v1", api_key=key, max_retries=0, timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gateway(routes: Path, redis_url: str, *extra: str) -> Gateway:
    """``router serve`` on ``redis_url`` in its own process; returns once ``/healthz`` answers."""
    port = free_port()
    env = {**os.environ, "ROUTER_REDIS_URL": redis_url, "TEST_PROVIDER_KEY": "sk-test-not-a-real-key"}
    command = [sys.executable, "-m", "router._cli", "serve", "--routes", str(routes), "--port", str(port)]
    process = subprocess.Popen([*command, *extra], env=env, stderr=subprocess.PIPE)
    gateway = Gateway(f"http://127.0.0.1:{port}", port, process, routes)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"router serve exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            if httpx.get(f"{gateway.url}/healthz", timeout=1).status_code == 200:
                return gateway
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("router serve did not answer /healthz within 90 s")


def stop_gateway(gateway: Gateway) -> None:
    gateway.process.send_signal(signal.SIGTERM)
    try:
        gateway.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        gateway.process.kill()
    if gateway.process.stderr is not None:
        gateway.process.stderr.close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[OpenAIServer]:
    server = OpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(
    upstream: OpenAIServer, tmp_path_factory: pytest.TempPathFactory, test_redis: Claim
) -> Iterator[Gateway]:
    routes = tmp_path_factory.mktemp("gateway") / "routes.yaml"
    routes.write_text(ROUTES.format(url=upstream.url))
    limits = ("--max-body-mb", str(MAX_BODY_MB), "--body-timeout", str(TIMEOUT_S))
    started = start_gateway(routes, test_redis.url(), *limits, "--header-timeout", str(TIMEOUT_S))
    yield started
    stop_gateway(started)


MakeKey = Callable[..., str]


@pytest.fixture
def make_key(redis_url: str) -> MakeKey:
    """Create a key in the flushed test database (``team`` defaults to research)."""
    keys = KeyStore(Store(StoreSettings(url=redis_url)))

    def make(team: str | None = "research", **options: object) -> str:
        secret, _ = keys.create(team=team, **options)  # type: ignore[arg-type]
        return secret

    return make


@pytest.fixture
def key_store(redis_url: str) -> KeyStore:
    return KeyStore(Store(StoreSettings(url=redis_url)))
