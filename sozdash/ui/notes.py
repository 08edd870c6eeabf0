"""Notes (annotations) on an area, indicator or project: the list and, for role Rat or higher, the form."""

from __future__ import annotations

import datetime as dt
from typing import cast

import streamlit as st

from sozdash.core import fmt
from sozdash.core.fmt import plain
from sozdash.core.permissions import PermissionDenied
from sozdash.core.vocab import VISIBILITY
from sozdash.editing import annotations as annotation_store
from sozdash.ui import startup
from sozdash.ui.login import current_actor


def annotations_block(target_type: str, target_id: int) -> None:
    """Notes on an area, indicator or project (plain text with author and date) and, for
    role Rat or higher, a form to add one."""
    eng, actor = startup.engine(), current_actor()
    st.subheader("Notizen")
    notes = annotation_store.for_target(eng, actor, target_type, target_id)
    if notes.empty:
        st.caption("Noch keine Notizen.")
    for note in notes.itertuples():
        created_at = cast(dt.datetime, note.created_at)  # a DateTime column: pandas gives Timestamps
        with st.container(border=True):
            st.caption(
                f"{plain(note.author)} · {fmt.date(created_at.date())} · {VISIBILITY[str(note.visibility)]}"
            )
            st.text(note.text)
    if not annotation_store.may_annotate(actor):
        return
    with st.form(f"note-{target_type}-{target_id}", clear_on_submit=True):
        text = st.text_area("Neue Notiz", max_chars=annotation_store.MAX_LENGTH)
        visibility = st.radio(
            "Sichtbarkeit", list(VISIBILITY), format_func=VISIBILITY.get, horizontal=True,
            help="„öffentlich“ sehen alle, auch ohne Anmeldung; „intern“ nur angemeldete Nutzer.",
        )  # fmt: skip
        if not st.form_submit_button("Notiz speichern", icon=":material/note_add:"):
            return
    try:
        annotation_store.add(eng, actor, target_type, target_id, text, visibility)
    except (ValueError, PermissionDenied) as exc:
        st.error(plain(exc), icon=":material/error:")
    else:
        st.rerun()
