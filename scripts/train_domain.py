"""Train the task-domain classifier that ships in ``router/_signals/domain_weights.npz``.

    .venv/bin/python scripts/train_domain.py                       # the shipped weights
    .venv/bin/python scripts/train_domain.py --hold-out gsm8k --hold-out human_eval \\
        --hold-out mmlu --hold-out trivia_qa -o /tmp/domain-heldout.npz \\
        --routes-out /tmp/routes-domain-heldout.yaml

Training data: LLMRouter's ``default_query_train.jsonl`` (5,616 questions of
14 tasks) from ``--data`` (default ``../shared/data``), minus every question
that also appears in the dcrouter test split or the query test file (119 of
the 500 dcrouter test questions are in the query train file; training on them
would leak into the test figures). ``--hold-out TASK`` leaves a task out of
training altogether, to measure how the classifier does on a task it has
never seen. The model is a softmax regression over presence features (see
``router/_signals/_domain.py``), fitted with full-batch Adam and an L2
penalty, then pruned to the features that carry weight and refitted.

``--routes-out FILE`` writes a copy of ``examples/routes-domain.yaml`` whose
domain signal reads the new weights, for ``router eval --routes FILE``.

It prints the accuracy per task on the query test file (tasks held out are
marked), the size of the weights and the prediction time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from router._signals._domain import WEIGHTS, DomainClassifier, features

DOMAINS = {
    "math": "maths",
    "gsm8k": "maths",
    "agentverse-mgsm": "maths",
    "mbpp": "code",
    "human_eval": "code",
    "mmlu": "choice",
    "gpqa": "choice",
    "arc_challenge": "choice",
    "commonsense_qa": "choice",
    "openbook_qa": "choice",
    "natural_qa": "qa",
    "trivia_qa": "qa",
    "agentverse-logicgrid": "logic",
    "commongen": "writing",
}
LABELS = ["maths", "code", "choice", "qa", "logic", "writing"]
Float = npt.NDArray[np.float32]


def read_jsonl(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load(data: Path, hold_out: set[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, test) as (text, task); train without the test questions and the held-out tasks."""
    folder = data / "routing" / "llmrouter_dcrouter"
    test_rows = read_jsonl(folder / "default_query_test.jsonl")
    dcrouter_test = {
        row["question"] for row in json.loads((folder / "test.json").read_text(encoding="utf-8"))
    }
    unseen = dcrouter_test | {row["query"] for row in test_rows}
    train = [
        (row["query"], row["task_name"])
        for row in read_jsonl(folder / "default_query_train.jsonl")
        if row["query"] not in unseen and row["task_name"] not in hold_out
    ]
    test = [(row["query"], row["task_name"]) for row in test_rows]
    return train, test


class Design:
    """Documents as sorted rows of a vocabulary, scaled 1/sqrt(n), in a flat sparse layout."""

    def __init__(self, texts: Sequence[str], index: dict[str, int]) -> None:
        rows = [sorted({index[f] for f in features(text) if f in index}) for text in texts]
        self.count = len(rows)
        self.columns = np.fromiter((c for row in rows for c in row), dtype=np.int64)
        self.owner = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
        self.scale = np.array([1 / np.sqrt(len(row)) if row else 0.0 for row in rows], dtype=np.float32)
        self.vocabulary_size = len(index)

    def logits(self, weights: Float, bias: Float) -> Float:
        out = np.zeros((self.count, weights.shape[1]), dtype=np.float32)
        np.add.at(out, self.owner, weights[self.columns])
        result: Float = out * self.scale[:, None] + bias
        return result

    def gradient(self, residual: Float) -> Float:
        scaled = residual * self.scale[:, None]
        grad = np.stack(
            [
                np.bincount(self.columns, weights=scaled[self.owner, k], minlength=self.vocabulary_size)
                for k in range(residual.shape[1])
            ],
            axis=1,
        )
        return grad.astype(np.float32)


def fit(design: Design, targets: npt.NDArray[np.int64], *, epochs: int, l2: float) -> tuple[Float, Float]:
    """Softmax regression by full-batch Adam."""
    classes = len(LABELS)
    weights = np.zeros((design.vocabulary_size, classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    onehot = np.eye(classes, dtype=np.float32)[targets]
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias), np.zeros_like(bias)]
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, epochs + 1):
        logits = design.logits(weights, bias)
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        residual = (probabilities - onehot) / design.count
        grads = (design.gradient(residual) + l2 * weights, residual.sum(axis=0))
        for i, (param, grad) in enumerate(zip((weights, bias), grads, strict=True)):
            first, second = moments[2 * i], moments[2 * i + 1]
            first[:] = beta1 * first + (1 - beta1) * grad
            second[:] = beta2 * second + (1 - beta2) * grad * grad
            param -= rate * (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + 1e-8)
    return weights, bias


def vocabulary(texts: Sequence[str], min_count: int) -> list[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(features(text)))
    return sorted(feature for feature, count in counts.items() if count >= min_count)


def train(texts: Sequence[str], tasks: Sequence[str], args: argparse.Namespace) -> DomainClassifier:
    targets = np.array([LABELS.index(DOMAINS[task]) for task in tasks], dtype=np.int64)
    words = vocabulary(texts, args.min_count)
    weights, bias = fit(
        Design(texts, {w: i for i, w in enumerate(words)}), targets, epochs=args.epochs, l2=args.l2
    )
    # Keep the features that carry weight, then refit on them alone (the 1/sqrt(n) scale changes).
    strength = np.abs(weights).max(axis=1)
    kept = [words[i] for i in np.argsort(-strength)[: args.max_features] if strength[i] > 1e-3]
    kept.sort()
    index = {w: i for i, w in enumerate(kept)}
    weights, bias = fit(Design(texts, index), targets, epochs=args.epochs, l2=args.l2)
    return DomainClassifier(kept, weights, bias, LABELS)


def report(model: DomainClassifier, test: Sequence[tuple[str, str]], hold_out: set[str]) -> None:
    by_task: dict[str, list[bool]] = {}
    for text, task in test:
        by_task.setdefault(task, []).append(model.predict(text).label == DOMAINS[task])
    print(f"{'task':24} {'domain':8} {'n':>4} accuracy")
    for task, hits in sorted(by_task.items()):
        mark = "  (held out)" if task in hold_out else ""
        print(f"{task:24} {DOMAINS[task]:8} {len(hits):4} {sum(hits) / len(hits):8.3f}{mark}")
    every = [hit for hits in by_task.values() for hit in hits]
    print(f"{'all':24} {'':8} {len(every):4} {sum(every) / len(every):8.3f}")


def timing(model: DomainClassifier, texts: Sequence[str]) -> None:
    sample = list(texts[:500])
    started = time.perf_counter()
    for text in sample:
        model.predict(text)
    mean_us = (time.perf_counter() - started) / len(sample) * 1e6
    print(f"prediction: {mean_us:.0f} µs per prompt (mean over {len(sample)} test prompts)")


def write_routes(weights: Path, target: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "routes-domain.yaml"
    source = example.read_text(encoding="utf-8")
    enabled = "  domain:\n    enabled: true\n"
    if enabled not in source:
        raise SystemExit("examples/routes-domain.yaml no longer enables the domain signal as expected")
    with_weights = source.replace(enabled, f"{enabled}    weights: {weights.resolve()}\n")
    target.write_text(with_weights, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--hold-out", action="append", default=[], choices=sorted(DOMAINS), help="task to leave out"
    )
    parser.add_argument("-o", "--output", type=Path, default=WEIGHTS)
    parser.add_argument("--routes-out", type=Path, default=None, help="routes file using these")
    parser.add_argument("--min-count", type=int, default=2, help="documents a feature must appear in")
    parser.add_argument("--max-features", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--l2", type=float, default=1e-4)
    args = parser.parse_args()
    hold_out = set(args.hold_out)
    train_rows, test_rows = load(args.data, hold_out)
    print(f"training on {len(train_rows):,} questions of {len({t for _, t in train_rows})} tasks")
    model = train([t for t, _ in train_rows], [task for _, task in train_rows], args)
    model.save(args.output)
    print(
        f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KiB, {len(model._index):,} features)"
    )
    if args.routes_out is not None:
        write_routes(args.output, args.routes_out)
        print(f"wrote {args.routes_out} (examples/routes-domain.yaml reading {args.output})")
    reloaded = DomainClassifier.load(args.output)
    report(reloaded, test_rows, hold_out)
    timing(reloaded, [text for text, _ in test_rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
