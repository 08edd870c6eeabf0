"""Removing the example data: every demo value and record and every schematic shape.

``python -m sozdash demo remove`` and the admin button on the page Datenstand call
:func:`remove_demo`: one transaction, role Admin, audited. What counts as an
example per table (dependents follow their parent, so nothing is left pointing at a removed row):

- observations flagged ``is_demo`` and every value of a demo import batch, then those batches;
- undo records of imports that would bring a demo value back (or belong to a demo batch);
- key figures, their measurements, controlling meetings and funding flagged ``is_demo`` or
  belonging to a demo impact package, then the demo packages;
- demo recommendations and index snapshots published from demo values;
- schematic area shapes (geometry and display copy removed, quality ``none``), also in the undo
  records of boundary imports, so undoing one never restores a schematic shape.

Sourced facts, areas, projects, meetings and everything else without an example flag stay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, delete, func, null, select, update
from sqlalchemy.orm import Session

from sozdash.access import audit
from sozdash.core import fmt
from sozdash.core.permissions import Actor, require_role
from sozdash.store import db
from sozdash.store.cache import cached_query
from sozdash.store.models import (
    Area,
    Base,
    ControllingMeeting,
    ImpactPackage,
    ImportBatch,
    IndexSnapshot,
    KeyFigure,
    KeyFigureMeasurement,
    Observation,
    PackageFunding,
    Recommendation,
    ReplacedObservation,
)

REMOVE_ROLE = "admin"
SCHEMATIC = "schematic"
SHAPES = "Schematische Gebietsformen (die Gebiete selbst bleiben)"
UNDO_SHAPES = "Rückgängig-Angaben von Grenzimporten mit schematischen Formen"
NOTHING = "Keine Beispieldaten vorhanden – nichts entfernt."
DUMP_HINT = (
    "Das Entfernen lässt sich nicht rückgängig machen. Sicherung vorher: python -m sozdash dump VERZEICHNIS"
)


def _demo_batches() -> Select[int]:
    return select(ImportBatch.id).where(ImportBatch.is_demo.is_(True))


def _demo_packages() -> Select[int]:
    return select(ImpactPackage.id).where(ImpactPackage.is_demo.is_(True))


def _demo_key_figures() -> ColumnElement[bool]:
    return KeyFigure.is_demo.is_(True) | KeyFigure.package_id.in_(_demo_packages())


@dataclass(frozen=True)
class Kind:
    """One kind of example rows: its table, German label and which rows are examples."""

    model: type[Base]
    label: str
    where: Callable[[], ColumnElement[bool]]


KINDS: tuple[Kind, ...] = (
    Kind(ReplacedObservation, "Rückgängig-Angaben von Importen zu Beispielwerten", lambda: (
        ReplacedObservation.replaced_by_batch_id.in_(_demo_batches())
        | ReplacedObservation.previous["is_demo"].as_boolean().is_(True)
        | ReplacedObservation.previous["batch_id"].as_integer().in_(_demo_batches())
    )),
    Kind(Observation, "Beispielwerte der Indikatoren",
         lambda: Observation.is_demo.is_(True) | Observation.batch_id.in_(_demo_batches())),
    Kind(ImportBatch, "Ladevorgänge der Beispielwerte", lambda: ImportBatch.is_demo.is_(True)),
    Kind(KeyFigureMeasurement, "Messwerte von Kennzahlen", lambda: (
        KeyFigureMeasurement.is_demo.is_(True)
        | KeyFigureMeasurement.key_figure_id.in_(select(KeyFigure.id).where(_demo_key_figures()))
    )),
    Kind(KeyFigure, "Kennzahlen der Wirkungspakete", _demo_key_figures),
    Kind(ControllingMeeting, "Controllinggespräche", lambda: (
        ControllingMeeting.is_demo.is_(True) | ControllingMeeting.package_id.in_(_demo_packages())
    )),
    Kind(PackageFunding, "Förderbeträge von Wirkungspaketen", lambda: (
        PackageFunding.is_demo.is_(True) | PackageFunding.package_id.in_(_demo_packages())
    )),
    Kind(ImpactPackage, "Wirkungspakete", lambda: ImpactPackage.is_demo.is_(True)),
    Kind(Recommendation, "Handlungsempfehlungen", lambda: Recommendation.is_demo.is_(True)),
    Kind(IndexSnapshot, "Veröffentlichungen des Sozialindex aus Beispielwerten",
         lambda: IndexSnapshot.is_demo.is_(True)),
)  # fmt: skip
"""In deletion order: dependents before the rows they point at."""


def _schematic_before(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """A boundary import's report with schematic shapes in ``areas_before`` replaced by no
    shape; ``None`` when it holds none."""
    before = (report or {}).get("areas_before") or {}
    if not any(values.get("geometry_quality") == SCHEMATIC for values in before.values()):
        return None
    cleaned = {
        area_id: values | {"geometry": None, "display_geometry": None, "geometry_quality": "none"}
        if values.get("geometry_quality") == SCHEMATIC else values
        for area_id, values in before.items()
    }  # fmt: skip
    return {**(report or {}), "areas_before": cleaned}


def _undo_reports(session: Session) -> dict[int, dict[str, Any]]:
    """Cleaned reports of the import batches whose undo would restore a schematic shape."""
    reports = session.execute(
        select(ImportBatch.id, ImportBatch.report).where(ImportBatch.kind == "import")
    ).all()
    return {batch_id: cleaned for batch_id, report in reports if (cleaned := _schematic_before(report))}


def _count(session: Session) -> dict[str, int]:
    counts = {
        kind.label: session.execute(select(func.count()).select_from(kind.model).where(kind.where())).scalar_one()
        for kind in KINDS
    }  # fmt: skip
    counts[SHAPES] = session.execute(
        select(func.count()).select_from(Area).where(Area.geometry_quality == SCHEMATIC)
    ).scalar_one()
    counts[UNDO_SHAPES] = len(_undo_reports(session))
    return counts


@cached_query
def pending(engine: Engine) -> dict[str, int]:
    """What :func:`remove_demo` would remove now: German label → number of rows (cached by data
    version: it counts every demo row)."""
    with Session(engine) as session:
        return _count(session)


def remove_demo(engine: Engine, actor: Actor) -> dict[str, int]:
    """Remove all example data in one transaction (role Admin); returns German label → rows
    removed, all zero (and nothing written) when there was none."""
    require_role(actor, REMOVE_ROLE)
    with db.session_scope(engine) as session:
        counts = _count(session)
        if not any(counts.values()):
            return counts
        conn = session.connection()
        for kind in KINDS:
            removed = conn.execute(delete(kind.model).where(kind.where())).rowcount
            if removed:
                table = kind.model.__tablename__
                audit.record(session, actor, "delete", table, "Beispieldaten", None, f"{removed} Zeilen")
        for batch_id, report in _undo_reports(session).items():
            conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(report=report))
            audit.record(session, actor, "update", "import_batches", batch_id, "report", SCHEMATIC, "none")
        for code in session.scalars(select(Area.code).where(Area.geometry_quality == SCHEMATIC)).all():
            audit.record(session, actor, "update", "areas", code, "geometry", SCHEMATIC, "none")
        conn.execute(
            update(Area).where(Area.geometry_quality == SCHEMATIC)
            .values(geometry=null(), display_geometry=null(), geometry_quality="none")
        )  # fmt: skip
        return counts


def report_lines(counts: dict[str, int]) -> list[str]:
    """German lines "label: count" of the kinds present, or the one line that there is none."""
    lines = [f"{label}: {fmt.number(count)}" for label, count in counts.items() if count]
    return lines or [NOTHING]
