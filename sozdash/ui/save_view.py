"""The sidebar control "Ansicht speichern": the current page and its URL parameters as a saved view."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from sozdash.core.fmt import plain
from sozdash.core.permissions import PermissionDenied, has_role
from sozdash.meetings import saved_views
from sozdash.ui.login import current_actor


def save_view_control(engine: Engine, url_path: str) -> None:
    """The sidebar control "Ansicht speichern": this page and its URL parameters, a title and a note."""
    page = saved_views.page_for(url_path)
    if page is None:
        return
    actor = current_actor()
    with st.sidebar.popover("Ansicht speichern", icon=":material/bookmark_add:", width="stretch"):
        if not has_role(actor, saved_views.EDIT_ROLE):
            st.caption("Ansichten speichern können angemeldete Nutzer ab der Rolle „Fachbereich“.")
            return
        with st.form("save-view", clear_on_submit=True, border=False):
            title = st.text_input("Titel", max_chars=saved_views.MAX_TITLE)
            note = st.text_area("Notiz (optional)")
            if not st.form_submit_button("Speichern", icon=":material/save:"):
                return
        try:
            saved_views.save_view(engine, actor, page, dict(st.query_params), title, note)
        except (saved_views.ViewError, PermissionDenied) as exc:
            st.error(plain(exc), icon=":material/error:")
        else:
            st.success(f"Gespeichert: „{plain(' '.join(title.split()))}“ (Seite *Gespeicherte Ansichten*).")
