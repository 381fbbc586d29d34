"""``router batch submit|status|list|cancel|results``.

With ``ROUTER_REDIS_URL`` set, jobs live in the shared Redis and run on
``router worker`` processes. Without it a job runs embedded, in the
submitting process, on the simulated provider; ``submit`` then always waits,
and writes the job's status and results under ``.router/jobs/`` so that
``status`` and ``results`` in a later process can still show them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from router._cli._common import CALL_FAILED, OK, add_routes_option, print_json

EMBEDDED_NOTE = (
    "router: no ROUTER_REDIS_URL set: running this batch embedded, in this process, on the simulated "
    "provider (no model is called, no API key is used); results are also written to {path}"
)


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
    add_routes_option(submit)
    submit.set_defaults(handler=_submit)

    status = actions.add_parser("status", help="a job's status, counts and cost")
    status.add_argument("job", metavar="JOB")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    listing = actions.add_parser("list", help="recent jobs, newest first")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    cancel = actions.add_parser("cancel", help="stop a job's items that have not started")
    cancel.add_argument("job", metavar="JOB")
    cancel.set_defaults(handler=_cancel)

    results = actions.add_parser("results", help="a job's results as JSONL, joined by custom_id")
    results.add_argument("job", metavar="JOB")
    results.add_argument("-o", "--output", metavar="FILE", default=None, help="write here instead of stdout")
    results.add_argument("--errors", action="store_true", help="only the failed items")
    results.set_defaults(handler=_results)


def _store() -> Any:
    from router._state._store import Store, StoreSettings

    return Store(StoreSettings.from_env())


def _submit(args: argparse.Namespace) -> int:
    from router._batch._progress import ProgressDisplay
    from router._batch._sdk import submit_batch
    from router._config import load_routes

    store = _store()
    config = load_routes(args.routes)
    if store.embedded:
        print(EMBEDDED_NOTE.format(path=_local_dir() / "<job id>.jsonl"), file=sys.stderr)
    job = submit_batch(
        store,
        config,
        args.file,
        name=args.name,
        team=args.team,
        tags=args.tags,
        idempotency_key=args.idempotency_key,
    )
    print(job.id, flush=True)
    if job.reused:
        print(f"router: an earlier job has this idempotency key: {job.id}", file=sys.stderr)
    if not (args.wait or store.embedded):
        status = job.status()
        return _report_failed(status) if status.status == "failed" else OK
    with ProgressDisplay() as display:
        final = job.wait(progress=display)
    if store.embedded:
        path = _save_local(final, job.results())
        print(f"router: results written to {path}", file=sys.stderr)
    return _report_failed(final) if final.status == "failed" else OK


def _report_failed(status: Any) -> int:
    print(f"router: error: job {status.id} failed: {status.error}", file=sys.stderr)
    return CALL_FAILED


def _status(args: argparse.Namespace) -> int:
    status = _read_status(args.job)
    if args.json:
        print_json(status)
        return OK
    print(_render(status))
    return OK


def _read_status(job_id: str) -> dict[str, Any]:
    from router._batch._sdk import BatchJob
    from router._errors import JobNotFound

    store = _store()
    try:
        return BatchJob(store, job_id).status().as_dict()
    except JobNotFound:
        local = _local_dir() / f"{job_id}.json"
        if store.embedded and local.is_file():
            data: dict[str, Any] = json.loads(local.read_text(encoding="utf-8"))
            return data
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


def _list(args: argparse.Namespace) -> int:
    from router._batch._sdk import list_jobs

    jobs = [job.as_dict() for job in list_jobs(_store(), limit=args.limit)]
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


def _cancel(args: argparse.Namespace) -> int:
    from router._batch._sdk import BatchJob

    status = BatchJob(_store(), args.job).cancel()
    print(f"{status.id}: {status.status} ({status.pending} items not finished)")
    return OK


def _results(args: argparse.Namespace) -> int:
    lines = _result_lines(args.job, errors_only=args.errors)
    if args.output is None:
        _write_lines(sys.stdout, lines)
        return OK
    with Path(args.output).open("w", encoding="utf-8") as handle:
        count = _write_lines(handle, lines)
    print(f"router: {count} results written to {args.output}", file=sys.stderr)
    return OK


def _result_lines(job_id: str, *, errors_only: bool) -> Iterator[str]:
    from router._batch._sdk import BatchJob
    from router._errors import JobNotFound

    store = _store()
    job = BatchJob(store, job_id)
    try:
        job.status()
    except JobNotFound:
        local = _local_dir() / f"{job_id}.jsonl"
        if not (store.embedded and local.is_file()):
            raise
        return _local_results(local, errors_only)
    return (json.dumps(result, ensure_ascii=False) for result in job.results(errors_only=errors_only))


def _local_results(path: Path, errors_only: bool) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and (not errors_only or json.loads(line)["status"] == "failed"):
                yield line.rstrip("\n")


def _write_lines(stream: IO[str], lines: Iterable[str]) -> int:
    count = 0
    for line in lines:
        stream.write(line + "\n")
        count += 1
    stream.flush()
    return count


def _local_dir() -> Path:
    from router._ledger._files import router_home

    return router_home() / "jobs"


def _save_local(status: Any, results: Iterable[dict[str, Any]]) -> Path:
    """An embedded job's status and results, kept after the process ends."""
    directory = _local_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{status.id}.json").write_text(
        json.dumps(status.as_dict(), indent=2) + "\n", encoding="utf-8"
    )
    path = directory / f"{status.id}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        _write_lines(handle, (json.dumps(result, ensure_ascii=False) for result in results))
    return path
