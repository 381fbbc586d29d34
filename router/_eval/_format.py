"""The evaluation dataset format: one JSON object per line, one prompt per object.

    {"id": "gsm8k-17",                       # unique in the file
     "prompt": "Janet's ducks lay 16 eggs ...",
     "scores": {"gpt-4-1106-preview": 1.0, "mixtral-8x7b": 0.0},   # higher is better
     "prices": {"gpt-4-1106-preview": {"input": 10, "output": 30}},  # USD per 1M tokens, optional
     "input_tokens": {"gpt-4-1106-preview": 159},   # recorded, optional
     "output_tokens": {"gpt-4-1106-preview": 73},   # recorded, optional
     "cost_usd": {"gpt-4-1106-preview": 0.0021},    # recorded, optional: wins over prices x tokens
     "task": "gsm8k", "split": "test",              # optional
     "tags": ["maths"], "max_tokens": 256}          # optional request attributes, routed as given

Every key but ``id``, ``prompt`` and ``scores`` is optional. Scores are a
model's quality on that prompt, higher is better: 0/1 for right/wrong, or a
graded value, normally in [0, 1] (MT-Bench's 1-10 grades divided by 10;
RouterArena's METEOR scores can dip just below 0). ``tags`` and ``max_tokens`` are passed
to the router exactly as a production request would carry them; the
converters never invent them from the labels, since that would route on the
answer key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from router._errors import UsageError

Score = Annotated[float, Field(allow_inf_nan=False)]
PerMillion = Annotated[float, Field(ge=0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Price(_Frozen):
    """USD per one million tokens."""

    input: PerMillion
    output: PerMillion

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1e6


class EvalItem(_Frozen):
    """One prompt with every model's score on it, and what its calls cost where known."""

    id: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    scores: dict[str, Score] = Field(min_length=1)
    prices: dict[str, Price] = Field(default_factory=dict)
    input_tokens: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    output_tokens: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    cost_usd: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    task: str | None = None
    split: str | None = None
    tags: tuple[str, ...] = ()
    max_tokens: Annotated[int, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _known_models(self) -> EvalItem:
        for field in ("prices", "input_tokens", "output_tokens", "cost_usd"):
            stray = sorted(set(getattr(self, field)) - set(self.scores))
            if stray:
                raise ValueError(f"{field} names models with no score: {stray}")
        return self


def read_items(path: Path) -> Iterator[EvalItem]:
    """Stream a dataset file; a bad line fails with its line number and what is wrong."""
    seen: set[str] = set()
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                item = _parse(line, path, number)
                if item.id in seen:
                    raise UsageError(f"{path}:{number}: duplicate id {item.id!r}; every id must be unique")
                seen.add(item.id)
                yield item
    except FileNotFoundError:
        raise UsageError(f"{path}: no such dataset file") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _parse(line: str, path: Path, number: int) -> EvalItem:
    try:
        return EvalItem.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "line"
        raise UsageError(
            f"{path}:{number}: {where}: {first['msg']} (the format is documented in `router eval --help`)"
        ) from None


def write_items(items: Iterable[EvalItem], path: Path) -> int:
    """Write items as JSONL; returns how many were written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False))
            out.write("\n")
            count += 1
    return count
