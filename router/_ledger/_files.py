"""Local JSON-lines files of records: the spool and the embedded journal.

The spool holds records that could not reach Redis; the journal holds every
record of the embedded (in-process) store so the next process can reload it.
Both are appended to under an exclusive ``flock``, so several processes may
share one file, and a record is one line, so a torn write loses at most the
line being written when a process dies.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def append_lines(path: Path, lines: Sequence[str]) -> None:
    """Append one line per item, under an exclusive lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write("".join(f"{line}\n" for line in lines))
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_lines(path: Path) -> list[str]:
    """Every complete, non-empty line (empty when the file does not exist)."""
    try:
        handle = path.open("r", encoding="utf-8")
    except FileNotFoundError:
        return []
    with handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            return _complete(handle.read())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Claim:
    """A file held under an exclusive lock: read its lines, then clear it."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def lines(self) -> list[str]:
        self._handle.seek(0)
        return _complete(self._handle.read())

    def clear(self) -> None:
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()


@contextmanager
def claimed(path: Path) -> Iterator[Claim | None]:
    """The file under an exclusive lock, or ``None`` if it is absent or someone else holds it.

    The lock is not waited for: another process already replaying the file will do the work.
    """
    try:
        handle = path.open("r+", encoding="utf-8")
    except FileNotFoundError:
        yield None
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        try:
            yield Claim(handle)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _complete(text: str) -> list[str]:
    # A last line without its newline is a write cut short; it is left out, not misread.
    body = text if text.endswith("\n") else text[: text.rfind("\n") + 1]
    return [line for line in body.splitlines() if line.strip()]
