"""The gateway's garbage collection at idle moments: CPython's schedule, moved to when no request waits."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
from starlette.types import Receive, Scope, Send

from router._gateway._collector import CollectWhenIdle, IdleCollector


@pytest.fixture
def collector() -> Iterator[IdleCollector]:
    before = gc.get_threshold()
    collector = IdleCollector(ceiling=1_000_000, young=100)
    collector.start()
    try:
        yield collector
    finally:
        collector.stop()
        assert gc.get_threshold() == before


def test_start_moves_the_automatic_threshold_to_the_ceiling_and_stop_gives_it_back(
    collector: IdleCollector,
) -> None:
    assert gc.get_threshold()[0] == 1_000_000


def test_an_idle_moment_collects_the_young_generation_once_enough_is_new(collector: IdleCollector) -> None:
    gc.collect()
    assert collector.collect_due() is None  # nothing new since
    kept = [[] for _ in range(500)]  # containers the young generation counts while they live
    assert gc.get_count()[0] >= 500
    assert collector.collect_due() == 0
    assert gc.get_count()[0] < 100
    assert len(kept) == 500


def test_older_generations_come_due_after_as_many_younger_collections_as_cpython_waits(
    collector: IdleCollector,
) -> None:
    gc.collect()
    middle, old = gc.get_threshold()[1:]
    done, kept = [], []
    for _ in range((old + 1) * (middle + 2) + 1):
        kept.append([[] for _ in range(150)])  # new containers each time (a freed one uncounts itself)
        done.append(collector.collect_due())
    # A generation is due once its count exceeds its threshold, as in CPython's own schedule.
    assert done[: middle + 2] == [0] * (middle + 1) + [1]
    assert done.index(2) == (old + 1) * (middle + 2)
    assert done.count(1) == old + 1


def test_requests_in_flight_hold_the_collection_until_the_last_one_has_answered(
    collector: IdleCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    collected: list[int | None] = []
    due = collector.collect_due
    monkeypatch.setattr(collector, "collect_due", lambda: collected.append(due()) or None)
    release = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") == "/slow":
            await release.wait()

    counted = CollectWhenIdle(app, collector)

    async def main() -> None:
        slow = asyncio.create_task(counted({"type": "http", "path": "/slow"}, _receive, _send))
        await asyncio.sleep(0)
        await counted({"type": "http", "path": "/fast"}, _receive, _send)
        assert (collector.in_flight, collected) == (1, [])  # the slow one still waits
        release.set()
        await slow
        assert collector.in_flight == 0
        await counted({"type": "lifespan"}, _receive, _send)  # not a request: not counted

    asyncio.run(main())
    assert len(collected) == 1


async def _receive() -> dict[str, object]:
    return {"type": "http.request", "body": b""}


async def _send(message: object) -> None:
    return None


def test_idle_hooks_run_when_the_last_request_in_flight_finishes() -> None:
    collector = IdleCollector()
    calls: list[int] = []
    collector.when_idle(lambda: calls.append(collector.in_flight))
    collector.begin()
    collector.begin()
    collector.end()
    assert calls == []  # one request still in flight
    collector.end()
    assert calls == [0]
