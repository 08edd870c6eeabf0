"""Removing the example data (``demo remove`` and the function under the admin button) on SQLite
and PostgreSQL: every example row and schematic shape goes, real records stay, audited, once."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select, text

from sozdash.cli.main import main
from sozdash.core.paths import SEED_DIR
from sozdash.core.permissions import Actor, PermissionDenied
from sozdash.demo import removal
from sozdash.importing.commit import commit_import
from sozdash.importing.pipeline import prepare
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions
from sozdash.meetings import slides
from sozdash.meetings.saved_views import View
from sozdash.store import db
from sozdash.store.integrity import check
from sozdash.store.models import (
    Area,
    AuditEntry,
    Base,
    Fact,
    ImpactPackage,
    ImportBatch,
    Indicator,
    KeyFigure,
    Meeting,
    Observation,
    Organisation,
    PackageFunding,
    Programme,
    Project,
    Recommendation,
    SavedView,
)
from tests.versions import raised

ADMIN = Actor("admin.test", "admin")
PLANNER = Actor("planerin", "planung")
SESSION_DATE = dt.date(2018, 4, 16)


def _seed(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((SEED_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def _csv_rows(name: str) -> int:
    with (SEED_DIR / name).open(encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _count(engine: Engine, model: type[Base], *where: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _demo_rows(engine: Engine) -> dict[str, int]:
    """Rows flagged ``is_demo`` in every table that has the flag."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(
                select(func.count()).select_from(table).where(table.c.is_demo.is_(True))
            ).scalar_one()
            for table in Base.metadata.sorted_tables
            if "is_demo" in table.c
        }


# Real records of the seed (is_demo false or no example flag at all), counted from the seed files.
REAL = {
    Fact: lambda: len(_seed("facts")),
    Project: lambda: len(_seed("projects")),
    Meeting: lambda: len(_seed("meetings")),
    Organisation: lambda: len(_seed("organisations")),
    Programme: lambda: len(_seed("programmes")),
    SavedView: lambda: len(_seed("saved_views")),
    Area: lambda: len(_seed("areas")),
    ImpactPackage: lambda: sum(not r["is_demo"] for r in _seed("impact_packages")),
    PackageFunding: lambda: sum(not r["is_demo"] for r in _seed("package_funding")),
    Recommendation: lambda: sum(not r["is_demo"] for r in _seed("recommendations")),
    Observation: lambda: _csv_rows("observations.csv"),
}


def test_remove_takes_every_example_keeps_real_records_audited_once(engine: Engine) -> None:
    schematic = sum(
        f["properties"]["geometry_quality"] == "schematic"
        for f in json.loads((SEED_DIR / "areas.geojson").read_text(encoding="utf-8"))["features"]
    )
    expected = {
        "Beispielwerte der Indikatoren": _csv_rows("demo_observations.csv"),
        "Ladevorgänge der Beispielwerte": 1,
        "Messwerte von Kennzahlen": sum(r["is_demo"] for r in _seed("key_figure_measurements")),
        "Kennzahlen der Wirkungspakete": sum(r["is_demo"] for r in _seed("key_figures")),
        "Controllinggespräche": sum(r["is_demo"] for r in _seed("controlling_meetings")),
        "Handlungsempfehlungen": sum(r["is_demo"] for r in _seed("recommendations")),
        removal.SHAPES: schematic,
    }
    assert expected["Beispielwerte der Indikatoren"] > 7000 and schematic == 17
    assert {k: v for k, v in removal.pending(engine).items() if v} == expected
    assert any(_demo_rows(engine).values())
    version = db.table_versions(engine)

    counts = removal.remove_demo(engine, ADMIN)

    assert {k: v for k, v in counts.items() if v} == expected
    assert _demo_rows(engine) == dict.fromkeys(_demo_rows(engine), 0)
    assert _count(engine, Area, Area.geometry_quality == "schematic") == 0
    assert _count(engine, Area, Area.geometry.is_not(None) | Area.display_geometry.is_not(None)) == 0
    assert _count(engine, Area, Area.geometry_quality == "none") == len(_seed("areas"))
    assert _count(engine, KeyFigure) == 0  # every key figure of the seed is an example
    assert _count(engine, ImportBatch, ImportBatch.kind == "demo") == 0
    for model, real in REAL.items():
        assert _count(engine, model) == real(), model.__tablename__
    changed = raised(engine, version)
    assert set(changed.values()) == {1} and {"observations", "areas", "key_figures"} <= set(changed)
    with engine.connect() as conn:
        entries = conn.execute(
            select(AuditEntry.action, AuditEntry.table_name, AuditEntry.record_id, AuditEntry.old_value)
            .where(AuditEntry.username == ADMIN.username)
        ).all()  # fmt: skip
    deleted = {(t, old) for action, t, _, old in entries if action == "delete"}
    assert ("observations", f"{expected['Beispielwerte der Indikatoren']} Zeilen") in deleted
    assert ("key_figures", "6 Zeilen") in deleted and ("recommendations", "4 Zeilen") in deleted
    shapes = [code for action, t, code, old in entries if action == "update" and t == "areas"]
    assert len(shapes) == schematic and "wiesdorf" in shapes
    assert check(engine).ok, check(engine).problems

    again = removal.remove_demo(engine, ADMIN)
    assert not any(again.values()) and removal.report_lines(again) == [removal.NOTHING]
    assert raised(engine, version) == changed  # nothing removed, nothing written
    assert _count(engine, AuditEntry, AuditEntry.username == ADMIN.username) == len(entries)


def test_planner_is_refused_and_nothing_changes(engine: Engine) -> None:
    before = removal.pending(engine)
    with pytest.raises(PermissionDenied, match="Admin"):
        removal.remove_demo(engine, PLANNER)
    assert removal.pending(engine) == before


def test_undo_of_an_import_that_replaced_an_example_value_restores_no_example(engine: Engine) -> None:
    data = "Gebiet;Indikator;Jahr;Wert;Zähler;Nenner\nWiesdorf;sgb2_quote;2020;25;250;1000\n".encode()
    preview = prepare(engine, data, "neu.csv", ImportOptions(source="Jobcenter"))
    assert preview.counts["changed"] == 1  # replaces the demo value
    batch = commit_import(engine, PLANNER, preview)
    assert batch is not None
    counts = removal.remove_demo(engine, ADMIN)
    assert counts["Rückgängig-Angaben von Importen zu Beispielwerten"] == 1
    assert _count(engine, Observation, Observation.batch_id == batch) == 1  # the imported value stays
    assert undo_batch(engine, PLANNER, batch) == {"entfernt": 1, "wiederhergestellt": 0, "Gebiete": 0}
    sgb2 = select(Indicator.id).where(Indicator.key == "sgb2_quote").scalar_subquery()
    assert _count(engine, Observation, Observation.indicator_id == sgb2) == 0
    assert _demo_rows(engine)["observations"] == 0


def test_undo_record_of_a_boundary_import_loses_its_schematic_shapes(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        wiesdorf = session.scalars(select(Area).where(Area.code == "wiesdorf")).one()
        before = {"geometry": wiesdorf.geometry, "display_geometry": wiesdorf.display_geometry,
                  "geometry_quality": "schematic", "centroid_lat": 51.0353, "centroid_lon": 6.9756,
                  "centroid_verified": True}  # fmt: skip
        batch = ImportBatch(
            kind="import", source="Vermessung", created_by="planerin", created_at=dt.datetime(2026, 1, 1),
            report={"kind": "boundaries", "areas_before": {str(wiesdorf.id): before}, "created_areas": []},
        )  # fmt: skip
        session.add(batch)
        session.flush()
        batch_id, area_id = batch.id, str(wiesdorf.id)
    counts = removal.remove_demo(engine, ADMIN)
    assert counts[removal.UNDO_SHAPES] == 1
    with engine.connect() as conn:
        report = conn.execute(select(ImportBatch.report).where(ImportBatch.id == batch_id)).scalar_one()
    assert report["areas_before"][area_id] == before | {
        "geometry": None, "display_geometry": None, "geometry_quality": "none"
    }
    assert report["kind"] == "boundaries" and report["created_areas"] == []


def test_cli_dry_run_changes_nothing_then_removes_then_says_nothing_left(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    before = removal.pending(sqlite_engine)
    assert main(["demo", "remove", "--dry-run"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Würde entfernen:\n") and "Messwerte von Kennzahlen: 30\n" in shown
    assert "python -m sozdash dump" in shown
    assert removal.pending(sqlite_engine) == before
    assert main(["demo", "remove"]) == 0
    done = capsys.readouterr().out
    assert done.startswith("Entfernt:\n") and "Beispielwerte der Indikatoren: 7.241\n" in done
    assert _count(sqlite_engine, Observation, Observation.is_demo.is_(True)) == 0
    with sqlite_engine.connect() as conn:
        users = set(conn.scalars(text("SELECT DISTINCT username FROM audit_log WHERE action = 'delete'")))
    assert any(u.startswith("cli:") for u in users)
    assert main(["demo", "remove"]) == 0
    assert capsys.readouterr().out == f"{removal.NOTHING}\n"


SEED_VIEWS = {
    "karte": View(0, None, "SGB II", None, "indikatoren", {"ind": "sgb2_quote", "ebene": "stadtteil"}),
    "paket": View(0, None, "AWO", None, "altenhilfe", {"paket": "wp-awo-seniorenarbeit-hitdorf"}),
    "planung": View(0, None, "Planung", None, "altenhilfe", {}),
    "index": View(0, None, "Index", None, "sozialindex", {}),
}


def test_slides_flag_examples_and_schematic_maps_from_the_data(engine: Engine) -> None:
    today = dt.date(2026, 11, 25)
    before = {name: slides.build(engine, view, today, ADMIN) for name, view in SEED_VIEWS.items()}
    assert all(c.available and c.is_demo for c in before.values())
    assert before["karte"].is_schematic and before["index"].is_schematic
    assert "(Beispieldaten)" in before["paket"].source
    assert not slides.build(engine, SEED_VIEWS["planung"], SESSION_DATE, ADMIN).is_demo  # no meeting yet
    removal.remove_demo(engine, ADMIN)
    after = {name: slides.build(engine, view, today, ADMIN) for name, view in SEED_VIEWS.items()}
    assert not any(c.is_demo or c.is_schematic for c in after.values())
    assert after["planung"].available and "Beispieldaten" not in after["planung"].summary
