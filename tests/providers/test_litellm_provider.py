"""The real adapter over real HTTP: litellm talks to the scripted local OpenAI-compatible server.

Every request goes to 127.0.0.1; the key is a fake one set per test. Each error test also checks
that litellm sent exactly one request (no hidden retries of its own or of the OpenAI client).
"""

from __future__ import annotations

import asyncio
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from router._config._schema import ModelSpec
from router._errors import (
    ApiKeyMissing,
    AuthenticationFailed,
    BadRequest,
    ContextWindowExceeded,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from router._pricing import ModelInfo, resolve
from router._providers._litellm import LiteLLMProvider, client_timeout, routes_prices
from router._results import ProviderResponse

try:
    from tests.support.openai_server import (
        OpenAIServer,
        Reply,
        bad_request,
        context_length_exceeded,
        garbage,
        ok,
        rate_limited,
        server_error,
        slow,
        unauthorized,
        unavailable,
    )
except ModuleNotFoundError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from support.openai_server import (  # type: ignore[no-redef]
        OpenAIServer,
        Reply,
        bad_request,
        context_length_exceeded,
        garbage,
        ok,
        rate_limited,
        server_error,
        slow,
        unauthorized,
        unavailable,
    )

# litellm silences this pydantic warning with a global filter at import; pytest restores the
# filters after each test, so later tests lose it. (Belongs in pyproject's filterwarnings.)
pytestmark = pytest.mark.filterwarnings("ignore:.*`ReadOnly` qualifier:UserWarning")

KEY_ENV = "ROUTER_TEST_PROVIDER_KEY"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture(autouse=True)
def _fake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-test-not-a-real-key")


def _model(server: OpenAIServer, litellm_id: str = "openai/test-model-a", **fields: Any) -> ModelInfo:
    params = {"api_base": server.url, "api_key": f"os.environ/{KEY_ENV}", **fields.pop("params", {})}
    return resolve(ModelSpec(name=litellm_id.split("/", 1)[1], model=litellm_id, params=params, **fields))


def _call(model: ModelInfo, *, max_tokens: int = 32, timeout_s: float | None = 5.0) -> ProviderResponse:
    return asyncio.run(
        LiteLLMProvider().acomplete(model, MESSAGES, max_tokens=max_tokens, timeout_s=timeout_s)
    )


def _failure(model: ModelInfo, **kwargs: Any) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        _call(model, **kwargs)
    return caught.value


def test_an_answer_carries_content_usage_and_the_routes_yaml_price(openai_server: OpenAIServer) -> None:
    openai_server.script("test-model-a", ok("Paris.", prompt_tokens=14, completion_tokens=2))
    model = _model(openai_server, input_cost_per_token=1e-6, output_cost_per_token=2e-6)

    response = _call(model)

    assert response.content == "Paris."
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (14, 2)
    assert response.cost_usd == pytest.approx(14 * 1e-6 + 2 * 2e-6)
    assert response.finish_reason == "stop"
    assert not response.simulated


def test_an_answer_is_priced_from_litellms_catalogue_without_an_override(openai_server: OpenAIServer) -> None:
    openai_server.script("gpt-4o-mini", ok("Paris.", prompt_tokens=1000, completion_tokens=500))
    model = _model(openai_server, "openai/gpt-4o-mini")
    assert model.input_cost_per_token
    assert model.output_cost_per_token

    response = _call(model)

    expected = 1000 * model.input_cost_per_token + 500 * model.output_cost_per_token
    assert response.cost_usd == pytest.approx(expected)


def test_a_model_litellm_has_no_price_for_gives_an_unpriced_answer(openai_server: OpenAIServer) -> None:
    response = _call(_model(openai_server, "openai/our-private-model"))

    assert response.cost_usd is None


def test_the_request_carries_model_max_tokens_extra_params_and_the_key(openai_server: OpenAIServer) -> None:
    model = _model(openai_server, params={"extra": {"temperature": 0.25}})

    _call(model, max_tokens=77)

    (request,) = openai_server.requests
    assert request.body["model"] == "test-model-a"
    assert request.body["max_tokens"] == 77
    assert request.body["temperature"] == 0.25
    assert request.path == "/v1/chat/completions"
    assert "authorization" not in request.headers  # the server drops it before recording


def test_routes_yaml_prices_go_to_litellms_own_pricing_and_never_to_the_provider(
    openai_server: OpenAIServer,
) -> None:
    model = _model(openai_server, input_cost_per_token=1e-6, output_cost_per_token=2e-6)
    assert routes_prices(model) == {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}

    _call(model)

    (request,) = openai_server.requests
    assert not {"input_cost_per_token", "output_cost_per_token"} & set(request.body)


def test_a_model_priced_by_the_catalogue_passes_no_prices_to_litellm(openai_server: OpenAIServer) -> None:
    assert routes_prices(_model(openai_server, "openai/gpt-4o-mini")) == {}
    assert routes_prices(_model(openai_server, "openai/our-private-model")) == {}


ERROR_CASES = [
    pytest.param(rate_limited("2"), RateLimited, 429, 2.0, id="429-retry-after-seconds"),
    pytest.param(rate_limited(None, retry_after_ms="1500"), RateLimited, 429, 1.5, id="429-retry-after-ms"),
    pytest.param(rate_limited(None), RateLimited, 429, None, id="429-no-header"),
    pytest.param(server_error(500), ProviderUnavailable, 500, None, id="500"),
    pytest.param(server_error(502), ProviderUnavailable, 502, None, id="502"),
    pytest.param(unavailable(retry_after="3"), ProviderUnavailable, 503, 3.0, id="503-retry-after"),
    pytest.param(server_error(504), ProviderUnavailable, 504, None, id="504"),
    pytest.param(server_error(529), ProviderUnavailable, 529, None, id="529-overloaded"),
    pytest.param(bad_request("Invalid value for 'temperature'."), BadRequest, 400, None, id="400"),
    pytest.param(bad_request("The model does not exist", code=404), BadRequest, 404, None, id="404"),
    pytest.param(bad_request("Unprocessable", code=422), BadRequest, 422, None, id="422"),
    pytest.param(unauthorized(401), AuthenticationFailed, 401, None, id="401"),
    pytest.param(unauthorized(403), AuthenticationFailed, 403, None, id="403"),
    pytest.param(context_length_exceeded(), ContextWindowExceeded, 400, None, id="context-length"),
    # Documented choice: a non-JSON 200 is a transient upstream fault, retried then fallen back from.
    pytest.param(garbage(), ProviderUnavailable, 500, None, id="garbage-200"),
]


@pytest.mark.parametrize(("reply", "expected", "status", "retry_after"), ERROR_CASES)
def test_each_provider_error_maps_to_its_router_error_after_exactly_one_request(
    openai_server: OpenAIServer,
    reply: Reply,
    expected: type[ProviderError],
    status: int,
    retry_after: float | None,
) -> None:
    openai_server.script("test-model-a", reply)

    error = _failure(_model(openai_server))

    assert type(error) is expected
    assert error.status == status
    assert error.retry_after == retry_after
    assert error.model == "test-model-a"
    assert len(openai_server.requests) == 1


def test_retry_after_as_an_http_date_is_parsed(openai_server: OpenAIServer) -> None:
    then = datetime.now(UTC) + timedelta(seconds=30)
    openai_server.script("test-model-a", rate_limited(format_datetime(then, usegmt=True)))

    error = _failure(_model(openai_server))

    assert isinstance(error, RateLimited)
    assert error.retry_after == pytest.approx(30, abs=2)


def test_the_bad_request_message_is_the_providers_message(openai_server: OpenAIServer) -> None:
    openai_server.script("test-model-a", bad_request("Invalid value for 'temperature'."))

    assert _failure(_model(openai_server)).message == "Invalid value for 'temperature'."


def test_a_prompt_echoed_in_an_error_is_not_kept(openai_server: OpenAIServer) -> None:
    openai_server.script("test-model-a", bad_request("Could not parse 'What is the capital of France?'"))

    error = _failure(_model(openai_server))

    assert "capital of France" not in error.message
    assert "capital of France" not in repr(pickle.loads(pickle.dumps(error)))


@pytest.mark.timeout(10)  # a hang fails the test; how fast it gives up is not timed
def test_a_slow_answer_past_the_timeout_is_a_provider_timeout(openai_server: OpenAIServer) -> None:
    openai_server.script("test-model-a", slow(2.0))

    error = _failure(_model(openai_server), timeout_s=0.3)

    assert type(error) is ProviderTimeout
    assert error.retryable
    assert len(openai_server.requests) == 1


@pytest.mark.timeout(10)  # a hang fails the test; how fast it gives up is not timed
def test_a_timeout_litellm_gets_rounded_up_still_bounds_the_call_exactly(openai_server: OpenAIServer) -> None:
    openai_server.script("test-model-a", slow(2.5))

    error = _failure(_model(openai_server), timeout_s=1.2)  # litellm is given 2 s

    assert type(error) is ProviderTimeout


@pytest.mark.parametrize(
    ("given", "sent"), [(None, None), (0.3, 0.3), (1.0, 1.0), (59.2, 60.0), (59.999, 60.0), (60.0, 60.0)]
)
def test_litellm_gets_the_timeout_in_whole_seconds_so_calls_share_its_client(
    given: float | None, sent: float | None
) -> None:
    assert client_timeout(given) == sent


def test_calls_left_with_different_deadlines_hand_litellm_one_timeout(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch, litellm: Any
) -> None:
    seen: list[object] = []
    real = litellm.acompletion

    async def spy(**kwargs: Any) -> Any:
        seen.append(kwargs["timeout"])
        return await real(**kwargs)

    monkeypatch.setattr(litellm, "acompletion", spy)
    model = _model(openai_server)
    for left in (59.91, 59.42, 59.07):
        _call(model, timeout_s=left)

    assert seen == [60.0, 60.0, 60.0]


def test_the_routes_yaml_timeout_applies_when_the_call_gives_none(openai_server: OpenAIServer) -> None:
    openai_server.script("test-model-a", slow(2.0))

    error = _failure(_model(openai_server, params={"timeout": 0.3}), timeout_s=None)

    assert type(error) is ProviderTimeout


def test_a_missing_key_is_a_local_fault_reported_before_any_request(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    model = _model(openai_server)

    error = _failure(model)

    assert type(error) is ApiKeyMissing
    expected = f"{KEY_ENV} is not set in this process; export it, or remove {model.name} from the pool"
    assert error.message == expected
    assert LiteLLMProvider().missing_credentials(model) == expected
    assert openai_server.requests == []


def test_the_key_is_read_at_call_time(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    model = _model(openai_server)
    with pytest.raises(ApiKeyMissing):
        _call(model)

    monkeypatch.setenv(KEY_ENV, "sk-exported-later")

    assert _call(model).content == "ok"


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(rate_limited("2"), id="429"),
        pytest.param(unavailable(retry_after="1"), id="503"),
        pytest.param(context_length_exceeded(), id="context"),
        pytest.param(garbage(), id="garbage"),
    ],
)
def test_errors_from_real_responses_survive_pickling(openai_server: OpenAIServer, reply: Reply) -> None:
    openai_server.script("test-model-a", reply)
    error = _failure(_model(openai_server))

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert (copy.message, copy.model, copy.status, copy.retry_after) == (
        error.message,
        error.model,
        error.status,
        error.retry_after,
    )


@pytest.mark.timeout(15)  # a hang fails the test; how fast it gives up is not timed
def test_no_test_can_reach_a_real_provider() -> None:
    """With the suite's environment (no keys, OPENAI_API_BASE on a closed port) a real model id fails fast."""
    spec = ModelSpec(
        name="gpt-4o-mini", model="openai/gpt-4o-mini", params={"api_key": f"os.environ/{KEY_ENV}"}
    )

    with pytest.raises((ProviderUnavailable, ProviderTimeout)):
        _call(resolve(spec), timeout_s=3.0)
