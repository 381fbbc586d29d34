"""`router validate`, `router schema` and `router route`: output, exit codes, errors on stderr."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from router._cli import main

ROOT = Path(__file__).resolve().parents[2]
ROUTES = str(ROOT / "routes.yaml")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_route_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "route", "--json", "--routes", ROUTES, "What is the capital of France?")
    assert code == 0
    data = json.loads(out)
    assert {"model", "rule", "signals", "candidates", "excluded"} <= set(data)
    assert {"tokens", "language", "language_confidence", "sensitivity", "findings"} <= set(data["signals"])
    assert {"model", "estimated_cost_usd"} <= set(data["candidates"][0])
    assert data["model"] == data["candidates"][0]["model"]


def test_route_json_lists_finding_types_and_levels_but_not_the_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys, "route", "--json", "--routes", ROUTES, "Mail bob@example.org the IBAN DE89370400440532013000"
    )
    assert code == 0
    data = json.loads(out)
    assert {(f["type"], f["level"]) for f in data["signals"]["findings"]} == {
        ("iban", "restricted"),
        ("email", "confidential"),
    }
    assert "bob@example.org" not in out
    assert "DE89370400440532013000" not in out


def test_route_prints_a_readable_table_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "route", "--routes", ROUTES, "Tell me a joke about databases, please.")
    assert code == 0
    assert out.startswith("model:")
    assert "candidates:" in out


def test_route_reads_standard_input_when_text_is_a_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO("Wie spät ist es in Berlin gerade?".encode()))
    )
    code, out, _ = _run(capsys, "route", "--json", "--routes", ROUTES, "-")
    assert code == 0
    assert json.loads(out)["signals"]["language"] == "de"


def test_non_utf8_standard_input_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"caf\xe9 au lait")))
    code, out, err = _run(capsys, "route", "--routes", ROUTES, "-")
    assert code == 2
    assert out == ""
    assert "standard input is not valid UTF-8" in err


def test_an_empty_prompt_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "route", "--routes", ROUTES, "   ")
    assert code == 2
    assert "the prompt is empty" in err


def test_a_prompt_no_model_can_take_exits_3_and_names_every_exclusion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompt = "Card 4111 1111 1111 1111. " * 40_000
    code, out, err = _run(capsys, "route", "--routes", ROUTES, prompt)
    assert code == 3
    assert out == ""
    assert "llama-3.1-70b-onprem: needs" in err


def test_a_missing_routes_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "route", "--routes", str(tmp_path / "missing.yaml"), "hi there")
    assert code == 2
    assert "no such routes file" in err


def test_the_routes_file_comes_from_the_environment_when_not_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ROUTER_ROUTES", str(tmp_path / "from-env.yaml"))
    code, _, err = _run(capsys, "validate")
    assert code == 2
    assert "from-env.yaml" in err


KEY_VARIABLES = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "MISTRAL_API_KEY",
    "DASHSCOPE_API_KEY",
)


def test_validate_reports_ok_with_counts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in KEY_VARIABLES:
        monkeypatch.setenv(variable, "sk-test-not-a-real-key")
    code, out, _ = _run(capsys, "validate", ROUTES)
    assert code == 0
    assert "OK (11 models, 6 rules, 0 warnings)" in out


def test_validate_warns_once_about_each_key_variable_that_is_unset(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in KEY_VARIABLES[1:]:
        monkeypatch.setenv(variable, "sk-test-not-a-real-key")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code, out, _ = _run(capsys, "validate", ROUTES)
    assert code == 0
    warnings = [line for line in out.splitlines() if "is not set in this environment" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "warning: OPENAI_API_KEY is not set in this environment: calls from here skip"
    )
    assert "sk-test" not in out


def test_validate_warns_about_models_without_a_price(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text("models: [{name: m, model: hosted_vllm/unknown-model}]\nrules: [{name: d, pool: '*'}]\n")
    code, out, _ = _run(capsys, "validate", str(path))
    assert code == 0
    assert "has no known price" in out


def test_validate_fails_with_exit_2_on_a_bad_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text("models: [{name: m, model: x, clearance: top}]\nrules: [{name: d, pool: '*'}]\n")
    code, _, err = _run(capsys, "validate", str(path))
    assert code == 2
    assert "routes.yaml:1: models[0].clearance: unknown sensitivity level 'top'" in err


def test_schema_is_valid_json_schema_naming_the_sections(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert {"models", "rules", "signals", "policies"} <= set(schema["properties"])


def test_route_does_not_import_litellm() -> None:
    script = (
        "import sys; from router._cli import main; "
        f"main(['route', '--routes', {ROUTES!r}, 'hello world, how are you?']); "
        "assert 'litellm' not in sys.modules, 'litellm was imported'"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
