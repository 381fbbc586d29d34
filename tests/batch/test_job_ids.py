"""``client.job(job_id)`` refuses what cannot be a job id and names a missing job clearly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import router
from router import AsyncClient, Client, JobNotFound, UsageError

ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"

NOT_JOB_IDS = ["../../etc/passwd", "batch_*", "a b", "", "batch_0123\n", "-rf", "x" * 129, None, 123]


@pytest.mark.parametrize(
    "bad",
    NOT_JOB_IDS,
    ids=["path", "glob", "space", "empty", "line-break", "dash-first", "too-long", "none", "int"],
)
def test_a_malformed_job_id_is_a_usage_error_that_says_what_one_looks_like(bad: object) -> None:
    client = Client(ROUTES, simulate=True)
    with pytest.raises(UsageError) as caught:
        client.job(bad)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "is not a job id" in message
    assert "router batch list" in message
    assert "client.jobs()" in message


def test_an_unknown_job_id_is_job_not_found_naming_the_store_and_how_to_list_jobs() -> None:
    client = Client(ROUTES, simulate=True)
    with pytest.raises(JobNotFound) as caught:
        client.job("batch_0123456789abcdef0123456789")
    assert caught.value.job_id == "batch_0123456789abcdef0123456789"
    assert "embedded store" in str(caught.value)
    assert "router batch list" in str(caught.value)


def test_the_async_client_refuses_a_malformed_job_id_the_same_way() -> None:
    async def main() -> None:
        async with AsyncClient(ROUTES, simulate=True) as client:
            await client.job("batch_*")

    with pytest.raises(UsageError, match="is not a job id"):
        asyncio.run(main())


def test_a_job_id_the_router_made_is_accepted() -> None:
    client = Client(ROUTES, simulate=True)
    job = client.submit_batch(["Write a haiku about routers."])
    assert client.job(job.id).id == job.id
    assert isinstance(job, router.BatchJob)
