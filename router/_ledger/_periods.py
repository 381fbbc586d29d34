"""Calendar periods in UTC, and the time arguments of cost reports.

Budgets count spend per calendar period: a day (``2026-11-05``), an ISO week
starting on Monday (``2026-W45``) or a month (``2026-11``). Reports read the
ledger's running totals, which are kept per UTC day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from router._errors import UsageError

Period = Literal["day", "week", "month"]

DAY_S = 86_400
_SPAN = re.compile(r"^(\d+)([hdw])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HELP = (
    "use a span such as 24h, 7d or 2w, a date such as 2026-11-01, "
    "or an ISO date-time such as 2026-11-01T08:00:00Z"
)


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def day_id(ts: float) -> str:
    """``YYYY-MM-DD`` of the UTC day holding ``ts``."""
    return _period_of("day", ts).id


def day_start(ts: float) -> float:
    """Unix time of midnight UTC at the start of the day holding ``ts``."""
    return float(int(ts // DAY_S) * DAY_S)


def day_of(day: str) -> float:
    """Unix time of midnight UTC starting ``day`` (``YYYY-MM-DD``)."""
    return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()


def period_id(period: Period, ts: float) -> str:
    """The calendar period holding ``ts``: ``2026-11-05``, ``2026-W45`` or ``2026-11``."""
    return _period_of(period, ts).id


def period_bounds(period: Period, ts: float) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the period holding ``ts``."""
    found = _period_of(period, ts)
    return found.start, found.end


def period_end_ts(period: Period, ts: float) -> float:
    """Unix time of the end (exclusive) of the period holding ``ts``: ``period_bounds``'s end."""
    return _period_of(period, ts).end_ts


@dataclass(frozen=True, slots=True)
class _Found:
    id: str
    start: datetime
    end: datetime
    start_ts: float
    end_ts: float


_last: dict[str, _Found] = {}
"""The period each kind last found: every call of a budgeted item asks for the current one, and
building it from a datetime cost more than the rest of the budget's bookkeeping. A time inside
its bounds has the same id and bounds (UTC has no daylight saving), so reusing it is exact."""


def _period_of(period: Period, ts: float) -> _Found:
    last = _last.get(period)
    if last is not None and last.start_ts <= ts < last.end_ts:
        return last
    start, end = _bounds(period, ts)
    found = _Found(_id(period, ts), start, end, start.timestamp(), end.timestamp())
    _last[period] = found  # one assignment: a thread sees the old period or the new one, whole
    return found


def _id(period: Period, ts: float) -> str:
    moment = utc(ts)
    if period == "day":
        return moment.strftime("%Y-%m-%d")
    if period == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    return moment.strftime("%Y-%m")


def _bounds(period: Period, ts: float) -> tuple[datetime, datetime]:
    today = utc(ts).date()
    if period == "day":
        start = today
        end = today + timedelta(days=1)
    elif period == "week":
        start = today - timedelta(days=today.weekday())
        end = start + timedelta(days=7)
    else:
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    return _midnight(start), _midnight(end)


def days_between(start: float, end: float) -> list[str]:
    """Every UTC day that overlaps ``[start, end)``, oldest first."""
    days: list[str] = []
    cursor = day_start(start)
    while cursor < end:
        days.append(day_id(cursor))
        cursor += DAY_S
    return days


def parse_since(value: str, *, now: float | None = None) -> float:
    """Unix time named by ``--since``.

    Spans in days or weeks (``7d``) go back that far and then to the midnight
    UTC before, so the report covers whole days and comes from the running
    totals; spans in hours (``24h``) are exact. A date is its midnight UTC.
    """
    return _parse(value, option="--since", now=now, date_end=False)


def parse_until(value: str, *, now: float | None = None) -> float:
    """Unix time named by ``--until`` (exclusive). A date includes that whole day."""
    return _parse(value, option="--until", now=now, date_end=True)


def _parse(value: str, *, option: str, now: float | None, date_end: bool) -> float:
    text = value.strip()
    span = _SPAN.match(text)
    if span:
        return _span(int(span.group(1)), span.group(2), now)
    if _DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise UsageError(f"cannot read {option} {value!r}: {exc}; {_HELP}") from None
        return _midnight(day + timedelta(days=1 if date_end else 0)).timestamp()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"cannot read {option} {value!r}; {_HELP}") from None
    # A date-time without an offset is taken as UTC, like everything else here.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _span(count: int, unit: str, now: float | None) -> float:
    current = datetime.now(tz=UTC).timestamp() if now is None else now
    if unit == "h":
        return current - count * 3600
    days = count * (7 if unit == "w" else 1)
    return day_start(current - days * DAY_S)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
