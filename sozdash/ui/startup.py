"""Start of every script run: the query cache (in memory), the database engine, the legacy-pages workaround, the guarded page run
with the search box and the place for notices about wrong URL parameters."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from sozdash.core import fmt
from sozdash.store import bootstrap, cache, db
from sozdash.ui.notices import sidebar_data_status
from sozdash.ui.save_view import save_view_control
from sozdash.ui.search_box import search_box
from sozdash.ui.url_state import notices_here

log = logging.getLogger("sozdash")

QUERY_CACHE = cache.MemoryCache(max_entries=1024)
"""The results of cached queries, shared by every session of this process."""
cache.use_memoizer(QUERY_CACHE)


@st.cache_resource(show_spinner="Datenbank wird vorbereitet …")
def _prepared_engine(url: str) -> Engine:
    engine = db.get_engine(url)
    bootstrap.ensure_database(engine)
    return engine


def enter_app() -> None:
    """Called first by app.py: from now on Streamlit always runs app.py (navigation by role,
    login checks) and never a ``pages/`` file on its own.

    Streamlit starts every process in its legacy multipage mode because a ``pages/`` folder
    exists, and leaves it only when ``st.navigation`` runs. Until then a direct link such as
    ``/protokoll`` would run that page without app.py.
    """
    PagesManager.uses_pages_directory = False


def engine() -> Engine:
    """The app's database, created and filled on first use; on failure a German page and stop.

    In a page run directly in Streamlit's legacy mode (see ``enter_app``) it leaves that mode
    and reruns, so that app.py handles the request."""
    if PagesManager.uses_pages_directory:
        enter_app()
        st.rerun()
    try:
        return _prepared_engine(db.database_url())
    except bootstrap.DatabaseError as exc:
        st.error(f"**{exc.message}**\n\n{exc.hint}", icon=":material/error:")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def run_page(page: Callable[[], None], engine: Engine, url_path: str | None = None) -> None:
    """Show the search box and the sidebar data status (and "Ansicht speichern" for page
    ``url_path``) and run a page, its notices about wrong URL parameters at the top; an unexpected
    error becomes a German message (the trace goes to the log)."""
    try:
        search_box(engine)
        sidebar_data_status(engine)
        if url_path is not None:
            save_view_control(engine, url_path)
        with notices_here():
            page()
    except bootstrap.DatabaseError as exc:
        st.error(f"**{exc.message}**\n\n{exc.hint}", icon=":material/error:")
    except db.WriteRefused as exc:
        st.error(fmt.plain(str(exc)), icon=":material/error:")
    except Exception:
        log.exception("Fehler beim Anzeigen der Seite")
        st.error(
            "**Fehler in der Anwendung.** Diese Ansicht konnte nicht vollständig angezeigt werden. "
            "Bitte laden Sie die Seite neu; besteht das Problem weiter, melden Sie es der IT "
            "(Uhrzeit und Seite genügen).",
            icon=":material/error:",
        )
