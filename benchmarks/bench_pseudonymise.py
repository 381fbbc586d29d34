"""What pseudonymising a call costs, beside the sensitivity scan routing runs anyway (same run).

A support ticket full of personal data (names, e-mails, phones, addresses, dates of birth),
repeated to about 1,000 and 10,000 characters. For each size the script prints the median
milliseconds of:

- ``scan``: one sensitivity scan of the text, what every routed call already pays (the baseline);
- ``mask``: ``Masker.mask`` of the task, what a pseudonymised call adds (it scans each message,
  replaces the findings, then scans the masked task again to check what is left);
- ``restore``: putting the originals back into an answer as long as the text;
- ``stream``: the same answer restored through ``DeltaRestorer`` in 4-character deltas.

    .venv/bin/python benchmarks/bench_pseudonymise.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from router._calls._masking import Masker  # noqa: E402
from router._config import parse_routes  # noqa: E402
from router._router import Router  # noqa: E402
from router._streaming import DeltaRestorer, StreamDelta  # noqa: E402
from router._task import Task  # noqa: E402

ROUTES = """
models:
  - {name: cloud, model: openai/cloud, clearance: internal}
  - {name: eu, model: openai/eu, clearance: confidential}
rules:
  - {name: default, pseudonymise: [confidential]}
"""
TICKET = (
    "Dear support, my name is Helena Shaw and I live at 12 Rue Mouffetard, Paris. I was born on "
    "3 March 1961. Please write to helena.shaw@example.com or call +44 20 7946 0958. My neighbour "
    "Marco Rossi (marco.rossi@example.org) had the same problem with his parcel last week. "
)


def median_ms(run: Callable[[], object], budget_s: float = 1.0) -> float:
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(times) < 5 or time.perf_counter() < deadline:
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(router: Router, masker: Masker, length: int) -> str:
    """One size's row of figures."""
    text = (TICKET * (length // len(TICKET) + 1))[:length]
    task = Task.build(text)
    decision = router.decide_measured(task, *router.measure(task))  # decide_measured logs nothing
    policy = decision.pseudonymisation
    assert policy is not None, "the ticket should be pseudonymised"
    masked = masker.mask(task, policy, decision)
    answer = str(masked.task.messages[0]["content"])  # an answer that quotes every placeholder

    def stream() -> None:
        restorer = DeltaRestorer(masked.pseudonyms)
        for start in range(0, len(answer), 4):
            restorer.feed(StreamDelta(content=answer[start : start + 4], model="cloud"))
        restorer.flush()

    scan = median_ms(lambda: router.scanner.scan(text))
    mask = median_ms(lambda: masker.mask(task, policy, decision))
    restore = median_ms(lambda: masked.pseudonyms.restore(answer))
    streamed = median_ms(stream)
    return (
        f"{length:>7,}  {policy.findings:>8}  {scan:>8.3f}  {mask:>8.3f}  {restore:>10.3f}  {streamed:>9.3f}"
    )


def main() -> None:
    router = Router(parse_routes(ROUTES))
    masker = Masker(router.scanner)
    print(
        f"{'chars':>7}  {'findings':>8}  {'scan ms':>8}  {'mask ms':>8}  {'restore ms':>10}  {'stream ms':>9}"
    )
    for length in (1_000, 10_000):
        print(measure(router, masker, length))


if __name__ == "__main__":
    main()
