"""District profile: every indicator of one area against the city, its rank, deviation and trend.

Rules:
- Values pass ``confidentiality.apply_confidentiality`` over all areas of the level first;
  withheld values show only their symbol and count nowhere (not in n, rank, spread or trend).
- ``z = (value − reference) / sd``: sd is the population standard deviation (ddof 0) of the
  published values of all areas of the same level and year; the reference is the city value,
  or the mean of the areas for ``sum`` indicators (the city total is no comparable level) and
  where no city value exists. So z = 0 means "as the city", and the spine chart is centred on it.
- Rank: 1 = highest value among the n areas with a published value (ties share the best rank).
- Trend: change against ``TREND_YEARS`` earlier (``sozdash.trends``), exact year only.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine, select

from sozdash import fmt, queries
from sozdash.cache import cached_query
from sozdash.confidentiality import apply_confidentiality
from sozdash.models import Annotation, Area, ImpactPackage, Project, ProjectArea, User
from sozdash.sentences import profile_sentence
from sozdash.trends import change_over
from sozdash.vocab import CONTROLLING_STATUS, LEBENSLAGEN, PROJECT_STATUS

TREND_YEARS = 5
CITY_LEVEL = "stadt"
POSITION_STYLE = {  # legend word, marker symbol, colour (Okabe-Ito, colour-blind safe)
    "ungünstiger": ("ungünstiger als Referenz", "x", "#D55E00"),
    "günstiger": ("günstiger als Referenz", "diamond", "#0072B2"),
    "abweichend": ("abweichend (ohne Wertung)", "square", "#CC79A7"),
    "etwa gleich": ("etwa wie Referenz (|z| < 0,5)", "circle", "#555555"),
}


def _position(z: float, polarity: str) -> str | None:
    """How the value stands against the reference, in words (``None`` without z)."""
    if pd.isna(z):
        return None
    if abs(z) < 0.5:
        return "etwa gleich"
    if polarity == "neutral":
        return "abweichend"
    return "günstiger" if (z > 0) == (polarity == "higher_better") else "ungünstiger"


def build_profile(
    obs: pd.DataFrame,
    indicators: pd.DataFrame,
    parent_of: dict[str, str],
    area: str,
    area_name: str,
    year: int,
) -> pd.DataFrame:
    """The profile of ``area`` in ``year``, one row per indicator with a value there.

    ``obs``: observations (``area``, ``level``, ``indicator``, ``period``, ``value``,
    ``numerator``, ``status``, ``symbol``, ``is_demo``) of all areas of the area's level and of
    the city. ``indicators``: the catalogue. Returns columns indicator, name, lebenslage, unit,
    decimals, polarity, value, display, city_value, city_display, reference, reference_kind, z,
    z_min, z_q25, z_q75, z_max, rank, n, previous_period, trend, position, sentence, is_demo.
    """
    shown = apply_confidentiality(obs, indicators, parent_of)
    level = shown.loc[shown["area"] == area, "level"].iloc[0]
    peers = shown[(shown["level"] == level) & (shown["period"] == year)]
    city = shown[(shown["level"] == CITY_LEVEL) & (shown["period"] == year)].set_index("indicator")
    meta = indicators.set_index("key")
    polarity = meta["polarity"].to_dict()
    trends = change_over(shown[shown["area"] == area], TREND_YEARS, polarity).set_index(["indicator", "period"])

    rows = []
    for key, group in peers.groupby("indicator", sort=False):
        own = group[group["area"] == area]
        if own.empty or key not in meta.index:
            continue
        own, info = own.iloc[0], meta.loc[key]
        values = group["value"].dropna().astype(float)
        city_value = city["value"].get(key)
        use_city = info["aggregation"] != "sum" and city_value is not None and not pd.isna(city_value)
        reference = float(city_value) if use_city else (values.mean() if len(values) else None)
        sd = values.std(ddof=0) if len(values) > 1 else float("nan")
        scale = sd if sd > 0 else float("nan")
        spread = (values - reference) / scale if reference is not None else values * float("nan")
        value = own["value"]
        z = (value - reference) / scale if reference is not None and not pd.isna(value) else float("nan")
        rank = int((values > value).sum() + 1) if not pd.isna(value) else None
        trend = trends["trend"].get((key, year)) if not pd.isna(value) else None
        rows.append(
            {
                "indicator": key, "name": info["name"], "lebenslage": info["lebenslage"], "unit": info["unit"],
                "decimals": int(info["decimals"]), "polarity": info["polarity"], "value": value,
                "display": own["display"], "city_value": city_value,
                "city_display": city["display"].get(key, fmt.MISSING), "reference": reference,
                "reference_kind": "stadt" if use_city else "mittel", "z": z,
                "z_min": spread.min(), "z_q25": spread.quantile(0.25), "z_q75": spread.quantile(0.75),
                "z_max": spread.max(), "rank": rank, "n": len(values), "previous_period": year - TREND_YEARS,
                "trend": trend, "position": _position(z, info["polarity"]), "is_demo": bool(own["is_demo"]),
                "sentence": profile_sentence(
                    area_name, info["name"], value, reference, "stadt" if use_city else "mittel", z,
                    info["unit"], int(info["decimals"]), trend, year - TREND_YEARS,
                ),
            }
        )  # fmt: skip
    order = {key: i for i, key in enumerate(LEBENSLAGEN)}
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["lebenslage", "name"], key=lambda s: s.map(order) if s.name == "lebenslage" else s)


@cached_query
def area_profile(engine: Engine, area: str, year: int) -> pd.DataFrame:
    """``build_profile`` for an area code and year from the database (cached)."""
    areas = queries.areas(engine)
    row = areas[areas["code"] == area].iloc[0]
    obs = queries.observations(engine, level=row["level"])
    city = queries.observations(engine, level=CITY_LEVEL)
    first = year - TREND_YEARS
    obs = pd.concat([obs, city], ignore_index=True)
    obs = obs[obs["period"].isin([first, year])]
    parent_of = dict(zip(areas["code"], areas["parent_code"], strict=True))
    return build_profile(obs, queries.indicators(engine), parent_of, area, row["name"], year)


@cached_query
def area_years(engine: Engine, area: str) -> list[int]:
    """Years with observations for ``area``, newest first."""
    obs = queries.observations(engine)
    return sorted(obs.loc[obs["area"] == area, "period"].unique().tolist(), reverse=True)


def profile_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The visible German table of a profile (strings, as displayed)."""
    return pd.DataFrame(
        {
            "Indikator": profile["name"],
            "Wert": profile["display"],
            "Stadt": profile["city_display"],
            "Abweichung (z)": [fmt.signed(z, 2) for z in profile["z"]],
            "Einordnung": profile["position"].fillna(fmt.MISSING),
            "Rang": [fmt.MISSING if pd.isna(r) else f"{int(r)} von {n}" for r, n in zip(profile["rank"], profile["n"], strict=True)],
            "Trend": [
                f"{t.arrow} {t.label} (seit {p})" if t is not None else "kein Trend"
                for t, p in zip(profile["trend"], profile["previous_period"], strict=True)
            ],
        }
    )  # fmt: skip


def spine_figure(profile: pd.DataFrame) -> go.Figure:
    """Spine chart: per indicator the spread of all areas (grey: range, darker: middle half)
    around the reference at 0, and this area's z as a marker whose symbol and legend word say
    whether it is favourable."""
    fig = go.Figure()
    names = profile["name"].tolist()
    for low, high, colour, label in (("z_min", "z_max", "#DDDDDD", "Spanne aller Gebiete"),
                                     ("z_q25", "z_q75", "#AAAAAA", "mittlere Hälfte der Gebiete")):  # fmt: skip
        fig.add_bar(
            y=names, x=profile[high] - profile[low], base=profile[low], orientation="h", marker_color=colour,
            name=label, hoverinfo="skip",
        )  # fmt: skip
    for position, (label, symbol, colour) in POSITION_STYLE.items():
        part = profile[profile["position"] == position]
        if part.empty:
            continue
        fig.add_scatter(
            y=part["name"], x=part["z"], mode="markers", name=label,
            marker={"symbol": symbol, "size": 13, "color": colour, "line": {"width": 1, "color": "#000"}},
            customdata=part[["display", "city_display"]].to_numpy(),
            hovertemplate="%{y}: %{customdata[0]} (Stadt: %{customdata[1]}), z = %{x:.2f}<extra></extra>",
        )  # fmt: skip
    fig.add_vline(x=0, line_color="#000", line_width=2)
    fig.update_layout(
        barmode="overlay", height=140 + 42 * len(names), margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title="← unter der Referenz · Abweichung in Standardabweichungen · über der Referenz →",
        yaxis={"autorange": "reversed"}, legend={"orientation": "h", "y": -0.25},
    )  # fmt: skip
    return fig


def spine_summary(profile: pd.DataFrame, area_name: str) -> str:
    """A one-sentence text summary of a spine chart."""
    clear = profile[profile["z"].abs() >= 1]
    worse = int((profile["position"] == "ungünstiger").sum())
    better = int((profile["position"] == "günstiger").sum())
    text = (
        f"{area_name}: {len(clear)} von {len(profile)} Indikatoren weichen deutlich (|z| ≥ 1) von der "
        f"Referenz ab; {worse} liegen ungünstiger, {better} günstiger."
    )
    if profile["z"].notna().any():
        top = profile.loc[profile["z"].abs().idxmax()]
        text += f" Am stärksten: „{top['name']}“ mit z = {fmt.signed(top['z'], 2)}."
    return text


def spine_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The data behind a spine chart, German formatted."""
    columns = {"z": "z dieses Gebiets", "z_min": "z Minimum", "z_q25": "z 25-%-Quantil",
               "z_q75": "z 75-%-Quantil", "z_max": "z Maximum"}  # fmt: skip
    table = pd.DataFrame({"Indikator": profile["name"], "Wert": profile["display"]})
    for column, label in columns.items():
        table[label] = [fmt.number(v, 2) for v in profile[column]]
    return table


def highlights(profile: pd.DataFrame, limit: int = 5) -> list[str]:
    """Sentences of the indicators that deviate most clearly (|z| ≥ 1, assessed ones first)."""
    clear = profile[(profile["z"].abs() >= 1) & profile["sentence"].notna()]
    clear = clear.assign(weight=clear["z"].abs() + (clear["polarity"] != "neutral") * 100)
    return clear.sort_values("weight", ascending=False)["sentence"].head(limit).tolist()


def _area_ids(engine: Engine, area: str) -> list[int]:
    """The area and its children (a Bezirk's projects include those of its Stadtteile)."""
    areas = queries.areas(engine)
    return areas.loc[(areas["code"] == area) | (areas["parent_code"] == area), "id"].astype(int).tolist()


@cached_query
def area_annotations(engine: Engine, area: str, include_internal: bool) -> pd.DataFrame:
    """Annotations on ``area`` (public ones only unless ``include_internal``), newest first."""
    statement = (
        select(Annotation.created_at, User.display_name.label("author"), Annotation.visibility, Annotation.text)
        .join(Area, (Annotation.target_type == "area") & (Annotation.target_id == Area.id))
        .outerjoin(User, Annotation.author_id == User.id)
        .where(Area.code == area, Annotation.deleted_at.is_(None))
        .order_by(Annotation.created_at.desc())
    )
    if not include_internal:
        statement = statement.where(Annotation.visibility == "oeffentlich")
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(statement).mappings().all(), columns=["created_at", "author", "visibility", "text"])


@cached_query
def area_activities(engine: Engine, area: str, year: int, include_internal: bool) -> pd.DataFrame:
    """Projects (top level) and impact packages in ``area`` or its children, with whether they
    run in ``year``; non-public projects only with ``include_internal``."""
    ids = _area_ids(engine, area)
    projects = (
        select(Project.title, Project.status, Project.start_date, Project.end_date, Project.source)
        .join(ProjectArea, ProjectArea.project_id == Project.id)
        .where(ProjectArea.area_id.in_(ids), Project.deleted_at.is_(None), Project.parent_id.is_(None))
        .distinct()
    )
    if not include_internal:
        projects = projects.where(Project.is_public.is_(True))
    packages = select(
        ImpactPackage.title, ImpactPackage.controlling_status, ImpactPackage.start_year, ImpactPackage.end_year,
        ImpactPackage.is_demo, ImpactPackage.source,
    ).where(ImpactPackage.area_id.in_(ids), ImpactPackage.deleted_at.is_(None))  # fmt: skip
    rows = []
    with engine.connect() as conn:
        for p in conn.execute(projects):
            start, end = p.start_date, p.end_date
            active = (start is None or start.year <= year) and (end is None or end.year >= year)
            active = active and p.status in ("bewilligt", "laufend", "abgeschlossen")
            period = f"{fmt.date(start)} – {fmt.date(end)}" if start or end else fmt.MISSING
            rows.append(("Projekt", p.title, PROJECT_STATUS[p.status], period, active, p.source))
        for w in conn.execute(packages):
            active = w.start_year <= year <= w.end_year
            title = f"{w.title} (Beispieldaten)" if w.is_demo else w.title
            status = CONTROLLING_STATUS[w.controlling_status]
            rows.append(("Wirkungspaket", title, status, f"{w.start_year}–{w.end_year}", active, w.source))
    frame = pd.DataFrame(rows, columns=["Art", "Titel", "Status", "Laufzeit", "active", "Quelle"])
    frame[f"aktiv {year}"] = frame.pop("active").map({True: "ja", False: "nein"})
    return frame.sort_values([f"aktiv {year}", "Art", "Titel"], ascending=[False, True, True])
