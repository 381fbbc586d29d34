"""How litellm's exceptions become router errors (``router._providers._errors``).

These build litellm's exception objects directly, with the status, headers and body a provider
sends; ``test_litellm_provider.py`` checks the same mapping end to end over real HTTP.
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import ModuleType
from typing import Any

import httpx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

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
from router._providers._errors import MAX_MESSAGE_CHARS, prompt_texts, retry_after_from, to_provider_error
from router._providers._litellm_import import load_litellm

# litellm silences this pydantic warning with a global filter at import; pytest restores the
# filters after each test, so later tests lose it. (Belongs in pyproject's filterwarnings.)
pytestmark = pytest.mark.filterwarnings("ignore:.*`ReadOnly` qualifier:UserWarning")


def _response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    request = httpx.Request("POST", "http://provider.test/v1/chat/completions")
    return httpx.Response(status, content=content, headers=headers or {}, request=request)


def _error_body(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}


def _raised(
    name: str, *, status: int, message: str = "boom", headers: dict[str, str] | None = None
) -> Exception:
    """litellm's exception class ``name`` as its provider mapping builds it."""
    response = _response(status, _error_body(message), headers)
    error: Exception = getattr(load_litellm(), name)(
        message=message, model="m", llm_provider="openai", response=response
    )
    return error


MAPPING_CASES = [
    pytest.param("RateLimitError", 429, RateLimited, id="429-rate-limited"),
    pytest.param("AuthenticationError", 401, AuthenticationFailed, id="401-auth"),
    pytest.param("PermissionDeniedError", 403, AuthenticationFailed, id="403-auth"),
    pytest.param("BadRequestError", 400, BadRequest, id="400-bad-request"),
    pytest.param("NotFoundError", 404, BadRequest, id="404-bad-request"),
    pytest.param("UnprocessableEntityError", 422, BadRequest, id="422-bad-request"),
    pytest.param("ContextWindowExceededError", 400, ContextWindowExceeded, id="context-window"),
    pytest.param("ContentPolicyViolationError", 400, ContentPolicy, id="content-policy"),
    pytest.param("InternalServerError", 500, ProviderUnavailable, id="500-unavailable"),
    pytest.param("BadGatewayError", 502, ProviderUnavailable, id="502-unavailable"),
    pytest.param("ServiceUnavailableError", 503, ProviderUnavailable, id="503-unavailable"),
]


@pytest.mark.parametrize(("litellm_class", "status", "expected"), MAPPING_CASES)
def test_each_litellm_error_class_maps_to_its_router_error_with_the_status(
    litellm_class: str, status: int, expected: type[ProviderError]
) -> None:
    error = to_provider_error(_raised(litellm_class, status=status, message="the reason"), "gpt-4o-mini")

    assert type(error) is expected
    assert error.status == status
    assert error.model == "gpt-4o-mini"
    assert error.message == "the reason"


def test_a_client_side_timeout_is_a_provider_timeout(litellm: ModuleType) -> None:
    raised = litellm.Timeout(message="Request timed out.", model="m", llm_provider="openai")

    error = to_provider_error(raised, "gpt-4o-mini")

    assert type(error) is ProviderTimeout
    assert error.retryable
    assert error.status == 408
    assert error.message == "Request timed out."


def test_a_504_is_unavailable_even_though_litellm_raises_it_as_a_timeout(litellm: ModuleType) -> None:
    raised = litellm.Timeout(message="gateway", model="m", llm_provider="openai", exception_status_code=504)

    assert type(to_provider_error(raised, "m")) is ProviderUnavailable


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(403, AuthenticationFailed, id="403"),
        pytest.param(529, ProviderUnavailable, id="529-overloaded"),
        pytest.param(418, ProviderUnavailable, id="unknown-status"),
    ],
)
def test_a_bare_api_error_is_mapped_by_its_status(
    status: int, expected: type[ProviderError], litellm: ModuleType
) -> None:
    # litellm raises 403 and 529 from OpenAI-compatible providers as a plain APIError.
    raised = litellm.APIError(status_code=status, message="x", llm_provider="openai", model="m")

    assert type(to_provider_error(raised, "m")) is expected


def test_a_payment_required_error_parks_the_model_like_a_bad_key(litellm: ModuleType) -> None:
    raised = litellm.PaymentRequiredError(message="no credit", model="m", llm_provider="openai")

    assert type(to_provider_error(raised, "m")) is AuthenticationFailed


def test_a_refused_connection_is_unavailable(litellm: ModuleType) -> None:
    raised = litellm.APIConnectionError(message="Connection error.", llm_provider="openai", model="m")

    error = to_provider_error(raised, "m")

    assert type(error) is ProviderUnavailable
    assert error.message == "Connection error."


def test_an_exception_from_outside_litellm_is_unavailable() -> None:
    assert type(to_provider_error(RuntimeError("socket closed"), "m")) is ProviderUnavailable


def test_a_plain_timeout_error_is_a_provider_timeout() -> None:
    assert type(to_provider_error(TimeoutError(), "m")) is ProviderTimeout


def test_a_router_error_passes_through_unchanged() -> None:
    original = RateLimited("slow down", model="m", status=429, retry_after=3.0)

    assert to_provider_error(original, "m") is original


def test_a_non_json_body_is_unavailable_and_its_text_is_not_copied(litellm: ModuleType) -> None:
    # What litellm raises for an HTML page with status 200 (litellm/llms/openai/openai.py).
    raised = litellm.InternalServerError(
        message="Empty or invalid response from LLM endpoint. Received: '<html>secret echo</html>'.",
        llm_provider="openai",
        model="m",
    )

    error = to_provider_error(raised, "m")

    assert type(error) is ProviderUnavailable
    assert "secret echo" not in error.message
    assert "non-JSON" in error.message


def test_an_error_body_without_a_message_field_is_not_copied(litellm: ModuleType) -> None:
    response = _response(500, b"<html>the prompt was: hello world</html>")
    raised = litellm.InternalServerError(
        message="<html>the prompt", llm_provider="openai", model="m", response=response
    )

    error = to_provider_error(raised, "m")

    assert "prompt" not in error.message
    assert error.message == "HTTP 500 from the provider"


def test_the_message_is_the_providers_message_field_only(litellm: ModuleType) -> None:
    body = {"error": {"message": "Invalid 'temperature'.", "type": "invalid_request_error", "param": "x"}}
    raised = litellm.BadRequestError(
        message="OpenAIException - Invalid 'temperature'.",
        model="m",
        llm_provider="openai",
        response=_response(400, body),
        litellm_debug_info="Messages: `[{'role': 'user', 'content': 'my secret prompt'}]`",
    )

    error = to_provider_error(raised, "m")

    assert error.message == "Invalid 'temperature'."
    assert "secret" not in str(error)


def test_prompt_text_echoed_by_the_provider_is_blanked() -> None:
    messages = [{"role": "user", "content": "Summarise the Bluebird merger terms\nfor the board"}]
    raised = _raised(
        "BadRequestError", status=400, message="Invalid input 'Summarise the Bluebird merger terms'"
    )

    error = to_provider_error(raised, "m", prompt_texts=prompt_texts(messages))

    assert "Bluebird" not in error.message
    assert error.message.startswith("Invalid input")


@settings(max_examples=50, deadline=None)
@given(prompt=st.text(alphabet=st.characters(categories=("L", "N")), min_size=4, max_size=80))
def test_no_echoed_prompt_survives_mapping(prompt: str) -> None:
    assume(prompt not in "[prompt text]")
    raised = _raised("BadRequestError", status=400, message=f"Bad value: {prompt} (see docs)")

    error = to_provider_error(raised, "m", prompt_texts=prompt_texts([{"role": "user", "content": prompt}]))

    assert prompt not in error.message


def test_long_messages_are_cut() -> None:
    raised = _raised("BadRequestError", status=400, message="x" * 5000)

    assert len(to_provider_error(raised, "m").message) == MAX_MESSAGE_CHARS


def test_retry_after_comes_from_the_rate_limit_response_headers() -> None:
    raised = _raised("RateLimitError", status=429, headers={"Retry-After": "7"})

    assert to_provider_error(raised, "m").retry_after == 7.0


def test_retry_after_is_read_on_an_unavailable_error_too() -> None:
    raised = _raised("ServiceUnavailableError", status=503, headers={"retry-after": "4"})

    assert to_provider_error(raised, "m").retry_after == 4.0


def test_retry_after_is_none_when_no_header_is_sent() -> None:
    assert to_provider_error(_raised("RateLimitError", status=429), "m").retry_after is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({"Retry-After": "2"}, 2.0, id="seconds"),
        pytest.param({"retry-after": "1.5"}, 1.5, id="fractional-seconds"),
        pytest.param({"retry-after-ms": "1500"}, 1.5, id="milliseconds"),
        pytest.param({"retry-after-ms": "250", "retry-after": "9"}, 0.25, id="milliseconds-win"),
        pytest.param({"Retry-After": "soon"}, None, id="unreadable"),
        pytest.param({"Retry-After": "-3"}, None, id="negative"),
        pytest.param({}, None, id="absent"),
    ],
)
def test_retry_after_header_forms(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_from(headers) == expected


def test_retry_after_as_an_http_date_gives_the_seconds_until_then() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)

    assert retry_after_from({"Retry-After": header}, now=now.timestamp()) == 30.0


def test_retry_after_as_a_past_http_date_is_zero() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now - timedelta(seconds=30), usegmt=True)

    assert retry_after_from({"Retry-After": header}, now=now.timestamp()) == 0.0


@pytest.mark.parametrize(("litellm_class", "status", "expected"), MAPPING_CASES)
def test_mapped_errors_survive_pickling_with_their_fields(
    litellm_class: str, status: int, expected: type[ProviderError]
) -> None:
    error = to_provider_error(
        _raised(litellm_class, status=status, headers={"retry-after": "3"}), "gpt-4o-mini"
    )

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is expected
    assert (copy.message, copy.model, copy.status, copy.retry_after) == (
        error.message,
        "gpt-4o-mini",
        status,
        3.0,
    )
