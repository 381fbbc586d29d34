"""The embedded default: no Redis server, the job runs in the CLI's own process, simulated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DemoRun:
    cwd: Path
    home: Path
    done: subprocess.CompletedProcess[str]

    @property
    def job_id(self) -> str:
        return self.done.stdout.strip()

    def router(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _router(*args, cwd=self.cwd, home=self.home)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """What `make demo` runs, once for the module: the example, embedded, waited for."""
    cwd = tmp_path_factory.mktemp("demo")
    home = cwd / ".router"
    routes = str(REPO / "routes.yaml")
    done = _router(
        "batch", "submit", str(EXAMPLE), "--name", "demo", "--wait", "--routes", routes, cwd=cwd, home=home
    )
    return DemoRun(cwd, home, done)


def test_submit_wait_without_redis_runs_the_example_embedded_and_says_so(demo: DemoRun) -> None:
    done, job_id, home = demo.done, demo.job_id, demo.home
    assert done.returncode == 6, done.stderr  # completed, with the example's four broken lines failed
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


def test_an_embedded_job_is_seen_by_results_status_list_and_cancel_in_later_processes(demo: DemoRun) -> None:
    job_id = demo.job_id
    later = demo.router("batch", "results", job_id, "--errors")
    assert later.returncode == 0, later.stderr
    assert len(later.stdout.splitlines()) == 4
    status = demo.router("batch", "status", job_id)
    assert "status:     completed" in status.stdout
    listed = demo.router("batch", "list", "--json")
    assert [job["id"] for job in json.loads(listed.stdout)] == [job_id]
    cancel = demo.router("batch", "cancel", job_id)
    assert (cancel.returncode, cancel.stdout.strip()) == (0, f"{job_id}: completed (0 items not finished)")


def test_a_demo_run_names_its_failed_items_how_to_see_why_and_what_this_job_cost(demo: DemoRun) -> None:
    done, job_id = demo.done, demo.job_id
    assert "line 31 (line-31: invalid_json)" in done.stderr
    assert "line 198 (ex-195: no_model_fits)" in done.stderr
    assert f"See why: router batch results {job_id} --errors" in done.stderr
    assert f"router costs --where job={job_id} --include-simulated" in done.stderr
    assert "call.failed" not in done.stderr
    report = demo.router("costs", "--where", f"job={job_id}", "--include-simulated", "--json")
    data = json.loads(report.stdout)
    assert data["total"]["calls"] == data["simulated_calls"] >= 194


def test_simulated_calls_stay_out_of_the_default_cost_report(demo: DemoRun) -> None:
    report = demo.router("costs")
    assert report.returncode == 0, report.stderr
    assert "simulated calls" in report.stdout
    assert "--include-simulated" in report.stdout
    default = demo.router("costs", "--json")
    assert json.loads(default.stdout)["total"]["calls"] == 0
