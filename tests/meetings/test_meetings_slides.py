"""The shipped 2018 session and its slides as of the session date or today."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, update

from sozdash.core.permissions import ANONYMOUS, Actor
from sozdash.meetings import agenda, slides
from sozdash.meetings.saved_views import View
from sozdash.store.db import session_scope
from sozdash.store.models import Indicator, Project

SESSION_DATE = dt.date(2018, 4, 16)
TODAY = dt.date(2026, 11, 25)
COUNCILLOR = Actor(username="rat.mitglied", role="rat")


def test_2018_session_has_three_agenda_items_with_slides(engine: Engine) -> None:
    info = agenda.meeting(engine, "sozialausschuss-2018")
    assert info.committee == "Ausschuss für Soziales, Gesundheit und Senioren"
    assert (info.date, info.date_precision) == (SESSION_DATE, "after")
    assert info.label.endswith("frühestens 16.04.2018")
    refs = agenda.slides(engine, info.id)
    items = list(dict.fromkeys((r.item_position, r.item_title) for r in refs))
    assert items == [(1, "Sozialbericht"), (2, "BIWAQ – Quartiershausmeister"),
                     (3, "Quartiersarbeit / Altenhilfeplanung")]  # fmt: skip
    assert [r.number for r in refs] == list(range(1, len(refs) + 1))
    assert {r.speaker for r in refs} == {"Beigeordneter Lünenbach"}
    assert all(r.item_source.startswith("Niederschrift Sozialausschuss Leverkusen 2018") for r in refs)
    assert all(r.view.params["stichtag"] == "2018-04-16" for r in refs)
    assert "12.04.2018" in next(r.speaker_notes for r in refs if r.item_position == 2)
    pages = {item: {r.view.page for r in refs if r.item_position == item} for item in (1, 2, 3)}
    assert {"sozialbericht"} <= pages[1] and {"projekte", "foerderprogramme"} <= pages[2]
    assert "altenhilfe" in pages[3]


def test_as_of_and_slide_number_rules(engine: Engine) -> None:
    info = agenda.meeting(engine, "sozialausschuss-2018")
    assert agenda.as_of(info, "sitzung", TODAY) == SESSION_DATE
    assert agenda.as_of(info, "heute", TODAY) == TODAY
    assert [agenda.slide_number(raw, 7) for raw in (None, "3", "0", "99", "drei")] == [1, 3, 1, 7, 1]


@pytest.mark.parametrize(
    ("as_of", "year"), [(SESSION_DATE, 2017), (TODAY, 2024), (dt.date(2017, 12, 31), 2017)]
)
def test_indicator_slide_shows_newest_year_ended_by_the_stichtag(
    engine: Engine, as_of: dt.date, year: int
) -> None:
    view = View(0, None, "SGB II", None, "indikatoren", {"ind": "sgb2_quote", "ebene": "stadtteil"})
    content = slides.build(engine, view, as_of, COUNCILLOR)
    assert content.available and content.deck is not None and content.is_demo
    assert content.summary.startswith(f"SGB-II-Quote {year} nach Stadtteil.")
    assert f"jahr={year}" in content.link and f"stichtag={as_of.isoformat()}" in content.link
    assert len(content.table) == 13  # all Stadtteile


def test_indicator_slide_table_holds_the_value_as_number(engine: Engine) -> None:
    view = View(0, None, "SGB II", None, "indikatoren", {"ind": "sgb2_quote", "ebene": "stadtteil"})
    table = slides.build(engine, view, SESSION_DATE, COUNCILLOR).table.set_index("Gebiet")
    # demo_observations.csv: rheindorf, sgb2_quote, 2017: 2806 of 13720 → 20.45 %, one decimal as shown
    assert table.loc["Rheindorf", "Wert als Zahl (%)"] == 20.5
    assert table.loc["Rheindorf", "Wert"] == "20,5 %"


def test_project_slide_status_depends_on_the_stichtag(engine: Engine) -> None:
    view = View(0, None, "BIWAQ", None, "projekte", {"projekt": "biwaq-rheindorferleben"})
    then = slides.build(engine, view, SESSION_DATE, COUNCILLOR)
    now = slides.build(engine, view, TODAY, COUNCILLOR)
    assert "Status am 16.04.2018: ● laufend" in then.summary  # runs 01.04.2014–31.12.2018
    assert "Förderende in Sicht" in then.summary  # ends within 12 months of the session
    assert "abgeschlossen" in now.summary and "Förderende in Sicht" not in now.summary
    assert then.figure is not None and not then.is_demo and "Niederschrift" in then.source


def test_missing_builder_or_bad_params_give_an_honest_empty_slide(engine: Engine) -> None:
    for view in (View(0, None, "Methode", None, "methode", {}),
                 View(0, None, "Kaputt", None, "indikatoren", {"ind": "gibt_es_nicht"})):  # fmt: skip
        content = slides.build(engine, view, SESSION_DATE, COUNCILLOR)
        assert not content.available and content.figure is None and content.deck is None
        assert content.summary.startswith("Folie nicht verfügbar") and content.table.empty
        assert not any(ch.isdigit() for ch in content.summary)


def test_data_year_rule() -> None:
    years = [2012, 2015, 2017, 2019]
    assert slides.data_year(None, years, dt.date(2018, 4, 16)) == 2017
    assert slides.data_year("2015", years, dt.date(2018, 4, 16)) == 2015
    assert slides.data_year("2019", years, dt.date(2018, 4, 16)) == 2017  # not yet known then
    assert slides.data_year("2019", years, dt.date(2020, 1, 1)) == 2019
    assert slides.data_year(None, years, dt.date(2012, 12, 30)) is None


def test_index_slide_follows_the_stichtag_and_keeps_the_local_knowledge_note(engine: Engine) -> None:
    view = View(0, None, "Index", None, "sozialindex", {})
    then, now = (
        slides.build(engine, view, SESSION_DATE, COUNCILLOR),
        slides.build(engine, view, TODAY, COUNCILLOR),
    )
    assert then.summary.startswith("13 von 13 Gebieten bewertet (Bezugsjahr 2017")  # 13 Stadtteile
    assert now.summary.startswith("13 von 13 Gebieten bewertet (Bezugsjahr 2024")
    assert "Ein Index ersetzt keine Ortskenntnis" in then.summary
    assert "jahr=2017" in then.link and then.deck is not None and then.is_demo
    assert then.table.columns[0] == "Status \\ Dynamik" and len(then.table) == 4  # 4 status classes
    missing = slides.build(engine, View(0, None, "Index", None, "sozialindex", {"index": "s999"}), TODAY)
    assert not missing.available


def test_slides_show_internal_records_only_to_councillors(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.key == "sgb2_quote").values(is_public=False))
        session.execute(
            update(Project).where(Project.key == "biwaq-rheindorferleben").values(is_public=False)
        )
    for page, params in (
        ("indikatoren", {"ind": "sgb2_quote"}),
        ("projekte", {"projekt": "biwaq-rheindorferleben"}),
    ):
        view = View(0, None, "Intern", None, page, params)
        assert slides.build(engine, view, SESSION_DATE, COUNCILLOR).available
        hidden = slides.build(engine, view, SESSION_DATE, ANONYMOUS)
        assert not hidden.available and hidden.figure is None and hidden.deck is None and hidden.table.empty
