"""Errors in OpenAI's JSON shape, with the status an OpenAI client expects.

Every failure the gateway sends is ``{"error": {"message", "type", "param", "code"}}``, so the
``openai`` package raises its usual exception class for the status (``BadRequestError`` for 400,
``AuthenticationError`` for 401, ``PermissionDeniedError`` for 403, ``RateLimitError`` for 429,
...). Router errors map as follows:

    UsageError, BadRequest, ContentPolicy   400
    NoModelFits                             403 when clearance excluded every model, else 400
    BudgetExceeded                          429, Retry-After: until the budget's period ends
    AllModelsFailed                         502 when a provider answered with an error,
                                            503 when no model could be tried at all
    DeadlineExceeded                        504
    StoreUnavailable                        503

No message ever holds prompt or completion text: router errors never do.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.responses import Response

from router._config._schema import Budget
from router._errors import (
    AllModelsFailed,
    BadRequest,
    BudgetExceeded,
    ContentPolicy,
    DeadlineExceeded,
    NoModelFits,
    RouterError,
    StoreUnavailable,
    UsageError,
)
from router._ledger._periods import period_bounds

CLEARANCE_REASON = "clearance "
"""How selection starts the reason of a model excluded for clearance (pinned by a test)."""


@dataclass
class ApiError(Exception):
    """An error response: status, OpenAI's ``type``, and optionally ``code`` and ``param``."""

    status: int
    message: str
    type: str = "invalid_request_error"
    code: str | None = None
    param: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def response(self, extra_headers: Mapping[str, str] | None = None) -> Response:
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        headers = {**self.headers, **(extra_headers or {})}
        return Response(json.dumps(body), self.status, headers, media_type="application/json")


def bad_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def from_router_error(error: RouterError, budgets: Mapping[str, Budget]) -> ApiError:
    """The response for a router error (see the module docstring)."""
    if isinstance(error, NoModelFits):
        return _no_model(error)
    if isinstance(error, BudgetExceeded):
        return _budget(error, budgets.get(error.budget))
    if isinstance(error, AllModelsFailed):
        tried = any(attempt.outcome == "error" for attempt in error.attempts)
        if tried:
            return ApiError(502, error.message, "api_error", "all_models_failed")
        return ApiError(503, error.message, "api_error", "no_model_available", headers={"Retry-After": "1"})
    if isinstance(error, DeadlineExceeded):
        return ApiError(504, error.message, "api_error", "deadline_exceeded")
    if isinstance(error, StoreUnavailable):
        return ApiError(503, error.message, "api_error", "store_unavailable", headers={"Retry-After": "1"})
    if isinstance(error, ContentPolicy):
        return ApiError(400, error.message, code="content_policy_violation")
    if isinstance(error, BadRequest | UsageError):
        return ApiError(400, error.message)
    return ApiError(500, f"{type(error).__name__}: {error.message}", "api_error")


def _no_model(error: NoModelFits) -> ApiError:
    reasons = [reason for _, reason in error.excluded]
    if reasons and all(reason.startswith(CLEARANCE_REASON) for reason in reasons):
        message = f"refused, nothing was sent: {error.message}"
        return ApiError(403, message, "permission_error", "clearance", "messages")
    return ApiError(400, error.message, code="no_model_fits")


def _budget(error: BudgetExceeded, budget: Budget | None) -> ApiError:
    retry_after = "60"
    if budget is not None:
        _, end = period_bounds(budget.period, time.time())
        retry_after = str(max(1, math.ceil(end.timestamp() - time.time())))
    return ApiError(
        429, error.message, "insufficient_quota", "budget_exceeded", headers={"Retry-After": retry_after}
    )
