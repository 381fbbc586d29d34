"""One bad client never degrades the others: huge, malformed and slow requests, and the probes."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.gateway.conftest import MAX_BODY_MB, Gateway, MakeKey
from tests.support.openai_server import OpenAIServer

pytestmark = pytest.mark.slow

HELLO = [{"role": "user", "content": "Please summarise the weekly status report in two sentences."}]


def _chat(gateway: Gateway, key: str, **kwargs: object) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return httpx.post(f"{gateway.url}/v1/chat/completions", headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def _answers(gateway: Gateway, key: str) -> bool:
    return _chat(gateway, key, json={"model": "auto", "messages": HELLO}).status_code == 200


def test_a_body_over_the_limit_is_413_before_it_is_read(gateway: Gateway, make_key: MakeKey) -> None:
    key = make_key()
    huge = "x" * int(MAX_BODY_MB * 1024 * 1024 + 1)
    response = _chat(gateway, key, json={"model": "auto", "messages": [{"role": "user", "content": huge}]})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert _answers(gateway, key)


def test_a_chunked_body_over_the_limit_is_413(gateway: Gateway, make_key: MakeKey) -> None:
    chunk = b"x" * 8192
    count = int(MAX_BODY_MB * 1024 * 1024 / len(chunk)) + 2
    response = _chat(gateway, make_key(), content=iter([chunk] * count))
    assert response.status_code == 413


def test_a_malformed_body_is_400_and_the_next_request_is_served(gateway: Gateway, make_key: MakeKey) -> None:
    key = make_key()
    response = _chat(
        gateway, key, content=b'{"model": "auto", "messages": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
    assert _chat(gateway, key, json=["not", "an", "object"]).status_code == 400
    assert _answers(gateway, key)


def test_slowloris_headers_are_cut_off_while_other_clients_are_served(
    gateway: Gateway, make_key: MakeKey
) -> None:
    key = make_key()
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=30) as slow:
        slow.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
        assert _answers(gateway, key)  # served while the slow client holds its connection
        assert slow.recv(1024) == b""  # then the gateway closes the slow connection
    assert _answers(gateway, key)


def test_a_body_that_never_finishes_is_408(gateway: Gateway, make_key: MakeKey) -> None:
    key = make_key()
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=30) as slow:
        head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
        slow.sendall(f"{head}Authorization: Bearer {key}\r\n\r\n".encode() + b'{"model": "auto"')
        assert _answers(gateway, key)
        reply = slow.recv(4096)
    assert reply.startswith(b"HTTP/1.1 408")


def test_an_unknown_path_is_404_in_openai_shape(gateway: Gateway) -> None:
    response = httpx.get(f"{gateway.url}/v1/engines")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"


def test_health_and_readiness(gateway: Gateway, redis_url: str) -> None:
    assert httpx.get(f"{gateway.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{gateway.url}/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "routes": "ok", "redis": "ok"}


def test_metrics_count_requests_tokens_cost_and_budgets(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey
) -> None:
    assert _answers(gateway, make_key())
    text = httpx.get(f"{gateway.url}/metrics").text
    assert 'router_gateway_requests_total{endpoint="chat",status="200"}' in text
    assert 'router_tokens_total{kind="prompt",model="alpha"}' in text
    assert 'router_cost_usd_total{model="alpha"}' in text
    assert "router_open_circuits 0.0" in text
    assert 'router_budget_remaining_usd{budget="finance-daily"}' in text
    assert 'router_gateway_request_seconds_bucket{endpoint="chat"' in text
