"""A real three-primary Redis Cluster on loopback, started and stopped by the tests.

Each node is a ``redis-server --cluster-enabled yes`` on a free port of
7101-7199 (its cluster bus takes port + 10000), with its files in a temporary
folder; ``redis-cli --cluster create`` assigns the 16,384 slots and the helper
waits until every node reports ``cluster_state:ok``.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_pair

PORTS = range(7101, 7200)
"""Ports this project's tests may give cluster nodes."""
BUS_OFFSET = 10000


@dataclass(frozen=True)
class LocalCluster:
    ports: tuple[int, ...]
    folder: Path

    @property
    def url(self) -> str:
        """The URL the router takes for this cluster (any node will do; the client discovers the rest)."""
        return f"redis+cluster://127.0.0.1:{self.ports[0]}/0"

    def cli(self, port: int, *args: str) -> str:
        return subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout

    def flush(self) -> None:
        for port in self.ports:
            self.cli(port, "FLUSHALL")


def _free_ports(count: int) -> list[int]:
    found = [port for port in PORTS if free_pair(port, BUS_OFFSET)][:count]
    if len(found) < count:
        raise RuntimeError(f"fewer than {count} free ports in {PORTS.start}-{PORTS.stop - 1}")
    return found


def _start_node(folder: Path, port: int) -> None:
    node = folder / str(port)
    node.mkdir()
    subprocess.run(
        [
            "redis-server",
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-config-file", str(node / "nodes.conf"),
            "--cluster-node-timeout", "2000",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(node),
            "--logfile", str(node / "redis.log"),
            "--daemonize", "yes",
            "--pidfile", str(node / "redis.pid"),
        ],
        check=True,
        timeout=10,
    )  # fmt: skip


def _ready(cluster: LocalCluster) -> bool:
    try:
        return all("cluster_state:ok" in cluster.cli(port, "CLUSTER", "INFO") for port in cluster.ports)
    except subprocess.CalledProcessError:
        return False


def _wait(check: object, what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test cluster: {what} did not happen within {timeout_s} s")
        time.sleep(0.1)


def _stop(folder: Path, ports: list[int]) -> None:
    for port in ports:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(
                ["redis-cli", "-h", "127.0.0.1", "-p", str(port), "SHUTDOWN", "NOSAVE"],
                capture_output=True,
                timeout=5,
            )
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def local_cluster(primaries: int = 3) -> Iterator[LocalCluster]:
    """Start a cluster of ``primaries`` nodes (no replicas), and stop it and remove its files after."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        raise RuntimeError("redis-server and redis-cli must be installed to run the cluster tests")
    folder = Path(tempfile.mkdtemp(prefix="router-cluster-"))
    ports = _free_ports(primaries)
    started: list[int] = []
    try:
        for port in ports:
            _start_node(folder, port)
            started.append(port)
        cluster = LocalCluster(tuple(ports), folder)
        _wait(lambda: all(_answers(cluster, port) for port in ports), "every node answering PING")
        subprocess.run(
            ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{port}" for port in ports), "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        _wait(lambda: _ready(cluster), "cluster_state:ok on every node")
        yield cluster
    finally:
        _stop(folder, started)


def _answers(cluster: LocalCluster, port: int) -> bool:
    try:
        return "PONG" in cluster.cli(port, "PING")
    except subprocess.CalledProcessError:
        return False
