"""Submitting a job: streamed into Redis, validated per line, published only when whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redis

from router._batch import _submit
from router._batch._keys import job_keys
from router._batch._sdk import list_jobs, submit_batch
from router._config import RoutesConfig
from router._errors import BatchInputError, StoreUnavailable, UsageError
from router._state._store import Store, StoreSettings
from tests.batch.conftest import Queue, write_jsonl

# Each test runs on the single Redis server and again on a three-primary Redis Cluster.
pytestmark = pytest.mark.cluster


def _lines(count: int) -> list[dict[str, Any]]:
    return [{"custom_id": f"c{i}", "prompt": f"Question {i}: what is {i} + {i}?"} for i in range(count)]


def test_a_file_is_validated_stored_and_queued_in_chunks(
    store: Store, config: RoutesConfig, queue: Queue, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", _lines(120))
    job = submit_batch(
        store, config, path, name="n", team="research", tags=["t"], chunk_size=50, dispatch=queue
    )
    status = job.status()
    assert (status.status, status.total, status.failed, status.name, status.team, status.tags) == (
        "in_progress",
        120,
        0,
        "n",
        "research",
        ("t",),
    )
    assert queue.chunks == [(job.id, 0, 50), (job.id, 50, 100), (job.id, 100, 120)]
    assert [entry.id for entry in list_jobs(store)] == [job.id]


def test_the_input_is_written_in_pages_not_held_whole(
    store: Store, config: RoutesConfig, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages: list[int] = []
    real = _submit._write_page

    def spy(*args: Any) -> None:
        pages.append(len(args[3]))
        real(*args)

    monkeypatch.setattr(_submit, "_write_page", spy)
    monkeypatch.setattr(_submit, "PAGE_LINES", 100)
    submit_batch(store, config, iter(_lines(250)), dispatch=queue)
    assert pages == [100, 100, 50]


def test_a_duplicate_custom_id_fails_the_later_line_naming_the_first(
    store: Store, config: RoutesConfig, queue: Queue
) -> None:
    items = [
        {"custom_id": "a", "prompt": "one"},
        {"custom_id": "b", "prompt": "two"},
        {"custom_id": "a", "prompt": "3"},
    ]
    job = submit_batch(store, config, items, dispatch=queue)
    (error,) = list(job.results(errors_only=True))
    assert error["line"] == 3
    assert error["error"]["code"] == "duplicate_custom_id"
    assert "already used by line 1" in error["error"]["message"]
    assert (job.status().total, job.status().failed) == (3, 1)


def test_missing_custom_ids_are_generated_from_line_numbers(
    store: Store, config: RoutesConfig, queue: Queue
) -> None:
    job = submit_batch(
        store, config, ["first", {"custom_id": "line-2", "prompt": "clash"}, "third"], dispatch=queue
    )
    payloads = [json.loads(raw) for raw in store.sync().lrange(job_keys(store, job.id).items, 0, -1)]
    ids = [payload["custom_id"] for payload in payloads]
    assert ids[0] == "line-1"
    assert ids[1] == "line-2"
    assert ids[2] == "line-3"
    assert len(set(ids)) == 3


def test_a_file_where_no_line_is_valid_fails_the_job_at_validation(
    store: Store, config: RoutesConfig, queue: Queue, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", ["not json", {"max_tokens": 3}])
    job = submit_batch(store, config, path, dispatch=queue)
    status = job.status()
    assert (status.status, status.total, status.failed, status.invalid) == ("failed", 2, 2, 2)
    assert status.error is not None
    assert "line 1: not valid JSON" in status.error
    assert queue.chunks == []
    assert [result["line"] for result in job.results()] == [1, 2]


def test_the_same_idempotency_key_returns_the_existing_job(
    store: Store, config: RoutesConfig, queue: Queue
) -> None:
    first = submit_batch(store, config, _lines(3), idempotency_key="nightly-42", dispatch=queue)
    again = submit_batch(store, config, _lines(3), idempotency_key="nightly-42", dispatch=queue)
    other = submit_batch(store, config, _lines(3), idempotency_key="nightly-43", dispatch=queue)
    assert (again.id, again.reused) == (first.id, True)
    assert other.id != first.id
    assert len(queue.chunks) == 2
    assert len(list_jobs(store)) == 2


def test_empty_input_is_an_error_and_creates_no_job(store: Store, config: RoutesConfig, queue: Queue) -> None:
    with pytest.raises(BatchInputError, match="no items"):
        submit_batch(store, config, [], dispatch=queue)
    assert store.sync().keys("router:batch:*") == []


def test_redis_failing_mid_submission_leaves_no_job(
    store: Store, config: RoutesConfig, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _submit._write_page
    calls = {"n": 0}

    def flaky(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise redis.ConnectionError("connection reset by peer")
        real(*args)

    monkeypatch.setattr(_submit, "_write_page", flaky)
    monkeypatch.setattr(_submit, "PAGE_LINES", 10)
    with pytest.raises(StoreUnavailable, match="unreachable"):
        submit_batch(store, config, _lines(100), dispatch=queue)
    assert store.sync().keys("router:batch:*") == []
    assert queue.chunks == []


def test_an_unreachable_redis_is_a_clear_error(config: RoutesConfig, queue: Queue) -> None:
    dead = Store(StoreSettings(url="redis://127.0.0.1:1/0", connect_timeout_s=0.5))
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:1.*unreachable"):
        submit_batch(dead, config, _lines(2), dispatch=queue)


def test_an_unknown_team_is_refused(store: Store, config: RoutesConfig, queue: Queue) -> None:
    with pytest.raises(UsageError, match="unknown team 'nobody'"):
        submit_batch(store, config, _lines(1), team="nobody", dispatch=queue)
