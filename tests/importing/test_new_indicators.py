"""Indicators created from a table's own data (``--create-indicators``, the page's checkbox):
the Hamburg Stadtteilprofile on an empty Hamburg instance with its boundaries, the derivation
rules one by one, the CLI and the page – SQLite and PostgreSQL where the database is touched.

Expected values are read off the file (tests/fixtures/hamburg, source in its README) with
openpyxl, independently of the reader: e.g. column B „Bevölkerung“ rows 21–34 (the Stadtteile of
Altona) add up to the Altona row 105 (259.897), but column Y „Zuzüge“ (moves across a Stadtteil
border) does not (29.299 against 22.073).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from sozdash.core.permissions import Actor
from sozdash.importing.boundaries import commit_boundaries, prepare_boundaries
from sozdash.importing.commit import commit_import
from sozdash.importing.levels import summed
from sozdash.importing.new_indicators import NOTE, indicator_key, lebenslage_of, unit_of
from sozdash.importing.pipeline import prepare
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions
from sozdash.store import bootstrap, db
from sozdash.store.models import Area, AreaPart, ImportBatch, Indicator, Observation
from tests.conftest import own_database

HAMBURG = Path(__file__).resolve().parents[1] / "fixtures" / "hamburg"
PROFILE = HAMBURG / "stadtteilprofile_2014.xlsx"
PLANNER = Actor("planerin", "planung")
SOURCE = "Statistikamt Nord"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_counter = itertools.count()


def _with_boundaries(engine: Engine) -> Engine:
    """``init --empty --city Hamburg`` and the three boundary files, as the README does it."""
    bootstrap.ensure_database(engine, bootstrap.EmptyCity("Hamburg", "02000000"))
    for name, level, level_name, extra in [
        ("hamburg-city.geojson", "stadt", "", {}),
        ("hamburg-districts.geojson", "bezirk", "Bezirk", {}),
        ("hamburg-district-regions.geojson", "stadtteil", "Stadtteil",
         {"parent_column": "district_id", "confirm_outside": True}),  # Neuwerk, as the README confirms it
    ]:
        options = ImportOptions(source="LGV Hamburg", level=level, level_names=[level_name] if level_name else [],
                                **extra)  # fmt: skip
        preview = prepare_boundaries(engine, (HAMBURG / name).read_bytes(), name, options)
        assert not preview.blocking, preview.blocking
        commit_boundaries(engine, PLANNER, preview)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hamburg(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty Hamburg instance with its 1 + 7 + 104 areas, on SQLite and on PostgreSQL."""
    with own_database(request.param, tmp_path, "newind") as engine:
        yield _with_boundaries(engine)


def _file_column(letter: str) -> dict[int, object]:
    """File row → cell of one column (``B``, ``Y``) of the Stadtteilprofile, read with openpyxl."""
    column = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(letter)))
    sheet = openpyxl.load_workbook(PROFILE, read_only=True, data_only=True).worksheets[0]
    cells = sheet.iter_rows(min_col=column, max_col=column, values_only=True)
    return {row: cell[0] for row, cell in enumerate(cells, start=1)}


def _indicators(engine: Engine) -> dict[str, Indicator]:
    with db.session_scope(engine) as session:
        rows = session.scalars(select(Indicator)).all()
        session.expunge_all()
    return {row.name: row for row in rows}


def _value(engine: Engine, indicator: str, area: str, level: str, year: int) -> float | None:
    with engine.connect() as conn:
        return conn.execute(
            select(Observation.value).join(Area, Area.id == Observation.area_id)
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Indicator.name == indicator, Area.name == area, Area.level == level, Observation.period == year)
        ).scalar_one_or_none()  # fmt: skip


# --- the rules, one by one -----------------------------------------------------------------------


def test_the_sum_check_proves_sums_only_where_the_coarser_rows_are_the_sums() -> None:
    # rows 0–3 finer (two blocks of two), rows 4–5 coarser, row 6 the total; columns:
    # 0 exact everywhere; 1 one coarser row above its block (an area without a row); 2 a block
    # above its coarser row (moves inside); 3 only one of three coarser rows exact (a share)
    counts = np.array(
        [[1, 1, 5, 10], [2, 2, 5, 20], [3, 3, 5, 30], [4, 4, 5, 40], [3, 9, 8, 15], [7, 7, 8, 35], [10, 16, 12, 50]],
        dtype=float,
    )  # fmt: skip
    parts = [(4, 0, 2), (5, 2, 4), (6, 4, 6)]
    assert summed(counts, parts).tolist() == [True, True, False, False]


@pytest.mark.parametrize(
    ("name", "lebenslage"),
    [
        ("Arbeitslose", "arbeit"), ("Ältere Arbeitslose", "arbeit"),
        ("Sozialversicherungspflichtig Beschäftigte", "arbeit"),
        ("Leistungsempfänger/-innen nach SGB II", "einkommen"), ("Unter 15-Jährige in Mindestsicherung", "einkommen"),
        ("Grundschulen", "bildung"), ("Schulabgänge mit Abitur", "bildung"),
        ("Schülerinnen und Schüler der Sekundarstufe I", "bildung"), ("Sozialwohnungen", "wohnen"),
        ("Bevölkerung mit Migrationshintergrund", "integration"), ("Ausländeranteil in %", "integration"),
        ("Alleinerziehende", "kinder_familie"), ("Anteil der Haushalte mit Kindern in %", "kinder_familie"),
        ("65-Jährige und Ältere", "pflege_alter"), ("Pflegebedürftige", "pflege_alter"),
        ("Niedergelassene Ärzte", "gesundheit"), ("Apotheken", "gesundheit"),
        ("Geburten", "bevoelkerung"), ("Unter 18-Jährige", "bevoelkerung"),
    ],
)  # fmt: skip
def test_lebenslage_by_keyword(name: str, lebenslage: str) -> None:
    assert lebenslage_of(name)[0] == lebenslage


@pytest.mark.parametrize(
    ("name", "percent_cells", "unit"),
    [
        ("Anteil der unter 18-Jährigen in %", False, "%"), ("Beschäftigtenquote", False, "%"),
        ("Arbeitslosenanteil", False, "%"), ("Arbeitslose", True, "%"), ("Fläche in km²", False, "km²"),
        ("Preise für Grundstücke in EUR/m²", False, "EUR/m²"), ("Einwohner je km²", False, "je km²"),
        ("Personen je Haushalt", False, "je Haushalt"), ("Wohnfläche je Einwohner/-in in m²", False, "m²"),
        ("Unter 15-Jährige in Mindestsicherung", False, "Anzahl"), ("Bevölkerungsdichte", False, "Anzahl"),
    ],
)  # fmt: skip
def test_unit_from_the_name_or_the_percent_cells(name: str, percent_cells: bool, unit: str) -> None:
    assert unit_of(name, percent_cells)[0] == unit


def test_keys_are_stable_slugs_unique_against_the_catalogue() -> None:
    assert (
        indicator_key("Anteil der unter 18-Jährigen in %", set())
        == "anteil_der_unter_18_jaehrigen_in_prozent"
    )
    assert indicator_key("65-Jährige und Ältere", set()) == "i_65_jaehrige_und_aeltere"
    taken = indicator_key("Arbeitslose", {"arbeitslose"})
    assert taken != "arbeitslose" and taken.startswith("arbeitslose_")
    assert indicator_key("Arbeitslose", {"arbeitslose"}) == taken  # the same name, the same key
    long = "Anteil der Schülerinnen und Schüler in Stadtteilschulen und Schulformen mit mehreren Bildungsgängen in %"
    assert len(indicator_key(long, set())) <= 50 and not indicator_key(long, set()).endswith("_")


# --- the Hamburg Stadtteilprofile on an empty Hamburg instance ----------------------------------


def test_hamburg_profile_creates_its_68_indicators_from_the_data(hamburg: Engine) -> None:
    data = PROFILE.read_bytes()
    refused = prepare(hamburg, data, PROFILE.name, ImportOptions(source=SOURCE, combine="create"))
    assert any(r.startswith("68 Indikatoren sind unbekannt") for r in refused.blocking)
    options = ImportOptions(source=SOURCE, combine="create", create_indicators=True)
    preview = prepare(hamburg, data, PROFILE.name, options)
    assert not preview.blocking, preview.blocking
    table = preview.derived.table.set_index("Name in der Datei")
    assert len(table) == 68 and preview.unknown_indicators.empty
    row = table.loc["Bevölkerung"]
    assert tuple(row[["Schlüssel", "Einheit", "Aggregation"]]) == ("bevoelkerung", "Anzahl", "Summe")
    assert "Summenprüfung" in row["Abgeleitet aus"]

    batch = commit_import(hamburg, PLANNER, preview)
    assert batch is not None
    created = _indicators(hamburg)
    assert len(created) == 68
    assert {(i.source, i.polarity, i.is_public) for i in created.values()} == {(SOURCE, "neutral", True)}
    assert all(NOTE in (i.note or "") for i in created.values())

    # Bevölkerung: the Bezirk rows are the sums of their Stadtteile (Altona rows 21–34 = row 105,
    # the Bezirke rows 104–110 = Hamburg row 111), so the file proves the sum
    population = _file_column("B")
    assert sum(population[r] for r in range(21, 35)) == population[105] == 259897
    assert sum(population[r] for r in range(104, 111)) == population[111] == 1788994
    bevoelkerung = created["Bevölkerung"]
    assert (bevoelkerung.key, bevoelkerung.unit, bevoelkerung.aggregation, bevoelkerung.decimals) == (
        "bevoelkerung", "Anzahl", "sum", 0,
    )  # fmt: skip
    assert bevoelkerung.definition == "Anzahl der Einwohnerinnen und Einwohner"  # the description row 4
    # Zuzüge: moves across a Stadtteil border; the Altona Stadtteile sum to more than Altona
    moves = _file_column("Y")
    assert (sum(moves[r] for r in range(21, 35)), moves[105]) == (29299, 22073)
    assert (created["Zuzüge"].unit, created["Zuzüge"].aggregation) == ("Anzahl", "none")
    share = created["Anteil der unter 18-Jährigen in %"]
    assert (share.unit, share.aggregation, share.decimals, share.scale) == ("%", "none", 1, 1.0)
    area = created["Fläche in km²"]  # written 1,288 … 755,296231 (computed sums): three decimals
    assert (area.unit, area.aggregation, area.decimals) == ("km²", "none", 3)
    income = created["Durchschnittliches Einkommen je Steuerpflichtigen in EUR"]
    assert (income.unit, income.aggregation, income.lebenslage) == ("EUR", "none", "einkommen")
    household = created["Personen je Haushalt"]
    assert (household.unit, household.decimals) == ("je Haushalt", 1)
    assert {created[n].lebenslage for n in ("Arbeitslose", "Beschäftigtenquote in %")} == {"arbeit"}
    assert created["Ausländeranteil in %"].lebenslage == "integration"
    assert created["Grundschulen"].lebenslage == "bildung"
    assert created["Niedergelassene Ärzte"].lebenslage == "gesundheit"

    assert _value(hamburg, "Bevölkerung", "Hamburg-Altstadt", "stadtteil", 2013) == 1675
    assert _value(hamburg, "Bevölkerung", "Hamburg", "stadt", 2013) == 1788994
    assert _value(hamburg, "Anteil der unter 18-Jährigen in %", "Hamburg-Altstadt", "stadtteil", 2013) == 9.7

    # next year's file of the same names: every indicator is found by its name, none created
    again = prepare(hamburg, data, PROFILE.name, options)
    assert again.derived.specs == [] and not again.blocking and again.counts["new"] == 0

    counts = undo_batch(hamburg, PLANNER, batch)
    assert counts["entfernt"] == 7276
    with hamburg.connect() as conn:
        left = [
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Indicator, Observation, AreaPart)
        ]
        areas = conn.execute(select(func.count()).select_from(Area)).scalar_one()
    assert left == [0, 0, 0] and areas == 1 + 7 + 104


def test_known_names_are_mapped_and_only_the_rest_created(engine: Engine) -> None:
    """On the Leverkusen default: a long table with a name of the catalogue and two new ones."""
    data = (
        "Gebiet;Indikator;Jahr;Wert\n"
        "Opladen;Einwohnerinnen und Einwohner;2030;1000\n"
        "Opladen;Quote der Frühstarter;2030;53,40%\n"
        "Opladen;Zuzüge;2030;12\n"
        "Wiesdorf;Zuzüge;2030;7,5\n"
    ).encode()
    preview = prepare(engine, data, "werte.csv", ImportOptions(source="Test", create_indicators=True))
    assert not preview.blocking, preview.blocking
    table = preview.derived.table.set_index("Name in der Datei")
    assert sorted(table.index) == ["Quote der Frühstarter", "Zuzüge"]  # Einwohnerinnen … is „bevoelkerung“
    assert tuple(table.loc["Quote der Frühstarter", ["Einheit", "Nachkommastellen"]]) == ("%", 2)
    assert tuple(table.loc["Zuzüge", ["Einheit", "Aggregation", "Nachkommastellen"]]) == (
        "Anzahl", "nicht aggregierbar", 1,
    )  # fmt: skip  # a long table has no coarser rows: no proof of sums
    batch = commit_import(engine, PLANNER, preview)
    assert batch is not None
    with engine.connect() as conn:
        keys = set(conn.execute(select(Indicator.key).where(Indicator.source == "Test")).scalars())
        report = conn.execute(select(ImportBatch.report).where(ImportBatch.id == batch)).scalar_one()
    assert keys == {"quote_der_fruehstarter", "zuzuege"} == set(report["created_indicators"])
    undo_batch(engine, PLANNER, batch)
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(Indicator).where(Indicator.source == "Test"))
        assert left.scalar_one() == 0


# --- the CLI and the page ------------------------------------------------------------------------


def test_cli_create_indicators_dry_run_then_import(
    hamburg: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sozdash.cli.main import main

    monkeypatch.setenv("DATABASE_URL", hamburg.url.render_as_string(hide_password=False))
    command = ["import", str(PROFILE), "--source", SOURCE, "--combine"]
    assert main(command) == 1
    assert "--create-indicators" in capsys.readouterr().out
    assert main([*command, "--create-indicators", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"Neu anzulegen: 68 Indikatoren, aus der Datei abgeleitet. {NOTE}" in out
    assert "anteil_der_unter_18_jaehrigen_in_prozent" in out and "Probelauf: nichts gespeichert" in out
    assert _indicators(hamburg) == {}
    assert main([*command, "--create-indicators"]) == 0
    assert "Gespeichert als Import" in capsys.readouterr().out
    assert len(_indicators(hamburg)) == 68


def test_page_checkbox_creates_the_indicators(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.apptest import assert_clean, open_page

    engine = _with_boundaries(db.get_engine(f"sqlite:///{tmp_path / 'hamburg.sqlite'}"))
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    at = open_page("pages/datenimport.py", actor=PLANNER, timeout=90)
    at.file_uploader(key="import-file").set_value((PROFILE.name, PROFILE.read_bytes(), XLSX))
    at.text_input(key="import-source").set_value(SOURCE)
    at.run()
    assert_clean(at)
    assert any("68 Indikatoren sind unbekannt" in w.value for w in at.warning)
    at.checkbox(key="import-create-indicators").check()
    at.radio(key="import-combine").set_value("create")
    at.run()
    assert_clean(at)
    shown = next(d.value for d in at.dataframe if "Abgeleitet aus" in d.value.columns)
    assert (
        len(shown) == 68 and shown.set_index("Name in der Datei").at["Bevölkerung", "Aggregation"] == "Summe"
    )
    assert any("Neu anzulegende Indikatoren" in s.value for s in at.subheader)
    at.button(key="import-commit").click()
    at.run()
    assert_clean(at)
    assert any("Gespeichert als Import" in s.value for s in at.success)
    assert len(_indicators(engine)) == 68
