"""Two test runs (or a run and a benchmark) on one Redis server never share a database.

The claims here live under a namespace of each test's own, so they never touch the claim
this run itself holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.batch.conftest import eventually
from tests.support import redis_claim
from tests.support.redis_claim import Claim, ClaimError

pytestmark = pytest.mark.redis

GROUPS = ((15, 9), (14, 13))


@pytest.fixture
def server(test_redis: Claim) -> str:
    """The test Redis server's URL (the one this run claimed its own databases on)."""
    return test_redis.server_url


@pytest.fixture
def namespace(server: str) -> Iterator[str]:
    """A claim namespace of this test's own on the test server, removed afterwards."""
    name = f"router-tests-selftest-{uuid.uuid4().hex[:8]}"
    yield name
    client = _registry(server)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)
    client.close()


def _registry(server: str) -> redis.Redis:
    return redis.Redis.from_url(redis_claim.database_url(server, redis_claim.REGISTRY_DB))


def test_this_runs_redis_url_is_a_database_it_holds(server: str, test_redis: Claim, redis_url: str) -> None:
    held = redis_claim.holders(server, test_redis.databases)
    assert int(redis_url.rsplit("/", 1)[1]) == test_redis.databases[0]
    assert set(held.values()) == {test_redis.token}


def test_two_concurrent_claims_get_disjoint_groups(server: str, namespace: str) -> None:
    first = redis_claim.try_claim(server, GROUPS, namespace=namespace)
    second = redis_claim.try_claim(server, GROUPS, namespace=namespace)
    assert first is not None
    assert second is not None
    assert (first.databases, second.databases) == GROUPS
    assert redis_claim.try_claim(server, GROUPS, namespace=namespace) is None


def test_a_group_is_taken_whole_or_not_at_all(server: str, namespace: str) -> None:
    """A run holding only database 9 blocks the group (15, 9) without leaving 15 claimed."""
    assert redis_claim.try_claim(server, [(9,)], namespace=namespace) is not None
    taken = redis_claim.try_claim(server, GROUPS, namespace=namespace)
    assert taken is not None
    assert taken.databases == (14, 13)
    assert 15 not in redis_claim.holders(server, [15], namespace)


def test_a_released_claim_frees_its_databases_for_the_next_run(server: str, namespace: str) -> None:
    first = redis_claim.claim(server, GROUPS[:1], namespace=namespace, wait_s=0)
    first.release()
    again = redis_claim.claim(server, GROUPS[:1], namespace=namespace, wait_s=0)
    assert again.databases == GROUPS[0]
    again.release()


def test_when_every_group_is_held_the_error_names_the_holder_and_the_fix(server: str, namespace: str) -> None:
    held = redis_claim.claim(server, GROUPS[:1], namespace=namespace, wait_s=0)
    with pytest.raises(ClaimError) as caught:
        redis_claim.claim(server, GROUPS[:1], namespace=namespace, wait_s=0)
    held.release()
    message = str(caught.value)
    assert held.token in message
    assert "ROUTER_TEST_REDIS_DATABASES" in message
    assert "ROUTER_TEST_REDIS_URL" in message


def test_a_killed_runs_claim_lapses_and_its_databases_are_taken(server: str, namespace: str) -> None:
    """A run that dies stops renewing; once the TTL passes, the next run gets its group."""
    killed = redis_claim.try_claim(server, GROUPS[:1], ttl_s=0.3, namespace=namespace)
    assert killed is not None  # never renewed, as if its process had been SIGKILLed

    def taken() -> bool:
        return redis_claim.try_claim(server, GROUPS[:1], namespace=namespace) is not None

    eventually(taken, timeout_s=10, what="the lapsed claim to be taken")


def test_every_claim_key_carries_a_ttl(server: str, namespace: str) -> None:
    taken = redis_claim.try_claim(server, GROUPS[:1], ttl_s=30, namespace=namespace)
    assert taken is not None
    client = _registry(server)
    ttls = [client.pttl(key) for key in taken.keys]
    client.close()
    assert all(0 < ttl <= 30_000 for ttl in ttls)


def test_renewal_retakes_a_claim_whose_keys_were_flushed(server: str, namespace: str) -> None:
    taken = redis_claim.try_claim(server, GROUPS[:1], namespace=namespace)
    assert taken is not None
    client = _registry(server)
    client.delete(*taken.keys)
    taken.renew()
    assert client.mget(taken.keys) == [taken.token.encode()] * 2
    client.close()
    taken.check()


def test_a_claim_another_run_took_is_lost_and_check_fails(server: str, namespace: str) -> None:
    taken = redis_claim.try_claim(server, GROUPS[:1], namespace=namespace)
    assert taken is not None
    client = _registry(server)
    client.set(taken.keys[1], "another run")
    client.close()
    taken.renew()
    with pytest.raises(ClaimError, match="another run took databases"):
        taken.check()
    taken.release()
    assert redis_claim.holders(server, [9], namespace) == {9: "another run"}


@pytest.mark.parametrize(
    ("text", "groups"),
    [("15,9;14,13", ((15, 9), (14, 13))), ("15; 14;", ((15,), (14,)))],
    ids=["pairs", "singles"],
)
def test_database_groups_are_read_from_the_environment_format(
    text: str, groups: tuple[tuple[int, ...]]
) -> None:
    assert redis_claim.parse_groups(text) == groups


@pytest.mark.parametrize("text", ["15,x", "15,9;14", ""], ids=["not-a-number", "uneven", "empty"])
def test_unreadable_database_groups_are_an_error(text: str) -> None:
    with pytest.raises(ClaimError):
        redis_claim.parse_groups(text)
