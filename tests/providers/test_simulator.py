"""The simulated provider: litellm's own call path, real tokenizers, real prices, injected failures."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from router._config import load_routes
from router._config._schema import InjectedFailure, ModelSpec, Simulation
from router._errors import (
    AuthenticationFailed,
    BadRequest,
    ContextWindowExceeded,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    UsageError,
)
from router._pricing import ModelInfo, resolve
from router._providers import _simulator
from router._providers._simulator import PROVIDER_NAME, FailureKind, SimulatedProvider, register_handler
from router._results import ProviderResponse
from router._signals._tokens import count_messages, count_text, encoding_for

# litellm silences this pydantic warning with a global filter at import; pytest restores the
# filters after each test, so later tests lose it. (Belongs in pyproject's filterwarnings.)
pytestmark = pytest.mark.filterwarnings("ignore:.*`ReadOnly` qualifier:UserWarning")

PROMPT = "Please draft a short note to the facilities team about the broken lift on floor three."
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": PROMPT},
]


def _routes_models() -> list[ModelInfo]:
    # The shipped routes.yaml at the repository root: every model it lists must simulate.
    routes = Path(__file__).resolve().parents[2] / "routes.yaml"
    return [resolve(spec) for spec in load_routes(routes).models]


ROUTES_MODELS = _routes_models()


def _model(name: str = "gpt-4o-mini", litellm_id: str = "openai/gpt-4o-mini", **fields: Any) -> ModelInfo:
    return resolve(ModelSpec(name=name, model=litellm_id, **fields))


def _call(
    provider: SimulatedProvider,
    model: ModelInfo,
    messages: Sequence[dict[str, Any]] = MESSAGES,
    *,
    max_tokens: int = 256,
    timeout_s: float | None = None,
) -> ProviderResponse:
    return asyncio.run(provider.acomplete(model, messages, max_tokens=max_tokens, timeout_s=timeout_s))


def _failure(provider: SimulatedProvider, model: ModelInfo, **kwargs: Any) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        _call(provider, model, **kwargs)
    return caught.value


@pytest.mark.parametrize("model", ROUTES_MODELS, ids=lambda model: model.name)
def test_every_routes_yaml_model_answers_with_real_token_counts_and_prices(
    model: ModelInfo, litellm: ModuleType
) -> None:
    response = _call(SimulatedProvider(), model)

    encoding = encoding_for(model.spec.model)
    assert response.simulated
    assert response.usage.prompt_tokens == count_messages(MESSAGES, encoding)
    assert response.usage.completion_tokens == count_text(response.content, encoding)
    assert response.provider_model == model.spec.model
    expected_cost = (
        model.estimate(response.usage.prompt_tokens, response.usage.completion_tokens)
        if model.spec.input_cost_per_token is not None
        else litellm.completion_cost(
            completion_response=litellm.ModelResponse(
                usage=litellm.Usage(
                    prompt_tokens=response.usage.prompt_tokens,
                    completion_tokens=response.usage.completion_tokens,
                    total_tokens=response.usage.total_tokens,
                )
            ),
            model=model.spec.model,
        )
    )
    assert response.cost_usd == pytest.approx(expected_cost)
    assert response.cost_usd


@pytest.mark.parametrize("model", ROUTES_MODELS, ids=lambda model: model.name)
def test_the_reply_says_it_is_simulated_and_does_not_repeat_the_prompt(model: ModelInfo) -> None:
    response = _call(SimulatedProvider(), model)

    assert response.content.startswith(f"[simulated {model.name}] ")
    assert PROMPT not in response.content
    assert "broken lift" not in response.content


def test_the_reply_is_deterministic() -> None:
    model = _model()

    assert _call(SimulatedProvider(), model).content == _call(SimulatedProvider(), model).content


def test_the_reply_is_cut_to_max_tokens() -> None:
    response = _call(SimulatedProvider(), _model(), max_tokens=5)

    assert response.usage.completion_tokens <= 5
    assert response.finish_reason == "length"
    assert response.content.startswith("[simulated")


def test_a_routes_yaml_price_override_prices_the_simulated_answer() -> None:
    model = _model(
        "onprem", "hosted_vllm/meta-llama/Llama-3.1-8B", input_cost_per_token=1e-6, output_cost_per_token=3e-6
    )

    response = _call(SimulatedProvider(), model)

    assert response.cost_usd == pytest.approx(
        response.usage.prompt_tokens * 1e-6 + response.usage.completion_tokens * 3e-6
    )


def test_a_model_litellm_cannot_price_gives_an_unpriced_answer() -> None:
    response = _call(SimulatedProvider(), _model("mystery", "openai/not-a-real-model"))

    assert response.cost_usd is None
    assert response.usage.prompt_tokens > 0


INJECTED_CASES = [
    pytest.param("rate_limit", RateLimited, 429, 1.0, id="rate_limit"),
    pytest.param("timeout", ProviderTimeout, 408, None, id="timeout"),
    pytest.param("server_error", ProviderUnavailable, 500, None, id="server_error"),
    pytest.param("outage", ProviderUnavailable, 503, None, id="outage"),
    pytest.param("context_window", ContextWindowExceeded, 400, None, id="context_window"),
    pytest.param("auth", AuthenticationFailed, 401, None, id="auth"),
    pytest.param("bad_request", BadRequest, 400, None, id="bad_request"),
]


@pytest.mark.parametrize(("kind", "expected", "status", "retry_after"), INJECTED_CASES)
def test_each_injected_failure_maps_like_a_real_one(
    kind: FailureKind, expected: type[ProviderError], status: int, retry_after: float | None
) -> None:
    provider = SimulatedProvider()
    provider.inject("gpt-4o-mini", kind)

    error = _failure(provider, _model())

    assert type(error) is expected
    assert error.status == status
    assert error.retry_after == retry_after
    assert error.model == "gpt-4o-mini"
    assert "simulated" in error.message
    assert type(pickle.loads(pickle.dumps(error))) is expected


def test_a_rate_limit_carries_the_configured_retry_after_through_the_headers() -> None:
    provider = SimulatedProvider()
    provider.inject("gpt-4o-mini", "rate_limit", retry_after_s=2.5)

    assert _failure(provider, _model()).retry_after == 2.5


def test_an_outage_can_carry_a_retry_after() -> None:
    provider = SimulatedProvider()
    provider.inject("gpt-4o-mini", "outage", retry_after_s=4)

    assert _failure(provider, _model()).retry_after == 4.0


def test_routes_yaml_failures_apply_per_model_and_to_every_model_with_a_star() -> None:
    simulation = Simulation(
        failures=(
            InjectedFailure(model="gpt-4o-mini", kind="outage"),
            InjectedFailure(model="*", kind="rate_limit", rate=0.0),
        )
    )
    provider = SimulatedProvider(simulation)

    assert type(_failure(provider, _model())) is ProviderUnavailable
    assert _call(provider, _model("other", "openai/gpt-4.1-mini")).content


def test_a_star_failure_hits_every_model() -> None:
    provider = SimulatedProvider(Simulation(failures=(InjectedFailure(model="*", kind="auth"),)))

    assert type(_failure(provider, _model())) is AuthenticationFailed
    assert type(_failure(provider, _model("other", "openai/gpt-4.1-mini"))) is AuthenticationFailed


def test_injected_failures_for_one_model_leave_the_others_alone() -> None:
    provider = SimulatedProvider()
    provider.inject("gpt-4o-mini", "outage")

    assert _call(provider, _model("other", "openai/gpt-4.1-mini")).content


def test_times_fails_only_the_next_n_requests() -> None:
    provider = SimulatedProvider()
    provider.inject("gpt-4o-mini", "server_error", times=2)
    model = _model()

    assert type(_failure(provider, model)) is ProviderUnavailable
    assert type(_failure(provider, model)) is ProviderUnavailable
    assert _call(provider, model).content


def test_the_failure_rate_is_drawn_from_the_seeded_generator() -> None:
    def outcomes(seed: int) -> list[bool]:
        provider = SimulatedProvider(
            Simulation(failures=(InjectedFailure(model="*", kind="outage", rate=0.5),)), seed=seed
        )

        async def run() -> list[bool]:
            results = []
            for _ in range(30):
                try:
                    await provider.acomplete(_model(), MESSAGES, max_tokens=16, timeout_s=None)
                    results.append(True)
                except ProviderUnavailable:
                    results.append(False)
            return results

        return asyncio.run(run())

    first = outcomes(7)
    assert first == outcomes(7)
    assert 4 < first.count(False) < 26


def test_clear_injections_forgets_runtime_failures() -> None:
    provider = SimulatedProvider()
    provider.inject("*", "outage")
    provider.clear_injections()

    assert _call(provider, _model()).content


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"kind": "meteor"}, id="unknown-kind"),
        pytest.param({"kind": "outage", "rate": 1.5}, id="rate-above-one"),
        pytest.param({"kind": "outage", "times": 0}, id="times-zero"),
    ],
)
def test_inject_rejects_impossible_failures(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        SimulatedProvider().inject("gpt-4o-mini", **kwargs)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the simulator asks for, taken at once."""
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def record(delay: float) -> None:
        asked.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(_simulator, "_sleep", record)
    return asked


def test_latency_is_applied_to_every_answer(sleeps: list[float]) -> None:
    provider = SimulatedProvider(Simulation(latency_ms=80))

    _call(provider, _model())

    assert sleeps == [0.08]


def test_latency_can_be_switched_off_for_benchmarks(sleeps: list[float]) -> None:
    provider = SimulatedProvider(Simulation(latency_ms=5000), latency=False)

    _call(provider, _model())

    assert sleeps == []


def test_latency_longer_than_the_timeout_is_a_timeout(sleeps: list[float]) -> None:
    provider = SimulatedProvider(Simulation(latency_ms=5000))

    error = _failure(provider, _model(), timeout_s=0.1)

    assert type(error) is ProviderTimeout
    assert sleeps == [0.1]  # it waits as long as the caller would, not the 5 s of latency


def test_registration_is_idempotent_and_survives_a_replaced_map(litellm: ModuleType) -> None:
    register_handler()
    register_handler()
    assert [item["provider"] for item in litellm.custom_provider_map].count(PROVIDER_NAME) == 1

    saved = litellm.custom_provider_map
    try:
        litellm.custom_provider_map = []  # what litellm's docs tell users to do for their own handlers
        assert _call(SimulatedProvider(), _model()).simulated
        assert [item["provider"] for item in litellm.custom_provider_map] == [PROVIDER_NAME]
    finally:
        litellm.custom_provider_map = saved


def test_a_bare_litellm_call_reaches_the_simulator(litellm: ModuleType) -> None:
    register_handler()

    response = asyncio.run(
        litellm.acompletion(
            model=f"{PROVIDER_NAME}/gpt-4o-mini", messages=MESSAGES, max_tokens=64, num_retries=0
        )
    )

    assert response.choices[0].message.content.startswith("[simulated gpt-4o-mini]")
    assert response.usage.prompt_tokens == count_messages(MESSAGES, encoding_for("gpt-4o-mini"))


def test_request_kwargs_route_a_bare_litellm_call_through_one_simulator(litellm: ModuleType) -> None:
    provider = SimulatedProvider()
    provider.inject("gpt-4o-mini", "rate_limit", times=1)
    register_handler()
    kwargs = provider.request_kwargs(_model())

    with pytest.raises(litellm.RateLimitError):
        asyncio.run(litellm.acompletion(messages=MESSAGES, max_tokens=16, **kwargs))
    response = asyncio.run(litellm.acompletion(messages=MESSAGES, max_tokens=16, **kwargs))

    assert response.model == "openai/gpt-4o-mini"


@pytest.mark.parametrize("model", ROUTES_MODELS, ids=lambda model: model.name)
def test_litellm_reports_the_routers_own_price_for_a_simulated_answer(
    model: ModelInfo, litellm: ModuleType
) -> None:
    """The price the simulator stamps is the one the router records, so litellm need not search for one."""
    register_handler()
    kwargs = SimulatedProvider().request_kwargs(model)

    response = asyncio.run(litellm.acompletion(messages=MESSAGES, max_tokens=64, **kwargs))

    usage = response.usage
    expected = model.estimate(usage.prompt_tokens, usage.completion_tokens)
    assert expected
    assert response._hidden_params["response_cost"] == pytest.approx(expected)


def test_a_model_without_a_price_gets_no_stamped_cost(litellm: ModuleType) -> None:
    register_handler()
    kwargs = SimulatedProvider().request_kwargs(_model("mystery", "openai/not-a-real-model"))

    response = asyncio.run(litellm.acompletion(messages=MESSAGES, max_tokens=64, **kwargs))

    assert "prices" not in kwargs["metadata"]["router_sim"]
    assert not response._hidden_params.get("response_cost")


def test_importing_the_providers_does_not_import_litellm() -> None:
    code = (
        "import sys\n"
        "import router._providers._simulator, router._providers._litellm, router._providers._errors\n"
        "assert 'litellm' not in sys.modules, 'litellm was imported at import time'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr


def test_a_synchronous_litellm_call_reaches_the_simulator_too(litellm: ModuleType) -> None:
    register_handler()

    response = litellm.completion(model=f"{PROVIDER_NAME}/gpt-4o-mini", messages=MESSAGES, max_tokens=64)

    assert response.choices[0].message.content.startswith("[simulated gpt-4o-mini]")
