"""How long to wait before trying the same model again."""

from __future__ import annotations

import random

from router._config._schema import FallbackPolicy


def retry_delay(
    policy: FallbackPolicy, retry_number: int, retry_after_s: float | None, rng: random.Random
) -> float:
    """Exponential backoff with "equal jitter", never sooner than the provider's Retry-After.

    Equal jitter (half fixed, half random) keeps the spread that stops many
    clients retrying in lock-step, while guaranteeing each wait grows:
    retry n waits at least ``base * 2**n / 2``.
    """
    ceiling = min(policy.backoff_max_s, policy.backoff_base_s * (2**retry_number))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return float(delay)
