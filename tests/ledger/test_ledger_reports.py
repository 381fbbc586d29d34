"""Cost reports: the running totals agree with the records, group by group."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

import pytest
import redis

from router._config._schema import RoutesConfig
from router._errors import UsageError
from router._ledger._ledger import Ledger
from router._ledger._record import CostRecord
from router._ledger._reports import CostReport, costs, savings
from router._state._store import Store

RecordFactory = Callable[..., CostRecord]
DAY = 86_400
START = datetime(2026, 11, 1, tzinfo=UTC).timestamp()
MODELS = {
    "gpt-4o-mini": "openai",
    "claude-haiku-4-5": "anthropic",
    "mistral-small": "mistral",
    "llama": "hosted",
}


def sample(make_record: RecordFactory, count: int = 300, seed: int = 7) -> list[CostRecord]:
    """Records over five days, with every dimension varied, some unpriced and some untagged."""
    rng = random.Random(seed)
    records = []
    for _ in range(count):
        model = rng.choice(list(MODELS))
        priced = model != "llama"
        records.append(
            make_record(
                ts=START + rng.uniform(0, 5 * DAY),
                model=model,
                provider=MODELS[model],
                team=rng.choice(["research", "support", None]),
                rule=rng.choice(["default", "code-and-maths", "non-english"]),
                tags=tuple(rng.sample(["code", "maths", "batch"], rng.randint(0, 2))),
                prompt_tokens=rng.randint(0, 5000),
                completion_tokens=rng.randint(0, 800),
                cost_usd=round(rng.uniform(0, 0.02), 9) if priced else 0.0,
                priced=priced,
                outcome=rng.choice(["ok", "ok", "ok", "error"]),
            )
        )
    return records


def expected(
    records: Iterable[CostRecord], by: Sequence[str]
) -> dict[tuple[str, ...], tuple[float, int, int, int]]:
    """Spend, calls and tokens per group, summed straight from the records."""
    sums: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0.0, 0, 0, 0])
    for record in records:
        keys: list[tuple[str, ...]] = [()]
        for dim in by:
            values = _values(record, dim)
            keys = [(*key, value) for key in keys for value in values]
        for key in keys:
            row = sums[key]
            row[0] += record.cost_usd
            row[1] += 1
            row[2] += record.prompt_tokens
            row[3] += record.completion_tokens
    return {key: (usd, int(calls), int(pt), int(ct)) for key, (usd, calls, pt, ct) in sums.items()}


def _values(record: CostRecord, dim: str) -> tuple[str, ...]:
    if dim == "day":
        return (record.day,)
    if dim == "tag":
        return tuple(record.tags) or ("",)
    if dim == "team":
        return (record.team or "",)
    return (str(getattr(record, dim)),)


def got(report: CostReport) -> dict[tuple[str, ...], tuple[float, int, int, int]]:
    return {
        row.group: (row.spend_usd, row.calls, row.prompt_tokens, row.completion_tokens) for row in report.rows
    }


def assert_same(report: CostReport, wanted: dict[tuple[str, ...], tuple[float, int, int, int]]) -> None:
    found = got(report)
    assert found.keys() == wanted.keys()
    for key, (usd, *counts) in wanted.items():
        assert found[key][0] == pytest.approx(usd, rel=1e-12, abs=1e-15), key
        assert list(found[key][1:]) == counts, key


@pytest.fixture
def written(store: Store, make_record: RecordFactory) -> list[CostRecord]:
    records = sample(make_record)
    ledger = Ledger(store)
    for record in records:
        ledger.record(record)
    return records


BY = [
    ("model",),
    ("provider",),
    ("team",),
    ("rule",),
    ("tag",),
    ("day",),
    ("day", "model"),
    ("tag", "day"),
    ("model", "team", "tag"),
]


@pytest.mark.parametrize("by", BY, ids=[",".join(by) for by in BY])
def test_totals_report_equals_the_sum_of_the_records_per_group(
    store: Store, written: list[CostRecord], by: tuple[str, ...]
) -> None:
    report = costs(store, by=by)
    assert report.source == "totals"
    assert_same(report, expected(written, by))
    assert report.total.spend_usd == pytest.approx(sum(r.cost_usd for r in written), rel=1e-12)
    assert report.total.calls == len(written)


@pytest.mark.parametrize("by", [("model",), ("tag",), ("model", "team")], ids=["model", "tag", "model,team"])
def test_the_records_give_the_same_report_as_the_totals(
    store: Store, written: list[CostRecord], by: tuple[str, ...]
) -> None:
    from_records = costs(store, by=by, source="records")
    assert from_records.source == "records"
    assert_same(from_records, expected(written, by))


def test_a_report_filtered_on_cell_dimensions_comes_from_the_totals(
    store: Store, written: list[CostRecord]
) -> None:
    report = costs(store, by=("model", "team"), filters={"team": "research", "tag": ["code", "maths"]})
    kept = [r for r in written if r.team == "research" and {"code", "maths"} & set(r.tags)]
    assert report.source == "totals"
    assert_same(report, expected(kept, ("model", "team")))


def test_a_report_filtered_on_another_field_reads_the_records(
    store: Store, written: list[CostRecord]
) -> None:
    report = costs(store, by=("rule",), filters={"outcome": "error", "model": "gpt-4o-mini"})
    kept = [r for r in written if r.outcome == "error" and r.model == "gpt-4o-mini"]
    assert report.source == "records"
    assert_same(report, expected(kept, ("rule",)))


def test_an_exact_time_range_reads_whole_days_from_totals_and_partial_days_from_records(
    store: Store, written: list[CostRecord]
) -> None:
    since, until = START + 0.5 * DAY, START + 3.25 * DAY
    report = costs(store, since=since, until=until, by=("model",))
    assert report.source == "totals+records"
    assert_same(report, expected([r for r in written if since <= r.ts < until], ("model",)))


def test_a_whole_day_range_reads_only_the_totals(store: Store, written: list[CostRecord]) -> None:
    report = costs(store, since=START + DAY, until=START + 3 * DAY, by=("day",))
    assert report.source == "totals"
    assert [row.group for row in report.rows] == [("2026-11-02",), ("2026-11-03",)]


def test_shares_are_fractions_of_the_total_spend(store: Store, written: list[CostRecord]) -> None:
    report = costs(store, by=("model",))
    assert sum(row.share for row in report.rows) == pytest.approx(1.0)
    top = report.rows[0]
    assert top.mean_cost_usd == pytest.approx(top.spend_usd / top.calls)


def test_unpriced_calls_make_the_totals_a_lower_bound(store: Store, written: list[CostRecord]) -> None:
    report = costs(store, by=("model",))
    unpriced = sum(1 for r in written if not r.priced)
    assert report.lower_bound
    assert report.unpriced_calls == unpriced
    assert {row.group: row.unpriced_calls for row in report.rows}[("llama",)] == unpriced


def test_a_ledger_without_unpriced_calls_is_exact(store: Store, make_record: RecordFactory) -> None:
    Ledger(store).record(make_record())
    assert not costs(store).lower_bound


def test_an_empty_ledger_gives_an_empty_report(store: Store) -> None:
    report = costs(store, by=("model", "day"))
    assert (report.rows, report.total.calls, report.total.share) == ((), 0, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": ("modle",)}, "did you mean 'model'"),
        ({"by": ("model", "model")}, "twice"),
        ({"filters": {"colour": "red"}}, "cannot filter on 'colour'"),
        ({"filters": {"outcome": "ok"}, "source": "totals"}, "can be filtered on model, provider"),
    ],
    ids=["unknown-group", "repeated-group", "unknown-filter", "totals-cannot"],
)
def test_a_report_that_cannot_be_made_is_a_usage_error(
    store: Store, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        costs(store, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- simulated calls


@pytest.fixture
def mixed(store: Store, make_record: RecordFactory) -> list[CostRecord]:
    """Two real calls and three simulated ones (one of them in a batch job)."""
    records = [
        make_record(cost_usd=0.25),
        make_record(cost_usd=0.5, model="mistral-small", provider="mistral"),
        make_record(cost_usd=0.001, simulated=True),
        make_record(cost_usd=0.002, simulated=True, job_id="job-1", custom_id="a"),
        make_record(cost_usd=0.004, simulated=True, job_id="job-1", custom_id="b", outcome="error"),
    ]
    ledger = Ledger(store)
    for record in records:
        ledger.record(record)
    return records


def test_a_report_leaves_simulated_calls_out_by_default_and_says_so(
    store: Store, mixed: list[CostRecord]
) -> None:
    report = costs(store, by=("model",))
    assert (report.total.calls, report.total.spend_usd) == (2, 0.75)
    assert (report.simulated_calls, report.simulated_left_out_calls) == (0, 3)
    assert report.simulated_left_out_usd == pytest.approx(0.007)


def test_include_simulated_counts_simulated_calls_and_says_how_much_they_are(
    store: Store, mixed: list[CostRecord]
) -> None:
    report = costs(store, by=("model",), include_simulated=True)
    assert report.total.calls == 5
    assert (report.simulated_calls, report.simulated_left_out_calls) == (3, 0)
    assert report.simulated_usd == pytest.approx(0.007)


@pytest.mark.parametrize(("value", "calls"), [("true", 3), ("false", 2)])
def test_a_simulated_filter_picks_the_key_space(
    store: Store, mixed: list[CostRecord], value: str, calls: int
) -> None:
    assert costs(store, filters={"simulated": value}).total.calls == calls


def test_simulated_records_live_in_their_own_key_space(
    store: Store, mixed: list[CostRecord], raw: redis.Redis
) -> None:
    simulated = {key.decode() for key in raw.scan_iter("router:sim:ledger:*:rec:*")}
    assert simulated
    for key in simulated:
        assert all(json.loads(value)["simulated"] for value in raw.hvals(key))
    for key in raw.scan_iter("router:ledger:*:rec:*"):
        assert not any(json.loads(value)["simulated"] for value in raw.hvals(key))


def test_a_report_of_one_job_sees_its_simulated_calls(store: Store, mixed: list[CostRecord]) -> None:
    report = costs(store, by=("outcome",), filters={"job": "job-1"}, include_simulated=True)
    assert {row.group: row.calls for row in report.rows} == {("ok",): 1, ("error",): 1}
    assert report.total.spend_usd == pytest.approx(0.006)


@pytest.mark.parametrize("dim", ["job", "outcome", "language", "sensitivity"])
def test_a_report_groups_by_record_fields_from_the_records(
    store: Store, written: list[CostRecord], dim: str
) -> None:
    report = costs(store, by=(dim,))
    assert report.source == "records"
    field = "job_id" if dim == "job" else dim
    wanted: dict[tuple[str, ...], int] = defaultdict(int)
    for record in written:
        wanted[(str(getattr(record, field) or ""),)] += 1
    assert {row.group: row.calls for row in report.rows} == wanted


# --------------------------------------------------------------------------- savings

CONFIG = RoutesConfig.model_validate(
    {
        "models": [
            {
                "name": "cheap",
                "model": "openai/cheap",
                "input_cost_per_token": 1e-7,
                "output_cost_per_token": 4e-7,
            },
            {
                "name": "mid",
                "model": "openai/mid",
                "input_cost_per_token": 1e-6,
                "output_cost_per_token": 4e-6,
            },
            {
                "name": "dear",
                "model": "openai/dear",
                "input_cost_per_token": 1e-5,
                "output_cost_per_token": 4e-5,
            },
        ],
        "rules": [{"name": "default", "pool": "*"}],
    }
)


def test_savings_against_a_named_baseline_price_the_same_tokens_on_it(
    store: Store, make_record: RecordFactory
) -> None:
    ledger = Ledger(store)
    ledger.record(make_record(model="cheap", prompt_tokens=1000, completion_tokens=100, cost_usd=1e-4 + 4e-5))
    ledger.record(
        make_record(model="cheap", prompt_tokens=0, completion_tokens=0, cost_usd=0.0, outcome="error")
    )
    report = savings(store, CONFIG, baseline="mid")
    assert report.calls == 2
    assert report.actual_usd == pytest.approx(1.4e-4)
    assert report.baseline_usd == pytest.approx(1000 * 1e-6 + 100 * 4e-6)
    assert report.saved_usd == pytest.approx(1.4e-3 - 1.4e-4)


def test_default_savings_baseline_is_each_calls_priciest_candidate(
    store: Store, make_record: RecordFactory
) -> None:
    ledger = Ledger(store)
    ledger.record(
        make_record(model="cheap", candidates=("cheap", "mid"), prompt_tokens=1000, completion_tokens=0)
    )
    ledger.record(
        make_record(model="cheap", candidates=("cheap", "dear"), prompt_tokens=1000, completion_tokens=0)
    )
    ledger.record(make_record(model="llama", priced=False, cost_usd=0.0))
    report = savings(store, CONFIG)
    assert report.baseline is None
    assert report.baseline_usd == pytest.approx(1000 * 1e-6 + 1000 * 1e-5)
    assert report.skipped_calls == 1, "an unpriced call cannot be compared"


def test_an_unknown_baseline_is_a_usage_error_with_a_hint(store: Store) -> None:
    with pytest.raises(UsageError, match="did you mean 'dear'"):
        savings(store, CONFIG, baseline="deer")
