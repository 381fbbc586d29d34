"""Exports for finance tools (CSV, JSON lines) read back as the same records; charts draw."""

from __future__ import annotations

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


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_an_export_reads_back_as_the_same_records(
    store: Store, written: list[CostRecord], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"ledger.{suffix}"
    assert export(store, path) == len(written)
    assert read_export(path) == written


def test_an_export_holds_only_the_records_in_its_range_oldest_first(
    store: Store, written: list[CostRecord], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.csv"
    assert export(store, path, since=START + DAY, until=START + 3 * DAY) == 2
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
    summary = chart(store, tmp_path / "spend.png")
    assert (summary.days, summary.models) == (3, 2)
    assert (tmp_path / "spend.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_chart_of_an_empty_range_is_a_usage_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nothing to draw"):
        chart(store, tmp_path / "spend.png")
