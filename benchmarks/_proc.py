"""What a benchmark reads about a process from /proc: CPU time, resident and proportional set
size, and its children. Shared by the benchmarks that measure processes they start."""

from __future__ import annotations

import os
from pathlib import Path


def cpu_s(pid: int) -> float:
    """User plus system CPU seconds of process ``pid`` so far; OSError once it has exited."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, field: str = "VmRSS", missing: float = 0.0) -> float:
    """A memory field of ``/proc/<pid>/status`` (resident set, ``VmHWM`` its peak) in MB;
    ``missing`` when the field is absent."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return missing


def pss_mb(pid: int) -> float:
    """Proportional set size: shared (copy-on-write) pages divided among the processes sharing them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def process_tree(pid: int) -> list[int]:
    """A process and its children (a Celery parent and its pool children)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(int(child) for child in children)]
