"""AppTest: meeting mode stepping through the 2018 session, saved views saved, opened, renamed, deleted."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl

from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from sozdash.core import fmt
from sozdash.core.permissions import Actor
from sozdash.store.db import session_scope
from sozdash.store.models import SavedView
from tests.apptest import APP, assert_clean, open_page
from tests.conftest import ROOT

EDITOR = Actor(username="fb.sozial", role="fachbereich")
SLIDES = 7  # data/seed/agenda_slides.yaml


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _save_control_app() -> None:
    from sozdash.ui import save_view, startup
    save_view.save_view_control(startup.engine(), "indikatoren")


def _view_id(engine: Engine, title: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(SavedView.id).where(SavedView.title == title))


def _position(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Folie "))


def test_overview_lists_agenda_with_speaker_and_session_date(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py")
    assert_clean(at)
    assert at.title[0].value == "Sitzung 2018 – Mitteilungen der Verwaltung"
    assert [s.value for s in at.subheader][:3] == [
        "TOP 1: Sozialbericht", "TOP 2: BIWAQ – Quartiershausmeister", "TOP 3: Quartiersarbeit / Altenhilfeplanung",
    ]  # fmt: skip
    assert sum(m.value == "**Bericht:** Beigeordneter Lünenbach" for m in at.markdown) == 3
    assert at.radio[0].options[0] == "Stand der Sitzung (16.04.2018)"


def test_presenting_steps_forward_and_back_as_of_the_session_date(app_env: Engine) -> None:
    at = open_page("pages/sitzungen.py")
    _button(at, "Präsentation starten").click().run()
    assert_clean(at)
    assert _position(at) == f"**Folie 1 von {SLIDES}** · Stand: 16.04.2018"
    assert at.title[0].value == "Sozialbericht 2018: Fachkonferenzen, Runder Tisch, Meilensteine"
    assert _button(at, "Zurück").disabled
    assert any("Stand: 16.04.2018" in c.value for c in at.caption)
    _button(at, "Weiter").click().run()
    _button(at, "Weiter").click().run()
    assert_clean(at)
    assert _position(at).startswith(f"**Folie 3 von {SLIDES}**")
    assert at.title[0].value == "BIWAQ „RHEINDORFerLEBEN“ 2014–2018"
    assert any("Status am 16.04.2018: ● laufend" in m.value for m in at.markdown)
    assert at.query_params["folie"] == "3"
    _button(at, "Zurück").click().run()
    assert at.title[0].value == "SGB-II-Quote nach Stadtteilen"
    assert any("Beispieldaten" in w.value for w in at.warning)
    assert any("SGB-II-Quote 2017 nach Stadtteil" in m.value for m in at.markdown)
    _button(at, "Beenden").click().run()
    assert at.title[0].value == "Sitzung 2018 – Mitteilungen der Verwaltung"


def test_last_slide_cannot_go_further_and_todays_state_uses_today(app_env: Engine) -> None:
    at = open_page(
        "pages/sitzungen.py",
        query={"modus": "praesentation", "sitzung": "sozialausschuss-2018", "stand": "heute", "folie": "99"},
    )
    assert_clean(at)
    assert _position(at) == f"**Folie {SLIDES} von {SLIDES}** · Stand: {fmt.date(dt.date.today())}"
    assert _button(at, "Weiter").disabled
    assert any("2024 nach Stadtteil" in m.value for m in at.markdown)  # newest demo year, not 2017


def test_open_saved_view_links_to_its_page_with_its_params(app_env: Engine) -> None:
    at = open_page("pages/ansichten.py")
    assert_clean(at)
    assert len(at.dataframe[0].value) == SLIDES
    at.selectbox(key="view-choice").select(_view_id(app_env, "SGB-II-Quote nach Stadtteilen")).run()
    link = next(p.proto for p in at.get("page_link") if p.proto.label.startswith("„SGB-II-Quote"))
    # expected parameters: data/seed/saved_views.yaml
    assert link.page == "indikatoren"
    assert dict(parse_qsl(link.query_string)) == {
        "ind": "sgb2_quote",
        "lage": "einkommen",
        "ebene": "stadtteil",
        "stichtag": "2018-04-16",
    }  # fmt: skip
    opened = open_page("pages/indikatoren.py", query=dict(parse_qsl(link.query_string)))
    assert_clean(opened)
    assert opened.selectbox(key="url-ind").value == "sgb2_quote"
    assert opened.selectbox(key="url-ebene").value == "stadtteil"
    assert opened.query_params["stichtag"] == "2018-04-16"


def test_reader_sees_no_edit_controls(app_env: Engine) -> None:
    at = open_page("pages/ansichten.py")
    assert not [b for b in at.button if b.label in ("Löschen", "Änderungen speichern")]
    assert any(c.value.startswith("Umbenennen und Löschen: angemeldet ab") for c in at.caption)
    at = AppTest.from_function(_save_control_app, default_timeout=30).run()  # nobody logged in
    assert not at.text_input and "ab der Rolle „Fachbereich“" in at.caption[0].value


def test_editor_saves_a_view_from_the_sidebar_then_renames_and_deletes_it(app_env: Engine) -> None:
    # The sidebar control on its own, as AppTest of a switched-to page may not rerun app.py's sidebar.
    at = AppTest.from_function(_save_control_app, default_timeout=30)
    at.session_state["actor"] = EDITOR
    at.query_params.update(ind="bevoelkerung_65plus", ebene="stadtteil", jahr="2017")
    at.run()
    at.text_input[0].input("  65+ für   die Sitzung ")
    at.button[0].click().run()
    assert_clean(at)
    assert at.success[0].value.replace("\\", "").startswith("Gespeichert: „65+ für die Sitzung“")
    with session_scope(app_env) as session:
        view = session.scalars(select(SavedView).where(SavedView.title == "65+ für die Sitzung")).one()
        page, params, author = view.page, view.params, view.created_by
    assert (page, author) == ("indikatoren", "fb.sozial")
    assert (
        params
        == {"ind": "bevoelkerung_65plus", "ebene": "stadtteil", "jahr": "2017"}
        == dict(at.query_params)
    )

    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["actor"] = EDITOR
    at.run()
    at.switch_page("pages/ansichten.py").run()
    at.selectbox(key="view-choice").select(_view_id(app_env, "65+ für die Sitzung")).run()
    rename = next(t for t in at.text_input if t.label == "Titel" and t.value == "65+ für die Sitzung")
    rename.input("Ältere Menschen 2017")
    _button(at, "Änderungen speichern").click().run()
    assert_clean(at)
    assert at.success[0].value == "Gespeichert."
    assert "Ältere Menschen 2017 · Indikatoren" in at.selectbox(key="view-choice").options
    at.selectbox(key="view-choice").select(_view_id(app_env, "Ältere Menschen 2017")).run()
    assert _button(at, "Löschen").disabled
    next(c for c in at.checkbox if c.label.startswith("Ja,")).check().run()
    _button(at, "Löschen").click().run()
    assert_clean(at)
    assert not any(o.startswith("Ältere Menschen") for o in at.selectbox(key="view-choice").options)


def test_export_button_builds_three_downloads_with_progress(app_env: Engine) -> None:
    # The page on its own: in AppTest a switched-to page can rerun through app.py, which drops a
    # plain button's return value; the export is driven by that return value.
    at = AppTest.from_file(str(ROOT / "pages" / "sitzungen.py"), default_timeout=180).run()
    _button(at, "Dateien erstellen").click().run(timeout=180)
    assert_clean(at)
    downloads = at.get("download_button")
    labels = sorted(d.proto.label for d in downloads if d.proto.label.startswith("sozialausschuss-2018"))
    assert labels == [
        f"sozialausschuss-2018-stand-2018-04-16.{kind} herunterladen" for kind in ("pdf", "pptx", "xlsx")
    ]
    assert at.get("progress")  # the progress bar was shown while building


def test_item_without_slides_is_presented_as_its_title_slide(app_env: Engine) -> None:
    from sozdash.meetings import agenda, edit

    info = agenda.meeting(app_env, "sozialausschuss-2018")
    assert info is not None
    edit.add_item(app_env, EDITOR, info.id, {"title": "Anfragen", "speaker": "Frau Muster",
                                             "speaker_notes": "Mündlich.", "source": "Niederschrift"})  # fmt: skip
    query = {"modus": "praesentation", "sitzung": info.key, "stand": "sitzung", "folie": "99"}
    at = open_page("pages/sitzungen.py", query=query)
    assert_clean(at)
    assert _position(at) == f"**Folie {SLIDES + 1} von {SLIDES + 1}** · Stand: 16.04.2018"
    assert at.title[0].value == "TOP 4: Anfragen"
    assert any(m.value == "**Bericht:** Frau Muster" for m in at.markdown)
    assert not any("Mündlich." in m.value for m in at.markdown)  # speaker notes stay off the projector
    _button(at, "Zurück").click().run()
    assert at.title[0].value == "Bevölkerung ab 65 Jahren nach Stadtteilen"
