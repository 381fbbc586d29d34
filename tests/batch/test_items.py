"""Batch items and results are frozen typed models with one serialisation, built once at submission."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest

from router._batch._items import BatchItem, ItemResult
from router._batch._keys import job_keys
from router._batch._sdk import submit_batch
from router._config import RoutesConfig
from router._state._store import Store
from router._task import Task
from tests.batch.conftest import Queue, run_chunks


def _item() -> BatchItem:
    task = Task.build("Résumé this, bitte", max_tokens=50, tags=("code",), metadata={"k": 1})
    return BatchItem.of(3, 4, "q-3", task)


def test_an_item_survives_its_serialisation_unchanged() -> None:
    item = _item()
    assert BatchItem.loads(item.dumps()) == item
    assert "Résumé" in item.dumps(), "text is stored as UTF-8, not escaped"


def test_an_item_is_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        _item().custom_id = "other"  # type: ignore[misc]


def test_an_item_becomes_the_task_it_was_built_from_with_the_jobs_team_and_tags_first() -> None:
    task = _item().task(team="research", job_tags=("nightly",))
    assert task.messages == ({"role": "user", "content": "Résumé this, bitte"},)
    assert (task.max_tokens, task.team, task.tags, dict(task.metadata)) == (
        50,
        "research",
        ("nightly", "code"),
        {"k": "1"},
    )
    assert task.texts == ("Résumé this, bitte",)


def test_an_item_stored_before_the_models_still_loads() -> None:
    # The dict json.dumps wrote before items were models: same field names, spaced JSON.
    old: dict[str, Any] = {
        "n": 0, "line": 1, "custom_id": "a", "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": None, "tags": [], "metadata": {},
    }  # fmt: skip
    assert BatchItem.loads(json.dumps(old, ensure_ascii=False)).custom_id == "a"


def test_a_result_reads_back_as_the_json_line_users_get() -> None:
    failed = ItemResult.failure("q", 2, "invalid_json", "line 2: not valid JSON", cost_usd=0.5)
    assert failed.as_dict() == {
        "custom_id": "q",
        "line": 2,
        "status": "failed",
        "response": None,
        "error": {"code": "invalid_json", "message": "line 2: not valid JSON"},
        "cost_usd": 0.5,
    }
    assert ItemResult.loads(failed.dumps()) == failed


def test_a_malformed_stored_item_is_refused_not_guessed() -> None:
    with pytest.raises(pydantic.ValidationError):
        BatchItem.loads('{"n": 0, "line": 1}')


def test_task_build_runs_once_per_item_from_submission_to_result(
    store: Store, config: RoutesConfig, queue: Queue, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = Task.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Task], *args: Any, **kwargs: Any) -> Task:
        built.append(1)
        task: Task = original(cls, *args, **kwargs)
        return task

    monkeypatch.setattr(Task, "build", classmethod(counting))
    job = submit_batch(
        store, config, [f"What is {i} plus one?" for i in range(12)], chunk_size=5, dispatch=queue
    )
    run_chunks(context, queue.chunks)
    assert job.status().completed == 12
    assert len(built) == 12


def test_the_stored_item_is_the_models_serialisation(
    store: Store, config: RoutesConfig, queue: Queue
) -> None:
    job = submit_batch(
        store, config, [{"custom_id": "x", "prompt": "Hallo Welt", "tags": ["t"]}], dispatch=queue
    )
    [payload] = store.sync().lrange(job_keys(store, job.id).items, 0, -1)
    item = BatchItem.loads(payload)
    assert (item.n, item.line, item.custom_id, item.tags) == (0, 1, "x", ("t",))
    assert payload.decode() == item.dumps()
