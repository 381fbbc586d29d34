"""Prices and context windows from litellm's model catalogue, without importing litellm.

litellm ships its catalogue as a JSON file inside its wheel. Importing litellm
costs seconds and ~190 MB, so commands that only route (``router route``,
reports) read that file directly: the same numbers litellm uses, at the cost
of one JSON parse.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from router._params import CAPABILITY_FLAGS

_CATALOGUE_FILE = "model_prices_and_context_window_backup.json"


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """What litellm knows of one model. Any field may be unknown."""

    key: str
    provider: str | None
    input_cost_per_token: float | None
    output_cost_per_token: float | None
    max_input_tokens: int | None
    max_output_tokens: int | None
    capabilities: tuple[str, ...] = ()
    """Capability tags from the catalogue's ``supports_*`` flags (``router._params.CAPABILITY_FLAGS``)."""


def lookup(model_id: str) -> CatalogueEntry | None:
    """The catalogue entry for a litellm model id (``openai/gpt-4o-mini``), if any."""
    data = _catalogue()
    for key in _candidate_keys(model_id):
        entry = data.get(key)
        if isinstance(entry, dict):
            return _entry(key, entry)
    return None


def catalogue_path() -> Path:
    """Where the installed litellm keeps its catalogue (found without importing it)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("litellm is not installed; install the project with 'make install'")
    return Path(next(iter(spec.submodule_search_locations))) / _CATALOGUE_FILE


@functools.cache
def _catalogue() -> dict[str, Any]:
    with catalogue_path().open("rb") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _candidate_keys(model_id: str) -> tuple[str, ...]:
    # litellm keys OpenAI and Anthropic models without their provider prefix
    # ("gpt-4o", "claude-haiku-4-5") and most others with it ("gemini/...").
    provider, sep, bare = model_id.partition("/")
    return (
        (model_id, bare)
        if sep and provider in ("openai", "anthropic", "text-completion-openai")
        else (model_id,)
    )


def _entry(key: str, raw: dict[str, Any]) -> CatalogueEntry:
    return CatalogueEntry(
        key=key,
        provider=raw.get("litellm_provider"),
        input_cost_per_token=_number(raw.get("input_cost_per_token")),
        output_cost_per_token=_number(raw.get("output_cost_per_token")),
        max_input_tokens=_integer(raw.get("max_input_tokens") or raw.get("max_tokens")),
        max_output_tokens=_integer(raw.get("max_output_tokens")),
        capabilities=tuple(tag for flag, tag in CAPABILITY_FLAGS.items() if raw.get(flag) is True),
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _integer(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None
