"""The fallback loop over real HTTP: litellm talks to a scripted local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from router import AllModelsFailed, BadRequest, DeadlineExceeded
from router._runtime import Runtime
from router._task import Task
from tests.calls.conftest import run
from tests.support.openai_server import (
    OpenAIServer,
    bad_request,
    context_length_exceeded,
    ok,
    rate_limited,
    server_error,
    slow,
    unauthorized,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PLAIN = "Please summarise the weekly status report in two sentences."
A, B, VAULT = "test-model-a", "test-model-b", "test-model-vault"


def _times(server: OpenAIServer, model: str) -> list[float]:
    return [request.received_at for request in server.requests_for(model)]


def test_the_first_candidate_answers_when_it_can(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, ok("fine"))
    result = run(make_runtime().complete(Task.build(PLAIN)))
    assert (result.model, result.content) == ("alpha", "fine")
    assert [a.outcome for a in result.attempts] == ["ok"]
    assert len(openai_server.requests) == 1


def test_retryable_failures_retry_then_fall_back_in_decision_order(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, server_error(500), server_error(503), server_error(502))
    openai_server.script(B, ok("from beta"))
    result = run(make_runtime().complete(Task.build(PLAIN)))
    assert result.model == "beta"
    assert [(a.model, a.outcome) for a in result.attempts] == [
        ("alpha", "error"),
        ("alpha", "error"),
        ("alpha", "error"),
        ("beta", "ok"),
    ]
    assert [r.model for r in openai_server.requests] == [A, A, A, B]
    assert result.attempts[-1].fallback


def test_retry_after_is_honoured_the_retry_comes_no_sooner(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, rate_limited(retry_after="1"), ok("after the wait"))
    result = run(make_runtime().complete(Task.build(PLAIN)))
    assert result.model == "alpha"
    first, second = _times(openai_server, A)
    assert second - first >= 1.0


def test_backoff_grows_between_retries(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, server_error(500), server_error(500), ok("third time"))
    run(make_runtime().complete(Task.build(PLAIN)))
    first, second, third = _times(openai_server, A)
    # Equal jitter with base 0.2 s: retry 1 waits 0.1-0.2 s, retry 2 waits 0.2-0.4 s.
    assert second - first >= 0.1
    assert third - second >= 0.2


def test_a_bad_request_is_not_retried_and_fails_the_call_with_the_providers_message(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, bad_request("Invalid value for 'temperature'."))
    with pytest.raises(BadRequest, match="Invalid value for 'temperature'"):
        run(make_runtime().complete(Task.build(PLAIN)))
    assert len(openai_server.requests) == 1


def test_an_authentication_error_is_not_retried_and_parks_the_model(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    runtime = make_runtime()
    openai_server.script(A, unauthorized())
    openai_server.script(B, ok("beta"), ok("beta again"))
    first = run(runtime.complete(Task.build(PLAIN)))
    assert first.model == "beta"
    assert len(openai_server.requests_for(A)) == 1
    second = run(runtime.complete(Task.build(PLAIN)))
    assert second.attempts[0].outcome == "skipped"
    assert "circuit open" in (second.attempts[0].error or "")
    assert len(openai_server.requests_for(A)) == 1


def test_a_context_window_error_moves_to_the_next_model_at_once(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, context_length_exceeded())
    openai_server.script(B, ok("bigger window"))
    result = run(make_runtime().complete(Task.build(PLAIN)))
    assert result.model == "beta"
    assert len(openai_server.requests_for(A)) == 1
    assert result.attempts[0].error_type == "context_window_exceeded"


def test_a_missing_api_key_skips_to_the_next_candidate_without_a_request(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = make_runtime()
    monkeypatch.delenv("TEST_PROVIDER_KEY")
    with pytest.raises(AllModelsFailed) as caught:
        run(runtime.complete(Task.build(PLAIN)))
    assert openai_server.requests == []
    assert {a.error_type for a in caught.value.attempts} == {"api_key_missing"}
    assert "TEST_PROVIDER_KEY is not set in this process" in str(caught.value)


def test_the_chain_stops_at_its_deadline(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, slow(5.0))
    runtime = make_runtime(deadline=1.0)
    with pytest.raises((DeadlineExceeded, AllModelsFailed)):
        run(runtime.complete(Task.build(PLAIN)))
    started = openai_server.requests[0].received_at
    assert all(request.received_at - started < 1.0 for request in openai_server.requests)


def test_restricted_text_only_ever_reaches_the_restricted_model_and_fails_closed(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(VAULT, server_error(500), server_error(500), server_error(500))
    with pytest.raises(AllModelsFailed) as caught:
        run(make_runtime().complete(Task.build("Refund card 4111 1111 1111 1111 today, please.")))
    assert {r.model for r in openai_server.requests} == {VAULT}
    assert {a.model for a in caught.value.attempts} == {"vault"}
    assert "fails closed" in str(caught.value)


def test_every_attempt_is_written_to_the_ledger_once(
    make_runtime: Callable[..., Runtime], openai_server: OpenAIServer
) -> None:
    openai_server.script(A, server_error(500), ok("second try"))
    runtime = make_runtime()
    result = run(runtime.complete(Task.build(PLAIN, team="research")))
    records = runtime.ledger.records(request_id=result.request_id)
    assert [(r.model, r.outcome, r.attempt) for r in records] == [("alpha", "error", 1), ("alpha", "ok", 2)]
    assert records[-1].cost_usd == pytest.approx(result.cost_usd)
    assert all(r.team == "research" for r in records)
