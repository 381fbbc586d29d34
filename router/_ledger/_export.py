"""Raw records out to CSV or JSON lines, for finance tools, and back.

CSV has one column per ``CostRecord`` field, in field order: empty for
``None``, ``true``/``false`` for flags, floats in fixed point to 12
decimals (no float noise such as ``0.0020486999999999997``: see ``_money``)
and lists (``tags``, ``candidates``) as JSON arrays, so an export reads back
as the same records. Simulated calls are left out unless asked for.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from router._errors import UsageError
from router._ledger._read import Reader
from router._ledger._record import CostRecord
from router._money import plain
from router._state._store import Store

FIELDS: tuple[str, ...] = tuple(CostRecord.model_fields)
_LISTS = frozenset(name for name, info in CostRecord.model_fields.items() if isinstance(info.default, tuple))
_OPTIONAL = frozenset(
    name for name, info in CostRecord.model_fields.items() if not info.is_required() and info.default is None
)


def export(
    store: Store,
    path: Path | str,
    *,
    since: float | None = None,
    until: float | None = None,
    include_simulated: bool = False,
) -> int:
    """Write the records of ``[since, until)`` to ``path`` (``.csv`` or ``.jsonl``), oldest first."""
    target = Path(path)
    kind = _kind(target)
    spaces = [store.space(False), store.space(True)] if include_simulated else [store.space(False)]
    found = [record for space in spaces for record in _records(space, since, until)]
    records = sorted(found, key=lambda record: (record["ts"], record["id"]))
    try:
        with target.open("w", encoding="utf-8", newline="") as handle:
            if kind == "csv":
                _write_csv(handle, records)
            else:
                handle.writelines(f"{json.dumps(record, ensure_ascii=False)}\n" for record in records)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    return len(records)


def read_export(path: Path | str) -> list[CostRecord]:
    """Records from a file ``export`` wrote."""
    source = Path(path)
    kind = _kind(source)
    with source.open(encoding="utf-8", newline="") as handle:
        if kind == "jsonl":
            return [CostRecord.model_validate_json(line) for line in handle if line.strip()]
        return [CostRecord.model_validate(_from_csv(row)) for row in csv.DictReader(handle)]


def _kind(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "jsonl"):
        raise UsageError(f"cannot tell the format of {path}: name it FILE.csv or FILE.jsonl")
    return suffix


def _records(store: Store, since: float | None, until: float | None) -> Iterator[dict[str, Any]]:
    with Reader(store) as reader:
        for day in reader.days(since, until):
            # Re-validated so an export always has every current field, defaults included.
            yield from (
                CostRecord.model_validate(raw).model_dump() for raw in reader.records(day, since, until)
            )


def _write_csv(handle: Any, records: Iterable[dict[str, Any]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow([_cell(name, record[name]) for name in FIELDS])


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in _LISTS:
        return json.dumps(list(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return plain(value) if isinstance(value, float) else str(value)


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, text in row.items():
        if name in _LISTS:
            values[name] = tuple(json.loads(text or "[]"))
        elif name in _OPTIONAL and text == "":
            values[name] = None
        else:
            values[name] = text
    return values
