"""AppTest: the "Sitzung bearbeiten" area of the Sitzungen page (role check, forms with callbacks)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, select
from streamlit.testing.v1 import AppTest

from sozdash.core.permissions import Actor
from sozdash.meetings import agenda as meetings
from sozdash.meetings import edit
from sozdash.store.db import session_scope
from sozdash.store.models import AgendaItem, AgendaSlide, Meeting, SavedView
from tests.apptest import assert_clean, open_page

EDITOR = Actor("fb", "fachbereich")
COUNCILLOR = Actor("rat", "rat")
NEW = "Sitzung März 2026"


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _fill_new_session(at: AppTest) -> None:
    at.text_input(key="neue-sitzung-committee").input("Ausschuss für Soziales, Gesundheit und Senioren")
    at.date_input(key="neue-sitzung-date").set_value(dt.date(2026, 3, 12))
    at.selectbox(key="neue-sitzung-date_precision").select("day")
    at.text_input(key="neue-sitzung-title").input(NEW)
    at.text_area(key="neue-sitzung-source").input("Einladung vom 20.02.2026")


def test_edit_area_is_hidden_for_councillors(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py", actor=COUNCILLOR)
    assert_clean(at)
    assert "Sitzung bearbeiten" not in [h.value for h in at.header]
    assert not any(b.label in ("Sitzung anlegen", "Punkt hinzufügen", "Folie hinzufügen") for b in at.button)


def test_editor_sees_the_agenda_of_the_2018_session(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py", actor=EDITOR)
    assert_clean(at)
    assert "Sitzung bearbeiten" in [h.value for h in at.header]
    titles = [t.value for t in at.text_input if t.label == "Titel *"]
    assert titles[0] == "Sitzung 2018 – Mitteilungen der Verwaltung"
    assert titles[1:4] == [
        "Sozialbericht",
        "BIWAQ – Quartiershausmeister",
        "Quartiersarbeit / Altenhilfeplanung",
    ]
    assert [e.label for e in at.expander if e.label.startswith("TOP ")] == [
        "TOP 1: Sozialbericht", "TOP 2: BIWAQ – Quartiershausmeister", "TOP 3: Quartiersarbeit / Altenhilfeplanung",
    ]  # fmt: skip
    assert _button(at, "Nach oben").disabled  # TOP 1 cannot move further up


def test_session_created_through_the_form_becomes_selectable(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py", actor=EDITOR)
    _fill_new_session(at)
    _button(at, "Sitzung anlegen").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["Sitzung angelegt."]
    assert at.title[0].value == NEW
    assert at.query_params["sitzung"] == "2026-03-12-sitzung-maerz-2026"
    assert (
        "Ausschuss für Soziales, Gesundheit und Senioren – 12.03.2026"
        in at.selectbox(key="url-sitzung").options
    )
    # add an agenda item, then a slide from the saved views
    at.text_input(key=f"top-neu-{_meeting_id(app_env)}-title").input("Sozialbericht 2026")
    at.text_area(key=f"top-neu-{_meeting_id(app_env)}-source").input("Vorlage 2026/001")
    _button(at, "Punkt hinzufügen").click().run()
    assert_clean(at)
    assert [e.label for e in at.expander if e.label.startswith("TOP ")] == ["TOP 1: Sozialbericht 2026"]
    assert at.text_input(key=f"top-neu-{_meeting_id(app_env)}-title").value == ""  # form emptied after saving
    view = _view(app_env, "SGB-II-Quote nach Stadtteilen")
    next(s for s in at.selectbox if s.label == "Gespeicherte Ansicht").set_value(view)
    _button(at, "Folie hinzufügen").click().run()
    assert_clean(at)
    assert "1. SGB-II-Quote nach Stadtteilen" in [t.value for t in at.text]
    assert not _button(at, "Präsentation starten").disabled
    _button(at, "Präsentation starten").click().run()
    assert any(m.value.startswith("**Folie 1 von 1**") for m in at.markdown)


def test_missing_title_shows_a_german_message_and_creates_nothing(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py", actor=EDITOR)
    _fill_new_session(at)
    at.text_input(key="neue-sitzung-title").input("")
    _button(at, "Sitzung anlegen").click().run()
    assert_clean(at)
    assert at.error[0].value == "Nicht gespeichert. „Titel“: Pflichtfeld – bitte ausfüllen."
    assert at.title[0].value == "Sitzung 2018 – Mitteilungen der Verwaltung"
    assert at.text_area(key="neue-sitzung-source").value == "Einladung vom 20.02.2026"  # input kept
    assert _meeting_id(app_env) is None


def test_first_session_can_be_created_on_an_empty_page(app_env: Engine) -> None:
    with session_scope(app_env) as session:
        for model in (AgendaSlide, AgendaItem, Meeting):
            session.execute(delete(model))
    at = open_page("pages/sitzungen.py", actor=EDITOR)
    assert [i.value for i in at.info] == ["Noch keine Sitzung angelegt."]
    _fill_new_session(at)
    _button(at, "Sitzung anlegen").click().run()
    assert_clean(at)
    assert at.title[0].value == NEW


def _meeting_id(engine: Engine) -> int | None:
    info = meetings.meeting(engine, "2026-03-12-sitzung-maerz-2026")
    return info.id if info else None


def _session_id(engine: Engine) -> int:
    return meetings.meeting(engine, "sozialausschuss-2018").id


def _view(engine: Engine, title: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(SavedView.id).where(SavedView.title == title))


def test_moving_an_item_up_reorders_the_agenda(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py", actor=EDITOR)
    [b for b in at.button if b.label == "Nach oben"][2].click().run()  # TOP 3 up
    assert_clean(at)
    assert [e.label for e in at.expander if e.label.startswith("TOP ")] == [
        "TOP 1: Sozialbericht", "TOP 2: Quartiersarbeit / Altenhilfeplanung", "TOP 3: BIWAQ – Quartiershausmeister",
    ]  # fmt: skip
    assert [s.value for s in at.subheader][1] == "TOP 2: Quartiersarbeit / Altenhilfeplanung"
    biwaq = next(i for i in edit.agenda(app_env, _session_id(app_env)) if i.position == 3)
    at.button(key=f"top-loeschen-{biwaq.id}").click().run()
    assert_clean(at)
    assert [e.label for e in at.expander if e.label.startswith("TOP ")] == [
        "TOP 1: Sozialbericht", "TOP 2: Quartiersarbeit / Altenhilfeplanung",
    ]  # fmt: skip
    assert [s.value for s in at.success] == ["Tagesordnungspunkt gelöscht."]


def test_saving_over_a_change_made_meanwhile_shows_the_conflict(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py", actor=EDITOR)
    info = meetings.meeting(app_env, "sozialausschuss-2018")
    values, version = edit.meeting_values(app_env, info.id)
    edit.update_meeting(app_env, Actor("kollegin", "fachbereich"), info.id, version,
                                values | {"title": "Von Kollegin geändert"})  # fmt: skip
    next(t for t in at.text_input if t.label == "Titel *").input("Meine Änderung")
    _button(at, "Änderungen speichern").click().run()
    assert_clean(at)
    assert at.error[0].value.startswith(
        "Sitzung: Der Datensatz wurde inzwischen von jemand anderem geändert."
    )
    assert at.title[0].value == "Von Kollegin geändert"
    assert meetings.meeting(app_env, "sozialausschuss-2018").title == "Von Kollegin geändert"
