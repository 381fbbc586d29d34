"""The sensitivity signal's figures for issue 12, each beside the previous detector's.

Prints, for this tree and for a baseline (``--baseline``, default the commit before the
issue-12 work; its ``router`` package is taken with ``git archive`` and measured in a child
process with this same script):

1. Through the router (``Router.decide`` with the shipped routes.yaml) on
   ``<data>/pii/synth_dataset_v2.json``: document-level recall for documents with any of
   PERSON, STREET_ADDRESS, CREDIT_CARD, EMAIL_ADDRESS, PHONE_NUMBER, IBAN_CODE, US_SSN,
   IP_ADDRESS, US_DRIVER_LICENSE (flagged = sensitivity above public); the same for the
   structured types only; how many of the documents with no span are flagged; and per type
   the share of documents with that label that get a finding of that type. Targets: recall
   >= 0.90, at most 2 of the 113 span-free documents, structured recall >= 0.995.
2. Per-type span recall with the scanner: a labelled span counts when a finding of its
   type overlaps it.
3. On the 6,000 sentences of ``<data>/langid``: per language, the share with a finding
   other than a name (target <= 0.3 % overall) and the share with a name finding.
4. Fast-tier CPU time (``SensitivityScanner.scan``): p50 and p99 on 1,000 and 100,000
   characters of ordinary text (the langid sentences joined) and of dense PII text (the
   PII documents joined). Targets: 1,000 characters <= 0.3 ms p50; 100,000 <= 15 ms.
5. The inputs built to be slow (tests/support/adversarial.py) at 100,000 characters
   against ordinary text of the same length (the langid sentences joined, as in 4): median
   CPU time, the ratio, and the constant (the slowest input's ratio); the baseline at 2,000
   characters, as its quadratic scan takes minutes at 100,000.

The deep tier is not measured here: none is installed (see ``router validate``).

    .venv/bin/python benchmarks/bench_sensitivity.py [--data ../shared/data] [--baseline REF]
    .venv/bin/python benchmarks/bench_sensitivity.py --speed-rounds 5 [--baseline REF]

``--speed-rounds N`` measures section 4 only, N rounds of a fresh process for this tree then
one for the baseline, alternated so that both meet the same load on a shared machine, and
prints the median and the least over the rounds of each p50 (and the median p99).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.update(
    {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true", "HF_HUB_OFFLINE": "1"}
)

# The commit before the issue-12 work: the previous detector.
DEFAULT_BASELINE = "b48aee3"
LABEL_TYPES: Mapping[str, str] = {
    "PERSON": "person",
    "STREET_ADDRESS": "street_address",
    "CREDIT_CARD": "credit_card",
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "IBAN_CODE": "iban",
    "US_SSN": "us_ssn",
    "IP_ADDRESS": "ip_address",
    "US_DRIVER_LICENSE": "driver_license",
}
STRUCTURED = ("CREDIT_CARD", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "US_SSN", "IP_ADDRESS")
NAME_TYPES = ("person",)
ORDINARY_TEXT = "ordinary text (langid sentences)"


def load(data: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    path = data / "pii" / "synth_dataset_v2.json"
    if not path.is_file():
        raise SystemExit(f"no pii/synth_dataset_v2.json under {data}; pass --data (the shared data folder)")
    documents: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    sentences = {p.stem: p.read_text("utf-8").splitlines() for p in sorted((data / "langid").glob("*.txt"))}
    return documents, sentences


def through_router(documents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    from router._config import load_routes
    from router._logging import configure
    from router._router import Router
    from router._task import Task

    configure()  # warnings only, to stderr: no event printed per decision
    router = Router(load_routes(PROJECT_ROOT / "routes.yaml"))
    outcome: Counter[str] = Counter()
    per_type: Counter[str] = Counter()
    per_type_hit: Counter[str] = Counter()
    for document in documents:
        signals = router.decide(Task.build(document["full_text"])).signals
        flagged = signals.sensitivity.label != "public"
        kinds = {summary.type for summary in signals.findings}
        labels = {span["entity_type"] for span in document["spans"]}
        if not labels:
            outcome["empty"] += 1
            outcome["empty flagged"] += flagged
        if labels & set(LABEL_TYPES):
            outcome["any"] += 1
            outcome["any flagged"] += flagged
        if labels & set(STRUCTURED):
            outcome["structured"] += 1
            outcome["structured flagged"] += flagged
        for label in labels & set(LABEL_TYPES):
            per_type[label] += 1
            per_type_hit[label] += LABEL_TYPES[label] in kinds
    return {"outcome": dict(outcome), "per_type": dict(per_type), "per_type_hit": dict(per_type_hit)}


def span_recall(documents: Sequence[Mapping[str, Any]], scan: Callable[[str], Any]) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for document in documents:
        findings = scan(document["full_text"])
        for span in document["spans"]:
            kind = LABEL_TYPES.get(span["entity_type"])
            if kind is None:
                continue
            hit = any(
                f.type == kind and f.start < span["end_position"] and f.end > span["start_position"]
                for f in findings
            )
            counts.setdefault(kind, [0, 0])
            counts[kind][0] += hit
            counts[kind][1] += 1
    return counts


def ordinary_text(sentences: Mapping[str, list[str]], scan: Callable[[str], Any]) -> dict[str, list[int]]:
    """Per language: [sentences, with a finding other than a name, with a name finding]."""
    from router._signals._sensitivity import BUILTIN_TYPES

    builtin = set(BUILTIN_TYPES)
    shares: dict[str, list[int]] = {}
    for language, lines in sentences.items():
        row = [len(lines), 0, 0]
        for line in lines:
            kinds = {f.type for f in scan(line) if f.type in builtin}
            row[1] += bool(kinds - set(NAME_TYPES))
            row[2] += bool(kinds & set(NAME_TYPES))
        shares[language] = row
    return shares


def timings(scan: Callable[[str], Any], text: str, runs: int) -> tuple[float, float]:
    """p50 and p99 in CPU milliseconds of ``runs`` scans of ``text``: CPU time, because on a
    shared machine wall time mostly measures the other processes."""
    samples = []
    for _ in range(runs):
        start = time.process_time_ns()
        scan(text)
        samples.append((time.process_time_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def sized(unit: str, size: int) -> str:
    return (unit * (size // max(1, len(unit)) + 1))[:size]


def speed(
    documents: Sequence[Mapping[str, Any]], sentences: Mapping[str, list[str]], scan: Callable[[str], Any]
) -> dict[str, Any]:
    ordinary = " ".join(" ".join(lines) for lines in sentences.values())
    dense = " ".join(document["full_text"] for document in documents)
    result: dict[str, Any] = {}
    for name, source in (("ordinary", ordinary), ("dense PII", dense)):
        for size, runs in ((1_000, 400), (100_000, 15)):
            result[f"{name}, {size:,} chars"] = timings(scan, sized(source, size), runs)
    return result


def adversarial(
    scan: Callable[[str], Any], size: int, sentences: Mapping[str, list[str]]
) -> dict[str, float]:
    from tests.support.adversarial import ADVERSARIAL

    # The yardstick: ordinary text of the same length, the langid sentences joined (as in 4).
    ordinary = sized(" ".join(" ".join(lines) for lines in sentences.values()), size)
    medians = {ORDINARY_TEXT: timings(scan, ordinary, 5 if size > 10_000 else 3)[0]}
    for name, build in ADVERSARIAL.items():
        text = build(size)
        # One run at the baseline's size: its quadratic scan takes seconds per input there.
        medians[name] = timings(scan, text, 3 if size > 10_000 else 1)[0]
    return medians


def warmed_scanner() -> Any:
    """A scanner warmed up as the router's warm-up (``router._warm``) leaves it: the name
    lists loaded and, in a tree that has ``warm_up``, what only long texts reach."""
    from router._signals import _sensitivity

    scanner = _sensitivity.SensitivityScanner()
    scanner.scan("warm up: Mr Smith, 12 Main Street")  # loads the name lists
    warm_up = getattr(_sensitivity, "warm_up", None)  # a baseline may predate it
    if warm_up is not None:
        warm_up()
    # As a served process leaves it (``router._warm.freeze_preloaded``): what was loaded is out
    # of the collector's reach, else a full collection over it (numpy, the name lists) lands in
    # some of the timed scans, a few milliseconds each.
    gc.collect()
    gc.freeze()
    return scanner


def measure(data: Path, adversarial_size: int) -> dict[str, Any]:
    documents, sentences = load(data)
    scanner = warmed_scanner()
    return {
        "router": through_router(documents),
        "spans": span_recall(documents, scanner.scan),
        "langid": ordinary_text(sentences, scanner.scan),
        "speed": speed(documents, sentences, scanner.scan),
        "adversarial": adversarial(scanner.scan, adversarial_size, sentences),
        "adversarial_size": adversarial_size,
    }


def measure_speed(data: Path) -> dict[str, Any]:
    """Section 4's figures alone."""
    documents, sentences = load(data)
    scanner = warmed_scanner()
    return speed(documents, sentences, scanner.scan)


def baseline(ref: str, data: Path) -> dict[str, Any] | None:
    """The figures of ``ref``'s detector, measured by this script in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        root = _checkout(ref, Path(folder))
        return None if root is None else _child(root, data, "--json")


def _checkout(ref: str, root: Path) -> Path | None:
    """``ref``'s ``router`` and routes.yaml under ``root``, with this script and the test
    support beside them; ``None`` (said why) when git cannot give them."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "archive", ref, "router", "routes.yaml"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(no baseline: git archive {ref} failed: {exc})")
        return None
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    (root / "benchmarks").mkdir()
    shutil.copy(__file__, root / "benchmarks" / "bench_sensitivity.py")
    shutil.copytree(PROJECT_ROOT / "tests" / "support", root / "tests" / "support")
    (root / "tests" / "__init__.py").touch()
    return root


def _child(root: Path, data: Path, mode: str) -> dict[str, Any] | None:
    """The figures this script prints with ``mode`` when run from the tree at ``root``."""
    child = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "bench_sensitivity.py"), "--data", str(data), mode],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        print(f"(no figures from {root}: the child failed)\n{child.stderr[-2000:]}")
        return None
    figures: dict[str, Any] = json.loads(child.stdout)
    return figures


def speed_rounds(ref: str, data: Path, rounds: int) -> None:
    """Section 4 alone, ``rounds`` times, a fresh process for this tree then one for ``ref``."""
    with tempfile.TemporaryDirectory() as folder:
        root = _checkout(ref, Path(folder))
        if root is None:
            return
        measured: dict[str, list[dict[str, Any]]] = {"this tree": [], "baseline": []}
        for _ in range(rounds):
            for column, tree in (("this tree", PROJECT_ROOT), ("baseline", root)):
                figures = _child(tree, data, "--speed-json")
                if figures is None:
                    return
                measured[column].append(figures)
    rows = [
        (f"  {key}", *(_over_rounds([figures[key] for figures in measured[column]]) for column in measured))
        for key in measured["this tree"][0]
    ]
    title = (
        f"4. Fast tier, {rounds} rounds alternated (median p50 / least p50 / median p99, ms; "
        "targets: 1,000 <= 0.3 ms p50; 100,000 <= 15 ms)"
    )
    _table(title, tuple(measured), [(label, now, before) for label, now, before in rows])


def _over_rounds(samples: Sequence[Sequence[float]]) -> str:
    p50s = [sample[0] for sample in samples]
    p99 = statistics.median(sample[1] for sample in samples)
    return f"{statistics.median(p50s):.3f} / {min(p50s):.3f} / {p99:.3f}"


def ratio(hits: int, total: int) -> str:
    return f"{hits / total:.4f} ({hits}/{total})" if total else "-"


def report(now: dict[str, Any], before: dict[str, Any] | None) -> None:
    columns = ("this tree", "baseline")
    rows: list[tuple[str, str, str]] = []

    def row(label: str, get: Callable[[dict[str, Any]], str]) -> None:
        rows.append((label, get(now), get(before) if before else "-"))

    def outcome(key: str) -> Callable[[dict[str, Any]], str]:
        return lambda f: ratio(
            f["router"]["outcome"].get(f"{key} flagged", 0), f["router"]["outcome"].get(key, 0)
        )

    row("recall, any listed type (>= 0.90)", outcome("any"))
    row("recall, structured types (>= 0.995)", outcome("structured"))
    row("span-free documents flagged (<= 2)", outcome("empty"))
    for label in LABEL_TYPES:
        row(
            f"  documents with {label}",
            lambda f, label=label: ratio(
                f["router"]["per_type_hit"].get(label, 0), f["router"]["per_type"].get(label, 0)
            ),
        )
    _table("1. Through Router.decide and the shipped routes.yaml", columns, rows)

    rows = []
    for kind in LABEL_TYPES.values():
        row(f"  {kind}", lambda f, kind=kind: ratio(*f["spans"].get(kind, [0, 0])))
    _table("2. Span recall (a finding of the type overlaps the labelled span)", columns, rows)

    rows = []
    for language in now["langid"]:
        row(
            f"  {language}: other than a name / a name",
            lambda f, language=language: _shares(f["langid"].get(language, [0, 0, 0])),
        )
    row("  all: other than a name (<= 0.3 %) / a name", lambda f: _shares(_total(f["langid"])))
    _table("3. Ordinary sentences of <data>/langid with a finding", columns, rows)

    rows = []
    for key in now["speed"]:
        row(
            f"  {key} (p50 / p99)",
            lambda f, key=key: "{:.3f} / {:.3f} ms".format(*f["speed"].get(key, (0, 0))),
        )
    _table(
        "4. Fast tier, SensitivityScanner.scan (targets: 1,000 <= 0.3 ms p50; 100,000 <= 15 ms)",
        columns,
        rows,
    )

    rows = []
    for name in now["adversarial"]:
        row(f"  {name}", lambda f, name=name: _against_ordinary(f, name))
    sizes = (
        f"this tree {now['adversarial_size']:,} chars, baseline {before['adversarial_size']:,}"
        if before
        else ""
    )
    row("  the constant: slowest input / ordinary text", _constant)
    _table(
        f"5. Slow-by-design inputs: median ms and x ordinary text of the same length ({sizes})", columns, rows
    )


def _constant(figures: dict[str, Any]) -> str:
    """The slowest input's time over ordinary text's: the constant issue 12 asks to state."""
    medians = figures["adversarial"]
    ordinary = medians.get(ORDINARY_TEXT, medians["ordinary prose"])
    name = max((key for key in medians if key != ORDINARY_TEXT), key=medians.__getitem__)
    return f"x{medians[name] / max(ordinary, 1e-3):.1f} ({name})"


def _shares(row: Sequence[int]) -> str:
    total, other, names = row
    return f"{100 * other / max(1, total):.2f} % / {100 * names / max(1, total):.2f} %"


def _total(langid: Mapping[str, Sequence[int]]) -> list[int]:
    return [sum(row[i] for row in langid.values()) for i in range(3)]


def _against_ordinary(figures: dict[str, Any], name: str) -> str:
    medians = figures["adversarial"]
    value, ordinary = medians.get(name), medians.get(ORDINARY_TEXT, medians["ordinary prose"])
    return "-" if value is None else f"{value:.2f} ms, x{value / max(ordinary, 1e-3):.1f}"


def _table(title: str, columns: Sequence[str], rows: Sequence[tuple[str, str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(label) for label, _, _ in rows) + 2
    print(f"  {'':<{width}}" + "".join(f"{column:>26}" for column in columns))
    for label, now, before in rows:
        print(f"  {label:<{width}}{now:>26}{before:>26}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--baseline", default=DEFAULT_BASELINE, help="git ref of the detector to compare with"
    )
    parser.add_argument(
        "--speed-rounds", type=int, default=0, help="section 4 only, this many alternated rounds"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the baseline's child
    parser.add_argument("--speed-json", action="store_true", help=argparse.SUPPRESS)  # a round's child
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps(measure(args.data.resolve(), 2_000)))
        return
    if args.speed_json:
        print(json.dumps(measure_speed(args.data.resolve())))
        return
    if args.speed_rounds:
        speed_rounds(args.baseline or "HEAD", args.data.resolve(), args.speed_rounds)
        return
    now = measure(args.data.resolve(), 100_000)
    before = baseline(args.baseline, args.data.resolve()) if args.baseline else None
    report(now, before)


if __name__ == "__main__":
    main()
