"""``router replay`` of a large workload through two routes files, beside ``Router.decide`` in a loop.

One run prints:

- the baseline: ``Router.decide`` alone, in a loop, in this process (one core), over the
  workload's tasks built beforehand (only the decisions are timed): decisions per second;
- ``router replay WORKLOAD --routes new.yaml --against routes.yaml --json`` as a user runs it
  (a new process, every core by default): wall time, items per second, and that throughput as
  a multiple of the baseline's (target: at least 1.6x on two cores);
- the same loop in one process per core at once, each over its share: what the cores give
  together on this machine (the replay cannot beat it), and the replay as a share of it;
- memory: the replay's processes sampled every 0.2 s (the parent and each pool worker), the
  largest RSS in each third of the run, to show it stays flat, and the peak.

The workload is generated from the shared evaluation data (``<data>/langid`` sentences in 30
languages, ``<data>/pii`` texts with personal data, code questions tagged ``code``) in the
three line shapes replay reads (short batch form, OpenAI batch lines, chat requests), with
varied ``max_tokens`` and a recorded output length on a third of the lines. ``new.yaml`` is
the shipped routes.yaml with two changes: confidential data leaves the self-hosted model, and
the default pool starts with qwen-turbo.

    .venv/bin/python benchmarks/bench_replay.py [--data ../shared/data] [--items 100000] [--workers N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.update(
    {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true", "HF_HUB_OFFLINE": "1"}
)

import yaml  # noqa: E402

from benchmarks.bench_batch import rss_mb, tree  # noqa: E402
from router._config import load_routes  # noqa: E402
from router._logging import configure  # noqa: E402
from router._replay._workload import Request, parse  # noqa: E402
from router._router import Router  # noqa: E402

ROUTER = str(Path(sys.executable).with_name("router"))
CODE = (
    "Write a Python function that merges two sorted lists of length {n}.",
    "Why does this loop never end? for i in range({n}): i -= 1",
    "Refactor this SQL query to use a join instead of {n} subqueries.",
)


def workload(data: Path, items: int, path: Path) -> None:
    """Write ``items`` lines in the three shapes, deterministically."""
    rng = random.Random(7)
    sentences = [
        line
        for file in sorted((data / "langid").glob("*.txt"))
        for line in file.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    personal = [
        doc["full_text"] for doc in json.loads((data / "pii" / "synth_dataset_v2.json").read_text("utf-8"))
    ]
    with path.open("w", encoding="utf-8") as out:
        for number in range(items):
            out.write(json.dumps(_line(rng, number, sentences, personal)) + "\n")


def _line(rng: random.Random, number: int, sentences: list[str], personal: list[str]) -> dict[str, Any]:
    kind = rng.random()
    tags: list[str] = []
    if kind < 0.12:
        text = rng.choice(personal)
    elif kind < 0.22:
        text, tags = rng.choice(CODE).format(n=rng.randint(2, 900)), ["code"]
    else:
        text = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4)))
    max_tokens = rng.choice((64, 128, 256, 512, 1024))
    recorded = {"output_tokens": rng.randint(1, max_tokens)} if rng.random() < 0.33 else {}
    shape = number % 4
    if shape < 2:
        return {"custom_id": f"q{number}", "prompt": text, "max_tokens": max_tokens, "tags": tags, **recorded}
    messages = [{"role": "user", "content": text}]
    if shape == 2:
        body = {"model": "gpt-4o-mini", "messages": messages, "max_tokens": max_tokens}
        return {
            "custom_id": f"q{number}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": body,
            **recorded,
        }
    return {"model": "auto", "messages": messages, "max_tokens": max_tokens, "tags": tags, **recorded}


def new_routes(path: Path) -> None:
    data = yaml.safe_load((PROJECT_ROOT / "routes.yaml").read_text(encoding="utf-8"))
    for rule in data["rules"]:
        if rule["name"] == "confidential-data":
            rule["pool"] = [name for name in rule["pool"] if name != "llama-3.1-70b-onprem"]
        if rule["name"] == "default":
            rule["pool"] = ["qwen-turbo", *rule["pool"]]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def baseline(path: Path, config: Path, share: tuple[int, int] = (0, 1)) -> tuple[int, float]:
    """Router.decide over every task of the workload (or every ``share[1]``-th line from
    ``share[0]``), one process; only the decisions are timed (wall time, like the replay's, so
    load from other processes weighs on both)."""
    router = Router(load_routes(config))
    decided, spent, batch = 0, 0.0, []
    part, parts = share
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if number % parts != part:
                continue
            request = parse(number, raw)
            if isinstance(request, Request) and request.task is not None:
                batch.append(request.task)
            elif isinstance(request, Request) and request.chat is not None:
                from router._gateway._chat import parse as parse_chat

                batch.append(parse_chat(request.chat, router.config, team=None, tags=request.tags).task)
            if len(batch) == 1000:
                spent += _decide_all(router, batch)
                decided, batch = decided + len(batch), []
    spent += _decide_all(router, batch)
    return decided + len(batch), spent


def every_core(path: Path, config: Path, processes: int) -> float:
    """The same loop in ``processes`` processes at once, each over its share of the lines: the
    decisions per second this machine gives when every core routes (the parallel ceiling)."""
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        shares = pool.starmap(baseline, [(path, config, (part, processes)) for part in range(processes)])
    return sum(decided / spent for decided, spent in shares)


def _decide_all(router: Router, tasks: list[Any]) -> float:
    from router._errors import NoModelFits

    started = time.perf_counter()
    for task in tasks:
        with contextlib.suppress(NoModelFits):
            router.decide(task)
    return time.perf_counter() - started


def replay(
    path: Path, new: Path, old: Path, workers: int | None
) -> tuple[float, float, dict[str, Any], list[tuple[float, float]]]:
    """The CLI in a new process, its process tree's RSS sampled meanwhile."""
    argv = [ROUTER, "replay", str(path), "--routes", str(new), "--against", str(old), "--json"]
    argv += ["--workers", str(workers)] if workers else []
    samples: list[tuple[float, float]] = []
    started, cpu = time.perf_counter(), _children_cpu()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            try:
                biggest = max(rss_mb(pid) for pid in tree(process.pid))
            except (OSError, ValueError):
                continue
            samples.append((time.perf_counter() - started, biggest))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = process.communicate()
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu
    stop.set()
    thread.join()
    if process.returncode != 0:
        raise SystemExit(f"router replay failed with exit code {process.returncode}")
    return wall, cpu, json.loads(out), samples


def _children_cpu() -> float:
    """CPU seconds of every waited-for descendant (the replay and its pool workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="replay processes (default: every core)")
    args = parser.parse_args()
    configure("warning")
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as folder:
        work = Path(folder)
        path, new = work / "workload.jsonl", work / "new.yaml"
        workload(args.data, args.items, path)
        new_routes(new)
        print(f"workload: {args.items:,} lines, {path.stat().st_size / 1e6:.1f} MB; cores: {os.cpu_count()}")
        decided, spent = baseline(path, PROJECT_ROOT / "routes.yaml")
        base_rate = decided / spent
        print(
            f"Router.decide loop, one core     {decided:>9,} decisions  "
            f"{spent:7.1f} s wall {base_rate:8.0f} /s"
        )
        wall, cpu, report, samples = replay(path, new, PROJECT_ROOT / "routes.yaml", args.workers)
        rate = report["lines"] / wall
        print(
            f"router replay, two routes files  {report['lines']:>9,} lines      {wall:7.1f} s wall "
            f"{rate:8.0f} /s  = {rate / base_rate:.2f}x the loop ({report['workers']} workers; target 1.6x)"
        )
        print(
            f"  CPU: {cpu:.1f} s in all, {cpu / report['lines'] * 1e6:.0f} us a line beside the loop's "
            f"{1e6 / base_rate:.0f} us a decision (wall)"
        )
        ceiling = every_core(path, PROJECT_ROOT / "routes.yaml", report["workers"])
        print(
            f"Router.decide loop, {report['workers']} processes at once {ceiling:12.0f} /s  "
            f"= {ceiling / base_rate:.2f}x one core (what this machine's cores give; the replay is "
            f"{rate / ceiling:.2f}x of it)"
        )
        _memory(samples)
        comparison = report["comparison"]
        print(
            f"regressions {sum(r['items'] for r in comparison['regressions']):,}, "
            f"changed {comparison['changed']:,}, cost difference ${comparison['cost_difference_usd']:+,.2f}"
        )


def _memory(samples: list[tuple[float, float]]) -> None:
    if not samples:
        print("memory: no sample taken (the run was shorter than 0.2 s)")
        return
    end = samples[-1][0]
    thirds = [
        max((mb for at, mb in samples if part * end / 3 <= at <= (part + 1) * end / 3), default=0.0)
        for part in range(3)
    ]
    print(
        "largest replay process RSS by third of the run: "
        + " / ".join(f"{mb:.0f}" for mb in thirds)
        + f" MB; peak {max(mb for _, mb in samples):.0f} MB"
    )


if __name__ == "__main__":
    main()
