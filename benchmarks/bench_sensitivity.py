"""Accuracy and speed of the sensitivity signal on the shared PII set, beside two baselines.

Reads ``<data>/pii/synth_dataset_v2.json`` (a list of ``{"full_text", "spans": [...]}``) and
prints:

1. Document-level precision and recall. A document is truly sensitive when it has a span of
   a structured type (CREDIT_CARD, EMAIL_ADDRESS, PHONE_NUMBER, IBAN_CODE, US_SSN,
   IP_ADDRESS); it is predicted sensitive when the scanner reports any built-in finding.
2. Per-type recall: a labelled span counts as found when a finding of the matching type
   overlaps it; also given over the labels that are valid values.
3. Invalid labels: labelled values that are not valid by the type's own rules (Luhn and
   card length, IBAN length and mod-97, SSN allocation rules, IP grammar), with the values.
4. Time per document (mean, p50, p99) and per prompt of 1,000 and 100,000 characters
   (English prose without digits, and prose dense with dates, prices and versions), each
   beside the baselines: a bare ``re.search("@", text)`` and libphonenumber's
   ``PhoneNumberMatcher`` (phones only), the library the phone detector does not use.

    .venv/bin/python benchmarks/bench_sensitivity.py [--data ../shared/data] [--repeat 5]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from router._signals._checksums import card_number_valid, iban_valid, luhn_valid  # noqa: E402
from router._signals._sensitivity import BUILTIN_TYPES, Finding, SensitivityScanner  # noqa: E402

LABEL_TYPES: Mapping[str, str] = {
    "CREDIT_CARD": "credit_card",
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "IBAN_CODE": "iban",
    "US_SSN": "us_ssn",
    "IP_ADDRESS": "ip_address",
}
DATASET = Path("pii") / "synth_dataset_v2.json"

Scan = Callable[[str], object]

PROSE = (
    "The committee reviewed the quarterly roadmap and asked whether the migration plan could ship "
    "before the end of the year. Several teams raised concerns about testing capacity, so the group "
    "agreed to split the work into smaller milestones and to revisit the schedule next month. "
)
NUMERIC_PROSE = (
    "Please summarise the Q3 report: revenue grew 12% to $4.5 million in 2024, up from 3.9 in 2023. "
    "The meeting is on 2024-10-15 at 14:30; we need 3 slides, version 2.1.0 of the deck, and notes. "
)


def load_documents(data: Path) -> list[dict[str, Any]]:
    path = data / DATASET
    if not path.is_file():
        raise SystemExit(f"no {DATASET} under {data}; pass --data (the shared data folder)")
    documents: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return documents


def structured_spans(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [span for span in document["spans"] if span["entity_type"] in LABEL_TYPES]


def label_problem(label: str, value: str) -> str | None:
    """Why a labelled value is not a valid value of its type, or None when it is valid."""
    if label == "CREDIT_CARD":
        digits = re.sub(r"[ -]", "", value)
        if not luhn_valid(digits):
            return "fails Luhn"
        return None if card_number_valid(digits) else "not a card length/issuer (Luhn passes)"
    if label == "IBAN_CODE":
        return None if iban_valid(value.replace(" ", "").upper()) else "bad length or mod-97 checksum"
    if label == "US_SSN":
        area, group, serial = value[:3], value[4:6], value[7:]
        invalid = area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000"
        return "never-issued range" if invalid else None
    if label == "IP_ADDRESS":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return "not an IP address"
    return None


def overlaps(finding: Finding, span: Mapping[str, Any]) -> bool:
    return bool(finding.start < span["end_position"] and finding.end > span["start_position"])


def accuracy(documents: Sequence[Mapping[str, Any]], scanner: SensitivityScanner) -> None:
    builtin = set(BUILTIN_TYPES)
    outcome: Counter[str] = Counter()
    false_positive_types: Counter[str] = Counter()
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    valid_found: Counter[str] = Counter()
    valid_total: Counter[str] = Counter()
    problems: dict[str, list[str]] = {}
    for document in documents:
        findings = [f for f in scanner.scan(document["full_text"]) if f.type in builtin]
        spans = structured_spans(document)
        outcome[("t" if bool(findings) == bool(spans) else "f") + ("p" if findings else "n")] += 1
        if findings and not spans:
            false_positive_types.update({f.type for f in findings})
        for span in spans:
            label, kind = span["entity_type"], LABEL_TYPES[span["entity_type"]]
            hit = any(f.type == kind and overlaps(f, span) for f in findings)
            total[kind] += 1
            found[kind] += hit
            problem = label_problem(label, span["entity_value"])
            if problem is None:
                valid_total[kind] += 1
                valid_found[kind] += hit
            else:
                problems.setdefault(f"{kind}: {problem}", []).append(span["entity_value"])
    precision = outcome["tp"] / max(1, outcome["tp"] + outcome["fp"])
    recall = outcome["tp"] / max(1, outcome["tp"] + outcome["fn"])
    print(f"Documents: {len(documents)}, truly sensitive: {outcome['tp'] + outcome['fn']}")
    print(
        f"Document level: precision {precision:.4f}  recall {recall:.4f}  "
        f"(tp {outcome['tp']}, fp {outcome['fp']}, fn {outcome['fn']}, tn {outcome['tn']})"
    )
    if false_positive_types:
        print(f"  false-positive documents by finding type: {dict(false_positive_types)}")
    print("\nPer-type recall (span overlapped by a finding of that type):")
    print(f"  {'type':<12} {'all labels':>16} {'valid labels':>16}")
    for kind in LABEL_TYPES.values():
        everything, valid = _ratio(found[kind], total[kind]), _ratio(valid_found[kind], valid_total[kind])
        print(f"  {kind:<12} {everything:>16} {valid:>16}")
    print("\nInvalid labels (not valid values of their type; a miss on these is correct):")
    if not problems:
        print("  none")
    for problem, values in sorted(problems.items()):
        print(f"  {len(values):>3}  {problem}: {', '.join(values[:5])}")


def _ratio(hits: int, count: int) -> str:
    return f"{hits / count:.4f} ({hits}/{count})" if count else "-"


def per_document_times(documents: Sequence[Mapping[str, Any]], scan: Scan, repeat: int) -> list[float]:
    """Microseconds per document: the fastest of ``repeat`` runs, to keep scheduler noise out."""
    times = []
    for document in documents:
        text = document["full_text"]
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter_ns()
            scan(text)
            best = min(best, time.perf_counter_ns() - start)
        times.append(best / 1000)
    return times


def prompt_time(scan: Scan, text: str, budget_s: float = 0.5) -> tuple[float, float]:
    """Median and fastest microseconds of one scan of ``text``, over as many runs as fit the
    budget. Both are shown: on a shared machine the median carries other processes' load."""
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while time.perf_counter() < deadline or len(samples) < 5:
        start = time.perf_counter_ns()
        scan(text)
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples), min(samples)


def speed(documents: Sequence[Mapping[str, Any]], contenders: Mapping[str, Scan], repeat: int) -> None:
    names = list(contenders)
    print(f"\nTime per document, µs (fastest of {repeat} runs each; {len(documents)} documents):")
    print(f"  {'':<16}" + "".join(f"{name:>24}" for name in names))
    rows: dict[str, list[float]] = {
        name: per_document_times(documents, contenders[name], repeat) for name in names
    }
    for label, stat in (
        ("mean", statistics.fmean),
        ("p50", statistics.median),
        ("p99", lambda xs: statistics.quantiles(xs, n=100)[98]),
    ):
        print(f"  {label:<16}" + "".join(f"{stat(rows[name]):>24.1f}" for name in names))

    print("\nTime per prompt, median (fastest):")
    print(f"  {'prompt':<36}" + "".join(f"{name:>24}" for name in names))
    for label, unit_text in (("prose", PROSE), ("prose with numbers", NUMERIC_PROSE)):
        for size, unit, scale in ((1_000, "µs", 1.0), (100_000, "ms", 1000.0)):
            text = (unit_text * (size // len(unit_text) + 1))[:size]
            cells = ""
            for name in names:
                median, fastest = prompt_time(contenders[name], text)
                cells += f"{f'{median / scale:.2f} ({fastest / scale:.2f}) {unit}':>24}"
            print(f"  {f'{label}, {size:,} chars':<36}{cells}")
    print("  targets: <= 60 µs per 1,000 characters, <= 8 ms per 100,000 characters")


def phonenumbers_baseline() -> Scan | None:
    try:
        import phonenumbers
    except ImportError:
        return None

    def scan(text: str) -> object:
        return list(phonenumbers.PhoneNumberMatcher(text, "US"))

    return scan


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=5, help="runs per document; the fastest counts")
    args = parser.parse_args(argv)
    documents = load_documents(args.data)
    scanner = SensitivityScanner()
    accuracy(documents, scanner)
    contenders: dict[str, Scan] = {
        "router scanner": scanner.scan,
        "re.search('@')": lambda t: re.search("@", t),
    }
    if (phones := phonenumbers_baseline()) is not None:
        contenders["phonenumbers (phone)"] = phones
    speed(documents, contenders, args.repeat)


if __name__ == "__main__":
    main()
