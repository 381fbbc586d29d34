"""Batch items under a pseudonymising rule: masked when they run, never in what the job stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from router._batch._context import WorkerContext
from router._batch._sdk import submit_batch
from router._config import RoutesConfig
from router._runtime import Runtime
from router._state._store import Store
from tests.batch.conftest import Queue, run_chunks
from tests.calls.test_pseudonymise_calls import ROUTES, Echo

PEOPLE = [("Helena Shaw", "helena.shaw@example.com"), ("Marco Rossi", "marco.rossi@example.org")]


@pytest.fixture
def config() -> RoutesConfig:
    return ROUTES


@pytest.fixture
def echo() -> Echo:
    return Echo()


@pytest.fixture
def context(store: Store, config: RoutesConfig, echo: Echo) -> Iterator[WorkerContext]:
    context = WorkerContext(
        store=store, runtime=lambda s: Runtime.build(config, store=s, provider=echo), in_flight=4
    )
    yield context
    context.close()


def test_each_item_is_pseudonymised_when_it_runs_and_its_stored_result_is_restored(
    store: Store, config: RoutesConfig, queue: Queue, context: WorkerContext, echo: Echo, redis_url: str
) -> None:
    prompts = [f"Dear {name}, your refund goes to {mail} today." for name, mail in PEOPLE]
    items = [{"custom_id": f"c{index}", "prompt": prompt} for index, prompt in enumerate(prompts)]
    job = submit_batch(store, config, items, chunk_size=2, dispatch=queue)
    run_chunks(context, queue.chunks)
    results = {result["custom_id"]: result for result in job.results()}
    assert {key: result["response"]["content"] for key, result in results.items()} == {
        "c0": "Re: " + prompts[0],
        "c1": "Re: " + prompts[1],
    }
    assert {result["response"]["model"] for result in results.values()} == {"cloud"}
    sent = " ".join(body for _, body in echo.received)
    assert len(echo.received) == 2
    for name, mail in PEOPLE:
        assert name not in sent
        assert mail not in sent
    # What the job keeps is the input and the restored answers: no placeholder, so no mapping.
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter():
            if client.type(key) == b"string":
                assert b"<PERSON_" not in (client.get(key) or b"")
            elif client.type(key) == b"hash":
                assert not any(b"<PERSON_" in value for value in client.hgetall(key).values())
    finally:
        client.close()
