"""District profile: every indicator of one area against the city, its rank, deviation and trend.

Rules:
- Values pass ``confidentiality.apply_confidentiality`` over all areas of the level first;
  withheld values show only their symbol and count nowhere (not in n, rank, spread or trend).
- ``z = (value − reference) / sd``: sd is the population standard deviation (ddof 0) of the
  published values of all areas of the same level and year; the reference
  (``sozdash.indicators.reference``) is the city value, or the mean of the areas for counts (the
  city total is no comparable level) and where no city value exists. So z = 0 means "as the
  reference", and the spine chart is centred on it.
- Rank: 1 = highest value among the n areas with a published value (ties share the best rank).
- Trend: change against ``TREND_YEARS`` earlier (``sozdash.indicators.trends``), exact year only.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine, select

from sozdash.access.confidentiality import apply_confidentiality
from sozdash.access.visibility import public_rows
from sozdash.core import fmt
from sozdash.core.vocab import CONTROLLING_STATUS, LEBENSLAGEN
from sozdash.indicators.explorer import parent_map
from sozdash.indicators.reference import LABELS as REFERENCE_LABELS
from sozdash.indicators.reference import reference as reference_of
from sozdash.indicators.sentences import CLEARLY, SLIGHTLY, profile_sentence
from sozdash.indicators.trends import DEFAULT_TOLERANCE, change_over
from sozdash.programmes import altenhilfe, projects
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Area, Observation

TREND_YEARS = 5
METHOD_NOTE = (
    "z = (Wert − Referenz) ÷ Standardabweichung der Gebiete derselben Ebene im selben Jahr; Referenz ist "
    "der städtische Wert (bei Anzahlen und ohne Stadtwert der Mittelwert der Gebiete). "
    f"|z| ≥ {fmt.number(CLEARLY, 1)} heißt „deutlich“, |z| ≥ {fmt.number(SLIGHTLY, 1)} „leicht“ über/unter, "
    f"sonst „etwa auf“. Rang 1 = höchster Wert. Trend: Veränderung gegenüber {TREND_YEARS} Jahren zuvor; "
    f"Änderungen unter {fmt.number(DEFAULT_TOLERANCE * 100)} % des früheren Werts gelten als „etwa gleich“."
)
PROFILE_COLUMNS = [
    "indicator", "name", "lebenslage", "unit", "decimals", "polarity", "value", "display", "city_value",
    "city_display", "reference", "reference_kind", "z", "z_min", "z_q25", "z_q75", "z_max", "rank", "n",
    "previous_period", "trend", "position", "is_demo", "sentence",
]  # fmt: skip
POSITION_STYLE = {  # legend word, marker symbol, colour (Okabe-Ito, colour-blind safe)
    "ungünstiger": ("ungünstiger als Referenz", "x", "#D55E00"),
    "günstiger": ("günstiger als Referenz", "diamond", "#0072B2"),
    "abweichend": ("abweichend (ohne Wertung)", "square", "#CC79A7"),
    "etwa gleich": ("etwa wie Referenz (|z| < 0,5)", "circle", "#555555"),
}


def _position(z: float, polarity: str) -> str | None:
    """How the value stands against the reference, in words (``None`` without z)."""
    if math.isnan(z):
        return None
    if abs(z) < SLIGHTLY:
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
    city_level: str,
) -> pd.DataFrame:
    """The profile of ``area`` in ``year``, one row per indicator with a value there.

    ``obs``: observations (``area``, ``level``, ``indicator``, ``period``, ``value``,
    ``numerator``, ``status``, ``symbol``, ``is_demo``) of all areas of the area's level and of
    the city (level ``city_level``). ``indicators``: the catalogue. Returns ``PROFILE_COLUMNS``
    in Lebenslage order.
    """
    shown = apply_confidentiality(obs, indicators, parent_of)
    if not shown["area"].eq(area).any():
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    level = shown.loc[shown["area"] == area, "level"].iloc[0]
    peers = shown[(shown["level"] == level) & (shown["period"] == year)]
    city = shown[(shown["level"] == city_level) & (shown["period"] == year)].set_index("indicator")
    meta = indicators.set_index("key")
    polarity = dict(zip(indicators["key"], indicators["polarity"], strict=True))
    trends = change_over(shown[shown["area"] == area], TREND_YEARS, polarity).set_index(
        ["indicator", "period"]
    )

    rows = []
    for key, group in peers.groupby("indicator", sort=False):
        own = group[group["area"] == area]
        if own.empty or key not in meta.index:
            continue
        own, info = own.iloc[0], meta.loc[key]
        values = group["value"].dropna().astype(float)
        city_value = city["value"].get(key)
        ref = reference_of(info, values, city_value)
        kind, reference = ref.kind, ref.value
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
                "reference_kind": kind, "z": z,
                "z_min": spread.min(), "z_q25": spread.quantile(0.25), "z_q75": spread.quantile(0.75),
                "z_max": spread.max(), "rank": rank, "n": len(values), "previous_period": year - TREND_YEARS,
                "trend": trend, "position": _position(z, info["polarity"]), "is_demo": bool(own["is_demo"]),
                "sentence": profile_sentence(
                    area_name, info["name"], value, reference, kind, z,
                    info["unit"], int(info["decimals"]), trend, year - TREND_YEARS,
                ),
            }
        )  # fmt: skip
    order = {key: i for i, key in enumerate(LEBENSLAGEN)}
    frame = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    return frame.sort_values(
        ["lebenslage", "name"], key=lambda s: s.map(order) if s.name == "lebenslage" else s
    )


@cached_query
def area_profile(engine: Engine, area: str, year: int, public_only: bool = True) -> pd.DataFrame:
    """``build_profile`` for an area code and year from the database (cached); with
    ``public_only`` only public indicators (``Indicator.is_public``, see ``sozdash.access.visibility``)."""
    areas = queries.areas(engine)
    catalogue = public_rows(queries.indicators(engine), public_only)
    row = areas[areas["code"] == area].iloc[0]
    obs = queries.observations(engine, level=row["level"])
    city_level = queries.city_level(engine)
    city = queries.observations(engine, level=city_level)
    first = year - TREND_YEARS
    obs = pd.concat([obs, city], ignore_index=True)
    obs = obs[obs["period"].isin([first, year]) & obs["indicator"].isin(catalogue["key"])]
    parent_of = parent_map(areas)
    return build_profile(obs, catalogue, parent_of, area, row["name"], year, city_level)


@cached_query
def area_years(engine: Engine, area: str | None = None) -> list[int]:
    """Years with observations (of ``area``, or of any area), newest first."""
    statement = select(Observation.period).distinct().order_by(Observation.period.desc())
    if area is not None:
        statement = statement.join(Area, Observation.area_id == Area.id).where(Area.code == area)
    with engine.connect() as conn:
        return list(conn.execute(statement).scalars())


def reference_texts(profile: pd.DataFrame) -> list[str]:
    """Each row's reference with its name: "12,2 % (Stadtwert)", "12.715 Personen (Mittelwert der Gebiete)"."""
    return [
        f"{fmt.value_with_unit(value, unit, decimals)} ({REFERENCE_LABELS[kind]})" if not pd.isna(value) else fmt.MISSING
        for value, kind, unit, decimals in zip(
            profile["reference"], profile["reference_kind"], profile["unit"], profile["decimals"], strict=True
        )
    ]


def profile_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The visible German table of a profile (strings, as displayed)."""
    return pd.DataFrame(
        {
            "Indikator": profile["name"],
            "Wert": profile["display"],
            "Stadt": profile["city_display"],
            "Vergleichswert": reference_texts(profile),
            "Abweichung (z)": [
                fmt.signed(z, 2) + (f" ({p})" if isinstance(p, str) else "")
                for z, p in zip(profile["z"], profile["position"], strict=True)
            ],
            "Rang": [fmt.MISSING if pd.isna(r) else f"{int(r)} von {n}" for r, n in zip(profile["rank"], profile["n"], strict=True)],
            "Trend": [
                f"{t.arrow} {t.label} (seit {p})" if t is not None else f"kein Trend (kein Wert {p})"
                for t, p in zip(profile["trend"], profile["previous_period"], strict=True)
            ],
        }
    )  # fmt: skip


def spine_figure(profile: pd.DataFrame) -> go.Figure:
    """Spine chart of all indicators, grouped by Lebenslage: per indicator the spread of all
    areas (light: range, darker: middle half) around the reference at 0, and this area's z as a
    marker whose symbol and legend word say whether it is favourable. Built from plain dicts
    (plotly's per-call validation would cost more than the page's other work)."""

    def y(rows: pd.DataFrame) -> list[list[str]]:
        names = ["<br>".join(textwrap.wrap(name, 42)) for name in rows["name"]]
        return [[LEBENSLAGEN[key] for key in rows["lebenslage"]], names]

    data: list[dict[str, Any]] = [
        {"type": "bar", "orientation": "h", "y": y(profile), "x": (profile[high] - profile[low]).tolist(),
         "base": profile[low].tolist(), "marker": {"color": colour}, "name": label, "hoverinfo": "skip"}
        for low, high, colour, label in (("z_min", "z_max", "#DDDDDD", "Spanne aller Gebiete"),
                                         ("z_q25", "z_q75", "#AAAAAA", "mittlere Hälfte der Gebiete"))
    ]  # fmt: skip
    for position, (label, symbol, colour) in POSITION_STYLE.items():
        part = profile[profile["position"] == position]
        if not part.empty:
            data.append({
                "type": "scatter", "mode": "markers", "name": label, "y": y(part), "x": part["z"].tolist(),
                "marker": {"symbol": symbol, "size": 12, "color": colour, "line": {"width": 1, "color": "#000"}},
                "customdata": [[n, d, r] for n, d, r in zip(part["name"], part["display"], reference_texts(part), strict=True)],
                "hovertemplate": "%{customdata[0]}: %{customdata[1]} (Vergleich: %{customdata[2]}), z = %{x:.2f}<extra></extra>",
            })  # fmt: skip
    layout = {
        "barmode": "overlay", "height": 170 + 40 * len(profile), "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        "xaxis": {"title": {"text": "Abweichung von der Referenz in Standardabweichungen (← darunter · darüber →)"},
                  "zeroline": False},
        "yaxis": {"autorange": "reversed", "tickfont": {"size": 11}},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
        "shapes": [{"type": "line", "x0": 0, "x1": 0, "y0": 0, "y1": 1, "yref": "paper", "line": {"color": "#000", "width": 2}}],
    }  # fmt: skip
    return go.Figure(data=data, layout=layout)


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
        top = profile.iloc[profile["z"].abs().argmax()]
        text += f" Am stärksten: „{top['name']}“ mit z = {fmt.signed(top['z'], 2)}."
    return text


def spine_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The data behind a spine chart, German formatted."""
    columns = {"z": "z dieses Gebiets", "z_min": "z Minimum", "z_q25": "z 25-%-Quantil",
               "z_q75": "z 75-%-Quantil", "z_max": "z Maximum"}  # fmt: skip
    table = pd.DataFrame(
        {
            "Lebenslage": profile["lebenslage"].map(LEBENSLAGEN),
            "Indikator": profile["name"],
            "Wert": profile["display"],
        }
    )
    for column, label in columns.items():
        table[label] = [fmt.number(v, 2) for v in profile[column]]
    return table


NO_CLEAR_DEVIATION = "Kein Indikator weicht deutlich (|z| ≥ 1) von der Referenz ab."


def highlights(profile: pd.DataFrame, limit: int = 5) -> list[str]:
    """Sentences of the indicators that deviate most clearly (|z| ≥ 1, assessed ones first), or
    the one sentence saying that none does."""
    clear = profile[(profile["z"].abs() >= 1) & profile["sentence"].notna()]
    clear = clear.assign(weight=clear["z"].abs() + (clear["polarity"] != "neutral") * 100)
    return clear.sort_values("weight", ascending=False)["sentence"].head(limit).tolist() or [
        NO_CLEAR_DEVIATION
    ]


def area_choices(engine: Engine) -> dict[str, str]:
    """Every area below the city, finest level first, by name; by code with a label such as
    "Rheindorf (Stadtteil)"."""
    levels = queries.area_levels(engine)
    rank = {level: i for i, level in enumerate(levels)}
    areas = queries.areas(engine)
    areas = areas[areas["level"].map(rank) > 0]
    areas = areas.assign(rank=areas["level"].map(rank)).sort_values(["rank", "name"], ascending=[False, True])
    return dict(zip(areas["code"], areas["name"] + " (" + areas["level"].map(levels) + ")", strict=True))


def area_activities(engine: Engine, area: str, year: int, public_only: bool) -> pd.DataFrame:
    """Top-level projects (``projects.portfolio``, status as of the end of ``year`` or today) and
    impact packages (``altenhilfe.packages``) in ``area`` or its children (a Bezirk's Stadtteile),
    with whether they ran in ``year`` (approved, running or finished and ``year`` in the runtime)."""
    return _activities(engine, area, year, min(dt.date(year, 12, 31), dt.date.today()), public_only)


@cached_query
def _activities(engine: Engine, area: str, year: int, as_of: dt.date, public_only: bool) -> pd.DataFrame:
    areas = queries.areas(engine)
    here = areas[(areas["code"] == area) | (areas["parent_code"] == area)]
    folio = projects.portfolio(engine, as_of, public_only)
    folio = folio[folio["area_codes"].map(lambda codes: not set(here["code"]).isdisjoint(codes))]
    packages = altenhilfe.packages(engine)
    packages = packages[packages["area"].isin(here["code"])]
    ran = ("bewilligt", "laufend", "abgeschlossen")
    frame = pd.DataFrame(
        [("Projekt", r["title"], r["status_label"], r["period"], r["status"] in ran and year in r["years"], r["source"])
         for r in folio.to_dict("records")]
        + [("Wirkungspaket", f"{r['title']} (Beispieldaten)" if r["is_demo"] else r["title"],
            CONTROLLING_STATUS[altenhilfe.controlling_status(r["controlling_status"], r["start_year"], r["end_year"], as_of)],
            f"{r['start_year']}–{r['end_year']}", r["start_year"] <= year <= r["end_year"], r["source"])
           for r in packages.to_dict("records")],
        columns=["Art", "Titel", "Status", "Laufzeit", "active", "Quelle"],
    )  # fmt: skip
    frame = frame.sort_values(["active", "Art", "Titel"], ascending=[False, True, True], ignore_index=True)
    frame[f"aktiv {year}"] = frame.pop("active").map({True: "ja", False: "nein"})
    return frame
