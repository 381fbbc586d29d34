"""docker-compose.yml cannot run here, so it is checked as data: real entry points, one Redis."""

from __future__ import annotations

import importlib
import tomllib
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def _command(service: dict[str, Any]) -> list[str]:
    entry = service.get("entrypoint") or []
    command = service.get("command") or []
    return [
        *([entry] if isinstance(entry, str) else entry),
        *([command] if isinstance(command, str) else command),
    ]


def test_redis_keeps_its_data_and_never_evicts_queued_work(compose: dict[str, Any]) -> None:
    command = _command(compose["services"]["redis"])
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert any(volume.endswith(":/data") for volume in compose["services"]["redis"]["volumes"])


def test_the_worker_and_flower_services_exist_and_the_worker_scales(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"redis", "worker", "flower"} <= set(services)
    worker = services["worker"]
    # `--scale worker=N` needs a service without a fixed container name or host port.
    assert "container_name" not in worker
    assert "ports" not in worker


def test_every_service_command_names_a_real_entry_point(compose: dict[str, Any]) -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for name, service in compose["services"].items():
        if name == "redis":
            continue
        command = _command(service)
        if command[0] == "router":
            assert scripts["router"] == "router._cli:main", name
            _assert_router_command(command[1:])
        elif command[0] == "celery":
            _assert_celery_command(command[1:])
        else:
            pytest.fail(f"service {name} runs {command[0]!r}, which is neither router nor celery")


def _assert_router_command(argv: list[str]) -> None:
    from router._cli import build_parser

    parser = build_parser()
    args = parser.parse_args(argv)
    assert callable(args.handler)


def _assert_celery_command(argv: list[str]) -> None:
    app_path = argv[argv.index("-A") + 1]
    module = importlib.import_module(app_path)
    assert module.app.main == "router"
    subcommand = argv[argv.index("-A") + 2]
    registered = {entry.name for entry in entry_points(group="celery.commands")}
    assert subcommand in registered | {"worker", "inspect", "status"}, f"celery has no {subcommand!r} command"


def test_the_worker_and_the_sdk_share_one_redis_url(compose: dict[str, Any]) -> None:
    services = compose["services"]
    urls = {
        name: service["environment"]["ROUTER_REDIS_URL"]
        for name, service in services.items()
        if name != "redis"
    }
    assert len(set(urls.values())) == 1, urls
    url = urlsplit(next(iter(urls.values())))
    assert (url.scheme, url.hostname, url.port or 6379) == ("redis", "redis", 6379)
    assert "ROUTER_BROKER_URL" not in services["worker"]["environment"], "the broker is the same Redis"


def test_the_image_installs_the_project_and_flower() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install . flower" in dockerfile
    for path in ("router", "workers", "routes.yaml"):
        assert f"COPY {path}" in dockerfile


def test_the_gateway_service_publishes_its_port_and_checks_readiness(compose: dict[str, Any]) -> None:
    gateway = compose["services"]["gateway"]
    command = _command(gateway)
    assert command[:2] == ["router", "serve"]
    port = command[command.index("--port") + 1]
    assert f"{port}:{port}" in gateway["ports"]
    assert "/readyz" in " ".join(gateway["healthcheck"]["test"])


def test_the_rabbitmq_option_keeps_its_queue_and_points_every_celery_user_at_it() -> None:
    override: dict[str, Any] = yaml.safe_load(
        (REPO / "docker-compose.rabbitmq.yml").read_text(encoding="utf-8")
    )
    services = override["services"]
    rabbit = services["rabbitmq"]
    assert any(volume.endswith(":/var/lib/rabbitmq") for volume in rabbit["volumes"])
    assert rabbit["hostname"], "the data folder is named after the node: a fixed host name keeps it"
    env = rabbit["environment"]
    expected = (
        f"amqp://{env['RABBITMQ_DEFAULT_USER']}:{env['RABBITMQ_DEFAULT_PASS']}"
        f"@rabbitmq:5672/{env['RABBITMQ_DEFAULT_VHOST']}"
    )
    base: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in ("worker", "flower", "gateway", "submit"):
        assert name in base["services"], name
        assert services[name]["environment"]["ROUTER_BROKER_URL"] == expected, name
    assert urlsplit(expected).scheme == "amqp"
