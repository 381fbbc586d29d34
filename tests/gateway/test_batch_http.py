"""OpenAI's Batch API through ``router serve``, run by a real worker, used with ``client.batches``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest
from openai.types import Batch

from tests.gateway.conftest import Gateway, MakeKey
from tests.support.openai_server import OpenAIServer, slow

pytestmark = pytest.mark.slow

ROUTER = str(Path(sys.executable).with_name("router"))
HELLO = [{"role": "user", "content": "Please summarise the weekly status report in two sentences."}]


def _start_worker(gateway: Gateway, redis_url: str, tmp_path: Path, *options: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ROUTER_REDIS_URL": redis_url,
        "ROUTER_ROUTES": str(gateway.routes),
        "ROUTER_HOME": str(tmp_path),
        "TEST_PROVIDER_KEY": "sk-test-not-a-real-key",
    }
    log = (tmp_path / "worker.log").open("wb")
    command = [ROUTER, "worker", "--loglevel", "warning", "--pool", "threads", *options]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


@pytest.fixture
def worker(gateway: Gateway, redis_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = _start_worker(gateway, redis_url, tmp_path, "--concurrency", "2")
    yield process
    _stop_worker(process)


@pytest.fixture
def one_at_a_time(gateway: Gateway, redis_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker that runs one item at a time, so a cancel finds items not started yet."""
    process = _start_worker(gateway, redis_url, tmp_path, "--concurrency", "1", "--in-flight", "1")
    yield process
    _stop_worker(process)


def _line(custom_id: str, content: str, **params: object) -> str:
    body = {"model": "auto", "messages": [{"role": "user", "content": content}], "max_tokens": 20, **params}
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body})


def test_a_batch_is_created_polled_and_downloaded_with_the_openai_client(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey, worker: subprocess.Popen[bytes]
) -> None:
    client = gateway.client(make_key())
    before = len(upstream.requests)
    chat = {"temperature": 0.3, "seed": 11, "stop": ["END"]}
    lines = [_line(f"r{i}", "Summarise the weekly status report, please.", **chat) for i in range(3)]
    lines.append("{not json")
    uploaded = client.files.create(file=("input.jsonl", "\n".join(lines).encode()), purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    deadline = time.monotonic() + 90
    while batch.status not in ("completed", "failed", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.3)
        batch = client.batches.retrieve(batch.id)
    assert batch.status == "completed"
    assert batch.request_counts is not None
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (
        4,
        3,
        1,
    )
    assert batch.output_file_id is not None
    assert batch.error_file_id is not None
    output = [json.loads(line) for line in client.files.content(batch.output_file_id).text.splitlines()]
    assert sorted(line["custom_id"] for line in output) == ["r0", "r1", "r2"]
    for line in output:
        assert line["response"]["status_code"] == 200
        assert line["response"]["body"]["choices"][0]["message"]["content"] == "ok"
        assert line["response"]["body"]["model"] == "alpha"
    [failed] = [json.loads(line) for line in client.files.content(batch.error_file_id).text.splitlines()]
    assert failed["response"] is None
    assert "line 4" in failed["error"]["message"]
    assert batch.id in [listed.id for listed in client.batches.list()]
    sent = upstream.requests[before:]
    assert [{name: request.body.get(name) for name in chat} for request in sent] == [chat] * 3


def test_another_keys_batch_is_not_found(gateway: Gateway, make_key: MakeKey) -> None:
    owner, other = gateway.client(make_key()), gateway.client(make_key())
    uploaded = owner.files.create(file=("input.jsonl", _line("a", "hello there").encode()), purpose="batch")
    with pytest.raises(openai.NotFoundError):
        other.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )


def _poll(client: openai.OpenAI, batch_id: str, until: Callable[[Batch], bool]) -> Batch:
    deadline = time.monotonic() + 90
    batch = client.batches.retrieve(batch_id)
    while not until(batch) and time.monotonic() < deadline:
        time.sleep(0.2)
        batch = client.batches.retrieve(batch_id)
    return batch


def _completed(batch: Batch) -> int:
    return batch.request_counts.completed if batch.request_counts else 0


def test_a_batch_cancelled_with_the_openai_client_stops_the_items_not_started(
    gateway: Gateway, upstream: OpenAIServer, make_key: MakeKey, one_at_a_time: subprocess.Popen[bytes]
) -> None:
    total = 40  # 16 s of work one at a time: the cancel comes long before the end
    upstream.script("test-model-a", *[slow(0.4) for _ in range(total)])
    before = len(upstream.requests)
    key = make_key()
    client = gateway.client(key)
    lines = "\n".join(_line(f"r{i}", "Summarise the weekly status report, please.") for i in range(total))
    uploaded = client.files.create(file=("input.jsonl", lines.encode()), purpose="batch")
    try:
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        assert _completed(_poll(client, batch.id, lambda b: _completed(b) >= 1)) >= 1
        with pytest.raises(openai.NotFoundError):
            gateway.client(make_key()).batches.cancel(batch.id)  # another key's batch
        cancelling = client.batches.cancel(batch.id)
        assert cancelling.status in ("cancelling", "cancelled")
        assert cancelling.cancelling_at is not None
        batch = _poll(client, batch.id, lambda b: b.status == "cancelled")
    finally:
        upstream.forget_scripts()
    assert batch.status == "cancelled"
    assert batch.cancelled_at is not None
    assert batch.request_counts is not None
    done, failed = batch.request_counts.completed, batch.request_counts.failed
    assert (batch.request_counts.total, done + failed) == (total, total)
    assert 1 <= done < total
    assert len(upstream.requests) - before == done  # nothing was sent for the cancelled items
    assert batch.output_file_id is not None
    assert batch.error_file_id is not None
    output = client.files.content(batch.output_file_id).text.splitlines()
    errors = [json.loads(line) for line in client.files.content(batch.error_file_id).text.splitlines()]
    assert len(output) == done
    assert len(errors) == failed
    assert {error["error"]["code"] for error in errors} == {"cancelled"}
