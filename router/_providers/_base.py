"""The provider protocol every adapter implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from router._pricing import ModelInfo
from router._results import ProviderResponse
from router._task import Message


class Provider(Protocol):
    """Sends one request to one model.

    Implementations raise only ``router.ProviderError`` subclasses, so the
    fallback loop can decide from the error type alone whether to retry,
    move on or stop.
    """

    async def acomplete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
    ) -> ProviderResponse: ...
