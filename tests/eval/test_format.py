"""The eval JSONL format: what a good line is, and what a bad line says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router._errors import UsageError
from router._eval._format import EvalItem, Price, read_items, write_items


def _write(path: Path, *lines: object) -> Path:
    path.write_text("".join((json.dumps(x) if not isinstance(x, str) else x) + "\n" for x in lines), "utf-8")
    return path


def test_items_round_trip_through_a_file(tmp_path: Path) -> None:
    item = EvalItem(
        id="a", prompt="2+2?", scores={"m": 1.0, "n": 0.0}, prices={"m": Price(input=1, output=2)}, task="t"
    )
    assert write_items([item], tmp_path / "x.jsonl") == 1
    assert list(read_items(tmp_path / "x.jsonl")) == [item]


def test_price_is_per_million_tokens() -> None:
    assert Price(input=2, output=10).cost(1_000_000, 100_000) == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"id": "a", "prompt": "hi"}', ":1: scores: Field required"),
        ("not json", ":1: line"),
        (
            {"id": "a", "prompt": "hi", "scores": {"m": 1}, "prices": {"x": {"input": 1, "output": 1}}},
            "no score",
        ),
        ({"id": "a", "prompt": "hi", "scores": {}}, ":1: scores:"),
    ],
    ids=["no-scores", "not-json", "price-for-unscored-model", "empty-scores"],
)
def test_a_bad_line_names_its_line_and_field(tmp_path: Path, line: object, says: str) -> None:
    path = _write(tmp_path / "bad.jsonl", line)
    with pytest.raises(UsageError, match=None) as caught:
        list(read_items(path))
    assert says in str(caught.value)


def test_a_duplicate_id_fails_on_its_second_line(tmp_path: Path) -> None:
    good = {"id": "a", "prompt": "hi", "scores": {"m": 1}}
    path = _write(tmp_path / "dup.jsonl", good, good)
    with pytest.raises(UsageError, match=r"dup.jsonl:2: duplicate id 'a'"):
        list(read_items(path))


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such dataset file"):
        list(read_items(tmp_path / "none.jsonl"))
