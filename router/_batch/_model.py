"""The job record as callers see it, and the shape of one item's result line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from router._settings import Settings
from router._state._replies import text

JobState = Literal["validating", "in_progress", "completed", "failed", "cancelling", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
STOPPING: frozenset[str] = frozenset({"cancelling", "cancelled"})
ItemState = Literal["completed", "failed", "cancelled"]

DEFAULT_RESULTS_TTL_S: int = Settings.model_fields["batch_results_ttl_s"].default
"""How long results (and the finished job record) are kept: a week (``ROUTER_BATCH_RESULTS_TTL_S``)."""
MIN_RESULTS_TTL_S = 60


@dataclass(frozen=True)
class JobStatus:
    """A snapshot of a batch job: status, counts, cost and timestamps (Unix seconds)."""

    id: str
    status: JobState
    total: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    cost_usd: float = 0.0
    name: str | None = None
    team: str | None = None
    tags: tuple[str, ...] = ()
    created_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    cancel_requested_at: float | None = None
    invalid: int = 0
    """Lines that failed at validation (counted in ``failed``)."""
    error: str | None = None
    """Why the whole job failed (only for status ``failed``)."""
    idempotency_key: str | None = None
    results_ttl_s: int = DEFAULT_RESULTS_TTL_S
    source: str | None = None

    @property
    def finished(self) -> int:
        """Items with a final outcome: completed + failed + cancelled."""
        return self.completed + self.failed + self.cancelled

    @property
    def pending(self) -> int:
        return max(self.total - self.finished, 0)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_hash(cls, fields: Mapping[Any, Any]) -> JobStatus:
        """Read the job hash as Redis returns it (bytes keys and values)."""
        raw = {text(key): text(value) for key, value in fields.items()}
        return cls(
            id=raw["id"],
            status=raw.get("status", "validating"),  # type: ignore[arg-type]
            total=int(raw.get("total", 0)),
            completed=int(raw.get("completed", 0)),
            failed=int(raw.get("failed", 0)),
            cancelled=int(raw.get("cancelled", 0)),
            cost_usd=round(float(raw.get("cost_usd", 0.0)), 10),
            name=raw.get("name") or None,
            team=raw.get("team") or None,
            tags=tuple(json.loads(raw.get("tags", "[]"))),
            created_at=_float(raw.get("created_at")),
            started_at=_float(raw.get("started_at")),
            finished_at=_float(raw.get("finished_at")),
            cancel_requested_at=_float(raw.get("cancel_requested_at")),
            invalid=int(raw.get("invalid", 0)),
            error=raw.get("error") or None,
            idempotency_key=raw.get("idempotency_key") or None,
            results_ttl_s=int(raw.get("results_ttl_s", DEFAULT_RESULTS_TTL_S)),
            source=raw.get("source") or None,
        )


def _float(value: str | None) -> float | None:
    return float(value) if value else None
