"""Chunk leases on the real Redis: what a dead worker leaves behind is queued again, once.

The lease times are shortened here (tens of milliseconds) through the same
parameters the shipped constants fill; ``tests/workers/test_chaos.py`` kills
real worker processes with the shipped times.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC
from types import SimpleNamespace
from typing import Any

import pytest

from router._batch import _celery
from router._batch._celery import QUEUE, RUN_CHUNK, create_app
from router._batch._keys import job_keys
from router._batch._leases import Keeper, hold_on_receipt, leased, leases_key
from router._batch._rescue import Rescuer
from router._batch._sdk import submit_batch
from router._config import RoutesConfig
from router._settings import Settings
from router._state._store import Store

pytestmark = pytest.mark.redis


class Requeued:
    """A redispatch that records the chunks the reaper queued again."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, int, int]] = []

    def __call__(self, job_id: str, ranges: Sequence[tuple[int, int]]) -> None:
        self.chunks.extend((job_id, start, stop) for start, stop in ranges)


def _keeper(store: Store, requeued: Requeued, lease_s: float = 0.05) -> Keeper:
    return Keeper(store, store.aio(), requeued, name="test:1", lease_s=lease_s)


def _leases(store: Store) -> list[str]:
    return [name.decode() for name in store.sync().zrange(leases_key(store), 0, -1)]


def test_a_received_chunk_whose_worker_died_before_it_started_is_queued_again(store: Store) -> None:
    async def body() -> None:
        hold_on_receipt(store.sync(), store, "job-a", 0, 10, "delivery-1", hold_s=0.05)
        requeued = Requeued()
        keeper = _keeper(store, requeued)
        assert await keeper.reap() == 0  # the lease has not lapsed yet
        await asyncio.sleep(0.1)
        assert await keeper.reap() == 1
        assert requeued.chunks == [("job-a", 0, 10)]
        assert _leases(store) == []  # forgotten once queued: no second requeue
        assert await keeper.reap() == 0

    asyncio.run(body())


def test_a_chunk_that_starts_takes_over_its_receipt_lease_and_releases_it_when_done(store: Store) -> None:
    async def body() -> None:
        hold_on_receipt(store.sync(), store, "job-a", 0, 10, "delivery-1", hold_s=60)
        async with leased(store.aio(), store, "job-a", 0, 10, "delivery-1", lease_s=60):
            assert _leases(store) == ["job-a:0:10:delivery-1"]
        assert _leases(store) == []

    asyncio.run(body())


def test_a_running_chunk_keeps_its_lease_by_renewing_it(store: Store) -> None:
    async def body() -> None:
        requeued = Requeued()
        keeper = _keeper(store, requeued)
        async with leased(store.aio(), store, "job-a", 0, 10, "d1", lease_s=0.2, renew_s=0.05):
            for _ in range(6):  # three lease times, the reaper looking each 0.1 s
                await asyncio.sleep(0.1)
                assert await keeper.reap() == 0
        assert requeued.chunks == []

    asyncio.run(body())


def test_two_deliveries_of_one_chunk_hold_a_lease_each(store: Store) -> None:
    """A redelivery beside a slow original: the one that ends first leaves the other its lease."""

    async def body() -> None:
        client = store.aio()
        async with leased(client, store, "job-a", 0, 10, "original", lease_s=60):
            async with leased(client, store, "job-a", 0, 10, "redelivery", lease_s=60):
                assert sorted(_leases(store)) == ["job-a:0:10:original", "job-a:0:10:redelivery"]
            assert _leases(store) == ["job-a:0:10:original"]

    asyncio.run(body())


def test_a_job_id_with_colons_is_queued_again_whole(store: Store) -> None:
    async def body() -> None:
        hold_on_receipt(store.sync(), store, "team:job:7", 20, 30, "d1", hold_s=0.01)
        await asyncio.sleep(0.05)
        requeued = Requeued()
        assert await _keeper(store, requeued).reap() == 1
        assert requeued.chunks == [("team:job:7", 20, 30)]

    asyncio.run(body())


def _request(app: Any, *, name: str = RUN_CHUNK, eta: Any = None) -> SimpleNamespace:
    return SimpleNamespace(
        name=name, args=["job-r", 0, 10], id="task-1", eta=eta, task=SimpleNamespace(app=app)
    )


def test_a_worker_takes_the_lease_of_a_chunk_the_moment_its_message_arrives(
    store: Store, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_celery, "_receipt_stores", {})
    app = create_app(Settings.defaults().with_changes(redis_url=redis_url))
    _celery._lease_on_receipt(request=_request(app))
    assert _leases(store) == ["job-r:0:10:task-1"]
    _celery._lease_on_receipt(request=_request(app, name="some.other.task"))
    assert _leases(store) == ["job-r:0:10:task-1"]  # only the router's chunks are leased


def test_a_chunk_waiting_for_its_eta_holds_its_lease_past_the_eta(
    store: Store, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, timedelta

    monkeypatch.setattr(_celery, "_receipt_stores", {})
    app = create_app(Settings.defaults().with_changes(redis_url=redis_url))
    _celery._lease_on_receipt(request=_request(app, eta=datetime.now(UTC) + timedelta(seconds=600)))
    ((_name, expiry_ms),) = store.sync().zrange(leases_key(store), 0, -1, withscores=True)
    seconds, micros = store.sync().time()
    now_ms = int(seconds) * 1000 + int(micros) // 1000
    assert expiry_ms - now_ms > 600_000  # a retry waiting out its backoff is not taken for dead


def test_a_chunk_ends_even_when_it_ends_while_a_renewal_is_in_flight(store: Store) -> None:
    """The renewal loop stops on an event, not a cancel that redis-py may lose (Python 3.11)."""

    async def body() -> None:
        client = store.aio()  # with a socket timeout, as the workers' client
        for attempt in range(200):
            async with asyncio.timeout(5):
                async with leased(client, store, "job-a", 0, 10, f"d{attempt}", lease_s=1, renew_s=0.001):
                    await asyncio.sleep(0.002 * (attempt % 5))
        assert _leases(store) == []

    asyncio.run(body())


def _job(store: Store, config: RoutesConfig, count: int = 120) -> str:
    items = ({"custom_id": f"item-{i}", "prompt": f"What is {i} squared?"} for i in range(count))
    return submit_batch(store, config, items, chunk_size=10, dispatch=Requeued()).id


def _rescuing_keeper(store: Store, requeued: Requeued) -> Keeper:
    client = store.aio()
    return Keeper(store, client, requeued, name="test:1", rescuer=Rescuer(store, client, client))


def test_a_job_that_waits_on_nothing_for_two_rounds_is_queued_again_whole(
    store: Store, config: RoutesConfig
) -> None:
    """Nothing queued, nothing leased, no progress: the message the broker lost is replaced."""
    job_id = _job(store, config)

    async def body() -> None:
        requeued = Requeued()
        keeper = _rescuing_keeper(store, requeued)
        assert await keeper.reap() == 0  # the first round only suspects it
        assert await keeper.reap() == 1
        assert requeued.chunks == [(job_id, start, min(start + 50, 120)) for start in (0, 50, 100)]
        other = Requeued()
        second = _rescuing_keeper(store, other)
        await second.reap()
        assert await second.reap() == 0  # another keeper leaves a job just rescued alone
        assert other.chunks == []

    asyncio.run(body())


def test_one_keeper_of_the_fleet_looks_for_stalled_jobs_and_another_takes_over_when_it_stops(
    store: Store, config: RoutesConfig
) -> None:
    job_id = _job(store, config)
    client = store.sync()

    async def body() -> None:
        aio = store.aio()
        first, second = Rescuer(store, aio, aio), Rescuer(store, aio, aio)
        await first.stalled(set())  # the scanner: it suspects the job
        assert first.suspects == {job_id: 0}
        for _ in range(3):  # the others skip their rounds without reading the jobs
            assert await second.stalled(set()) == []
            assert second.suspects == {}
        client.delete(store.key("batch", "rescue", "scanner"))  # the scanner died: its lease lapsed
        await second.stalled(set())
        assert await second.stalled(set()) == [(job_id, 120)]
        assert await first.stalled(set()) == []  # and the first, back, is not the scanner

    asyncio.run(body())


@pytest.mark.parametrize("busy", ["queued", "leased", "progressing"])
def test_a_job_with_work_queued_running_or_moving_is_left_alone(
    store: Store, config: RoutesConfig, busy: str
) -> None:
    job_id = _job(store, config)
    client = store.sync()
    if busy == "queued":
        client.rpush(QUEUE, "a message")
    if busy == "leased":
        hold_on_receipt(client, store, job_id, 0, 10, "d1", hold_s=60)

    async def body() -> None:
        requeued = Requeued()
        keeper = _rescuing_keeper(store, requeued)
        await keeper.reap()
        if busy == "progressing":
            client.hincrby(job_keys(store, job_id).job, "finished", 1)
        await keeper.reap()
        assert requeued.chunks == []

    asyncio.run(body())
