"""Converters read each public set's own layout; these miniatures copy that layout, not its data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from router._errors import UsageError
from router._eval import convert

GPT4, MIXTRAL = "gpt-4-1106-preview", "mistralai/Mixtral-8x7B-Instruct-v0.1"


def _jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    routing = tmp_path / "routing"
    dc = routing / "llmrouter_dcrouter"
    dc.mkdir(parents=True)
    (dc / "test.json").write_text(json.dumps([{"question": "Q1", "scores": {"a": 1.0, "b": 0.5}}]))
    (dc / "default_llm.json").write_text(json.dumps({"a": {"input_price": 0.1, "output_price": 0.2}}))
    _jsonl(dc / "default_query_test.jsonl", [{"query": "Q1", "task_name": "gsm8k"}])
    _jsonl(dc / "default_query_train.jsonl", [{"query": "Q1", "task_name": "math"}])
    rl = routing / "routellm"
    _csv(
        rl / "gsm8k" / "gsm8k_responses.csv",
        ["prompt", MIXTRAL, GPT4, f"{MIXTRAL}_response", f"{GPT4}_response"],
        [["Sum?", "False", "True", "one two", "one two three four"], ["Dropped", "True", "True", "x", "y"]],
    )
    _jsonl(rl / "gsm8k" / "contaminated_prompts.jsonl", [{"eval_prompt": "Dropped"}])
    _csv(
        rl / "mmlu" / "responses" / "mmlu_astronomy.csv",
        ["prompt", MIXTRAL, GPT4],
        [["Star?", "True", "False"]],
    )
    _jsonl(rl / "mmlu" / "contaminated_prompts.jsonl", [])
    _jsonl(
        rl / "mt_bench" / "question.jsonl",
        [{"question_id": 81, "category": "writing", "turns": ["Write.", "Again."]}],
    )
    _jsonl(
        rl / "mt_bench" / "judgements.jsonl",
        [
            {"question_id": 81, "model": m, "score": s, "turn": t}
            for m, s, t in [(GPT4, 10, 1), (GPT4, 8, 2), (MIXTRAL, 6, 1), (MIXTRAL, 4, 2)]
        ],
    )
    _jsonl(rl / "mt_bench" / "contaminated_prompts.jsonl", [])
    ra = routing / "routerarena"
    cost = {
        GPT4: (10, 30),
        "mistralai/mixtral-8x7b-instruct": (0.6, 0.6),
        "claude-3-haiku-20240307": (0.25, 1.25),
        "gemini-2.0-flash-001": (0.1, 0.4),
    }
    (ra / "cost.json").parent.mkdir(parents=True)
    (ra / "cost.json").write_text(
        json.dumps(
            {
                k: {"input_token_price_per_million": i, "output_token_price_per_million": o}
                for k, (i, o) in cost.items()
            }
        )
    )
    for model, score in (("claude-3-haiku-20240307", 0.0), ("gemini-2.0-flash-001", 1.0)):
        _jsonl(
            ra / f"{model}.jsonl",
            [
                {
                    "global_index": "MMLUPro_12",
                    "question": "Pick one.",
                    "token_usage": {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120},
                    "evaluation_result": {"score": score, "inference_cost": 0.5},
                }
            ],
        )
    return tmp_path


def test_dcrouter_rows_carry_nim_prices_and_the_task_of_their_own_split(data: Path) -> None:
    [item] = convert("dcrouter:test", data)
    assert (item.prompt, item.task, item.split) == ("Q1", "gsm8k", "test")
    assert item.scores == {"a": 1.0, "b": 0.5}
    assert set(item.prices) == {"a"}  # b has no price in the catalogue


def test_gsm8k_drops_contaminated_prompts_and_counts_both_answers(data: Path) -> None:
    [item] = convert("routellm:gsm8k", data)
    assert item.scores == {MIXTRAL: 0.0, GPT4: 1.0}
    assert item.output_tokens[GPT4] > item.output_tokens[MIXTRAL] > 0
    assert item.prices[GPT4].input == 10
    assert item.prices[MIXTRAL].output == 0.6


def test_mmlu_tasks_are_subjects(data: Path) -> None:
    [item] = convert("routellm:mmlu", data)
    assert (item.task, item.scores[MIXTRAL], item.scores[GPT4]) == ("astronomy", 1.0, 0.0)


def test_mt_bench_routes_on_the_first_turn_and_scores_the_mean_grade_over_ten(data: Path) -> None:
    [item] = convert("routellm:mt-bench", data)
    assert item.prompt == "Write."
    assert item.scores == {GPT4: pytest.approx(0.9), MIXTRAL: pytest.approx(0.5)}


def test_routerarena_keeps_recorded_tokens_and_cost(data: Path) -> None:
    [item] = convert("routerarena", data)
    assert item.task == "MMLUPro"
    assert item.cost_usd == {"claude-3-haiku-20240307": 0.5, "gemini-2.0-flash-001": 0.5}
    assert item.input_tokens["gemini-2.0-flash-001"] == 100


def test_a_missing_data_folder_says_where_to_point_data(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--data"):
        list(convert("dcrouter:test", tmp_path))


def test_an_unknown_source_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="routellm:gsm8k"):
        list(convert("nope", tmp_path))
