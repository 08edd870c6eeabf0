"""Saved views: save → open restores the same parameters; rename, delete; permissions; deep links."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from sozdash.core.permissions import ANONYMOUS, Actor, PermissionDenied
from sozdash.meetings import saved_views
from sozdash.store import db
from sozdash.store.db import session_scope
from sozdash.store.models import AuditEntry, SavedView
from tests.versions import raised

EDITOR = Actor(username="fb.sozial", role="fachbereich")
COUNCILLOR = Actor(username="rat.mitglied", role="rat")
PARAMS = {"ind": "sgb2_quote", "jahr": "2021", "ebene": "stadtteil", "gebiet": "rheindorf"}


def _count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(SavedView))


def test_save_then_open_restores_the_same_page_and_params(engine: Engine) -> None:
    version = db.table_versions(engine)
    view_id = saved_views.save_view(
        engine, EDITOR, "indikatoren", PARAMS, "  SGB II   Rheindorf ", "für TOP 1"
    )
    view = saved_views.get_view(engine, view_id)
    assert (view.page, view.params) == ("indikatoren", PARAMS)
    assert (view.title, view.note) == ("SGB II Rheindorf", "für TOP 1")
    assert saved_views.page_file(view.page) == "pages/indikatoren.py"
    assert raised(engine, version) == {"saved_views": 1, "audit_log": 1}
    listed = saved_views.list_views(engine)
    assert listed.iloc[0]["Titel"] == "SGB II Rheindorf" and listed.iloc[0]["Seite"] == "Indikatoren"
    with session_scope(engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "saved_views")).one()
    assert (entry.action, entry.username, entry.new_value) == ("create", "fb.sozial", "SGB II Rheindorf")


@pytest.mark.parametrize("actor", [ANONYMOUS, COUNCILLOR], ids=["oeffentlich", "rat"])
def test_readers_may_not_save_rename_or_delete(engine: Engine, actor: Actor) -> None:
    before = _count(engine)
    with pytest.raises(PermissionDenied, match="Fachbereich"):
        saved_views.save_view(engine, actor, "indikatoren", PARAMS, "Titel")
    with pytest.raises(PermissionDenied):
        saved_views.rename_view(engine, actor, 1, "Neu")
    with pytest.raises(PermissionDenied):
        saved_views.delete_view(engine, actor, 1)
    assert _count(engine) == before
    assert saved_views.get_view(engine, 1).title != "Neu"


def test_rename_changes_title_and_note_only(engine: Engine) -> None:
    view_id = saved_views.save_view(engine, EDITOR, "projekte", {"projekt": "biwaq-rheindorferleben"}, "Alt")
    saved_views.rename_view(engine, EDITOR, view_id, "Neu", "Notiz")
    view = saved_views.get_view(engine, view_id)
    assert (view.title, view.note, view.params) == ("Neu", "Notiz", {"projekt": "biwaq-rheindorferleben"})
    with pytest.raises(saved_views.ViewError, match="Titel"):
        saved_views.rename_view(engine, EDITOR, view_id, "   ")
    assert saved_views.get_view(engine, view_id).title == "Neu"


def test_delete_removes_a_view_but_not_one_used_as_a_slide(engine: Engine) -> None:
    view_id = saved_views.save_view(engine, EDITOR, "foerderprogramme", {}, "Weg damit")
    saved_views.delete_view(engine, EDITOR, view_id)
    with pytest.raises(saved_views.ViewError, match="gibt es nicht mehr"):
        saved_views.get_view(engine, view_id)
    with session_scope(engine) as session:
        used = session.scalar(select(SavedView.id).where(SavedView.key == "sitzung-2018-biwaq-projekt"))
    with pytest.raises(saved_views.ViewError, match="Folie"):
        saved_views.delete_view(engine, EDITOR, used)
    assert saved_views.get_view(engine, used).page == "projekte"


@pytest.mark.parametrize(
    ("page", "params", "title", "message"),
    [
        ("anmeldung", {}, "x", "können nicht gespeichert"),
        ("gibtsnicht", {}, "x", "können nicht gespeichert"),
        ("indikatoren", {}, "", "Titel"),
        ("indikatoren", {"ind": "x" * 600}, "x", "zu lang"),
    ],
)
def test_bad_input_is_refused_in_german_and_changes_nothing(
    sqlite_engine: Engine, page: str, params: dict, title: str, message: str
) -> None:
    before = _count(sqlite_engine)
    with pytest.raises(saved_views.ViewError, match=message):
        saved_views.save_view(sqlite_engine, EDITOR, page, params, title)
    assert _count(sqlite_engine) == before


def test_deep_link_uses_base_url_and_encodes_params(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZDASH_BASE_URL", "https://sozial.leverkusen.example/dash/")
    link = saved_views.deep_link(
        "projekte", {"projekt": "biwaq-rheindorferleben", "gebiet": "Rheindorf Nord&X"}
    )
    assert link == (
        "https://sozial.leverkusen.example/dash/projekte?gebiet=Rheindorf+Nord%26X&projekt=biwaq-rheindorferleben"
    )
    assert saved_views.deep_link("ueberblick", {}) == "https://sozial.leverkusen.example/dash/"
    monkeypatch.delenv("SOZDASH_BASE_URL")
    assert saved_views.deep_link("sozialbericht", {"stichtag": "2018-04-16"}) == (
        "http://localhost:8501/sozialbericht?stichtag=2018-04-16"
    )


def test_start_page_path_maps_to_its_page() -> None:
    assert saved_views.page_for("") == "ueberblick"
    assert saved_views.page_for("sitzungen") is None
