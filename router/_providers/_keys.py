"""Which API key variables this process lacks: a local fault, never a reason to touch shared state."""

from __future__ import annotations

from collections.abc import Iterable

from router._config._schema import ModelSpec
from router._settings import api_key

__all__ = ["missing_key", "unset_key_variables"]


def missing_key(spec: ModelSpec) -> str | None:
    """What to do about ``spec``'s key variable when it is unset in this process, else None."""
    variable = spec.params.api_key_env
    if variable is None or api_key(variable) is not None:
        return None
    return f"{variable} is not set in this process; export it, or remove {spec.name} from the pool"


def unset_key_variables(specs: Iterable[ModelSpec]) -> dict[str, list[str]]:
    """Each key variable routes.yaml names that is unset here, with the models that use it."""
    unset: dict[str, list[str]] = {}
    for spec in specs:
        variable = spec.params.api_key_env
        if variable is not None and api_key(variable) is None:
            unset.setdefault(variable, []).append(spec.name)
    return unset
