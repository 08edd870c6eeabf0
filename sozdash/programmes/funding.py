"""Funding programmes and rounds, applications and success rate, funding by source over time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine, func, select

from sozdash.core import fmt, refdate, vocab
from sozdash.programmes import projects, timeline
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import FundingRound, ImpactPackage, Programme

FUNDED = ("bewilligt", "laufend", "abgeschlossen")
SOURCE_COLOURS = {
    "ESF": "#1f4e9c",
    "Bund": "#6b8fd6",
    "Land": "#8c6bb1",
    "Kommune": "#d95f02",
    "Dritte": "#7f7f7f",
}
"""Kommune (the municipal own share) stands out in orange."""
INVOLVEMENT_COLOURS = {
    "gefoerdert": "#1a9641", "beantragt": "#fdae61", "nicht": "#d7191c", "kommunal": "#8c6bb1", "keine": "#bdbdbd",
}  # fmt: skip
"""Colour of each kind of the city's part in a round (keys of ``involvement``)."""
PROGRAMME_ORDER = ("soziale-stadt", "biwaq", "wirkungspakete")
"""Order of programmes on the timeline: the Rheindorf story first, then Altenhilfe."""


def _programme_order(column: pd.Series) -> pd.Series:
    if column.name != "programme_key":
        return column
    return column.map(lambda k: PROGRAMME_ORDER.index(k) if k in PROGRAMME_ORDER else len(PROGRAMME_ORDER))


@cached_query
def rounds(engine: Engine) -> pd.DataFrame:
    """Funding rounds with their programme and the number of impact packages recorded in them."""
    packages = (
        select(ImpactPackage.funding_round_id, func.count().label("packages"))
        .where(ImpactPackage.deleted_at.is_(None))
        .group_by(ImpactPackage.funding_round_id)
        .subquery()
    )
    statement = (
        select(
            FundingRound.key, FundingRound.name, Programme.key.label("programme_key"),
            Programme.short_name.label("programme"), FundingRound.start_date, FundingRound.end_date,
            FundingRound.annual_budget, FundingRound.description, FundingRound.source, FundingRound.note,
            func.coalesce(packages.c.packages, 0).label("packages"),
        )
        .join(Programme, FundingRound.programme_id == Programme.id)
        .outerjoin(packages, packages.c.funding_round_id == FundingRound.id)
        .order_by(FundingRound.start_date, FundingRound.key)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def programmes(engine: Engine) -> pd.DataFrame:
    """Programmes in German with funder, years and source (a missing year or text is ``–``)."""
    statement = select(
        Programme.short_name.label("Programm"), Programme.name.label("Name"), Programme.funder.label("Fördergeber"),
        Programme.start_year.label("seit"), Programme.description.label("Beschreibung"),
        Programme.source.label("Quelle"), Programme.note.label("Hinweis"),
    ).order_by(Programme.id)  # fmt: skip
    frame = queries.read_frame(engine, statement)
    frame["seit"] = [fmt.MISSING if pd.isna(y) else str(int(y)) for y in frame["seit"]]
    return frame.fillna(fmt.MISSING)


def success_rate(outcomes: Iterable[str | None]) -> tuple[int, int, float | None]:
    """Success rate of decided applications: (approved, decided, approved / decided).

    Decided = outcome ``bewilligt``, ``abgelehnt`` or ``nicht_beruecksichtigt`` (a funder's
    decision); open, withdrawn and not yet submitted (``None``) applications do not count.
    The rate is ``None`` when nothing was decided.
    """
    decided = [o for o in outcomes if o in refdate.DECIDED_OUTCOMES]
    approved = sum(o == "bewilligt" for o in decided)
    return approved, len(decided), (approved / len(decided) if decided else None)


@cached_query
def applications_as_of(engine: Engine, as_of: dt.date, public_only: bool = False) -> pd.DataFrame:
    """Applications with their outcome as known on ``as_of`` (``None`` = not yet submitted)."""
    apps = projects.applications(engine, public_only).copy()
    apps["outcome_as_of"] = [refdate.application_outcome(state, as_of) for state in projects.states(apps)]
    return apps[apps["outcome_as_of"].notna()]


def applications_table(apps: pd.DataFrame) -> pd.DataFrame:
    """Applications in German, the outcome right after the title, then round, date and reason."""
    return pd.DataFrame({
        "Antrag": list(apps["title"]), "Ergebnis": [vocab.APPLICATION_OUTCOMES[o] for o in apps["outcome_as_of"]],
        "Förderrunde": list(apps["round"]),
        "Eingereicht": [fmt.date(d, p) for d, p in zip(apps["submitted_on"], apps["submitted_precision"], strict=True)],
        "Art": list(apps["kind"]),
        "Begründung": [r if o != "offen" else "" for r, o in zip(apps["reason"].fillna(""), apps["outcome_as_of"], strict=True)],
        "Quelle": list(apps["source"]),
    })  # fmt: skip


@cached_query
def success_text(engine: Engine, as_of: dt.date, public_only: bool = False) -> str:
    """The city's success rate as a German sentence with its definition."""
    approved, decided, rate = success_rate(applications_as_of(engine, as_of, public_only)["outcome_as_of"])
    if rate is None:
        return f"Bis {fmt.date(as_of)} ist über keinen Antrag der Stadt entschieden."
    return (
        f"**Erfolgsquote der Stadt: {fmt.number(rate * 100)} %** ({approved} von {decided} entschiedenen "
        f"Anträgen bewilligt, Stand {fmt.date(as_of)}). Entschieden = bewilligt, abgelehnt oder nicht "
        "berücksichtigt; offene und zurückgezogene Anträge zählen nicht. Bei so wenigen Anträgen ist die "
        "Quote nur eine Beschreibung, kein Trend."
    )


def involvement_labels(city: str) -> dict[str, str]:
    """The German legend label of each kind of ``city``'s part in a round."""
    return {
        "gefoerdert": f"✓ {city} gefördert",
        "beantragt": f"◔ {city} hat beantragt (offen)",
        "nicht": f"✗ {city} nicht berücksichtigt",
        "kommunal": "■ kommunales Programm (Wirkungspakete)",
        "keine": f"– keine Beteiligung von {city} erfasst",
    }


def involvement(programme_key: str, statuses: set[str], outcomes: set[str | None]) -> str:
    """The city's part in a round as of the Stichtag (keys of ``involvement_labels``), from the
    statuses of its projects and the outcomes of its applications."""
    if programme_key == "wirkungspakete":
        return "kommunal"
    if statuses & set(FUNDED) or "bewilligt" in outcomes:
        return "gefoerdert"
    if "offen" in outcomes or "beantragt" in statuses:
        return "beantragt"
    if outcomes & set(refdate.REJECTED_OUTCOMES) or "abgelehnt" in statuses:
        return "nicht"
    return "keine"


@cached_query
def funding_timeline_figure(
    engine: Engine, as_of: dt.date, public_only: bool = False
) -> tuple[go.Figure, str, pd.DataFrame]:
    """All programmes' funding rounds on one Gantt chart, coloured (and labelled) by
    the city's part as of ``as_of``, with the Stichtag line."""
    city = queries.city(engine).name
    labels = involvement_labels(city)
    colours = {labels[kind]: colour for kind, colour in INVOLVEMENT_COLOURS.items()}
    frame = rounds(engine).dropna(subset=["start_date", "end_date"]).copy()
    portfolio = projects.portfolio(engine, as_of, public_only)
    apps = applications_as_of(engine, as_of, public_only)
    statuses = portfolio.groupby("round_key")["status"].agg(set)
    outcomes = apps.groupby("round_key")["outcome_as_of"].agg(set)
    frame["part"] = [
        labels[involvement(programme, statuses.get(key, set()), outcomes.get(key, set()))]
        for key, programme in zip(frame["key"], frame["programme_key"], strict=True)
    ]
    frame["start"] = pd.to_datetime(frame["start_date"])
    finish = pd.to_datetime(frame["end_date"]) + pd.Timedelta(days=1)
    frame["length"] = (finish - frame["start"]).dt.total_seconds() * 1000  # a date axis counts in ms
    frame["Zeitraum"] = [
        f"{fmt.date(s)}–{fmt.date(e)}" for s, e in zip(frame["start_date"], frame["end_date"], strict=True)
    ]
    frame["symbol"] = frame["part"].astype(str).str.split(" ").str[0]
    frame = frame.sort_values(["programme_key", "start_date"], key=_programme_order, kind="stable")
    fig = go.Figure()
    for part, rows in frame.groupby("part", sort=False):
        fig.add_trace(go.Bar(
            base=list(rows["start"]), x=list(rows["length"]), y=list(rows["name"]), orientation="h", name=str(part), legendgroup=str(part), showlegend=True, marker_color=colours[str(part)],
            text=list(rows["symbol"]), textposition="outside", cliponaxis=False,
            customdata=rows[["Zeitraum", "programme", "part"]].to_numpy(),
            hovertemplate=f"{city}=%{{customdata[2]}}<br>Zeitraum=%{{customdata[0]}}<br>Programm=%{{customdata[1]}}<extra></extra>",
        ))  # fmt: skip
    fig.update_xaxes(type="date")
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=list(frame["name"])[::-1])
    timeline.add_stichtag(fig, as_of)
    fig.update_layout(
        title="Förderprogramme und Förderrunden", height=180 + 40 * len(frame), barmode="overlay",
        legend={"orientation": "h", "y": -0.12, "title": f"{city}:", "tracegroupgap": 0}, margin={"t": 60},
    )  # fmt: skip
    table = pd.DataFrame({
        "Programm": list(frame["programme"]), "Förderrunde": list(frame["name"]), "Zeitraum": list(frame["Zeitraum"]),
        city: list(frame["part"]), "Beschreibung": list(frame["description"].fillna("")),
        "Quelle": list(frame["source"]), "Hinweis": list(frame["note"].fillna("")),
    })  # fmt: skip
    funded = frame.loc[frame["part"] == labels["gefoerdert"], "name"]
    rejected = frame.loc[frame["part"] == labels["nicht"], "name"]
    summary = (
        f"{len(frame)} Förderrunden in {frame['programme'].nunique()} Programmen. {city} wurde gefördert in: "
        f"{', '.join(funded) or 'keiner Runde'}"
        + (f"; nicht berücksichtigt in: {', '.join(rejected)}" if len(rejected) else "")
        + f" (Stand {fmt.date(as_of)})."
    )
    return fig, summary, table


def funding_periods(
    lines: pd.DataFrame, runtimes: dict[str, tuple[dt.date | None, dt.date | None]]
) -> pd.DataFrame:
    """Budget lines placed in time: a line with a year goes to that year; a runtime total
    stays one undivided bar labelled with the runtime (``2014–2018 (gesamte Laufzeit)``) —
    amounts are never spread over years the source does not give."""
    labels, order = [], []
    for year, project in zip(lines["year"], lines["project"], strict=True):
        if pd.notna(year):
            labels.append(str(int(year)))
            order.append(int(year))
        else:
            start, end = runtimes.get(project, (None, None))
            span = f"{start.year}–{end.year}" if start and end else "ohne Jahr"
            labels.append(f"{span} (gesamte Laufzeit)")
            order.append(start.year if start else 9999)
    return lines.assign(period=labels, order=order).sort_values(["order", "period"], kind="stable")


def sums_by_period_and_source(lines: pd.DataFrame) -> pd.DataFrame:
    """Sum of amounts per period (from ``funding_periods``) and funding source, in time order;
    ``approx`` is true when any summed amount is rounded."""
    return lines.groupby(["order", "period", "funding_source"], sort=True, as_index=False).agg(
        amount=("amount", "sum"), approx=("is_approximate", "any")
    )


@cached_query
def funding_by_source_figure(
    engine: Engine, as_of: dt.date, public_only: bool = False
) -> tuple[go.Figure, str, pd.DataFrame]:
    """Funding of approved, running and ended projects by source over time (stacked), the
    municipal own share in orange; runtime totals as one bar for the whole runtime."""
    portfolio = projects.statuses(engine, as_of, public_only)
    budget = projects.budget_lines(engine, public_only)
    funded = portfolio[portfolio["status"].isin(FUNDED)]
    runtimes = {
        key: (start, end)
        for key, start, end in zip(funded["key"], funded["start_date"], funded["end_date"], strict=True)
    }
    lines = funding_periods(budget[budget["project"].isin(runtimes)], runtimes)
    grouped = sums_by_period_and_source(lines)
    fig = go.Figure()
    for source in vocab.FUNDING_SOURCES:
        part = grouped[grouped["funding_source"] == source]
        if part.empty:
            continue
        texts = [
            ("≈ " if a else "") + fmt.euro(v) for v, a in zip(part["amount"], part["approx"], strict=True)
        ]
        fig.add_trace(go.Bar(x=list(part["period"]), y=list(part["amount"]), name=vocab.FUNDING_SOURCES[source],
                             marker_color=SOURCE_COLOURS[source], text=texts, textposition="inside",
                             hovertemplate="%{x}: %{text}<extra>" + vocab.FUNDING_SOURCES[source] + "</extra>"))  # fmt: skip
    fig.update_layout(
        barmode="stack", title="Fördermittel und Eigenanteil nach Quelle", yaxis_title="Euro", height=420
    )
    fig.update_xaxes(categoryorder="array", categoryarray=list(dict.fromkeys(grouped["period"])), title=None)
    total = float(lines["amount"].sum())
    own = float(lines.loc[lines["funding_source"] == "Kommune", "amount"].sum())
    summary = (
        f"Erfasst sind {fmt.euro(total)} für {lines['project'].nunique()} Projekte (Stand {fmt.date(as_of)}), "
        f"davon kommunaler Eigenanteil {fmt.euro(own)} ({fmt.number(own / total * 100 if total else None, 1)} %). "
        "Beträge, die die Quelle nur für die gesamte Laufzeit nennt, stehen als ein Balken über die Laufzeit "
        "und sind nicht auf Jahre verteilt; ≈ = gerundeter Betrag."
    )
    table = pd.DataFrame({
        "Zeitraum": list(lines["period"]), "Projekt": list(lines["project"].map(dict(zip(portfolio["key"], portfolio["title"], strict=True)))),
        "Quelle der Mittel": [vocab.FUNDING_SOURCES[s] for s in lines["funding_source"]],
        "Betrag": [projects.amount_text(v, a) for v, a in zip(lines["amount"], lines["is_approximate"], strict=True)],
        "Betrag (€)": list(lines["amount"]), "gerundet": ["ja (≈)" if a else "nein" for a in lines["is_approximate"]],
        "Quelle": list(lines["source"]), "Hinweis": list(lines["note"].fillna("")),
    })  # fmt: skip
    return fig, summary, table


@cached_query
def ending_soon(engine: Engine, as_of: dt.date, public_only: bool = False) -> pd.DataFrame:
    """Projects whose funding ends within 12 months after ``as_of`` (German table)."""
    frame = projects.portfolio(engine, as_of, public_only)
    frame = frame[frame["ends_soon"].astype(bool)]
    return pd.DataFrame({
        "Projekt": list(frame["title"]), "Status": list(frame["status_label"]),
        "Förderende": [fmt.date(d) for d in frame["end_date"]],
        "Tage bis Förderende": [(d - as_of).days for d in frame["end_date"]], "Programm": list(frame["programme"]),
    })  # fmt: skip
