"""Undo restores exactly what an import replaced, and one file never holds the same area (or the
same area × indicator × year) twice: boundary files, area tables and table files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from shapely.geometry import shape
from sqlalchemy import Engine, select

from sozdash.core.permissions import Actor
from sozdash.importing.areas import prepare_areas
from sozdash.importing.boundaries import AREA_FIELDS, commit_boundaries, prepare_boundaries
from sozdash.importing.commit import commit_import
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions
from sozdash.store.models import Area, Observation

PLANNER = Actor("planerin", "planung")


def area_fields(engine: Engine, code: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(*(Area.__table__.c[f] for f in AREA_FIELDS)).where(Area.code == code)).one()
    return dict(row._mapping)


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*features: tuple[dict[str, str], dict[str, Any]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties, "geometry": geometry} for properties, geometry in features
    ]}).encode()  # fmt: skip


def test_two_shapes_for_one_area_are_refused_and_undo_restores_the_original(engine: Engine) -> None:
    original = area_fields(engine, "wiesdorf")
    first, second = square(6.97, 51.03, 0.004), square(6.975, 51.032, 0.003)
    data = collection(({"code": "wiesdorf"}, first), ({"name": "Wiesdorf"}, second))
    preview = prepare_boundaries(engine, data, "doppelt.geojson", ImportOptions(source="Vermessung"))
    assert preview.rejected.to_dict("records") == [
        {"Objekt": 2, "Name": "Wiesdorf", "Grund": "gehört wie Objekt 1 zum Gebiet „Wiesdorf“ (je Gebiet genau eine Fläche)"}
    ]  # fmt: skip
    assert preview.blocking and preview.counts["changed"] == 1
    with pytest.raises(ImportProblem, match="abgelehnt"):
        commit_boundaries(engine, PLANNER, preview)
    assert area_fields(engine, "wiesdorf") == original

    kept = prepare_boundaries(engine, data, "doppelt.geojson", ImportOptions(source="Vermessung", skip_rejected=True))
    batch = commit_boundaries(engine, PLANNER, kept)
    assert batch is not None
    assert shape(area_fields(engine, "wiesdorf")["geometry"]).equals(shape(first))
    undo_batch(engine, PLANNER, batch)
    assert area_fields(engine, "wiesdorf") == original


def test_undo_after_two_reshaping_imports_restores_each_state(engine: Engine) -> None:
    original = area_fields(engine, "manfort")
    one = commit_boundaries(engine, PLANNER, prepare_boundaries(
        engine, collection(({"code": "manfort"}, square(7.0, 51.025, 0.004))), "a.geojson", ImportOptions(source="Amt")
    ))  # fmt: skip
    after_one = area_fields(engine, "manfort")
    two = commit_boundaries(engine, PLANNER, prepare_boundaries(
        engine, collection(({"code": "manfort"}, square(7.002, 51.026, 0.003))), "b.geojson", ImportOptions(source="Amt")
    ))  # fmt: skip
    assert one is not None and two is not None and after_one != original
    undo_batch(engine, PLANNER, two)
    assert area_fields(engine, "manfort") == after_one
    undo_batch(engine, PLANNER, one)
    assert area_fields(engine, "manfort") == original


def test_same_key_twice_in_a_table_file_is_rejected_with_both_rows_and_nothing_changes(engine: Engine) -> None:
    def stored() -> list[tuple[Any, ...]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(Observation.__table__).order_by(Observation.id)).all()]

    before = stored()
    data = (
        b"Gebiet;Indikator;Jahr;Wert\n"
        b"Wiesdorf;sgb2_quote;2020;11\n"
        b"Manfort;sgb2_quote;2020;12\n"
        b"Wiesdorf;sgb2_quote;2020;13\n"
    )
    preview = prepare(engine, data, "doppelt.csv", ImportOptions(source="Jobcenter"))
    expected = {2: "4", 4: "2"}  # file row → the other row with the same key (header = row 1)
    assert {int(r["Zeile"]): r["Erwartet"] for r in preview.rejected.to_dict("records")} == {
        row: f"eine Zeile je Gebiet, Indikator und Jahr (dieselben auch in Zeile {other})" for row, other in expected.items()
    }  # fmt: skip
    assert preview.blocking
    skipped = prepare(engine, data, "doppelt.csv", ImportOptions(source="Jobcenter", skip_rejected=True))
    assert len(skipped.checked.rows) == 1  # only Manfort
    batch = commit_import(engine, PLANNER, skipped)
    assert batch is not None and stored() != before
    undo_batch(engine, PLANNER, batch)
    assert stored() == before


def test_area_tables_name_the_row_of_a_repeated_area(sqlite_engine: Engine) -> None:
    listing = b"code;name;parent\nneu-1;Neu;bezirk-1\nneu-1;Noch einmal;bezirk-1\n"
    preview = prepare_areas(sqlite_engine, listing, "liste.csv", ImportOptions(source="Amt"))
    assert preview.rejected.to_dict("records") == [
        {"Zeile": 3, "Grund": "Code „neu-1“ (Spalte „code“) kommt mehrfach vor (zuerst Zeile 2)"}
    ]
    keys = (
        b"Stadtbezirk (Nummer);Stadtbezirk (Name);Stadtteil (Nummer);Stadtteil (Name)\n"
        b"bezirk-1;Stadtbezirk I;wiesdorf;Wiesdorf\n"
        b"bezirk-1;Stadtbezirk I;manfort;Manfort\n"
        b"bezirk-1;Stadtbezirk I;wiesdorf;Wiesdorf\n"
    )
    preview = prepare_areas(sqlite_engine, keys, "schluessel.csv", ImportOptions(source="Amt"))
    assert preview.rejected.to_dict("records") == [
        {"Zeile": 4, "Grund": "Stadtteil „wiesdorf“ kommt mehrfach vor (zuerst Zeile 2); je Gebiet der feinsten "
                              "Ebene genau eine Zeile"}
    ]  # fmt: skip
    assert preview.blocking
