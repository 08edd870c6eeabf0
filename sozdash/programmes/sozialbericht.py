"""The Sozialbericht process: Fachkonferenzen → Runder Tisch → Sozialbericht, recommendations,
report milestones."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from sozdash.core import fmt, vocab
from sozdash.programmes import timeline
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Conference, ConferenceSession, Organisation, Recommendation, Report

OPEN_STATUSES = ("offen", "in_umsetzung")
"""Recommendations that still need work (open recommendations on the start page)."""


@cached_query
def conferences(engine: Engine) -> pd.DataFrame:
    """Conferences with the conference they feed into."""
    target = aliased(Conference)
    statement = (
        select(
            Conference.key, Conference.name, Conference.kind, Conference.legal_basis, Conference.description,
            target.name.label("feeds_into"), Conference.source, Conference.note,
        )
        .outerjoin(target, Conference.feeds_into_id == target.id)
        .order_by(Conference.feeds_into_id.is_(None), Conference.id)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def sessions(engine: Engine) -> pd.DataFrame:
    """Conference sessions with their conference."""
    statement = (
        select(
            Conference.key.label("conference"), Conference.name.label("conference_name"), ConferenceSession.date,
            ConferenceSession.date_precision, ConferenceSession.is_planned, ConferenceSession.title,
            ConferenceSession.results, ConferenceSession.source, ConferenceSession.note,
        )
        .select_from(ConferenceSession)
        .join(Conference, ConferenceSession.conference_id == Conference.id)
        .order_by(ConferenceSession.date, Conference.id)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def recommendations(engine: Engine) -> pd.DataFrame:
    """Recommendations with Lebenslage, conference, responsible unit, status and report."""
    statement = (
        select(
            Recommendation.key, Recommendation.title, Recommendation.text, Recommendation.lebenslage,
            Conference.name.label("conference"), Organisation.short_name.label("responsible"),
            Recommendation.status, Report.title.label("report"), Recommendation.is_demo, Recommendation.source,
            Recommendation.note,
        )
        .select_from(Recommendation)
        .outerjoin(Conference, Recommendation.conference_id == Conference.id)
        .outerjoin(Organisation, Recommendation.responsible_org_id == Organisation.id)
        .outerjoin(Report, Recommendation.report_id == Report.id)
        .order_by(Recommendation.is_demo, Recommendation.id)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def reports(engine: Engine) -> pd.DataFrame:
    """Editions of the Sozialbericht and predecessors."""
    statement = select(
        Report.key, Report.title, Report.year, Report.adopted_on, Report.adopted_precision, Report.vorlage,
        Report.description, Report.source, Report.note,
    ).order_by(Report.adopted_on)  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def conferences_table(engine: Engine) -> pd.DataFrame:
    """Conferences in German with legal basis, what they feed into and source (missing → ``–``)."""
    return conferences(engine).drop(columns=["key", "kind"]).rename(columns={
        "name": "Konferenz", "legal_basis": "Rechtsgrundlage", "description": "Beschreibung",
        "feeds_into": "mündet in", "source": "Quelle", "note": "Hinweis",
    }).fillna(fmt.MISSING)  # fmt: skip


@cached_query
def sessions_table(engine: Engine, as_of: dt.date) -> pd.DataFrame:
    """Sessions known on ``as_of`` in German (planned ones from 1 January of their year)."""
    rows = timeline.known(sessions(engine), as_of)
    return pd.DataFrame({
        "Konferenz": list(rows["conference_name"]), "Datum": [fmt.date(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)],
        "Sitzung": list(rows["title"]), "Stand": [timeline.state(d, bool(p), as_of) for d, p in zip(rows["date"], rows["is_planned"], strict=True)],
        "Ergebnisse": [fmt.text(r, "nicht belegt") for r in rows["results"]], "Quelle": list(rows["source"]),
        "Hinweis": list(rows["note"].fillna("")),
    })  # fmt: skip


@cached_query
def recommendations_table(engine: Engine) -> pd.DataFrame:
    """Recommendations in German; demo rows are marked in their own column and in the title."""
    rows = recommendations(engine)
    return pd.DataFrame({
        "Empfehlung": [("[Beispiel] " if d else "") + t for t, d in zip(rows["title"], rows["is_demo"], strict=True)],
        "Status": [vocab.RECOMMENDATION_STATUS[s] for s in rows["status"]],
        "Lebenslage": [vocab.LEBENSLAGEN[k] for k in rows["lebenslage"]],
        "Zuständig": list(rows["responsible"].fillna("nicht belegt")),
        "aus": list(rows["conference"].fillna("ohne Konferenz (direkt in den Bericht)")),
        "in den Bericht": list(rows["report"].fillna("–")),
        "Beispieldaten": ["ja (erfunden)" if d else "nein" for d in rows["is_demo"]],
        "Quelle": list(rows["source"]), "Hinweis": list(rows["note"].fillna("")),
    })  # fmt: skip


def open_recommendations(engine: Engine) -> tuple[int, int]:
    """(open or in progress, of which demo)."""
    rows = recommendations(engine)
    rows = rows[rows["status"].isin(OPEN_STATUSES)]
    return len(rows), int(rows["is_demo"].sum())


@cached_query
def flow_lines(engine: Engine) -> list[str]:
    """The process as an accessible text list: which conference feeds into what."""
    frame = conferences(engine)
    feeding = frame[frame["feeds_into"].notna()]
    lines = [
        name + (f" ({basis})" if pd.notna(basis) else "") + f" → {target}"
        for name, basis, target in zip(
            feeding["name"], feeding["legal_basis"], feeding["feeds_into"], strict=True
        )
    ]
    lines += [
        f"{name} → Sozialbericht (Entscheidungen fließen in die Neuauflage ein)"
        for name in frame.loc[frame["feeds_into"].isna(), "name"]
    ]
    lines.append(
        "Handlungsoptionen im Kontext Integration → Sozialbericht (daneben, nicht über den Runden Tisch)"
    )
    return lines


@cached_query
def milestones_figure(engine: Engine, as_of: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Milestones of the Sozialbericht (report events: adoptions, re-edition start, agreements,
    Runder Tisch) known on ``as_of``."""
    events = timeline.events(engine)
    rows = timeline.known(events[events["report"].notna()], as_of)
    fig = timeline.figure(rows, as_of, "Meilensteine der Sozialberichterstattung")
    return fig, timeline.summary(rows, as_of, "den Sozialberichten"), timeline.table(rows, as_of)


@cached_query
def reports_table(engine: Engine, as_of: dt.date) -> pd.DataFrame:
    """Reports adopted by ``as_of`` (later ones marked as not yet adopted)."""
    rows = reports(engine)
    return pd.DataFrame({
        "Bericht": list(rows["title"]),
        "beschlossen": [fmt.date(d, p) if d and d <= as_of else "noch nicht beschlossen"
                        for d, p in zip(rows["adopted_on"], rows["adopted_precision"], strict=True)],
        "Vorlage": list(rows["vorlage"].fillna("")), "Beschreibung": list(rows["description"].fillna("")),
        "Quelle": list(rows["source"]), "Hinweis": list(rows["note"].fillna("")),
    })  # fmt: skip
