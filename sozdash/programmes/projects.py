"""Projects: portfolio with effective status on a Stichtag, project detail, budget, map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from sozdash.access.visibility import project_condition, public_rows
from sozdash.core import fmt, maps, refdate, vocab
from sozdash.core.maps import AreaStyle
from sozdash.indicators import explorer
from sozdash.programmes import timeline
from sozdash.social_index import compute
from sozdash.social_index import snapshots as index_store
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import (
    Application,
    Area,
    BudgetLine,
    FundingRound,
    Organisation,
    Programme,
    Project,
    ProjectArea,
    ProjectFocus,
    ProjectPartner,
)  # fmt: skip

DISTRICT_INDICATORS = (
    "bevoelkerung", "sgb2_quote", "kinderarmut_sgb2_u15", "arbeitslosenquote_bev", "nichtdeutsche_anteil",
    "bevoelkerung_65plus",
)  # fmt: skip
"""Key indicators shown for a project's districts."""
STATUS_ORDER = ("laufend", "bewilligt", "beantragt", "geplant", "abgeschlossen", "eingestellt", "abgelehnt")
"""Which status an area shows on the map when several projects touch it (first wins)."""
COLOUR_WORDS = {
    "geplant": "hellblau", "beantragt": "orange", "bewilligt": "blau", "laufend": "dunkelblau",
    "abgeschlossen": "grün", "abgelehnt": "rot", "eingestellt": "grau",
}  # fmt: skip
MAP_LEGEND = (
    "Legende: "
    + ", ".join(f"{refdate.status_label(s)} = {COLOUR_WORDS[s]}" for s in STATUS_ORDER)
    + "; hellgrau = kein Projekt. Berühren mehrere Projekte einen Stadtteil, zeigt die Farbe den Status "
    "in dieser Reihenfolge (laufend vor bewilligt …); der Tooltip nennt jedes Projekt mit Status."
)
PORTFOLIO_COLUMNS = {
    "title": "Titel", "status_label": "Status", "ends_soon_label": "Förderende in Sicht", "period": "Laufzeit",
    "districts": "Stadtteile", "programme": "Programm", "round": "Förderrunde", "lead": "Federführung",
    "partners": "Partner",
}  # fmt: skip
"""Portfolio columns in display order: the status and the end of funding right after the title."""


@cached_query
def projects(engine: Engine, public_only: bool = False) -> pd.DataFrame:
    """All projects not deleted (only public ones with ``public_only``), with programme, round,
    lead unit and parent key. Sub-projects without own dates carry their parent's dates
    (``dates_from_parent``)."""
    parent = aliased(Project)
    statement = (
        select(
            Project.id, Project.key, Project.title, Project.motto, parent.key.label("parent"),
            Programme.key.label("programme_key"), Programme.short_name.label("programme"),
            FundingRound.key.label("round_key"), FundingRound.name.label("round"),
            Organisation.name.label("lead"), Project.status.label("stored_status"), Project.start_date,
            Project.end_date, parent.start_date.label("parent_start"), parent.end_date.label("parent_end"),
            Project.description, Project.source, Project.note,
        )
        .outerjoin(parent, Project.parent_id == parent.id)
        .outerjoin(Programme, Project.programme_id == Programme.id)
        .outerjoin(FundingRound, Project.funding_round_id == FundingRound.id)
        .outerjoin(Organisation, Project.lead_org_id == Organisation.id)
        .where(project_condition(public_only))
        .order_by(Project.id)
    )  # fmt: skip
    frame = queries.read_frame(engine, statement)
    own = frame["start_date"].notna() | frame["end_date"].notna()
    frame["dates_from_parent"] = ~own & frame["parent"].notna()
    frame.loc[frame["dates_from_parent"], "start_date"] = frame["parent_start"]
    frame.loc[frame["dates_from_parent"], "end_date"] = frame["parent_end"]
    return frame.drop(columns=["parent_start", "parent_end"])


@cached_query
def project_areas(engine: Engine) -> pd.DataFrame:
    """Project key, area code and name."""
    statement = (
        select(Project.key.label("project"), Area.code, Area.name)
        .select_from(ProjectArea)
        .join(Project, ProjectArea.project_id == Project.id)
        .join(Area, ProjectArea.area_id == Area.id)
        .order_by(Area.name)
    )
    return queries.read_frame(engine, statement)


@cached_query
def partners(engine: Engine) -> pd.DataFrame:
    """Partners per project with their role and source."""
    statement = (
        select(
            Project.key.label("project"), Organisation.name, Organisation.short_name, Organisation.kind,
            ProjectPartner.role, ProjectPartner.source,
        )
        .select_from(ProjectPartner)
        .join(Project, ProjectPartner.project_id == Project.id)
        .join(Organisation, ProjectPartner.organisation_id == Organisation.id)
        .order_by(Organisation.id)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def applications(engine: Engine, public_only: bool = False) -> pd.DataFrame:
    """Applications with project, funding round and applicant (with ``public_only`` none of
    a non-public or deleted project)."""
    statement = (
        select(
            Project.key.label("project"), FundingRound.key.label("round_key"), FundingRound.name.label("round"),
            Programme.short_name.label("programme"), Organisation.short_name.label("applicant"),
            Application.title, Application.kind, Application.submitted_on, Application.submitted_precision,
            Application.decided_on, Application.outcome, Application.reason, Application.source, Application.note,
        )
        .select_from(Application)
        .outerjoin(Project, Application.project_id == Project.id)
        .outerjoin(FundingRound, Application.funding_round_id == FundingRound.id)
        .outerjoin(Programme, FundingRound.programme_id == Programme.id)
        .outerjoin(Organisation, Application.applicant_org_id == Organisation.id)
        .where(Application.project_id.is_(None) | project_condition(public_only))
        .order_by(Application.submitted_on)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def focuses(engine: Engine) -> pd.DataFrame:
    """Schwerpunkte per project in source order."""
    statement = (
        select(Project.key.label("project"), ProjectFocus.position, ProjectFocus.text, ProjectFocus.source)
        .select_from(ProjectFocus)
        .join(Project, ProjectFocus.project_id == Project.id)
        .order_by(Project.key, ProjectFocus.position)
    )
    return queries.read_frame(engine, statement)


@cached_query
def budget_lines(engine: Engine, public_only: bool = False) -> pd.DataFrame:
    """Budget lines per project and funding source (``year`` empty = whole runtime)."""
    statement = (
        select(
            Project.key.label("project"), BudgetLine.funding_source, BudgetLine.year, BudgetLine.amount,
            BudgetLine.is_approximate, BudgetLine.source, BudgetLine.note,
        )
        .select_from(BudgetLine)
        .join(Project, BudgetLine.project_id == Project.id)
        .where(project_condition(public_only))
        .order_by(BudgetLine.id)
    )  # fmt: skip
    frame = queries.read_frame(engine, statement)
    frame["amount"] = frame["amount"].astype(float)
    return frame


# --- Pure rules ---------------------------------------------------------------------------


def states(apps: pd.DataFrame) -> list[refdate.ApplicationState]:
    """Application rows as the status rules need them."""
    return [
        refdate.ApplicationState(submitted, decided, outcome)
        for submitted, decided, outcome in zip(
            apps["submitted_on"], apps["decided_on"], apps["outcome"], strict=True
        )
    ]


def project_years(
    start: dt.date | None, end: dt.date | None, other_dates: Iterable[dt.date | None]
) -> set[int]:
    """Years a project concerns: its runtime, or without dates the years of its applications."""
    if start is not None:
        return set(range(start.year, (end or start).year + 1))
    return {d.year for d in other_dates if d is not None}


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    """``01.04.2014–31.12.2018``; without dates ``keine Laufzeit``."""
    if start is None and end is None:
        return "keine Laufzeit"
    return f"{fmt.date(start)}–{fmt.date(end) if end else 'offen'}"


def with_status(frame: pd.DataFrame, apps: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Add effective status, its label, "Förderende in Sicht" and the years to a project frame."""
    frame = frame.copy()
    states_of = pd.Series(states(apps), index=apps.index, dtype=object).groupby(apps["project"]).agg(list)
    dates = pd.concat([apps[["project", column]].set_axis(["project", "date"], axis=1)
                       for column in ("submitted_on", "decided_on")])  # fmt: skip
    dates_of = dates.dropna(subset=["date"]).groupby("project")["date"].agg(list)
    status = [
        refdate.project_status(stored, start, end, as_of, states_of.get(key, []))
        for stored, start, end, key in zip(
            frame["stored_status"], frame["start_date"], frame["end_date"], frame["key"], strict=True
        )
    ]
    frame["status"] = status
    frame["status_label"] = frame["status"].map(refdate.status_label)
    frame["ends_soon"] = [
        refdate.funding_ends_soon(s, e, as_of) for s, e in zip(status, frame["end_date"], strict=True)
    ]
    frame["ends_soon_label"] = frame["ends_soon"].map({True: "⚠ ja", False: ""})
    frame["period"] = [period_text(s, e) for s, e in zip(frame["start_date"], frame["end_date"], strict=True)]
    frame["years"] = [  # type: ignore[assignment]  # pandas-stubs: an object column may hold sets
        project_years(start, end, dates_of.get(key, []))
        for start, end, key in zip(frame["start_date"], frame["end_date"], frame["key"], strict=True)
    ]
    return frame


def filter_portfolio(
    frame: pd.DataFrame, *, programme: str | None = None, district: str | None = None,
    status: str | None = None, year: int | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Rows matching every given filter (``None`` = no filter; district is an area code)."""
    mask = pd.Series(True, index=frame.index)
    if programme:
        mask &= frame["programme"] == programme
    if district:
        mask &= frame["area_codes"].map(lambda codes: district in codes)
    if status:
        mask &= frame["status"] == status
    if year:
        mask &= frame["years"].map(lambda years: year in years)
    return frame[mask]


def without_all(everything: object, **filters: object) -> dict[str, object]:
    """Filter values with the "all" choice turned into ``None`` (no filter)."""
    return {name: None if value == everything else value for name, value in filters.items()}


def district_choices(frame: pd.DataFrame, names: Mapping[str, str]) -> dict[str, str]:
    """The areas the projects of a portfolio ``frame`` touch, ordered by name: code → name."""
    codes = {code for codes in frame["area_codes"] for code in codes}
    return {code: names[code] for code in sorted(codes, key=lambda code: (names[code], code))}


@cached_query
def statuses(engine: Engine, as_of: dt.date, public_only: bool = False) -> pd.DataFrame:
    """All projects (sub-projects too) ``with_status`` on ``as_of``."""
    return with_status(projects(engine, public_only), applications(engine, public_only), as_of)


@cached_query
def portfolio(engine: Engine, as_of: dt.date, public_only: bool = False) -> pd.DataFrame:
    """Top-level projects with effective status on ``as_of``, their areas (``area_codes``, a
    tuple to match by, and ``districts``, the names for display) and partners."""
    frame = statuses(engine, as_of, public_only)
    frame = frame[frame["parent"].isna()].reset_index(drop=True)
    areas, orgs = project_areas(engine), partners(engine)
    codes = areas.groupby("project")["code"].agg(tuple)
    frame["area_codes"] = [codes.get(key, ()) for key in frame["key"]]
    frame["districts"] = frame["key"].map(areas.groupby("project")["name"].agg(", ".join)).fillna("")
    names = orgs["short_name"].fillna("").groupby(orgs["project"]).agg(", ".join)
    frame["partners"] = frame["key"].map(names).fillna("")
    frame["lead"] = frame["lead"].fillna("nicht belegt")
    return frame


def portfolio_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The German portfolio table (status with symbol and word)."""
    return frame[list(PORTFOLIO_COLUMNS)].rename(columns=PORTFOLIO_COLUMNS)


# --- Project detail -------------------------------------------------------------------------


@cached_query
def related_keys(engine: Engine, key: str, public_only: bool = False) -> list[str]:
    """The project, its sub-projects and projects of the same programme in a shared area
    (predecessors and follow-ups, e.g. the 2019–2022 application after BIWAQ 2014–2018)."""
    frame, areas = projects(engine, public_only), project_areas(engine)
    row = frame[frame["key"] == key].iloc[0]
    codes = set(areas.loc[areas["project"] == key, "code"])
    same = frame[(frame["programme_key"] == row["programme_key"]) & frame["parent"].isna()]
    neighbours = [
        k for k in same["key"] if k != key and codes & set(areas.loc[areas["project"] == k, "code"])
    ]
    children = list(frame.loc[frame["parent"] == key, "key"])
    return [key, *children, *neighbours]


def project_events(engine: Engine, key: str, as_of: dt.date, public_only: bool = False) -> pd.DataFrame:
    """Events of the project and its related projects known on ``as_of``."""
    frame = timeline.events(engine)
    titles = dict(zip(projects(engine)["key"], projects(engine)["title"], strict=True))
    rows = timeline.known(frame[frame["project"].isin(related_keys(engine, key, public_only))], as_of).copy()
    rows["project_title"] = rows["project"].map(titles)
    return rows


@cached_query
def project_timeline_figure(
    engine: Engine, key: str, as_of: dt.date, public_only: bool = False
) -> tuple[go.Figure, str, pd.DataFrame]:
    """Timeline of milestones and events of a project (and related ones) as of ``as_of``."""
    rows = project_events(engine, key, as_of, public_only)
    title = str(projects(engine).set_index("key").at[key, "title"])
    fig = timeline.figure(rows, as_of, f"Zeitleiste: {title}")
    table = timeline.table(rows, as_of)
    table.insert(3, "Projekt", list(rows["project_title"]))
    return fig, timeline.summary(rows, as_of, f"„{title}“ und verwandten Projekten"), table


@cached_query
def project_applications(engine: Engine, key: str, as_of: dt.date, public_only: bool = False) -> pd.DataFrame:
    """Applications of the project and related projects with their outcome as known on ``as_of``."""
    apps = applications(engine)
    rows = apps[apps["project"].isin(related_keys(engine, key, public_only))]
    outcomes = [refdate.application_outcome(state, as_of) for state in states(rows)]
    return pd.DataFrame({
        "Antrag": list(rows["title"]),
        "Ergebnis": [vocab.APPLICATION_OUTCOMES.get(o, "noch nicht eingereicht") if o else "noch nicht eingereicht"
                     for o in outcomes],
        "Entschieden": [fmt.date(d) for d in rows["decided_on"]],
        "Eingereicht": [fmt.date(d, p) for d, p in zip(rows["submitted_on"], rows["submitted_precision"], strict=True)],
        "Förderrunde": list(rows["round"]), "Art": list(rows["kind"]),
        "Begründung": [r if o not in (None, "offen") else "" for r, o in zip(rows["reason"].fillna(""), outcomes, strict=True)],
        "Quelle": list(rows["source"]), "Hinweis": list(rows["note"].fillna("")),
    })  # fmt: skip


def detail_line(detail: pd.Series) -> str:
    """Runtime, programme, round and lead unit of a project as one markdown line (names escaped)."""
    inherited = " (vom Gesamtprojekt übernommen)" if detail["dates_from_parent"] else ""
    programme, round_, lead = (
        fmt.plain(fmt.text(detail[name], default)) for name, default in
        (("programme", fmt.MISSING), ("round", fmt.MISSING), ("lead", "nicht belegt"))
    )  # fmt: skip
    return (
        f"**Laufzeit:** {detail['period']}{inherited} · **Programm:** {programme} · "
        f"**Förderrunde:** {round_} · **Federführung:** {lead}"
    )


def subprojects_table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Sub-projects of ``key`` in a frame ``with_status`` (e.g. ``statuses``): status, runtime,
    note and source."""
    rows = frame[frame["parent"] == key]
    return pd.DataFrame({
        "Teilprojekt": list(rows["title"]), "Status": list(rows["status_label"]), "Laufzeit": list(rows["period"]),
        "Hinweis": list(rows["note"].fillna("")), "Quelle": list(rows["source"]),
    })  # fmt: skip


def partner_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Partners in German: organisation, role, source."""
    return rows[["name", "role", "source"]].rename(
        columns={"name": "Organisation", "role": "Rolle", "source": "Quelle"}
    )


def amount_text(value: float, approximate: bool) -> str:
    """A budget amount in German, cents only where there are any, ``≈`` for amounts rounded by the source."""
    return ("≈ " if approximate else "") + fmt.euro(value, 2 if value % 1 else 0)


def budget_table(lines: pd.DataFrame) -> pd.DataFrame:
    """Budget lines in German: source, year or whole runtime, amount with ≈ for rounded amounts."""
    return pd.DataFrame({
        "Finanzierungsquelle": [vocab.FUNDING_SOURCES.get(s, s) for s in lines["funding_source"]],
        "Jahr": ["gesamte Laufzeit" if pd.isna(y) else str(int(y)) for y in lines["year"]],
        "Betrag": [amount_text(v, a) for v, a in zip(lines["amount"], lines["is_approximate"], strict=True)],
        "Betrag (€)": list(lines["amount"]), "gerundet": ["ja (≈)" if a else "nein" for a in lines["is_approximate"]],
        "Quelle": list(lines["source"]), "Hinweis": list(lines["note"].fillna("")),
    })  # fmt: skip


def budget_notes(engine: Engine, key: str) -> list[str]:
    """Distinct notes of a project's budget lines (for example on the stated total)."""
    lines = budget_lines(engine)
    return list(dict.fromkeys(lines.loc[lines["project"] == key, "note"].dropna()))


@cached_query
def budget_figure(engine: Engine, key: str) -> tuple[go.Figure, str, pd.DataFrame] | None:
    """Budget of a project by funding source; ``None`` when no budget is recorded."""
    lines = budget_lines(engine)
    lines = lines[lines["project"] == key]
    if lines.empty:
        return None
    by_source = lines.groupby("funding_source", sort=False).agg(
        amount=("amount", "sum"), approx=("is_approximate", "any")
    )
    labels = [vocab.FUNDING_SOURCES[s] for s in by_source.index]
    texts = [
        ("≈ " if a else "") + fmt.euro(v)
        for v, a in zip(by_source["amount"], by_source["approx"], strict=True)
    ]
    fig = go.Figure(go.Bar(x=labels, y=list(by_source["amount"]), text=texts, textposition="outside",
                           hovertemplate="%{x}: %{text}<extra></extra>"))  # fmt: skip
    fig.update_layout(title="Finanzierung nach Quelle", yaxis_title="Euro", height=380)
    total, approx = float(lines["amount"].sum()), bool(lines["is_approximate"].any())
    parts = "; ".join(f"{label} {text}" for label, text in zip(labels, texts, strict=True))
    summary = f"Erfasst sind {parts}; Summe der Posten {'≈ ' if approx else ''}{fmt.euro(total)}" + (
        " (≈ = laut Quelle gerundeter Betrag)." if approx else "."
    )
    return fig, summary, budget_table(lines)


@cached_query
def district_indicators(
    engine: Engine, key: str, as_of: dt.date, public_only: bool = False
) -> tuple[pd.DataFrame, bool]:
    """Key indicators of the project's districts and the city, newest year as of ``as_of``,
    after statistical confidentiality (withheld values show their symbol) and, with
    ``public_only``, only public indicators; returns the table and whether it holds demo values."""
    touched = project_areas(engine)
    codes = list(touched.loc[touched["project"] == key, "code"])
    areas = queries.areas(engine)
    levels = list(dict.fromkeys(areas.loc[areas["code"].isin(codes), "level"]))
    levels = levels or [queries.city_level(engine)]
    city = explorer.city_code(engine)
    catalogue = public_rows(queries.indicators(engine), public_only).set_index("key")
    rows, demo = [], False
    for indicator in (i for i in DISTRICT_INDICATORS if i in catalogue.index):
        obs = pd.concat([explorer.series(engine, indicator, level) for level in levels], ignore_index=True)
        obs = obs.drop_duplicates(["area", "period"])
        year = refdate.newest_data_year(obs["period"], as_of)
        chosen = obs[(obs["period"] == year) & (obs["area"].isin(codes) | (obs["area"] == city))]
        meta = explorer.indicator_row(engine, indicator)
        for row in chosen.to_dict("records"):
            demo |= bool(row["is_demo"])
            rows.append({
                "Indikator": meta["name"], "Gebiet": row["area_name"], "Jahr": year,
                "Wert": row["display"], "Beispieldaten": "ja (erfunden)" if row["is_demo"] else "nein",
                "Quelle": fmt.text(row["source"], meta["source"]),
            })  # fmt: skip
    return pd.DataFrame(rows), demo


@cached_query
def index_classes(engine: Engine, key: str, as_of: dt.date) -> tuple[str, pd.DataFrame, bool] | None:
    """Social index classes of the project's districts from the newest snapshot published by
    ``as_of`` (frozen results, never recomputed): caption, table, whether demo; ``None`` without one."""
    snaps = index_store.snapshots(engine)
    snaps = snaps[[p.date() <= as_of for p in snaps["published_at"]]]
    if snaps.empty:
        return None
    snap = snaps.iloc[0]
    areas = index_store.snapshot_result(engine, int(snap["id"])).areas
    touched = project_areas(engine)
    rows = areas[areas["area"].isin(set(touched.loc[touched["project"] == key, "code"]))]
    table = pd.DataFrame({
        "Gebiet": list(rows["name"]),
        "Statusklasse": [compute.STATUS_CLASSES.get(c, compute.NOT_RATED_LABEL) for c in rows["status_class"]],
        "Dynamik": [compute.DYNAMICS_CLASSES.get(c, compute.NOT_RATED_LABEL) for c in rows["dynamics_class"]],
    })  # fmt: skip
    caption = f"Sozialindex: {snap['title']} (Bezugsjahr {snap['reference_year']}, veröffentlicht {fmt.date(snap['published_at'].date())})"
    return caption, table, bool(snap["is_demo"])


@cached_query
def vorlagen_text(engine: Engine, key: str, public_only: bool = False) -> str:
    """Council documents (Vorlage numbers) linked to the project's events, or a German note."""
    events = timeline.events(engine)
    numbers = sorted(
        set(events.loc[events["project"].isin(related_keys(engine, key, public_only)), "vorlage"].dropna())
    )
    return ", ".join(numbers) if numbers else "keine Vorlagennummer belegt"


@cached_query
def project_map(
    engine: Engine, as_of: dt.date, public_only: bool, *, programme: str | None = None,
    district: str | None = None, status: str | None = None, year: int | None = None,
) -> pdk.Deck | None:  # fmt: skip
    """The areas of the projects ``filter_portfolio`` keeps, coloured by status, on the finest
    level with shapes (``None`` without shapes); built once per choice and data."""
    level = explorer.finest_mapped_level(engine)
    geometries = queries.area_geometries(engine, level) if level else {}
    if not geometries:
        return None
    shown = filter_portfolio(
        portfolio(engine, as_of, public_only), programme=programme, district=district, status=status, year=year
    )
    areas = queries.areas(engine)
    names = dict(zip(areas["code"], areas["name"], strict=True))
    return maps.area_deck(geometries, map_styles(shown, project_areas(engine)), names)


def map_styles(frame: pd.DataFrame, areas: pd.DataFrame) -> dict[str, AreaStyle]:
    """Map style per area code: colour of the most relevant status, tooltip with symbol and
    word for every project in the area."""
    styles: dict[str, AreaStyle] = {}
    for code, group in areas[areas["project"].isin(frame["key"])].groupby("code"):
        rows = frame[frame["key"].isin(group["project"])]
        top = min(rows["status"], key=STATUS_ORDER.index)
        lines = "; ".join(
            f"{label} – {title}" for label, title in zip(rows["status_label"], rows["title"], strict=True)
        )
        styles[str(code)] = AreaStyle(
            fill=[*refdate.STATUS_COLOURS[top], 200], tooltip=f"{group['name'].iloc[0]}: {lines}"
        )
    return styles
