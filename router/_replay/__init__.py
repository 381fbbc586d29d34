"""``router replay``: what a routes file would have done to a workload, without calling anything.

``_workload`` reads the file in chunks and parses its lines (batch formats, chat requests),
``_route`` routes them through the production ``Router`` of each routes file and tallies,
``_tally`` holds the mergeable counts, ``_run`` spreads the chunks over a process pool, and
``_report`` turns the merged tally into the report the CLI prints.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from router._replay._report import ReplayReport, report
from router._replay._run import available_cores
from router._replay._run import replay as _replay

__all__ = ["ReplayReport", "replay"]


def replay(
    workload: Path, routes: Path, *, against: Path | None = None, workers: int | None = None
) -> ReplayReport:
    """Route every line of ``workload`` through ``routes`` (and ``against``, to compare)."""
    files: Sequence[Path] = (routes, against) if against is not None else (routes,)
    count = workers or available_cores()
    started = time.perf_counter()
    tally = _replay(workload, files, workers=count)
    return report(
        tally,
        workload=str(workload),
        routes=[str(path) for path in files],
        workers=count,
        seconds=time.perf_counter() - started,
    )
