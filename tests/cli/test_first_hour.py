"""What a new user meets in the first hour: versions, JSON everywhere, clear refusals, no tracebacks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from router import Client
from router._cli import main
from router._config import lint_routes, load_routes, parse_routes
from router._errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
ROUTES = ROOT / "routes.yaml"
ROUTER = str(Path(sys.executable).with_name("router"))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROUTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ROUTER_REDIS_URL", raising=False)
    return tmp_path / "home"


def run(home: Path, *args: str) -> tuple[int, str, str]:
    """The CLI in a subprocess: its logging set-up must not outlive the test in this process."""
    done = subprocess.run(
        [sys.executable, "-m", "router._cli", *args],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def test_router_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"router {version('llm-router')}"


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--routes", str(ROUTES), "--json"],
        ["costs", "--json"],
        ["costs", "--by", "model,day", "--json", "--include-simulated"],
        ["costs", "--savings", "--json", "--routes", str(ROUTES)],
        ["budgets", "--json", "--routes", str(ROUTES)],
        ["batch", "list", "--json"],
    ],
    ids=["validate", "costs", "costs-by", "savings", "budgets", "batch-list"],
)
def test_every_command_that_prints_takes_json(home: Path, args: list[str]) -> None:
    code, out, err = run(home, *args)
    assert code == 0, err
    json.loads(out)


def test_costs_export_takes_json_and_a_missing_directory_is_an_error_message(
    home: Path, tmp_path: Path
) -> None:
    code, out, _ = run(home, "costs", "export", "-o", str(tmp_path / "r.csv"), "--json")
    assert (code, json.loads(out)["records"]) == (0, 0)
    code, _, err = run(home, "costs", "export", "-o", str(tmp_path / "missing" / "r.csv"))
    assert code == 2
    assert "router: error: cannot write" in err


@pytest.mark.parametrize("command", ["route", "complete"])
def test_an_unknown_team_is_refused_with_did_you_mean_by_the_cli(home: Path, command: str) -> None:
    code, _, err = run(home, command, "--routes", str(ROUTES), "--team", "reserch", "hello")
    assert code == 2
    assert "unknown team 'reserch'; did you mean 'research'?" in err


def test_an_unknown_team_is_refused_with_did_you_mean_by_batch_submit(home: Path, tmp_path: Path) -> None:
    items = tmp_path / "in.jsonl"
    items.write_text('{"prompt": "hi"}\n')
    code, _, err = run(home, "batch", "submit", str(items), "--routes", str(ROUTES), "--team", "suport")
    assert code == 2
    assert "did you mean 'support'?" in err


def test_an_unknown_team_is_refused_with_did_you_mean_by_the_sdk() -> None:
    with Client(ROUTES) as client, pytest.raises(UsageError, match="did you mean 'finance'"):
        client.route("hello", team="finanse")


def test_a_known_team_and_routes_without_teams_are_accepted() -> None:
    with Client(ROUTES) as client:
        assert client.route("hello", team="research").model
    data = yaml.safe_load(ROUTES.read_text())
    data.pop("teams")
    data["policies"]["budgets"] = [b for b in data["policies"]["budgets"] if b["scope"] != "team"]
    with Client(parse_routes(yaml.safe_dump(data), source="routes.yaml")) as client:
        assert client.route("hello", team="anyone").model


def test_validate_warns_when_a_pool_model_can_never_take_the_rules_level() -> None:
    data = yaml.safe_load(ROUTES.read_text())
    restricted = next(rule for rule in data["rules"] if rule.get("when", {}).get("sensitivity"))
    restricted["pool"] = [*restricted["pool"], "gpt-4o-mini"]
    warnings = lint_routes(parse_routes(yaml.safe_dump(data), source="routes.yaml"))
    assert any("'gpt-4o-mini'" in w and "can never take them" in w for w in warnings), warnings


def test_the_shipped_routes_have_no_uncleared_pool_models() -> None:
    assert not [w for w in lint_routes(load_routes(ROUTES)) if "can never take" in w]


@pytest.mark.parametrize("bad", ["../../etc/passwd", "batch_*", "a b", ""])
@pytest.mark.parametrize("action", ["status", "results", "cancel"])
def test_a_job_id_that_is_not_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], action: str, bad: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["batch", action, bad])
    assert exited.value.code == 2
    assert "is not a job id" in capsys.readouterr().err


def test_results_to_a_missing_directory_is_an_error_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["batch", "results", "batch_0", "-o", str(tmp_path / "nowhere" / "out.jsonl")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "does not exist; create it first" in err
    assert "Traceback" not in err


def _slow_routes(tmp_path: Path) -> Path:
    data = yaml.safe_load(ROUTES.read_text())
    data["simulation"] = {"latency_ms": 400, "failures": [], "seed": 1}
    path = tmp_path / "slow.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ROUTER_REDIS_URL", "ROUTER_SIMULATE")}
    return {**env, "ROUTER_HOME": str(home), **extra}


def _readline_until(process: subprocess.Popen[str], stream: str, text: str) -> list[str]:
    lines: list[str] = []
    source = process.stderr if stream == "stderr" else process.stdout
    assert source is not None
    for line in source:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never appeared: {lines}")


@pytest.mark.slow
@pytest.mark.parametrize("after", ["progress", "job id"])
def test_ctrl_c_during_wait_keeps_an_embedded_job_and_its_results_so_far(
    tmp_path: Path, home: Path, after: str
) -> None:
    items = tmp_path / "in.jsonl"
    items.write_text("".join(json.dumps({"prompt": f"Question {n}?"}) + "\n" for n in range(400)))
    routes = _slow_routes(tmp_path)
    process = subprocess.Popen(
        [ROUTER, "batch", "submit", str(items), "--wait", "--routes", str(routes)],
        cwd=tmp_path,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    job_id = process.stdout.readline().strip()
    if after == "progress":
        _readline_until(process, "stderr", "done (")  # the job is running: some progress has been shown
    # Right after the job id the CLI is still importing and collecting; a KeyboardInterrupt
    # raised there was once dropped (the job ran to the end) or left the process hanging at exit.
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert f"job {job_id} kept" in err
    assert "Exception ignored" not in err
    status = json.loads((home / "jobs" / f"{job_id}.json").read_text())
    assert status["status"] == "cancelled"
    done = [json.loads(line) for line in (home / "jobs" / f"{job_id}.jsonl").read_text().splitlines()]
    assert len(done) == status["completed"] + status["failed"] < 400
    later = subprocess.run(
        [ROUTER, "batch", "status", job_id, "--json"],
        cwd=tmp_path,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(later.stdout)["id"] == job_id


@pytest.mark.slow
@pytest.mark.redis
def test_wait_with_no_live_worker_says_so_and_how_to_start_one(
    tmp_path: Path, home: Path, redis_url: str
) -> None:
    items = tmp_path / "in.jsonl"
    items.write_text('{"prompt": "hi"}\n')
    process = subprocess.Popen(
        [ROUTER, "batch", "submit", str(items), "--wait", "--routes", str(ROUTES)],
        cwd=tmp_path,
        env=_env(home, ROUTER_REDIS_URL=redis_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = _readline_until(process, "stderr", "no live worker")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert "router worker" in lines[-1]
    assert process.returncode == 130
    assert "keeps running on the workers" in err


def _with_rule(rule: dict[str, object], **sensitivity: object) -> list[str]:
    data = yaml.safe_load(ROUTES.read_text())
    data["rules"].insert(0, rule)
    data["signals"]["sensitivity"].update(sensitivity)
    return lint_routes(parse_routes(yaml.safe_dump(data), source="routes.yaml"))


def test_validate_warns_when_a_findings_rule_pools_a_model_below_every_finding_it_matches() -> None:
    """email and phone are confidential: an internal-cleared model can take none of the rule's tasks."""
    rule = {
        "name": "contact",
        "when": {"sensitivity": {"findings": ["email", "phone"]}},
        "pool": ["gpt-4o-mini"],
    }
    warnings = _with_rule(rule)
    assert any(
        "rule 'contact' takes tasks at least confidential" in w
        and "'gpt-4o-mini'" in w
        and "can never take" in w
        for w in warnings
    ), warnings


def test_validate_warns_when_a_findings_rule_pools_a_model_below_some_of_its_findings() -> None:
    rule = {
        "name": "cards-or-mail",
        "when": {"sensitivity": {"findings": ["credit_card", "email"]}},
        "pool": ["mistral-small", "llama-3.1-70b-onprem"],
    }
    warnings = [w for w in _with_rule(rule) if "'cards-or-mail'" in w]
    assert len(warnings) == 1, warnings
    assert "matches findings credit_card (restricted)" in warnings[0]
    assert "'mistral-small'" in warnings[0]
    assert "clear it for restricted or give those findings a rule of their own" in warnings[0]


def test_the_level_a_finding_implies_follows_routes_yaml_custom_terms_and_overrides() -> None:
    """A custom term's level and a detector's override are what the warning reads, not the defaults."""
    rule = {"name": "codenames", "when": {"sensitivity": {"findings": ["project_codename", "ip_address"]}}}
    rule["pool"] = ["claude-haiku-4-5"]  # confidential: takes project_codename (confidential)
    assert not [w for w in _with_rule(rule) if "'codenames'" in w]
    warnings = [w for w in _with_rule(rule, detectors={"ip_address": "restricted"}) if "'codenames'" in w]
    assert len(warnings) == 1, warnings
    assert "ip_address (restricted)" in warnings[0]


def test_a_findings_rule_whose_pool_is_cleared_for_all_its_findings_gets_no_warning() -> None:
    rule = {
        "name": "cards",
        "when": {"sensitivity": {"findings": ["credit_card"]}},
        "pool": ["llama-3.1-70b-onprem"],
    }
    assert not [w for w in _with_rule(rule) if "'cards'" in w]


def test_findings_a_rule_pseudonymises_need_no_clearance_but_restricted_ones_still_do() -> None:
    """Confidential findings are masked for the internal model; a card (restricted) never is."""
    rule = {
        "name": "mail-or-cards",
        "when": {"sensitivity": {"findings": ["email", "credit_card"]}},
        "pool": ["gpt-4o-mini"],
        "pseudonymise": ["confidential"],
    }
    warnings = [w for w in _with_rule(rule) if "'mail-or-cards'" in w]
    assert len(warnings) == 1, warnings
    assert "matches findings credit_card (restricted)" in warnings[0]
    assert "email" not in warnings[0]
