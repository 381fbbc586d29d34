"""`router eval` on the command line: the table, --json, --chart, convert and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router._cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_table_shows_the_routes_file_and_the_baselines(
    capsys: pytest.CaptureFixture[str], dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    code, out, _ = _run(
        capsys, "eval", str(dataset), "--routes", str(routes_file), "--map", str(mapping_file)
    )
    assert code == 0
    for name in ("routes: ", "oracle", "always strong", "always weak", "random 50%", "APGR", "AIQ"):
        assert name in out
    assert "models: small 2 (as weak), big 2 (as strong)" in out


def test_json_has_every_policy_with_quality_cost_apgr_and_aiq(
    capsys: pytest.CaptureFixture[str], dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    code, out, _ = _run(
        capsys, "eval", str(dataset), "--routes", str(routes_file), "--map", str(mapping_file), "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["items"] == 4
    assert {"quality", "cost_usd", "apgr", "aiq", "mix", "kind"} <= set(data["results"][0])
    assert data["results"][0]["kind"] == "routes"


def test_chart_writes_the_cost_quality_plane(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    chart = tmp_path / "frontier.png"
    code, _, _ = _run(
        capsys,
        "eval",
        str(dataset),
        "--routes",
        str(routes_file),
        "--map",
        str(mapping_file),
        "--chart",
        str(chart),
    )
    assert code == 0
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_no_mapping_for_a_plain_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], dataset: Path, routes_file: Path
) -> None:
    code, _, err = _run(capsys, "eval", str(dataset), "--routes", str(routes_file))
    assert code == 2
    assert "--map FILE" in err


def test_convert_writes_the_format_that_eval_reads(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, routes_file: Path
) -> None:
    dc = tmp_path / "data" / "routing" / "llmrouter_dcrouter"
    dc.mkdir(parents=True)
    (dc / "test.json").write_text(
        json.dumps([{"question": "What is 2 + 2?", "scores": {"a": 1.0, "b": 0.0}}])
    )
    (dc / "default_llm.json").write_text(
        json.dumps({m: {"input_price": 0.1, "output_price": 0.1} for m in "ab"})
    )
    for split in ("test", "train"):
        (dc / f"default_query_{split}.jsonl").write_text("")
    out_file = tmp_path / "dc.jsonl"
    code, out, _ = _run(
        capsys, "eval", "convert", "dcrouter:test", "-o", str(out_file), "--data", str(tmp_path / "data")
    )
    assert (code, out.strip()) == (0, f"{out_file}: 1 items from dcrouter:test")
    code, out, _ = _run(
        capsys,
        "eval",
        str(out_file),
        "--routes",
        str(routes_file),
        "--stand-in",
        "small=a",
        "--stand-in",
        "big=b",
    )
    assert code == 0
    assert "1 prompts" in out


def test_convert_without_an_output_says_how_to_write_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "eval", "convert", "dcrouter:test")
    assert code == 2
    assert "router eval convert SOURCE -o FILE.jsonl" in err


def test_by_task_prints_each_tasks_quality(
    capsys: pytest.CaptureFixture[str], dataset: Path, routes_file: Path, mapping_file: Path
) -> None:
    code, out, _ = _run(
        capsys, "eval", str(dataset), "--routes", str(routes_file), "--map", str(mapping_file), "--by-task"
    )
    assert code == 0
    table = out.split("\ntask ")[1].splitlines()
    # Columns: the routes file, oracle, strong, weak. "hard" prompts: only strong is right.
    assert table[1].split() == ["easy", "2", "1.000", "1.000", "0.500", "1.000"]
    assert table[2].split() == ["hard", "2", "1.000", "1.000", "1.000", "0.000"]
