"""A private RabbitMQ node for tests that must stop and restart their broker.

The machine's shared RabbitMQ (127.0.0.1:5672) serves other tools, so a test
that restarts its broker starts a node of its own instead: its own node name,
AMQP port (a free one in 5700-5799; Erlang distribution on port + 20000), data
folder (``RABBITMQ_MNESIA_BASE``), empty configuration and no plugins, so it
shares nothing with the shared node but the Erlang port mapper. Its data
survives ``restart()``, as a real broker's does: durable queues and persistent
messages come back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.ports import free_pair

PORTS = range(5700, 5800)
DIST_OFFSET = 20000
# The scripts themselves, not the /usr/sbin wrappers that switch to the rabbitmq user:
# the node and rabbitmqctl must run as one user, so that they share one Erlang cookie.
BIN = Path("/usr/lib/rabbitmq/bin")


@dataclass
class PrivateRabbit:
    port: int
    folder: Path
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = f"router-test-{self.port}@localhost"

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.port + DIST_OFFSET),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.folder / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(self.folder / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
        }

    def ctl(self, *args: str, timeout_s: float = 60) -> str:
        return subprocess.run(
            [str(BIN / "rabbitmqctl"), "-n", self.name, *args],
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        ).stdout

    def start(self, timeout_s: float = 120) -> None:
        subprocess.run([str(BIN / "rabbitmq-server"), "-detached"], env=self.env(), check=True, timeout=30)
        # await_startup fails at once while the node has not yet registered with the port
        # mapper, so ask again until it answers.
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.ctl("await_startup", "--timeout", "30", timeout_s=40)
                return
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def stop(self) -> None:
        self.ctl("stop", timeout_s=60)

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def private_rabbit() -> Iterator[PrivateRabbit]:
    """Start a private node, and stop it and remove its data afterwards, whatever happens."""
    if not (BIN / "rabbitmq-server").exists():
        raise RuntimeError(f"RabbitMQ is not installed ({BIN / 'rabbitmq-server'} is missing)")
    port = next((port for port in PORTS if free_pair(port, DIST_OFFSET)), None)
    if port is None:
        raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1} for a private RabbitMQ")
    rabbit = PrivateRabbit(port, Path(tempfile.mkdtemp(prefix="router-rabbit-")))
    (rabbit.folder / "rabbitmq.conf").write_text("loopback_users.guest = true\n")
    (rabbit.folder / "advanced.config").write_text("[].\n")
    (rabbit.folder / "rabbitmq-env.conf").write_text("")
    (rabbit.folder / "enabled_plugins").write_text("[].\n")
    try:
        rabbit.start()
        yield rabbit
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            rabbit.stop()
        shutil.rmtree(rabbit.folder, ignore_errors=True)
