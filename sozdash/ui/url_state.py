"""Widgets whose value is kept in the URL (choices, dates, the Stichtag), so a copied link reopens
the view. A value in a link that the page does not have is named in a German notice at the top
of the page (``notices_here``), never silently replaced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from sozdash.core import fmt, refdate

T = TypeVar("T")
ICON = ":material/link_off:"
WRONG_VALUE: dict[str, str] = {
    "ind": "den Indikator „{}“, den es nicht gibt",
    "lage": "die Lebenslage „{}“, die es nicht gibt",
    "gebiet": "das Gebiet „{}“, das es hier nicht gibt",
    "ebene": "die Gebietsebene „{}“, für die hier keine Werte vorliegen",
    "jahr": "das Jahr „{}“, für das hier keine Daten vorliegen",
    "projekt": "das Projekt „{}“, das es nicht gibt",
    "periode": "die Periode „{}“, die es nicht gibt",
    "paket": "das Wirkungspaket „{}“, das es in dieser Periode nicht gibt",
    "sitzung": "die Sitzung „{}“, die es nicht gibt",
    "folie": "die Folie „{}“, die es in dieser Sitzung nicht gibt",
}
"""What a link names that the page does not have, by URL parameter (others: ``_wrong``)."""
MAX_SHOWN = 60


@dataclass
class _Notices:
    slot: DeltaGenerator
    messages: list[str] = field(default_factory=list)


_NOTICES: ContextVar[_Notices | None] = ContextVar("sozdash_url_notices", default=None)


@contextmanager
def notices_here() -> Iterator[None]:
    """Notices about wrong URL parameters of the page run inside go to this place (the top of
    the main area, one box for all); outside, each appears where its widget is."""
    token = _NOTICES.set(_Notices(st.empty()))
    try:
        yield
    finally:
        _NOTICES.reset(token)


def _tell(message: str) -> None:
    notices = _NOTICES.get()
    if notices is None:
        st.warning(message, icon=ICON)
        return
    notices.messages.append(message)
    notices.slot.warning("\n\n".join(notices.messages), icon=ICON)


def _quoted(raw: str) -> str:
    return fmt.plain(raw if len(raw) <= MAX_SHOWN else raw[: MAX_SHOWN - 1] + "…")


def _wrong(param: str, label: str, raw: str, shown: str) -> str:
    """The notice, e.g. "Der Link nennt den Indikator „xyz“, den es nicht gibt; gezeigt wird „…“."."""
    named = WRONG_VALUE.get(param, f"für „{fmt.plain(label)}“ den Wert „{{}}“, den es hier nicht gibt")
    instead = f"gezeigt wird „{fmt.plain(shown)}“" if shown else "es ist nichts ausgewählt"
    return f"Der Link nennt {named.format(_quoted(raw))}; {instead}."


def tell_wrong(param: str, label: str, raw: str, shown: str) -> None:
    """Say in German that the link's ``param=raw`` does not exist here and ``shown`` is shown instead."""
    _tell(_wrong(param, label, raw, shown))


def url_value(
    label: str, options: Sequence[str], param: str, *, format_func: Callable[[str], str] = str
) -> str:
    """A URL parameter read without a widget (e.g. in presentation mode): a value among ``options``,
    else the first option and a German notice naming the value of the link."""
    raw = st.query_params.get(param)
    if raw is not None and raw in options:
        return raw
    if raw is not None:
        tell_wrong(param, label, raw, format_func(options[0]))
    return options[0]


def url_select(
    label: str, options: Sequence[T], param: str, *, default: T | None = None,
    format_func: Callable[[T], str] = str, widget: str = "selectbox", help: str | None = None,
) -> T:  # fmt: skip
    """A single choice kept in the URL (``?param=value``) so a copied link reopens the view.

    Only values among ``options`` are accepted from the URL; anything else falls back to
    ``default`` (URL parameters are never trusted blindly) with a German notice, unless the value
    is this widget's own earlier choice (the options changed with another choice on the page).
    """
    by_text = {str(option): option for option in options}
    raw = st.query_params.get(param)
    chosen = by_text.get(raw) if raw is not None else None
    key = f"url-{param}"
    if chosen is None:
        chosen = default if default is not None and default in options else options[0]
        if raw is not None and st.session_state.get(f"{key}-seen") != raw:
            _tell(_wrong(param, label, raw, format_func(chosen)))
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    if raw is not None and raw in by_text and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen  # the URL changed from outside (link, saved view)
    # with the key in session state, the state gives the value (0 is Streamlit's default index)
    index = 0 if key in st.session_state else list(options).index(chosen)
    if widget == "radio":  # radio options render markdown, select box options are plain text
        value = st.radio(
            label, options, index, format_func=lambda o: fmt.plain(format_func(o)), key=key, help=help
        )
    else:
        value = st.selectbox(label, options, index, format_func=format_func, key=key, help=help)
    st.query_params[param] = str(value)
    st.session_state[f"{key}-seen"] = str(value)
    return value


def url_multiselect(
    label: str, options: Sequence[T], param: str, *, default: Sequence[T] = (),
    format_func: Callable[[T], str] = str, max_selections: int | None = None,
) -> list[T]:  # fmt: skip
    """A multiple choice kept in the URL as a comma-separated list of known values; unknown
    values from a link are named in a German notice."""
    by_text = {str(option): option for option in options}
    raw = st.query_params.get(param)
    chosen = (
        [by_text[v] for v in raw.split(",") if v in by_text] if raw else [d for d in default if d in options]
    )
    key = f"url-{param}"
    unknown = [v for v in (raw or "").split(",") if v and v not in by_text]
    if unknown and st.session_state.get(f"{key}-seen") != raw:
        listed = ", ".join(f"„{_quoted(v)}“" for v in unknown)
        named = f"den Wert {listed}, den" if len(unknown) == 1 else f"die Werte {listed}, die"
        _tell(
            f"Der Link nennt für „{fmt.plain(label)}“ {named} es hier nicht gibt; ausgewählt ist nur, was es gibt."
        )
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
        _tell(
            f"Das Datum „{_quoted(raw)}“ in der Adresse ist ungültig (erwartet z. B. 2018-05-01 zwischen "
            f"{fmt.date(refdate.EARLIEST)} und {fmt.date(refdate.LATEST)}); gezeigt wird {fmt.date(default)}."
        )  # fmt: skip
    chosen = chosen or default
    key = f"url-{param}"
    if raw and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen  # the URL changed from outside (link, saved view)
    # with the key in session state, the state gives the value ("today" is Streamlit's default)
    initial: dt.date | Literal["today"] = "today" if key in st.session_state else chosen
    value = st.date_input(
        label, initial, min_value=refdate.EARLIEST, max_value=refdate.LATEST, format="DD.MM.YYYY", key=key,
        help=help,
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
