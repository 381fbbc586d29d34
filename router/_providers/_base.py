"""The provider protocol every adapter implements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from router._pricing import ModelInfo
from router._results import ProviderResponse
from router._task import Message


class Provider(Protocol):
    """Sends one request to one model.

    Implementations raise only ``router.ProviderError`` subclasses, so the
    fallback loop can decide from the error type alone whether to retry,
    move on or stop.
    """

    def missing_credentials(self, model: ModelInfo) -> str | None:
        """Why this process cannot call ``model`` at all (say, its key variable is unset), or None.

        Checked before anything is reserved or sent. It is a fault of this process's
        configuration, not of the model: the caller skips the model for this call and
        writes no shared state (no circuit, no rate-limit slot, no budget hold).
        """
        ...

    async def acomplete(
        self,
        model: ModelInfo,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout_s: float | None,
        params: Mapping[str, Any] | None = None,
    ) -> ProviderResponse:
        """``params`` are the chat parameters for this model (``router._params``). Inside
        ``router._streaming.events`` the request streams: deltas go to the current channel."""
        ...


@runtime_checkable
class OpensAhead(Protocol):
    """A provider that can get ready for a request before it may send it."""

    def open_ahead(self, model: ModelInfo) -> None:
        """Prepare to call ``model`` (open a connection to its server) without sending it anything.

        Called once the model is cleared for the task and before its budget hold is asked for,
        so the two waits overlap; the request itself leaves only after the hold.
        """
        ...
