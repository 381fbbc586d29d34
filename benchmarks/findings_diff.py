"""What a detector change adds and removes: every finding on the shared data, this tree's beside a git ref's.

The scanner is run over the 1,500 documents of ``pii/synth_dataset_v2.json`` and the 6,000
sentences of ``langid/`` by this tree and by ``--baseline`` (its ``router`` taken with ``git
archive`` and run in a child process), and the findings (document or sentence, type, level,
span) are compared. A change meant to be speed only must print no difference; a detection fix
prints what it adds, each with the text it covers (public evaluation data, not anyone's prompt).

    .venv/bin/python benchmarks/findings_diff.py [--baseline REF] [--data ../shared/data] [--show 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from io import BytesIO
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
os.environ.update(
    {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true", "HF_HUB_OFFLINE": "1"}
)

Row = tuple[str, str, str, int, int]  # where, type, level, start, end


def texts(data: Path) -> dict[str, str]:
    """Every text of the shared data, by a name that says where it is."""
    path = data / "pii" / "synth_dataset_v2.json"
    if not path.is_file():
        raise SystemExit(f"no pii/synth_dataset_v2.json under {data}; pass --data (the shared data folder)")
    found = {
        f"pii:{i}": document["full_text"] for i, document in enumerate(json.loads(path.read_text("utf-8")))
    }
    for file in sorted((data / "langid").glob("*.txt")):
        found |= {f"{file.stem}:{j}": line for j, line in enumerate(file.read_text("utf-8").splitlines())}
    return found


def findings(data: Path) -> list[Row]:
    """This tree's findings on every text (run in the tree whose ``router`` is importable)."""
    from router._signals._sensitivity import SensitivityScanner

    scanner = SensitivityScanner()
    return [
        (where, f.type, str(f.level), f.start, f.end)
        for where, text in texts(data).items()
        for f in scanner.scan(text)
    ]


def baseline_findings(ref: str, data: Path) -> list[Row]:
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "archive", ref, "router"], capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as root:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(root, filter="data")
        child = subprocess.run(
            [sys.executable, __file__, "--data", str(data), "--json"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": root},
        )
    if child.returncode != 0:
        raise SystemExit(f"the baseline's scan failed:\n{child.stderr[-2000:]}")
    return [tuple(row) for row in json.loads(child.stdout)]  # type: ignore[misc]


def report(new: list[Row], old: list[Row], data: Path, show: int) -> None:
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    print(f"findings: {len(new):,} in this tree, {len(old):,} in the baseline")
    print(f"added {len(added):,}, removed {len(removed):,}")
    all_texts = texts(data) if added or removed else {}
    for title, rows in (("added", added), ("removed", removed)):
        if not rows:
            continue
        by_type = Counter((row[0].split(":")[0] == "pii", row[1]) for row in rows)
        print(
            f"\n{title}, by type:",
            ", ".join(f"{kind} ({'pii' if pii else 'langid'}) {n}" for (pii, kind), n in by_type.items()),
        )
        for where, kind, level, start, end in rows[:show]:
            text = all_texts[where]
            around = text[max(0, start - 30) : end + 20]
            print(f"  {where:>10} {kind:<15} {level:<12} {text[start:end]!r}  in  {around!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--baseline", default="HEAD", help="git ref to compare with (default: HEAD)")
    parser.add_argument("--show", type=int, default=20, help="differences to print with their text")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args()
    if args.json:
        print(json.dumps(findings(args.data)))
        return
    sys.path.insert(0, str(PROJECT_ROOT))
    report(findings(args.data), baseline_findings(args.baseline, args.data), args.data, args.show)


if __name__ == "__main__":
    main()
