"""The shipped routes.yaml routes representative prompts as its rules say."""

from __future__ import annotations

from pathlib import Path

import pytest

from router import Client, NoModelFits, Sensitivity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client() -> Client:
    return Client(ROOT / "routes.yaml")


def test_short_english_text_goes_to_the_cheapest_model_of_the_default_pool(client: Client) -> None:
    decision = client.route("Summarise the attached meeting notes in three short bullet points.")
    assert decision.rule == "default"
    costs = [c.estimated_cost_usd for c in decision.candidates]
    assert costs == sorted(costs)
    assert decision.model == decision.candidates[0].model


def test_german_goes_to_a_model_that_supports_german(client: Client) -> None:
    decision = client.route("Bitte fasse die folgenden Besprechungsnotizen in drei kurzen Punkten zusammen.")
    assert decision.signals.language == "de"
    assert decision.rule == "non-english"
    spec = client.config.model(decision.model)
    assert spec.speaks("de")


def test_a_credit_card_number_goes_to_the_self_hosted_model_only(client: Client) -> None:
    decision = client.route("Please refund the charge on card 4111 1111 1111 1111 from last Tuesday.")
    assert decision.signals.sensitivity == Sensitivity.RESTRICTED
    assert [c.model for c in decision.candidates] == ["llama-3.1-70b-onprem"]


@pytest.mark.parametrize(
    "text",
    [
        "Why does my app not start? .env:\nDB_HOST=db\nDB_PASSWORD=Tr0ub4dor&3",
        'Fix this JSON: {"user": "jane", "password": "Sommer2024"}',
        "Pode validar o meu CPF 529.982.247-25?",
        "我的身份证号是11010519491231002X",
    ],
    ids=["env-file", "json", "cpf", "chinese-id"],
)
def test_a_pasted_password_or_a_national_number_goes_to_the_self_hosted_model_only(
    client: Client, text: str
) -> None:
    decision = client.route(text)
    assert decision.signals.sensitivity == Sensitivity.RESTRICTED
    assert [c.model for c in decision.candidates] == ["llama-3.1-70b-onprem"]


@pytest.mark.parametrize(
    "text",
    ["Status of project-nightingale?", "Notes on the\nProject\nNightingale kickoff", "Two Bluebird mergers"],
)
def test_a_codename_written_as_a_slug_wrapped_or_plural_stays_off_public_models(
    client: Client, text: str
) -> None:
    decision = client.route(text)
    assert decision.signals.sensitivity == Sensitivity.CONFIDENTIAL
    for candidate in decision.candidates:
        assert client.config.model(candidate.model).clearance >= Sensitivity.CONFIDENTIAL


def test_an_email_address_never_goes_to_a_model_cleared_only_for_internal_data(client: Client) -> None:
    decision = client.route("Write back to jane.doe@example.com and confirm the meeting time.")
    assert decision.signals.sensitivity == Sensitivity.CONFIDENTIAL
    for candidate in decision.candidates:
        assert client.config.model(candidate.model).clearance >= Sensitivity.CONFIDENTIAL


def test_a_150000_token_prompt_goes_to_a_model_with_a_large_enough_window(client: Client) -> None:
    prompt = "The quarterly report covers revenue, costs and staffing across all regions. " * 12_000
    decision = client.route(prompt)
    assert decision.signals.tokens >= 150_000
    assert decision.rule == "long-context"
    info = client.router.models[decision.model]
    assert info.context_window is not None
    assert decision.chosen.prompt_tokens + decision.chosen.expected_output_tokens <= info.context_window


def test_a_restricted_prompt_too_long_for_the_self_hosted_model_fails_closed(client: Client) -> None:
    prompt = "Card 4111 1111 1111 1111 appears in this log line. " * 20_000
    with pytest.raises(NoModelFits) as caught:
        client.route(prompt)
    assert caught.value.excluded[0][0] == "llama-3.1-70b-onprem"
    assert "context window" in caught.value.excluded[0][1]


def test_code_tagged_requests_go_to_a_code_model(client: Client) -> None:
    decision = client.route("Write a Python function that reverses a linked list.", tags=["code"])
    assert decision.rule == "code-and-maths"
    assert "code" in client.config.model(decision.model).capabilities


def test_the_decision_never_holds_the_prompt(client: Client) -> None:
    secret = "Project Nightingale launch moves to 14 March"
    decision = client.route(secret)
    assert "Nightingale" not in decision.model_dump_json()
    assert decision.signals.finding_types == {"project_codename"}
