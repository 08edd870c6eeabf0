"""Altenhilfe: Wirkungspakete, key figures with traffic lights, budget, coverage, planning cycle.

Traffic light rule (documented in docs/ARCHITECTURE.md): the target path runs linearly from
the baseline (state at the start of ``baseline_year``) to the target (end of ``target_year``);
a measurement of year *y* (values as of 31.12.) is compared with the path at the end of *y*:

    expected = baseline + (target − baseline) · min(1, (y − baseline_year + 1) / (target_year − baseline_year + 1))
    progress = (value − baseline) / (expected − baseline)

progress ≥ 90 % → auf Kurs; 50 % ≤ progress < 90 % → gefährdet; below 50 % (including moving
away from the target) → nicht auf Kurs. A package shows the worst light of its key figures.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sqlalchemy import Engine, select

from sozdash.core import fmt, refdate, vocab
from sozdash.indicators import explorer
from sozdash.programmes import timeline
from sozdash.programmes.funding import rounds
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import (
    Area,
    ControllingMeeting,
    FundingRound,
    ImpactPackage,
    KeyFigure,
    KeyFigureMeasurement,
    Organisation,
    PackageFunding,
)  # fmt: skip

ON_COURSE = 0.9
AT_RISK = 0.5
LIGHTS: dict[str, tuple[str, str, str]] = {
    "nicht_auf_kurs": ("✗", "nicht auf Kurs", "#d7191c"),
    "gefaehrdet": ("!", "gefährdet", "#fdae61"),
    "auf_kurs": ("✓", "auf Kurs", "#1a9641"),
    "keine_messung": ("–", "noch keine Messung", "#bdbdbd"),
}
"""Traffic lights from worst to best: symbol, words, colour (never colour alone)."""
LIGHT_RULE = (
    "Ampelregel: Der Zielpfad verläuft linear vom Ausgangswert (Beginn des Ausgangsjahres) zum Zielwert "
    "(Ende des Zieljahres). Ein Messwert zum 31.12. wird mit dem Soll des Zielpfads verglichen: erreichter "
    "Fortschritt ≥ 90 % des erwarteten → ✓ auf Kurs; 50 % bis unter 90 % → ! gefährdet; unter 50 % oder vom "
    "Ziel weg → ✗ nicht auf Kurs. Ein Paket zeigt die schlechteste Ampel seiner Kennzahlen (letzter Messwert "
    "bis zum Stichtag)."
)
BUDGET_NOTE = (
    "Beschlossen sind **650.000 € je Jahr** für 2019–2023 (Vorlage 2018/2514). In den Daten belegt sind nur die "
    "einjährigen Anschubfinanzierungen der vier 2019 neu aufgenommenen Pakete (zusammen 30.000 €). Der Rest des "
    "Budgets ging an bestehende Pakete, die hier nicht einzeln erfasst sind – „nicht in den Daten“ heißt "
    "**nicht**, dass Geld ungenutzt blieb."
)
OLD_AGE_INDICATORS = ("hochaltrige_anteil", "alleinlebende_65plus", "grundsicherung_alter")
PROGRAMME = "wirkungspakete"
TYPICAL_CYCLE = (
    "Auftaktgespräch mit den Trägern (Ziele der nächsten fünf Jahre)",
    "Angebote der Träger als Wirkungspakete (Zielgruppe, Wirkungsziel, Leistungen, Kennzahlen)",
    "Bewertung der Angebote durch die Verwaltung",
    "Beschluss im Ausschuss für Soziales, Gesundheit und Senioren",
    "Wirkungsvereinbarungen mit den Trägern über fünf Jahre",
    "Controllinggespräche während der Laufzeit, Abschlussgespräch am Ende der Periode",
)
"""The usual sequence of the five-year planning (text only; dated steps come from the data)."""


# --- Pure rules ---------------------------------------------------------------------------


def expected_value(baseline: float, baseline_year: int, target: float, target_year: int, year: int) -> float:
    """Value on the linear target path at the end of ``year``."""
    share = (year - baseline_year + 1) / (target_year - baseline_year + 1)
    return baseline + (target - baseline) * min(1.0, max(0.0, share))


def progress(baseline: float, expected: float, value: float) -> float | None:
    """Actual progress as a share of expected progress; ``None`` when no change is expected."""
    return None if expected == baseline else (value - baseline) / (expected - baseline)


def traffic_light(
    baseline: float, baseline_year: int, target: float, target_year: int, value: float, year: int
) -> str:
    """Traffic light of one measurement (see the module docstring). Where the path expects no
    change (target = baseline, or a year before the baseline year), holding the value or
    doing better counts as auf Kurs."""
    expected = expected_value(baseline, baseline_year, target, target_year, year)
    share = progress(baseline, expected, value)
    if share is None:
        return "auf_kurs" if value >= expected else "nicht_auf_kurs"
    if share >= ON_COURSE:
        return "auf_kurs"
    return "gefaehrdet" if share >= AT_RISK else "nicht_auf_kurs"


def worst(lights: list[str]) -> str:
    """The worst of several lights (no measurement counts only when nothing was measured)."""
    return min(lights, key=list(LIGHTS).index) if lights else "keine_messung"


def light_label(light: str) -> str:
    """``auf_kurs`` → ``✓ auf Kurs``."""
    symbol, words, _ = LIGHTS[light]
    return f"{symbol} {words}"


def controlling_status(stored: str, start_year: int, end_year: int, as_of: dt.date) -> str:
    """Controlling status on ``as_of``: after the period ``abgeschlossen``, during it
    ``im_controlling``, before it ``vereinbart`` (or the stored planning status)."""
    if stored == "in_planung":
        return stored
    if as_of.year > end_year:
        return "abgeschlossen"
    return "im_controlling" if as_of.year >= start_year else "vereinbart"


# --- Queries ------------------------------------------------------------------------------


@cached_query
def packages(engine: Engine) -> pd.DataFrame:
    """Impact packages with provider, Stadtteil and period."""
    statement = (
        select(
            ImpactPackage.id, ImpactPackage.key, ImpactPackage.title, Organisation.short_name.label("provider"),
            Area.code.label("area"), Area.name.label("area_name"), FundingRound.key.label("round_key"),
            FundingRound.name.label("round"), ImpactPackage.start_year, ImpactPackage.end_year,
            ImpactPackage.target_group, ImpactPackage.impact_goal, ImpactPackage.services,
            ImpactPackage.controlling_status, ImpactPackage.is_demo, ImpactPackage.source, ImpactPackage.note,
        )
        .select_from(ImpactPackage)
        .join(Organisation, ImpactPackage.provider_org_id == Organisation.id)
        .outerjoin(Area, ImpactPackage.area_id == Area.id)
        .outerjoin(FundingRound, ImpactPackage.funding_round_id == FundingRound.id)
        .where(ImpactPackage.deleted_at.is_(None))
        .order_by(ImpactPackage.start_year, ImpactPackage.id)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def package_funding(engine: Engine) -> pd.DataFrame:
    """Funding per package and year."""
    statement = (
        select(ImpactPackage.key.label("package"), PackageFunding.year, PackageFunding.amount,
               PackageFunding.is_demo, PackageFunding.source, PackageFunding.note)
        .select_from(PackageFunding)
        .join(ImpactPackage, PackageFunding.package_id == ImpactPackage.id)
        .order_by(PackageFunding.year)
    )  # fmt: skip
    frame = queries.read_frame(engine, statement)
    frame["amount"] = frame["amount"].astype(float)
    return frame


@cached_query
def period_packages(engine: Engine, period: str) -> pd.DataFrame:
    """The packages of one period (funding round key)."""
    frame = packages(engine)
    return frame[frame["round_key"] == period]


@cached_query
def periods(engine: Engine) -> pd.DataFrame:
    """The five-year periods (funding rounds of the Wirkungspakete programme)."""
    frame = rounds(engine)
    return frame[frame["programme_key"] == PROGRAMME].reset_index(drop=True)


@cached_query
def measurements(engine: Engine) -> pd.DataFrame:
    """Key figures with their measurements (a key figure without any has one row with no value)."""
    statement = (
        select(
            ImpactPackage.key.label("package"), KeyFigure.key, KeyFigure.name, KeyFigure.unit, KeyFigure.baseline,
            KeyFigure.baseline_year, KeyFigure.target, KeyFigure.target_year, KeyFigure.is_demo,
            KeyFigure.source, KeyFigureMeasurement.measured_on, KeyFigureMeasurement.value,
            KeyFigureMeasurement.is_demo.label("value_is_demo"), KeyFigureMeasurement.source.label("value_source"),
        )
        .select_from(KeyFigure)
        .join(ImpactPackage, KeyFigure.package_id == ImpactPackage.id)
        .outerjoin(KeyFigureMeasurement, KeyFigureMeasurement.key_figure_id == KeyFigure.id)
        .order_by(KeyFigure.id, KeyFigureMeasurement.measured_on)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


@cached_query
def controlling_meetings(engine: Engine) -> pd.DataFrame:
    """Controlling meetings with their package and outcome."""
    statement = (
        select(ImpactPackage.key.label("package"), ImpactPackage.title, ControllingMeeting.date,
               ControllingMeeting.outcome, ControllingMeeting.is_demo, ControllingMeeting.source)
        .select_from(ControllingMeeting)
        .join(ImpactPackage, ControllingMeeting.package_id == ImpactPackage.id)
        .order_by(ControllingMeeting.date)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


# --- Views --------------------------------------------------------------------------------


def default_period(engine: Engine, as_of: dt.date) -> str:
    """The newest period that had started by ``as_of`` and holds packages, else the first."""
    frame, counts = periods(engine), packages(engine)["round_key"].value_counts()
    started = frame[(frame["start_date"] <= as_of) & frame["key"].map(lambda k: counts.get(k, 0) > 0)]
    return started["key"].iloc[-1] if not started.empty else frame["key"].iloc[0]


@cached_query
def measured(engine: Engine, as_of: dt.date) -> pd.DataFrame:
    """Measurements taken by ``as_of`` with expected value, progress and light."""
    rows = measurements(engine)
    rows = rows[rows["measured_on"].notna()]
    rows = rows[rows["measured_on"] <= as_of].copy()
    years = pd.to_datetime(rows["measured_on"]).dt.year
    path = list(zip(rows["baseline"], rows["baseline_year"], rows["target"], rows["target_year"], strict=True))
    rows["light"] = [
        traffic_light(b, by, t, ty, v, y) for (b, by, t, ty), v, y in zip(path, rows["value"], years, strict=True)
    ]
    rows["expected"] = [expected_value(b, by, t, ty, y) for (b, by, t, ty), y in zip(path, years, strict=True)]
    rows["progress"] = [
        progress(b, e, v) for b, e, v in zip(rows["baseline"], rows["expected"], rows["value"], strict=True)
    ]
    return rows


@cached_query
def package_lights(engine: Engine, as_of: dt.date) -> dict[str, str]:
    """Light per package: the worst latest light of its key figures as of ``as_of``."""
    rows = measured(engine, as_of)
    latest = rows.groupby("key").tail(1)
    lights = latest.groupby("package")["light"].agg(lambda group: worst(list(group)))
    return {key: lights.get(key, "keine_messung") for key in packages(engine)["key"]}


def lights_demo(engine: Engine, as_of: dt.date, package: str | None = None) -> bool:
    """Whether the lights as of ``as_of`` (of ``package``, else of all packages) rest on an
    example key figure or measurement."""
    rows = measured(engine, as_of)
    rows = rows if package is None else rows[rows["package"] == package]
    return bool(rows["is_demo"].any() or rows["value_is_demo"].any())


def key_figures_demo(engine: Engine, package: str, as_of: dt.date) -> bool:
    """Whether the key figures chart of ``package`` as of ``as_of`` shows example data."""
    figures = measurements(engine)
    demo_figures = bool(figures.loc[figures["package"] == package, "is_demo"].any())
    return demo_figures or lights_demo(engine, as_of, package)


def controlling_demo(engine: Engine, as_of: dt.date, period: str | None = None) -> bool:
    """Whether a controlling meeting held by ``as_of`` (of the packages of ``period``, else of all)
    is example data."""
    rows = controlling_meetings(engine)
    if period is not None:
        rows = rows[rows["package"].isin(set(period_packages(engine, period)["key"]))]
    return bool(rows.loc[rows["date"] <= as_of, "is_demo"].any())


def demo_label(text: str, is_demo: bool) -> str:
    """``text`` with " (Beispieldaten)" where it shows example data."""
    return f"{text} (Beispieldaten)" if is_demo else text


@cached_query
def packages_table(engine: Engine, period: str, as_of: dt.date) -> pd.DataFrame:
    """Packages of a period in German: title, traffic light and controlling status first, then
    provider, area, funding per year and the texts."""
    frame = period_packages(engine, period)
    money, lights = package_funding(engine), package_lights(engine, as_of)
    texts = money["year"].astype(str) + ": " + money["amount"].map(fmt.euro)
    per_year = texts.groupby(money["package"]).agg("; ".join)
    return pd.DataFrame({
        "Titel": list(frame["title"]),
        demo_label("Ampel", lights_demo(engine, as_of)): [light_label(lights[k]) for k in frame["key"]],
        "Controlling": [vocab.CONTROLLING_STATUS[controlling_status(s, a, b, as_of)]
                        for s, a, b in zip(frame["controlling_status"], frame["start_year"], frame["end_year"], strict=True)],
        "Träger": list(frame["provider"]), "Stadtteil": list(frame["area_name"].fillna("nicht belegt")),
        "Förderung je Jahr": list(frame["key"].map(per_year).fillna("nicht belegt")),
        "Periode": list(frame["round"]), "Zielgruppe": list(frame["target_group"].fillna("nicht belegt")),
        "Wirkungsziel": list(frame["impact_goal"].fillna("nicht belegt")), "Leistungen": list(frame["services"].fillna("nicht belegt")),
        "Quelle": list(frame["source"]), "Hinweis": list(frame["note"].fillna("")),
    })  # fmt: skip


@cached_query
def controlling_table(engine: Engine, period: str, as_of: dt.date) -> pd.DataFrame:
    """Controlling meetings of a period's packages held by ``as_of``, in German."""
    keys = set(period_packages(engine, period)["key"])
    rows = controlling_meetings(engine)
    rows = rows[rows["package"].isin(keys) & (rows["date"] <= as_of)]
    return pd.DataFrame({
        "Datum": [fmt.date(d) for d in rows["date"]], "Wirkungspaket": list(rows["title"]),
        "Ergebnis": list(rows["outcome"]), "Beispieldaten": ["ja (erfunden)" if d else "nein" for d in rows["is_demo"]],
        "Quelle": list(rows["source"]),
    })  # fmt: skip


@cached_query
def budget_comparison(engine: Engine) -> pd.DataFrame:
    """Per year of periods with an annual budget: budget, package funding in the data, share."""
    money = package_funding(engine).groupby("year")["amount"].sum()
    rows = []
    for period in periods(engine).dropna(subset=["annual_budget"]).to_dict("records"):
        for year in range(period["start_date"].year, period["end_date"].year + 1):
            documented = float(money.get(year, 0.0))
            budget = float(period["annual_budget"])
            rows.append({
                "Jahr": year, "Jahresbudget": fmt.euro(budget), "in Paketen belegt": fmt.euro(documented),
                "Anteil belegt": f"{fmt.number(documented / budget * 100, 1)} %",
                "nicht in den Daten": fmt.euro(budget - documented), "Quelle Budget": period["source"],
            })  # fmt: skip
    return pd.DataFrame(rows)


@cached_query
def key_figures_figure(engine: Engine, package: str, as_of: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Measured values of a package's key figures against the linear target path and the
    90 % tolerance line, with the light of each measurement as symbol and word."""
    figures = measurements(engine).drop_duplicates("key")
    figures = figures[figures["package"] == package]
    rows = measured(engine, as_of)
    rows = rows[rows["package"] == package]
    fig = make_subplots(
        rows=max(1, len(figures)),
        cols=1,
        subplot_titles=[f"{n} ({u})" for n, u in zip(figures["name"], figures["unit"], strict=True)],
    )
    for i, kf in enumerate(figures.to_dict("records"), start=1):
        start, end = dt.date(kf["baseline_year"], 1, 1), dt.date(kf["target_year"], 12, 31)
        baseline, target = kf["baseline"], kf["target"]
        tolerance = [baseline, baseline + ON_COURSE * (target - baseline)]
        fig.add_trace(go.Scatter(x=[start, end], y=[baseline, target], mode="lines", name="Zielpfad",
                                 line={"dash": "dash", "color": "#555"}, showlegend=i == 1), row=i, col=1)  # fmt: skip
        fig.add_trace(go.Scatter(x=[start, end], y=tolerance, mode="lines", name="90 % des Zielpfads (Grenze auf Kurs)",
                                 line={"dash": "dot", "color": "#999"}, showlegend=i == 1), row=i, col=1)  # fmt: skip
        own = rows[rows["key"] == kf["key"]]
        fig.add_trace(go.Scatter(
            x=list(own["measured_on"]), y=list(own["value"]), mode="lines+markers+text", name="Messwert",
            marker={"size": 12, "color": [LIGHTS[light][2] for light in own["light"]], "line": {"width": 1, "color": "#333"}},
            text=[LIGHTS[light][0] for light in own["light"]], textposition="top center", showlegend=i == 1,
            customdata=[light_label(light) for light in own["light"]],
            hovertemplate="%{x|%d.%m.%Y}: %{y} – %{customdata}<extra></extra>",
        ), row=i, col=1)  # fmt: skip
        timeline.add_stichtag(fig, as_of, row=i)
    fig.update_layout(
        title=demo_label("Kennzahlen: Messwerte gegen Zielpfad", key_figures_demo(engine, package, as_of)),
        height=160 + 260 * max(1, len(figures)),
    )
    table = pd.DataFrame({
        "Kennzahl": list(rows["name"]), "Stand": [fmt.date(d) for d in rows["measured_on"]],
        "Ampel": [light_label(light) for light in rows["light"]],
        "Messwert": [fmt.number(v, 1 if v % 1 else 0) for v in rows["value"]],
        "Ausgangswert": [f"{fmt.number(b)} ({y})" for b, y in zip(rows["baseline"], rows["baseline_year"], strict=True)],
        "Zielwert": [f"{fmt.number(t)} ({y})" for t, y in zip(rows["target"], rows["target_year"], strict=True)],
        "Soll laut Zielpfad": [fmt.number(e, 1) for e in rows["expected"]],
        "Fortschritt in % des Solls": [fmt.number(p * 100 if p is not None else None, 0) for p in rows["progress"]],
        "Beispieldaten": ["ja (erfunden)" if d else "nein" for d in rows["value_is_demo"]],
        "Quelle": list(rows["value_source"]),
    })  # fmt: skip
    latest = rows.groupby("key").tail(1)
    summary = (
        "Noch keine Messwerte bis zum Stichtag." if latest.empty else
        "Letzter Stand je Kennzahl: " + "; ".join(
            f"{r['name']}: {fmt.number(r['value'])} von Ziel {fmt.number(r['target'])} ({light_label(r['light'])})"
            for r in latest.to_dict("records")
        ) + "." + (" Beispieldaten, keine amtlichen Werte." if key_figures_demo(engine, package, as_of) else "")
    )  # fmt: skip
    return fig, summary, table


@cached_query
def coverage_level(engine: Engine, period: str) -> tuple[str, str]:
    """The level of the coverage view (key, name): the level of the period's packages, else the
    finest level with population 65+ ("" when there is none)."""
    areas = queries.areas(engine)
    placed = areas.loc[areas["code"].isin(period_packages(engine, period)["area"]), "level"]
    level = str(placed.mode().iloc[0]) if not placed.empty else explorer.default_level(engine, "bevoelkerung_65plus")
    return level or "", queries.area_levels(engine).get(level or "", "Gebiet")


@cached_query
def coverage(engine: Engine, period: str, as_of: dt.date) -> tuple[pd.DataFrame, int | None, bool]:
    """Per area of ``coverage_level`` (column named after the level): packages of the period,
    population 65+ and old-age indicators (newest year as of ``as_of``, after statistical
    confidentiality); returns the frame, the data year and whether values are demo."""
    level, level_name = coverage_level(engine, period)
    areas = queries.areas(engine)
    areas = areas[areas["level"] == level]
    chosen = period_packages(engine, period)
    older = explorer.series(engine, "bevoelkerung_65plus", level)
    older = older[older["level"] == level]
    year = refdate.newest_data_year(older["period"], as_of)
    frame = pd.DataFrame({"code": areas["code"], level_name: areas["name"]})
    per_area = chosen.groupby("area")["title"]
    frame["Wirkungspakete"] = frame["code"].map(per_area.size()).fillna(0).astype(int)
    frame["Titel"] = frame["code"].map(per_area.agg(", ".join)).astype("string").fillna("")
    values = older[older["period"] == year].set_index("area")
    frame["65 Jahre und älter"] = frame["code"].map(values["value"])
    frame["Pakete je 1.000 Ältere"] = (frame["Wirkungspakete"] / frame["65 Jahre und älter"] * 1000).round(2)
    demo = bool(values["is_demo"].any())
    for key in OLD_AGE_INDICATORS:
        obs = explorer.series(engine, key, level)
        obs = obs[obs["level"] == level]
        obs = obs[obs["period"] == year].set_index("area")
        demo |= bool(obs["is_demo"].any())
        meta = explorer.indicator_row(engine, key)
        frame[f"{meta['name']} ({meta['unit']})"] = frame["code"].map(obs["value"]).round(1)
    frame.insert(2, "Abdeckung", frame["Wirkungspakete"].gt(0).map(
        {True: "✓ mit Paket", False: "○ kein Paket in den Daten"}
    ))  # fmt: skip
    return frame.drop(columns="code").sort_values("65 Jahre und älter", ascending=False), year, demo


@cached_query
def coverage_figure(engine: Engine, period: str, as_of: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Population 65+ per Stadtteil, bars marked by whether a package of the period is there."""
    frame, year, demo = coverage(engine, period, as_of)
    name = str(frame.columns[0])
    fig = go.Figure()
    for label, colour in (("✓ mit Paket", "#1a9641"), ("○ kein Paket in den Daten", "#bdbdbd")):
        part = frame[frame["Abdeckung"] == label]
        fig.add_trace(go.Bar(x=list(part[name]), y=list(part["65 Jahre und älter"]), name=label, marker_color=colour,
                             text=[f"{label[0]} {n}" for n in part["Wirkungspakete"]], textposition="outside"))  # fmt: skip
    fig.update_layout(title=f"Ältere Menschen (65+) je {name} {year} und Wirkungspakete", yaxis_title="Personen",
                      height=420, barmode="group")  # fmt: skip
    fig.update_xaxes(categoryorder="array", categoryarray=list(frame[name]))
    uncovered = frame[frame["Wirkungspakete"] == 0].head(3)
    chosen = period_packages(engine, period)
    unassigned = int(chosen["area"].isna().sum())
    summary = (
        f"{int((frame['Wirkungspakete'] > 0).sum())} von {len(frame)} Gebieten ({name}) haben ein Wirkungspaket "
        f"dieser Periode in den Daten; {unassigned} Paket(e) ohne belegtes Gebiet. Die meisten Älteren ohne Paket in "
        f"den Daten leben in: {', '.join(f'{n} ({fmt.number(v)})' for n, v in zip(uncovered[name], uncovered['65 Jahre und älter'], strict=True))}. "
        f"Achtung: Erfasst sind {len(chosen)} Pakete dieser Periode – eine Lücke hier heißt „nicht in den "
        "Daten“, nicht „kein Angebot“." + (" Einwohnerzahlen sind Beispieldaten." if demo else "")
    )
    return fig, summary, frame


@cached_query
def planning_figure(engine: Engine, as_of: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """The planning cycle as dated in the data: programme events and controlling meetings."""
    events = timeline.events(engine)
    events = timeline.known(events[events["programme"] == PROGRAMME], as_of)
    meetings = controlling_meetings(engine)
    meetings = meetings[meetings["date"] <= as_of]
    rows = pd.concat([events, pd.DataFrame({
        "date": meetings["date"], "date_precision": "day",
        "kind": [demo_label("Controllinggespräch", bool(d)) for d in meetings["is_demo"]],
        "title": [f"{t}: {o}" for t, o in zip(meetings["title"], meetings["outcome"], strict=True)],
        "vorlage": None, "is_planned": False, "source": meetings["source"], "note": None,
    })], ignore_index=True).sort_values("date", kind="stable")  # fmt: skip
    fig = timeline.figure(rows, as_of, "Planung und Controlling der Wirkungspakete")
    return fig, timeline.summary(rows, as_of, "den Wirkungspaketen"), timeline.table(rows, as_of)
