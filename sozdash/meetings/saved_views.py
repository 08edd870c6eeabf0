"""Saved views: a page (url path) with the query parameters it keeps in the URL, a title and a note.

Opening a view switches to its page with exactly the stored parameters, so the page reopens as
saved. Writes need role Fachbereich or higher, checked here, and are audited.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sozdash.access import audit
from sozdash.core.navigation import PAGES
from sozdash.core.permissions import Actor, require_role
from sozdash.store.cache import cached_query
from sozdash.store.db import read_session, session_scope
from sozdash.store.models import AgendaSlide, SavedView

EDIT_ROLE = "fachbereich"
NOT_SAVEABLE = {"sitzungen", "ansichten", "anmeldung", "bearbeiten", "datenimport", "protokoll"}
"""Pages whose state is not a view worth keeping (editing, login, the meeting pages themselves)."""
MAX_TITLE = 300
MAX_PARAMS = 30
MAX_PARAM_TEXT = 500
DEFAULT_BASE_URL = "http://localhost:8501"


class ViewError(ValueError):
    """Invalid input for a saved view (message in German)."""


@dataclass(frozen=True)
class View:
    id: int
    key: str | None
    title: str
    note: str | None
    page: str
    params: dict[str, str]


def page_titles() -> dict[str, str]:
    """Url path → German page title of every page a view can be saved from."""
    return {p.url_path: p.title for p in PAGES if p.url_path not in NOT_SAVEABLE}


def page_for(url_path: str) -> str | None:
    """The saveable page behind a navigation url path ("" is the start page), else ``None``."""
    if url_path == "":
        url_path = next(p.url_path for p in PAGES if p.default)
    return url_path if url_path in page_titles() else None


def page_file(url_path: str) -> str:
    """The page script of ``url_path`` (for ``st.switch_page``)."""
    for spec in PAGES:
        if spec.url_path == url_path:
            return spec.file
    raise ViewError(f"Die Seite „{url_path}“ gibt es nicht (mehr).")


def deep_link(page: str, params: dict[str, str]) -> str:
    """The address that reopens a view: ``SOZDASH_BASE_URL`` + page + URL-encoded parameters."""
    base = os.environ.get("SOZDASH_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    spec = next((p for p in PAGES if p.url_path == page), None)
    path = "" if spec is not None and spec.default else page
    query = urlencode(sorted(params.items()))
    return f"{base}/{path}" + (f"?{query}" if query else "")


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ViewError("Bitte geben Sie einen Titel für die Ansicht ein.")
    if len(title) > MAX_TITLE:
        raise ViewError(f"Der Titel ist zu lang (höchstens {MAX_TITLE} Zeichen).")
    return title


def _clean_params(params: dict[str, object]) -> dict[str, str]:
    if len(params) > MAX_PARAMS:
        raise ViewError("Die Ansicht hat zu viele Parameter, um gespeichert zu werden.")
    clean = {str(k): str(v) for k, v in params.items()}
    if any(len(k) + len(v) > MAX_PARAM_TEXT for k, v in clean.items()):
        raise ViewError("Ein Parameter der Ansicht ist zu lang, um gespeichert zu werden.")
    return dict(sorted(clean.items()))


def save_view(
    engine: Engine, actor: Actor, page: str, params: dict[str, object], title: str, note: str | None = None
) -> int:
    """Store a new view of ``page`` with ``params``; returns its id."""
    require_role(actor, EDIT_ROLE)
    if page not in page_titles():
        raise ViewError(f"Ansichten der Seite „{page}“ können nicht gespeichert werden.")
    view = SavedView(
        title=_clean_title(title), note=(note or "").strip() or None, page=page, params=_clean_params(params),
        created_by=actor.username, created_at=dt.datetime.now().replace(microsecond=0),
    )  # fmt: skip
    with session_scope(engine) as session:
        session.add(view)
        session.flush()
        audit.record(session, actor, "create", "saved_views", view.id, "title", None, view.title)
    return view.id


def _existing(session: Session, view_id: int) -> SavedView:
    view = session.get(SavedView, view_id)
    if view is None:
        raise ViewError("Diese Ansicht gibt es nicht mehr (inzwischen gelöscht?).")
    return view


def rename_view(engine: Engine, actor: Actor, view_id: int, title: str, note: str | None = None) -> None:
    """Change title and note of a view (its page and parameters stay)."""
    require_role(actor, EDIT_ROLE)
    new_title, new_note = _clean_title(title), (note or "").strip() or None
    after = {"title": new_title, "note": new_note}
    with session_scope(engine) as session:
        view = _existing(session, view_id)
        before = {"title": view.title, "note": view.note}
        if audit.record_changes(session, actor, "saved_views", view_id, before, after):
            view.title, view.note = new_title, new_note


def delete_view(engine: Engine, actor: Actor, view_id: int) -> None:
    """Delete a view unless a session uses it as a slide."""
    require_role(actor, EDIT_ROLE)
    with session_scope(engine) as session:
        view = _existing(session, view_id)
        used = session.scalar(select(func.count()).where(AgendaSlide.saved_view_id == view_id))
        if used:
            raise ViewError(
                f"„{view.title}“ ist Folie in {used} Sitzungspunkt(en) und kann nicht gelöscht werden."
            )
        audit.record(session, actor, "delete", "saved_views", view_id, "title", view.title, None)
        session.delete(view)


def get_view(engine: Engine, view_id: int) -> View:
    """One saved view."""
    with read_session(engine) as session:
        v = _existing(session, view_id)
        return View(v.id, v.key, v.title, v.note, v.page, dict(v.params or {}))


@cached_query
def list_views(engine: Engine) -> pd.DataFrame:
    """All saved views, newest first, with the German page title and how many slides use each."""
    with read_session(engine) as session:
        slides = dict(
            session.execute(
                select(AgendaSlide.saved_view_id, func.count()).group_by(AgendaSlide.saved_view_id)
            ).all()
        )
        rows = [
            {
                "id": v.id, "Titel": v.title, "Seite": page_titles().get(v.page, v.page), "page": v.page,
                "params": dict(v.params or {}), "Notiz": v.note or "", "Erstellt von": v.created_by,
                "Erstellt am": v.created_at, "Folien": slides.get(v.id, 0),
            }
            for v in session.scalars(select(SavedView).order_by(SavedView.created_at.desc(), SavedView.id.desc()))
        ]  # fmt: skip
    columns = ["id", "Titel", "Seite", "page", "params", "Notiz", "Erstellt von", "Erstellt am", "Folien"]
    return pd.DataFrame(rows, columns=columns)
