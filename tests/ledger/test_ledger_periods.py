"""Calendar periods in UTC, and reading --since / --until."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from router._errors import UsageError
from router._ledger._periods import Period, days_between, parse_since, parse_until, period_bounds, period_id


def ts(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()  # type: ignore[arg-type, misc]


@pytest.mark.parametrize(
    ("period", "moment", "wanted"),
    [
        ("day", ts(2026, 11, 4, 23, 59, 59), "2026-11-04"),
        ("day", ts(2026, 11, 5), "2026-11-05"),
        ("week", ts(2026, 11, 1, 23), "2026-W44"),
        ("week", ts(2026, 11, 2), "2026-W45"),
        ("week", ts(2027, 1, 1), "2026-W53"),
        ("month", ts(2026, 11, 30, 23, 59), "2026-11"),
        ("month", ts(2026, 12, 1), "2026-12"),
    ],
    ids=["day-end", "day-start", "sunday", "monday", "iso-year", "month-end", "month-start"],
)
def test_a_period_is_named_by_its_utc_calendar(period: Period, moment: float, wanted: str) -> None:
    assert period_id(period, moment) == wanted


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("day", datetime(2026, 11, 4, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC)),
        ("week", datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC)),
        ("month", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ],
)
def test_a_period_runs_from_its_first_midnight_to_the_next_periods(
    period: Period, start: datetime, end: datetime
) -> None:
    assert period_bounds(period, ts(2026, 11, 4, 12)) == (start, end)


def test_a_range_covers_every_day_it_touches() -> None:
    assert days_between(ts(2026, 11, 30, 18), ts(2026, 12, 2, 0, 0, 1)) == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
    ]


NOW = ts(2026, 11, 4, 15, 30)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("24h", NOW - 24 * 3600),
        ("7d", ts(2026, 10, 28)),
        ("1w", ts(2026, 10, 28)),
        ("2026-11-01", ts(2026, 11, 1)),
        ("2026-11-01T08:00:00Z", ts(2026, 11, 1, 8)),
        ("2026-11-01T08:00:00+02:00", ts(2026, 11, 1, 6)),
        ("2026-11-01T08:00", ts(2026, 11, 1, 8)),
    ],
)
def test_since_reads_spans_dates_and_iso_times(text: str, wanted: float) -> None:
    assert parse_since(text, now=NOW) == wanted


def test_until_a_date_includes_that_whole_day() -> None:
    assert parse_until("2026-11-01", now=NOW) == ts(2026, 11, 2)


@pytest.mark.parametrize("text", ["yesterday", "7 days", "2026-13-01", "-3d", ""])
def test_an_unreadable_since_is_a_usage_error_that_shows_what_works(text: str) -> None:
    with pytest.raises(UsageError, match=r"cannot read --since .*such as 24h, 7d"):
        parse_since(text, now=NOW)


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_the_period_remembered_from_the_last_call_gives_way_at_its_bounds(period: Period) -> None:
    # A budget asks for the current period on every call: the last one found is reused only for
    # times inside it, whichever way the clock moves between two calls.
    moments = [ts(2026, 11, 30, 23, 59, 59), ts(2026, 12, 1), ts(2026, 11, 30, 12), ts(2026, 12, 7, 1)]
    found = [(period_id(period, moment), period_bounds(period, moment)) for moment in moments]
    expected = {
        "day": ["2026-11-30", "2026-12-01", "2026-11-30", "2026-12-07"],
        "week": ["2026-W49", "2026-W49", "2026-W49", "2026-W50"],
        "month": ["2026-11", "2026-12", "2026-11", "2026-12"],
    }[period]
    assert [name for name, _ in found] == expected
    for moment, (_, (start, end)) in zip(moments, found, strict=True):
        assert start.timestamp() <= moment < end.timestamp()
