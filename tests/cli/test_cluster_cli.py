"""The CLI on a Redis Cluster: it works, and a Cluster's errors are clear messages, never tracebacks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from router._cli._common import STORE_DOWN, USAGE, run
from router._settings import Settings
from tests.support.cluster import LocalCluster

ROOT = Path(__file__).resolve().parents[2]


def _router(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ROUTER_HOME": str(tmp_path / "home"), "ROUTER_REDIS_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "router._cli", *args, "--routes", str(ROOT / "routes.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
    )


def test_budgets_and_costs_read_a_redis_cluster(tmp_path: Path, redis_cluster: LocalCluster) -> None:
    redis_cluster.flush()
    for command in (["budgets"], ["costs", "--by", "model"]):
        result = _router(tmp_path, redis_cluster.url, *command)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_a_cluster_url_with_a_database_other_than_0_is_a_usage_error(
    tmp_path: Path, redis_cluster: LocalCluster
) -> None:
    result = _router(tmp_path, redis_cluster.url.replace("/0", "/15"), "budgets")
    assert result.returncode == USAGE
    assert "a Redis Cluster has only database 0" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (redis.exceptions.ResponseError("CROSSSLOT Keys in request don't hash to the same slot"), "bug"),
        (redis.exceptions.RedisClusterException("EVAL - all keys must map to the same key slot"), "bug"),
        (redis.exceptions.ResponseError("CLUSTERDOWN The cluster is down"), "--cluster check"),
    ],
    ids=["crossslot", "client-side-slot-check", "clusterdown"],
)
def test_a_cluster_error_is_a_clear_message_with_the_store_exit_code(
    error: Exception, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        raise error

    assert run(argparse.Namespace(handler=handler, log_level=None)) == STORE_DOWN
    message = capsys.readouterr().err
    assert message.startswith("router: error: Redis refused a command")
    assert hint in message
