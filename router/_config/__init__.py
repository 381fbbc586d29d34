"""routes.yaml: its schema, its loader and the checks that span sections."""

from router._config._checks import check_team
from router._config._loader import lint_routes, load_routes, parse_routes, resolve_path, validate_routes
from router._config._schema import (
    BUILTIN_FINDINGS,
    Budget,
    ModelSpec,
    Policies,
    RoutesConfig,
    Rule,
)

__all__ = [
    "BUILTIN_FINDINGS",
    "Budget",
    "ModelSpec",
    "Policies",
    "RoutesConfig",
    "Rule",
    "check_team",
    "lint_routes",
    "load_routes",
    "parse_routes",
    "resolve_path",
    "validate_routes",
]
