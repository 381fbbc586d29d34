"""`evaluate`: the routes file's point and every baseline, worked out by hand on four prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router._errors import UsageError
from router._eval import Selection, evaluate


def test_the_routes_file_is_scored_as_the_stand_ins_of_the_models_it_chose(
    dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    report = evaluate(str(dataset), [routes_file], mapping=str(mapping_file))
    line = report.line(f"routes: {routes_file}")
    # Short prompts -> small (as weak): 1 + 1; long ones -> big (as strong): 1 + 1.
    assert line.outcome.quality == pytest.approx(1.0)
    assert line.outcome.cost_usd == pytest.approx(2 * 0.001 + 2 * 0.01)
    assert report.routes[0].models == {"small": 2, "big": 2}
    assert report.routes[0].rules == {"default": 2, "long": 2}


def test_baselines_are_the_single_models_the_oracle_and_the_best_per_task(
    dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    report = evaluate(str(dataset), [routes_file], mapping=str(mapping_file))
    assert (report.weak, report.strong) == ("weak", "strong")
    assert report.line("always strong").outcome.quality == pytest.approx(0.75)
    assert report.line("always weak").outcome.quality == pytest.approx(0.5)
    oracle = report.line("oracle (cheapest best model per prompt)").outcome
    # s2: both right, the cheaper (weak) is taken.
    assert (oracle.quality, oracle.mix) == (pytest.approx(1.0), {"weak": 2, "strong": 2})
    per_task = report.line("best model per task (chosen on these prompts)").outcome
    assert per_task.mix == {"weak": 2, "strong": 2}
    half = report.line("random 50% strong / weak").outcome
    assert half.quality == pytest.approx(0.625)
    assert half.cost_usd == pytest.approx((4 * 0.001 + 4 * 0.01) / 2)


def test_apgr_of_the_routes_file_beats_random_and_aiq_beats_the_zero_router(
    dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    report = evaluate(str(dataset), [routes_file], mapping=str(mapping_file))
    routes = report.line(f"routes: {routes_file}")
    assert report.line("random 50% strong / weak").apgr == pytest.approx(0.5)
    assert routes.apgr is not None
    assert routes.apgr > 0.5
    assert report.zero_router_aiq is not None
    assert routes.aiq is not None
    assert routes.aiq > report.zero_router_aiq


def test_recorded_tokens_are_priced_when_no_cost_is_recorded(
    tmp_path: Path, routes_file: Path, mapping_file: Path
) -> None:
    item = {
        "id": "a",
        "prompt": "What is 2 + 2?",
        "scores": {"weak": 1, "strong": 1},
        "prices": {"weak": {"input": 1, "output": 2}, "strong": {"input": 10, "output": 20}},
        "input_tokens": {"weak": 1000, "strong": 1000},
        "output_tokens": {"weak": 500, "strong": 500},
    }
    path = tmp_path / "priced.jsonl"
    path.write_text(json.dumps(item) + "\n", encoding="utf-8")
    report = evaluate(str(path), [routes_file], mapping=str(mapping_file))
    assert report.line("always weak").outcome.cost_usd == pytest.approx((1000 * 1 + 500 * 2) / 1e6)


def test_a_model_the_dataset_does_not_price_is_named_with_the_fix(
    tmp_path: Path, routes_file: Path, mapping_file: Path
) -> None:
    path = tmp_path / "unpriced.jsonl"
    path.write_text(
        json.dumps({"id": "a", "prompt": "Hi there, how are you?", "scores": {"weak": 1, "strong": 0}}) + "\n"
    )
    with pytest.raises(UsageError, match=r"no price for dataset model '(weak|strong)'.*under prices"):
        evaluate(str(path), [routes_file], mapping=str(mapping_file))


def test_a_chosen_model_without_a_stand_in_is_named_with_the_fix(dataset: Path, routes_file: Path) -> None:
    with pytest.raises(UsageError, match=r"chose 'small'.*--stand-in small=MODEL"):
        evaluate(str(dataset), [routes_file], stand_ins=["big=strong"])


def test_stand_in_options_are_enough_without_a_mapping_file(dataset: Path, routes_file: Path) -> None:
    report = evaluate(str(dataset), [routes_file], stand_ins=["small=weak", "big=strong"])
    assert report.items == 4


def test_a_task_filter_keeps_only_that_task(dataset: Path, routes_file: Path, mapping_file: Path) -> None:
    report = evaluate(
        str(dataset), [routes_file], mapping=str(mapping_file), selection=Selection(tasks=["hard"])
    )
    assert report.items == 2
    assert report.routes[0].models == {"big": 2}


def test_nothing_left_after_filters_is_a_usage_error(
    dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    with pytest.raises(UsageError, match="no items"):
        evaluate(str(dataset), [routes_file], mapping=str(mapping_file), selection=Selection(splits=["nope"]))


def test_two_routes_files_are_scored_on_the_same_prompts(
    tmp_path: Path, dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    cheap = tmp_path / "cheap.yaml"
    cheap.write_text(
        routes_file.read_text().replace(
            "    when: { tokens: { min: 40 } }\n    pool: [big]\n",
            "    when: { tokens: { min: 40 } }\n    pool: [small]\n",
        )
    )
    report = evaluate(str(dataset), [routes_file, cheap], mapping=str(mapping_file))
    assert report.line(f"routes: {cheap}").outcome.quality == pytest.approx(0.5)
    assert [use.name for use in report.routes] == [str(routes_file), str(cheap)]
