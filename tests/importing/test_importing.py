"""Data import: formats, mapping, validation reasons, idempotent commit, undo, export, bad input."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pyproj import Transformer
from sqlalchemy import Engine, select

from sozdash.core.permissions import Actor, PermissionDenied
from sozdash.exports.all_data import export_files, tables
from sozdash.importing.boundaries import commit_boundaries, prepare_boundaries
from sozdash.importing.commit import commit_import
from sozdash.importing.names import normalise
from sozdash.importing.numbers import parse_numbers, parse_periods
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions, IndicatorSpec
from sozdash.store.dump import dump
from sozdash.store.models import Area, AreaNameMapping, Indicator, Observation

PLANNER = Actor("planerin", "planung")


def db_checksum(engine: Engine, directory: Path) -> dict[str, str]:
    """SHA-256 of every table's dump (the manifest aside)."""
    dump(engine, directory)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.jsonl"))}


def observation(engine: Engine, area: str, indicator: str, period: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(Observation.value, Observation.numerator, Observation.status, Observation.symbol, Observation.batch_id)
            .join(Area, Area.id == Observation.area_id).join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Area.code == area, Indicator.key == indicator, Observation.period == period)
        ).mappings().first()  # fmt: skip
    return dict(row) if row else None


WIDE = (
    "Arbeitslosenquote nach Stadtteilen\nStand jeweils 31.12.\n\n"
    "Stadtteil;2030;2031\n"
    '01 Wiesdorf;"53,40%";"1,5 %"\n'
    "KÜPPERSTEG;*;7,1\n"
    "Stadtteil 5 Hitdorf;3,2;–\n"
    "Quelle: Statistikstelle; eigene Berechnung\n"
).encode("cp1252")


def test_german_numbers_and_markers_hand_computed() -> None:
    parsed = parse_numbers(
        pd.Series(["1.234,5", "53,40%", "*", "–", "<4", "abc", "", "1 234", "1.23,4"]), ","
    )
    assert parsed.value.iloc[0] == 1234.5 and parsed.value.iloc[1] == 53.4 and parsed.value.iloc[7] == 1234
    assert list(parsed.symbol.iloc[2:5]) == ["*", "-", "*"]
    assert list(parsed.invalid) == [False, False, False, False, False, True, False, False, True]
    assert bool(parsed.percent.iloc[1]) and not bool(parsed.percent.iloc[0])
    assert parse_numbers(pd.Series(["1,234.5"]), ".").value.iloc[0] == 1234.5
    years = parse_periods(pd.Series(["2022", "31.12.2022", "2022-12-31", "Jahr 2022", "2022/23", "1800"]))
    assert years.tolist()[:4] == [2022] * 4 and years.isna().tolist()[4:] == [True, True]


@pytest.mark.parametrize(
    ("raw", "key"),
    [("03 Nordstadt", "nordstadt"), ("Stadtteil 5 Wiesdorf", "wiesdorf"), ("KÜPPERSTEG", "kueppersteg"),
     ("Kueppersteg", "kueppersteg"), ("Bergisch_Neukirchen", "bergisch neukirchen"),
     ("bergisch-neukirchen", "bergisch neukirchen"), ("Stadtbezirk II", "stadtbezirk 2"), ("Straße", "strasse")],
)  # fmt: skip
def test_name_normalisation_rules(raw: str, key: str) -> None:
    assert normalise(raw) == key


def test_wide_table_percent_suppression_commit_reimport_and_undo(engine: Engine, tmp_path: Path) -> None:
    before = db_checksum(engine, tmp_path / "before")
    options = ImportOptions(source="Statistikstelle", indicator="arbeitslosenquote_bev")
    preview = prepare(engine, WIDE, "alq.csv", options)
    assert preview.layout == "wide_years"
    assert preview.counts == {"total": 6, "new": 6, "changed": 0, "unchanged": 0, "rejected": 0}
    assert db_checksum(engine, tmp_path / "dry") == before  # the preview is a dry run
    batch = commit_import(engine, PLANNER, preview)
    assert observation(engine, "wiesdorf", "arbeitslosenquote_bev", 2030)["value"] == pytest.approx(53.4)
    assert observation(engine, "wiesdorf", "arbeitslosenquote_bev", 2031)["value"] == pytest.approx(1.5)
    suppressed = observation(engine, "kueppersteg", "arbeitslosenquote_bev", 2030)
    assert (suppressed["value"], suppressed["status"], suppressed["symbol"]) == (None, "suppressed", "*")
    assert observation(engine, "hitdorf", "arbeitslosenquote_bev", 2031)["symbol"] == "-"
    assert observation(engine, "hitdorf", "arbeitslosenquote_bev", 2031)["batch_id"] == batch
    after = db_checksum(engine, tmp_path / "after")
    again = prepare(engine, WIDE, "alq.csv", options)
    assert again.counts["unchanged"] == 6 and again.counts["new"] == again.counts["changed"] == 0
    assert commit_import(engine, PLANNER, again) is None
    assert db_checksum(engine, tmp_path / "again") == after
    assert undo_batch(engine, PLANNER, batch)["entfernt"] == 6
    undone = db_checksum(engine, tmp_path / "undone")
    assert undone["observations.jsonl"] == before["observations.jsonl"]
    with pytest.raises(ImportProblem, match="bereits"):
        undo_batch(engine, PLANNER, batch)


def test_changed_values_are_restored_exactly_by_undo(engine: Engine, tmp_path: Path) -> None:
    old = observation(engine, "wiesdorf", "sgb2_quote", 2020)
    assert old is not None
    before = db_checksum(engine, tmp_path / "before")
    data = "Gebiet;Indikator;Jahr;Wert;Zähler;Nenner\nWiesdorf;sgb2_quote;2020;25;250;1000\n".encode()
    preview = prepare(engine, data, "neu.csv", ImportOptions(source="Jobcenter"))
    assert preview.counts["changed"] == 1
    batch = commit_import(engine, PLANNER, preview)
    assert observation(engine, "wiesdorf", "sgb2_quote", 2020)["value"] == 25.0
    second = prepare(
        engine, data.replace(b";25;250", b";30;300"), "neu2.csv", ImportOptions(source="Jobcenter")
    )
    later = commit_import(engine, PLANNER, second)
    with pytest.raises(ImportProblem, match=f"zuerst Import {later}"):
        undo_batch(engine, PLANNER, batch)
    undo_batch(engine, PLANNER, later)
    undo_batch(engine, PLANNER, batch)
    assert db_checksum(engine, tmp_path / "after")["observations.jsonl"] == before["observations.jsonl"]


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_long_xlsx_with_titles_footnotes_and_every_rejection_reason(engine: Engine, tmp_path: Path) -> None:
    data = _xlsx([
        ["Sozialbericht – Tabelle 3"], [None],
        ["Gebiet", "Indikator", "Jahr", "Wert", "Zähler", "Nenner", "Kennzeichen"],
        ["wiesdorf", "sgb2_quote", 2030, None, 50, 200, None],       # ok: 25 %
        ["manfort", "sgb2_quote", 2030, None, 300, 200, None],       # numerator > denominator
        ["opladen", "sgb2_quote", 2030, "120,5", None, None, None],  # percent outside 0–100
        ["opladen", "sgb2_quote", "irgendwann", 5, None, None, None],  # period
        ["Atlantis", "sgb2_quote", 2030, 5, None, None, None],       # unknown area
        ["hitdorf", "sgb2_quote", 2030, "viel", None, None, None],   # not a number
        ["buerrig", "sgb2_quote", 2030, 7, None, None, "*"],         # value despite marker
        ["rheindorf", "sgb2_quote", 2030, 4, None, None, None],      # duplicate key …
        ["Rheindorf", "sgb2_quote", "2030", 5, None, None, None],    # … twice
        [None], ["Quelle: Jobcenter Leverkusen"],
    ])  # fmt: skip
    preview = prepare(engine, data, "tabelle.xlsx", ImportOptions(source="Jobcenter"))
    reasons = dict(zip(preview.rejected["Zeile"], preview.rejected["Grund"], strict=True))
    assert reasons == {
        5: "Zähler größer als Nenner", 6: "Prozentwert außerhalb 0–100", 7: "Zeitraum nicht erkannt",
        8: "unbekanntes Gebiet", 9: "keine Zahl", 10: "Wert trotz Kennzeichnung vorhanden",
        11: "doppelter Schlüssel (Gebiet, Indikator und Jahr mehrfach)",
        12: "doppelter Schlüssel (Gebiet, Indikator und Jahr mehrfach)",
    }  # fmt: skip
    assert preview.counts["new"] == 1 and preview.blocking
    before = db_checksum(engine, tmp_path / "before")
    with pytest.raises(ImportProblem):
        commit_import(engine, PLANNER, preview)
    assert db_checksum(engine, tmp_path / "after") == before
    mapped = ImportOptions(source="Jobcenter", skip_rejected=True, area_mapping={"Atlantis": "opladen"})
    preview = prepare(engine, data, "tabelle.xlsx", mapped)  # another name: needs the confirmation
    assert preview.counts["new"] == 2 and any("„Atlantis“ → Opladen (opladen)" in r for r in preview.blocking)
    preview = prepare(engine, data, "tabelle.xlsx", mapped.model_copy(update={"confirm_mapping": True}))
    assert preview.counts["new"] == 2 and not preview.blocking
    commit_import(engine, PLANNER, preview)
    assert observation(engine, "wiesdorf", "sgb2_quote", 2030)["value"] == 25.0
    assert observation(engine, "opladen", "sgb2_quote", 2030)["value"] == 5.0
    with engine.connect() as conn:  # the mapping is kept for the next import of this source
        assert conn.execute(
            select(AreaNameMapping.raw_name).where(AreaNameMapping.source == "Jobcenter")
        ).scalars().all() == ["Atlantis"]


FFCSV = (
    "statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
    "1_variable_attribute_code;1_variable_attribute_label;value_variable_code;value_variable_label;value;value_unit;value_q\n"
    "12411-01-01-4;Bevölkerung;STAG;Stichtag;2030-12-31;KREISE;Kreise;05316;Leverkusen, kreisfreie Stadt;BEVSTD;Bevölkerungsstand;163.729;Anzahl;e\n"
    "12411-01-01-4;Bevölkerung;STAG;Stichtag;2031-12-31;KREISE;Kreise;05316;Leverkusen, kreisfreie Stadt;BEVSTD;Bevölkerungsstand;.;Anzahl;.\n"
    "12411-01-01-4;Bevölkerung;STAG;Stichtag;2032-12-31;KREISE;Kreise;05316000;Leverkusen, kreisfreie Stadt;BEVSTD;Bevölkerungsstand;164.000;Anzahl;s\n"
).encode()


def test_genesis_ffcsv_with_quality_columns(engine: Engine) -> None:
    options = ImportOptions(source="Regionalstatistik", indicator="einwohner_amtlich",
                            area_mapping={"05316": "05316000"})  # fmt: skip
    preview = prepare(engine, FFCSV, "12411.csv", options)
    assert preview.layout == "ffcsv" and preview.counts["new"] == 3 and not preview.blocking
    commit_import(engine, PLANNER, preview)
    assert observation(engine, "05316000", "einwohner_amtlich", 2030)["value"] == 163729.0
    assert observation(engine, "05316000", "einwohner_amtlich", 2031)["symbol"] == "."
    assert observation(engine, "05316000", "einwohner_amtlich", 2032)["status"] == "estimated"


def test_new_indicator_with_injection_in_name_is_plain_text_and_exported_neutralised(engine: Engine) -> None:
    spec = IndicatorSpec(key="tafel_nutzer", name='=HYPERLINK("http://x")<b>', lebenslage="einkommen",
                         unit="Personen", polarity="higher_worse", source="Tafel e. V.", aggregation="sum", decimals=0)  # fmt: skip
    data = b"Gebiet;Indikator;Jahr;Wert\nwiesdorf;Tafel;2030;1.234\n"
    options = ImportOptions(
        source="Tafel", indicator_mapping={"Tafel": "tafel_nutzer"}, new_indicators=[spec]
    )
    preview = prepare(engine, data, "tafel.csv", options)
    batch = commit_import(engine, PLANNER, preview)
    assert observation(engine, "wiesdorf", "tafel_nutzer", 2030)["value"] == 1234.0
    with engine.connect() as conn:
        assert (
            conn.execute(select(Indicator.name).where(Indicator.key == "tafel_nutzer")).scalar_one()
            == spec.name
        )
    exported = export_files(engine, ("csv",))["indikatoren.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in exported and ";=HYPERLINK" not in exported
    undo_batch(engine, PLANNER, batch)
    with engine.connect() as conn:  # the indicator the batch created goes with it
        assert conn.execute(select(Indicator.id).where(Indicator.key == "tafel_nutzer")).first() is None


def test_export_writes_symbols_never_numbers_for_suppressed_values(engine: Engine) -> None:
    values = tables(engine)["Werte"]
    suppressed = values[values["Status"] == "suppressed"]
    assert (
        not suppressed.empty and set(suppressed["Wert"]) <= {"*", "."} and suppressed["Zähler"].isna().all()
    )
    files = export_files(engine)
    assert set(files) == {
        "gebiete.csv",
        "indikatoren.csv",
        "werte.csv",
        "sozialdashboard_daten.xlsx",
        "gebiete.geojson",
    }
    geo = json.loads(files["gebiete.geojson"])
    assert len(geo["features"]) == 17 and geo["features"][0]["properties"]["parent"] is None


def test_geojson_in_epsg25832_is_reprojected_and_repaired(engine: Engine, tmp_path: Path) -> None:
    # Known point computed independently: Wiesdorf centre 51.0353 N / 6.9756 E in ETRS89 / UTM 32N.
    x, y = Transformer.from_crs(4326, 25832, always_xy=True).transform(6.9756, 51.0353)
    square = [
        [x - 500, y - 500],
        [x + 500, y - 500],
        [x + 500, y + 500],
        [x - 500, y + 500],
        [x - 500, y - 500],
    ]
    bowtie = [[x, y], [x + 100, y + 100], [x + 100, y], [x, y + 100], [x, y]]
    line = [[x, y], [x + 10, y], [x + 20, y], [x, y]]
    collection = {
        "type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [
            {"type": "Feature", "properties": {"code": "sr-1", "name": "Sozialraum Mitte"}, "geometry": {"type": "Polygon", "coordinates": [square]}},
            {"type": "Feature", "properties": {"code": "sr-2", "name": "Schleife"}, "geometry": {"type": "Polygon", "coordinates": [bowtie]}},
            {"type": "Feature", "properties": {"code": "sr-3", "name": "Leer"}, "geometry": None},
            {"type": "Feature", "properties": {"code": "sr-4", "name": "Strich"}, "geometry": {"type": "Polygon", "coordinates": [line]}},
        ],
    }  # fmt: skip
    data = json.dumps(collection).encode()
    options = ImportOptions(source="Vermessung", level="sozialraum", skip_rejected=True)
    preview = prepare_boundaries(engine, data, "sozialraeume.geojson", options)
    assert "25832" in preview.source_crs
    assert (
        dict(zip(preview.rejected["Name"], preview.rejected["Grund"], strict=True))["Leer"]
        == "leere Geometrie"
    )
    assert (
        "nicht reparierbar"
        in dict(zip(preview.rejected["Name"], preview.rejected["Grund"], strict=True))["Strich"]
    )
    batch = commit_boundaries(engine, PLANNER, preview)
    with engine.connect() as conn:
        mitte = conn.execute(
            select(
                Area.geometry, Area.display_geometry, Area.geometry_quality, Area.level, Area.parent_id
            ).where(Area.code == "sr-1")
        ).one()
        parent = conn.execute(select(Area.code).where(Area.id == mitte.parent_id)).scalar_one()
    west, south = mitte.geometry["coordinates"][0][0]
    expected = Transformer.from_crs(25832, 4326, always_xy=True).transform(x - 500, y - 500)
    assert (west, south) == pytest.approx(expected, abs=1e-7)
    assert abs(west - 6.9756) < 0.01 and abs(south - 51.0353) < 0.01
    assert (mitte.geometry_quality, mitte.level, parent) == ("official", "sozialraum", "wiesdorf")
    assert mitte.display_geometry is not None
    undo_batch(engine, PLANNER, batch)
    with engine.connect() as conn:
        assert conn.execute(select(Area.id).where(Area.code == "sr-1")).first() is None


def test_boundary_reimport_updates_known_and_creates_new_areas_together(sqlite_engine: Engine) -> None:
    def square(lon: float, size: float) -> dict:
        ring = [
            [lon, 51.03],
            [lon + size, 51.03],
            [lon + size, 51.03 + size],
            [lon, 51.03 + size],
            [lon, 51.03],
        ]
        return {"type": "Polygon", "coordinates": [ring]}

    def collection(*features: tuple[str, dict]) -> bytes:
        return json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": code, "name": code}, "geometry": geometry}
            for code, geometry in features
        ]}).encode()  # fmt: skip

    options = ImportOptions(source="Vermessung", level="sozialraum")
    first = prepare_boundaries(sqlite_engine, collection(("sr-a", square(6.97, 0.002))), "a.geojson", options)
    commit_boundaries(sqlite_engine, PLANNER, first)
    moved = square(6.975, 0.003)
    second = prepare_boundaries(
        sqlite_engine, collection(("sr-a", moved), ("sr-b", square(6.98, 0.002))), "b.geojson", options
    )
    assert second.counts == {"total": 2, "new": 1, "changed": 1, "unchanged": 0, "rejected": 0}
    commit_boundaries(sqlite_engine, PLANNER, second)
    with sqlite_engine.connect() as conn:
        stored = dict(
            conn.execute(select(Area.code, Area.geometry).where(Area.code.in_(["sr-a", "sr-b"]))).all()
        )
    assert stored["sr-a"]["coordinates"][0][1] == pytest.approx([6.978, 51.03])
    assert set(stored) == {"sr-a", "sr-b"}


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


BAD_FILES = {
    "random.csv": bytes(range(256)) * 400,
    "kaputt.xlsx": _xlsx([["Gebiet", "Indikator", "Jahr", "Wert"], ["wiesdorf", "sgb2_quote", 2030, 1]])[
        :900
    ],
    "leer.csv": b"",
    "zeile.csv": b"Gebiet;Wert;" + b"x" * (20 * 1024 * 1024),
    "spalten.csv": b"Vorname;Nachname\nErika;Mustermann\nMax;Muster\n",
    "bombe.xlsx": _zip_bomb(),
    "bombe.zip": _zip_bomb(),
    "html.geojson": b"<html><script>alert(1)</script></html>",
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_input_gives_german_message_and_changes_nothing(
    sqlite_engine: Engine, tmp_path: Path, name: str
) -> None:
    before = db_checksum(sqlite_engine, tmp_path / "before")
    options = ImportOptions(source="Test", indicator="sgb2_quote")
    with pytest.raises(ImportProblem) as caught:
        if name.endswith((".zip", ".geojson")):
            prepare_boundaries(sqlite_engine, BAD_FILES[name], name, options)
        else:
            prepare(sqlite_engine, BAD_FILES[name], name, options)
    message = str(caught.value)
    assert any(word in message for word in ("Datei", "Tabelle", "Spalte", "Zeile", "Archiv", "GeoJSON")), (
        message
    )
    assert "Traceback" not in message
    assert db_checksum(sqlite_engine, tmp_path / "after") == before


def test_writes_need_role_planung(sqlite_engine: Engine) -> None:
    preview = prepare(
        sqlite_engine, WIDE, "alq.csv", ImportOptions(source="Amt", indicator="arbeitslosenquote_bev")
    )
    with pytest.raises(PermissionDenied):
        commit_import(sqlite_engine, Actor("rat", "rat"), preview)
    with pytest.raises(PermissionDenied):
        undo_batch(sqlite_engine, Actor("fb", "fachbereich"), 1)


# --- property-based, process kill and page -------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELL = st.one_of(
    st.text(max_size=12), st.sampled_from(["1.234,5", "53,40%", "*", "-", "x", "<4", "wiesdorf", "2030", ""])
)


_UNTOUCHED: dict[str, dict[str, str]] = {}
"""Dump checksums of the database of the property test below, taken before its first example."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=0, max_size=12),
    separator=st.sampled_from([";", ","]),
)
def test_malformed_tables_never_crash_and_never_write(
    sqlite_engine: Engine, tmp_path_factory, table, separator
) -> None:
    base = tmp_path_factory.mktemp("prop")
    url = str(sqlite_engine.url)
    if url not in _UNTOUCHED:  # the engine is shared by all examples: one dump before the first
        _UNTOUCHED[url] = db_checksum(sqlite_engine, base / "before")
    data = "\n".join(separator.join(cell.replace("\n", " ") for cell in row) for row in table).encode(
        "utf-8", "replace"
    )
    try:
        preview = prepare(
            sqlite_engine,
            data,
            "zufall.csv",
            ImportOptions(source="Zufall", indicator="sgb2_quote", period="2030"),
        )
    except ImportProblem as exc:
        assert str(exc)
    else:
        assert preview.counts["total"] == sum(
            preview.counts[k] for k in ("new", "changed", "unchanged", "rejected")
        )
        assert set(preview.rejected["Grund"]) <= set(
            __import__("sozdash.importing.validate", fromlist=["REASONS"]).REASONS.values()
        )
    assert db_checksum(sqlite_engine, base / "after") == _UNTOUCHED[url]


def test_killed_import_process_leaves_database_unchanged(sqlite_engine: Engine, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    areas = ["wiesdorf", "manfort", "rheindorf", "hitdorf", "opladen"]
    lines = ["Gebiet;Indikator;Jahr;Wert"] + [
        f"{areas[i % 5]};sgb2_quote;{1900 + i // 5 % 300};{i % 97},5" for i in range(0, 1500)
    ]
    keys = ["Gebiet;Indikator;Jahr;Wert"]
    indicators = ["sgb2_quote", "abiturquote", "wohngeldquote", "nichtdeutsche_anteil"]
    for ind in indicators:
        for year in range(1900, 2200):
            for area in areas:
                keys.append(f"{area};{ind};{year};12,5")
    path = tmp_path / "gross.csv"
    path.write_text("\n".join(keys), encoding="utf-8")
    before = db_checksum(sqlite_engine, tmp_path / "before")
    env = {**os.environ, "DATABASE_URL": sqlite_engine.url.render_as_string(hide_password=False),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "sozdash", "import", str(path), "--source", "Gross"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    seen = b""
    while b"gespeichert" not in seen and process.poll() is None:
        seen += process.stderr.read(1)
    assert b"gespeichert" in seen, seen  # it had started committing …
    process.send_signal(signal.SIGKILL)  # … and dies in the middle
    process.wait()
    assert db_checksum(sqlite_engine, tmp_path / "after") == before
    del lines


def test_import_page_for_planner_and_refused_for_council(app_env: Engine) -> None:
    from tests.apptest import assert_clean, open_page

    at = open_page("pages/datenimport.py", actor=PLANNER)
    assert_clean(at)
    assert at.title[0].value == "Datenimport"
    assert any("Bisherige Importe" in s.value for s in at.subheader)
    assert any("Datei auswählen" in i.value for i in at.info)


def test_import_page_logic_maps_previews_and_commits(sqlite_engine: Engine) -> None:
    from sozdash.ui import import_flow as page

    class Bar:
        def __init__(self) -> None:
            self.seen: list[float] = []

        def progress(self, value: float, text: str = "") -> None:
            self.seen.append(value)

    state = {
        "data": b"Gebiet;Indikator;Jahr;Wert\nNordstadt;sgb2_quote;2030;3\n",
        "file_name": "a.csv",
    }
    kwargs = dict(source="Test", level=None, indicator="", period="", crs=None, skip=False, progress=Bar())
    preview = page.preview(sqlite_engine, state, mapping={}, **kwargs)
    assert list(preview.unmatched_areas["Name in der Datei"]) == ["Nordstadt"]
    edited = preview.unmatched_areas.assign(Gebietscode="opladen")
    mapping = page.mapping_from_editor(edited)
    assert mapping == {"Nordstadt": "opladen"}
    preview = page.preview(sqlite_engine, state, mapping=mapping, **kwargs)
    refused = page.commit(sqlite_engine, PLANNER, preview, Bar())  # Nordstadt is not Opladen: confirm first
    assert "ausdrücklich bestätigen" in refused
    preview = page.preview(sqlite_engine, state, mapping=mapping, confirm=True, **kwargs)
    bar = Bar()
    assert page.commit(sqlite_engine, PLANNER, preview, bar).startswith("Gespeichert als Import")
    assert bar.seen and bar.seen[-1] == 1.0
    assert "Datei ist leer" in page.preview(
        sqlite_engine, {"data": b"", "file_name": "b.csv"}, mapping={}, **kwargs
    )
