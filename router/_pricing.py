"""Each model's effective price, context window and tokenizer.

routes.yaml overrides win; otherwise litellm's catalogue answers. The catalogue
is only opened when some model lacks an override, so a fully specified
routes.yaml routes without reading it at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from router._catalogue import CatalogueEntry, lookup
from router._config._schema import ModelSpec
from router._signals._tokens import encoding_for, is_exact

T = TypeVar("T", int, float)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What routing needs to know about one model, resolved once at start-up."""

    spec: ModelSpec
    context_window: int | None
    max_output_tokens: int | None
    input_cost_per_token: float | None
    output_cost_per_token: float | None
    encoding: str
    tokens_exact: bool
    capabilities: frozenset[str] = frozenset()
    """routes.yaml ``capabilities`` when given (the whole truth), else the catalogue's tags."""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def priced(self) -> bool:
        return self.input_cost_per_token is not None and self.output_cost_per_token is not None

    def estimate(self, prompt_tokens: int, output_tokens: int) -> float | None:
        """Prompt tokens x input price + output tokens x output price, in USD."""
        if self.input_cost_per_token is None or self.output_cost_per_token is None:
            return None
        return prompt_tokens * self.input_cost_per_token + output_tokens * self.output_cost_per_token


_UNKNOWN = CatalogueEntry("", None, None, None, None, None)


def resolve(spec: ModelSpec) -> ModelInfo:
    """Fill what routes.yaml leaves out from litellm's catalogue."""
    needs_catalogue = spec.capabilities is None or None in (
        spec.context_window,
        spec.max_output_tokens,
        spec.input_cost_per_token,
        spec.output_cost_per_token,
    )
    entry = (lookup(spec.model) if needs_catalogue else None) or _UNKNOWN
    return ModelInfo(
        spec=spec,
        context_window=_first(spec.context_window, entry.max_input_tokens),
        max_output_tokens=_first(spec.max_output_tokens, entry.max_output_tokens),
        input_cost_per_token=_first(spec.input_cost_per_token, entry.input_cost_per_token),
        output_cost_per_token=_first(spec.output_cost_per_token, entry.output_cost_per_token),
        encoding=encoding_for(spec.model),
        tokens_exact=is_exact(spec.model),
        capabilities=frozenset(spec.capabilities if spec.capabilities is not None else entry.capabilities),
    )


def _first(override: T | None, catalogue: T | None) -> T | None:
    return override if override is not None else catalogue
