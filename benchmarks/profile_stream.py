"""The gateway's side of streamed requests, for a repeatable count of their cost.

Starts ``bench_gateway.py``'s zero-latency upstream, then ``router serve`` (this tree's, or
``--root``'s) in a process of its own that answers two signals: SIGUSR1 starts the measure,
SIGUSR2 ends it. After ``--warmup`` streams, this script measures ``--streams`` streams sent
one by one, as ``bench_gateway.py --ttft-only`` sends them:

- CPU milliseconds per stream of the gateway process: printed;
- ``--cprofile FILE``: cProfile of the gateway's event loop over the measured streams (its
  call counts per stream do not move with the machine's load, unlike any time);
- ``--callgrind DIR``: the gateway runs under valgrind; at SIGUSR1 it calls ``os.getpriority``
  and at SIGUSR2 ``os.getsid``, and callgrind is told ``--zero-before=getpriority
  --dump-before=getsid``, so the dump holds the measured streams' instructions alone.

    .venv/bin/python benchmarks/profile_stream.py --redis redis://127.0.0.1:7461/10 \\
        --streams 300 --cprofile /tmp/stream.prof

The Redis database given is flushed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks._proc import cpu_s  # noqa: E402
from benchmarks.bench_gateway import BODY, _first_token_ms, _Processes, _Setup, _wait_http  # noqa: E402

_MARKS: list[tuple[str, int]] = []


def _trace() -> None:
    """Timestamps of a stream's steps on the gateway's side (streams are sent one by one)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from router._calls._admission import Admission
    from router._gateway._writes import HeadWithBody
    from router._providers._http1 import Connection
    from router._router import Router

    def mark(name: str) -> None:
        _MARKS.append((name, time.perf_counter_ns()))

    def around(cls: Any, method: str, before: str | None, after: str | None = None) -> None:
        inner = getattr(cls, method)
        if asyncio.iscoroutinefunction(inner):

            async def traced_async(*a: Any, **k: Any) -> Any:
                if before:
                    mark(before)
                try:
                    return await inner(*a, **k)
                finally:
                    if after:
                        mark(after)

            setattr(cls, method, traced_async)
            return

        def traced(*a: Any, **k: Any) -> Any:
            if before:
                mark(before)
            try:
                return inner(*a, **k)
            finally:
                if after:
                    mark(after)

        setattr(cls, method, traced)

    around(HttpToolsProtocol, "on_message_complete", "request")
    around(Router, "decide", "decide", "decided")
    around(Admission, "admit", "admit", "admitted")
    around(Connection, "send", "upstream_sent")
    around(Connection, "data_received", "upstream_bytes")
    write = HeadWithBody.write

    def written(self: Any, data: bytes) -> None:
        if self._held is not None:
            mark("first_out")
        write(self, data)

    HeadWithBody.write = written  # type: ignore[method-assign]


def _report_marks(path: str) -> None:
    """Per stream, each step's time since the request arrived; the medians and p99s."""
    import statistics

    streams: list[dict[str, float]] = []
    current: dict[str, float] = {}
    start = 0
    for name, ns in _MARKS:
        if name == "request":
            current, start = {}, ns
            streams.append(current)
        elif name not in current:
            current[name] = (ns - start) / 1e6
    lines = []
    names = ["decide", "decided", "admit", "admitted", "upstream_sent", "upstream_bytes", "first_out"]
    for name in names:
        values = sorted(stream[name] for stream in streams if name in stream)
        if values:
            p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
            lines.append(f"{name:<16} p50 {statistics.median(values):7.3f}  p99 {p99:7.3f} ms")
    Path(path).write_text("\n".join(lines) + "\n")


def _serve_measured(argv: list[str], cprofile: str | None, trace: str | None) -> None:
    """``router serve argv`` with SIGUSR1/SIGUSR2 around the measured streams."""
    profile = cProfile.Profile()

    def begin(*_: object) -> None:
        os.getpriority(os.PRIO_PROCESS, 0)  # callgrind --zero-before=getpriority
        _MARKS.clear()
        if cprofile:
            profile.enable()

    def end(*_: object) -> None:
        if cprofile:
            profile.disable()
            profile.dump_stats(cprofile)
        os.getsid(0)  # callgrind --dump-before=getsid
        if trace:
            _report_marks(trace)

    signal.signal(signal.SIGUSR1, begin)
    signal.signal(signal.SIGUSR2, end)
    # The tree measured is the one PYTHONPATH names, not this script's.
    sys.path.remove(str(PROJECT_ROOT))
    for name in [name for name in sys.modules if name == "router" or name.startswith("router.")]:
        del sys.modules[name]
    if trace:
        _trace()
    from router._cli import main

    sys.exit(main(["serve", *argv]))


async def _drive(url: str, key: str, pid: int, args: argparse.Namespace) -> None:
    import httpx

    headers = {"authorization": f"Bearer {key}"}
    body = {**BODY, "model": "auto", "stream": True, "stream_options": {"include_usage": True}}
    chat = f"{url}/v1/chat/completions"
    async with httpx.AsyncClient(timeout=600) as http:
        for _ in range(args.warmup):
            await _first_token_ms(http, chat, body, headers)
        os.kill(pid, signal.SIGUSR1)
        await asyncio.sleep(0.5)
        before = cpu_s(pid)
        for _ in range(args.streams):
            await _first_token_ms(http, chat, body, headers)
        spent = cpu_s(pid) - before
        os.kill(pid, signal.SIGUSR2)
        await asyncio.sleep(2)
    if args.trace:
        print(Path(args.trace).read_text(), end="")
    print(f"gateway CPU per stream: {spent * 1000 / args.streams:.3f} ms ({args.streams} streams)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10", help="a Redis database to flush")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="the tree whose gateway to run")
    parser.add_argument("--streams", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--cprofile", default=None, help="write the gateway's cProfile here")
    parser.add_argument("--callgrind", default=None, help="run the gateway under callgrind, out here")
    parser.add_argument("--trace", default=None, help="write each step's time since the request here")
    parser.add_argument("--serve", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        _serve_measured(args.serve, args.cprofile, args.trace)
        return
    from tests.support.redis_claim import holding

    with holding([args.redis]), _Processes() as processes:
        bench = argparse.Namespace(redis=args.redis)
        setup = _Setup(bench, processes)
        port = _free_port()
        command: list[Any] = [sys.executable, __file__]
        if args.cprofile:
            command += ["--cprofile", args.cprofile]
        if args.trace:
            command += ["--trace", args.trace]
        command += ["--serve", "--routes", str(setup.routes), "--port", str(port)]
        timeout = 120.0
        if args.callgrind:
            out = Path(args.callgrind) / "callgrind.out.%p"
            command = [
                "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                "--zero-before=getpriority", "--dump-before=getsid", *command,
            ]  # fmt: skip
            timeout = 1200.0
        env = {**setup.env, "PYTHONPATH": str(args.root.resolve())}
        processes.append(subprocess.Popen(command, env=env, cwd=setup.workdir))
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        _wait_http(f"{url}/healthz", processes[-1], seconds=timeout)
        print(f"gateway up in {time.monotonic() - started:.1f} s", file=sys.stderr)
        asyncio.run(_drive(url, setup.key, processes[-1].pid, args))


def _free_port() -> int:
    from benchmarks.bench_gateway import _free_port as free

    return free()


if __name__ == "__main__":
    main()
