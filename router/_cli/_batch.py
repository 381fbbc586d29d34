"""``router batch submit|status|list|cancel|results``.

With ``ROUTER_REDIS_URL`` set, jobs live in the shared Redis and run on
``router worker`` processes. Without it a job runs embedded, in the
submitting process, on the simulated provider; ``submit`` then always waits,
and writes the job's status and results under ``.router/jobs/`` so that
``list``, ``status``, ``cancel`` and ``results`` in a later process still see
it, even when the wait was interrupted (Ctrl-C keeps what was done).

Exit codes of ``submit``: 0 the job completed clean (or was queued), 4 it
failed, 6 it completed but some items failed, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from router._cli._common import CALL_FAILED, OK, PARTIAL, add_routes_option, print_json, writable_file
from router._cli._interrupt import CtrlC, Interrupted
from router._errors import UsageError
from router._settings import Settings

EMBEDDED_NOTE = (
    "router: no ROUTER_REDIS_URL set: running this batch embedded, in this process, on the simulated "
    "provider (no model is called, no API key is used); results are also written to {path}"
)
_NAMED_FAILURES = 10
_NO_WORKER_RECHECK_S = 30.0
_INTERRUPT_GRACE_S = 2.0


def register(commands: Any) -> None:
    batch = commands.add_parser("batch", help="submit and follow batch jobs")
    actions = batch.add_subparsers(dest="batch_command", metavar="ACTION", required=True)

    submit = actions.add_parser("submit", help="submit a JSONL file (OpenAI batch format or short form)")
    submit.add_argument("file", metavar="FILE.jsonl")
    submit.add_argument("--name", default=None)
    submit.add_argument("--team", default=None)
    submit.add_argument("--tag", dest="tags", action="append", default=[], help="a job tag (repeatable)")
    submit.add_argument(
        "--idempotency-key", default=None, help="submitting again with it returns the same job"
    )
    submit.add_argument("--wait", action="store_true", help="show progress until the job ends")
    submit.add_argument("--json", action="store_true", help="print the job's status as JSON")
    add_routes_option(submit)
    submit.set_defaults(handler=_submit)

    status = actions.add_parser("status", help="a job's status, counts and cost")
    status.add_argument("job", metavar="JOB", type=job_id)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    listing = actions.add_parser("list", help="recent jobs, newest first")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    cancel = actions.add_parser("cancel", help="stop a job's items that have not started")
    cancel.add_argument("job", metavar="JOB", type=job_id)
    cancel.add_argument("--json", action="store_true")
    cancel.set_defaults(handler=_cancel)

    results = actions.add_parser("results", help="a job's results as JSONL, joined by custom_id")
    results.add_argument("job", metavar="JOB", type=job_id)
    results.add_argument(
        "-o", "--output", metavar="FILE", default=None, type=_output, help="write here instead of stdout"
    )
    results.add_argument(
        "--errors", action="store_true", help="only the items without an answer (failed or cancelled)"
    )
    results.set_defaults(handler=_results)


def job_id(value: str) -> str:
    """A job id as the router makes them (``batch_<hex>``): never a path, a glob or a Redis pattern."""
    from router._batch._keys import check_job_id  # at parse time: the CLI's import path stays light

    try:
        return check_job_id(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _output(value: str) -> Path:
    try:
        return writable_file(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _store(settings: Settings) -> Any:
    from router._state._store import Store, StoreSettings

    return Store(StoreSettings.from_settings(settings))


# --------------------------------------------------------------------------- submit


def _submit(args: argparse.Namespace, settings: Settings) -> int:
    from router._batch._sdk import submit_batch
    from router._config import load_routes

    store = _store(settings)
    config = load_routes(settings.routes)
    if store.embedded:
        print(EMBEDDED_NOTE.format(path=_local_dir(store) / "<job id>.jsonl"), file=sys.stderr)
    job = submit_batch(
        store,
        config,
        args.file,
        settings=settings,
        name=args.name,
        team=args.team,
        tags=args.tags,
        idempotency_key=args.idempotency_key,
    )
    with CtrlC(second_press=_second_press(job, store)) as ctrl_c:
        return _after_submit(args, settings, store, job, ctrl_c)


def _after_submit(args: argparse.Namespace, settings: Settings, store: Any, job: Any, ctrl_c: CtrlC) -> int:
    if not args.json:
        print(job.id, flush=True)
    if job.reused:
        print(f"router: an earlier job has this idempotency key: {job.id}", file=sys.stderr)
    simulated = settings.simulate or store.embedded
    if not (args.wait or store.embedded):
        return _finish(job, job.status(), args.json, simulated=simulated, queued=True)
    try:
        final = _wait(job, store, settings.broker_url, ctrl_c)
    except Interrupted:
        return _interrupted(job, store)
    if store.embedded:
        path = _save_local(store, final, job.results())
        print(f"router: results written to {path}", file=sys.stderr)
    return _finish(job, final, args.json, simulated=simulated)


def _second_press(job: Any, store: Any) -> str:
    if store.embedded:
        return f"router: interrupted again: exiting now; job {job.id} ran embedded and is not kept"
    return f"router: interrupted again: exiting now; job {job.id} keeps running on the workers"


def _wait(job: Any, store: Any, broker: str | None, ctrl_c: CtrlC) -> Any:
    from router._batch._progress import ProgressDisplay

    watch = None if store.embedded else _WorkerWatch(store, broker)
    with ProgressDisplay() as display:

        def progress(status: Any) -> None:
            ctrl_c.check()  # Ctrl-C ends the wait here, between polls (see ``_interrupt``)
            if watch is not None:
                watch(status)
            display(status)

        return job.wait(progress=progress)


class _WorkerWatch:
    """During ``--wait`` on Redis: say at once, and again now and then, when no worker is live."""

    def __init__(self, store: Any, broker: str | None) -> None:
        self.store = store
        self.broker = broker
        self._checked_at = float("-inf")

    def __call__(self, status: Any) -> None:
        now = time.monotonic()
        if status.is_terminal or now - self._checked_at < _NO_WORKER_RECHECK_S:
            return
        self._checked_at = now
        from router._status._workers import START_WORKER_HINT, live_workers

        if not live_workers(self.store, self.broker):
            hint = START_WORKER_HINT.format(url=self.store.settings.safe_url)
            print(
                f"router: no live worker serves the batch queue, so job {status.id} waits; {hint} "
                "(the job stays queued if you stop waiting with Ctrl-C)",
                file=sys.stderr,
                flush=True,
            )


def _finish(job: Any, status: Any, as_json: bool, *, simulated: bool, queued: bool = False) -> int:
    if as_json:
        print_json(status.as_dict())
    if status.status == "failed":
        print(f"router: error: job {status.id} failed: {status.error}", file=sys.stderr)
        return CALL_FAILED
    if queued:
        return OK
    if status.status == "completed" and status.failed:
        _name_failures(job, status)
        code = PARTIAL
    else:
        code = OK
    if not as_json and status.is_terminal:
        _job_cost(status, simulated)
    return code


def _name_failures(job: Any, status: Any) -> None:
    failed = []
    for result in job.results(errors_only=True):  # a completed job has no cancelled item
        failed.append(f"line {result['line']} ({result['custom_id']}: {result['error']['code']})")
        if len(failed) == _NAMED_FAILURES:
            break
    more = status.failed - len(failed)
    names = "; ".join(failed) + (f"; and {more} more" if more > 0 else "")
    print(
        f"router: job {status.id} completed, {status.completed} items answered, {status.failed} failed: "
        f"{names}. See why: router batch results {status.id} --errors",
        file=sys.stderr,
    )


def _job_cost(status: Any, simulated: bool) -> None:
    from router._money import readable

    note = " at catalogue prices, simulated: nothing was billed" if simulated else ""
    print(
        f"router: this job cost {readable(status.cost_usd)}{note}; by model: "
        f"router costs --where job={status.id} --include-simulated --by model",
        file=sys.stderr,
    )


def _interrupted(job: Any, store: Any) -> int:
    if not store.embedded:
        print(
            f"router: interrupted: job {job.id} keeps running on the workers; "
            f"follow it with: router batch status {job.id}",
            file=sys.stderr,
        )
        return 130
    # Embedded, the job dies with this process: stop new items, let calls in flight land, keep it all.
    job.cancel()
    status = job.wait(timeout_s=_INTERRUPT_GRACE_S, poll_s=0.1)
    path = _save_local(store, status, job.results(), interrupted=True)
    done = status.completed + status.failed  # ``finished`` counts the items the cancel stopped too
    print(
        f"router: interrupted: job {job.id} kept with {done} of {status.total} items done "
        f"({status.failed} failed, {status.total - done} not run); results so far in {path}; "
        f"see: router batch status {job.id}",
        file=sys.stderr,
    )
    return 130


# --------------------------------------------------------------------------- status, list, cancel


def _status(args: argparse.Namespace, settings: Settings) -> int:
    status = _read_status(settings, args.job)
    if args.json:
        print_json(status)
        return OK
    print(_render(status))
    return OK


def _read_status(settings: Settings, job: str) -> dict[str, Any]:
    from router._batch._sdk import BatchJob
    from router._errors import JobNotFound

    store = _store(settings)
    try:
        return BatchJob(store, job).status().as_dict()
    except JobNotFound:
        local = _local_status(store, job)
        if store.embedded and local is not None:
            return local
        raise


def _render(status: dict[str, Any]) -> str:
    finished = status["completed"] + status["failed"] + status["cancelled"]
    lines = [
        f"job:        {status['id']}" + (f" ({status['name']})" if status.get("name") else ""),
        f"status:     {status['status']}",
        f"items:      {finished}/{status['total']} finished: {status['completed']} completed, "
        f"{status['failed']} failed ({status['invalid']} at validation), {status['cancelled']} cancelled",
        f"cost:       ${status['cost_usd']:.6f}",
    ]
    if status.get("error"):
        lines.append(f"error:      {status['error']}")
    return "\n".join(lines)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from router._batch._sdk import list_jobs

    store = _store(settings)
    jobs = [job.as_dict() for job in list_jobs(store, limit=args.limit)]
    if store.embedded:
        jobs = _with_local_jobs(store, jobs, args.limit)
    if args.json:
        print_json(jobs)
        return OK
    for job in jobs:
        finished = job["completed"] + job["failed"] + job["cancelled"]
        print(
            f"{job['id']}  {job['status']:<11} {finished:>7}/{job['total']:<7} ${job['cost_usd']:.6f}  "
            f"{job['name'] or ''}"
        )
    if not jobs:
        print("no batch jobs")
    return OK


def _with_local_jobs(store: Any, jobs: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The embedded jobs of earlier processes (kept under .router/jobs) beside this process's."""
    seen = {job["id"] for job in jobs}
    for path in _local_dir(store).glob("*.json"):
        local = _local_status(store, path.stem)
        if local is not None and local["id"] not in seen:
            jobs.append(local)
    jobs.sort(key=lambda job: job.get("created_at") or 0.0, reverse=True)
    return jobs[:limit]


def _cancel(args: argparse.Namespace, settings: Settings) -> int:
    from router._batch._sdk import BatchJob
    from router._errors import JobNotFound

    store = _store(settings)
    try:
        status = BatchJob(store, args.job).cancel().as_dict()
    except JobNotFound:
        local = _local_status(store, args.job)
        if not (store.embedded and local is not None):
            raise
        status = local  # an embedded job of an earlier process has ended: nothing left to stop
    pending = status["total"] - status["completed"] - status["failed"] - status["cancelled"]
    if args.json:
        print_json(status)
    else:
        print(f"{status['id']}: {status['status']} ({pending} items not finished)")
    return OK


# --------------------------------------------------------------------------- results


def _results(args: argparse.Namespace, settings: Settings) -> int:
    lines = _result_lines(_store(settings), args.job, errors_only=args.errors)
    if args.output is None:
        _write_lines(sys.stdout, lines)
        return OK
    try:
        with args.output.open("w", encoding="utf-8") as handle:
            count = _write_lines(handle, lines)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"router: {count} results written to {args.output}", file=sys.stderr)
    return OK


def _result_lines(store: Any, job: str, *, errors_only: bool) -> Iterator[str]:
    from router._batch._sdk import BatchJob
    from router._errors import JobNotFound

    handle = BatchJob(store, job)
    try:
        handle.status()
    except JobNotFound:
        local = _local_dir(store) / f"{job}.jsonl"
        if not (store.embedded and local.is_file()):
            raise
        return _local_results(local, errors_only)
    return (json.dumps(result, ensure_ascii=False) for result in handle.results(errors_only=errors_only))


def _local_results(path: Path, errors_only: bool) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and (not errors_only or json.loads(line)["status"] != "completed"):
                yield line.rstrip("\n")


def _write_lines(stream: IO[str], lines: Iterable[str]) -> int:
    count = 0
    for line in lines:
        stream.write(line + "\n")
        count += 1
    stream.flush()
    return count


# --------------------------------------------------------------------------- embedded jobs on disk


def _local_dir(store: Any) -> Path:
    """Where embedded jobs are kept: ``jobs/`` under the store's home (``ROUTER_HOME``)."""
    return Path(store.settings.home) / "jobs"


def _local_status(store: Any, job: str) -> dict[str, Any] | None:
    path = _local_dir(store) / f"{job}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def _save_local(
    store: Any, status: Any, results: Iterable[dict[str, Any]], *, interrupted: bool = False
) -> Path:
    """An embedded job's status and results, kept after the process ends."""
    directory = _local_dir(store)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{status.id}.jsonl"
    if interrupted:
        # The results so far are the items that finished. Whether the cancel had reached the
        # items not yet started (each then has a "cancelled" line) depends on how far the grace
        # period got, so they are left out either way and counted as cancelled below.
        results = (result for result in results if result.get("status") != "cancelled")
    with path.open("w", encoding="utf-8") as handle:
        _write_lines(handle, (json.dumps(result, ensure_ascii=False) for result in results))
    data = status.as_dict()
    if interrupted and status.status not in ("completed", "failed"):  # not one that ended in the grace
        # Nothing runs this job once the process ends: what had not finished is cancelled.
        data["cancelled"] = status.total - status.completed - status.failed
        data["status"] = "cancelled"
        data["error"] = "interrupted (Ctrl-C) during --wait; the items not finished were not run"
    (directory / f"{status.id}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
