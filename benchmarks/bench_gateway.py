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
gateway beside LiteLLM's proxy; streaming time to first token through the gateway minus the
upstream's own, and the gateway's CPU time per stream; the gateway's resident memory after
warm-up and after 10,000 requests.

    .venv/bin/python benchmarks/bench_gateway.py [--litellm-venv /tmp/litellm-proxy-venv]
        [--redis redis://127.0.0.1:6379/10] [--calls 400] [--seconds 10] [--memory-requests 10000]
        [--against DIR]

``--against DIR`` runs a second gateway from another checkout of the project (``git archive main
| tar -x -C DIR``, say) on the same upstream, Redis and key, and takes the streaming figures of
both with their streams interleaved one by one: on a shared machine, a change's effect on time
to first token is seen beside the old tree's in the same minutes rather than in two runs.

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


async def _rps(call: Callable[[], Awaitable[Any]], clients: int, seconds: float) -> float:
    done = 0
    stop = time.monotonic() + seconds

    async def client() -> None:
        nonlocal done
        while time.monotonic() < stop:
            await call()
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.monotonic() - started)


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
            ours_rps = await _rps(via_gateway, clients, args.seconds)
            line = f"  {clients:>2} client(s): router serve {ours_rps:8.1f} rps"
            if litellm_url is not None:
                their_rps = await _rps(via_litellm, clients, args.seconds)
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
) -> None:
    """Time to first token of the upstream itself and through each gateway (url, pid), one
    stream of each per round in a shuffled order, and each gateway's CPU time per stream."""
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
    for name, (_, pid) in gateways.items():
        through = samples[name]
        print(
            f"  {name}: added +{statistics.median(through) - statistics.median(direct):.2f} ms p50, "
            f"+{_pct(through, 0.99) - _pct(direct, 0.99):.2f} ms p99; "
            f"CPU per stream {(cpu_s(pid) - cpu_before[name]) * 1000 / calls:.2f} ms"
        )
    print(f"  CPU per stream of the upstream: {upstream_cpu:.2f} ms")


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
    parser.add_argument("--upstream-port", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upstream_port is not None:
        _serve_upstream(args.upstream_port)
        return
    from tests.support.redis_claim import holding  # a test run never flushes this database meanwhile

    with holding([args.redis]):
        _bench(args)


def _bench(args: argparse.Namespace) -> None:
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    env = {**os.environ, "ROUTER_REDIS_URL": args.redis, "BENCH_KEY": "sk-bench", "ROUTER_LOG_LEVEL": "error"}
    os.environ.update(BENCH_KEY="sk-bench")
    workdir = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        up_port, gw_port, ll_port = _free_port(), _free_port(), _free_port()
        processes.append(subprocess.Popen([sys.executable, __file__, "--upstream-port", str(up_port)]))
        upstream = f"http://127.0.0.1:{up_port}/v1"
        routes = workdir / "routes.yaml"
        routes.write_text(_routes(upstream))
        serve = [
            sys.executable,
            "-m",
            "router._cli",
            "serve",
            "--routes",
            str(routes),
            "--port",
            str(gw_port),
        ]
        gateway_process = subprocess.Popen(serve, env=env, cwd=workdir)
        processes.append(gateway_process)
        key = subprocess.run(
            [sys.executable, "-m", "router._cli", "keys", "create", "--routes", str(routes), "--quiet"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        litellm_url = None
        proxy = Path(args.litellm_venv) / "bin" / "litellm"
        if proxy.exists():
            config = workdir / "litellm.yaml"
            config.write_text(_litellm_config(upstream))
            command = [str(proxy), "--config", str(config), "--port", str(ll_port), "--num_workers", "1"]
            log = (workdir / "litellm.log").open("wb")
            processes.append(subprocess.Popen(command, cwd=workdir, stdout=log, stderr=log))
            litellm_url = f"http://127.0.0.1:{ll_port}"
        else:
            print(f"(no LiteLLM proxy at {proxy}: its columns are left out)")
        _wait_http(f"http://127.0.0.1:{gw_port}/healthz", gateway_process)
        if litellm_url is not None:
            _wait_http(f"{litellm_url}/health/liveliness", processes[-1], seconds=240)
        against = None
        if args.against is not None:
            other_port = _free_port()
            tree = str(Path(args.against).resolve())
            other = [*serve[:-1], str(other_port)]
            processes.append(subprocess.Popen(other, env={**env, "PYTHONPATH": tree}, cwd=workdir))
            _wait_http(f"http://127.0.0.1:{other_port}/healthz", processes[-1])
            against = (f"http://127.0.0.1:{other_port}", processes[-1].pid)
        gateway = f"http://127.0.0.1:{gw_port}"
        pids = (processes[0].pid, gateway_process.pid)
        asyncio.run(_run(args, upstream, gateway, key, litellm_url, pids, against))
        asyncio.run(_memory(gateway, key, gateway_process.pid, args.memory_requests))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
