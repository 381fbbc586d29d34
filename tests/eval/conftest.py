"""A two-model routes file and a four-prompt dataset whose every figure can be worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROUTES = """\
version: 1
models:
  - name: small
    model: openai/gpt-4o-mini
    input_cost_per_token: 0.000001
    output_cost_per_token: 0.000001
  - name: big
    model: openai/gpt-4.1
    input_cost_per_token: 0.00001
    output_cost_per_token: 0.00001
rules:
  - name: long
    when: { tokens: { min: 40 } }
    pool: [big]
  - name: default
    pool: [small, big]
"""

LONG = "Explain, step by step and with care, " + "why the sum of two odd numbers is always even. " * 4

# weak is right on the short prompts, strong on everything but the first.
ITEMS = [
    {"id": "s1", "prompt": "What is 2 + 2?", "scores": {"weak": 1, "strong": 0}, "task": "easy"},
    {"id": "s2", "prompt": "Name a colour.", "scores": {"weak": 1, "strong": 1}, "task": "easy"},
    {"id": "l1", "prompt": LONG, "scores": {"weak": 0, "strong": 1}, "task": "hard"},
    {"id": "l2", "prompt": LONG + " Briefly.", "scores": {"weak": 0, "strong": 1}, "task": "hard"},
]
# Recorded costs, so every total is exact: strong costs ten times weak.
COSTS = {"weak": 0.001, "strong": 0.01}
MAPPING = "models:\n  small: weak\n  big: strong\n"


@pytest.fixture
def routes_file(tmp_path: Path) -> Path:
    path = tmp_path / "routes.yaml"
    path.write_text(ROUTES, encoding="utf-8")
    return path


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    lines = [json.dumps({**item, "cost_usd": COSTS}) for item in ITEMS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
