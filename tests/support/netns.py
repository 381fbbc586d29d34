"""Separate "hosts" on one machine: network namespaces joined by veth pairs to a bridge.

Each host is a network namespace with its own loopback, one interface
(``eth0``) with its own address on a private /24, and a veth peer on a bridge
in the test's (root) namespace; the bridge holds the last address of the
subnet, so the test process itself can reach every host. Processes started
``on`` a host see only that host's network, so nothing they do can rely on a
loopback address or a process of another host. ``cut`` takes a host's link
down, as a pulled cable would: its connections hang rather than close.

Names carry the test process's id, so concurrent test runs never meet, and
``network()`` removes every namespace, link and process it made, whatever
happens. Needs root (CI runs as root).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


@dataclass
class Host:
    name: str
    namespace: str
    address: str
    peer: str
    """The veth end on the bridge, in the root namespace."""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, argv: Sequence[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        """Run ``argv`` on this host (its own session, so it can be killed with its children)."""
        output: IO[bytes] = log.open("wb")
        process = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, *argv],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def cut(self) -> None:
        """Take the host's link down: its packets stop, its connections hang."""
        _ip("link", "set", self.peer, "down")

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)


@dataclass
class Network:
    bridge: str
    subnet: str
    hosts: dict[str, Host] = field(default_factory=dict)

    def add(self, name: str) -> Host:
        index = len(self.hosts) + 1
        tag = f"{os.getpid() % 100000}{index}"
        host = Host(
            name=name,
            namespace=f"router-{os.getpid()}-{name}",
            address=f"{self.subnet}.{index}",
            peer=f"rv{tag}",
        )
        self.hosts[name] = host  # registered first, so a half-made host is still removed
        _ip("netns", "add", host.namespace)
        _ip("link", "add", host.peer, "type", "veth", "peer", "name", f"rh{tag}")
        _ip("link", "set", f"rh{tag}", "netns", host.namespace)
        _ip("link", "set", host.peer, "master", self.bridge)
        _ip("link", "set", host.peer, "up")
        inside = ["netns", "exec", host.namespace, "ip"]
        _ip(*inside, "link", "set", f"rh{tag}", "name", "eth0")
        _ip(*inside, "addr", "add", f"{host.address}/24", "dev", "eth0")
        _ip(*inside, "link", "set", "eth0", "up")
        _ip(*inside, "link", "set", "lo", "up")
        return host

    def restore(self, host: Host) -> None:
        """Bring a cut host's link back up."""
        _ip("link", "set", host.peer, "up")

    def remove(self) -> None:
        for host in self.hosts.values():
            host.kill()
        for host in self.hosts.values():
            with contextlib.suppress(subprocess.SubprocessError):
                _ip("link", "del", host.peer)
            with contextlib.suppress(subprocess.SubprocessError):
                _ip("netns", "del", host.namespace)
        with contextlib.suppress(subprocess.SubprocessError):
            _ip("link", "del", self.bridge)


@contextlib.contextmanager
def network() -> Iterator[Network]:
    """A bridge on a private /24 (10.213.N.0/24, N from the process id), removed afterwards."""
    if os.geteuid() != 0:
        raise RuntimeError("the multi-host tests create network namespaces and must run as root")
    subnet = f"10.213.{os.getpid() % 250}"
    net = Network(bridge=f"rbr{os.getpid() % 100000}", subnet=subnet)
    try:
        _ip("link", "add", net.bridge, "type", "bridge")
        _ip("addr", "add", f"{subnet}.254/24", "dev", net.bridge)
        _ip("link", "set", net.bridge, "up")
        yield net
    finally:
        net.remove()
