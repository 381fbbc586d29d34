"""Streaming: deltas flow to the caller while the fallback loop runs unchanged underneath.

``Runtime.stream`` runs the ordinary ``complete`` in a task with a ``Channel`` in its context.
The provider adapter (``relay``) sees the channel, asks litellm for a stream (with
``stream_options.include_usage`` so the provider reports real usage), pushes each delta into the
channel as it arrives and, when the stream ends, returns the ``ProviderResponse`` built from the
chunks, so the executor records and settles from the stream's real usage as for any answer.

- Fallback and retries apply until the first delta: an error before it is an ordinary provider
  error. After it the client has seen text, so the error is ``StreamInterrupted``, which fails
  the call at once (another model would start the answer over).
- Cancelling (closing the iterator, a client disconnect) cancels the task: the provider request
  is closed with it. A stream cut short (cancelled, or broken after its first delta) is billed
  what it spent: the channel keeps the provider's usage if its chunk arrived, and the text of
  the deltas received, from which ``router._calls._spent`` estimates the tokens otherwise.
- A pseudonymised call (``restoring``) puts the originals back into each delta before it is
  queued, holding back only a tail that could be the start of a placeholder; a delta held back
  whole is not yet "started", so an error then still falls back.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from router._errors import StreamInterrupted
from router._pricing import ModelInfo
from router._results import Completion, ProviderResponse, Usage
from router._signals._pseudonyms import Pseudonyms, StreamRestorer, json_quoted


@dataclass(frozen=True)
class StreamDelta:
    """One piece of the answer: text, tool-call fragments (OpenAI's delta shape), or both."""

    content: str | None = None
    tool_calls: tuple[dict[str, Any], ...] | None = None
    finish_reason: str | None = None
    model: str = ""
    """The routes.yaml name of the model streaming this delta."""


@dataclass(frozen=True)
class StreamDone:
    """The last event: the whole completion, with usage, cost, model and attempts."""

    completion: Completion


StreamEvent = StreamDelta | StreamDone

_END = object()


@dataclass
class Channel:
    """Where the provider puts deltas for the caller; ``started`` once the first one is out."""

    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    started: bool = False
    received: list[str] = field(default_factory=list)
    """The text the provider has streamed (content, tool names and arguments): what a stream cut
    short before its usage chunk is billed for. Held in memory for the call only, never stored."""
    reported: Usage | None = None
    """The provider's own usage, once its usage chunk has arrived."""
    restorer: DeltaRestorer | None = None
    """Set for the attempt of a pseudonymised call: every delta passes through it first."""

    def emit(self, delta: StreamDelta) -> None:
        if self.restorer is not None:
            restored = self.restorer.feed(delta)
            if restored is None:
                return  # all of it may be the start of a placeholder: held for the next delta
            delta = restored
        self.started = True
        self.queue.put_nowait(delta)

    def account(self, usage: Usage | None, delta: StreamDelta | None) -> None:
        """Keep what one chunk (its usage, its delta) adds to the stream's bill."""
        if usage is not None:
            self.reported = usage
        if delta is not None:
            self.received += _texts(delta)


class DeltaRestorer:
    """Puts a pseudonymised call's originals back into streamed deltas: in the text, and in each
    tool call's arguments (escaped for the JSON string they stand in), one restorer per call."""

    def __init__(self, pseudonyms: Pseudonyms) -> None:
        self._pseudonyms = pseudonyms
        self._text = pseudonyms.restorer()
        self._calls: dict[int, StreamRestorer] = {}
        self._model = ""

    def feed(self, delta: StreamDelta) -> StreamDelta | None:
        """``delta`` restored, less what is held back; ``None`` when nothing is left to send."""
        self._model = delta.model
        end = delta.finish_reason is not None
        content = self._text.feed(delta.content or "") + (self._text.flush() if end else "")
        calls = [self._call(call) for call in delta.tool_calls or ()]
        if end:
            calls = self._with_tails(calls)
        if not content and not calls and not end:
            return None
        return dataclasses.replace(delta, content=content or None, tool_calls=tuple(calls) or None)

    def flush(self) -> StreamDelta | None:
        """What is still held when the stream ends without a finishing delta."""
        content = self._text.flush()
        calls = self._with_tails([])
        if not content and not calls:
            return None
        return StreamDelta(content=content or None, tool_calls=tuple(calls) or None, model=self._model)

    def _call(self, call: dict[str, Any]) -> dict[str, Any]:
        function = call.get("function")
        if not isinstance(function, Mapping) or not isinstance(function.get("arguments"), str):
            return call
        restorer = self._calls.get(_index(call))
        if restorer is None:
            restorer = self._calls[_index(call)] = self._pseudonyms.restorer(json_quoted)
        return {**call, "function": {**function, "arguments": restorer.feed(function["arguments"])}}

    def _with_tails(self, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``calls`` with what each call's restorer still holds: added to its fragment in this
        delta, or as a fragment of its own."""
        by_index = {_index(call): position for position, call in enumerate(calls)}
        for index, restorer in self._calls.items():
            tail = restorer.flush()
            if not tail:
                continue
            if index in by_index and isinstance(calls[by_index[index]].get("function"), Mapping):
                call = calls[by_index[index]]
                function = call["function"]
                arguments = str(function.get("arguments") or "") + tail
                calls[by_index[index]] = {**call, "function": {**function, "arguments": arguments}}
            else:
                calls.append({"index": index, "function": {"arguments": tail}})
        return calls


def _index(call: Mapping[str, Any]) -> int:
    index = call.get("index", 0)
    return index if isinstance(index, int) else 0


@contextmanager
def restoring(pseudonyms: Pseudonyms) -> Iterator[None]:
    """While a pseudonymised attempt runs, restore the deltas of the current stream (if any);
    when the attempt ends well, release what was still held back."""
    channel = current_channel()
    if channel is None:
        yield
        return
    restorer = channel.restorer = DeltaRestorer(pseudonyms)
    try:
        yield
    finally:
        channel.restorer = None
    tail = restorer.flush()
    if tail is not None:
        channel.emit(tail)


_CURRENT: contextvars.ContextVar[Channel | None] = contextvars.ContextVar("router_stream", default=None)


def current_channel() -> Channel | None:
    """The channel of the stream this provider call belongs to, if it streams."""
    return _CURRENT.get()


async def events(call: Callable[[], Awaitable[Completion]]) -> AsyncGenerator[StreamEvent, None]:
    """Run ``call`` (a ``complete``) with a channel; yield its deltas, then ``StreamDone``."""
    channel = Channel()
    context = contextvars.copy_context()
    context.run(_CURRENT.set, channel)
    task = asyncio.get_running_loop().create_task(_run(call), context=context)
    task.add_done_callback(lambda _: channel.queue.put_nowait(_END))
    try:
        while (item := await channel.queue.get()) is not _END:
            yield item
        yield StreamDone(await task)
    finally:
        if not task.done():
            task.cancel()  # the caller stopped reading: stop the provider call too
            await asyncio.gather(task, return_exceptions=True)


async def _run(call: Callable[[], Awaitable[Completion]]) -> Completion:
    return await call()


Reader = Callable[[Any, str], tuple[StreamDelta | None, Usage | None]]
"""What one chunk of a provider's stream says: its delta (None for a chunk without any, as the
usage chunk) and the provider's usage (None unless the chunk carries it). The second argument
is the routes.yaml name of the model streaming."""


async def relay(
    model: ModelInfo,
    chunks: AsyncIterator[Any],
    channel: Channel,
    finish: Callable[[list[Any]], ProviderResponse],
    to_error: Callable[[BaseException], Exception],
    read: Reader | None = None,
) -> ProviderResponse:
    """Push a stream's deltas into ``channel``; return the response built from its chunks.

    ``read`` understands the chunks (default: litellm's ``ModelResponseStream`` objects).
    """
    read = read or litellm_chunk
    received: list[Any] = []
    waiting = True
    try:
        async for chunk in chunks:
            received.append(chunk)
            delta, usage = read(chunk, model.name)
            channel.account(usage, delta)
            if delta is not None:
                channel.emit(delta)
                if waiting and channel.started:
                    waiting = False
                    # Let the caller send the first token on before this task reads (and
                    # parses) whatever else has already arrived: time to first token.
                    await asyncio.sleep(0)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        error = to_error(exc)
        if not channel.started:
            raise error from None
        raise StreamInterrupted(
            f"{model.name} failed after the answer had started ({error}); the stream ends here",
            model=model.name,
            status=getattr(error, "status", None),
        ) from None
    finally:
        closing = getattr(chunks, "aclose", None)
        if closing is not None:
            await closing()
    return finish(received)


def litellm_chunk(chunk: Any, model: str) -> tuple[StreamDelta | None, Usage | None]:
    """The delta and usage of one litellm stream chunk."""
    usage = getattr(chunk, "usage", None)
    reported = Usage.reported(usage) if usage is not None and getattr(usage, "prompt_tokens", None) else None
    return _delta(chunk, model), reported


def _delta(chunk: Any, model: str) -> StreamDelta | None:
    choices = getattr(chunk, "choices", None) or []
    if not choices:
        return None  # the usage chunk: it ends up in the response, not as a delta
    choice = choices[0]
    raw = getattr(choice, "delta", None)
    content = getattr(raw, "content", None)
    calls = getattr(raw, "tool_calls", None)
    finish = getattr(choice, "finish_reason", None)
    if not content and not calls and not finish:
        return None
    tool_calls = tuple(_plain(call) for call in calls) if calls else None
    return StreamDelta(content=content or None, tool_calls=tool_calls, finish_reason=finish, model=model)


def _texts(delta: StreamDelta) -> list[str]:
    texts = [delta.content] if delta.content else []
    for call in delta.tool_calls or ():
        function = call.get("function") or {}
        texts += [value for value in (function.get("name"), function.get("arguments")) if value]
    return texts


def _plain(call: Any) -> dict[str, Any]:
    data: Mapping[str, Any] = call.model_dump() if hasattr(call, "model_dump") else dict(call)
    return {key: value for key, value in data.items() if value is not None}
