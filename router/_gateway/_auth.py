"""Who is asking: the ``Authorization: Bearer`` key, its team, its rate limit and its budget."""

from __future__ import annotations

import math

from starlette.requests import Request

from router._gateway._errors import ApiError
from router._gateway._keys import ApiKey, KeyStore
from router._state._budgets import BudgetGuard
from router._state._ratelimit import Limits, RateLimiter

_HOW = "send the key from `router keys create` as 'Authorization: Bearer sk-router-...'"


async def authenticate(request: Request, keys: KeyStore) -> ApiKey:
    """The caller's key, or a 401 in OpenAI's shape (missing, unknown or revoked)."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise _unauthorized(f"no API key given; {_HOW}")
    key = await keys.authenticate(secret)
    if key is None:
        raise _unauthorized(f"incorrect API key provided; {_HOW}")
    if key.revoked is not None:
        raise _unauthorized(f"the API key {key.id} has been revoked; ask for a new one")
    return key


async def admit(key: ApiKey, limiter: RateLimiter, budgets: BudgetGuard) -> None:
    """Take the key's rate-limit slot (429 with Retry-After when none is free); enable its budget."""
    if key.rpm is not None:
        wait = await limiter.try_acquire(key.tag, Limits(rpm=key.rpm, tpm=None), 0)
        if wait > 0:
            raise ApiError(
                429,
                f"rate limit of {key.rpm} requests per minute reached for key {key.id}",
                "requests",
                "rate_limit_exceeded",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
    budget = key.budget
    if budget is not None and budget.key not in budgets.budgets:
        # A tag budget like any routes.yaml one: reserved before the call, settled after.
        budgets.budgets[budget.key] = budget


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, "invalid_request_error", "invalid_api_key")
