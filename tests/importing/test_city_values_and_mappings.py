"""City values computed from the areas or checked against them, name mappings that need a
confirmation, and rejections that name row (as in the file), column and what was expected.

Expected values are computed by hand from the test tables: Stadtteil i (1…13, in the order of
``CODES``) has bevoelkerung 1000·i (sum 91.000) and sgb2_quote Zähler 10·i, Nenner 100·i + 100
(sums 910 and 10.400, quota 910 / 10.400 · 100 = 8,75 %).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, select

from sozdash.cli.main import main
from sozdash.core.permissions import Actor
from sozdash.importing.commit import commit_import
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions, rejection_lines
from sozdash.indicators import charts, explorer
from sozdash.store.dump import dump
from sozdash.store.models import Area, AreaNameMapping, Indicator, Observation

PLANNER = Actor("planerin", "planung")
CITY = "05316000"
CODES = ["wiesdorf", "manfort", "rheindorf", "hitdorf", "opladen", "kueppersteg", "buerrig", "quettingen",
         "bergisch-neukirchen", "schlebusch", "steinbuechel", "luetzenkirchen", "alkenrath"]  # fmt: skip
HEADER = "Gebiet;Indikator;Jahr;Wert;Zähler;Nenner"


def stadtteile(year: int = 2040, *, leave_out: str = "", withheld: str = "") -> list[str]:
    """bevoelkerung and sgb2_quote of the 13 Stadtteile (see the module docstring)."""
    lines = []
    for i, code in enumerate(CODES, start=1):
        if code == leave_out:
            continue
        lines.append(f"{code};bevoelkerung;{year};{'*' if code == withheld else 1000 * i};;")
        lines.append(f"{code};sgb2_quote;{year};;{10 * i};{100 * i + 100}")
    return lines


def csv(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines]).encode()


def stored(engine: Engine, area: str, indicator: str, period: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(Observation.value, Observation.numerator, Observation.denominator, Observation.is_computed,
                   Observation.note, Observation.batch_id)
            .join(Area, Area.id == Observation.area_id).join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Area.code == area, Indicator.key == indicator, Observation.period == period)
        ).mappings().first()  # fmt: skip
    return dict(row) if row else None


def observations_dump(engine: Engine, directory: Path) -> str:
    dump(engine, directory)
    return hashlib.sha256((directory / "observations.jsonl").read_bytes()).hexdigest()


# --- city values ----------------------------------------------------------------------------


def test_table_without_city_row_computes_and_flags_the_city_value(engine: Engine, tmp_path: Path) -> None:
    before = observations_dump(engine, tmp_path / "before")
    data = csv(*stadtteile(), "wiesdorf;durchschnittsalter;2040;43,5;;")
    preview = prepare(engine, data, "ohne_stadt.csv", ImportOptions(source="Statistikstelle"))
    assert not preview.blocking
    assert preview.counts["new"] == 27  # the file's rows; the city values are counted apart
    assert len(preview.city.rows) == 2 and preview.city.level == "Stadtteil" and preview.city.areas == 13
    assert preview.city.summary.startswith("2 Stadtwerte werden aus 13 Stadtteilen berechnet")
    reasons = dict(
        zip(preview.city.not_computed["Indikator"], preview.city.not_computed["Grund"], strict=True)
    )
    assert "Aggregation „keine“" in reasons["Durchschnittsalter"]

    batch = commit_import(engine, PLANNER, preview)
    people = stored(engine, CITY, "bevoelkerung", 2040)
    assert people == {"value": 91000.0, "numerator": None, "denominator": None, "is_computed": True,
                      "note": "berechnet aus 13 Stadtteilen", "batch_id": batch}  # fmt: skip
    quota = stored(engine, CITY, "sgb2_quote", 2040)
    assert (quota["value"], quota["numerator"], quota["denominator"]) == (pytest.approx(8.75), 910, 10400)
    assert quota["is_computed"] and quota["batch_id"] == batch
    assert stored(engine, CITY, "durchschnittsalter", 2040) is None
    assert stored(engine, "wiesdorf", "bevoelkerung", 2040)["is_computed"] is False

    view = explorer.level_view(engine, "bevoelkerung", 2040, "stadtteil")
    assert view["city_display"].iloc[0].endswith("(berechnet)") and "91.000" in view["city_display"].iloc[0]
    assert "Stadt insgesamt (Summe): 91.000" in charts.ranking_summary(  # a count: named, not compared
        view, explorer.indicator_row(engine, "bevoelkerung")
    )
    age = explorer.level_view(
        engine, "durchschnittsalter", 2040, "stadtteil"
    )  # no city value: said so, no "–"
    summary = charts.ranking_summary(age, explorer.indicator_row(engine, "durchschnittsalter"))
    assert "ein Stadtwert fehlt" in summary and "Stadtwert liegt bei" not in summary
    series = explorer.series(engine, "bevoelkerung", "stadtteil")
    changes = explorer.change_rows(
        series, ["wiesdorf", CITY], 2040, explorer.indicator_row(engine, "bevoelkerung")
    )
    assert list(changes["Gebiet"]) == ["Wiesdorf", "Leverkusen"]  # the city by its name, never its code

    again = prepare(engine, data, "ohne_stadt.csv", ImportOptions(source="Statistikstelle"))
    assert again.classified["kind"].eq("unchanged").all()
    assert commit_import(engine, PLANNER, again) is None  # re-import: nothing written, no batch

    assert undo_batch(engine, PLANNER, batch)["entfernt"] == 29  # 27 rows of the file + 2 city values
    assert stored(engine, CITY, "bevoelkerung", 2040) is None
    assert observations_dump(engine, tmp_path / "undone") == before


def test_computed_city_value_replaces_an_example_value_and_undo_restores_it(
    engine: Engine, tmp_path: Path
) -> None:
    demo = stored(engine, CITY, "bevoelkerung", 2021)
    # The seed's example value:
    assert demo is not None and demo["value"] == 166993.0 and not demo["is_computed"]
    before = observations_dump(engine, tmp_path / "before")
    preview = prepare(engine, csv(*stadtteile(2021)), "2021.csv", ImportOptions(source="Statistikstelle"))
    kinds = preview.classified.loc[preview.classified["is_computed"].astype(bool), "kind"]
    assert list(kinds) == ["changed", "changed"]
    batch = commit_import(engine, PLANNER, preview)
    assert stored(engine, CITY, "bevoelkerung", 2021)["value"] == 91000.0
    undo_batch(engine, PLANNER, batch)
    assert stored(engine, CITY, "bevoelkerung", 2021) == demo
    assert observations_dump(engine, tmp_path / "undone") == before


def test_city_row_of_the_file_is_used_and_checked_against_the_sum(engine: Engine) -> None:
    data = csv(*stadtteile(), "Leverkusen;bevoelkerung;2040;91004;;", f"{CITY};sgb2_quote;2040;;910;10400")
    preview = prepare(engine, data, "mit_stadt.csv", ImportOptions(source="Statistikstelle"))
    assert preview.city.rows.empty and preview.city.agreeing == 1
    assert list(preview.city.checks["Hinweis"]) == [
        "Stadtwert laut Datei 91.004, Summe der Stadtteile 91.000 (−4)"
    ]
    assert "1 Stadtwert weicht von der Summe der Stadtteile ab" in preview.city.summary
    commit_import(engine, PLANNER, preview)
    people = stored(engine, CITY, "bevoelkerung", 2040)
    assert (people["value"], people["is_computed"], people["note"]) == (91004.0, False, None)


def test_city_value_from_a_file_is_kept_and_compared(engine: Engine) -> None:
    # The seed holds the real Einwohnermelderegister value 166.993 for the city in 2021.
    lines = [
        f"{code};einwohner_melderegister;2021;{12845 if i < 12 else 12850};;" for i, code in enumerate(CODES)
    ]
    preview = prepare(engine, csv(*lines), "melderegister.csv", ImportOptions(source="Statistikstelle"))
    # 12 · 12.845 + 12.850 = 166.990
    assert preview.city.rows.empty
    assert list(preview.city.checks["Hinweis"]) == [
        "Stadtwert gespeichert 166.993, Summe der Stadtteile 166.990 (−3)"
    ]
    assert "bleibt unverändert" in preview.city.not_computed["Grund"].iloc[0]


def test_withheld_or_missing_area_gives_no_city_value_and_says_why(engine: Engine) -> None:
    lines = stadtteile(leave_out="alkenrath", withheld="wiesdorf")
    lines += [f"{code};abiturquote;2040;30,5;;" for code in CODES]  # a quota without Zähler and Nenner
    preview = prepare(engine, csv(*lines), "luecken.csv", ImportOptions(source="Statistikstelle"))
    assert preview.city.rows.empty and not preview.blocking
    missing = preview.city.not_computed
    assert set(missing["Jahre"]) == {"2040"}
    reasons = dict(zip(missing["Indikator"], missing["Grund"], strict=True))
    assert reasons["Einwohnerinnen und Einwohner"] == (
        "Stadtwert nicht berechnet: in der Datei fehlt 1 von 13 Stadtteilen: Alkenrath; geheim gehalten: Wiesdorf (*)."
    )
    assert (
        reasons["SGB-II-Quote"]
        == "Stadtwert nicht berechnet: in der Datei fehlt 1 von 13 Stadtteilen: Alkenrath."
    )
    assert reasons["Schulabgänge mit Hochschulreife"] == (
        "Stadtwert nicht berechnet: bei 13 Stadtteilen fehlen Zähler und Nenner (eine Quote lässt sich nur aus "
        "summierten Zählern und Nennern berechnen)."
    )
    commit_import(engine, PLANNER, preview)
    assert stored(engine, CITY, "bevoelkerung", 2040) is None


# --- name mappings --------------------------------------------------------------------------

MAPPED = csv(
    "Wiesdorf-Mitte;bevoelkerung;2040;1000;;",  # another name: needs the confirmation
    "KÜPPERSTEG;bevoelkerung;2040;6000;;",  # same name once normalised (listed, no confirmation)
    "Bergisch-Neukirchen;bevoelkerung;2040;9000;;",  # mapped onto its own name (no confirmation)
    "opladen;bevoelkerung;2040;5000;;",  # by code, no name in the file: not listed
    "Manfort;bevoelkerung;2040;2000;;",  # exactly the area's name: not listed
)
MAPPING = {"Wiesdorf-Mitte": "wiesdorf", "Bergisch-Neukirchen": "bergisch-neukirchen"}


def test_mapping_onto_another_name_needs_confirmation_and_every_renaming_is_listed(
    engine: Engine, tmp_path: Path
) -> None:
    before = observations_dump(engine, tmp_path / "before")
    preview = prepare(engine, MAPPED, "namen.csv", ImportOptions(source="Jobcenter", area_mapping=MAPPING))
    listed = preview.renamed.set_index("Name in der Datei")
    assert sorted(listed.index) == ["Bergisch-Neukirchen", "KÜPPERSTEG", "Wiesdorf-Mitte"]
    assert listed.loc["Wiesdorf-Mitte", ["Gebiet", "Gebietscode", "Zuordnung über", "Zeilen der Datei"]].tolist() == [
        "Wiesdorf", "wiesdorf", "Zuordnung dieses Imports", "2"]  # fmt: skip
    assert listed.loc["KÜPPERSTEG", ["Gebiet", "Zuordnung über"]].tolist() == [
        "Küppersteg",
        "ähnliche Schreibweise",
    ]
    assert listed["Bestätigung nötig"].to_dict() == {
        "Wiesdorf-Mitte": True, "KÜPPERSTEG": False, "Bergisch-Neukirchen": False}  # fmt: skip
    refusal = " ".join(preview.blocking)
    assert "1 Gebietsnamen der Datei sollen laut Zuordnung auf Gebiete anderen Namens gehen" in refusal
    assert "„Wiesdorf-Mitte“ → Wiesdorf (wiesdorf)" in refusal and "ausdrücklich bestätigen" in refusal
    with pytest.raises(ImportProblem, match="Wiesdorf-Mitte"):
        commit_import(engine, PLANNER, preview)
    assert observations_dump(engine, tmp_path / "refused") == before

    options = ImportOptions(source="Jobcenter", area_mapping=MAPPING, confirm_mapping=True)
    confirmed = prepare(engine, MAPPED, "namen.csv", options)
    assert not confirmed.blocking and len(confirmed.renamed) == 3
    batch = commit_import(engine, PLANNER, confirmed)
    assert stored(engine, "wiesdorf", "bevoelkerung", 2040)["value"] == 1000.0
    with engine.connect() as conn:
        saved = conn.execute(select(AreaNameMapping.raw_name).where(AreaNameMapping.source == "Jobcenter"))
        assert sorted(saved.scalars()) == ["Bergisch-Neukirchen", "Wiesdorf-Mitte"]
    later = prepare(engine, MAPPED, "namen.csv", ImportOptions(source="Jobcenter"))  # the saved mapping
    assert not later.blocking
    assert later.renamed.set_index("Name in der Datei").at["Wiesdorf-Mitte", "Zuordnung über"] == (
        "gespeicherte Zuordnung der Quelle"
    )
    undo_batch(engine, PLANNER, batch)


def test_mapping_onto_an_unknown_code_is_refused_precisely(sqlite_engine: Engine) -> None:
    options = ImportOptions(source="Jobcenter", area_mapping={"Wiesdorf-Mitte": "wiesdorf-mitte"})
    with pytest.raises(ImportProblem) as caught:
        prepare(sqlite_engine, MAPPED, "namen.csv", options)
    assert str(caught.value).startswith(
        "Die Zuordnung nennt Gebietscodes, die es nicht gibt: „Wiesdorf-Mitte“ → „wiesdorf-mitte“."
    )


def test_cli_mapping_needs_confirm_mapping(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    table, mapping = tmp_path / "namen.csv", tmp_path / "zuordnung.csv"
    table.write_bytes(MAPPED)
    mapping.write_text("name;code\nWiesdorf-Mitte;wiesdorf\nBergisch-Neukirchen;bergisch-neukirchen\n")
    command = ["import", str(table), "--source", "Jobcenter", "--mapping", str(mapping)]
    assert main(command) == 1
    out, err = capsys.readouterr()
    assert "Wiesdorf-Mitte" in out and "Zuordnung dieses Imports" in out  # the listed pair
    assert "„Wiesdorf-Mitte“ → Wiesdorf (wiesdorf)" in err and "--confirm-mapping" in err
    assert stored(sqlite_engine, "wiesdorf", "bevoelkerung", 2040) is None
    assert main([*command, "--confirm-mapping"]) == 0
    assert "Gespeichert als Import" in capsys.readouterr().out
    assert stored(sqlite_engine, "wiesdorf", "bevoelkerung", 2040)["value"] == 1000.0


def test_page_flow_needs_the_confirmation(sqlite_engine: Engine) -> None:
    from sozdash.ui import import_flow

    class Bar:
        def progress(self, value: float, text: str = "") -> None:
            """Ignore progress."""

    state = {"key": "k", "data": MAPPED, "file_name": "namen.csv", "mapping": MAPPING}
    kwargs = dict(source="Jobcenter", level=None, indicator="", period="", crs=None, skip=False,
                  mapping=MAPPING, progress=Bar())  # fmt: skip
    unconfirmed = import_flow.preview(sqlite_engine, state, **kwargs)
    assert any("ausdrücklich bestätigen" in reason for reason in unconfirmed.blocking)
    assert "Gespeichert" not in import_flow.commit(sqlite_engine, PLANNER, unconfirmed, Bar())
    confirmed = import_flow.preview(sqlite_engine, state, confirm=True, **kwargs)
    assert import_flow.commit(sqlite_engine, PLANNER, confirmed, Bar()).startswith("Gespeichert als Import")
    other = {**state, "mapping": {"Wiesdorf-Mitte": "manfort"}}
    assert import_flow.confirm_key(other) != import_flow.confirm_key(state)  # a new mapping: confirm again


# --- precise rejections ---------------------------------------------------------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_rejections_name_the_row_as_in_excel_the_column_and_what_was_expected(engine: Engine) -> None:
    data = _xlsx([
        ["Sozialbericht – Tabelle 3"], [None],                        # Excel rows 1–2: title, blank
        ["Gebiet", "Indikator", "Jahr", "Wert", "Zähler", "Nenner"],  # row 3: column names
        ["wiesdorf", "sgb2_quote", 2030, None, 50, 200],              # row 4: fine
        ["manfort", "sgb2_quote", 2030, None, 300, 200],              # row 5: Zähler > Nenner
        ["hitdorf", "sgb2_quote", 2030, "viel", None, None],          # row 6: not a number
        ["opladen", "sgb2_quote", "irgendwann", 5, None, None],       # row 7: no year
        ["rheindorf", "sgb2_quote", 2030, 4, None, None],             # row 8: … twice
        ["Rheindorf", "sgb2_quote", 2030, 5, None, None],             # row 9
    ])  # fmt: skip
    preview = prepare(engine, data, "tabelle.xlsx", ImportOptions(source="Jobcenter"))
    rows = preview.rejected.set_index("Zeile")
    assert rows.loc[5, ["Spalte", "Inhalt", "Grund"]].tolist() == [
        "E „Zähler“, F „Nenner“", "300 / 200", "Zähler größer als Nenner"]  # fmt: skip
    assert (
        rows.at[5, "Erwartet"]
        == "Zähler höchstens so groß wie der Nenner (hier Zähler 300 größer als Nenner 200)"
    )
    lines = rejection_lines(preview.rejected)
    assert lines[1] == (
        "Zeile 6, Spalte D „Wert“: keine Zahl („viel“) – erwartet: eine Zahl (z. B. 1.234,5 oder 53,4 %; "
        "Dezimalkomma) oder ein Kennzeichen (* . - x / ...)."
    )
    assert lines[2].startswith(
        "Zeile 7, Spalte C „Jahr“: Zeitraum nicht erkannt („irgendwann“) – erwartet: ein Jahr"
    )
    assert rows.at[8, "Spalte"] == "A „Gebiet“, B „Indikator“, C „Jahr“"
    assert any(
        reason.startswith(
            "5 Werte sind abgelehnt, zuerst: Zeile 5, Spalte E „Zähler“, F „Nenner“: Zähler größer"
        )
        for reason in preview.blocking
    )
    assert rows.at[8, "Erwartet"].endswith("(dieselben auch in Zeile 9)")
    assert rows.at[9, "Erwartet"].endswith("(dieselben auch in Zeile 8)")


def test_rejection_in_a_wide_table_names_the_value_column_by_its_header(engine: Engine) -> None:
    data = (
        b"Arbeitslosenquote nach Stadtteilen\nStand jeweils 31.12.\n\n"  # rows 1–3
        b"Stadtteil;2030;2031\n"  # row 4
        b"Wiesdorf;5,1;6,2\n"  # row 5
        b"Manfort;4,0;unbekannt\n"  # row 6
    )
    options = ImportOptions(source="Statistikstelle", indicator="arbeitslosenquote_bev")
    preview = prepare(engine, data, "alq.csv", options)
    assert len(preview.rejected) == 1
    rejected = preview.rejected.iloc[0]
    assert (rejected["Zeile"], rejected["Inhalt"], rejected["Grund"]) == (6, "unbekannt", "keine Zahl")
    assert rejected["Spalte"] == "C „2031“"
