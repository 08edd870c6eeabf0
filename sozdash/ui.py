"""Small shared Streamlit pieces, written once and used by every page."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine

from sozdash import db, fmt, queries, refdate
from sozdash.export import to_csv_bytes, to_xlsx_bytes

log = logging.getLogger("sozdash")
T = TypeVar("T")

DEMO_NOTICE = (
    "**Beispieldaten** – die hier gezeigten Indikatorwerte sind erfunden (erzeugt von sozdash.demo) "
    "und keine amtlichen Zahlen. Sie ersetzen sich, sobald die Stadt ihre Daten importiert."
)
SCHEMATIC_NOTICE = (
    "**Schematische Karte** – die Stadtteilformen sind aus ungefähren Zentren konstruiert "
    "(Voronoi-Zellen) und keine amtlichen Grenzen."
)


@st.cache_resource(show_spinner="Datenbank wird vorbereitet …")
def _prepared_engine(url: str) -> Engine:
    engine = db.get_engine(url)
    db.ensure_database(engine)
    return engine


def engine() -> Engine:
    """The app's database, created and filled on first use; on failure a German page and stop."""
    try:
        return _prepared_engine(db.database_url())
    except db.DatabaseError as exc:
        st.error(f"**{exc.message}**\n\n{exc.hint}", icon=":material/error:")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def run_page(page: Callable[[], None], engine: Engine) -> None:
    """Show the sidebar data status and run a page; an unexpected error becomes a German
    message (the trace goes to the log)."""
    try:
        sidebar_data_status(engine)
        page()
    except db.DatabaseError as exc:
        st.error(f"**{exc.message}**\n\n{exc.hint}", icon=":material/error:")
    except Exception:
        log.exception("Fehler beim Anzeigen der Seite")
        st.error(
            "**Fehler in der Anwendung.** Diese Ansicht konnte nicht vollständig angezeigt werden. "
            "Bitte laden Sie die Seite neu; besteht das Problem weiter, melden Sie es der IT "
            "(Uhrzeit und Seite genügen).",
            icon=":material/error:",
        )


def demo_notice(is_demo: bool = True) -> None:
    """The visible "Beispieldaten" notice, shown wherever demo values appear."""
    if is_demo:
        st.warning(DEMO_NOTICE, icon=":material/science:")


def schematic_notice(is_schematic: bool = True) -> None:
    """The visible notice for maps drawn on schematic shapes."""
    if is_schematic:
        st.info(SCHEMATIC_NOTICE, icon=":material/map:")


def download_buttons(frame: pd.DataFrame, basename: str, key: str) -> None:
    """CSV and XLSX downloads of ``frame`` (formula-safe)."""
    left, right = st.columns(2)
    left.download_button(
        "CSV herunterladen", to_csv_bytes(frame), f"{basename}.csv", "text/csv", key=f"{key}-csv",
        icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "Excel herunterladen", to_xlsx_bytes(frame), f"{basename}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}-xlsx",
        icon=":material/download:",
    )  # fmt: skip


def data_table(frame: pd.DataFrame, basename: str, key: str, *, label: str = "Datentabelle") -> None:
    """An expandable data table with its downloads."""
    with st.expander(label):
        st.dataframe(frame, hide_index=True, key=f"{key}-table")
        download_buttons(frame, basename, key)


def chart(fig: go.Figure, summary: str, table: pd.DataFrame, *, key: str, basename: str) -> None:
    """A chart with its text summary and data table (every chart has both)."""
    fig.update_layout(separators=fmt.PLOTLY_SEPARATORS)
    st.plotly_chart(fig, key=f"{key}-chart", config={"displaylogo": False, "locale": "de"})
    st.markdown(f"**Kurz gesagt:** {summary}")
    data_table(table, basename, key)


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
            st.caption(f"**{label}:** {row.source} – Stand {fmt.date(row.created_at.date())}")


def placeholder(title: str, coming: str) -> None:
    """An honest placeholder for a page a later issue fills."""
    st.title(title)
    st.info(f"Diese Seite ist in Vorbereitung. Hier entsteht: {coming}", icon=":material/construction:")


def url_select(
    label: str, options: Sequence[T], param: str, *, default: T | None = None,
    format_func: Callable[[T], str] = str, widget: str = "selectbox", help: str | None = None,
) -> T:  # fmt: skip
    """A single choice kept in the URL (``?param=value``) so a copied link reopens the view.

    Only values among ``options`` are accepted from the URL; anything else falls back to
    ``default`` (URL parameters are never trusted blindly).
    """
    by_text = {str(option): option for option in options}
    raw = st.query_params.get(param)
    chosen = by_text.get(raw) if raw is not None else None
    if chosen is None:
        chosen = default if default in options else options[0]
    key = f"url-{param}"
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    if raw is not None and raw in by_text and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen  # the URL changed from outside (link, saved view)
    render = st.radio if widget == "radio" else st.selectbox
    initial = {} if key in st.session_state else {"index": list(options).index(chosen)}
    value = render(label, options, format_func=format_func, key=key, help=help, **initial)
    st.query_params[param] = str(value)
    st.session_state[f"{key}-seen"] = str(value)
    return value


def url_multiselect(
    label: str, options: Sequence[T], param: str, *, default: Sequence[T] = (),
    format_func: Callable[[T], str] = str, max_selections: int | None = None,
) -> list[T]:  # fmt: skip
    """A multiple choice kept in the URL as a comma-separated list of known values."""
    by_text = {str(option): option for option in options}
    raw = st.query_params.get(param)
    chosen = (
        [by_text[v] for v in raw.split(",") if v in by_text] if raw else [d for d in default if d in options]
    )
    key = f"url-{param}"
    if raw is not None and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen[:max_selections] if max_selections else chosen
    values = st.multiselect(
        label, options, default=None if key in st.session_state else chosen, format_func=format_func,
        key=key, max_selections=max_selections,
    )  # fmt: skip
    text = ",".join(str(v) for v in values)
    if values:
        st.query_params[param] = text
    elif param in st.query_params:
        del st.query_params[param]
    st.session_state[f"{key}-seen"] = text if values else None
    return values


def url_date(label: str, param: str, default: dt.date, *, help: str | None = None) -> dt.date:
    """A date kept in the URL as ``?param=YYYY-MM-DD``; an invalid value in the URL gets a
    German message and falls back to ``default``."""
    raw = st.query_params.get(param)
    chosen = refdate.parse(raw) if raw else None
    if raw and chosen is None:
        st.warning(
            f"Das Datum „{raw}“ in der Adresse ist ungültig (erwartet z. B. 2018-05-01 zwischen "
            f"{fmt.date(refdate.EARLIEST)} und {fmt.date(refdate.LATEST)}); gezeigt wird {fmt.date(default)}.",
            icon=":material/warning:",
        )  # fmt: skip
    chosen = chosen or default
    key = f"url-{param}"
    if raw and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen  # the URL changed from outside (link, saved view)
    initial = {} if key in st.session_state else {"value": chosen}
    value = st.date_input(
        label, min_value=refdate.EARLIEST, max_value=refdate.LATEST, format="DD.MM.YYYY", key=key,
        help=help, **initial,
    )  # fmt: skip
    value = value or chosen
    if value == default and not raw:
        st.session_state[f"{key}-seen"] = None
    else:
        st.query_params[param] = value.isoformat()
        st.session_state[f"{key}-seen"] = value.isoformat()
    return value


def stichtag() -> dt.date:
    """The page's reference date (Stichtag) in the sidebar, default today, kept in the URL."""
    with st.sidebar:
        return url_date(
            "Stichtag", refdate.PARAM, dt.date.today(),
            help="Stand, zu dem Status, Laufzeiten und Ampeln berechnet werden (Standard: heute).",
        )  # fmt: skip
