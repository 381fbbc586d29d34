"""A scriptable OpenAI-compatible chat server on 127.0.0.1, for real HTTP tests through litellm.

Each model name (the request body's ``"model"``) has a queue of scripted replies; every request
takes the next one, and an empty queue answers a plain ``ok()``. Every request is recorded, so a
test can check how many requests litellm really sent (no hidden retries) and when.

    def test_rate_limit(openai_server):
        openai_server.script("test-model-a", rate_limited(retry_after="2"), ok("hi"))
        ...  # litellm.acompletion(model="openai/test-model-a", api_base=openai_server.url, ...)
        assert len(openai_server.requests) == 1

The server runs in a daemon thread (``ThreadingHTTPServer``): litellm's own event loop, in the
test's thread, never shares anything with it.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = [
    "OpenAIServer",
    "RecordedRequest",
    "Reply",
    "bad_request",
    "context_length_exceeded",
    "garbage",
    "ok",
    "openai_server",
    "rate_limited",
    "server_error",
    "slow",
    "status",
    "streamed",
    "tool_call",
    "unauthorized",
    "unavailable",
]

_CHAT_PATHS = frozenset({"/v1/chat/completions", "/chat/completions"})


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, headers and a body.

    ``body`` is bytes (sent as is), a JSON value, or a function of the requested model name
    returning one (a completion echoes the model it was asked for).
    """

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Seconds to wait before answering (a slow provider)."""
    chunk_delay_s: float = 0.0
    """When streamed: seconds between chunks."""
    break_after: int | None = None
    """When streamed: drop the connection after this many content chunks (a stream that breaks)."""

    def encoded(self, model: str) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body(model) if callable(self.body) else self.body).encode()


@dataclass(frozen=True)
class RecordedRequest:
    """What the server received; the Authorization header is left out on purpose."""

    model: str
    path: str
    received_at: float
    """``time.monotonic()`` when the request arrived."""
    headers: Mapping[str, str]
    body: Mapping[str, Any]


def _completion(model: str, content: str, prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _error_body(
    message: str, *, type_: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    # The shape OpenAI sends: {"error": {"message", "type", "param", "code"}}.
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def ok(
    content: str = "ok", *, prompt_tokens: int = 12, completion_tokens: int = 3, model: str | None = None
) -> Reply:
    """A 200 chat completion with this content and usage (``model`` overrides the echoed name)."""
    return Reply(
        200, lambda requested: _completion(model or requested, content, prompt_tokens, completion_tokens)
    )


def tool_call(name: str, arguments: str, *, call_id: str = "call_1") -> Reply:
    """A 200 whose assistant message asks for one tool call (finish_reason ``tool_calls``)."""

    def body(requested: str) -> dict[str, Any]:
        completion = _completion(requested, "", 30, 9)
        message = completion["choices"][0]["message"]
        message["content"] = None
        message["tool_calls"] = [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
        ]
        completion["choices"][0]["finish_reason"] = "tool_calls"
        return completion

    return Reply(200, body)


def streamed(reply: Reply, *, chunk_delay_s: float = 0.0, break_after: int | None = None) -> Reply:
    """``reply`` with pauses between its streamed chunks, or a connection dropped part way."""
    return Reply(reply.status, reply.body, reply.headers, reply.delay_s, chunk_delay_s, break_after)


def status(code: int, message: str = "error", *, headers: Mapping[str, str] | None = None) -> Reply:
    """Any status with an OpenAI-style error body."""
    return Reply(code, _error_body(message, type_="api_error"), dict(headers or {}))


def rate_limited(retry_after: str | None = "1", *, retry_after_ms: str | None = None) -> Reply:
    """A 429 with ``Retry-After`` (seconds or an HTTP date) and/or ``retry-after-ms``."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    body = _error_body("Rate limit reached for requests", type_="requests", code="rate_limit_exceeded")
    return Reply(429, body, headers)


def server_error(code: int = 500, *, retry_after: str | None = None) -> Reply:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Reply(
        code,
        _error_body("The server had an error while processing your request.", type_="server_error"),
        headers,
    )


def unavailable(*, retry_after: str | None = None) -> Reply:
    return server_error(503, retry_after=retry_after)


def bad_request(message: str = "Invalid value for 'temperature'.", *, code: int = 400) -> Reply:
    return Reply(code, _error_body(message, type_="invalid_request_error", param="temperature"))


def unauthorized(code: int = 401) -> Reply:
    return Reply(
        code,
        _error_body("Incorrect API key provided.", type_="invalid_request_error", code="invalid_api_key"),
    )


def context_length_exceeded() -> Reply:
    """The 400 OpenAI sends when the prompt does not fit, with code ``context_length_exceeded``."""
    message = (
        "This model's maximum context length is 128000 tokens. However, your messages resulted in "
        "130000 tokens. Please reduce the length of the messages."
    )
    return Reply(
        400,
        _error_body(message, type_="invalid_request_error", code="context_length_exceeded", param="messages"),
    )


def slow(seconds: float, then: Reply | None = None) -> Reply:
    """Wait ``seconds`` before answering with ``then`` (default ``ok()``)."""
    reply = then or ok()
    return Reply(reply.status, reply.body, reply.headers, delay_s=seconds)


def garbage() -> Reply:
    """A 200 whose body is not JSON."""
    return Reply(
        200, b"<html><body>502 Bad Gateway from a confused proxy</body></html>", {"Content-Type": "text/html"}
    )


class OpenAIServer:
    """The running server: ``url`` for ``api_base``, ``script()`` to queue replies, ``requests`` seen."""

    def __init__(self) -> None:
        self._scripts: defaultdict[str, deque[Reply]] = defaultdict(deque)
        self._requests: list[RecordedRequest] = []
        self.broken_streams = 0
        """Streams whose client went away before the last chunk."""
        self.abandoned = 0
        """Delayed answers whose client closed the connection while the server was still waiting."""
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="openai-test-server",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, model: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.model == model]

    def script(self, model: str, *replies: Reply) -> None:
        """Queue ``replies`` for ``model``; each request takes the next one."""
        with self._lock:
            self._scripts[model].extend(replies)

    def forget_scripts(self) -> None:
        """Drop every reply still queued (a test that stopped its requests early leaves some)."""
        with self._lock:
            self._scripts.clear()

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next(self, model: str) -> Reply:
        with self._lock:
            queue = self._scripts.get(model)
            return queue.popleft() if queue else ok()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)


def _handler_for(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            received_at = time.monotonic()
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = _json_or_empty(raw)
            model = str(body.get("model", ""))
            headers = {
                key.lower(): value for key, value in self.headers.items() if key.lower() != "authorization"
            }
            server._record(RecordedRequest(model, self.path, received_at, headers, body))
            if self.path.split("?")[0] not in _CHAT_PATHS:
                self._send(
                    Reply(404, _error_body(f"no route {self.path}", type_="invalid_request_error")), model
                )
                return
            reply = server._next(model)
            if body.get("stream") is True and reply.status == 200 and not isinstance(reply.body, bytes):
                self._stream(reply, model, body)
            else:
                self._send(reply, model)

        def _stream(self, reply: Reply, model: str, request: Mapping[str, Any]) -> None:
            if reply.delay_s and not self._wait_unless_closed(reply.delay_s):
                with server._lock:
                    server.abandoned += 1
                return
            completion = json.loads(reply.encoded(model))
            options = request.get("stream_options") or {}
            events = _sse_events(completion, include_usage=bool(options.get("include_usage")))
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for index, event in enumerate(events):
                    if reply.break_after is not None and index > reply.break_after:
                        self.connection.shutdown(2)  # the provider drops the stream mid-answer
                        return
                    self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay_s)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                with server._lock:
                    server.broken_streams += 1
            self.close_connection = True

        def _send(self, reply: Reply, model: str) -> None:
            if reply.delay_s and not self._wait_unless_closed(reply.delay_s):
                with server._lock:
                    server.abandoned += 1
                return
            payload = reply.encoded(model)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
                for key, value in reply.headers.items():
                    if key != "Content-Type":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up first (a timeout test): nothing to answer.
                pass

        def _wait_unless_closed(self, seconds: float) -> bool:
            """Wait ``seconds``; False as soon as the client has closed the connection."""
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
                if not readable:
                    continue
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return False  # end of file: the client hung up
                except ConnectionResetError:
                    return False
                time.sleep(min(left, 0.05))  # bytes of a next request: keep waiting
            return True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


def _sse_events(completion: dict[str, Any], *, include_usage: bool) -> list[dict[str, Any]]:
    """A completion as OpenAI's stream chunks: a word per chunk, tool calls whole, then usage."""
    base = {key: completion[key] for key in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    choice = completion["choices"][0]
    message = choice["message"]
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    words = (message.get("content") or "").split(" ")
    deltas += [
        {"content": word + (" " if i < len(words) - 1 else "")} for i, word in enumerate(words) if word
    ]
    for index, call in enumerate(message.get("tool_calls") or []):
        deltas.append({"tool_calls": [{"index": index, **call}]})
    events = [{**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
    events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]})
    if include_usage:
        events.append({**base, "choices": [], "usage": completion["usage"]})
    return events


def _json_or_empty(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A fresh scripted server per test, stopped afterwards."""
    server = OpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()
