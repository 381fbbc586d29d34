"""OpenAI's Batch API through ``router serve``, run by a real worker, used with ``client.batches``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway.conftest import Gateway, MakeKey

pytestmark = pytest.mark.slow

ROUTER = str(Path(sys.executable).with_name("router"))
HELLO = [{"role": "user", "content": "Please summarise the weekly status report in two sentences."}]


@pytest.fixture
def worker(gateway: Gateway, redis_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "ROUTER_REDIS_URL": redis_url,
        "ROUTER_ROUTES": str(gateway.routes),
        "ROUTER_HOME": str(tmp_path),
        "TEST_PROVIDER_KEY": "sk-test-not-a-real-key",
    }
    log = (tmp_path / "worker.log").open("wb")
    command = [ROUTER, "worker", "--loglevel", "warning", "--pool", "threads", "--concurrency", "2"]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    yield process
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def _line(custom_id: str, content: str) -> str:
    body = {"model": "auto", "messages": [{"role": "user", "content": content}], "max_tokens": 20}
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body})


def test_a_batch_is_created_polled_and_downloaded_with_the_openai_client(
    gateway: Gateway, make_key: MakeKey, worker: subprocess.Popen[bytes]
) -> None:
    client = gateway.client(make_key())
    lines = [_line(f"r{i}", "Summarise the weekly status report, please.") for i in range(3)]
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


def test_another_keys_batch_is_not_found(gateway: Gateway, make_key: MakeKey) -> None:
    import openai

    owner, other = gateway.client(make_key()), gateway.client(make_key())
    uploaded = owner.files.create(file=("input.jsonl", _line("a", "hello there").encode()), purpose="batch")
    with pytest.raises(openai.NotFoundError):
        other.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
