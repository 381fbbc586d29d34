"""`router costs`, `router costs export` and `router budgets`: output, exit codes, persistence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from router._cli import main
from router._ledger._export import read_export
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._state._store import Store

RecordFactory = Callable[..., CostRecord]
START = datetime(2026, 11, 1, tzinfo=UTC).timestamp()

# Writes records through the embedded ledger, as a demo run would: ids and costs from argv.
WRITER = textwrap.dedent(
    """
    import sys
    from router._ledger._ledger import Ledger
    from router._ledger._record import CostRecord
    from router._settings import Settings
    from router._state._store import Store, StoreSettings

    ledger = Ledger(Store(StoreSettings.from_settings(Settings.load())))
    for item in sys.argv[1:]:
        rid, cost = item.split("=")
        ledger.record(CostRecord(
            id=rid, ts=1793534400.0, model="gpt-4o-mini", litellm_model="openai/gpt-4o-mini",
            provider="openai", deployment="cloud", rule="default", sensitivity="internal",
            language="en", cost_usd=float(cost), prompt_tokens=10, completion_tokens=5,
        ))
    """
)
# The CLI, asserting afterwards that litellm was never imported.
CLI = (
    "import sys; from router._cli import main; code = main(sys.argv[1:]); "
    "assert 'litellm' not in sys.modules; sys.exit(code)"
)


def _process(home: Path, *argv: str, code: str = CLI) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "ROUTER_REDIS_URL"}
    env["ROUTER_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_embedded_ledger_persists_across_runs_of_the_cli(tmp_path: Path) -> None:
    assert _process(tmp_path, "a:1=0.25", "b:1=0.5", code=WRITER).returncode == 0
    first = _process(tmp_path, "costs", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["total"]["spend_usd"] == pytest.approx(0.75)

    # A later run repeats one record (counted once) and adds another.
    assert _process(tmp_path, "b:1=0.5", "c:1=1.0", code=WRITER).returncode == 0
    second = _process(tmp_path, "costs", "--format", "json")
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert (report["total"]["spend_usd"], report["total"]["calls"]) == (pytest.approx(1.75), 3)
    assert (report["source"], report["lower_bound"]) == ("totals", False)


def test_costs_prints_a_table_with_totals_and_the_lower_bound_note(
    redis_url: str,
    store: Store,
    make_record: RecordFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ROUTER_REDIS_URL", redis_url)
    ledger = Ledger(store)
    ledger.record(make_record(ts=START, cost_usd=0.5))
    ledger.record(make_record(ts=START, model="llama", priced=False, cost_usd=0.0))
    capsys.readouterr()  # structlog's default logger prints cost.recorded to stdout
    assert main(["costs", "--by", "model,day", "--since", "2026-11-01", "--until", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "model",
        "day",
        "spend_usd",
        "share",
        "calls",
        "prompt_tokens",
        "completion_tokens",
        "mean_usd",
    ]
    assert lines[1].split()[:5] == ["gpt-4o-mini", "2026-11-01", "0.500000", "100.0%", "1"]
    assert lines[3].split()[:3] == ["total", "0.500000", "100.0%"]
    assert "(lower bound: 1 unpriced calls)" in out
    assert "from the running totals" in out


def test_costs_as_csv_has_one_row_per_group(
    redis_url: str,
    store: Store,
    make_record: RecordFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ROUTER_REDIS_URL", redis_url)
    Ledger(store).record(make_record(team="research", cost_usd=0.5))
    capsys.readouterr()
    assert main(["costs", "--by", "team", "--where", "model=gpt-4o-mini", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("team,spend_usd,calls")
    assert rows[1].startswith("research,0.5,1,")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["costs", "--since", "last tuesday"], "cannot read --since 'last tuesday'"),
        (["costs", "--by", "colour"], "cannot group by 'colour'"),
        (["costs", "--where", "team"], "is not FIELD=VALUE"),
        (["costs", "--since", "2026-11-05", "--until", "2026-11-01"], "is not before --until"),
    ],
    ids=["since", "by", "where", "range"],
)
def test_bad_report_options_are_usage_errors(
    embedded: Store, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_costs_export_writes_the_raw_records(
    redis_url: str,
    store: Store,
    make_record: RecordFactory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ROUTER_REDIS_URL", redis_url)
    record = make_record(ts=START)
    Ledger(store).record(record)
    target = tmp_path / "out.jsonl"
    assert main(["costs", "export", "--since", "2026-11-01", "-o", str(target)]) == 0
    assert read_export(target) == [record]
    assert "wrote 1 records" in capsys.readouterr().out


def test_costs_with_redis_down_exits_with_the_store_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROUTER_REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["costs"]) == 5
    assert "unreachable" in capsys.readouterr().err


def test_budgets_shows_spend_limit_and_remaining(
    embedded: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text(
        textwrap.dedent(
            """
            version: 1
            models:
              - {name: cheap, model: openai/cheap, input_cost_per_token: 1.0e-7, output_cost_per_token: 4e-7}
            rules:
              - {name: default, pool: "*"}
            policies:
              budgets:
                - {name: total, scope: global, limit_usd: 10, period: month, action: reject}
            """
        )
    )
    now = datetime.now(tz=UTC).timestamp()
    record = CostRecord(
        id="x:1",
        ts=now,
        model="cheap",
        litellm_model="openai/cheap",
        provider="openai",
        deployment="cloud",
        rule="default",
        sensitivity="internal",
        language="en",
        cost_usd=2.5,
    )
    Ledger(embedded).record(record)
    capsys.readouterr()
    assert main(["budgets", "--routes", str(routes), "--format", "json"]) == 0
    (status,) = json.loads(capsys.readouterr().out)
    assert (status["key"], status["spent_usd"], status["limit_usd"], status["remaining_usd"]) == (
        "total",
        2.5,
        10,
        7.5,
    )
    assert main(["budgets", "--routes", str(routes)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:4] == [
        "total",
        "global",
        datetime.now(tz=UTC).strftime("%Y-%m"),
        "2.5000",
    ]
