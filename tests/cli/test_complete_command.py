"""`router complete` on the embedded default: simulated provider, in-process shared state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUTES = (ROOT / "routes.yaml").read_text()


def _complete(
    tmp_path: Path, *args: str, routes: str = ROUTES, **env: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "routes.yaml"
    path.write_text(routes)
    environment = {**os.environ, "ROUTER_HOME": str(tmp_path / "home"), **env}
    return subprocess.run(
        [sys.executable, "-m", "router._cli", "complete", "--routes", str(path), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=environment,
        cwd=tmp_path,
    )


def test_simulated_completion_needs_no_keys_and_says_it_is_simulated(tmp_path: Path) -> None:
    result = _complete(tmp_path, "--simulate", "--json", "Write a haiku about routers.")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"model", "content", "attempts", "usage", "cost_usd", "decision"} <= set(data)
    assert data["simulated"] is True
    assert data["content"].startswith(f"[simulated {data['model']}]")
    assert data["cost_usd"] > 0
    assert data["usage"]["prompt_tokens"] > 0


def test_the_environment_switches_simulation_on(tmp_path: Path) -> None:
    result = _complete(tmp_path, "Write a haiku about routers.", ROUTER_SIMULATE="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[simulated ")
    assert "(simulated) via rule default" in result.stderr


def test_injected_failures_show_the_fallback(tmp_path: Path) -> None:
    routes = ROUTES + (
        "\nsimulation:\n  failures:\n"
        "    - {model: gemini-2.5-flash-lite, kind: outage}\n"
        "    - {model: gpt-4o-mini, kind: rate_limit, retry_after_s: 0}\n"
    )
    routes = routes.replace("backoff_base_s: 0.5", "backoff_base_s: 0.01")
    result = _complete(tmp_path, "--simulate", "--json", "Write a haiku about routers.", routes=routes)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    tried = [(a["model"], a["outcome"], a["error_type"]) for a in data["attempts"]]
    assert tried[:2] == [
        ("gemini-2.5-flash-lite", "error", "provider_unavailable"),
        ("gemini-2.5-flash-lite", "error", "provider_unavailable"),
    ]
    assert ("gpt-4o-mini", "error", "rate_limited") in tried
    assert data["model"] not in {"gemini-2.5-flash-lite", "gpt-4o-mini"}
    assert tried[-1][1] == "ok"


def test_when_every_allowed_model_fails_the_call_fails_closed(tmp_path: Path) -> None:
    routes = ROUTES + "\nsimulation:\n  failures:\n    - {model: llama-3.1-70b-onprem, kind: outage}\n"
    routes = routes.replace("backoff_base_s: 0.5", "backoff_base_s: 0.01")
    result = _complete(tmp_path, "--simulate", "Refund card 4111 1111 1111 1111, please.", routes=routes)
    assert result.returncode == 4
    assert "no other model is cleared for it, so the call fails closed" in result.stderr
    assert "llama-3.1-70b-onprem" in result.stderr
    assert "gpt-4o-mini" not in result.stderr


def test_an_unreachable_redis_is_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    result = _complete(
        tmp_path, "--simulate", "hello there, how are you?", ROUTER_REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert result.returncode == 5
    assert "Redis at redis://127.0.0.1:1/0 is unreachable" in result.stderr


@pytest.mark.parametrize(
    "secret", ["sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD", "ana.silva@example.com"]
)
def test_no_prompt_text_reaches_the_logs(tmp_path: Path, secret: str) -> None:
    prompt = f"Please check {secret} before Friday."
    result = _complete(tmp_path, "--simulate", "--log-level", "debug", prompt)
    assert result.returncode == 0, result.stderr
    assert "call.succeeded" in result.stderr
    assert secret not in result.stderr
    assert "before Friday" not in result.stderr
