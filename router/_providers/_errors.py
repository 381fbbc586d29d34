"""litellm and HTTP failures, mapped onto the router's ``ProviderError`` tree.

    litellm exception (its status)                      -> router error          retry_after
    ContextWindowExceededError (400), any 413           -> ContextWindowExceeded
    ContentPolicyViolationError (400)                   -> ContentPolicy
    RateLimitError (429)                                -> RateLimited           from headers
    AuthenticationError (401), PermissionDenied (403),
      PaymentRequired (402: no credit on this account)  -> AuthenticationFailed
    BadRequestError (400), NotFoundError (404),
      UnprocessableEntityError (422)                    -> BadRequest
    Timeout (408, or no status: client-side)            -> ProviderTimeout
    500 / 502 / 503 / 504 / 529, InternalServerError,
      ServiceUnavailableError, BadGatewayError,
      APIConnectionError (connection refused, reset)    -> ProviderUnavailable   from headers
    a 200 whose body is not JSON                        -> ProviderUnavailable
    anything else                                       -> ProviderUnavailable

The status decides before the class, because litellm's class does not always match it: a 504
arrives as ``litellm.Timeout`` (status 504), a 403 or a 529 as a bare ``APIError``, a 402 as a
``BadRequestError`` subclass, a refused connection as ``InternalServerError`` (500).

A non-JSON 200 (a proxy's HTML page, a truncated body) is treated as ``ProviderUnavailable``,
not ``BadRequest``: it says nothing about our request and usually clears up, so retrying and
then falling back is right, whereas ``BadRequest`` would fail the whole call.

``retry_after`` is read from the response headers litellm keeps on its exceptions
(``litellm_response_headers``, else ``exc.headers``, else ``exc.response.headers``):
``retry-after-ms`` first (milliseconds), then ``Retry-After`` as seconds or an HTTP date.

Messages: only the error message field of the provider's JSON body is kept, never ``str(exc)``
wholesale (litellm's ``litellm_debug_info`` carries the first characters of the prompt, and
some bodies echo input). Prompt text found in the message anyway is blanked, and the message is
cut to 500 characters.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any, Final

from router._errors import (
    AuthenticationFailed,
    BadRequest,
    ContentPolicy,
    ContextWindowExceeded,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from router._providers._litellm_import import load_litellm
from router._signals._tokens import messages_text
from router._task import Message

__all__ = ["MAX_MESSAGE_CHARS", "from_http_error", "prompt_texts", "retry_after_from", "to_provider_error"]

MAX_MESSAGE_CHARS: Final = 500

ErrorClass = type[ProviderError]

# Subclasses of litellm.BadRequestError that carry their own meaning at the same status (400).
_SPECIFIC_CLASSES: Final[tuple[tuple[str, ErrorClass], ...]] = (
    ("ContextWindowExceededError", ContextWindowExceeded),
    ("ContentPolicyViolationError", ContentPolicy),
)

_BY_STATUS: Final[Mapping[int, ErrorClass]] = {
    400: BadRequest,
    # Out of credit or not enabled for this account: like a bad key, park the model.
    401: AuthenticationFailed,
    402: AuthenticationFailed,
    403: AuthenticationFailed,
    404: BadRequest,
    408: ProviderTimeout,
    # "Request entity too large": the prompt does not fit this provider; a bigger model may take it.
    413: ContextWindowExceeded,
    422: BadRequest,
    429: RateLimited,
    500: ProviderUnavailable,
    502: ProviderUnavailable,
    503: ProviderUnavailable,
    504: ProviderUnavailable,
    529: ProviderUnavailable,  # Anthropic's "overloaded"
}

# When no usable status came with the exception. Checked in order; the first match wins.
_BY_CLASS: Final[tuple[tuple[str, ErrorClass], ...]] = (
    ("RateLimitError", RateLimited),
    ("AuthenticationError", AuthenticationFailed),
    ("PermissionDeniedError", AuthenticationFailed),
    ("Timeout", ProviderTimeout),
    ("BadRequestError", BadRequest),
    ("NotFoundError", BadRequest),
    ("UnprocessableEntityError", BadRequest),
)

# litellm's own wording for a body it could not parse (litellm/llms/openai/openai.py).
_UNPARSABLE_MARKER: Final = "Empty or invalid response from LLM endpoint"
_UNPARSABLE_MESSAGE: Final = "the provider answered with an empty or non-JSON body"
# "litellm.BadRequestError: OpenAIException - " and the like, stacked in front of the real message.
_LITELLM_PREFIX: Final = re.compile(r"^(?:\s*(?:litellm\.\w+|\w*(?:Error|Exception))\s*[:-]\s*)+")
_QUOTED: Final = re.compile(r"'([^']{8,})'|\"([^\"]{8,})\"")
_REDACTED: Final = "[prompt text]"


def to_provider_error(
    exc: BaseException, model_name: str, *, prompt_texts: Sequence[str] = ()
) -> ProviderError:
    """The ``ProviderError`` for a failed call of ``model_name``.

    ``prompt_texts`` (the request's message texts) are blanked out of the message if the
    provider echoed them. ``exc`` is deliberately not attached as ``__cause__``: litellm's
    exceptions carry prompt text (``litellm_debug_info``), and a logged traceback would print it.
    Raise the result ``from None``.
    """
    if isinstance(exc, ProviderError):
        return exc
    status = _status_of(exc)
    error_class = _error_class(exc, status)
    message = _scrub(_message_of(exc, status), prompt_texts)
    return error_class(
        message, model=model_name, status=status, retry_after=retry_after_from(_headers_of(exc))
    )


def from_http_error(
    status: int | None,
    headers: Mapping[str, str],
    body: bytes,
    model_name: str,
    *,
    prompt_texts: Sequence[str] = (),
) -> ProviderError:
    """The ``ProviderError`` for an upstream's error answer read without litellm: an HTTP status
    other than 200 (``status``), or an ``error`` event inside a stream (``status`` None).

    Classified as ``to_provider_error`` classifies litellm's exceptions: the status first, with
    litellm's own reading of the message for a prompt too long or a content policy refusal.
    """
    field = _body_message(_json_or_none(body))
    text = body.decode("utf-8", "replace")  # the whole body: the error code is read too
    error_class: ErrorClass = _BY_STATUS.get(status, ProviderUnavailable) if status else ProviderUnavailable
    if status in (None, 400, 413) and _context_window_exceeded(text):
        error_class = ContextWindowExceeded
    elif status in (None, 400) and _content_policy(text):
        error_class = ContentPolicy
    if field:
        message = field
    elif body.strip():
        # A body without a message field (an HTML error page): never copy it, it may echo input.
        message = f"HTTP {status} from the provider" if status else "an unreadable error from the provider"
    else:
        message = f"HTTP {status} from the provider"
    return error_class(
        _scrub(message, prompt_texts),
        model=model_name,
        status=status,
        retry_after=retry_after_from({key.lower(): value for key, value in headers.items()}),
    )


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body) if body.strip() else None
    except ValueError:
        return None


def _context_window_exceeded(text: str) -> bool:
    checkers = load_litellm().litellm_core_utils.exception_mapping_utils.ExceptionCheckers
    return '"context_length_exceeded"' in text or bool(checkers.is_error_str_context_window_exceeded(text))


def _content_policy(text: str) -> bool:
    # litellm's reading of OpenAI's refusals (exception_mapping_utils), for the same classes.
    lowered = text.lower()
    return (
        "content_policy_violation" in lowered
        or ("invalid prompt" in lowered and "violating our usage policy" in lowered)
        or "request was rejected as a result of the safety system" in lowered
    )


def _error_class(exc: BaseException, status: int | None) -> ErrorClass:
    litellm = load_litellm()
    for name, ours in _SPECIFIC_CLASSES:
        if isinstance(exc, getattr(litellm, name)):
            return ours
    by_status = _BY_STATUS.get(status) if status is not None else None
    if by_status is not None:
        return by_status
    for name, ours in _BY_CLASS:
        if isinstance(exc, getattr(litellm, name)):
            return ours
    # A timeout raised below litellm (asyncio, httpx) carries no status at all.
    if isinstance(exc, TimeoutError) or type(exc).__name__.endswith("TimeoutException"):
        return ProviderTimeout
    return ProviderUnavailable


def _status_of(exc: BaseException) -> int | None:
    # InternalServerError keeps the upstream status apart from its own fixed 500.
    for attribute in ("provider_status_code", "status_code"):
        status = _as_int(getattr(exc, attribute, None))
        if status is not None:
            return status
    return None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


# --------------------------------------------------------------------------- retry-after


def _headers_of(exc: BaseException) -> Mapping[str, str] | None:
    response = getattr(exc, "response", None)
    for candidate in (
        getattr(exc, "litellm_response_headers", None),
        getattr(exc, "headers", None),
        getattr(response, "headers", None) if response is not None else None,
    ):
        if candidate:
            return {str(key).lower(): str(value) for key, value in candidate.items()}
    return None


def retry_after_from(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date), if sent.

    Header names are matched case-insensitively. A date in the past gives 0.0; an unreadable
    value is ignored.
    """
    if not headers:
        return None
    lowered = {key.lower(): value for key, value in headers.items()}
    milliseconds = _non_negative(lowered.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = lowered.get("retry-after")
    if value is None:
        return None
    seconds = _non_negative(value)
    return seconds if seconds is not None else _seconds_until(value, now)


def _non_negative(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _seconds_until(http_date: str, now: float | None) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(http_date.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT; a naive parse means the zone was left out
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


# --------------------------------------------------------------------------- messages


def _message_of(exc: BaseException, status: int | None) -> str:
    raw = str(getattr(exc, "message", "") or "")
    if _UNPARSABLE_MARKER in raw:
        return _UNPARSABLE_MESSAGE
    field = _body_message(getattr(exc, "body", None)) or _body_message(_response_json(exc))
    if field:
        return field
    if _response_has_body(exc):
        # A body without a message field (an HTML error page): never copy it, it may echo input.
        return f"HTTP {status} from the provider" if status else f"{type(exc).__name__} from the provider"
    # Client-side failures (timeout, refused connection) have no body; litellm's text is its own.
    return _LITELLM_PREFIX.sub("", raw).strip() or type(exc).__name__


def _body_message(body: object) -> str | None:
    # OpenAI/Anthropic/Gemini: {"error": {"message": ...}}; the OpenAI SDK hands over the inner
    # object; Mistral and vLLM: {"message": ...} or {"detail": ...}.
    if not isinstance(body, Mapping):
        return None
    inner = body.get("error")
    if isinstance(inner, Mapping):
        return _body_message(inner)
    if isinstance(inner, str) and inner:
        return inner
    for key in ("message", "detail"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _response_json(exc: BaseException) -> Any:
    content = _response_content(exc)
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def _response_has_body(exc: BaseException) -> bool:
    return bool(_response_content(exc).strip())


def _response_content(exc: BaseException) -> bytes:
    response = getattr(exc, "response", None)
    try:
        content = getattr(response, "content", b"")
    except Exception:  # httpx raises ResponseNotRead for a streamed body; there is nothing to read
        return b""
    return content if isinstance(content, bytes) else b""


def prompt_texts(messages: Sequence[Message]) -> list[str]:
    """What ``to_provider_error`` blanks out: the whole prompt text and each of its lines.

    Lines too, because a provider that echoes input often echoes only a piece of it.
    """
    text = messages_text(messages)
    return [text, *text.splitlines()]


def _scrub(message: str, prompt_texts: Sequence[str]) -> str:
    """Blank prompt text out of ``message``: whole texts, and quoted fragments of them."""
    texts = [text for text in prompt_texts if len(text.strip()) >= 4]
    for text in texts:
        message = message.replace(text, _REDACTED)

    def quoted(match: re.Match[str]) -> str:
        fragment = match.group(1) or match.group(2)
        return _REDACTED if any(fragment in text for text in texts) else match.group(0)

    message = _QUOTED.sub(quoted, message) if texts else message
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"
