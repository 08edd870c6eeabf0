"""Real published tables as they come: the Hamburg Stadtteilprofile and layouts of our own making
(id column, title and footnotes; years in column names with sub-columns; no header row; percent
cells and English numbers; several levels in one table), the mapping step and templates."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, select, update

from sozdash.cli.main import main as cli_main
from sozdash.core.permissions import Actor
from sozdash.importing.commit import commit_import
from sozdash.importing.layout import LayoutChoice, RowLevel
from sozdash.importing.numbers import detect_decimal, year_in_text
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.readers import read_table
from sozdash.importing.templates import save_template, stored_templates
from sozdash.importing.validate import ImportOptions, IndicatorSpec
from sozdash.store.models import Area, AuditEntry, ImportTemplate, Observation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TABLES = FIXTURES / "tables"
HAMBURG = FIXTURES / "hamburg"
PLANNER = Actor("planerin", "planung")


def table(name: str) -> bytes:
    return (TABLES / name).read_bytes()


def values(frame: pd.DataFrame, row: int, indicator: str) -> list[tuple[str, str]]:
    """(period, value) of one file row and indicator name."""
    hit = frame[(frame["row"] == row) & (frame["indicator"] == indicator)]
    return list(zip(hit["period"], hit["value"], strict=True))


def stored(engine: Engine, code: str, indicator_key: str, period: int) -> tuple[object, str, object] | None:
    from sozdash.store.models import Indicator

    with engine.connect() as conn:
        row = conn.execute(
            select(Observation.value, Observation.status, Observation.symbol)
            .join(Area, Area.id == Observation.area_id).join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Area.code == code, Indicator.key == indicator_key, Observation.period == period)
        ).first()  # fmt: skip
    return tuple(row) if row else None


def spec(key: str, name: str, unit: str = "Anzahl", aggregation: str = "sum") -> IndicatorSpec:
    return IndicatorSpec(key=key, name=name, lebenslage="bevoelkerung", unit=unit, polarity="neutral",
                         source="Statistikamt Nord", aggregation=aggregation, decimals=0)  # fmt: skip


# --- years in texts and number formats -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "rest", "kind"),
    [("Anzahl_2018", 2018, "Anzahl", ""), ("Anteil_in_%_2018", 2018, "Anteil in %", ""),
     ("Arbeitslose (Dez 2013)", 2013, "Arbeitslose", ""), ("Wohngebäude (2013)", 2013, "Wohngebäude", ""),
     ("Bevölkerung und Haushalte 31.12.2013", 2013, "Bevölkerung und Haushalte", ""),
     ("Kindergärten (März 2014)", 2014, "Kindergärten", ""), ("Grundschulen (2013/2014)", 2013, "Grundschulen", "school"),
     ("Einwohner 2011 bis 2021", 2021, "Einwohner", "range"),
     ("Sozialwohnungen mit Bindungsauslauf bis 2019", None, "Sozialwohnungen mit Bindungsauslauf bis 2019", ""),
     ("Stadtteil", None, "Stadtteil", "")],
)  # fmt: skip
def test_year_in_column_names_and_titles(text: str, year: int | None, rest: str, kind: str) -> None:
    found = year_in_text(text)
    assert (found.year, found.rest, found.kind) == (year, rest, kind)


def test_decimal_mark_from_evidence() -> None:
    assert detect_decimal(pd.Series(["12,345", "5.40%", "12.25%"])) == "."  # English thousands and percent
    assert detect_decimal(pd.Series(["53,40%", "1.234", "7,1"])) == ","
    assert detect_decimal(pd.Series(["1,234.5"])) == "." and detect_decimal(pd.Series(["1.234,5"])) == ","


# --- the Hamburg Stadtteilprofile 2014, read as it comes --------------------------------------


def test_hamburg_profile_read_as_it_comes() -> None:
    read = read_table((HAMBURG / "stadtteilprofile_2014.xlsx").read_bytes(), "stadtteilprofile_2014.xlsx")
    layout = read.table_layout
    assert layout is not None and read.layout == "wide_indicators"
    # row 1 title, row 2 topics ("Bevölkerung und Haushalte 31.12.2013"), row 3 names, row 4 descriptions
    assert (layout.header_rows, layout.topic_row, layout.description_rows) == ([3], 2, [4])
    assert layout.title.startswith("Statistische Daten zu den Stadtteilen Hamburgs")
    assert layout.area_column == 1 and len(layout.values) == 68
    # 99 Stadtteil rows (5–103), 7 Bezirke (104–110), the city (111): told apart by the sum check
    assert (layout.first_data_row, layout.last_data_row) == (5, 111)
    assert [(r.first_row, r.last_row, r.level) for r in layout.levels] == [
        (5, 103, "1"),
        (104, 110, "2"),
        (111, 111, "3"),
    ]
    assert layout.level_rule == "Summenprüfung"
    frame = read.frame
    assert frame["row"].nunique() == 107
    assert values(frame, 5, "Bevölkerung") == [("2013", "1675")]  # Hamburg-Altstadt, topic date 31.12.2013
    assert values(frame, 111, "Bevölkerung") == [("2013", "1788994")]  # Hamburg
    assert values(frame, 5, "Arbeitslose") == [("2013", "71")]  # "Arbeitslose (Dez 2013)"
    assert values(frame, 5, "Lohn- und Einkommensteuerpflichtige") == [("2010", "1728")]  # "(2010)"
    assert values(frame, 5, "Preise für Grundstücke in EUR/m²") == [("2014", ".")]  # withheld
    by_row = frame.drop_duplicates("row").set_index("row")
    shared = {35: ("Eimsbüttel", "1"), 106: ("Eimsbüttel", "2"), 58: ("Wandsbek", "1"), 108: ("Wandsbek", "2"),
              76: ("Bergedorf", "1"), 109: ("Bergedorf", "2"), 89: ("Harburg", "1"), 110: ("Harburg", "2")}  # fmt: skip
    assert {r: (by_row.loc[r, "area"], by_row.loc[r, "level"]) for r in shared} == shared
    notes = " ".join(read.notes)
    assert "Nachbarspalte" in notes and "Bindungsauslauf" in notes  # no year of its own: a guess, said
    assert "Schuljahr" in notes and "mehrfach" not in notes


def _hamburg_areas(engine: Engine) -> dict[str, int]:
    """The 7 Bezirke, 104 Stadtteile (from the boundary files' properties) and the city."""
    districts = json.loads((HAMBURG / "hamburg-districts.geojson").read_text())["features"]
    quarters = json.loads((HAMBURG / "hamburg-district-regions.geojson").read_text())["features"]
    with engine.begin() as conn:
        city = conn.execute(Area.__table__.insert().values(code="02000000", name="Hamburg", level="stadt",
                                                           source="Test")).inserted_primary_key[0]  # fmt: skip
        parents = {}
        for feature in districts:
            p = feature["properties"]
            parents[p["id"]] = conn.execute(Area.__table__.insert().values(
                code=f"hh-{p['id']}", name=p["name"], level="stadtbezirk", parent_id=city, source="Test"
            )).inserted_primary_key[0]  # fmt: skip
        for feature in quarters:
            p = feature["properties"]
            conn.execute(Area.__table__.insert().values(code=f"hh-{p['id']}", name=p["name"], level="stadtteil",
                                                        parent_id=parents[p["district_id"]], source="Test"))  # fmt: skip
        return dict(conn.execute(select(Area.code, Area.id).where(Area.code.like("hh-%"))).all()) | {
            "02000000": city
        }


def test_hamburg_profile_shared_names_land_at_their_level(engine: Engine) -> None:
    ids = _hamburg_areas(engine)
    options = ImportOptions(
        source="Statistikamt Nord", combine="leave_out", skip_rejected=True,
        indicator_mapping={"Bevölkerung": "bevoelkerung"},
        new_indicators=[spec("hh_grundstueckspreis", "Preise für Grundstücke in EUR/m²", "EUR/m²", "none")],
        layout=LayoutChoice(skip_columns=[str(c) for c in range(3, 70) if c != 56]),  # read B and BD only
    )  # fmt: skip
    preview = prepare(
        engine, (HAMBURG / "stadtteilprofile_2014.xlsx").read_bytes(), "stadtteilprofile_2014.xlsx", options
    )
    rows = preview.checked.rows.set_index(["row", "indicator_key"])
    area_of = {row: int(rows.loc[(row, "bevoelkerung"), "area_id"]) for row in (35, 106, 58, 108, 111)}
    assert area_of == {
        35: ids["hh-0301"],
        106: ids["hh-03"],
        58: ids["hh-0502"],
        108: ids["hh-05"],
        111: ids["02000000"],
    }
    assert preview.unmatched_areas.empty and preview.unknown_indicators.empty, preview.blocking
    commit_import(engine, PLANNER, preview)
    assert stored(engine, "hh-0101", "bevoelkerung", 2013) == (1675.0, "ok", None)  # Hamburg-Altstadt
    assert stored(engine, "02000000", "bevoelkerung", 2013) == (1788994.0, "ok", None)
    assert stored(engine, "hh-03", "bevoelkerung", 2013) == (252340.0, "ok", None)  # Bezirk Eimsbüttel
    assert stored(engine, "hh-0301", "bevoelkerung", 2013) == (56097.0, "ok", None)  # Stadtteil Eimsbüttel
    assert stored(engine, "hh-0101", "hh_grundstueckspreis", 2014) == (None, "suppressed", ".")


# --- layouts of our own making ----------------------------------------------------------------


def test_leading_row_numbers_title_year_and_footnotes() -> None:
    read = read_table(table("id_titel_fussnoten.csv"), "id_titel_fussnoten.csv")
    layout = read.table_layout
    assert layout is not None
    assert (layout.area_column, layout.ignored_columns, layout.header_rows) == (
        2,
        [1],
        [4],
    )  # "Lfd. Nr." 1, 2, 3 …
    assert [(v.indicator, v.year, v.year_from) for v in layout.values] == [
        ("Einwohner", 2030, "title"),
        ("Anteil unter 18-Jährige in %", 2030, "title"),
    ]  # "Stand: 31.12.2030"
    assert layout.skipped_rows == [10, 11]  # "1) …" and "Quelle: …"
    assert list(read.frame["area"].unique()) == ["Wiesdorf", "Manfort", "Rheindorf", "Hitdorf"]
    assert values(read.frame, 7, "Anteil unter 18-Jährige in %") == [("2030", ".")]
    assert values(read.frame, 8, "Anteil unter 18-Jährige in %") == [("2030", "x")]


def _sub_columns_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [
        ["Einwohnerinnen und Einwohner nach Geschlecht"],
        ["Stadtteil", "Einwohner_2029", None, None, "Einwohner_2030", None, None, "Arbeitslose (Dez 2030)", None],
        [None, "gesamt", "männlich", "weiblich", "gesamt", "männlich", "weiblich", "Anzahl", "Anteil_in_%"],
        ["Wiesdorf", 1000, 480, 520, 1010, 490, 520, 50, 5.0],
        ["Manfort", 2000, 990, 1010, 2020, 1000, 1020, 80, 4.0],
        ["Rheindorf", 3000, 1500, 1500, 2990, 1490, 1500, "*", "*"],
        [None], ["Quelle: Statistikstelle"],
    ]:  # fmt: skip
        sheet.append(row)
    for cells in ("A2:A3", "B2:D2", "E2:G2", "H2:I2"):
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_years_in_column_names_with_sub_columns() -> None:
    read = read_table(_sub_columns_xlsx(), "geschlecht.xlsx")
    layout = read.table_layout
    assert layout is not None and layout.header_rows == [2, 3]
    assert [(v.indicator, v.year) for v in layout.values] == [
        ("Einwohner", 2029), ("Einwohner – männlich", 2029), ("Einwohner – weiblich", 2029),
        ("Einwohner", 2030), ("Einwohner – männlich", 2030), ("Einwohner – weiblich", 2030),
        ("Arbeitslose – Anzahl", 2030), ("Arbeitslose – Anteil in %", 2030),
    ]  # fmt: skip
    assert values(read.frame, 5, "Einwohner – weiblich") == [("2029", "1010"), ("2030", "1020")]
    # Rheindorf's 3000 = 1000 + 2000 in one column is chance, not a total row: no levels
    assert layout.levels == [] and layout.skipped_rows == [8]


def test_headerless_file_is_said_and_its_first_row_is_data(engine: Engine) -> None:
    read = read_table(table("ohne_kopfzeile.csv"), "ohne_kopfzeile.csv", period="2030")
    assert any("keine Kopfzeile" in n and "Zeile 1" in n for n in read.notes)
    assert values(read.frame, 1, "Spalte 2") == [("2030", "12345")]  # row 1 is read as data
    with pytest.raises(ImportProblem, match=r"für welches Jahr.*keine Kopfzeile"):
        read_table(table("ohne_kopfzeile.csv"), "ohne_kopfzeile.csv")
    confirmed = read_table(
        table("ohne_kopfzeile.csv"), "x.csv", period="2030", choice=LayoutChoice(header_row=0)
    )
    assert confirmed.notes == [] and len(confirmed.frame) == 6
    named = LayoutChoice(header_row=0, names={"B": "bevoelkerung", "C": "arbeitslosenquote_bev"})
    preview = prepare(
        engine, table("ohne_kopfzeile.csv"), "x.csv", ImportOptions(source="Amt", period="2030", layout=named)
    )
    assert preview.counts["new"] == 6 and not preview.blocking
    commit_import(engine, PLANNER, preview)
    assert stored(engine, "rheindorf", "arbeitslosenquote_bev", 2030) == (None, "missing", "-")


def test_percent_cells_and_english_numbers(engine: Engine) -> None:
    options = ImportOptions(
        source="Labour office", indicator_mapping={"Population": "bevoelkerung", "Unemployment rate": "arbeitslosenquote_bev"}
    )  # fmt: skip
    preview = prepare(engine, table("englisch_prozent.csv"), "englisch_prozent.csv", options)
    assert preview.counts["new"] == 6 and not preview.blocking, preview.rejected
    commit_import(engine, PLANNER, preview)
    assert stored(engine, "wiesdorf", "bevoelkerung", 2030) == (12345.0, "ok", None)
    assert stored(engine, "manfort", "arbeitslosenquote_bev", 2030) == (12.25, "ok", None)
    assert stored(engine, "opladen", "arbeitslosenquote_bev", 2030) == (None, "suppressed", "*")


def _bezirke_named_like_stadtteile(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(Area).where(Area.code == "bezirk-2").values(name="Opladen"))
        conn.execute(update(Area).where(Area.code == "bezirk-3").values(name="Schlebusch"))


def test_mixed_levels_by_sums_match_shared_names_by_level(engine: Engine) -> None:
    _bezirke_named_like_stadtteile(engine)
    options = ImportOptions(
        source="Statistikstelle", indicator_mapping={"Einwohner": "bevoelkerung", "Haushalte": "haushalte"},
        layout=LayoutChoice(skip_columns=["Anteil Alleinlebende in %"]),
    )  # fmt: skip
    preview = prepare(engine, table("ebenen_summen.csv"), "ebenen_summen.csv", options)
    layout = preview.table_layout
    assert layout is not None and [(r.first_row, r.last_row) for r in layout.levels] == [
        (3, 15),
        (16, 18),
        (19, 19),
    ]
    assert not preview.blocking, preview.blocking
    commit_import(engine, PLANNER, preview)
    assert stored(engine, "opladen", "bevoelkerung", 2030) == (5000.0, "ok", None)  # row 7, Stadtteil
    assert stored(engine, "bezirk-2", "bevoelkerung", 2030) == (
        35000.0,
        "ok",
        None,
    )  # row 17, Bezirk "Opladen"
    assert stored(engine, "schlebusch", "haushalte", 2030) == (4800.0, "ok", None)
    assert stored(engine, "bezirk-3", "haushalte", 2030) == (21300.0, "ok", None)
    assert stored(engine, "05316000", "bevoelkerung", 2030) == (91000.0, "ok", None)


def test_levels_from_codes_blocks_and_the_users_choice(engine: Engine) -> None:
    codes = read_table(table("ebenen_codes.csv"), "ebenen_codes.csv", period="2030").table_layout
    assert codes is not None and codes.level_rule == "Gebietsschlüssel"
    assert [(r.first_row, r.level) for r in codes.levels] == [(2, "2"), (3, "1"), (5, "2"), (6, "1")]
    blocks = read_table(table("ebenen_bloecke.csv"), "ebenen_bloecke.csv", period="2030")
    assert blocks.table_layout is not None and blocks.table_layout.level_rule == "Blöcke"
    assert [(r.first_row, r.last_row, r.level) for r in blocks.table_layout.levels] == [
        (2, 5, "1"),
        (7, 8, "2"),
        (10, 10, "3"),
    ]
    assert any(n.startswith("Unsicher: Ebenen nur aus den Leerzeilen") for n in blocks.notes)
    _bezirke_named_like_stadtteile(engine)  # "Opladen" is now also Stadtbezirk II
    levels = [RowLevel(first_row=2, last_row=5, level="stadtteil"), RowLevel(first_row=7, last_row=8, level="stadtbezirk"),
              RowLevel(first_row=10, last_row=10, level="stadt")]  # fmt: skip
    options = ImportOptions(
        source="Amt", period="2030", indicator="arbeitslosenquote_bev", layout=LayoutChoice(row_levels=levels)
    )
    rows = prepare(engine, table("ebenen_bloecke.csv"), "b.csv", options).checked.rows.set_index("row")[
        "area_id"
    ]
    with engine.connect() as conn:
        code = dict(conn.execute(select(Area.id, Area.code)).all())
    assert {r: code[int(rows[r])] for r in (5, 7, 10)} == {5: "opladen", 7: "bezirk-1", 10: "05316000"}
    wrong = LayoutChoice(row_levels=[RowLevel(first_row=2, last_row=10, level="kiez")])
    with pytest.raises(ImportProblem, match="Gebietsebene „kiez“ gibt es nicht"):
        prepare(engine, table("ebenen_bloecke.csv"), "b.csv", options.model_copy(update={"layout": wrong}))


# --- the mapping step and templates -----------------------------------------------------------


def test_confirmed_layout_saved_as_template_reads_next_years_file(engine: Engine) -> None:
    guess = prepare(
        engine, table("arbeitslose_2018.csv"), "arbeitslose_2018.csv", ImportOptions(source="Jobcenter")
    )
    assert guess.table_layout is not None and guess.table_layout.area_column == 1  # the guess: "Bezirk"
    assert any("mehrfach" in n for n in guess.notes)  # … and it says names repeat
    confirmed = LayoutChoice(
        area_column="Stadtteil", skip_rows=[5],  # "davon Frauen" is no area
        names={"Anzahl_2018": "sgb2_bedarfsgemeinschaften", "D": "sgb2_quote", "E": "sgb2_quote"},
        years={"E": 2017},  # "Anteil Vorjahr"
    )  # fmt: skip
    options = ImportOptions(source="Jobcenter", layout=confirmed)
    preview = prepare(engine, table("arbeitslose_2018.csv"), "arbeitslose_2018.csv", options)
    counts = preview.counts
    assert (counts["new"] + counts["changed"], counts["rejected"]) == (9, 0) and not preview.blocking, (
        preview.blocking
    )
    commit_import(engine, PLANNER, preview)
    assert preview.table_layout is not None
    save_template(engine, PLANNER, "Arbeitslose Stadtteile", preview.table_layout)
    with engine.connect() as conn:
        assert set(stored_templates(conn)) == {"Arbeitslose Stadtteile"}
        assert conn.execute(
            select(AuditEntry.action).where(AuditEntry.table_name == "import_templates")
        ).scalars().all() == ["create"]
    # next year: other years in the names, one more title row; nothing said but the source
    following = prepare(
        engine, table("arbeitslose_2019.csv"), "arbeitslose_2019.csv", ImportOptions(source="Jobcenter")
    )
    assert following.template == "Arbeitslose Stadtteile" and not following.blocking, following.blocking
    layout = following.table_layout
    assert layout is not None and layout.area_column == 2 and 6 not in following.checked.rows["row"].tolist()
    assert [(v.indicator, v.year) for v in layout.values] == [
        ("sgb2_bedarfsgemeinschaften", 2019), ("sgb2_quote", 2019), ("sgb2_quote", 2018)]  # fmt: skip
    commit_import(engine, PLANNER, following)
    assert following.table_layout is not None  # saving again replaces the template (audited)
    save_template(engine, PLANNER, "Arbeitslose Stadtteile", following.table_layout)
    with engine.connect() as conn:
        assert stored_templates(conn)["Arbeitslose Stadtteile"].choice.header_row == 3
        actions = (
            select(AuditEntry.action)
            .where(AuditEntry.table_name == "import_templates")
            .order_by(AuditEntry.id)
        )
        assert conn.execute(actions).scalars().all() == ["create", "update"]
    assert stored(engine, "manfort", "sgb2_bedarfsgemeinschaften", 2019) == (
        125.0,
        "ok",
        None,
    )  # not "davon Frauen"
    assert stored(engine, "opladen", "sgb2_quote", 2019) == (6.9, "ok", None)
    assert stored(engine, "wiesdorf", "sgb2_bedarfsgemeinschaften", 2018) == (310.0, "ok", None)
    # a file of another shape does not follow it, and naming it there is refused
    other = prepare(engine, table("englisch_prozent.csv"), "e.csv", ImportOptions(source="Amt"))
    assert other.template == ""
    with pytest.raises(ImportProblem, match="Vorlage „Arbeitslose Stadtteile“ passt nicht"):
        prepare(
            engine,
            table("englisch_prozent.csv"),
            "e.csv",
            ImportOptions(source="Amt", template="Arbeitslose Stadtteile"),
        )
    with pytest.raises(ImportProblem, match="Vorlage „Gibtsnicht“ gibt es nicht"):
        prepare(
            engine, table("englisch_prozent.csv"), "e.csv", ImportOptions(source="Amt", template="Gibtsnicht")
        )


def test_cli_options_confirm_layout_and_save_template(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    file = str(TABLES / "arbeitslose_2018.csv")
    layout = ["--area-column", "B", "--skip-rows", "5", "--column-name", "C=sgb2_bedarfsgemeinschaften",
              "--column-name", "D=sgb2_quote", "--column-name", "E=sgb2_quote", "--year", "E=2017"]  # fmt: skip
    assert (
        cli_main(["import", file, "--source", "Jobcenter", "--dry-run", "--save-template", "ALQ", *layout])
        == 0
    )
    out = capsys.readouterr().out
    assert "Gebietsspalte: B" in out and "Probelauf: nichts gespeichert (auch die Vorlage nicht)." in out
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(ImportTemplate.id)).first() is None
    assert cli_main(["import", file, "--source", "Jobcenter", "--save-template", "ALQ", *layout]) == 0
    assert "Vorlage „ALQ“ gespeichert" in capsys.readouterr().out
    assert cli_main(["import", str(TABLES / "arbeitslose_2019.csv"), "--source", "Jobcenter"]) == 0
    assert "Vorlage: ALQ" in capsys.readouterr().out
    assert stored(sqlite_engine, "opladen", "sgb2_quote", 2018) == (7.3, "ok", None)  # 2019 file, "Vorjahr"
    assert cli_main(["import", file, "--source", "Jobcenter", "--skip-rows", "5-x"]) == 2
    assert "Zeilenangabe „5-x“ nicht verstanden" in capsys.readouterr().err
