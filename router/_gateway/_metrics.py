"""Prometheus metrics of one gateway process (``GET /metrics``).

Counters and histograms are updated as requests finish; the circuit and budget gauges are read
from Redis when Prometheus scrapes, so they show the state every process shares.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from router._results import Completion
from router._state._budgets import BudgetStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    """One registry per app, so two gateways in one process (tests) never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "router_gateway_requests",
            "HTTP requests by endpoint and status",
            ["endpoint", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "router_gateway_request_seconds",
            "Time from request to response, by endpoint",
            ["endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter(
            "router_tokens", "Tokens by model and kind (prompt, completion)", ["model", "kind"], registry=r
        )
        self.cost = Counter(
            "router_cost_usd", "Cost of answered calls by model, in USD", ["model"], registry=r
        )
        self.fallbacks = Counter("router_fallbacks", "Answers that came from a fallback model", registry=r)
        self.open_circuits = Gauge("router_open_circuits", "Models whose circuit is open now", registry=r)
        self.budget_remaining = Gauge(
            "router_budget_remaining_usd", "Budget left in its current period", ["budget"], registry=r
        )

        self._counted: dict[tuple[str, int], tuple[Counter, Histogram]] = {}
        """Each (endpoint, status)'s labelled children: ``labels`` takes a lock and checks and
        joins its values on every call (~7 µs of a stream's time before its first chunk)."""

    def request(self, endpoint: str, status: int, seconds: float) -> None:
        children = self._counted.get((endpoint, status))
        if children is None:
            children = (self.requests.labels(endpoint, str(status)), self.latency.labels(endpoint))
            self._counted[(endpoint, status)] = children
        count, latency = children
        count.inc()
        latency.observe(seconds)

    def answered(self, completion: Completion) -> None:
        model = completion.model
        self.tokens.labels(model, "prompt").inc(completion.usage.prompt_tokens)
        self.tokens.labels(model, "completion").inc(completion.usage.completion_tokens)
        if completion.cost_usd:
            self.cost.labels(model).inc(completion.cost_usd)
        if any(attempt.fallback for attempt in completion.attempts):
            self.fallbacks.inc()

    def render(self, open_circuits: int, budgets: Iterable[BudgetStatus]) -> bytes:
        self.open_circuits.set(open_circuits)
        for status in budgets:
            self.budget_remaining.labels(status.key).set(status.remaining_usd)
        return generate_latest(self.registry)
