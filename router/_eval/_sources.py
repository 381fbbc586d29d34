"""Converters from the public routing sets in ``../shared/data/routing/`` to the eval format.

Each source reads the files exactly as their repositories publish them (see
that folder's SOURCE.md for commits and licences) and yields ``EvalItem``s:

- ``dcrouter:test`` / ``dcrouter:train``: LLMRouter's dcrouter split, 9 models
  scored 0..1, NVIDIA NIM prices from ``default_llm.json``, the task of each
  question joined from the query files.
- ``routellm:mmlu``, ``routellm:gsm8k``, ``routellm:mt-bench``: RouteLLM's
  GPT-4-1106 vs Mixtral-8x7B files, decontaminated as RouteLLM's own
  ``benchmarks.py`` does (the ``contaminated_prompts.jsonl`` eval prompts are
  dropped). MMLU's task is its subject; MT-Bench routes on the first turn and
  scores the mean of both turns' GPT-4 grades / 10, as RouteLLM does. Prices
  come from RouterArena's ``cost.json`` when it is present beside them; GSM8K
  carries both models' answers, so its output tokens are counted from them.
- ``routerarena``: RouterArena's cached runs of Claude 3 Haiku and Gemini 2.0
  Flash on the same 809 prompts, with recorded tokens and dollar cost.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from router._errors import UsageError
from router._eval._format import EvalItem, Price
from router._signals._tokens import REFERENCE_ENCODING, count_text

Source = Callable[[Path], Iterator[EvalItem]]

ROUTING = "routing"
GPT4 = "gpt-4-1106-preview"
MIXTRAL = "mistralai/Mixtral-8x7B-Instruct-v0.1"
# RouterArena's cost.json spells RouteLLM's two models this way.
_ARENA_NAMES = {GPT4: "gpt-4-1106-preview", MIXTRAL: "mistralai/mixtral-8x7b-instruct"}
_ARENA_MODELS = ("claude-3-haiku-20240307", "gemini-2.0-flash-001")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"{path}: not found; point --data at the folder that holds routing/ (default ../shared/data)"
        ) from None


def _read_jsonl(path: Path) -> Iterator[Any]:
    if not path.exists():
        raise UsageError(f"{path}: not found; point --data at the folder that holds routing/")
    with path.open(encoding="utf-8") as lines:
        yield from (json.loads(line) for line in lines if line.strip())


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        raise UsageError(f"{path}: not found; point --data at the folder that holds routing/")
    with path.open(encoding="utf-8", newline="") as rows:
        yield from csv.DictReader(rows)


# --------------------------------------------------------------------------- dcrouter


def _dcrouter(split: str) -> Source:
    def convert(data: Path) -> Iterator[EvalItem]:
        folder = data / ROUTING / "llmrouter_dcrouter"
        prices = _nim_prices(folder / "default_llm.json")
        tasks = _dcrouter_tasks(folder, first=split)
        for index, row in enumerate(_read_json(folder / f"{split}.json")):
            scores: dict[str, float] = row["scores"]
            yield EvalItem(
                id=f"dcrouter-{split}-{index}",
                prompt=row["question"],
                scores=scores,
                prices={model: prices[model] for model in scores if model in prices},
                task=tasks.get(row["question"]),
                split=split,
            )

    return convert


def _nim_prices(path: Path) -> dict[str, Price]:
    catalogue = _read_json(path)
    return {
        name: Price(input=entry["input_price"], output=entry["output_price"])
        for name, entry in catalogue.items()
    }


def _dcrouter_tasks(folder: Path, *, first: str) -> dict[str, str]:
    """Question -> task name. Six questions carry two names; the query file of the same split wins."""
    order = ["test", "train"] if first == "test" else ["train", "test"]
    tasks: dict[str, str] = {}
    for split in order:
        for row in _read_jsonl(folder / f"default_query_{split}.jsonl"):
            tasks.setdefault(row["query"], row["task_name"])
    return tasks


# --------------------------------------------------------------------------- RouteLLM


def _contaminated(path: Path) -> set[str]:
    return {row["eval_prompt"] for row in _read_jsonl(path)}


def _arena_prices(data: Path, names: dict[str, str]) -> dict[str, Price]:
    """Prices from RouterArena's cost.json, for the models it lists; none when it is absent."""
    path = data / ROUTING / "routerarena" / "cost.json"
    if not path.exists():
        return {}
    table = _read_json(path)
    prices: dict[str, Price] = {}
    for model, arena_name in names.items():
        entry = table.get(arena_name)
        if entry is not None:
            prices[model] = Price(
                input=entry["input_token_price_per_million"], output=entry["output_token_price_per_million"]
            )
    return prices


def _correct(value: str) -> float:
    return 1.0 if value.strip() == "True" else 0.0


def _routellm_mmlu(data: Path) -> Iterator[EvalItem]:
    folder = data / ROUTING / "routellm" / "mmlu"
    dropped = _contaminated(folder / "contaminated_prompts.jsonl")
    prices = _arena_prices(data, _ARENA_NAMES)
    files = sorted((folder / "responses").glob("mmlu_*.csv"))
    if not files:
        raise UsageError(f"{folder / 'responses'}: no mmlu_*.csv files; point --data at the shared data")
    for file in files:
        subject = file.stem.removeprefix("mmlu_")
        for index, row in enumerate(_read_csv(file)):
            if row["prompt"] in dropped:
                continue
            yield EvalItem(
                id=f"mmlu-{subject}-{index}",
                prompt=row["prompt"],
                scores={MIXTRAL: _correct(row[MIXTRAL]), GPT4: _correct(row[GPT4])},
                prices=prices,
                task=subject,
            )


def _routellm_gsm8k(data: Path) -> Iterator[EvalItem]:
    folder = data / ROUTING / "routellm" / "gsm8k"
    dropped = _contaminated(folder / "contaminated_prompts.jsonl")
    prices = _arena_prices(data, _ARENA_NAMES)
    for index, row in enumerate(_read_csv(folder / "gsm8k_responses.csv")):
        if row["prompt"] in dropped:
            continue
        yield EvalItem(
            id=f"gsm8k-{index}",
            prompt=row["prompt"],
            scores={MIXTRAL: _correct(row[MIXTRAL]), GPT4: _correct(row[GPT4])},
            prices=prices,
            # Both models' answers are in the file: their real lengths, not an assumed one.
            output_tokens={
                model: count_text(row[f"{model}_response"], REFERENCE_ENCODING) for model in (MIXTRAL, GPT4)
            },
            task="gsm8k",
        )


def _routellm_mt_bench(data: Path) -> Iterator[EvalItem]:
    folder = data / ROUTING / "routellm" / "mt_bench"
    dropped = _contaminated(folder / "contaminated_prompts.jsonl")
    grades: dict[tuple[int, str], list[float]] = {}
    for row in _read_jsonl(folder / "judgements.jsonl"):
        grades.setdefault((row["question_id"], row["model"]), []).append(float(row["score"]))
    prices = _arena_prices(data, _ARENA_NAMES)
    for question in _read_jsonl(folder / "question.jsonl"):
        turns: list[str] = question["turns"]
        if any(turn in dropped for turn in turns):
            continue
        qid = question["question_id"]
        scores = {
            model: _mean(grades[(qid, model)]) / 10 for model in (MIXTRAL, GPT4) if (qid, model) in grades
        }
        if len(scores) < 2:
            continue
        yield EvalItem(
            id=f"mt-bench-{qid}", prompt=turns[0], scores=scores, prices=prices, task=question["category"]
        )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


# --------------------------------------------------------------------------- RouterArena


def _routerarena(data: Path) -> Iterator[EvalItem]:
    folder = data / ROUTING / "routerarena"
    runs = {
        model: {row["global_index"]: row for row in _read_jsonl(folder / f"{model}.jsonl")}
        for model in _ARENA_MODELS
    }
    prices = _arena_prices(data, {model: model for model in _ARENA_MODELS})
    first = runs[_ARENA_MODELS[0]]
    for key, row in first.items():
        rows = {model: runs[model][key] for model in _ARENA_MODELS if key in runs[model]}
        yield EvalItem(
            id=f"arena-{key}",
            prompt=row["question"],
            scores={model: float(r["evaluation_result"]["score"]) for model, r in rows.items()},
            prices={model: prices[model] for model in rows if model in prices},
            input_tokens={model: r["token_usage"]["input_tokens"] for model, r in rows.items()},
            output_tokens={model: r["token_usage"]["output_tokens"] for model, r in rows.items()},
            cost_usd={model: float(r["evaluation_result"]["inference_cost"]) for model, r in rows.items()},
            task=key.rsplit("_", 1)[0],
            split="sub_10",
        )


SOURCES: dict[str, Source] = {
    "dcrouter:test": _dcrouter("test"),
    "dcrouter:train": _dcrouter("train"),
    "routellm:mmlu": _routellm_mmlu,
    "routellm:gsm8k": _routellm_gsm8k,
    "routellm:mt-bench": _routellm_mt_bench,
    "routerarena": _routerarena,
}
"""Every public set the converters know, by the name ``router eval`` accepts."""


def convert(name: str, data: Path) -> Iterator[EvalItem]:
    """The items of one named source, read from ``data`` (the folder holding ``routing/``)."""
    source = SOURCES.get(name)
    if source is None:
        raise UsageError(f"unknown dataset {name!r}; give a JSONL file or one of: {', '.join(SOURCES)}")
    return source(data)
