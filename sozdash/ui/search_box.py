"""The search box in the sidebar of every page: results as links that open the right page with
the right URL parameters (``sozdash.search``)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from sozdash.access.visibility import sees_internal
from sozdash.core.fmt import plain
from sozdash.core.navigation import pages_for
from sozdash.search.records import LIMIT, Hit, search
from sozdash.ui.login import current_actor

SHOWN = 8
"""Results listed right away; the rest of them are behind "Weitere Treffer"."""
ICONS = {
    "area": ":material/location_city:", "indicator": ":material/map:", "project": ":material/work:",
    "package": ":material/elderly:", "programme": ":material/euro:", "view": ":material/bookmarks:",
}  # fmt: skip


def _link(hit: Hit) -> None:
    st.page_link(hit.file, label=plain(hit.label), icon=ICONS[hit.kind], help=plain(hit.detail),
                 query_params=hit.params)  # fmt: skip


@st.fragment
def _search(engine: Engine) -> None:
    # a fragment: typing reruns only the box and its results, not the page
    query = st.text_input(
        "Suche", key="search-query", type="search", placeholder="Stadtteil, Indikator, Projekt …", live="300ms",
        persist_state="session",
    )  # fmt: skip
    if not (query or "").strip():
        return
    actor = current_actor()
    pages = {p.url_path for specs in pages_for(actor.role).values() for p in specs}
    hits = search(engine, query, not sees_internal(actor), pages)
    if not hits:
        st.caption(
            "Nichts gefunden. Gesucht wird in Namen und Beschreibungen von Gebieten, Indikatoren, Projekten, "
            "Förderprogrammen, Wirkungspaketen und gespeicherten Ansichten; Wortanfänge genügen, z. B. „Rhein“."
        )
        return
    st.caption(f"{len(hits)} Treffer" + (" (die besten)" if len(hits) >= LIMIT else ""))
    for hit in hits[:SHOWN]:
        _link(hit)
    if len(hits) > SHOWN:
        with st.expander(f"Weitere {len(hits) - SHOWN} Treffer"):
            for hit in hits[SHOWN:]:
                _link(hit)


def search_box(engine: Engine) -> None:
    """The search field with its results at the top of the sidebar."""
    with st.sidebar:
        _search(engine)
