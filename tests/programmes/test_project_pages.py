"""AppTest of the pages Projekte, Förderprogramme, Wirkungspakete, Sozialbericht-Prozess and
Überblick, with filters and the Stichtag carried in the URL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from tests.apptest import assert_clean, open_page

BIWAQ = {"projekt": "biwaq-rheindorferleben", "stichtag": "2018-05-01"}


def frame_with(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_biwaq_as_of_the_2018_session(app_env: Engine) -> None:
    at = open_page("pages/projekte.py", query=BIWAQ)
    assert_clean(at)
    assert at.date_input(key="url-stichtag").value.isoformat() == "2018-05-01"
    heading = at.subheader[1].value
    assert "RHEINDORFerLEBEN" in heading and heading.endswith("– ● laufend")
    assert any("01.04.2014–31.12.2018" in m.value for m in at.markdown)
    assert any("Förderende in Sicht" in w.value for w in at.warning)
    partners = list(frame_with(at, "Rolle")["Organisation"])
    for name in (
        "Suchthilfe Leverkusen gGmbH",
        "Hochschule Niederrhein",
        "JOB Service Beschäftigungsförderung Leverkusen gGmbH",
    ):
        assert name in partners
    events = frame_with(at, "Ereignis")
    dated = dict(zip(events["Datum"], events["Ereignis"], strict=True))
    assert "Arndt Kohn" in dated["12.04.2018"] and "BBSR" in dated["16.04.2018"]
    assert "31.12.2018" not in dated  # after the Stichtag
    applications = frame_with(at, "Begründung")
    assert list(applications["Ergebnis"]) == ["nicht berücksichtigt"]
    assert "dreifach überzeichnet" in applications["Begründung"].iloc[0]
    subprojects = frame_with(at, "Teilprojekt")
    assert len(subprojects) == 4 and set(subprojects["Status"]) == {"● laufend"}  # they follow the parent
    assert "Sprachcafé mit Bewerbungstraining" in set(subprojects["Teilprojekt"])
    budget = frame_with(at, "Finanzierungsquelle")
    assert list(budget["Betrag"]) == ["≈ 840.000 €", "≈ 670.000 €", "167.805,41 €"]
    assert any("Beispieldaten" in w.value for w in at.warning)  # district indicators are demo values
    assert any("Schematische Karte" in i.value for i in at.info)


def test_portfolio_filter_by_status_is_kept_in_the_url(app_env: Engine) -> None:
    at = open_page("pages/projekte.py", query={"stichtag": "2018-05-01"})
    assert len(frame_with(at, "Förderende in Sicht")) == 3
    at.selectbox(key="url-status").set_value("abgelehnt").run()
    assert_clean(at)
    portfolio = frame_with(at, "Förderende in Sicht")
    assert list(portfolio["Status"]) == ["✗ abgelehnt"]
    assert at.query_params["status"] == "abgelehnt"


def test_portfolio_filters_from_the_url(app_env: Engine) -> None:
    at = open_page("pages/projekte.py", query={"stichtag": "2018-03-01", "programm": "BIWAQ", "jahr": "2018"})
    assert_clean(at)
    portfolio = frame_with(at, "Förderende in Sicht")
    assert list(portfolio["Status"]) == ["● laufend", "◔ beantragt"]  # the application was still open
    at = open_page("pages/projekte.py", query={"stichtag": "2018-05-01", "jahr": "2007"})
    assert list(frame_with(at, "Förderende in Sicht")["Titel"]) == ["Soziale Stadt Rheindorf-Nord"]


def test_district_filter_offers_area_codes_labelled_by_name(app_env: Engine) -> None:
    at = open_page("pages/projekte.py", query={"stichtag": "2018-05-01", "gebiet": "rheindorf"})
    assert_clean(at)
    district = at.selectbox(key="url-gebiet")
    assert (district.value, district.options) == ("rheindorf", ["alle", "Rheindorf"])
    assert len(frame_with(at, "Förderende in Sicht")) == 3  # all three projects are in Rheindorf
    assert at.query_params["gebiet"] == "rheindorf"
    at = open_page("pages/projekte.py", query={"stichtag": "2018-05-01", "gebiet": "Rheindorf"})
    assert at.selectbox(key="url-gebiet").value == "alle"  # a name is no area code
    assert at.query_params["gebiet"] == "alle"


def test_invalid_stichtag_gets_a_german_message(app_env: Engine) -> None:
    at = open_page("pages/ueberblick.py", query={"stichtag": "2018-02-30"})
    assert_clean(at)
    assert any("Das Datum „2018-02-30“ in der Adresse ist ungültig" in w.value for w in at.warning)
    assert at.date_input(key="url-stichtag").value == dt.date.today()


def test_funding_page_as_of_march_2018(app_env: Engine) -> None:
    at = open_page("pages/foerderprogramme.py", query={"stichtag": "2018-03-01"})
    assert_clean(at)
    assert any("Erfolgsquote der Stadt: 100 %" in m.value and "1 von 1" in m.value for m in at.markdown)
    applications = frame_with(at, "Begründung")
    assert sorted(applications["Ergebnis"]) == ["bewilligt", "offen"]
    soon = frame_with(at, "Tage bis Förderende")
    assert list(soon["Projekt"]) == ["BIWAQ Rheindorf-Nord – RHEINDORFerLEBEN"]
    assert list(soon["Tage bis Förderende"]) == [305]  # 01.03.2018 → 31.12.2018
    rounds = frame_with(at, "Leverkusen")
    assert "◔ Leverkusen hat beantragt (offen)" in set(rounds["Leverkusen"])
    facts = frame_with(at, "Aussage")
    assert any("dreifach" in s or "1,5 Mio" in s for s in facts["Aussage"])


def test_funding_page_today(app_env: Engine) -> None:
    at = open_page("pages/foerderprogramme.py")
    assert_clean(at)
    assert any("Erfolgsquote der Stadt: 50 %" in m.value for m in at.markdown)
    assert any("Keine Förderung endet" in s.value for s in at.success)
    sources = frame_with(at, "Quelle der Mittel")
    assert "Kommune (Eigenanteil)" in set(sources["Quelle der Mittel"])


def test_altenhilfe_packages_lights_and_coverage(app_env: Engine) -> None:
    at = open_page(
        "pages/altenhilfe.py", query={"stichtag": "2024-06-01", "paket": "wp-awo-seniorenarbeit-hitdorf"}
    )
    assert_clean(at)
    assert at.radio(key="url-periode").value == "wp-2019-2023"
    packages = frame_with(at, "Wirkungsziel")
    assert list(packages["Träger"]) == ["ASB", "AWO", "SkF", "SkM"]
    assert list(packages["Ampel (Beispieldaten)"]) == [
        "✓ auf Kurs",
        "! gefährdet",
        "✗ nicht auf Kurs",
        "✓ auf Kurs",
    ]
    assert list(packages["Förderung je Jahr"]) == [
        "2019: 9.000 €",
        "2019: 7.000 €",
        "2019: 7.000 €",
        "2019: 7.000 €",
    ]
    kf = frame_with(at, "Soll laut Zielpfad")
    assert set(kf["Kennzahl"]) == {"Regelmäßig Teilnehmende an den Seniorenangeboten in Hitdorf",
                                   "Aktive Ehrenamtliche in der Seniorenarbeit Hitdorf"}  # fmt: skip
    meetings = frame_with(at, "Wirkungspaket")
    assert len(meetings) == 10 and "17.03.2020" in set(
        meetings["Datum"]
    )  # all seed meetings up to 05.03.2024
    coverage = frame_with(at, "Abdeckung")
    with_package = coverage["Wirkungspakete"].astype(int) > 0  # the table shows German number text
    assert set(coverage.loc[with_package, "Stadtteil"]) == {"Wiesdorf", "Hitdorf"}
    assert any("Beispieldaten" in w.value for w in at.warning)
    assert any("650.000 € je Jahr" in m.value for m in at.markdown)
    cycle = frame_with(at, "Ereignis")
    assert "12.11.2018" in set(cycle["Datum"])


def test_altenhilfe_period_without_packages(app_env: Engine) -> None:
    at = open_page("pages/altenhilfe.py", query={"periode": "wp-2024-2028"})
    assert_clean(at)
    assert any("keine einzelnen Wirkungspakete" in i.value for i in at.info)
    assert any("11 Träger" in m.value for m in at.markdown)  # the period's description (source: city website)


def test_sozialbericht_process_page(app_env: Engine) -> None:
    at = open_page("pages/sozialbericht.py", query={"stichtag": "2018-05-01"})
    assert_clean(at)
    flow = next(m.value for m in at.markdown if "→" in m.value).replace("\\", "")
    assert "Kommunale Gesundheitskonferenz Leverkusen (§ 24 ÖGDG NRW (verpflichtend)) → Runder Tisch" in flow
    assert "Runder Tisch (Sozialbericht) → Sozialbericht" in flow
    assert "Sozialkonferenz → Runder Tisch" in flow and "nan" not in flow  # no legal basis recorded
    sessions = frame_with(at, "Sitzung")
    assert len(sessions) == 4
    recommendations = frame_with(at, "Lebenslage")
    assert list(recommendations["Beispieldaten"]).count("nein") == 1
    assert any("Beispieldaten" in w.value for w in at.warning)
    milestones = frame_with(at, "Ereignis")
    assert "Dezember 2019" not in set(milestones["Datum"])
    reports = frame_with(at, "Bericht")
    assert list(reports["beschlossen"]) == ["21.02.2011", "15.07.2013", "noch nicht beschlossen"]
    assert any("8 Quartiere" in s for s in frame_with(at, "Aussage")["Aussage"])


def test_start_page_status_as_of_the_2018_session_links_to_pages(app_env: Engine) -> None:
    at = open_page("pages/ueberblick.py", query={"stichtag": "2018-05-01"})
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Laufende Projekte"] == "1"
    assert metrics["Förderende in Sicht"] == "1"
    assert metrics["Pakete nicht auf Kurs"] == "0"  # no measurement before 31.12.2019
    assert metrics["Offene Empfehlungen"] == "3"
    links = [link.proto for link in at.get("page_link")]
    assert any("projekte" in link.page and "stichtag=2018-05-01" in link.query_string for link in links)
    assert any("altenhilfe" in link.page for link in links)


def test_start_page_today_counts_packages_off_course(app_env: Engine) -> None:
    at = open_page("pages/ueberblick.py")
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pakete nicht auf Kurs"] == "1"  # SkF
    assert metrics["Laufende Projekte"] == "0"


def test_sub_project_detail_without_own_dates_or_lead(app_env: Engine) -> None:
    at = open_page("pages/projekte.py", query={"projekt": "biwaq-rl-sprachcafe", "stichtag": "2018-05-01"})
    assert_clean(at)
    line = next(m.value for m in at.markdown if m.value.startswith("**Laufzeit:**"))
    assert "01.04.2014–31.12.2018 (vom Gesamtprojekt übernommen)" in line
    assert "**Federführung:** nicht belegt" in line and "nan" not in line
    assert any("Keine Partner belegt" in c.value for c in at.caption)
