"""Undoing a whole import batch: restore exactly what it replaced, remove what it created."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session

from sozdash.access import audit
from sozdash.core.permissions import Actor, require_role
from sozdash.importing.problems import ImportProblem
from sozdash.store import db
from sozdash.store.models import (
    Area,
    AreaLevel,
    AreaNameMapping,
    AreaPart,
    ImportBatch,
    Indicator,
    Observation,
    ReplacedObservation,
)

CHUNK = 20_000


def undo_batch(engine: Engine, actor: Actor, batch_id: int) -> dict[str, int]:
    """Undo import batch ``batch_id`` in one transaction; returns German counts.

    Refused (``ImportProblem``) for seed and demo batches, for a batch already undone, and
    while a later committed batch has overwritten values of this one (undo that first).
    """
    require_role(actor, "planung")
    with db.session_scope(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.kind != "import":
            raise ImportProblem(
                f"Import {batch_id} gibt es nicht (nur Importe lassen sich rückgängig machen)."
            )
        if batch.status != "committed":
            raise ImportProblem(f"Import {batch_id} wurde bereits rückgängig gemacht.")
        later = session.scalars(
            select(ReplacedObservation.replaced_by_batch_id)
            .join(ImportBatch, ImportBatch.id == ReplacedObservation.replaced_by_batch_id)
            .where(ImportBatch.status == "committed", ImportBatch.id != batch_id)
            .where(ReplacedObservation.previous["batch_id"].as_integer() == batch_id)
            .limit(1)
        ).first()
        if later is not None:
            raise ImportProblem(
                f"Import {batch_id} kann nicht rückgängig gemacht werden: Der spätere Import {later} hat "
                f"Werte daraus überschrieben. Bitte zuerst Import {later} rückgängig machen."
            )
        conn = session.connection()
        removed = conn.execute(delete(Observation).where(Observation.batch_id == batch_id)).rowcount
        previous = conn.execute(
            select(ReplacedObservation.previous).where(ReplacedObservation.replaced_by_batch_id == batch_id)
        ).scalars()
        restored = 0
        rows = [row for row in previous if row is not None]
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(Observation), rows[start : start + CHUNK])
            restored += len(rows[start : start + CHUNK])
        report = batch.report or {}
        areas = _undo_areas(session, report)
        for key in report.get("created_indicators", []):
            indicator = session.scalars(select(Indicator).where(Indicator.key == key)).one_or_none()
            in_use = session.scalar(
                select(func.count()).select_from(Observation).where(Observation.indicator_id == indicator.id)
            ) if indicator else 1  # fmt: skip
            if not in_use:
                session.delete(indicator)
                audit.record(session, actor, "delete", "indicators", key)
        batch.status = "undone"
        counts = {"entfernt": removed, "wiederhergestellt": restored, "Gebiete": areas}
        audit.record(session, actor, "undo", "import_batches", batch_id, "status", "committed", "undone")
        return counts


def _undo_areas(session: Session, report: dict[str, Any]) -> int:
    """Restore what an area import replaced; remove the areas and levels it created."""
    before = report.get("areas_before", {})
    for area_id, values in before.items():
        session.execute(update(Area).where(Area.id == int(area_id)).values(**values))
    created = report.get("created_areas", [])
    if created:
        with_values = session.execute(
            select(func.count()).select_from(Observation).where(Observation.area_id.in_(created))
        ).scalar_one()
        with_children = session.execute(
            select(func.count()).select_from(Area).where(Area.parent_id.in_(created), Area.id.not_in(created))
        ).scalar_one()
        with_children += session.execute(
            select(func.count()).select_from(AreaPart)
            .where(AreaPart.part_id.in_(created), AreaPart.combined_id.not_in(created))
        ).scalar_one()  # fmt: skip
        if with_values or with_children:
            raise ImportProblem(
                "Die mit diesem Import angelegten Gebiete haben inzwischen Werte oder Untergebiete oder "
                "gehören zu einem zusammengefassten Gebiet. Bitte zuerst die späteren Importe rückgängig machen."
            )
        session.execute(delete(AreaNameMapping).where(AreaNameMapping.area_id.in_(created)))
        session.execute(delete(AreaPart).where(AreaPart.combined_id.in_(created)))
        session.execute(delete(Area).where(Area.id.in_(created)))
    levels = report.get("created_levels", [])
    if levels:
        if session.execute(select(func.count()).select_from(Area).where(Area.level.in_(levels))).scalar_one():
            raise ImportProblem(
                "In den mit diesem Import angelegten Gebietsebenen gibt es inzwischen weitere Gebiete. "
                "Bitte zuerst die Importe dieser Gebiete rückgängig machen."
            )
        session.execute(delete(AreaLevel).where(AreaLevel.key.in_(levels)))
    return len(before) + len(created)


def batch_list(engine: Engine) -> pd.DataFrame:
    """File imports, newest first, with German column names (for the page and its undo choice)."""
    columns = [ImportBatch.id, ImportBatch.created_at, ImportBatch.file_name, ImportBatch.source,
               ImportBatch.created_by, ImportBatch.rows_new, ImportBatch.rows_changed, ImportBatch.status]  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(
            select(*columns).where(ImportBatch.kind == "import").order_by(ImportBatch.id.desc())
        ).all()
    frame = pd.DataFrame(
        rows, columns=["Import", "Zeitpunkt", "Datei", "Quelle", "Von", "neu", "geändert", "Status"]
    )
    frame["Status"] = frame["Status"].map({"committed": "gespeichert", "undone": "rückgängig gemacht"})
    return frame
