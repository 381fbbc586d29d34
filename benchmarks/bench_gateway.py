"""What ``router serve`` adds to a call, beside LiteLLM's own proxy, in one run.

Every path calls the same local zero-latency OpenAI-compatible upstream, a small asyncio server
of this script's own on loopback (its own process), so the figures are the paths' own cost:

- bare:        ``litellm.acompletion`` to the upstream, in this process;
- SDK:         ``AsyncClient``'s runtime ``complete`` (routing, Redis guards, ledger), in this process;
- gateway:     ``router serve`` (one process) over HTTP, with an API key, routes.yaml pointing at
               the upstream, Redis for keys, limits, budgets and the ledger;
- LiteLLM:     LiteLLM's proxy (``litellm --config``, one worker, master key, no database) from a
               separate virtualenv, configured with the same model and upstream.

Figures: added latency p50/p99 of the gateway over the SDK and over bare litellm (calls
interleaved one by one, sequential); requests per second at 1 and at 32 concurrent clients, the
gateway beside LiteLLM's proxy, with the gateway process's CPU time per request in those runs;
streaming time to first token through the gateway minus the upstream's own, and the gateway's
CPU time per stream; the gateway's resident memory after warm-up and after 10,000 requests.

    .venv/bin/python benchmarks/bench_gateway.py [--litellm-venv /tmp/litellm-proxy-venv]
        [--redis redis://127.0.0.1:6379/10] [--calls 400] [--seconds 10] [--memory-requests 10000]
        [--against DIR] [--ttft-only [--runs 3]]

``--against DIR`` runs a second gateway from another checkout of the project (``git archive main
| tar -x -C DIR``, say) on the same upstream, Redis and key, and takes the streaming figures of
both with their streams interleaved one by one: on a shared machine, a change's effect on time
to first token is seen beside the old tree's in the same minutes rather than in two runs.

``--ttft-only`` measures the streaming figures alone: per run (``--runs``), this tree's gateway
and DIR's (with ``--against``) start fresh, each takes the same warm-up streams, then the
upstream and every gateway take ``--calls`` streams interleaved one by one, with nothing run
before them (the full run streams after its latency, throughput and LiteLLM phases, so the
head's gateway had served thousands of requests and the other none). It prints, per run and
over all runs, each gateway's time to first token added to the upstream's, p50 and p99, and
its CPU time per stream. DIR runs on this tree's interpreter with ``PYTHONPATH=DIR``, so it
needs no virtualenv of its own, only the same dependencies.

The LiteLLM proxy is never a project dependency: install it apart, e.g.
``python3 -m venv /tmp/litellm-proxy-venv && /tmp/litellm-proxy-venv/bin/pip install
'litellm[proxy]==1.106.12'`` (the newest whose proxy extras install). The Redis database given
is flushed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._proc import cpu_s, rss_mb  # noqa: E402

MESSAGES = [{"role": "user", "content": "Summarise the attached meeting notes in three short bullet points."}]
BODY = {"model": "bench", "messages": MESSAGES, "max_tokens": 64}

# --------------------------------------------------------------------------- the upstream

_COMPLETION = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1,
        "model": "bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Three bullets."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24},
    }
).encode()


def _sse() -> bytes:
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "bench"}
    chunks = [
        {
            **base,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": "Three "}, "finish_reason": None}
            ],
        },
        {**base, "choices": [{"index": 0, "delta": {"content": "bullets."}, "finish_reason": None}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {**base, "choices": [], "usage": {"prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24}},
    ]
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"


_STREAM = _sse()


class _Upstream(asyncio.Protocol):
    """HTTP/1.1 keep-alive, one fixed answer (JSON, or SSE when the body asks to stream)."""

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length = 0
            for line in head.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            body, self.buffer = self.buffer[head_end + 4 : end], self.buffer[end:]
            self._answer(b'"stream":true' in body.replace(b" ", b""))

    def _answer(self, stream: bool) -> None:
        if stream:
            # No chunked framing: the stream ends with the connection (Connection: close).
            head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
            self.transport.write(head + _STREAM)
            self.transport.close()
            return
        head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
        self.transport.write(head % len(_COMPLETION) + _COMPLETION)


def _serve_upstream(port: int) -> None:
    import uvloop

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Upstream, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    uvloop.run(main())


# --------------------------------------------------------------------------- processes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:g} s")


def _routes(upstream: str) -> str:
    return f"""
models:
  - {{name: bench, model: openai/bench, clearance: restricted,
     params: {{api_base: "{upstream}", api_key: os.environ/BENCH_KEY}},
     input_cost_per_token: 0.0000001, output_cost_per_token: 0.0000002, context_window: 100000}}
rules:
  - {{name: default, pool: [bench]}}
policies:
  fallback: {{attempts_per_model: 1}}
"""


def _litellm_config(upstream: str) -> str:
    return f"""
model_list:
  - model_name: bench
    litellm_params: {{model: openai/bench, api_base: "{upstream}", api_key: sk-bench}}
litellm_settings: {{num_retries: 0, request_timeout: 30, drop_params: true}}
general_settings: {{master_key: sk-litellm-bench}}
"""


# --------------------------------------------------------------------------- measuring


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _latencies(paths: dict[str, Callable[[], Awaitable[Any]]], n: int) -> dict[str, list[float]]:
    """``n`` sequential calls of every path, one of each per round in a shuffled order (ms)."""
    for call in paths.values():
        for _ in range(30):
            await call()
    samples: dict[str, list[float]] = {name: [] for name in paths}
    order = list(paths)
    for _ in range(n):
        random.shuffle(order)
        for name in order:
            started = time.perf_counter()
            await paths[name]()
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


async def _rps(call: Callable[[], Awaitable[Any]], clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second of ``call`` from ``clients`` concurrent clients, and how many were made."""
    done = 0
    stop = time.monotonic() + seconds

    async def client() -> None:
        nonlocal done
        while time.monotonic() < stop:
            await call()
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.monotonic() - started), done


async def _first_token_ms(
    http: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> float:
    started = time.perf_counter()
    first = None
    async with http.stream("POST", url, json=body, headers=headers) as response:
        async for line in response.aiter_lines():
            if first is None and line.startswith("data: ") and '"content"' in line:
                first = time.perf_counter()
    if first is None:
        raise RuntimeError("the stream carried no content")
    return (first - started) * 1000


# --------------------------------------------------------------------------- the run


async def _run(
    args: argparse.Namespace,
    upstream: str,
    gateway: str,
    key: str,
    litellm_url: str | None,
    pids: tuple[int, int],
    against: tuple[str, int] | None = None,
) -> None:
    from router._client import AsyncClient
    from router._config import parse_routes
    from router._providers._litellm_import import load_litellm

    litellm = load_litellm()
    sdk = AsyncClient(parse_routes(_routes(upstream)), redis_url=args.redis, simulate=False)
    ours = {"authorization": f"Bearer {key}"}
    theirs = {"authorization": "Bearer sk-litellm-bench"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:

        async def bare() -> Any:
            return await litellm.acompletion(
                model="openai/bench", api_base=upstream, api_key="sk-bench", messages=MESSAGES, max_tokens=64
            )

        async def via_sdk() -> Any:
            return await sdk.complete(MESSAGES, max_tokens=64)

        async def via_gateway() -> None:
            response = await http.post(
                f"{gateway}/v1/chat/completions", json={**BODY, "model": "auto"}, headers=ours
            )
            response.raise_for_status()

        async def via_litellm() -> None:
            assert litellm_url is not None
            response = await http.post(f"{litellm_url}/v1/chat/completions", json=BODY, headers=theirs)
            response.raise_for_status()

        paths = {
            "bare litellm.acompletion": bare,
            "AsyncClient.complete": via_sdk,
            "router serve": via_gateway,
        }
        if litellm_url is not None:
            paths["LiteLLM proxy"] = via_litellm
        print(f"== latency, {args.calls} sequential calls per path, interleaved (ms)")
        samples = await _latencies(paths, args.calls)
        for name, values in samples.items():
            print(f"  {name:<26} p50 {statistics.median(values):7.2f}   p99 {_pct(values, 0.99):7.2f}")
        gateway_ms = samples["router serve"]
        for base in ("AsyncClient.complete", "bare litellm.acompletion"):
            p50 = statistics.median(gateway_ms) - statistics.median(samples[base])
            p99 = _pct(gateway_ms, 0.99) - _pct(samples[base], 0.99)
            print(f"  router serve over {base:<26} +{p50:.2f} ms p50, +{p99:.2f} ms p99")
        await sdk.aclose()

        print(f"== requests per second, {args.seconds:g} s each")
        for clients in (1, 32):
            # The gateway's CPU per request holds up on a loaded machine where its rps does not.
            cpu_before = cpu_s(pids[1])
            ours_rps, made = await _rps(via_gateway, clients, args.seconds)
            cpu_ms = (cpu_s(pids[1]) - cpu_before) * 1000 / max(1, made)
            line = f"  {clients:>2} client(s): router serve {ours_rps:8.1f} rps ({cpu_ms:.2f} ms CPU each)"
            if litellm_url is not None:
                their_rps, _ = await _rps(via_litellm, clients, args.seconds)
                line += f"   LiteLLM proxy {their_rps:8.1f} rps   ratio {ours_rps / their_rps:.2f}x"
            print(line)

        gateways = {"router serve": (gateway, pids[1])}
        if against is not None:
            gateways[f"router serve from {args.against}"] = against
        await _streaming(http, args.calls, upstream, pids[0], gateways, ours)


async def _streaming(
    http: httpx.AsyncClient,
    calls: int,
    upstream: str,
    upstream_pid: int,
    gateways: dict[str, tuple[str, int]],
    headers: dict[str, str],
) -> dict[str, tuple[float, float, float]]:
    """Time to first token of the upstream itself and through each gateway (url, pid), one
    stream of each per round in a shuffled order, and each gateway's CPU time per stream.

    Returns each gateway's added p50, added p99 and CPU per stream (ms)."""
    print(f"== streaming: time to first token, {calls} streams each (ms)")
    stream_body = {**BODY, "model": "auto", "stream": True, "stream_options": {"include_usage": True}}
    samples: dict[str, list[float]] = {"upstream itself": [], **{name: [] for name in gateways}}
    cpu_before = {name: cpu_s(pid) for name, (_, pid) in gateways.items()}
    upstream_before = cpu_s(upstream_pid)
    order = list(samples)
    for _ in range(calls):
        random.shuffle(order)
        for name in order:
            if name == "upstream itself":
                url, body, sent = f"{upstream}/chat/completions", {**BODY, "stream": True}, {}
            else:
                url, body, sent = f"{gateways[name][0]}/v1/chat/completions", stream_body, headers
            samples[name].append(await _first_token_ms(http, url, body, sent))
    direct = samples["upstream itself"]
    for name, values in samples.items():
        print(f"  {name:<22} p50 {statistics.median(values):6.2f}   p99 {_pct(values, 0.99):6.2f}")
    # CPU time holds up on a loaded machine where wall-clock figures do not.
    upstream_cpu = (cpu_s(upstream_pid) - upstream_before) * 1000 / calls / (1 + len(gateways))
    figures = {}
    for name, (_, pid) in gateways.items():
        through = samples[name]
        figures[name] = (
            statistics.median(through) - statistics.median(direct),
            _pct(through, 0.99) - _pct(direct, 0.99),
            (cpu_s(pid) - cpu_before[name]) * 1000 / calls,
        )
        p50, p99, cpu = figures[name]
        print(f"  {name}: added +{p50:.2f} ms p50, +{p99:.2f} ms p99; CPU per stream {cpu:.2f} ms")
    print(f"  CPU per stream of the upstream: {upstream_cpu:.2f} ms")
    return figures


async def _memory(gateway: str, key: str, pid: int, total: int) -> None:
    headers = {"authorization": f"Bearer {key}"}
    body = {**BODY, "model": "auto"}
    async with httpx.AsyncClient(timeout=60) as http:
        sem = asyncio.Semaphore(16)

        async def one() -> None:
            async with sem:
                (
                    await http.post(f"{gateway}/v1/chat/completions", json=body, headers=headers)
                ).raise_for_status()

        marks = {}
        for done in range(0, total + 1, total // 4):
            marks[done] = rss_mb(pid, missing=float("nan"))
            if done < total:
                await asyncio.gather(*(one() for _ in range(total // 4)))
    print("== memory of the gateway process (RSS, MB) after N requests (after the latency and rps runs)")
    print("  " + "   ".join(f"{n:>6}: {mb:6.1f}" for n, mb in marks.items()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/10", help="a Redis database to flush and use"
    )
    parser.add_argument(
        "--litellm-venv", default="/tmp/litellm-proxy-venv", help="virtualenv with litellm[proxy]"
    )
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument(
        "--against", default=None, help="another checkout whose gateway streams beside this one"
    )
    parser.add_argument(
        "--ttft-only", action="store_true", help="only the streaming figures, on gateways started fresh"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="with --ttft-only: fresh gateways this many times"
    )
    parser.add_argument(
        "--warmup", type=int, default=100, help="with --ttft-only: streams each before timing"
    )
    parser.add_argument("--upstream-port", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upstream_port is not None:
        _serve_upstream(args.upstream_port)
        return
    from tests.support.redis_claim import holding  # a test run never flushes this database meanwhile

    with holding([args.redis]), _Processes() as processes:
        (_ttft_only if args.ttft_only else _bench)(args, processes)


class _Processes(list[subprocess.Popen[bytes]]):
    """The processes a run starts, each stopped (SIGTERM, then SIGKILL) when the run ends."""

    def __enter__(self) -> _Processes:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop(self)

    def stop(self, processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in processes:
            if process in self:
                self.remove(process)


class _Setup:
    """What every gateway of a run shares: the upstream, the routes, the environment, the key."""

    def __init__(self, args: argparse.Namespace, processes: _Processes) -> None:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        self.env = {
            **os.environ, "ROUTER_REDIS_URL": args.redis, "BENCH_KEY": "sk-bench", "ROUTER_LOG_LEVEL": "error"
        }  # fmt: skip
        os.environ.update(BENCH_KEY="sk-bench")
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
        up_port = _free_port()
        processes.append(subprocess.Popen([sys.executable, __file__, "--upstream-port", str(up_port)]))
        self.upstream_pid = processes[-1].pid
        self.upstream = f"http://127.0.0.1:{up_port}/v1"
        self.routes = self.workdir / "routes.yaml"
        self.routes.write_text(_routes(self.upstream))
        self.key = subprocess.run(
            [sys.executable, "-m", "router._cli", "keys", "create", "--routes", str(self.routes), "--quiet"],
            env=self.env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    def gateway(self, processes: _Processes, tree: str | None = None) -> tuple[str, subprocess.Popen[bytes]]:
        """A ``router serve`` of this tree (or of the checkout ``tree``), once it answers."""
        port = _free_port()
        serve = [
            sys.executable,
            "-m",
            "router._cli",
            "serve",
            "--routes",
            str(self.routes),
            "--port",
            str(port),
        ]
        tree = tree or str(ROOT)
        if not (Path(tree) / "router" / "__init__.py").exists():
            raise SystemExit(f"{tree}: no router package there (git archive main | tar -x -C {tree})")
        # This tree's too, so that both gateways import their code the same way.
        env = {**self.env, "PYTHONPATH": str(Path(tree).resolve())}
        processes.append(subprocess.Popen(serve, env=env, cwd=self.workdir))
        url = f"http://127.0.0.1:{port}"
        _wait_http(f"{url}/healthz", processes[-1])
        return url, processes[-1]


def _bench(args: argparse.Namespace, processes: _Processes) -> None:
    setup = _Setup(args, processes)
    gateway, gateway_process = setup.gateway(processes)
    litellm_url = None
    proxy = Path(args.litellm_venv) / "bin" / "litellm"
    if proxy.exists():
        config = setup.workdir / "litellm.yaml"
        config.write_text(_litellm_config(setup.upstream))
        ll_port = _free_port()
        command = [str(proxy), "--config", str(config), "--port", str(ll_port), "--num_workers", "1"]
        log = (setup.workdir / "litellm.log").open("wb")
        processes.append(subprocess.Popen(command, cwd=setup.workdir, stdout=log, stderr=log))
        litellm_url = f"http://127.0.0.1:{ll_port}"
        _wait_http(f"{litellm_url}/health/liveliness", processes[-1], seconds=240)
    else:
        print(f"(no LiteLLM proxy at {proxy}: its columns are left out)")
    against = None
    if args.against is not None:
        other, other_process = setup.gateway(processes, args.against)
        against = (other, other_process.pid)
    pids = (setup.upstream_pid, gateway_process.pid)
    asyncio.run(_run(args, setup.upstream, gateway, setup.key, litellm_url, pids, against))
    asyncio.run(_memory(gateway, setup.key, gateway_process.pid, args.memory_requests))


def _ttft_only(args: argparse.Namespace, processes: _Processes) -> None:
    """The streaming figures alone, on gateways started afresh for each of ``args.runs`` runs."""
    setup = _Setup(args, processes)
    names = ["this tree", *([f"against {args.against}"] if args.against else [])]
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    for run in range(args.runs):
        print(f"== run {run + 1} of {args.runs}: gateways started fresh")
        # Each run starts (and warms) them in the other order: no tree is always first.
        order = names[run % len(names) :] + names[: run % len(names)]
        started = [setup.gateway(processes, None if name == "this tree" else args.against) for name in order]
        gateways = {name: (url, process.pid) for name, (url, process) in zip(order, started, strict=True)}
        try:
            got = asyncio.run(_fresh_streams(args, setup, gateways))
        finally:
            processes.stop([process for _, process in started])
        for name, values in got.items():
            figures[name].append(values)
    print(f"== time to first token added, {args.runs} run(s) of {args.calls} streams each (ms)")
    for name, runs in figures.items():
        print(f"  {name}")
        for p50, p99, cpu in runs:
            print(f"    run: +{p50:.2f} p50   +{p99:.2f} p99   CPU per stream {cpu:.2f}")
        p50s, p99s, cpus = zip(*runs, strict=True)
        print(
            f"    median of runs: +{statistics.median(p50s):.2f} ms p50, "
            f"+{statistics.median(p99s):.2f} ms p99, CPU per stream {statistics.median(cpus):.2f} ms"
        )


async def _fresh_streams(
    args: argparse.Namespace, setup: _Setup, gateways: dict[str, tuple[str, int]]
) -> dict[str, tuple[float, float, float]]:
    headers = {"authorization": f"Bearer {setup.key}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        body = {**BODY, "model": "auto", "stream": True, "stream_options": {"include_usage": True}}
        for _ in range(args.warmup):  # the same warm-up for each: caches, connections, tokenizers
            for url, _pid in gateways.values():
                await _first_token_ms(http, f"{url}/v1/chat/completions", body, headers)
        return await _streaming(http, args.calls, setup.upstream, setup.upstream_pid, gateways, headers)


if __name__ == "__main__":
    main()
