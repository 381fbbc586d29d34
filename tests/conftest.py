"""Shared test set-up: offline by construction, real Redis where it matters.

The environment below is set before anything imports litellm, so no test can
download a price map or a tokenizer, and no test can reach a real provider:
``OPENAI_API_BASE`` and friends point at a closed local port. litellm's offline
switches come from the one place that lists them, ``router._settings``; the
router sets them itself before it imports litellm, and setting them here too
covers whatever the test process imports first.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import structlog

from router._settings import set_litellm_offline_defaults

if TYPE_CHECKING:
    from tests.support.redis_claim import Claim

set_litellm_offline_defaults()
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
# Any accidental real provider request fails fast: no keys, and a dead base URL.
for _var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY", "DASHSCOPE_API_KEY"):
    os.environ.pop(_var, None)
os.environ["OPENAI_API_BASE"] = "http://127.0.0.1:9/v1"
os.environ.pop("ROUTER_REDIS_URL", None)
# The embedded ledger and batch files go to a throw-away folder, never the checkout.
os.environ["ROUTER_HOME"] = tempfile.mkdtemp(prefix="router-tests-")
# The parsed-tokenizer cache too: tests must not write into the user's ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="router-tests-cache-")
os.environ.pop("ROUTER_SIMULATE", None)

# The server the Redis tests use; each run claims its own databases on it (tests/support/redis_claim.py).
TEST_REDIS_SERVER = os.environ.get("ROUTER_TEST_REDIS_URL", "redis://127.0.0.1:6379")
_CLAIM = pytest.StashKey["Claim | str"]()


def __getattr__(name: str) -> object:
    if name == "TEST_REDIS_URL":  # removed: a fixed database is what let two runs flush each other
        raise ImportError(
            "tests.conftest.TEST_REDIS_URL is gone: use the redis_url fixture (this run's claimed database) "
            "or redis_broker_url (its second one); see tests/support/redis_claim.py"
        )
    raise AttributeError(name)


def _claim_databases(config: pytest.Config) -> Claim | str:
    """This run's databases on the test server, or why there are none (a message for every Redis test)."""
    from tests.support import redis_claim

    capture = config.pluginmanager.getplugin("capturemanager")

    def say(message: str) -> None:  # shown while pytest captures output: another run holds the server
        with capture.global_and_fixture_disabled():
            print(message, file=sys.stderr, flush=True)

    try:
        listed = os.environ.get("ROUTER_TEST_REDIS_DATABASES")
        groups = redis_claim.parse_groups(listed) if listed else redis_claim.DEFAULT_GROUPS
        wait_s = float(os.environ.get("ROUTER_TEST_REDIS_WAIT_S", "600"))
        return redis_claim.claim(TEST_REDIS_SERVER, groups, wait_s=wait_s, say=say)
    except (redis_claim.ClaimError, ValueError) as exc:
        return str(exc)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Claim this run's Redis databases once, before the first test, if any collected test uses Redis.

    Here rather than in the fixture so that waiting for another run does not count against the
    first test's timeout, and a run without Redis tests never touches the server.
    """
    if session.config.option.collectonly:
        return
    uses = {"test_redis", "redis_url", "redis_broker_url"}
    if any(uses.intersection(item.fixturenames) for item in session.items):
        session.config.stash[_CLAIM] = _claim_databases(session.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    claim = config.stash.get(_CLAIM, None)
    if claim is not None and not isinstance(claim, str):
        claim.release()


@pytest.fixture(autouse=True)
def _own_router_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store built without settings keeps its spool and journal in the test's own folder.

    (With settings, ``$ROUTER_HOME`` above decides.) Never the checkout's ``./.router``, and
    never another test's files.
    """
    from router._state import _store

    monkeypatch.setattr(_store, "DEFAULT_HOME", tmp_path / ".router")


@pytest.fixture(autouse=True)
def no_text_in_logs_or_ledger(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fail any test in which a prompt, a completion or an API key reaches a log event or a ledger record."""
    from tests.support.leaks import guarded

    if request.node.get_closest_marker("leaks_on_purpose"):  # the guard's own tests
        yield
        return

    with guarded(monkeypatch) as secrets:
        yield
    if secrets.leaks:
        pytest.fail("text leaked: " + "; ".join(sorted(set(secrets.leaks))), pytrace=False)


@pytest.fixture(autouse=True)
def default_logging() -> Iterator[None]:
    """structlog's defaults for every test: a CLI test's ``configure()`` must not hide later events."""
    saved = structlog.get_config()
    structlog.reset_defaults()
    yield
    structlog.configure(**saved)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``cluster`` run twice: on the single Redis server and on a three-primary Cluster.

    ``single_redis`` keeps one test of such a module on the single server only.
    """
    marked = metafunc.definition.get_closest_marker
    if "redis_url" in metafunc.fixturenames and marked("cluster") and not marked("single_redis"):
        metafunc.parametrize("redis_url", ["single", "cluster"], indirect=True)


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[object]:
    """A real Redis Cluster of three primaries on free loopback ports, for the whole session."""
    from tests.support.cluster import local_cluster

    with local_cluster(3) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def test_redis(request: pytest.FixtureRequest) -> Claim:
    """This run's claimed databases on the test server: the data database first, then the broker's.

    A missing server is a failure, not a skip: CI starts Redis, and a test that
    silently skips proves nothing.
    """
    config = request.config
    if _CLAIM not in config.stash:  # requested by a test the collection check did not see
        config.stash[_CLAIM] = _claim_databases(config)
    claim = config.stash[_CLAIM]
    if isinstance(claim, str):
        pytest.fail(claim, pytrace=False)
    return claim


def _flushed(claim: Claim, index: int) -> Iterator[str]:
    """The claim's ``index``-th database, flushed before and after the test."""
    import redis

    claim.check()
    url = claim.url(index)
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"the real Redis server at {url} is not reachable: {exc}")
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The real Redis server (or, for ``cluster`` tests, the Cluster), flushed before and after the test.

    On the single server it is this run's claimed data database, never one another run uses.
    """
    if getattr(request, "param", "single") == "cluster":
        cluster = request.getfixturevalue("redis_cluster")
        cluster.flush()
        yield cluster.url
        cluster.flush()
        return
    yield from _flushed(request.getfixturevalue("test_redis"), 0)


@pytest.fixture
def redis_broker_url(test_redis: Claim) -> Iterator[str]:
    """This run's second claimed database, for a Celery broker apart from the data; flushed per test."""
    yield from _flushed(test_redis, 1)
