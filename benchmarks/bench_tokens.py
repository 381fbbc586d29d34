"""Time to count a prompt's tokens, per encoding, beside litellm.token_counter in the same run.

Prompts are English sentences from ``<data>/langid/en.txt`` (cycled to reach 100,000 chars;
a built-in paragraph when the file is missing), cut to 1,000 and 100,000 characters. For each
encoding the script prints the load time, the median µs per count of our counter, and the same
for ``litellm.token_counter(model=..., text=...)`` on a model litellm counts in that encoding,
with both counts, so that a difference would show. (litellm encodes long text in 1,024-char
chunks, each boundary adding up to a token; ours counts the whole text, as the model does.)

    .venv/bin/python benchmarks/bench_tokens.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# litellm must not download its price map or a tokenizer while it is measured.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from router._signals._tokens import ENCODINGS, count_text  # noqa: E402

# A model litellm 1.110.2 counts in each encoding (its Anthropic tokenizer covers the Claude
# names it lists, such as claude-sonnet-4-5).
LITELLM_MODEL = {
    "o200k_base": "gpt-4o",
    "cl100k_base": "gpt-3.5-turbo",
    "claude": "claude-sonnet-4-5",
    "deepseek": "deepseek/deepseek-chat",
}
FALLBACK_PARAGRAPH = (
    "Routing sends each task to the cheapest model that may take it. A prompt's length decides "
    "which models fit, its language which models are good at it, and its sensitivity which models "
    "are cleared to see it. "
)


def english_text(data: Path, length: int) -> str:
    path = data / "langid" / "en.txt"
    source = " ".join(path.read_text("utf-8").split("\n")) if path.is_file() else FALLBACK_PARAGRAPH
    return (source * (length // len(source) + 1))[:length]


def median_microseconds(count: Callable[[], int], budget_seconds: float = 0.5) -> float:
    """Median of repeated timings, at least 5 runs, until the budget is spent."""
    times: list[float] = []
    deadline = time.perf_counter() + budget_seconds
    while len(times) < 5 or time.perf_counter() < deadline:
        start = time.perf_counter()
        count()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _row(encoding: str, *cells: str) -> str:
    return f"{encoding:12}" + "".join(f"{cell:>12}" for cell in cells)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    texts = {size: english_text(args.data, size) for size in (1_000, 100_000)}

    load_ms = {}
    for encoding in ENCODINGS:  # before litellm, which loads tiktoken's encodings on import
        start = time.perf_counter()
        count_text("warm-up", encoding)
        load_ms[encoding] = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    import litellm

    print(f"import litellm: {time.perf_counter() - start:.2f} s (our module never imports it)")
    header = ("encoding", "load ms", "chars", "tokens", "ours µs", "litellm µs")
    print(_row(*header) + "  litellm model")
    for encoding in ENCODINGS:
        model = LITELLM_MODEL[encoding]
        for size, text in texts.items():
            ours = count_text(text, encoding)
            theirs = litellm.token_counter(model=model, text=text)
            ours_us = median_microseconds(functools.partial(count_text, text, encoding))
            theirs_us = median_microseconds(functools.partial(litellm.token_counter, model=model, text=text))
            mark = "" if ours == theirs else f"  (litellm counts {theirs})"
            load = f"{load_ms.pop(encoding):.0f}" if encoding in load_ms else ""
            print(
                _row(encoding, load, f"{size:,}", f"{ours:,}", f"{ours_us:.1f}", f"{theirs_us:.1f}")
                + f"  {model}{mark}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
