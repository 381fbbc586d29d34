"""``AsyncClient`` keeps its promise: every I/O method is a coroutine that leaves the event loop free."""

from __future__ import annotations

import asyncio
import inspect
import threading
from pathlib import Path
from typing import Any

import pytest

import router
from router import AsyncClient, Client

ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"
IO_METHODS = (
    "route",
    "complete",
    "costs",
    "savings",
    "budgets",
    "submit_batch",
    "jobs",
    "job",
    "flush",
    "aclose",
)


@pytest.mark.parametrize("name", IO_METHODS)
def test_every_io_method_of_the_async_client_is_a_coroutine(name: str) -> None:
    assert inspect.iscoroutinefunction(getattr(AsyncClient, name))
    assert hasattr(Client, name if name != "aclose" else "close")


@pytest.mark.parametrize("name", ["costs", "savings", "budgets", "jobs"])
def test_a_report_runs_off_the_event_loop_while_a_task_on_it_moves_on(
    name: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The report's work waits until a task on the loop has run: had it blocked the loop,
    # that task could never run and the wait would give up.
    loop_ran = threading.Event()
    seen: list[bool] = []
    real = getattr(AsyncClient, f"_{name}")

    def waiting(self: AsyncClient, *args: Any) -> Any:
        seen.append(loop_ran.wait(timeout=10))
        return real(self, *args)

    monkeypatch.setattr(AsyncClient, f"_{name}", waiting)

    async def main() -> None:
        async with AsyncClient(ROUTES, redis_url=redis_url, simulate=True) as client:
            report = asyncio.ensure_future(getattr(client, name)())
            await asyncio.sleep(0)
            loop_ran.set()
            await report

    asyncio.run(main())
    assert seen == [True]


def test_the_async_clients_reports_include_its_own_calls_without_an_explicit_flush(redis_url: str) -> None:
    async def main() -> tuple[router.Completion, router.CostReport]:
        async with AsyncClient(ROUTES, redis_url=redis_url, simulate=True) as client:
            completion = await client.complete("Write a haiku about routers.")
            return completion, await client.costs(include_simulated=True)

    completion, report = asyncio.run(main())
    assert report.total.calls == 1
    assert report.total.spend_usd == pytest.approx(completion.cost_usd)


def test_submit_batch_on_the_async_client_returns_a_job_in_progress_or_done(
    redis_url: str, tmp_path: Path
) -> None:
    async def main() -> tuple[str, list[str]]:
        async with AsyncClient(ROUTES, simulate=True) as client:
            job = await client.submit_batch(["Write a haiku about routers.", "Summarise the notes."])
            listed = [status.id for status in await client.jobs()]
            assert (await client.job(job.id)).id == job.id
            return job.id, listed

    job_id, listed = asyncio.run(main())
    assert job_id in listed
