"""The embedded default: no Redis server, the job runs in the CLI's own process, simulated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.batch.conftest import EXAMPLE, REPO

ROUTER = str(Path(sys.executable).with_name("router"))

pytestmark = pytest.mark.slow


def _router(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value for key, value in os.environ.items() if key not in ("ROUTER_REDIS_URL", "ROUTER_SIMULATE")
    }
    env["ROUTER_HOME"] = str(home)
    return subprocess.run([ROUTER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


def test_submit_wait_without_redis_runs_the_example_embedded_and_says_so(tmp_path: Path) -> None:
    home = tmp_path / ".router"
    routes = str(REPO / "routes.yaml")
    done = _router(
        "batch",
        "submit",
        str(EXAMPLE),
        "--name",
        "demo",
        "--wait",
        "--routes",
        routes,
        cwd=tmp_path,
        home=home,
    )
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip()
    assert job_id.startswith("batch_")
    assert "embedded" in done.stderr
    assert "simulated provider" in done.stderr
    assert f"{job_id} completed: 198/198 done" in done.stderr

    results = [json.loads(line) for line in (home / "jobs" / f"{job_id}.jsonl").read_text().splitlines()]
    assert len(results) == 198
    codes = sorted(result["error"]["code"] for result in results if result["status"] == "failed")
    assert codes == ["duplicate_custom_id", "invalid_json", "missing_prompt", "no_model_fits"]
    answered = {result["response"]["model"] for result in results if result["status"] == "completed"}
    assert "llama-3.1-70b-onprem" in answered, "card numbers and IBANs stay on the on-prem model"
    assert all(result["response"]["simulated"] for result in results if result["status"] == "completed")

    later = _router("batch", "results", job_id, "--errors", cwd=tmp_path, home=home)
    assert later.returncode == 0, later.stderr
    assert len(later.stdout.splitlines()) == 4
    status = _router("batch", "status", job_id, cwd=tmp_path, home=home)
    assert "status:     completed" in status.stdout
