"""The library owns the worker: one chunk runner for Celery tasks and the embedded runner alike."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from router._batch import _embedded
from router._batch._embedded import EmbeddedRunner
from router._batch._execute import ChunkReport
from router._config import RoutesConfig
from router._errors import StoreUnavailable
from router._settings import Settings
from router._state._store import Store

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_library_never_imports_the_workers_package() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "router").rglob("*.py"))
        if any(name == "workers" or name.startswith("workers.") for name in _imported_modules(path))
    ]
    assert not offenders, f"router/ must not import workers/ (it imports router): {offenders}"


def test_the_workers_package_only_makes_the_app_from_the_library() -> None:
    files = sorted(path.name for path in (ROOT / "workers").glob("*.py"))
    assert files == ["__init__.py"]
    assert _imported_modules(ROOT / "workers" / "__init__.py") == {"router._batch._celery"}


def test_an_embedded_batch_runs_without_celery(tmp_path: Path) -> None:
    settings = f"router.Settings(home={str(tmp_path)!r})"
    code = (
        "import sys, router\n"
        f"client = router.Client({str(ROOT / 'routes.yaml')!r}, settings={settings})\n"
        "job = client.submit_batch(['What is 2 + 2?', 'Name a colour.', 'Say hello.'])\n"
        "status = job.wait(poll_s=0.05, timeout_s=120)\n"
        "print(status.status, status.completed, 'celery' in sys.modules, 'kombu' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["completed", "3", "False", "False"]


class _Calls:
    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.count = 0

    def __call__(
        self, context: object, job_id: str, start: int, stop: int, *, deadline_s: float
    ) -> ChunkReport:
        self.count += 1
        if self.failures:
            raise self.failures.pop(0)
        return ChunkReport(done=stop - start)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> EmbeddedRunner:
    monkeypatch.setattr(_embedded.time, "sleep", lambda _: None)
    config = RoutesConfig.model_validate(
        {"models": [{"name": "m", "model": "openai/gpt-4o-mini"}], "rules": [{"name": "all", "pool": ["m"]}]}
    )
    return EmbeddedRunner(config, Store(), Settings.defaults())


def test_the_embedded_runner_runs_a_chunk_again_after_an_infrastructure_error(
    runner: EmbeddedRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _Calls([StoreUnavailable("down for a moment"), TimeoutError()])
    monkeypatch.setattr(_embedded, "execute_chunk", calls)
    runner._run("job", 0, 10)
    assert calls.count == 3


def test_the_embedded_runner_does_not_repeat_a_chunk_that_failed_for_another_reason(
    runner: EmbeddedRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _Calls([ValueError("a bug")])
    monkeypatch.setattr(_embedded, "execute_chunk", calls)
    runner._run("job", 0, 10)
    assert calls.count == 1
