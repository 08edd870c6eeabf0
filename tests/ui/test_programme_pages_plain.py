"""Projekte, Förderprogramme, Wirkungspakete, Sozialbericht-Prozess and Überblick: no technical
terms, no "None" in any table, the key columns (status, Ampel, application outcome) first, and the
Altenhilfe subheader named after the city's own area level."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, text

from tests.apptest import open_page
from tests.ui.test_index_pages_plain import assert_plain

BIWAQ = {"projekt": "biwaq-rheindorferleben", "stichtag": "2018-05-01"}


def frames(at) -> list[pd.DataFrame]:
    return [d.value for d in at.main.dataframe]


def frame_with(at, column: str) -> pd.DataFrame:
    return next(f for f in frames(at) if column in f.columns)


def assert_no_missing_cells(at) -> None:
    for frame in frames(at):
        missing = [c for c in frame.columns if frame[c].isna().any()]
        assert not missing, (list(frame.columns), missing)


def test_projects_and_funding_show_key_columns_first(app_env: Engine) -> None:
    at = open_page("pages/projekte.py", query=BIWAQ)
    assert_plain(at)
    assert_no_missing_cells(at)
    portfolio = frame_with(at, "Förderende in Sicht")
    assert list(portfolio.columns[:4]) == ["Titel", "Status", "Förderende in Sicht", "Laufzeit"]
    applications = frame_with(at, "Begründung")
    assert list(applications.columns[:2]) == ["Antrag", "Ergebnis"]
    assert list(applications["Ergebnis"]) == ["nicht berücksichtigt"]

    at = open_page("pages/foerderprogramme.py", query={"stichtag": "2018-05-01"})
    assert_plain(at)
    assert_no_missing_cells(at)
    applications = frame_with(at, "Begründung")
    assert list(applications.columns[:2]) == ["Antrag", "Ergebnis"]
    soon = frame_with(at, "Tage bis Förderende")
    assert list(soon.columns[:3]) == ["Projekt", "Status", "Förderende"]
    assert soon["Förderende"].str.fullmatch(r"\d{2}\.\d{2}\.\d{4}").all()  # dd.mm.yyyy
    programmes = frame_with(at, "Fördergeber")
    assert programmes["seit"].str.fullmatch(r"\d{4}|–").all()


def test_altenhilfe_and_process_pages(app_env: Engine) -> None:
    with app_env.begin() as conn:  # the city names its level itself
        conn.execute(text("UPDATE area_levels SET name = 'Quartier' WHERE key = 'stadtteil'"))
    at = open_page("pages/altenhilfe.py", query={"stichtag": "2021-06-30"})
    assert_plain(at)
    assert_no_missing_cells(at)
    headings = [s.value for s in at.main.subheader]
    assert "Abdeckung: Pakete und ältere Menschen je Quartier" in headings
    assert not any("je Stadtteil" in h for h in headings)
    packages = frame_with(at, "Förderung je Jahr")
    assert list(packages.columns[:3]) == ["Titel", "Ampel (Beispieldaten)", "Controlling"]
    key_figures = frame_with(at, "Soll laut Zielpfad")
    assert list(key_figures.columns[:3]) == ["Kennzahl", "Stand", "Ampel"]
    coverage = frame_with(at, "Pakete je 1.000 Ältere")
    assert list(coverage.columns[:2]) == ["Quartier", "Abdeckung"]

    at = open_page("pages/sozialbericht.py")
    assert_plain(at)
    assert_no_missing_cells(at)
    recommendations = frame_with(at, "Empfehlung")
    assert list(recommendations.columns[:2]) == ["Empfehlung", "Status"]
    assert "–" in set(frame_with(at, "Rechtsgrundlage")["Rechtsgrundlage"])  # a conference without one

    at = open_page("pages/ueberblick.py")
    assert_plain(at)


def test_funding_amounts_are_german(app_env: Engine) -> None:
    at = open_page("pages/foerderprogramme.py", query={"stichtag": "2019-12-31"})
    by_source = frame_with(at, "Quelle der Mittel")
    shown = dict(zip(by_source["Projekt"] + " " + by_source["Zeitraum"], by_source["Betrag"], strict=True))
    assert shown["Soziale Stadt Rheindorf-Nord 2007"] == "100.000 €"  # data/seed/budget_lines.yaml
    assert by_source["Betrag"].str.fullmatch(r"(≈ )?\d{1,3}(\.\d{3})*(,\d{2})? €").all()
