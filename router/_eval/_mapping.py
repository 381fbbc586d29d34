"""Which dataset model stands in for each routes.yaml model.

No routes.yaml model has been run on a public set's prompts, so an evaluation
borrows: when the routes file picks ``gpt-4o-mini``, the item is scored (and
costed) as the dataset model the mapping names for it. A mapping file is YAML:

    models:                      # routes.yaml model -> dataset model
      gpt-4o-mini: llama-3.1-8b-instruct
      claude-sonnet-4-5: llama-3.1-nemotron-51b-instruct
    prices:                      # optional, USD per 1M tokens, for dataset models
      gpt-4-1106-preview: {input: 10, output: 30}   # the data carries no price for

Several routes models may share a stand-in; each routes model has one. The
shipped mappings (``dcrouter``, ``routellm``, ``routerarena``) sit beside this
module and are the default for the converters of the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from router._errors import UsageError
from router._eval._format import Price

SHIPPED = Path(__file__).with_name("mappings")


class _MappingFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    models: dict[str, Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    prices: dict[str, Price] = Field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    """routes.yaml model -> dataset model, plus prices the data lacks."""

    models: dict[str, str]
    prices: dict[str, Price] = field(default_factory=dict)
    source: str = "<options>"

    def stand_in(self, routes_model: str) -> str | None:
        return self.models.get(routes_model)

    def with_overrides(self, pairs: Sequence[str]) -> Mapping:
        """The mapping with ``ROUTES=DATASET`` pairs (from ``--stand-in``) replacing its entries."""
        models = dict(self.models)
        for pair in pairs:
            routes_model, sep, dataset_model = pair.partition("=")
            if not sep or not routes_model or not dataset_model:
                raise UsageError(f"--stand-in {pair!r}: write ROUTES_MODEL=DATASET_MODEL")
            models[routes_model] = dataset_model
        return Mapping(models, self.prices, self.source)


def shipped_names() -> list[str]:
    return sorted(path.stem for path in SHIPPED.glob("*.yaml"))


def load_mapping(name_or_path: str) -> Mapping:
    """A shipped mapping by name (``dcrouter``), or a mapping file."""
    path = Path(name_or_path)
    if not path.exists():
        shipped = SHIPPED / f"{name_or_path}.yaml"
        if not shipped.exists():
            raise UsageError(
                f"--map {name_or_path!r}: no such file and no shipped mapping of that name "
                f"(shipped: {', '.join(shipped_names())})"
            )
        path = shipped
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = _MappingFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        raise UsageError(
            f"{path}: {where}: {first['msg']} (see `router eval --help` for the format)"
        ) from None
    return Mapping(dict(parsed.models), dict(parsed.prices), str(path))


def default_mapping(dataset: str) -> str | None:
    """The shipped mapping for a named source (``dcrouter:test`` -> ``dcrouter``), if any."""
    family = dataset.split(":", 1)[0]
    return family if (SHIPPED / f"{family}.yaml").exists() else None
