"""Exports for finance tools (CSV, JSON lines) read back as the same records; charts draw."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from router._errors import UsageError
from router._ledger._chart import chart
from router._ledger._export import export, read_export
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._state._store import Store

RecordFactory = Callable[..., CostRecord]
DAY = 86_400
START = datetime(2026, 11, 1, tzinfo=UTC).timestamp()


@pytest.fixture
def written(store: Store, make_record: RecordFactory) -> list[CostRecord]:
    records = [
        make_record(
            ts=START + 3600, tags=("code", 'a,b "quoted"'), candidates=("gpt-4o-mini", "mistral-small")
        ),
        make_record(ts=START + DAY + 1, team=None, estimated_cost_usd=None, cost_usd=0.1 + 0.2, priced=True),
        make_record(
            ts=START + 2 * DAY + 5,
            model="llama",
            priced=False,
            cost_usd=0.0,
            outcome="error",
            error_type="rate_limited",
            job_id="job-1",
            custom_id="line-7",
            attempt=2,
            fallback=True,
            simulated=True,
            language="de",
        ),
    ]
    ledger = Ledger(store)
    for record in records:
        ledger.record(record)
    return records


def _to_12_decimals(record: CostRecord) -> CostRecord:
    floats = {name: round(value, 12) for name, value in record if isinstance(value, float)}
    return record.model_copy(update=floats)


def test_a_jsonl_export_reads_back_as_the_same_records(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.jsonl"
    assert export(store, path, include_simulated=True) == len(written)
    assert read_export(path) == written


def test_a_csv_export_reads_back_as_the_same_records_to_12_decimals_of_a_dollar(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.csv"
    assert export(store, path, include_simulated=True) == len(written)
    assert read_export(path) == [_to_12_decimals(record) for record in written]


def test_money_in_a_csv_export_has_no_float_noise(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.csv"
    export(store, path)
    text = path.read_text()
    assert "0.30000000000000004" not in text
    assert ",0.3," in text


def test_an_export_leaves_simulated_calls_out_unless_asked(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.jsonl"
    assert export(store, path) == 2
    assert all(not record.simulated for record in read_export(path))


def test_an_export_holds_only_the_records_in_its_range_oldest_first(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.csv"
    assert export(store, path, since=START + DAY, until=START + 3 * DAY, include_simulated=True) == 2
    assert [record.id for record in read_export(path)] == [written[1].id, written[2].id]


def test_a_csv_export_has_one_column_per_record_field(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.csv"
    export(store, path)
    header = path.read_text().splitlines()[0].split(",")
    assert header == list(CostRecord.model_fields)


def test_an_export_to_an_unknown_format_is_a_usage_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"FILE\.csv or FILE\.jsonl"):
        export(store, tmp_path / "ledger.xlsx")


def test_the_chart_is_a_png_of_daily_spend_per_model(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    summary = chart(store, tmp_path / "spend.png", include_simulated=True)
    assert (summary.days, summary.models) == (3, 2)
    assert (tmp_path / "spend.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_chart_of_an_empty_range_is_a_usage_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nothing to draw"):
        chart(store, tmp_path / "spend.png")


def test_a_chart_without_matplotlib_names_the_extra_to_install(
    store: Store, written: list[CostRecord], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # what a plain install has
    with pytest.raises(UsageError, match=r"llm-router\[chart\]"):
        chart(store, tmp_path / "spend.png")
    assert not (tmp_path / "spend.png").exists()
