"""Notices shown around the content: demo data, schematic maps, the sidebar data status, the projector layout."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, cast

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from sozdash.core import fmt, vocab
from sozdash.core.fmt import plain
from sozdash.store import queries

DEMO_NOTICE = "**Beispieldaten:** erfunden, keine echten Zahlen"
DEMO_DETAILS = (
    "Die gezeigten Werte sind als Beispiel erfunden. Sie sehen echten Zahlen ähnlich, sind aber keine "
    "amtliche Statistik. Sobald die Stadt ihre Daten einliest, ersetzen diese die Beispielwerte; die "
    "Verwaltung kann die Beispielwerte auf der Seite Datenstand entfernen. Woher die gezeigten Daten "
    "stammen, steht unter „Datenstand“ in der Seitenleiste."
)
SCHEMATIC_NOTICE = "**Schematische Karte:** nicht die echten Grenzen"
SCHEMATIC_DETAILS = (
    "Die Gebiete dieser Karte sind vereinfacht gezeichnet: Lage und Nachbarschaft stimmen ungefähr, "
    "Grenzverlauf und Größe nicht. Sobald die echten Grenzen eingelesen sind (Seite Datenimport), zeigt "
    "die Karte sie."
)
DETAILS_LABEL = "Was heißt das?"
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


def data_notices(is_demo: bool, is_schematic: bool) -> None:
    """The "Beispieldaten" and "Schematische Karte" notices, each shown only when the data on the page
    are demo values or the map's shapes are schematic: one short line each, side by side (stacked on a
    phone), their details in a popover beside them."""
    shown = [
        (DEMO_NOTICE, DEMO_DETAILS, st.warning, ":material/science:") if is_demo else None,
        (SCHEMATIC_NOTICE, SCHEMATIC_DETAILS, st.info, ":material/map:") if is_schematic else None,
    ]
    parts = [part for part in shown if part is not None]
    if not parts:
        return
    *cells, more = st.columns([5] * len(parts) + [2], vertical_alignment="center")
    for cell, (notice, _, alert, icon) in zip(cells, parts, strict=True):
        with cell:
            alert(notice, icon=icon)
    with more, st.popover(DETAILS_LABEL, icon=":material/help:"):
        for _, details, _, _ in parts:
            st.markdown(details)


def demo_notice(is_demo: bool = True) -> None:
    """The one-line "Beispieldaten" notice with its details, shown wherever demo values appear."""
    data_notices(is_demo, False)


def schematic_notice(is_schematic: bool = True) -> None:
    """The one-line notice for maps drawn on schematic shapes, with its details."""
    data_notices(False, is_schematic)


HOW_COMPUTED = "Wie berechnet?"


def how_computed(text: str, table: pd.DataFrame | None = None, *, key: str) -> None:
    """The exact method and figures behind words and ranks, one click away (``text`` is constant
    method text with markdown; ``table`` holds computed figures)."""
    with st.expander(HOW_COMPUTED, icon=":material/calculate:"):
        st.markdown(text)
        if table is not None:
            st.dataframe(table, hide_index=True, key=key)


def glossary_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """``column_config`` with a :data:`~sozdash.core.vocab.GLOSSARY` tooltip on each column of
    ``frame`` whose name holds a glossary term (e.g. "Stadtwert", "Rang")."""
    return {
        str(column): st.column_config.Column(help=explanation)
        for column in frame.columns
        if (explanation := vocab.glossary_help(str(column))) is not None
    }


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
