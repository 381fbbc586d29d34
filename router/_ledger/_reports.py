"""Cost reports: spend, calls and tokens per group, and what a baseline model would have cost.

A report grouped by any of day, model, provider, team, rule and tag, and
filtered (if at all) on model, provider, team, rule or tag, comes from the
running totals: one hash of cells per day, however many records. Whole days
come from the totals and the partial days at either end of an exact time
range (``--since 24h``) from their records. A filter or a grouping on another
field (job, outcome, language, ...) reads the records.

Simulated calls live in their own key space (``Store.space``) and are left
out unless ``include_simulated`` (or a ``simulated`` filter) asks for them;
a report says how many it left out, and how much of it is simulated.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, computed_field

from router._errors import UsageError
from router._ledger._intents import Intents
from router._ledger._layout import CELL_DIMENSIONS, Cell
from router._ledger._ledger import Ledger
from router._ledger._periods import DAY_S, day_of, parse_since, parse_until
from router._ledger._read import Reader
from router._state._store import Store

if TYPE_CHECKING:
    from router._config._schema import RoutesConfig
    from router._pricing import ModelInfo

__all__ = [
    "GROUP_BY",
    "CostReport",
    "CostRow",
    "SavingsReport",
    "SavingsRow",
    "costs",
    "parse_since",
    "parse_until",
    "savings",
]

GROUP_BY: tuple[str, ...] = (
    "model",
    "day",
    "team",
    "rule",
    "provider",
    "tag",
    "job",
    "outcome",
    "language",
    "sensitivity",
)
FILTERS: tuple[str, ...] = (
    "model",
    "provider",
    "team",
    "rule",
    "tag",
    "job",
    "outcome",
    "deployment",
    "language",
    "sensitivity",
    "simulated",
    "fallback",
)
_FIELDS = {"job": "job_id"}
"""Report dimensions whose record field has another name."""
Source = Literal["auto", "totals", "records"]
Filters = Mapping[str, str | Sequence[str]]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CostRow(_Frozen):
    """One group's spend. ``group`` holds one value per ``by`` dimension ("" for no team or tag)."""

    group: tuple[str, ...]
    spend_usd: float
    calls: int
    prompt_tokens: int
    completion_tokens: int
    unpriced_calls: int
    mean_cost_usd: float
    share: float
    """Fraction of the report's total spend (with ``by=tag`` a call counts under each of its tags)."""


class CostReport(_Frozen):
    """Spend per group over ``[since, until)`` (Unix times, None for open), with its total."""

    by: tuple[str, ...]
    since: float | None
    until: float | None
    rows: tuple[CostRow, ...]
    total: CostRow
    source: Literal["totals", "records", "totals+records"]
    """Where the numbers came from: the running totals, the records, or both (partial days)."""
    unpriced_calls: int
    simulated_calls: int = 0
    """Calls of this report answered by the simulated provider (only with ``include_simulated``)."""
    simulated_usd: float = 0.0
    """Their (catalogue-priced, never billed) cost, part of the total."""
    simulated_left_out_calls: int = 0
    """Simulated calls in range that match the filters but were left out (no ``include_simulated``)."""
    simulated_left_out_usd: float = 0.0
    lost_calls: int = 0
    """Calls whose process died while the provider had them (outcome ``lost``)."""
    uncertain_usd: float = 0.0
    """The part of the spend that is those calls at their reserved estimate: billed, amount unknown."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def lower_bound(self) -> bool:
        """True when some calls had no known price, so spend is at least what is shown."""
        return self.unpriced_calls > 0


class SavingsRow(_Frozen):
    model: str
    calls: int
    actual_usd: float
    baseline_usd: float
    saved_usd: float


class SavingsReport(_Frozen):
    """What the calls cost beside what the baseline would have cost, per model actually used."""

    baseline: str | None
    """The baseline model, or None for "the most expensive candidate of each call"."""
    since: float | None
    until: float | None
    rows: tuple[SavingsRow, ...]
    actual_usd: float
    baseline_usd: float
    saved_usd: float
    calls: int
    skipped_calls: int
    """Calls left out: no known price for what they cost or for their baseline."""


@dataclass
class _Sums:
    usd: float = 0.0
    calls: int = 0
    pt: int = 0
    ct: int = 0
    unpriced: int = 0

    def add(self, calls: int, pt: int, ct: int, unpriced: int, usd: float) -> None:
        self.usd += usd
        self.calls += calls
        self.pt += pt
        self.ct += ct
        self.unpriced += unpriced

    def merge(self, other: _Sums) -> None:
        self.add(other.calls, other.pt, other.ct, other.unpriced, other.usd)

    def add_record(self, record: Mapping[str, Any]) -> None:
        self.usd += record["cost_usd"]
        self.calls += 1
        self.pt += record["prompt_tokens"]
        self.ct += record["completion_tokens"]
        self.unpriced += 0 if record["priced"] else 1

    def row(self, group: tuple[str, ...], total_usd: float) -> CostRow:
        return CostRow(
            group=group,
            spend_usd=self.usd,
            calls=self.calls,
            prompt_tokens=self.pt,
            completion_tokens=self.ct,
            unpriced_calls=self.unpriced,
            mean_cost_usd=self.usd / self.calls if self.calls else 0.0,
            share=self.usd / total_usd if total_usd else 0.0,
        )


# --------------------------------------------------------------------------- costs


def costs(
    store: Store,
    *,
    since: float | None = None,
    until: float | None = None,
    by: Sequence[str] = ("model",),
    filters: Filters | None = None,
    source: Source = "auto",
    include_simulated: bool = False,
) -> CostReport:
    """Spend, calls and tokens per group over ``[since, until)`` (Unix times; None is open).

    Simulated calls count only with ``include_simulated`` or a ``simulated`` filter.
    """
    dims = _dimensions(by)
    wanted = _filters(filters)
    shown, hidden = _spaces(store, wanted.pop("simulated", None), include_simulated)
    from_totals = set(wanted) <= set(CELL_DIMENSIONS) and set(dims) <= {*CELL_DIMENSIONS, "day"}
    if source == "totals" and not from_totals:
        raise UsageError(
            f"the running totals can be filtered on {', '.join(CELL_DIMENSIONS)} only (and grouped by "
            "them and day); use the records"
        )
    if not store.embedded:
        Ledger(store).reap_lost()  # calls lost with their process join the books first
    scan = _Scan(since, until, dims, wanted, use_totals=from_totals and source != "records")
    total, simulated, left_out = _Sums(), _Sums(), _Sums()
    for space in shown:
        part = scan.run(space, scan.groups)
        total.merge(part)
        if space.simulated:
            simulated.merge(part)
    for space in hidden:
        left_out.merge(scan.run(space, {}))
    rows = tuple(sums.row(group, total.usd) for group, sums in scan.groups.items())
    lost = [record for record in Intents(store).lost(since, until) if _matches(record.model_dump(), wanted)]
    return CostReport(
        by=dims,
        since=since,
        until=until,
        rows=_ordered(rows, dims),
        total=total.row((), total.usd),
        source=scan.source(),
        unpriced_calls=total.unpriced,
        simulated_calls=simulated.calls,
        simulated_usd=simulated.usd,
        simulated_left_out_calls=left_out.calls,
        simulated_left_out_usd=left_out.usd,
        lost_calls=len(lost),
        uncertain_usd=sum(record.cost_usd for record in lost),
    )


def _spaces(
    store: Store, simulated: frozenset[str] | None, include_simulated: bool
) -> tuple[list[Store], list[Store]]:
    """The key spaces a report reads, and the ones it leaves out (to say what it left out)."""
    real, sim = store.space(False), store.space(True)
    if simulated is not None:
        unknown = simulated - {"true", "false"}
        if unknown:
            raise UsageError(f"simulated is true or false, not {', '.join(sorted(unknown))}")
        return [space for space in (real, sim) if _text(space.simulated) in simulated], []
    return ([real, sim], []) if include_simulated else ([real], [sim])


class _Scan:
    """One report's reading of a key space: whole days from totals, partial days from records."""

    def __init__(
        self,
        since: float | None,
        until: float | None,
        dims: tuple[str, ...],
        wanted: Mapping[str, frozenset[str]],
        *,
        use_totals: bool,
    ) -> None:
        self.since, self.until, self.dims, self.wanted = since, until, dims, wanted
        self.use_totals = use_totals
        self.groups: dict[tuple[str, ...], _Sums] = {}
        self._kinds: set[str] = set()

    def run(self, space: Store, groups: dict[tuple[str, ...], _Sums]) -> _Sums:
        total = _Sums()
        with Reader(space) as reader:
            days = reader.days(self.since, self.until)
            whole = [day for day in days if self.use_totals and _whole(day, self.since, self.until)]
            partial = [day for day in days if day not in whole]
            _add_totals(reader.totals(whole), whole, self.dims, self.wanted, groups, total)
            for day in partial:
                records = reader.records(day, self.since, self.until)
                _add_records(records, day, self.dims, self.wanted, groups, total)
        if groups is self.groups:
            self._kinds |= {"totals"} if whole else set()
            self._kinds |= {"records"} if partial else set()
        return total

    def source(self) -> Literal["totals", "records", "totals+records"]:
        if self._kinds == {"totals", "records"}:
            return "totals+records"
        if self._kinds == {"records"} or (not self._kinds and not self.use_totals):
            return "records"
        return "totals"


def _dimensions(by: Sequence[str] | str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in (by.split(",") if isinstance(by, str) else by) if part.strip())
    for name in names:
        if name not in GROUP_BY:
            raise UsageError(f"cannot group by {name!r}; {_hint(name, GROUP_BY)}")
    if len(set(names)) != len(names):
        raise UsageError(f"--by names a dimension twice: {','.join(names)}")
    return names or ("model",)


def _filters(filters: Filters | None) -> dict[str, frozenset[str]]:
    wanted: dict[str, frozenset[str]] = {}
    for name, value in (filters or {}).items():
        if name not in FILTERS:
            raise UsageError(f"cannot filter on {name!r}; {_hint(name, FILTERS)}")
        wanted[name] = frozenset((value,) if isinstance(value, str) else value)
    return wanted


def _hint(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    known = f"known: {', '.join(choices)}"
    return f"did you mean {close[0]!r}? ({known})" if close else known


def _whole(day: str, since: float | None, until: float | None) -> bool:
    start = day_of(day)
    return (since is None or since <= start) and (until is None or start + DAY_S <= until)


def _add_totals(
    hashes: list[dict[bytes, bytes]],
    days: list[str],
    dims: tuple[str, ...],
    wanted: Mapping[str, frozenset[str]],
    groups: dict[tuple[str, ...], _Sums],
    total: _Sums,
) -> None:
    # The hot loop of a report over many days: each distinct cell is parsed, filtered and
    # mapped to its groups once, then each day's fields only add numbers.
    at = dims.index("day") if "day" in dims else None
    plain = tuple(dim for dim in dims if dim != "day")
    keys_of: dict[bytes, list[tuple[str, ...]]] = {}
    sums: dict[tuple[str, tuple[str, ...]], _Sums] = {}
    for day, fields in zip(days, hashes, strict=True):
        slot = day if at is not None else ""
        for field, value in fields.items():
            keys = keys_of.get(field)
            if keys is None:
                keys = keys_of[field] = _cell_keys(field, plain, wanted)
            if not keys:
                continue
            calls, pt, ct, unpriced, usd = value.split()
            numbers = (int(calls), int(pt), int(ct), int(unpriced), float(usd))
            total.add(*numbers)
            for key in keys:
                found = sums.get((slot, key))
                if found is None:
                    found = sums[(slot, key)] = _Sums()
                found.add(*numbers)
    for (day, key), found in sums.items():
        groups[key if at is None else (*key[:at], day, *key[at:])] = found


def _cell_keys(
    field: bytes, plain: tuple[str, ...], wanted: Mapping[str, frozenset[str]]
) -> list[tuple[str, ...]]:
    """The groups (without the day) a cell adds to; none when the filters leave it out."""
    cell = Cell.parse(field).as_record()
    if wanted and not _matches(cell, wanted):
        return []
    return list(_group_keys(cell, "", plain))


def _add_records(
    records: Iterable[Mapping[str, Any]],
    day: str,
    dims: tuple[str, ...],
    wanted: Mapping[str, frozenset[str]],
    groups: dict[tuple[str, ...], _Sums],
    total: _Sums,
) -> None:
    for record in records:
        if wanted and not _matches(record, wanted):
            continue
        total.add_record(record)
        for key in _group_keys(record, day, dims):
            groups.setdefault(key, _Sums()).add_record(record)


def _matches(record: Mapping[str, Any], wanted: Mapping[str, frozenset[str]]) -> bool:
    for name, allowed in wanted.items():
        if name == "tag":
            if allowed.isdisjoint(record["tags"] or ("",)):
                return False
        elif _text(record.get(_FIELDS.get(name, name))) not in allowed:
            return False
    return True


def _group_keys(record: Mapping[str, Any], day: str, dims: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [()]
    for dim in dims:
        if dim == "tag":
            values: Sequence[str] = tuple(dict.fromkeys(record["tags"] or ("",)))
        else:
            values = (day if dim == "day" else _text(record.get(_FIELDS.get(dim, dim))),)
        keys = [(*key, value) for key in keys for value in values]
    yield from keys


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _ordered(rows: tuple[CostRow, ...], dims: tuple[str, ...]) -> tuple[CostRow, ...]:
    if "day" in dims:
        at = dims.index("day")
        return tuple(sorted(rows, key=lambda row: (row.group[at], -row.spend_usd, row.group)))
    return tuple(sorted(rows, key=lambda row: (-row.spend_usd, row.group)))


# --------------------------------------------------------------------------- savings


def savings(
    store: Store,
    config: RoutesConfig,
    *,
    since: float | None = None,
    until: float | None = None,
    baseline: str | None = None,
    filters: Filters | None = None,
    include_simulated: bool = False,
) -> SavingsReport:
    """What the same calls would have cost on ``baseline`` (default: each call's priciest candidate)."""
    prices = _Prices(config)
    if baseline is not None:
        prices.check_baseline(baseline)
    wanted = _filters(filters)
    shown, _ = _spaces(store, wanted.pop("simulated", None), include_simulated)
    rows: dict[str, list[float]] = {}
    skipped = 0
    for space in shown:
        with Reader(space) as reader:
            for day in reader.days(since, until):
                for record in reader.records(day, since, until):
                    if wanted and not _matches(record, wanted):
                        continue
                    cost = _baseline_cost(record, baseline, prices)
                    if cost is None:
                        skipped += 1
                        continue
                    row = rows.setdefault(record["model"], [0, 0.0, 0.0])
                    row[0] += 1
                    row[1] += record["cost_usd"]
                    row[2] += cost
    return _savings_report(rows, skipped, baseline, since, until)


class _Prices:
    """Each configured model's price, resolved on first use (the catalogue is read only if needed)."""

    def __init__(self, config: RoutesConfig) -> None:
        self.config = config
        self._infos: dict[str, ModelInfo | None] = {}

    def info(self, name: str) -> ModelInfo | None:
        if name not in self._infos:
            from router._pricing import resolve

            spec = next((spec for spec in self.config.models if spec.name == name), None)
            info = resolve(spec) if spec is not None else None
            self._infos[name] = info if info is not None and info.priced else None
        return self._infos[name]

    def check_baseline(self, name: str) -> None:
        if name not in self.config.model_names:
            raise UsageError(f"unknown baseline model {name!r}; {_hint(name, self.config.model_names)}")
        if self.info(name) is None:
            raise UsageError(f"baseline model {name!r} has no known price; give its prices in routes.yaml")


def _baseline_cost(record: Mapping[str, Any], baseline: str | None, prices: _Prices) -> float | None:
    if not record["priced"]:
        return None
    names = (baseline,) if baseline else (*record.get("candidates", ()), record["model"])
    costs_found = [
        info.estimate(record["prompt_tokens"], record["completion_tokens"])
        for info in (prices.info(name) for name in dict.fromkeys(names))
        if info is not None
    ]
    return max((cost for cost in costs_found if cost is not None), default=None)


def _savings_report(
    rows: Mapping[str, list[float]],
    skipped: int,
    baseline: str | None,
    since: float | None,
    until: float | None,
) -> SavingsReport:
    built = sorted(
        (
            SavingsRow(
                model=model, calls=int(calls), actual_usd=actual, baseline_usd=base, saved_usd=base - actual
            )
            for model, (calls, actual, base) in rows.items()
        ),
        key=lambda row: -row.saved_usd,
    )
    actual = sum(row.actual_usd for row in built)
    base = sum(row.baseline_usd for row in built)
    return SavingsReport(
        baseline=baseline,
        since=since,
        until=until,
        rows=tuple(built),
        actual_usd=actual,
        baseline_usd=base,
        saved_usd=base - actual,
        calls=sum(row.calls for row in built),
        skipped_calls=skipped,
    )
