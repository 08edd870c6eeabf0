"""Dated events (decisions, visits, applications, milestones) and the one timeline chart.

Used by the project, funding, Altenhilfe and Sozialbericht views. Rules against the Stichtag:
an event is known when its date lies on or before the Stichtag; a *planned* event
(``is_planned``) is shown from 1 January of its year on, marked as planned.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from sozdash.core import fmt, vocab
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Event, Organisation, Programme, Project, Report

COLUMNS = ["Datum", "Art", "Ereignis", "Stand", "Vorlage", "Quelle", "Hinweis"]


@cached_query
def events(engine: Engine) -> pd.DataFrame:
    """All events with the keys of what they belong to, oldest first."""
    org = aliased(Organisation)
    statement = (
        select(
            Event.key, Event.date, Event.date_precision, Event.kind, Event.title, Event.description,
            Event.vorlage, Event.is_planned, Project.key.label("project"), Programme.key.label("programme"),
            Report.key.label("report"), org.short_name.label("organisation"), Event.source, Event.note,
        )
        .select_from(Event)
        .outerjoin(Project, Event.project_id == Project.id)
        .outerjoin(Programme, Event.programme_id == Programme.id)
        .outerjoin(Report, Event.report_id == Report.id)
        .outerjoin(org, Event.organisation_id == org.id)
        .order_by(Event.date, Event.key)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


def is_known(day: dt.date, is_planned: bool, as_of: dt.date) -> bool:
    """Whether an event is shown on ``as_of`` (see the module docstring)."""
    return day <= as_of or (is_planned and as_of >= dt.date(day.year, 1, 1))


def known(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Rows of an event frame known on ``as_of``."""
    if frame.empty:
        return frame
    mask = [is_known(d, bool(p), as_of) for d, p in zip(frame["date"], frame["is_planned"], strict=True)]
    return frame[mask]


def state(day: dt.date, is_planned: bool, as_of: dt.date) -> str:
    """German word for where an event stands on ``as_of``."""
    if not is_planned:
        return "erfolgt"
    return "geplant" if day > as_of else "geplant (ob es stattfand, ist nicht belegt)"


def table(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The German table of events: date with its precision, kind, title, state, source."""
    return pd.DataFrame({
        "Datum": [fmt.date(d, p) for d, p in zip(frame["date"], frame["date_precision"], strict=True)],
        "Art": [vocab.EVENT_KINDS.get(k, k) for k in frame["kind"]],
        "Ereignis": list(frame["title"]),
        "Stand": [state(d, bool(p), as_of) for d, p in zip(frame["date"], frame["is_planned"], strict=True)],
        "Vorlage": list(frame["vorlage"].fillna("")),
        "Quelle": list(frame["source"]),
        "Hinweis": list(frame["note"].fillna("")),
    }, columns=COLUMNS)  # fmt: skip


def figure(frame: pd.DataFrame, as_of: dt.date, title: str) -> go.Figure:
    """Events as markers over time, one row per kind; planned ones hollow; the Stichtag as a
    dashed line. Hover texts give the date with its precision."""
    fig = go.Figure()
    for kind, group in frame.groupby("kind", sort=False):
        label = vocab.EVENT_KINDS.get(str(kind), str(kind))
        planned = [bool(p) for p in group["is_planned"]]
        fig.add_trace(go.Scatter(
            x=list(group["date"]), y=[label] * len(group), mode="markers", name=label,
            marker={"size": 14, "symbol": ["circle-open" if p else "circle" for p in planned], "line": {"width": 2}},
            text=[f"{fmt.date(d, pr)}: {t}" + (" (geplant)" if p else "")
                  for d, pr, t, p in zip(group["date"], group["date_precision"], group["title"], planned, strict=True)],
            hovertemplate="%{text}<extra></extra>",
        ))  # fmt: skip
    add_stichtag(fig, as_of)
    fig.update_layout(title=title, height=max(280, 90 + 50 * frame["kind"].nunique()), legend_title="Art")
    fig.update_xaxes(title="Datum")
    return fig


def add_stichtag(fig: go.Figure, as_of: dt.date, *, row: int | None = None) -> None:
    """A dashed vertical line labelled "Stichtag" (in subplot ``row`` if given); drawn as a
    plain shape because plotly's vline annotations fail on date axes."""
    axis = "" if row in (None, 1) else str(row)
    yref = f"y{axis} domain"
    fig.add_shape(
        type="line", x0=as_of, x1=as_of, y0=0, y1=1, xref=f"x{axis}", yref=yref, line={"dash": "dash"}
    )
    fig.add_annotation(x=as_of, y=1, xref=f"x{axis}", yref=yref, text=f"Stichtag {fmt.date(as_of)}",
                       showarrow=False, yshift=10)  # fmt: skip


def summary(frame: pd.DataFrame, as_of: dt.date, what: str) -> str:
    """One sentence: how many events, from when to when, which is the latest."""
    if frame.empty:
        return f"Bis zum Stichtag {fmt.date(as_of)} sind keine Ereignisse zu {what} erfasst."
    done = frame[~frame["is_planned"].astype(bool)]
    latest = done.iloc[-1] if not done.empty else frame.iloc[-1]
    planned = int(frame["is_planned"].astype(bool).sum())
    return (
        f"{len(frame)} Ereignisse zu {what} zwischen {fmt.date(frame['date'].iloc[0], frame['date_precision'].iloc[0])} "
        f"und {fmt.date(frame['date'].iloc[-1], frame['date_precision'].iloc[-1])}"
        + (f", davon {planned} nur geplant" if planned else "")
        + f". Zuletzt: {fmt.date(latest['date'], latest['date_precision'])} – {str(latest['title']).rstrip('.')}."
    )
