"""Writing a prepared import: one transaction, all rows or none, undoable.

Per batch: the original file with its SHA-256 checksum, the counts and a report (JSON);
every written value points to its batch; every overwritten value is kept as a
``ReplacedObservation`` (the whole previous row), so that ``undo`` restores it exactly.
Re-importing identical data writes nothing at all (no batch): ``commit_import`` returns None.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.orm import Session

from sozdash.access import audit
from sozdash.core.permissions import Actor, require_role
from sozdash.importing.hierarchy import create_combined
from sozdash.importing.pipeline import Preview, Progress, classify, no_progress
from sozdash.importing.problems import ImportProblem
from sozdash.store import db
from sozdash.store.models import (
    Area,
    AreaNameMapping,
    ImportBatch,
    Indicator,
    Observation,
    ReplacedObservation,
)

CHUNK = 20_000
MAX_REPORTED_REJECTS = 1000
INSERTED = ["area_id", "indicator_id", "period", "value", "numerator", "denominator", "status", "symbol",
            "source", "is_demo", "batch_id", "note", "is_computed"]  # fmt: skip
"""The columns ``_observation_rows`` fills, in the order of its tuples."""


def commit_import(
    engine: Engine, actor: Actor, preview: Preview, progress: Progress = no_progress
) -> int | None:
    """Store ``preview`` in one transaction; returns the new batch id, or None when nothing changed.

    Raises ``PermissionDenied`` below role Planung and ``ImportProblem`` while the preview
    still has open questions (unmatched names, unknown indicators, rejected rows).
    """
    require_role(actor, "planung")
    if preview.blocking:
        raise ImportProblem("Import nicht möglich: " + " ".join(preview.blocking))
    options = preview.options
    with db.session_scope(engine) as session:
        conn = session.connection()
        created = _create_indicators(session, actor, preview)
        combined = preview.combined if options.combine == "create" else []
        new_areas = create_combined(session, actor, combined, options.source)
        planned = preview.rows
        rows = classify(conn, planned.assign(area_id=planned["area_id"].replace(new_areas)), options.source)
        write = rows[rows["kind"] != "unchanged"]
        if write.empty and not created:
            return None
        progress(0.02, "Import wird gespeichert …")
        batch = _new_batch(session, actor, preview, rows, created)
        left_out = [
            {"Name": row["Name in der Datei"], "Zeilen": row["Zeilen"]}
            for row in preview.combined_table.to_dict("records")
            if row["Entscheidung"] == "Zeilen ausgelassen"
        ]
        batch.report = {**(batch.report or {}), "created_areas": list(new_areas.values()), "left_out": left_out}  # fmt: skip
        _save_mappings(session, preview)
        changed = write["existing_id"].dropna().astype(int).tolist()
        _replace(session, batch.id, changed, progress)
        for start in range(0, len(write), CHUNK):
            values = _observation_rows(write.iloc[start : start + CHUNK], batch.id)
            _insert_many(conn, Observation.__tablename__, INSERTED, values)
            progress(0.3 + 0.7 * min(1.0, (start + CHUNK) / len(write)), "Werte werden gespeichert …")
        audit.record(
            session, actor, "import", "import_batches", batch.id, None, None,
            {"Datei": preview.file_name, "neu": batch.rows_new, "geändert": batch.rows_changed},
        )  # fmt: skip
        return batch.id


def _create_indicators(session: Session, actor: Actor, preview: Preview) -> list[str]:
    used = set(preview.checked.rows["indicator_key"].unique())
    existing = set(session.scalars(select(Indicator.key)))
    created = []
    for spec in [*preview.options.new_indicators, *preview.derived.specs]:
        if spec.key in existing or spec.key not in used:
            continue
        session.add(
            Indicator(
                key=spec.key, name=spec.name, lebenslage=spec.lebenslage, unit=spec.unit, scale=spec.scale,
                definition=spec.definition or spec.name, source=spec.source, polarity=spec.polarity,
                aggregation=spec.aggregation, decimals=spec.decimals, is_public=True,
                note=spec.note or f"Angelegt beim Import von {preview.file_name}",
            )
        )  # fmt: skip
        audit.record(session, actor, "create", "indicators", spec.key, None, None, spec.name)
        created.append(spec.key)
    session.flush()
    return created


def _new_batch(
    session: Session, actor: Actor, preview: Preview, rows: pd.DataFrame, created: list[str]
) -> ImportBatch:
    counts = rows.loc[~rows["is_computed"].astype(bool), "kind"].value_counts()
    computed = rows[rows["is_computed"].astype(bool)]
    city = preview.city
    rejected = preview.checked.rejected
    batch = ImportBatch(
        kind="import", source=preview.options.source, file_name=preview.file_name[:400], checksum=preview.checksum,
        created_by=actor.username, created_at=dt.datetime.now().replace(microsecond=0),
        rows_total=preview.counts["total"], rows_new=int(counts.get("new", 0)),
        rows_changed=int(counts.get("changed", 0)), rows_unchanged=int(counts.get("unchanged", 0)),
        rows_rejected=len(rejected), original_file=preview.data, is_demo=False, status="committed",
        report={
            "layout": preview.layout,
            "skipped_rows": preview.skipped_rows,
            "created_indicators": created,
            "area_mapping": preview.options.area_mapping,
            "indicator_mapping": preview.options.indicator_mapping,
            "rejected": rejected.head(MAX_REPORTED_REJECTS).astype(str).to_dict("records"),
            "renamed_areas": preview.renamed.astype(str).to_dict("records"),
            "mapping_confirmed": preview.options.confirm_mapping,
            "city_values": {
                "level": city.level, "areas": city.areas, "computed": len(computed),
                "written": int((computed["kind"] != "unchanged").sum()), "agreeing": city.agreeing,
                "differences": city.checks.astype(str).to_dict("records"),
                "not_computed": city.not_computed.astype(str).to_dict("records"),
            },
        },
    )  # fmt: skip
    session.add(batch)
    session.flush()
    return batch


def _save_mappings(session: Session, preview: Preview) -> None:
    """Remember the user's area decisions for the next import of the same source."""
    source = preview.options.source[:200]
    mapping = preview.options.area_mapping
    if not mapping:
        return
    ids = dict(session.execute(select(Area.code, Area.id).where(Area.code.in_(list(mapping.values())))).all())
    session.execute(
        delete(AreaNameMapping).where(
            AreaNameMapping.source == source, AreaNameMapping.raw_name.in_(list(mapping))
        )
    )
    session.execute(
        insert(AreaNameMapping),
        [
            {"source": source, "raw_name": raw[:200], "area_id": ids[code]}
            for raw, code in mapping.items()
            if code in ids
        ],
    )


def _replace(session: Session, batch_id: int, ids: list[int], progress: Progress) -> None:
    """Keep the rows about to be overwritten, then delete them."""
    conn = session.connection()
    table = Observation.__table__
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        previous = conn.execute(select(table).where(table.c.id.in_(chunk))).mappings().all()
        conn.execute(
            insert(ReplacedObservation),
            [
                {"replaced_by_batch_id": batch_id, "area_id": row["area_id"], "indicator_id": row["indicator_id"],
                 "period": row["period"], "previous": dict(row)}
                for row in previous
            ],
        )  # fmt: skip
        conn.execute(delete(Observation).where(Observation.id.in_(chunk)))
        progress(0.3 * min(1.0, (start + CHUNK) / len(ids)), "Bisherige Werte werden gesichert …")


def _observation_rows(rows: pd.DataFrame, batch_id: int) -> list[tuple[Any, ...]]:
    """Parameter tuples in ``INSERTED`` order, with Python values (None where missing)."""
    count = len(rows)
    columns = [
        *(rows[c].astype(int).tolist() for c in ("area_id", "indicator_id", "period")),
        *(_nullable(rows[c].astype(float)) for c in ("value", "numerator", "denominator")),
        rows["status"].tolist(),
        _nullable(rows["symbol"]),
        rows["source"].tolist(),
        [False] * count,
        [batch_id] * count,
        _nullable(rows["note"]),
        rows["is_computed"].astype(bool).tolist(),
    ]
    return list(zip(*columns, strict=True))


def _nullable(column: pd.Series) -> list[Any]:
    """Values as Python objects, None where missing (NaN, NA)."""
    return column.astype(object).where(column.notna(), None).tolist()


def _insert_many(conn: Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert parameter tuples with the database driver's ``executemany`` (no per-row SQLAlchemy work)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})", rows
    )
