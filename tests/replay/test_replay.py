"""`router replay`: every workload line routed by the production Router of each routes file,
tallied per file and between files, with compliance regressions first."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from router._cli import main
from router._config import parse_routes
from router._errors import NoModelFits
from router._replay import replay
from router._replay._workload import Invalid, Request, parse
from router._router import Router
from router._task import Task

OLD = """
models:
  - {name: vault, model: openai/vault, clearance: restricted, languages: [en],
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000002}
  - {name: eu, model: mistral/eu, clearance: confidential,
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000003}
  - {name: cheap, model: openai/cheap, clearance: internal,
     input_cost_per_token: 0.0000001, output_cost_per_token: 0.0000004}
rules:
  - {name: secret, when: {sensitivity: {at_least: restricted}}, pool: [vault]}
  - {name: personal, when: {sensitivity: {at_least: confidential}}, pool: [vault, eu]}
  - {name: default, pool: [cheap, eu]}
"""
NEW = OLD.replace("pool: [vault, eu]}", "pool: [eu]}").replace(
    "{name: secret, when: {sensitivity: {at_least: restricted}}, pool: [vault]}",
    "{name: secret, when: {sensitivity: {at_least: restricted}}, pool: [vault], require: [code]}",
)
CARD = "Refund card 4111 1111 1111 1111 today"
LINES = [
    {"custom_id": "a", "prompt": "Summarise the quarterly report in three bullet points.", "max_tokens": 100},
    {"custom_id": "b", "prompt": "Write to anna@example.org about the meeting next week.", "max_tokens": 100},
    {
        "custom_id": "c",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "x", "messages": [{"role": "user", "content": CARD}], "max_tokens": 100},
    },
    {
        "model": "auto",
        "messages": [{"role": "user", "content": "Plan a three day trip to Lisbon for us."}],
        "max_tokens": 50,
        "output_tokens": 40,
        "team": "research",
        "tags": ["travel"],
    },
    {"model": "eu", "messages": [{"role": "user", "content": "Name three rivers that flow through Europe."}]},
    {"model": "auto", "messages": [{"role": "user", "content": "hello there"}], "temprature": 0.2},
]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    workload = tmp_path / "workload.jsonl"
    text = "\n".join(json.dumps(line) for line in LINES) + "\n\nnot json\n"
    workload.write_text(text, encoding="utf-8")
    (tmp_path / "old.yaml").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(NEW, encoding="utf-8")
    return {"workload": workload, "old": tmp_path / "old.yaml", "new": tmp_path / "new.yaml"}


def test_each_line_shape_is_recognised_with_its_team_tags_and_recorded_output() -> None:
    parsed = [parse(number, json.dumps(line).encode()) for number, line in enumerate(LINES, start=1)]
    assert [type(item).__name__ for item in parsed] == ["Request"] * 6
    batch, chat = parsed[2], parsed[3]
    assert isinstance(batch, Request)
    assert batch.task is not None
    assert batch.id == "c"
    assert isinstance(chat, Request)
    assert chat.chat is not None
    assert (chat.team, chat.tags, chat.output_tokens) == ("research", ("travel",), 40)
    assert isinstance(parse(9, b'{"prompt": 3}'), Invalid)


def test_replay_routes_every_item_as_router_decide_does(files: dict[str, Path], tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in LINES[:3]), encoding="utf-8")
    router = Router(parse_routes(OLD))
    prompts = [LINES[0]["prompt"], LINES[1]["prompt"], CARD]
    decided = Counter(router.decide(Task.build(str(prompt), max_tokens=100)).model for prompt in prompts)
    file = replay(batch, files["old"], workers=1).files[0]
    assert {share.model: share.items for share in file.models} == dict(decided)
    assert file.rules == {"default": 1, "personal": 1, "secret": 1}


def test_a_line_the_gateway_would_refuse_is_reported_with_the_gateway_code(files: dict[str, Path]) -> None:
    report = replay(files["workload"], files["old"], workers=1)
    assert report.files[0].routed == 5
    assert {item.code: item.lines for item in report.invalid} == {
        "invalid_json": 1,
        "refused_unknown_parameter": 1,
    }


def test_a_chat_request_naming_a_model_goes_to_that_model(files: dict[str, Path]) -> None:
    report = replay(files["workload"], files["old"], workers=1)
    assert report.files[0].rules["default"] >= 2
    assert any(share.model == "eu" for share in report.files[0].models)


def test_a_move_to_a_lower_clearance_is_a_compliance_regression_and_is_shown_first(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_compare_argv(files))
    out = capsys.readouterr().out
    assert code == 0
    first = out.splitlines()[2]
    assert first.startswith("COMPLIANCE REGRESSIONS: 1 items")
    assert "confidential content: vault (restricted) -> eu (confidential)  (lines 2)" in out


def test_between_files_the_report_names_moves_unroutable_items_and_the_cost_difference(
    files: dict[str, Path],
) -> None:
    report = replay(files["workload"], files["new"], against=files["old"], workers=1)
    comparison = report.comparison
    assert comparison is not None
    assert {move.what: move.items for move in comparison.moves} == {"vault -> eu": 1}
    assert [(f.what, f.items, f.lines) for f in comparison.became_unroutable] == [
        ("rule secret: capabilities: vault", 1, (3,))
    ]
    low, high = comparison.band_usd
    assert low <= comparison.cost_difference_usd <= high


def test_the_cost_difference_is_over_items_both_files_route(files: dict[str, Path]) -> None:
    both = replay(files["workload"], files["new"], against=files["old"], workers=1)
    alone = [replay(files["workload"], path, workers=1).files[0] for path in (files["new"], files["old"])]
    # Item c (the card) is routed by the old file only, so its cost is not part of the difference.
    only_old = Router(parse_routes(OLD)).decide(Task.build(CARD, max_tokens=100)).chosen.estimated_cost_usd
    assert both.comparison is not None
    assert only_old is not None
    assert both.comparison.cost_difference_usd == pytest.approx(
        alone[0].cost_usd - (alone[1].cost_usd - only_old)
    )


def test_sensitivity_that_changes_the_route_is_counted(files: dict[str, Path]) -> None:
    file = replay(files["workload"], files["old"], workers=1).files[0]
    assert {f.what: f.items for f in file.sensitivity_changed} == {
        "confidential: cheap -> vault": 1,
        "restricted: cheap -> vault": 1,
    }


def test_two_workers_give_the_same_report_as_one(files: dict[str, Path]) -> None:
    one = replay(files["workload"], files["new"], against=files["old"], workers=1)
    two = replay(files["workload"], files["new"], against=files["old"], workers=2)
    assert one.model_copy(update={"workers": 0, "seconds": 0}) == two.model_copy(
        update={"workers": 0, "seconds": 0}
    )


def test_json_and_csv_carry_the_same_figures(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "replay",
        str(files["workload"]),
        "--routes",
        str(files["new"]),
        "--against",
        str(files["old"]),
        "--workers",
        "1",
    ]
    main([*argv, "--json"])
    data = json.loads(capsys.readouterr().out)
    main([*argv, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    regression = next(row for row in rows if row["section"] == "regression")
    assert int(regression["items"]) == data["comparison"]["regressions"][0]["items"] == 1
    totals = {row["routes"]: float(row["cost_usd"]) for row in rows if row["section"] == "total"}
    assert totals[str(files["new"])] == pytest.approx(data["files"][0]["cost_usd"])


def test_chart_draws_the_cost_per_model_of_both_files(files: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "cost.png"
    code = main([*_compare_argv(files), "--chart", str(target), "--json"])
    assert code == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_missing_workload_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.yaml").write_text(OLD, encoding="utf-8")
    code = main(["replay", str(tmp_path / "nope.jsonl"), "--routes", str(tmp_path / "r.yaml")])
    assert code == 2
    assert "nope.jsonl: no such file" in capsys.readouterr().err


def test_no_model_fits_is_what_replay_counts_as_unroutable(files: dict[str, Path]) -> None:
    router = Router(parse_routes(NEW))
    with pytest.raises(NoModelFits):
        router.decide(Task.build(CARD))


def _compare_argv(files: dict[str, Path]) -> list[str]:
    workload, new, old = str(files["workload"]), str(files["new"]), str(files["old"])
    return ["replay", workload, "--routes", new, "--against", old, "--workers", "1"]
