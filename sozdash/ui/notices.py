"""Notices shown around the content: demo data, schematic maps, the sidebar data status, the projector layout."""

from __future__ import annotations

import datetime as dt
import html
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
[data-testid="stMainBlockContainer"] { padding: 0.75rem 2rem 0.5rem 2rem; max-width: 100%; height: 100vh;
  box-sizing: border-box; display: flex; flex-direction: column; }
[data-testid="stMainBlockContainer"] > div { flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; }
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"] { gap: 0.4rem; flex: 1 1 0; min-height: 0; }
[data-testid="stLayoutWrapper"]:has(> .st-key-slide-body) { flex: 1 1 0; min-height: 0; }
.st-key-slide-body, .st-key-slide-body [data-testid="stHorizontalBlock"], .st-key-slide-body [data-testid="stColumn"],
.st-key-slide-body [data-testid="stColumn"] > [data-testid="stVerticalBlock"],
.st-key-slide-body [data-testid="stLayoutWrapper"] { height: 100% !important; min-height: 0; }
.st-key-slide-visual, .st-key-slide-text { height: 100% !important; flex: none !important; min-height: 0; }
.st-key-slide-text { overflow-y: auto; }
.st-key-slide-footer p { margin-bottom: 0 !important; }
.st-key-slide-visual [data-testid="stElementContainer"], .st-key-slide-visual [data-testid="stFullScreenFrame"],
.st-key-slide-visual [data-testid="stPlotlyChart"], .st-key-slide-visual [data-testid="stDeckGlJsonChart"] {
  height: 100% !important; }
.stApp { background: #ffffff; color: #111111; }
.stApp p, .stApp li, .stApp label, .stApp button p { font-size: 24px !important; line-height: 1.3; color: #111111; }
.stApp h1 { font-size: 40px !important; line-height: 1.15; color: #000000; padding: 0 !important; }
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * {
  font-size: 24px !important; line-height: 1.25; color: #222222 !important; }
.slide-legend { display: grid; grid-template-columns: 1.6rem auto; gap: 0.3rem 0.6rem; align-items: center;
  font-size: 24px; color: #111111; }
.slide-legend span.swatch { width: 1.4rem; height: 1.4rem; border: 1px solid #555555; display: inline-block; }
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


def slide_notices(is_demo: bool, is_schematic: bool) -> None:
    """The short projector form of the demo and schematic notices (one line each)."""
    parts = [*(["**Beispieldaten** (erfundene Werte)"] if is_demo else []),
             *(["**Schematische Karte** (keine amtlichen Grenzen)"] if is_schematic else [])]  # fmt: skip
    if parts:
        st.warning(" · ".join(parts), icon=":material/science:")


def slide_legend(entries: list[tuple[str, tuple[int, ...]]]) -> None:
    """A map legend beside a slide's map: colour swatch and label per class (labels escaped, no script)."""
    rows = "".join(
        f'<span class="swatch" style="background: rgb({", ".join(str(int(c)) for c in rgb[:3])})"></span>'
        f"<span>{html.escape(label)}</span>"
        for label, rgb in entries
    )
    st.html(f'<div class="slide-legend">{rows}</div>')


def presentation_style() -> None:
    """Switch the current page to the projector layout."""
    st.html(PRESENTATION_CSS)
