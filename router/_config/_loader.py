"""Load routes.yaml into a validated ``RoutesConfig``, or fail with a useful error.

An error names the file, the line, the field path, what was expected, and a
fix where one is obvious. Line numbers come from composing the YAML node tree
once and recording where each path starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from router._config import _checks
from router._config._schema import RoutesConfig
from router._errors import ConfigError

ENV_VAR = "ROUTER_ROUTES"

Lines = dict[tuple[str | int, ...], int]


def resolve_path(path: str | os.PathLike[str] | None) -> Path:
    """The file to load: the argument, else ``$ROUTER_ROUTES``, else ``./routes.yaml``.

    Without an argument this reads the settings: it is an SDK entry point (``load_routes()``).
    """
    if path is not None:
        return Path(path)
    from router._settings import Settings

    return Settings.load().routes


def load_routes(path: str | os.PathLike[str] | None = None) -> RoutesConfig:
    """Read and validate a routes file. Raises ``ConfigError`` on any problem."""
    file = resolve_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: no such routes file; pass --routes FILE, set {ENV_VAR}, or run where routes.yaml is",
            file=str(file),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the routes file: {exc}", file=str(file)) from None
    return parse_routes(text, source=str(file))


def parse_routes(text: str, *, source: str = "<routes>") -> RoutesConfig:
    """Validate routes given as YAML text."""
    data, lines = _parse_yaml(text, source)
    return validate_routes(data, source=source, lines=lines)


def validate_routes(data: Any, *, source: str = "<routes>", lines: Lines | None = None) -> RoutesConfig:
    """Validate routes given as plain data (what the YAML parsed into)."""
    lines = lines or {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping with 'models' and 'rules' at the top", file=source)
    try:
        config = RoutesConfig.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error, source, lines) for error in _root_causes(exc.errors())]
        raise _config_error(source, problems) from None
    problems = [_locate(p.path, p.message, source, lines) for p in _checks.errors(config)]
    if problems:
        raise _config_error(source, problems)
    return config


def lint_routes(config: RoutesConfig) -> list[str]:
    """Warnings for a valid file (unreachable rules, pools nobody can serve)."""
    return [f"{_path_text(p.path)}: {p.message}" for p in _checks.warnings(config)]


def _config_error(source: str, problems: list[str]) -> ConfigError:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    message = f"{source}: invalid routes file ({count}):\n" + "\n".join(f"  {p}" for p in problems)
    return ConfigError(message, file=source, problems=problems)


# --------------------------------------------------------------------------- YAML with lines


class _LineLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key]}); each key may appear once",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse_yaml(text: str, source: str) -> tuple[Any, Lines]:
    try:
        node = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}{where}: YAML syntax error: {problem}", file=source) from None
    if node is None:
        raise ConfigError(f"{source}: the file is empty; it needs 'models' and 'rules'", file=source)
    lines: Lines = {}
    _record_lines(node, (), lines)
    return data, lines


def _record_lines(node: yaml.Node, path: tuple[str | int, ...], lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            _record_lines(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


# --------------------------------------------------------------------------- messages


def _root_causes(errors: list[Any]) -> list[Any]:
    # A list whose items failed also reports "too short" for the items that
    # passed; that second message only confuses.
    locs = [tuple(error["loc"]) for error in errors]
    return [
        error
        for error in errors
        if not (
            error["type"] == "too_short"
            and any(
                other[: len(error["loc"])] == tuple(error["loc"]) and other != tuple(error["loc"])
                for other in locs
            )
        )
    ]


def _describe(error: Mapping[str, Any], source: str, lines: Lines) -> str:
    path = tuple(part for part in error["loc"] if not _is_union_tag(part))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown key {path[-1]!r}; {_known_keys_hint(path)}"
    elif error["type"] == "missing":
        message = "required field is missing"
    elif "input" in error and error["type"] not in ("value_error",) and _safe_to_show(path):
        message = f"{message} (got {error['input']!r})"
    return _locate(path, message, source, lines)


def _locate(path: tuple[str | int, ...], message: str, source: str, lines: Lines) -> str:
    line = _line_for(path, lines)
    where = f"{source}:{line}" if line else source
    return f"{where}: {_path_text(path)}: {message}"


def _line_for(path: tuple[str | int, ...], lines: Lines) -> int | None:
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


def _path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _is_union_tag(part: str | int) -> bool:
    # pydantic adds the union member's type to the location ("function-after[...]", "literal['*']").
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "bool"))


def _safe_to_show(path: tuple[str | int, ...]) -> bool:
    # Never echo what may be a secret pasted in the wrong place.
    return not any(str(part) in ("api_key", "extra") for part in path)


def _known_keys_hint(path: tuple[str | int, ...]) -> str:
    from router._config._schema import RoutesConfig as _Root

    model: Any = _Root
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return "check the spelling"
        model = _model_of(field.annotation)
        if model is None:
            return "check the spelling"
    known_keys = getattr(model, "known_keys", None)  # sections that take the registered signals' keys
    names = known_keys() if known_keys is not None else list(model.model_fields)
    return _checks.did_you_mean(str(path[-1]), names)


def _model_of(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
