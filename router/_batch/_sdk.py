"""The batch SDK: submit a job, follow it, cancel it, read its results.

``Client.submit_batch`` and ``Client.jobs`` call these with the client's store
and routes config. With a Redis server (``ROUTER_REDIS_URL``) the chunks go to
Celery workers; without one the embedded runner runs them in this process on
the simulated provider.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from router._batch._input import Source
from router._batch._jobs import JobSpec, iter_results, read_status, request_cancel
from router._batch._jobs import list_jobs as _list_jobs
from router._batch._keys import check_job_id
from router._batch._model import MIN_RESULTS_TTL_S, JobStatus
from router._batch._submit import Dispatch, submit
from router._config import RoutesConfig, check_team
from router._errors import UsageError
from router._settings import Settings
from router._state._store import STORE_ERRORS, Store

Progress = Callable[[JobStatus], None]
"""Called with each status ``BatchJob.wait`` polls (a progress bar, a log line)."""

T = TypeVar("T")


class BatchJob:
    """A handle on one batch job. Cheap: every method reads Redis afresh."""

    def __init__(self, store: Store, job_id: str, *, reused: bool = False) -> None:
        self.store = store
        self.id = job_id
        self.reused = reused
        """True when ``submit_batch`` returned an earlier job with the same idempotency key."""

    def __repr__(self) -> str:
        return f"BatchJob({self.id!r})"

    @property
    def embedded(self) -> bool:
        """True when the job lives in this process's embedded store (no Redis server)."""
        return self.store.embedded

    def status(self) -> JobStatus:
        """The job's status, counts and cost now; ``JobNotFound`` when it does not exist (or expired)."""
        return _guarded(self.store, lambda: read_status(self.store, self.id))

    def wait(
        self, *, progress: Progress | None = None, poll_s: float = 0.5, timeout_s: float | None = None
    ) -> JobStatus:
        """Poll until the job is completed, failed or cancelled; returns the last status.

        With ``timeout_s`` the wait stops after that long and returns the status
        then (check ``is_terminal``).
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            status = self.status()
            if progress is not None:
                progress(status)
            if status.is_terminal or (deadline is not None and time.monotonic() >= deadline):
                return status
            time.sleep(poll_s)

    def cancel(self) -> JobStatus:
        """Stop items that have not started; calls in flight finish and the job ends ``cancelled``."""
        _guarded(self.store, lambda: request_cancel(self.store, self.id))
        return self.status()

    def results(self, *, errors_only: bool = False) -> Iterator[dict[str, Any]]:
        """Each finished item's result as a dict (one JSONL line), in input order; partial while running.

        ``errors_only``: only the items without an answer (failed, or stopped by a cancel).
        """
        total = self.status().total
        iterator = iter_results(self.store, self.id, total, errors_only=errors_only)
        while True:
            try:
                yield next(iterator)
            except StopIteration:
                return
            except STORE_ERRORS as exc:
                raise self.store.unavailable(exc) from None


def submit_batch(
    store: Store,
    config: RoutesConfig,
    items_or_path: Source,
    *,
    name: str | None = None,
    team: str | None = None,
    tags: Sequence[str] = (),
    idempotency_key: str | None = None,
    results_ttl_s: int | None = None,
    chunk_size: int | None = None,
    dispatch: Dispatch | None = None,
    settings: Settings | None = None,
) -> BatchJob:
    """Validate and store the items, queue them, and return the job (it runs in the background).

    ``items_or_path`` is a JSONL file (OpenAI batch or short form) or an
    iterable of items (line objects or prompt strings). A job whose every line
    is invalid is returned with status ``failed``. With an ``idempotency_key``
    already used by a live job, that job is returned (``reused`` is True).
    ``results_ttl_s`` and ``chunk_size`` default to the ``settings``' (without
    settings, the documented defaults), and so do the broker and the embedded
    runner's calls in flight.
    """
    settings = settings or Settings.defaults()
    check_team(config, team)
    spec = JobSpec(
        name=name,
        team=team,
        tags=(tags,) if isinstance(tags, str) else tuple(tags),
        idempotency_key=idempotency_key or None,
        results_ttl_s=_results_ttl(
            results_ttl_s if results_ttl_s is not None else settings.batch_results_ttl_s
        ),
        source=os.fspath(items_or_path) if isinstance(items_or_path, str | os.PathLike) else None,
    )
    size = chunk_size or settings.batch_chunk_size
    if size <= 0:
        raise UsageError(f"chunk_size must be a positive integer, not {size}")
    dispatch = dispatch or default_dispatch(store, config, settings)
    submitted = submit(store, items_or_path, spec, dispatch=dispatch, chunk_size=size)
    return BatchJob(store, submitted.job_id, reused=submitted.existing)


def list_jobs(store: Store, *, limit: int = 50) -> list[JobStatus]:
    """The newest jobs first."""
    return _guarded(store, lambda: _list_jobs(store, limit=limit))


def get_job(store: Store, job_id: str) -> BatchJob:
    """A handle on an existing job.

    ``UsageError`` if ``job_id`` cannot be a job id, ``JobNotFound`` if there is no such job.
    """
    job = BatchJob(store, check_job_id(job_id))
    job.status()
    return job


def default_dispatch(store: Store, config: RoutesConfig, settings: Settings) -> Dispatch:
    """Celery over the settings' broker (else the store's Redis), or the embedded runner without Redis."""
    if store.embedded:
        from router._batch._embedded import embedded_runner

        return embedded_runner(config, store, settings)
    from router._batch._dispatch import celery_dispatch

    return celery_dispatch(store, broker_url=settings.broker_url, settings=settings)


def _guarded(store: Store, call: Callable[[], T]) -> T:
    try:
        return call()
    except STORE_ERRORS as exc:
        raise store.unavailable(exc) from None


def _results_ttl(ttl: int) -> int:
    if ttl < MIN_RESULTS_TTL_S:
        raise UsageError(f"results must be kept at least {MIN_RESULTS_TTL_S} s, not {ttl} s")
    return ttl
