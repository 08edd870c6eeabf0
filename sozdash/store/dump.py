"""Dump the whole database to a directory of JSON-lines files and restore it exactly.

One ``<table>.jsonl`` per table, rows ordered by primary key, keys sorted, so that
dump → restore → dump is byte-identical; ``manifest.json`` records the schema revision.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, LargeBinary, Numeric, Table, func, insert, select, text, update

from sozdash.store.bootstrap import head_revision, schema_state
from sozdash.store.models import Base


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"nicht serialisierbar: {type(value).__name__}")


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for name, value in row.items():
        column_type = table.c[name].type
        if value is not None:
            if isinstance(column_type, DateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(column_type, Date):
                value = dt.date.fromisoformat(value)
            elif isinstance(column_type, LargeBinary):
                value = base64.b64decode(value)
            elif isinstance(column_type, Numeric) and column_type.asdecimal:
                value = Decimal(value)
        decoded[name] = value
    return decoded


def _normalise(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Give Numeric values the column's scale so that both databases dump alike."""
    for name, value in row.items():
        column_type = table.c[name].type
        if isinstance(value, Decimal) and isinstance(column_type, Numeric) and column_type.scale is not None:
            row[name] = value.quantize(Decimal(1).scaleb(-column_type.scale))
    return row


def dump(engine: Engine, directory: Path) -> list[Path]:
    """Write every table to ``directory``; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            path = directory / f"{table.name}.jsonl"
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                for row in rows:
                    line = json.dumps(
                        _normalise(table, dict(row)), default=_encode, ensure_ascii=False, sort_keys=True
                    )
                    handle.write(line + "\n")
            written.append(path)
    manifest = directory / "manifest.json"
    manifest.write_text(json.dumps({"schema_revision": head_revision()}, indent=2) + "\n", encoding="utf-8")
    return [*written, manifest]


def restore(engine: Engine, directory: Path) -> int:
    """Load a dump into an empty, migrated database in one transaction; returns the row count."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    if manifest["schema_revision"] != head_revision():
        raise ValueError(
            f"Die Sicherung hat den Schemastand {manifest['schema_revision']}, erwartet wird {head_revision()}."
        )
    if schema_state(engine) != "current":
        raise ValueError("Die Zieldatenbank muss zuerst mit `python -m sozdash migrate` angelegt werden.")
    count = 0
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                raise ValueError(f"Die Zieldatenbank ist nicht leer (Tabelle {table.name}).")
        for table in Base.metadata.sorted_tables:
            path = directory / f"{table.name}.jsonl"
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            rows = [_decode(table, json.loads(line)) for line in lines]
            # Self-references may point forward: insert without them, then set them.
            self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            if rows:
                conn.execute(insert(table), [{**row, **dict.fromkeys(self_refs)} for row in rows])
                for name in self_refs:
                    for row in rows:
                        if row[name] is not None:
                            conn.execute(
                                update(table).where(table.c.id == row["id"]).values({name: row[name]})
                            )
                count += len(rows)
            if conn.dialect.name == "postgresql" and "id" in table.c and rows:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT MAX(id) FROM {table.name}))"
                    )
                )
    return count
