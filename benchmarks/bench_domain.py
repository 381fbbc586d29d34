"""The domain classifier's cost: a prediction alone, and a decision with and without the signal.

The prompts are the 500 questions of LLMRouter's dcrouter test split (``<data>/routing/
llmrouter_dcrouter/test.json``). Each prompt is timed four ways in turn (in a rotating order),
so that load from other processes falls on all alike: ``DomainClassifier.predict`` alone;
``Router.decide`` with
the shipped ``routes.yaml`` (the baseline: the signal off); the same file with
``signals.domain.enabled: true`` (the signal measured, no rule on it, so the same rules and
pools: the difference is the signal's cost); and ``examples/routes-domain.yaml`` (a rule on it,
which also changes which pool is priced). The table gives p50 and p99 of each.

    .venv/bin/python benchmarks/bench_domain.py [--data ../shared/data] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from router._config import load_routes, parse_routes  # noqa: E402
from router._logging import configure  # noqa: E402
from router._router import Router  # noqa: E402
from router._signals._domain import shipped  # noqa: E402
from router._task import Task  # noqa: E402


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the 500 prompts")
    args = parser.parse_args()
    configure("warning")  # a decision's info event must not be timed with it
    path = args.data / "routing" / "llmrouter_dcrouter" / "test.json"
    if not path.exists():
        raise SystemExit(f"{path} not found; pass --data (the shared data folder)")
    tasks = [Task.build(row["question"]) for row in json.loads(path.read_text(encoding="utf-8"))]
    classifier = shipped()
    plain = Router(load_routes(PROJECT_ROOT / "routes.yaml"))
    shipped_text = (PROJECT_ROOT / "routes.yaml").read_text(encoding="utf-8")
    enabled = Router(
        parse_routes(shipped_text.replace("signals:\n", "signals:\n  domain: {enabled: true}\n", 1))
    )
    with_rule = Router(load_routes(PROJECT_ROOT / "examples" / "routes-domain.yaml"))
    runs: dict[str, Callable[[Task], object]] = {
        "predict": lambda t: classifier.predict(t.text),
        "decide, routes.yaml": plain.decide,
        "decide, signal measured": enabled.decide,
        "decide, routes-domain": with_rule.decide,
    }
    for task in tasks[:50]:  # warm every cache first
        for run in runs.values():
            run(task)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for index, task in enumerate(tasks):
            # A different order for each prompt, so no way is always timed first.
            names = list(runs)
            for name in names[index % len(names) :] + names[: index % len(names)]:
                times[name].append(timed(lambda r=runs[name], t=task: r(t)))
    print(f"{len(tasks)} dcrouter test prompts x {args.rounds} rounds, one process")
    print(f"{'':26} {'p50 µs':>8} {'p99 µs':>8}")
    for name, values in times.items():
        values.sort()
        p50, p99 = statistics.median(values) * 1e6, values[int(len(values) * 0.99)] * 1e6
        print(f"{name:26} {p50:8.1f} {p99:8.1f}")
    baseline = statistics.median(times["decide, routes.yaml"])
    added = statistics.median(times["decide, signal measured"]) - baseline
    print(f"added to a decision by measuring the domain (p50 difference): {added * 1e6:.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
