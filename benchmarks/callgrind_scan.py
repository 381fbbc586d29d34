"""Scans to count instructions with callgrind: repeatable on a shared machine where timings are not.

Builds the text the way ``bench_sensitivity.py`` does (the langid sentences joined, or the PII
documents joined, cut to ``--size`` characters), warms the scanner up on it, then scans it
``--scans`` times inside ``functools.reduce``, so that callgrind can count those scans alone:

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \\
        .venv/bin/python benchmarks/callgrind_scan.py [--text ordinary|dense] [--scans 3]

The "totals" line of the callgrind.out file, divided by ``--scans``, is the count per scan.
``--root`` measures another tree's ``router`` (a ``git archive`` of a baseline) with this script.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
os.environ.update(
    {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true", "HF_HUB_OFFLINE": "1"}
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="the tree whose router to scan with")
    parser.add_argument("--text", choices=("ordinary", "dense"), default="ordinary")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_ROOT))
    from benchmarks.bench_sensitivity import load, sized

    documents, sentences = load(args.data.resolve())
    if args.text == "ordinary":
        source = " ".join(" ".join(lines) for lines in sentences.values())
    else:
        source = " ".join(document["full_text"] for document in documents)
    text = sized(source, args.size)
    sys.path.insert(0, str(args.root.resolve()))
    for name in [name for name in sys.modules if name == "router" or name.startswith("router.")]:
        del sys.modules[name]  # the benchmark's import must not decide which router is measured
    from router._signals._sensitivity import SensitivityScanner

    scanner = SensitivityScanner()
    scanner.scan(text)  # loads the name lists, builds the keyword automata
    # What was loaded leaves the collector's reach, as in a served process
    # (``router._warm.freeze_preloaded``): a full collection over it would otherwise land in
    # some measured scans and not others (12 M instructions at 100,000 characters).
    gc.collect()
    gc.freeze()
    functools.reduce(lambda _, __: scanner.scan(text), range(args.scans), None)


if __name__ == "__main__":
    main()
