"""Dump the whole database to a directory of JSON-lines files and restore it exactly.

One ``<table>.jsonl`` per table, rows ordered by primary key, keys sorted, so that
dump → restore → dump is byte-identical; ``manifest.json`` records the schema revision.

Every line is strict JSON: a non-finite number in a number column (which ``check`` reports) is
written as the string ``"Infinity"``, ``"-Infinity"`` or ``"NaN"`` and restored as that number,
so a backup keeps the data exactly as it is, faults included.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Engine,
    Float,
    LargeBinary,
    Numeric,
    Table,
    func,
    insert,
    select,
    text,
    update,
)

from sozdash.store.bootstrap import HEAD_REVISION, schema_state
from sozdash.store.models import Base

NON_FINITE = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}
"""How a non-finite float is written (JSON has no such numbers) and read back."""


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
            elif isinstance(column_type, Float) and isinstance(value, str):
                value = NON_FINITE[value]
        decoded[name] = value
    return decoded


def _normalise(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Give Numeric values the column's scale so that both databases dump alike; non-finite
    floats become their ``NON_FINITE`` name."""
    for name, value in row.items():
        column_type = table.c[name].type
        if isinstance(value, float) and not math.isfinite(value):
            row[name] = "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
        elif (
            isinstance(value, Decimal) and value.is_finite()
            and isinstance(column_type, Numeric) and column_type.scale is not None
        ):  # fmt: skip
            row[name] = value.quantize(Decimal(1).scaleb(-column_type.scale))
    return row


def _line(table: Table, row: dict[str, Any]) -> str:
    """One row as strict JSON; refuses (German ``ValueError``) a non-finite number nested in a JSON column."""
    try:
        return json.dumps(
            _normalise(table, row), default=_encode, ensure_ascii=False, sort_keys=True, allow_nan=False
        )
    except ValueError as exc:
        key = ", ".join(str(row[c.name]) for c in table.primary_key.columns)
        raise ValueError(
            f"Tabelle {table.name}, Nr. {key}: ein Wert ist keine endliche Zahl (unendlich oder NaN) und "
            "kann nicht als JSON gesichert werden. Bitte `python -m sozdash check` ausführen und den Wert "
            "korrigieren."
        ) from exc


def dump(engine: Engine, directory: Path) -> list[Path]:
    """Write every table to ``directory``, all from one snapshot (one transaction; on PostgreSQL
    ``REPEATABLE READ``, so saves during the dump are either wholly in it or not); returns the files
    written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    snapshot = {} if engine.dialect.name == "sqlite" else {"isolation_level": "REPEATABLE READ"}
    with engine.connect().execution_options(**snapshot) as conn, conn.begin():
        for table in Base.metadata.sorted_tables:
            path = directory / f"{table.name}.jsonl"
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                for row in rows:
                    handle.write(_line(table, dict(row)) + "\n")
            written.append(path)
    manifest = directory / "manifest.json"
    manifest.write_text(json.dumps({"schema_revision": HEAD_REVISION}, indent=2) + "\n", encoding="utf-8")
    return [*written, manifest]


def _rows(table: Table, path: Path) -> list[dict[str, Any]]:
    """The rows of one dump file; a line that is no row of ``table`` is refused (German ``ValueError``)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rows.append(_decode(table, json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"Die Sicherung ist beschädigt: {path.name}, Zeile {number} ist keine Zeile der Tabelle "
                f"{table.name}. Es wurde nichts wiederhergestellt."
            ) from exc
    return rows


def restore(engine: Engine, directory: Path) -> int:
    """Load a dump into an empty, migrated database in one transaction; returns the row count."""
    try:
        revision = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))["schema_revision"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{directory / 'manifest.json'} ist keine Beschreibung einer Sicherung.") from exc
    if revision != HEAD_REVISION:
        raise ValueError(f"Die Sicherung hat den Schemastand {revision}, erwartet wird {HEAD_REVISION}.")
    if schema_state(engine) != "current":
        raise ValueError("Die Zieldatenbank muss zuerst mit `python -m sozdash migrate` angelegt werden.")
    count = 0
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                raise ValueError(f"Die Zieldatenbank ist nicht leer (Tabelle {table.name}).")
        for table in Base.metadata.sorted_tables:
            path = directory / f"{table.name}.jsonl"
            rows = _rows(table, path) if path.exists() else []
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
