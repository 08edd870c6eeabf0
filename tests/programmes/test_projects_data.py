"""Data functions of projects, funding, Altenhilfe and the Sozialbericht process on the real
seed, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update

from sozdash.core.permissions import Actor
from sozdash.programmes import altenhilfe, funding, projects, sozialbericht
from sozdash.social_index import compute, snapshots
from sozdash.store import db, queries
from sozdash.store.models import Project

D = dt.date
SESSION_2018 = D(2018, 5, 1)


def _status(engine: Engine, as_of: dt.date) -> dict[str, str]:
    frame = projects.portfolio(engine, as_of)
    return dict(zip(frame["key"], frame["status"], strict=True))


def test_portfolio_as_of_the_2018_session(engine: Engine) -> None:
    frame = projects.portfolio(engine, SESSION_2018)
    assert _status(engine, SESSION_2018) == {
        "soziale-stadt-rheindorf-nord": "abgeschlossen",
        "biwaq-rheindorferleben": "laufend",
        "biwaq-rheindorf-2019-2022": "abgelehnt",
    }  # sub-projects are not listed at the top level
    biwaq = frame.set_index("key").loc["biwaq-rheindorferleben"]
    assert biwaq["period"] == "01.04.2014–31.12.2018"
    assert biwaq["ends_soon"]
    assert biwaq["partners"] == "FB Soziales, Suchthilfe Leverkusen, HS Niederrhein, JSL, BVA"
    assert biwaq["districts"] == "Rheindorf"
    assert biwaq["area_codes"] == ("rheindorf",)


def test_portfolio_before_the_bbsr_mail_and_after_the_end(engine: Engine) -> None:
    assert _status(engine, D(2018, 3, 1))["biwaq-rheindorf-2019-2022"] == "beantragt"
    assert _status(engine, D(2019, 6, 1))["biwaq-rheindorferleben"] == "abgeschlossen"


def test_sub_projects_follow_the_parent_runtime(engine: Engine) -> None:
    frame = projects.with_status(projects.projects(engine), projects.applications(engine), SESSION_2018)
    sub = frame.set_index("key").loc["biwaq-rl-sprachcafe"]
    assert sub["dates_from_parent"] and sub["status"] == "laufend"
    assert (sub["start_date"], sub["end_date"]) == (D(2014, 4, 1), D(2018, 12, 31))


def test_biwaq_timeline_holds_the_2018_events_known_on_the_stichtag(engine: Engine) -> None:
    _, summary, table = projects.project_timeline_figure(engine, "biwaq-rheindorferleben", SESSION_2018)
    rows = dict(zip(table["Datum"], table["Ereignis"], strict=True))
    assert "Arndt Kohn" in rows["12.04.2018"]
    assert "BBSR" in rows["16.04.2018"]
    assert rows["Dezember 2014"].startswith("Ratsbeschluss: Integriertes Handlungskonzept")  # month precision
    assert "31.12.2018" not in rows  # the end lies after the Stichtag
    assert "16.04.2018" in summary


def test_biwaq_budget_by_source_with_rounded_marker(engine: Engine) -> None:
    _, summary, table = projects.budget_figure(engine, "biwaq-rheindorferleben")
    assert list(table["Betrag"]) == ["≈ 840.000 €", "≈ 670.000 €", "167.805,41 €"]
    # 840.000 + 670.000 + 167.805,41 = 1.677.805,41 → rounded in the summary, marked approximate
    assert "≈ 1.677.805 €" in summary
    assert any("1,5 Mio" in note for note in projects.budget_notes(engine, "biwaq-rheindorferleben"))


def test_district_indicators_of_biwaq_as_of_2018(engine: Engine) -> None:
    table, demo = projects.district_indicators(engine, "biwaq-rheindorferleben", SESSION_2018)
    assert demo and set(table["Beispieldaten"]) == {"ja (erfunden)"}
    assert set(table["Jahr"]) == {2017}  # newest year whose 31.12. lies before 01.05.2018
    assert set(table["Gebiet"]) == {"Rheindorf", "Leverkusen"}
    assert len(table) == 2 * len(projects.DISTRICT_INDICATORS)
    assert all(value.endswith(("%", "Personen")) for value in table["Wert"])


def test_index_class_of_the_project_district_from_a_published_snapshot(engine: Engine) -> None:
    assert (
        projects.index_classes(engine, "biwaq-rheindorferleben", D(2026, 1, 1)) is None
    )  # nothing published
    definition = snapshots.latest_definition_id(engine, "Sozialindex Standard")
    snapshots.publish_snapshot(engine, Actor("planerin", "planung"), definition, "Sozialindex 2023", 2023)
    caption, table, demo = projects.index_classes(engine, "biwaq-rheindorferleben", dt.date.today())
    assert "Sozialindex 2023" in caption and "Bezugsjahr 2023" in caption and demo
    assert list(table["Gebiet"]) == ["Rheindorf"]
    assert table["Statusklasse"].iloc[0] in {
        *compute.STATUS_CLASSES.values(),
        compute.NOT_RATED_LABEL,
    }
    assert projects.index_classes(engine, "biwaq-rheindorferleben", SESSION_2018) is None  # published later


def test_applications_and_success_rate(engine: Engine) -> None:
    today = D(2026, 1, 1)
    assert funding.success_rate(funding.applications_as_of(engine, today)["outcome_as_of"]) == (1, 2, 0.5)
    early = funding.applications_as_of(engine, D(2018, 3, 1))
    assert sorted(early["outcome_as_of"]) == ["bewilligt", "offen"]
    assert "1 von 1" in funding.success_text(engine, D(2018, 3, 1))


def test_funding_timeline_marks_leverkusens_part(engine: Engine) -> None:
    _, _, table = funding.funding_timeline_figure(engine, SESSION_2018)
    part = dict(zip(table["Förderrunde"], table["Leverkusen"], strict=True))
    assert part["Soziale Stadt Rheindorf-Nord 2007–2013"] == "✓ Leverkusen gefördert"
    assert (
        part["BIWAQ – Förderrunde 2019–2022 (ESF-Förderperiode 2014–2020)"]
        == "✗ Leverkusen nicht berücksichtigt"
    )
    assert list(table["Programm"])[:2] == ["Soziale Stadt", "BIWAQ"]  # the Rheindorf story first


def test_funding_by_source_keeps_runtime_totals_whole(engine: Engine) -> None:
    _, summary, table = funding.funding_by_source_figure(engine, SESSION_2018)
    assert set(table["Zeitraum"]) == {"2007", "2014–2018 (gesamte Laufzeit)"}
    # 100.000 (2007) + 840.000 + 670.000 + 167.805,41 = 1.777.805,41; own share 167.805,41 = 9,4 %
    assert "1.777.805 €" in summary and "9,4 %" in summary
    before = funding.funding_by_source_figure(engine, D(2010, 1, 1))[2]
    assert set(before["Zeitraum"]) == {"2007"}  # BIWAQ was not yet approved in 2010


def test_non_public_projects_are_hidden_from_public_readers(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        session.execute(
            update(Project).where(Project.key == "biwaq-rheindorferleben").values(is_public=False)
        )
    public = projects.portfolio(engine, SESSION_2018, True)
    assert "biwaq-rheindorferleben" not in set(public["key"])
    assert "biwaq-rheindorferleben" in set(projects.portfolio(engine, SESSION_2018)["key"])
    assert funding.ending_soon(engine, SESSION_2018, True).empty


def test_package_lights_match_the_demo_story(engine: Engine) -> None:
    assert altenhilfe.package_lights(engine, D(2024, 6, 1)) == {
        "wp-asb-zuhause-alt-werden-wiesdorf": "auf_kurs",
        "wp-awo-seniorenarbeit-hitdorf": "gefaehrdet",
        "wp-skf-cafe-hereinspaziert": "nicht_auf_kurs",
        "wp-skm-maenner-in-rente": "auf_kurs",
    }
    assert set(altenhilfe.package_lights(engine, D(2019, 6, 1)).values()) == {"keine_messung"}


def test_budget_against_packages(engine: Engine) -> None:
    table = altenhilfe.budget_comparison(engine)
    assert list(table["Jahr"]) == [2019, 2020, 2021, 2022, 2023]
    first = table.iloc[0]
    # 9.000 + 7.000 + 7.000 + 7.000 = 30.000 of 650.000 = 4,6 %
    assert (first["Jahresbudget"], first["in Paketen belegt"], first["Anteil belegt"]) == (
        "650.000 €",
        "30.000 €",
        "4,6 %",
    )


def test_coverage_per_stadtteil(engine: Engine) -> None:
    frame, year, demo = altenhilfe.coverage(engine, "wp-2019-2023", D(2024, 6, 1))
    assert year == 2023 and demo
    covered = dict(zip(frame["Stadtteil"], frame["Wirkungspakete"], strict=True))
    assert covered["Wiesdorf"] == 1 and covered["Hitdorf"] == 1 and covered["Rheindorf"] == 0
    assert sum(covered.values()) == 2  # SkF and SkM have no documented Stadtteil
    assert len(frame) == 13


def test_key_figures_of_a_package(engine: Engine) -> None:
    _, summary, table = altenhilfe.key_figures_figure(engine, "wp-skf-cafe-hereinspaziert", D(2024, 6, 1))
    assert list(table["Ampel"]) == ["! gefährdet"] + ["✗ nicht auf Kurs"] * 4  # 2019: 10 vs 10,4 → 83 %
    assert set(table["Beispieldaten"]) == {"ja (erfunden)"}
    assert "Beispieldaten" in summary


def test_planning_cycle_from_events(engine: Engine) -> None:
    _, _, table = altenhilfe.planning_figure(engine, D(2018, 12, 1))
    assert "12.11.2018" in set(table["Datum"]) and "frühestens 16.04.2018" in set(table["Datum"])
    assert not any("Controllinggespräch" in kind for kind in table["Art"])  # the first was in 2020


def test_sozialbericht_milestones_and_sessions(engine: Engine) -> None:
    _, _, table = sozialbericht.milestones_figure(engine, SESSION_2018)
    rows = dict(zip(table["Datum"], table["Stand"], strict=True))
    assert rows["15.07.2013"] == "erfolgt"
    assert rows["November 2018"] == "geplant"  # the Runder Tisch, planned at the time
    assert "Dezember 2019" not in rows
    sessions = sozialbericht.sessions_table(engine, SESSION_2018)
    assert len(sessions) == 4 and set(sessions["Stand"]) == {
        "geplant (ob es stattfand, ist nicht belegt)",
        "geplant",
    }
    assert sozialbericht.sessions_table(engine, D(2017, 5, 1)).empty


def test_recommendations_and_open_count(engine: Engine) -> None:
    table = sozialbericht.recommendations_table(engine)
    real = table[table["Beispieldaten"] == "nein"]
    assert list(real["Empfehlung"]) == ["Handlungsoptionen im Kontext Integration"]
    assert list(real["in den Bericht"]) == ["Sozialbericht 2019"]
    assert all(t.startswith("[Beispiel] ") for t in table.loc[table["Beispieldaten"] != "nein", "Empfehlung"])
    assert sozialbericht.open_recommendations(engine) == (3, 2)  # integration (real) + 2 demo (offen, in Umsetzung)


def test_headline_population_and_newest_year_as_of(engine: Engine) -> None:
    today = queries.headline_figures(engine, D(2026, 1, 1))
    assert (today["population"], today["population_year"]) == (165748, 2022)
    past = queries.headline_figures(engine, SESSION_2018)
    assert past["population"] is None and past["newest_year"] == 2017
