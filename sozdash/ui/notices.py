"""Notices shown around the content: demo data, schematic maps, the sidebar data status, the projector layout."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from sozdash.core import fmt
from sozdash.core.fmt import plain
from sozdash.store import queries

DEMO_NOTICE = (
    "**Beispieldaten** – die hier gezeigten Werte sind erfunden (erzeugt von sozdash.demo) und keine "
    "amtlichen Zahlen. Importierte Daten der Stadt ersetzen sie; entfernen lassen sie sich auf der Seite "
    "Datenstand (Rolle Admin) oder mit python -m sozdash demo remove."
)
SCHEMATIC_NOTICE = (
    "**Schematische Karte** – die Stadtteilformen sind aus ungefähren Zentren konstruiert "
    "(Voronoi-Zellen) und keine amtlichen Grenzen."
)
PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2.5rem 1rem 2.5rem; max-width: 100%; }
.stApp { background: #ffffff; color: #111111; }
.stApp p, .stApp li, .stApp label, .stApp button p { font-size: 28px !important; line-height: 1.35; color: #111111; }
.stApp h1 { font-size: 52px !important; color: #000000; }
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * {
  font-size: 24px !important; color: #222222 !important; }
</style>"""
"""Projector layout: no sidebar or menus, large type (body ≥ 24 px), black on white (constant, no user text)."""


def demo_notice(is_demo: bool = True) -> None:
    """The visible "Beispieldaten" notice, shown wherever demo values appear."""
    if is_demo:
        st.warning(DEMO_NOTICE, icon=":material/science:")


def schematic_notice(is_schematic: bool = True) -> None:
    """The visible notice for maps drawn on schematic shapes."""
    if is_schematic:
        st.info(SCHEMATIC_NOTICE, icon=":material/map:")


NO_INDICATORS = "Noch keine Indikatoren – bitte Daten importieren (Seite Datenimport)."
NO_AREAS = (
    "Noch keine Gebiete unterhalb der Stadt – bitte Grenzen oder eine Gebietstabelle importieren "
    "(Seite Datenimport)."
)


NO_VALUES = "Noch keine Indikatorwerte – bitte Daten importieren (Seite Datenimport)."
NOT_VISIBLE = "Für Ihre Rolle ist noch kein Indikator freigegeben – nach der Anmeldung sind weitere sichtbar."


def missing(message: str) -> None:
    """Say what is missing for this page (e.g. :data:`NO_INDICATORS`) and end the page here."""
    st.info(message, icon=":material/info:")
    st.stop()


def require_indicators(engine: Engine, visible: pd.DataFrame) -> None:
    """End the page with the reason when the viewer sees no indicator (none imported, or none public)."""
    if visible.empty:
        missing(NO_INDICATORS if queries.indicators(engine).empty else NOT_VISIBLE)


def sidebar_data_status(engine: Engine) -> None:
    """Newest data per source in the sidebar, saying whether it is demo or official."""
    status = queries.data_status(engine)
    with st.sidebar.expander("Datenstand", icon=":material/database:"):
        if status.empty:
            st.caption("Noch keine Daten geladen.")
        for row in status.itertuples():
            label = (
                "Beispieldaten"
                if row.is_demo
                else ("Import" if row.kind == "import" else "Fakten mit Quelle")
            )
            created_at = cast(dt.datetime, row.created_at)  # a DateTime column: pandas gives Timestamps
            st.caption(f"**{label}:** {plain(row.source)} – Stand {fmt.date(created_at.date())}")


def presentation_style() -> None:
    """Switch the current page to the projector layout."""
    st.html(PRESENTATION_CSS)
