"""The Celery app: reliability settings, no side effects at import, the worker command's checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from router._batch._celery import QUEUE, RUN_CHUNK, create_app, task_deadline_s
from router._settings import Settings

ROUTER = str(Path(sys.executable).with_name("router"))


def test_the_app_acknowledges_late_and_requeues_chunks_of_lost_workers() -> None:
    conf = create_app(broker="redis://127.0.0.1:6379/9", visibility_timeout_s=900).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] == 900
    assert conf.broker_transport_options["unacked_restore_throttle"] == 1
    assert (conf.task_serializer, list(conf.accept_content)) == ("json", ["json"])
    assert conf.task_ignore_result is True
    assert conf.result_backend is None
    assert conf.task_default_queue == QUEUE


def test_the_chunk_deadline_stays_inside_the_visibility_timeout() -> None:
    assert task_deadline_s(create_app(broker="memory://", visibility_timeout_s=100)) == pytest.approx(80)


def test_the_broker_and_its_timeouts_come_from_the_settings() -> None:
    settings = Settings(
        redis_url="redis://127.0.0.1:6379/9", batch_visibility_timeout_s=42, batch_restore_interval_s=3
    )
    conf = create_app(settings).conf
    assert conf.broker_url == "redis://127.0.0.1:6379/9"
    assert conf.broker_transport_options["visibility_timeout"] == 42
    assert conf.broker_transport_options["unacked_restore_interval"] == 3


def test_an_app_without_settings_reads_the_environment_when_first_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(broker="memory://")
    monkeypatch.setenv("ROUTER_BATCH_VISIBILITY_TIMEOUT_S", "42")
    assert app.conf.broker_transport_options["visibility_timeout"] == 42


def test_each_app_registers_its_own_chunk_task() -> None:
    first, second = create_app(broker="memory://"), create_app(broker="memory://")
    assert first.tasks[RUN_CHUNK] is not second.tasks[RUN_CHUNK]
    assert first.tasks[RUN_CHUNK].app is first


def test_importing_the_app_module_needs_no_environment_and_no_network() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ROUTER_")}
    code = "import sys, workers; assert 'litellm' not in sys.modules; print(workers.app.main)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "router"


def test_a_worker_without_a_shared_redis_refuses_to_start() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ROUTER_")}
    done = subprocess.run([ROUTER, "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "ROUTER_REDIS_URL" in done.stderr


def test_a_worker_with_an_unreachable_redis_says_so() -> None:
    env = {**os.environ, "ROUTER_REDIS_URL": "redis://127.0.0.1:1/0"}
    done = subprocess.run([ROUTER, "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 5
    assert "unreachable" in done.stderr
