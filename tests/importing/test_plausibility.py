"""Plausibility of imported values and shapes: finite numbers within the limits of their unit,
years within the configured range, real dates, known coordinate systems, shapes within reach of
the city, repair before the emptiness check."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest
from shapely.geometry import Polygon
from sqlalchemy import Engine, select

from sozdash.core.permissions import Actor
from sozdash.importing.boundaries import commit_boundaries, prepare_boundaries, repair
from sozdash.importing.numbers import YEARS_SETTING, read_periods, year_range
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.validate import ImportOptions
from sozdash.store.models import Area
from tests.apptest import assert_clean, open_page


def test_dates_must_exist() -> None:
    periods = read_periods(pd.Series(["2022-13-45", "31.02.2020", "29.02.2024", "2021-02-29", "2022", "30.4.2019"]))
    assert periods.bad_date.tolist() == [True, True, False, True, False, False]
    assert [periods.year[i] for i in (2, 4, 5)] == [2024, 2022, 2019] and periods.year.isna().tolist()[:2] == [True, True]


def test_year_range_default_and_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(YEARS_SETTING, raising=False)
    assert year_range() == (1950, dt.date.today().year + 1)
    monkeypatch.setenv(YEARS_SETTING, "1960-2000")
    assert year_range() == (1960, 2000)
    monkeypatch.setenv(YEARS_SETTING, "2000-1960")
    with pytest.raises(ImportProblem, match=f"{YEARS_SETTING} muss"):
        year_range()


def test_values_outside_their_unit_are_rejected_with_reason(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(YEARS_SETTING, "1960-2025")
    rows = [
        "Wiesdorf;bevoelkerung;2020;" + "9" * 400,  # row 2: overflows to infinity
        "Manfort;bevoelkerung;2020;-5",
        "Rheindorf;bevoelkerung;2020;1.000.000.000",
        "Hitdorf;sgb2_quote;2020;250 %",
        "Opladen;bevoelkerung;2026;5",
        "Bürrig;bevoelkerung;2022-13-45;5",
        "Quettingen;durchschnittsalter;2020;1e400",
        "Alkenrath;bevoelkerung;1959;5",
        "Schlebusch;bevoelkerung;2021;999.999.999",  # row 10: the largest count accepted
    ]
    data = ("Gebiet;Indikator;Jahr;Wert\n" + "\n".join(rows)).encode()
    preview = prepare(sqlite_engine, data, "werte.csv", ImportOptions(source="Statistikstelle"))
    reasons = {int(r["Zeile"]): (r["Grund"], r["Erwartet"]) for r in preview.rejected.to_dict("records")}
    count = ("Anzahl außerhalb des zulässigen Bereichs", "eine Anzahl von 0 bis unter 1.000.000.000 (1 Milliarde)")
    year = ("Jahr außerhalb des zulässigen Bereichs",
            f"ein Jahr von 1960 bis 2025 (zulässiger Bereich, einstellbar über die Umgebungsvariable {YEARS_SETTING})")  # fmt: skip
    assert reasons[2] == reasons[3] == reasons[4] == count
    assert reasons[5][0] == "Prozentwert außerhalb 0–100"
    assert reasons[6] == reasons[9] == year
    assert reasons[7][0] == "Datum ungültig" and "Monat 1–12" in reasons[7][1]
    assert reasons[8][0] == "keine Zahl"  # "1e400" is no number as offices write them
    assert set(reasons) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert preview.checked.rows["value"].tolist() == [999_999_999.0]


def geojson(outline: list[list[float]], crs: str | None = None, code: str = "wiesdorf") -> bytes:
    document: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [outline]}}
    ]}  # fmt: skip
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(document).encode()


def square(lon: float, lat: float, size: float = 0.004) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def test_unknown_crs_is_refused_with_the_usual_ones(sqlite_engine: Engine) -> None:
    options = ImportOptions(source="Vermessung")
    with pytest.raises(ImportProblem) as caught:
        prepare_boundaries(sqlite_engine, geojson(square(6.97, 51.03), "EPSG:999999"), "a.geojson", options)
    assert "„EPSG:999999“ ist unbekannt" in str(caught.value) and "EPSG:25832 (ETRS89 / UTM 32N)" in str(caught.value)
    with pytest.raises(ImportProblem, match="angegebene Koordinatensystem „EPSG:12345678“ ist unbekannt"):
        prepare_boundaries(sqlite_engine, geojson(square(6.97, 51.03)), "a.geojson", options, crs_hint="EPSG:12345678")


def test_shapes_far_from_the_city_are_rejected_near_ones_need_a_confirmation(sqlite_engine: Engine) -> None:
    options = ImportOptions(source="Vermessung")
    far = prepare_boundaries(sqlite_engine, geojson(square(51.03, 6.97)), "vertauscht.geojson", options)
    (reason,) = far.rejected["Grund"]
    assert reason.startswith("liegt außerhalb des Stadtgebiets: reicht ") and "vertauscht" in reason
    assert far.blocking and far.features.empty
    # 0.7° east of Leverkusen's stored shapes (about 50 km): held until the user confirms it
    near = prepare_boundaries(sqlite_engine, geojson(square(7.8, 51.03)), "exklave.geojson", options)
    assert near.rejected.empty
    (note,) = near.notes
    assert note.startswith("Wiesdorf: reicht ") and note.endswith(" km über das bisherige Stadtgebiet hinaus – bitte prüfen")
    (reason,) = near.blocking
    assert reason.startswith("1 Flächen reichen über das bisherige Stadtgebiet hinaus: Wiesdorf (") and "bestätigen" in reason
    with pytest.raises(ImportProblem, match="Stadtgebiet hinaus"):
        commit_boundaries(sqlite_engine, Actor("planerin", "planung"), near)
    confirmed = options.model_copy(update={"confirm_outside": True})
    near = prepare_boundaries(sqlite_engine, geojson(square(7.8, 51.03)), "exklave.geojson", confirmed)
    assert near.blocking == [] and len(near.beyond) == 1
    inside = prepare_boundaries(sqlite_engine, geojson(square(6.97, 51.03)), "a.geojson", options)
    assert inside.notes == [] and inside.counts["changed"] == 1


def test_page_shows_the_note_and_saves_only_after_the_confirmation(app_env: Engine) -> None:
    at = open_page("pages/datenimport.py", actor=Actor("planerin", "planung"), timeout=60)
    at.text_input(key="import-source").set_value("Vermessung")
    at.file_uploader(key="import-file").set_value(("exklave.geojson", geojson(square(7.8, 51.03)), "application/geo+json"))
    at.run()
    assert_clean(at)
    assert any("Wiesdorf: reicht " in w.value for w in at.warning)
    assert at.button(key="import-commit").disabled
    (confirmation,) = [c for c in at.checkbox if "Lage geprüft" in c.label]
    confirmation.check().run()
    assert not at.button(key="import-commit").disabled
    at.button(key="import-commit").click().run()
    assert_clean(at)
    assert at.success and at.success[0].value.startswith("Gespeichert als Import ")
    with app_env.connect() as conn:
        stored = conn.execute(select(Area.geometry).where(Area.code == "wiesdorf")).scalar_one()
    assert stored["coordinates"][0][0] == [7.8, 51.03]


def test_bow_tie_is_repaired_before_the_emptiness_check() -> None:
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    assert bow_tie.area == 0  # the two triangles cancel out until the shape is repaired
    fixed, note = repair(bow_tie)
    assert fixed is not None and fixed.area == pytest.approx(0.5)
    assert note == "repariert (Selbstüberschneidung bei 0.5 0.5)"
    line = Polygon([(0, 0), (1, 0), (2, 0), (0, 0)])  # collapses to nothing when repaired
    assert repair(line) == (None, "ungültige Geometrie, nicht reparierbar (Selbstüberschneidung bei 1 0)")
    sliver = Polygon([(0, 0), (1e-6, 0), (1e-6, 1e-6), (0, 1e-6)])  # valid, but about 0.01 m²
    assert repair(sliver) == (None, "ungültige Geometrie, nicht reparierbar (Fläche ohne Ausdehnung)")
