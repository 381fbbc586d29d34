"""Settings are read once, at the edge: one typed object, clear errors, the README's table exactly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from router._errors import ConfigError
from router._settings import ENV_PREFIX, Settings, env_name

ROOT = Path(__file__).resolve().parents[1]
ROUTER = str(Path(sys.executable).with_name("router"))

# The one module allowed to touch the process environment (docstrings that describe
# routes.yaml's ``os.environ/VAR`` key references aside, which are not code).
SETTINGS_MODULE = ROOT / "router" / "_settings.py"
ENVIRONMENT_ACCESS = re.compile(
    r"\bos\.(environ\b(?!/)|getenv|putenv|unsetenv)\b|\bfrom os import .*\b(environ|getenv)\b"
)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(ENV_PREFIX)}
    return subprocess.run(
        [ROUTER, *args], env={**clean, **env}, capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_only_the_settings_module_reads_or_writes_the_environment() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("router", "workers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != SETTINGS_MODULE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ENVIRONMENT_ACCESS.search(line)
    ]
    assert not offenders, "environment access outside router/_settings.py:\n" + "\n".join(offenders)


def test_the_grep_would_catch_each_way_of_reaching_the_environment() -> None:
    reads = ('os.environ.get("X")', 'os.environ["X"] = "1"', 'os.getenv("X")', "from os import environ, sep")
    for line in reads:
        assert ENVIRONMENT_ACCESS.search(line), line
    assert not ENVIRONMENT_ACCESS.search('api_key: "os.environ/OPENAI_API_KEY"')


def test_every_variable_in_the_readme_table_is_a_field_and_every_field_is_in_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration by environment", 1)[1].split("\n\n", 2)[1]
    documented = re.findall(r"^\| `(ROUTER_[A-Z0-9_]+)` \|", table, flags=re.MULTILINE)
    assert documented, "the README's environment table was not found"
    assert sorted(documented) == sorted(env_name(field) for field in Settings.model_fields)


def test_the_readme_defaults_are_the_settings_defaults() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(ROUTER_[A-Z0-9_]+)` \| .* \| `([^`]+)` \|$", readme, flags=re.MULTILINE))
    defaults = Settings.defaults()
    literal = {variable: shown for variable, shown in rows.items() if not shown.startswith(ENV_PREFIX)}
    assert len(literal) >= 7, literal
    for variable, shown in literal.items():
        value = getattr(defaults, variable.removeprefix(ENV_PREFIX).lower())
        assert shown in (str(value), f"./{value}") or float(shown) == value, variable


def test_settings_come_from_router_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTER_REDIS_URL", "redis://cache.internal:6380/2")
    monkeypatch.setenv("ROUTER_SIMULATE", "yes")
    monkeypatch.setenv("ROUTER_BATCH_IN_FLIGHT", "12")
    monkeypatch.setenv("ROUTER_LOG_LEVEL", "INFO")
    settings = Settings.load()
    assert (settings.redis_url, settings.simulate, settings.batch_in_flight, settings.log_level) == (
        "redis://cache.internal:6380/2",
        True,
        12,
        "info",
    )


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTER_REDIS_URL", "")
    monkeypatch.setenv("ROUTER_BATCH_CHUNK_SIZE", "")
    settings = Settings.load()
    assert (settings.redis_url, settings.batch_chunk_size) == (None, 50)


def test_the_defaults_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTER_BATCH_IN_FLIGHT", "3")
    assert Settings.defaults().batch_in_flight == 64


def test_in_flight_defaults_to_64_in_the_code_the_readme_and_the_worker_help() -> None:
    assert Settings.defaults().batch_in_flight == 64
    assert "| `ROUTER_BATCH_IN_FLIGHT` | model calls in flight per worker process | `64` |" in (
        ROOT / "README.md"
    ).read_text(encoding="utf-8")
    assert "ROUTER_BATCH_IN_FLIGHT or 64" in " ".join(_cli("worker", "--help").stdout.split())


@pytest.mark.parametrize(
    ("variable", "value", "fix"),
    [
        ("ROUTER_REDIS_URL", "notaurl", "redis://localhost:6379/0"),
        ("ROUTER_REDIS_URL", "http://127.0.0.1:6379/0", "schemes: redis://, rediss://, unix://"),
        ("ROUTER_REDIS_URL", "redis://127.0.0.1:6379/zero", "must be a number"),
        ("ROUTER_REDIS_URL", "redis://127.0.0.1:port/0", "the port is not a number"),
        ("ROUTER_LOG_FORMAT", "xml", "use json or console"),
        ("ROUTER_LOG_LEVEL", "loud", "use debug, info, warning or error"),
        ("ROUTER_SIMULATE", "maybe", "use 1 or 0"),
        ("ROUTER_BATCH_IN_FLIGHT", "0", "positive whole number"),
        ("ROUTER_BATCH_CHUNK_SIZE", "fifty", "positive whole number"),
        ("ROUTER_BATCH_RESULTS_TTL_S", "10", "at least 60"),
    ],
    ids=["notaurl", "http", "db-not-a-number", "port", "log-format", "log-level", "simulate", "in-flight",
         "chunk-size", "ttl"],
)  # fmt: skip
def test_a_bad_variable_is_an_error_naming_the_variable_the_value_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, fix: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        Settings.load()
    assert f"{variable}={value!r}" in caught.value.message
    assert fix in caught.value.message


def test_every_bad_variable_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTER_LOG_FORMAT", "xml")
    monkeypatch.setenv("ROUTER_SIMULATE", "maybe")
    with pytest.raises(ConfigError) as caught:
        Settings.load()
    assert len(caught.value.problems) == 2


def test_a_password_in_a_bad_redis_url_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTER_REDIS_URL", "redis://user:hunter2@127.0.0.1:6379/x")
    with pytest.raises(ConfigError) as caught:
        Settings.load()
    assert "hunter2" not in caught.value.message
    assert "user:***@127.0.0.1" in caught.value.message


def test_the_settings_repr_leaves_urls_out() -> None:
    assert "hunter2" not in repr(Settings(redis_url="redis://:hunter2@127.0.0.1:6379/0"))


def test_changes_are_validated_and_name_the_keyword() -> None:
    base = Settings.defaults()
    assert base.with_changes(simulate=True, redis_url=None).simulate is True
    assert base.with_changes() is base
    with pytest.raises(ConfigError, match=r"redis_url='notaurl': not a Redis URL"):
        base.with_changes(redis_url="notaurl")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ROUTER_REDIS_URL": "notaurl"}, "ROUTER_REDIS_URL='notaurl': not a Redis URL"),
        ({"ROUTER_REDIS_URL": "http://127.0.0.1:6379/0"}, "ROUTER_REDIS_URL='http://127.0.0.1:6379/0'"),
        ({"ROUTER_LOG_FORMAT": "xml"}, "ROUTER_LOG_FORMAT='xml'"),
        ({"ROUTER_LOG_LEVEL": "loud"}, "ROUTER_LOG_LEVEL='loud'"),
    ],
    ids=["notaurl", "http", "log-format", "log-level"],
)
def test_the_cli_reports_a_bad_variable_with_exit_code_2_and_no_traceback(
    env: dict[str, str], message: str
) -> None:
    done = _cli("budgets", **env)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_cli_refuses_an_unknown_log_level_option() -> None:
    done = _cli("route", "--log-level", "loud", "hello")
    assert done.returncode == 2
    assert "invalid choice: 'loud'" in done.stderr


def test_a_database_the_server_lacks_is_named_with_exit_code_5_and_no_traceback(redis_url: str) -> None:
    server = redis_url.rsplit("/", 1)[0]
    done = _cli("budgets", ROUTER_REDIS_URL=f"{server}/4000")
    assert done.returncode == 5, done.stderr
    assert "has no database 4000" in done.stderr
    assert "give ROUTER_REDIS_URL a database the server has" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_sdk_names_a_database_the_server_lacks(redis_url: str) -> None:
    import router
    from router._errors import StoreUnavailable

    server = redis_url.rsplit("/", 1)[0]
    client = router.Client(ROOT / "routes.yaml", settings=Settings(redis_url=f"{server}/4000"))
    with pytest.raises(StoreUnavailable, match="has no database 4000"):
        client.budgets()
    client.close()


def test_the_sdk_takes_a_settings_object_instead_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import router

    monkeypatch.setenv("ROUTER_SIMULATE", "maybe")  # would fail if the client read it
    client = router.Client(ROOT / "routes.yaml", settings=router.Settings(simulate=True))
    assert client.settings.simulate is True
    client.close()
