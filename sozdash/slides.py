"""Slide content for saved views: one builder per page, as of a reference date (Stichtag).

A builder ``(engine, params, as_of) -> SlideContent`` is a thin adapter over the functions that
draw the page itself (explorer, profile, index, projects, funding, Altenhilfe, Sozialbericht
process); it never computes figures of its own. A page without a builder, or a builder that
fails, yields an honest "Folie nicht verfügbar" slide without numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from sqlalchemy import Engine

from sozdash import fmt, refdate
from sozdash.saved_views import View, deep_link, page_titles

log = logging.getLogger("sozdash")


@dataclass
class SlideContent:
    """What one slide shows: a chart (plotly figure) or a map (pydeck deck), a plain-German
    summary, the data table, the source line and whether demo values appear."""

    title: str
    summary: str
    source: str
    figure: go.Figure | None = None
    deck: pdk.Deck | None = None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    is_demo: bool = False
    is_schematic: bool = False
    link: str = ""
    available: bool = True


Builder = Callable[[Engine, dict[str, str], dt.date], SlideContent]
BUILDERS: dict[str, Builder] = {}


def builder(page: str) -> Callable[[Builder], Builder]:
    """Register a slide builder for the page with url path ``page``."""

    def register(fn: Builder) -> Builder:
        BUILDERS[page] = fn
        return fn

    return register


def params_as_of(params: dict[str, str], as_of: dt.date) -> dict[str, str]:
    """The view's parameters with the Stichtag set to ``as_of``."""
    return {**params, refdate.PARAM: as_of.isoformat()}


def unavailable(title: str, reason: str) -> SlideContent:
    """An honest slide without content: no numbers, only why."""
    return SlideContent(
        title=title, summary=f"Folie nicht verfügbar: {reason}", source="–", available=False
    )


def build(engine: Engine, view: View, as_of: dt.date) -> SlideContent:
    """The slide of ``view`` as of ``as_of``, titled with the view's title and carrying its deep link."""
    params = params_as_of(view.params, as_of)
    make = BUILDERS.get(view.page)
    if make is None:
        page = page_titles().get(view.page, view.page)
        content = unavailable(view.title, f"Für die Seite „{page}“ gibt es (noch) keine Folienvorlage.")
    else:
        try:
            content = make(engine, params, as_of)
        except Exception:
            log.exception("Folie %s konnte nicht erstellt werden", view.page)
            content = unavailable(view.title, "Die Daten dieser Ansicht konnten nicht geladen werden.")
    content.title = view.title
    content.link = deep_link(view.page, params)
    return content


def stichtag_line(as_of: dt.date) -> str:
    """``Stand: 16.04.2018``"""
    return f"Stand: {fmt.date(as_of)}"
