"""``router keys``: a key is shown once, stored only as its hash, listed and revoked by id."""

from __future__ import annotations

import json

import pytest
import redis

from router._cli import main
from router._gateway._keys import KeyStore, digest
from router._state._store import Store, StoreSettings


@pytest.fixture
def on_redis(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ROUTER_REDIS_URL", redis_url)
    return redis_url


def test_create_prints_the_key_once_and_redis_holds_only_its_hash(
    on_redis: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "create", "--team", "research", "--rpm", "60", "--quiet"]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("sk-router-")
    client = redis.Redis.from_url(on_redis)
    stored = b"".join(key + b"".join(client.hgetall(key).values()) for key in client.keys("*"))
    assert secret.encode() not in stored
    assert digest(secret).encode() in stored


def test_list_shows_team_and_limits_and_revoke_marks_the_key(
    on_redis: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "create", "--team", "finance", "--budget", "5", "--budget-period", "day", "--quiet"])
    capsys.readouterr()
    assert main(["keys", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["team"], listed["budget_usd"], listed["budget_period"], listed["revoked"]) == (
        "finance",
        5.0,
        "day",
        None,
    )
    assert main(["keys", "revoke", listed["id"]]) == 0
    [revoked] = KeyStore(Store(StoreSettings(url=on_redis))).list()
    assert revoked.revoked is not None


def test_an_unknown_team_or_key_id_is_a_usage_error(
    on_redis: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "create", "--team", "reserch"]) == 2
    assert "unknown team 'reserch'" in capsys.readouterr().err
    assert main(["keys", "revoke", "key_nope"]) == 2
    assert "no key has id 'key_nope'" in capsys.readouterr().err


def test_keys_need_a_shared_redis(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ROUTER_REDIS_URL", raising=False)
    assert main(["keys", "list"]) == 2
    assert "set ROUTER_REDIS_URL" in capsys.readouterr().err
