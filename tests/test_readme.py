"""Docs as tests: every `router` command the README prints runs, exactly as printed, from a checkout.

The commands run in order, in a throw-away copy of the files they name
(routes.yaml, examples/, with ``../shared`` beside it as in the workplace), on
the embedded defaults a new user has: no Redis server, no API keys. One thing
is filled in, since no text can know it in advance: ``JOB_ID`` becomes the id
the README's own ``batch submit`` printed. A command ending in ``&`` (a
server) must come up and answer on its port (a free one if another program
holds the printed port on this shared machine), and is stopped at the end.
``make`` targets are left to CI itself (``make test`` would run this test
again; ``make demo`` is the embedded batch test), and ``. .venv/bin/activate``
is what putting the venv on PATH does here.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow

OK_CODES = {"batch submit": {0, 6}}
"""Exit codes besides 0: 6 is "completed, some items failed" (the example has broken lines on purpose)."""


SCRIPT = ".venv/bin/python scripts/"
"""A README command that runs one of the project's scripts: run too, since later commands read
what it writes (``scripts/train_domain.py`` writes the routes file ``router eval`` is shown on)."""


def readme_commands() -> list[str]:
    """Every shell command in the README's ``sh`` blocks that runs the router or a project script,
    comments cut."""
    blocks = re.findall(r"^```sh\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.M | re.S)
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():  # a line ending in \ goes on
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if re.match(r"^(\w+=\S+\s+)*router\b", command) or command.startswith(SCRIPT):
                commands.append(command)
    return commands


def test_the_readme_prints_router_commands() -> None:
    commands = readme_commands()
    assert len(commands) > 20
    assert any(command.startswith("router batch submit") for command in commands)


@pytest.mark.timeout(1200)
def test_every_router_command_in_the_readme_works_as_printed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "routes.yaml", project / "routes.yaml")
    shutil.copytree(ROOT / "examples", project / "examples")
    shutil.copytree(ROOT / "scripts", project / "scripts")
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUTER_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    servers: list[subprocess.Popen[bytes]] = []
    job_id = None
    try:
        for command in readme_commands():
            if "JOB_ID" in command:
                assert job_id is not None, f"{command!r} comes before the README submits a job"
                command = command.replace("JOB_ID", job_id)
            command = (
                command.replace(".venv/bin/python", sys.executable, 1)
                if command.startswith(SCRIPT)
                else command
            )
            if command.endswith("&"):
                servers.append(_serve(command.rstrip("& "), project, env))
                continue
            done = subprocess.run(
                ["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True, timeout=600
            )
            allowed = next((codes for prefix, codes in OK_CODES.items() if prefix in command), {0})
            assert done.returncode in allowed, f"{command!r} exited {done.returncode}:\n{done.stderr}"
            assert "Traceback" not in done.stderr, f"{command!r}:\n{done.stderr}"
            if command.startswith("router batch submit"):
                job_id = done.stdout.strip().splitlines()[-1]
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)


def _serve(command: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a server command as printed and wait until its --port answers."""
    port = int(re.search(r"--port (\d+)", command).group(1))  # type: ignore[union-attr]
    if _in_use(port):  # a shared machine: someone else holds the printed port, so take a free one
        free = _free_port()
        command, port = command.replace(f"--port {port}", f"--port {free}"), free
    server = subprocess.Popen(
        ["bash", "-c", command], cwd=cwd, env=env, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            error = server.stderr.read() if server.stderr else b""
            raise AssertionError(f"{command!r} exited: {error.decode(errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.2)
    server.terminate()
    raise AssertionError(f"{command!r} did not answer on port {port}")


def _in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
