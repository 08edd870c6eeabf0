"""Table versions in tests: what a write raised."""

from __future__ import annotations

from sqlalchemy import Engine

from sozdash.store import db


def raised(engine: Engine, before: dict[str, int]) -> dict[str, int]:
    """How much each table's version went up since ``before`` (a ``db.table_versions`` reading);
    tables that did not change are left out."""
    after = db.table_versions(engine)
    return {table: after[table] - before.get(table, 0) for table in after if after[table] != before.get(table, 0)}
