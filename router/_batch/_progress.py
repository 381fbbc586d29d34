"""Showing a running job: a rich progress bar on a terminal, periodic lines otherwise.

Both write to stderr, so ``router batch submit --wait > results`` stays clean.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from router._batch._model import JobStatus

PLAIN_EVERY_S = 5.0


class Rate:
    """Items per second since the first status seen, and the time left at that rate."""

    def __init__(self) -> None:
        self._start: tuple[float, int] | None = None

    def update(self, status: JobStatus) -> tuple[float, float | None]:
        now = time.monotonic()
        if self._start is None:
            self._start = (now, status.finished)
        started_at, finished_at_start = self._start
        elapsed = now - started_at
        rate = (status.finished - finished_at_start) / elapsed if elapsed > 0 else 0.0
        eta = status.pending / rate if rate > 0 else None
        return rate, eta


def eta_text(eta: float | None) -> str:
    if eta is None:
        return "--"
    minutes, seconds = divmod(int(eta + 0.5), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def summary(status: JobStatus, rate: float, eta: float | None) -> str:
    return (
        f"{status.id} {status.status}: {status.finished}/{status.total} done "
        f"({status.failed} failed, {status.cancelled} cancelled), {rate:.1f} items/s, "
        f"ETA {eta_text(eta)}, cost ${status.cost_usd:.6f}"
    )


class ProgressDisplay:
    """A ``Progress`` callback for ``BatchJob.wait``; use as a context manager."""

    def __init__(self, stream: IO[str] | None = None, *, plain: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.plain = not self.stream.isatty() if plain is None else plain
        self._rate = Rate()
        self._last_line = float("-inf")
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressDisplay:
        if not self.plain:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("failed {task.fields[failed]}"),
                TextColumn("{task.fields[rate]:.1f}/s"),
                TextColumn("ETA {task.fields[eta]}"),
                TextColumn("${task.fields[cost]:.6f}"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
            )
            self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, status: JobStatus) -> None:
        rate, eta = self._rate.update(status)
        if self._bar is None:
            self._plain(status, rate, eta)
            return
        if self._task is None:
            self._task = self._bar.add_task(
                status.id, total=status.total or None, failed=0, rate=0.0, eta="--", cost=0.0
            )
        self._bar.update(
            self._task,
            total=status.total or None,
            completed=status.finished,
            description=f"{status.id} {status.status}",
            failed=status.failed,
            rate=rate,
            eta=eta_text(eta),
            cost=status.cost_usd,
        )

    def _plain(self, status: JobStatus, rate: float, eta: float | None) -> None:
        now = time.monotonic()
        if status.is_terminal or now - self._last_line >= PLAIN_EVERY_S:
            self._last_line = now
            print(summary(status, rate, eta), file=self.stream, flush=True)
