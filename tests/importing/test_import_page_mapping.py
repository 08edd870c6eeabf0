"""The mapping step of the Datenimport page: the reader's layout of a published table shown
prefilled, changed by the user (the file is read again), saved as a template with the import and
followed by the next upload; and the option texts shared by the page and the CLI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from sozdash.core.permissions import Actor
from sozdash.importing.layout import LayoutChoice, row_list
from sozdash.importing.layout_options import (
    MappingStep,
    confirmed_choice,
    mapping_table,
    parse_row_levels,
    parse_rows,
    row_levels_text,
)
from sozdash.importing.pipeline import Preview, prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.templates import stored_templates
from sozdash.importing.validate import ImportOptions
from sozdash.store.models import ImportTemplate
from tests.apptest import assert_clean, open_page
from tests.importing.test_published_tables import _hamburg_areas, stored

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROFILE = FIXTURES / "hamburg" / "stadtteilprofile_2014.xlsx"
PLANNER = Actor("planerin", "planung")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- option texts (page fields and CLI flags) ---------------------------------------------------


def test_rows_and_row_levels_in_the_notation_of_page_and_cli() -> None:
    assert parse_rows("1-3, 7") == [1, 2, 3, 7]
    assert parse_rows("5–7,9") == [5, 6, 7, 9]  # as the preview writes them
    assert parse_rows(row_list([1, 2, 3, 7, 112, 113])) == [1, 2, 3, 7, 112, 113]
    with pytest.raises(ImportProblem, match="Zeilenangabe „5-x“ nicht verstanden"):
        parse_rows("5-x")
    with pytest.raises(ImportProblem, match="„9-3“: die erste Zeile ist größer als die letzte"):
        parse_rows("9-3")
    levels = parse_row_levels("5-103=stadtteil, 104–110=stadtbezirk,111=stadt")
    assert [(r.first_row, r.last_row, r.level) for r in levels] == [
        (5, 103, "stadtteil"), (104, 110, "stadtbezirk"), (111, 111, "stadt"),
    ]  # fmt: skip
    assert parse_row_levels(row_levels_text(levels)) == levels
    with pytest.raises(ImportProblem, match="Ebenenangabe „5-103“ nicht verstanden"):
        parse_row_levels("5-103")


# --- the mapping step without the page ----------------------------------------------------------


def _step(preview: Preview, **changes: Any) -> MappingStep:
    """The mapping step's fields as prefilled from the preview's layout, with ``changes``."""
    layout = preview.table_layout
    assert layout is not None
    prefilled = MappingStep(header_row=layout.header_row, area_column=layout.area_column,
                            skip_rows=row_list(layout.skipped_rows), row_levels=row_levels_text(layout.levels),
                            values=mapping_table(layout))  # fmt: skip
    return replace(prefilled, **changes)


def test_mapping_step_keeps_only_what_the_user_changed(sqlite_engine: Engine) -> None:
    data = (FIXTURES / "tables" / "arbeitslose_2018.csv").read_bytes()
    guess = prepare(sqlite_engine, data, "arbeitslose_2018.csv", ImportOptions(source="Jobcenter"))
    layout = guess.table_layout
    assert layout is not None
    table = mapping_table(layout)
    # row 2 of the file: Bezirk;Stadtteil;Anzahl_2018;Anteil_in_%_2018;Anteil Vorjahr in %
    assert list(table.index) == [3, 4, 5] and list(table["Spalte"]) == ["C", "D", "E"]
    assert list(table["Jahr"]) == [2018, 2018, 2018]  # E has no year of its own: its neighbour's
    assert list(table["Jahr aus"]) == ["Spaltenname", "Spaltenname", "Nachbarspalte"]
    assert confirmed_choice(layout, _step(guess)) == LayoutChoice()  # nothing changed: the guess

    edited = table.copy()
    edited.loc[5, "Jahr"] = 2017  # "Anteil Vorjahr"
    edited.loc[3, "Indikator"] = "sgb2_bedarfsgemeinschaften"
    edited.loc[4, "Übernehmen"] = False
    choice = confirmed_choice(layout, _step(guess, values=edited, area_column=2, skip_rows="5"))
    assert choice == LayoutChoice(area_column="2", skip_rows=[5], skip_columns=["4"], years={"5": 2017},
                                  names={"3": "sgb2_bedarfsgemeinschaften"})  # fmt: skip
    confirmed = prepare(sqlite_engine, data, "a.csv", ImportOptions(source="Jobcenter", layout=choice))
    again = confirmed.table_layout
    assert again is not None and again.area_column == 2 and 5 not in confirmed.checked.rows["row"].tolist()
    assert [(v.column, v.indicator, v.year) for v in again.values] == [
        (3, "sgb2_bedarfsgemeinschaften", 2018), (5, "Anteil Vorjahr in %", 2017)]  # fmt: skip
    shown = mapping_table(again)
    assert list(shown["Übernehmen"]) == [True, False, True]  # D left out, still offered
    assert confirmed_choice(again, _step(confirmed)) == choice  # confirming again changes nothing
    back = shown.copy()
    back.loc[4, "Übernehmen"] = True
    back.loc[3, "Indikator"] = ""  # emptied: the column's own name again
    undone = confirmed_choice(again, _step(confirmed, values=back))
    assert (undone.skip_columns, undone.names, undone.years) == ([], {}, {"5": 2017})


def test_mapping_step_refuses_a_wrong_year_or_row_text(sqlite_engine: Engine) -> None:
    from sozdash.ui import import_flow

    data = (FIXTURES / "tables" / "arbeitslose_2018.csv").read_bytes()
    guess = prepare(sqlite_engine, data, "arbeitslose_2018.csv", ImportOptions(source="Jobcenter"))
    assert guess.table_layout is not None
    edited = mapping_table(guess.table_layout)
    edited.loc[3, "Jahr"] = 1800
    state: dict[str, object] = {"key": "k"}
    assert "Jahr außerhalb 1900–2200: 3=1800" in import_flow.apply_mapping(
        state, guess.table_layout, _step(guess, values=edited)
    )
    assert "Zeilenangabe „2-a“" in import_flow.apply_mapping(
        state, guess.table_layout, _step(guess, skip_rows="2-a")
    )
    assert "layout" not in state  # nothing kept


# --- the page ------------------------------------------------------------------------------------


def _upload(at: AppTest) -> AppTest:
    at.file_uploader(key="import-file").set_value((PROFILE.name, PROFILE.read_bytes(), XLSX))
    at.run()
    assert_clean(at)
    return at


def _mapping(at: AppTest) -> tuple[str, pd.DataFrame]:
    """Key and shown table of the mapping step's value columns."""
    editor = next(e for e in at.data_editor if "Übernehmen" in e.value.columns)
    return str(editor.key), editor.value


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_page_mapping_step_change_and_template(app_env: Engine) -> None:
    _hamburg_areas(app_env)
    at = _upload(open_page("pages/datenimport.py", actor=PLANNER, timeout=60))
    key, shown = _mapping(at)
    # the Stadtteilprofile 2014 as they come: 68 value columns B … BQ, names from row 3, topics in row 2
    assert len(shown) == 68 and (shown["Spalte"].iloc[0], shown["Spalte"].iloc[-1]) == ("B", "BQ")
    by_letter = shown.set_index("Spalte")
    assert tuple(by_letter.loc["B", ["Name in der Datei", "Jahr", "Jahr aus"]]) == (
        "Bevölkerung", 2013, "Themenzeile",
    )  # fmt: skip  # topic "Bevölkerung und Haushalte 31.12.2013"
    assert tuple(by_letter.loc["AQ", ["Jahr", "Jahr aus"]]) == (2010, "Spaltenname")  # "… (2010)"
    assert tuple(by_letter.loc["BH", ["Indikator", "Jahr"]]) == ("Grundschulen", 2013)  # "(2013/2014)"
    texts = _texts(at)
    assert "Gebietsspalte: A" in texts and "Datenzeilen: 5–111" in texts
    assert any(
        t.startswith("Unsicher: Schuljahr (z. B. 2013/2014) als sein erstes Jahr gelesen") for t in texts
    )
    levels = next(t for t in at.text_input if t.label.startswith("Ebenen der Zeilen"))
    assert levels.value == "5–103=1, 104–110=2, 111=3"  # found by the sum check
    assert not any("Vorlage" in i.value for i in at.info)

    # the user: B is the Bevölkerung of 2012 (key bevoelkerung), the other columns are left out
    at.session_state[key] = {
        "edited_rows": {0: {"Jahr": 2012, "Indikator": "bevoelkerung"}}
        | {i: {"Übernehmen": False} for i in range(1, 68)},
        "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    next(b for b in at.button if b.label == "Aufbau übernehmen und neu lesen").click().run()
    assert_clean(at)
    _, shown = _mapping(at)
    assert tuple(shown.iloc[0][["Spalte", "Indikator", "Jahr", "Jahr aus", "Übernehmen"]]) == (
        "B", "bevoelkerung", 2012, "Angabe", True,
    )  # fmt: skip
    assert not shown["Übernehmen"].iloc[1:].any() and len(shown) == 68  # left out, still offered
    assert "Wertespalten: 1 (2012)" in _texts(at)
    written = next(d.value for d in at.dataframe if "unverändert" in d.value.columns)
    # 107 data rows (5–111) but for the 4 combined names (rows 19, 20, 90, 98), now all of 2012
    assert written[["Jahr", "neu", "geändert", "unverändert"]].values.tolist() == [[2012, 103, 0, 0]]
    assert written["Indikator"].iloc[0].endswith("(bevoelkerung)")

    # a city row left out through the rows field, then the combined Stadtteile left out, saved as template
    next(t for t in at.text_input if t.label.startswith("Zeilen, die nicht gelesen")).set_value("111")
    next(b for b in at.button if b.label == "Aufbau übernehmen und neu lesen").click().run()
    assert "Datenzeilen: 5–110; nicht gelesen: 111" in _texts(at)
    at.radio(key="import-combine").set_value("leave_out").run()
    at.text_input(key="import-save-template").set_value("Stadtteilprofile").run()
    assert not at.warning, [w.value for w in at.warning]
    at.button(key="import-commit").click().run()
    assert_clean(at)
    success = " ".join(s.value for s in at.success)
    assert "Gespeichert als Import" in success and "Vorlage „Stadtteilprofile“ gespeichert" in success
    assert stored(app_env, "hh-0101", "bevoelkerung", 2012) == (1675.0, "ok", None)  # Hamburg-Altstadt, row 5
    assert stored(app_env, "hh-03", "bevoelkerung", 2012) == (252340.0, "ok", None)  # Bezirk Eimsbüttel
    with app_env.connect() as conn:
        template = stored_templates(conn)["Stadtteilprofile"]
        assert conn.execute(select(ImportTemplate.created_by)).scalar_one() == "planerin"
    assert template.choice.skip_rows == [111] and template.choice.years == {"2": 2012}

    # next time: the template is offered and followed
    at = _upload(open_page("pages/datenimport.py", actor=PLANNER, timeout=60))
    assert "Stadtteilprofile" in at.selectbox(key="import-template").options
    assert any(
        "Vorlage „Stadtteilprofile“ passt zu dieser Datei und wird verwendet" in i.value for i in at.info
    )
    _, shown = _mapping(at)
    assert tuple(shown.iloc[0][["Indikator", "Jahr"]]) == ("bevoelkerung", 2012)
    assert "Datenzeilen: 5–110; nicht gelesen: 111" in _texts(at)


def test_page_wrong_header_row_is_said_and_can_be_dropped(app_env: Engine) -> None:
    at = _upload(open_page("pages/datenimport.py", actor=PLANNER, timeout=60))
    next(n for n in at.number_input if n.label.startswith("Zeile der Spaltennamen")).set_value(500)
    next(b for b in at.button if b.label == "Aufbau übernehmen und neu lesen").click().run()
    assert any("Zeile 500 soll die Spaltennamen enthalten" in e.value for e in at.error)
    assert not [e for e in at.data_editor if "Übernehmen" in e.value.columns]
    at.button(key="import-layout-reset").click().run()
    assert_clean(at)
    assert "Spaltennamen: Zeile 3 (Themenzeile 2, Beschreibung Zeile 4)" in _texts(at)
