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
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine, and_, case, or_, select

from sozdash.access.confidentiality import suppress, with_display
from sozdash.access.visibility import public_rows
from sozdash.core import fmt, plotting
from sozdash.core.vocab import CONTROLLING_STATUS, LEBENSLAGEN
from sozdash.indicators.explorer import parent_map
from sozdash.indicators.reference import LABELS as REFERENCE_LABELS
from sozdash.indicators.reference import reference as reference_of
from sozdash.indicators.sentences import CLEARLY, SLIGHTLY, position_words, profile_sentence, rank_words
from sozdash.indicators.trends import DEFAULT_TOLERANCE, change_over
from sozdash.programmes import altenhilfe, projects
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Area, Indicator, Observation

TREND_YEARS = 5
METHOD_NOTE = (
    "Vergleichswert ist der Stadtwert; bei Anzahlen (und wo ein Stadtwert fehlt) der Mittelwert der "
    "Gebiete derselben Ebene. Der Abstand eines Gebiets zum Vergleichswert wird durch die "
    "Standardabweichung der Werte aller Gebiete derselben Ebene im selben Jahr geteilt: "
    "z = (Wert − Vergleichswert) ÷ Standardabweichung. "
    f"Ab z = {fmt.number(CLEARLY, 1)} (oder −{fmt.number(CLEARLY, 1)}) heißt die Lage „deutlich“ über (unter), "
    f"ab {fmt.number(SLIGHTLY, 1)} „leicht“, sonst „etwa auf“ dem Vergleichswert. Rang 1 = höchster Wert. "
    f"Trend: Veränderung gegenüber {TREND_YEARS} Jahren zuvor; Änderungen unter "
    f"{fmt.number(DEFAULT_TOLERANCE * 100)} % des früheren Werts gelten als „etwa gleich“."
)
"""The exact rule behind the words, for the "Wie berechnet?" expander."""
PROFILE_COLUMNS = [
    "indicator", "name", "lebenslage", "unit", "decimals", "polarity", "value", "display", "city_value",
    "city_display", "reference", "reference_kind", "z", "z_min", "z_q25", "z_q75", "z_max", "rank", "n",
    "previous_period", "trend", "position", "is_demo", "sentence",
]  # fmt: skip
POSITION_STYLE = {  # legend word, marker symbol, colour (Okabe-Ito, colour-blind safe)
    "ungünstiger": ("ungünstiger als der Vergleichswert", "x", "#D55E00"),
    "günstiger": ("günstiger als der Vergleichswert", "diamond", "#0072B2"),
    "abweichend": ("abweichend (ohne Wertung)", "square", "#CC79A7"),
    "etwa gleich": ("etwa wie der Vergleichswert", "circle", "#555555"),
}
ASSESSMENT = {"ungünstiger": "ungünstig", "günstiger": "günstig"}
"""The assessment added to a position in words."""
AXIS_TICKS = {-2 * CLEARLY: "weit darunter", -CLEARLY: "deutlich darunter", -SLIGHTLY: "leicht darunter",
              0.0: "Vergleichswert", SLIGHTLY: "leicht darüber", CLEARLY: "deutlich darüber",
              2 * CLEARLY: "weit darüber"}  # fmt: skip
"""Words on the spine chart's axis at the thresholds of ``sozdash.indicators.sentences``."""


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
    shown = suppress(obs, indicators, parent_of)
    if not shown["area"].eq(area).any():
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    level = shown.loc[shown["area"] == area, "level"].iloc[0]
    this_year = shown[shown["period"] == year]
    peers = this_year[this_year["level"] == level]
    own = with_display(peers[peers["area"] == area].drop_duplicates("indicator"), indicators)
    own = own[own["indicator"].isin(indicators["key"])].set_index("indicator")
    city = with_display(this_year[this_year["level"] == city_level], indicators).set_index("indicator")
    meta = {row["key"]: row for row in indicators.to_dict("records")}
    polarity = dict(zip(indicators["key"], indicators["polarity"], strict=True))
    trends = change_over(shown[shown["area"] == area], TREND_YEARS, polarity).set_index(
        ["indicator", "period"]
    )
    published = peers.dropna(subset=["value"]).astype({"value": float})
    published = published.assign(own=published["indicator"].map(own["value"]).astype(float))
    by_indicator = published.groupby("indicator")["value"]
    stats = pd.DataFrame({
        "n": by_indicator.count(), "sd": by_indicator.std(ddof=0), "min": by_indicator.min(),
        "q25": by_indicator.quantile(0.25), "q75": by_indicator.quantile(0.75), "max": by_indicator.max(),
        "higher": published["value"].gt(published["own"]).groupby(published["indicator"]).sum(),
    }).reindex(own.index).to_dict("index")  # fmt: skip
    values = by_indicator.agg(list)

    rows = []
    for mine in own.reset_index().to_dict("records"):
        key = mine["indicator"]
        info, spread = meta[key], stats[key]
        city_value = city["value"].get(key)
        ref = reference_of(info, values.get(key, []), city_value)
        kind, reference = ref.kind, ref.value
        n = int(spread["n"]) if not pd.isna(spread["n"]) else 0
        sd = float(spread["sd"]) if n > 1 else float("nan")
        scale = sd if sd > 0 else float("nan")
        centre = reference if reference is not None else float("nan")
        value = mine["value"]
        z = (value - centre) / scale if not pd.isna(value) else float("nan")
        trend = trends["trend"].get((key, year)) if not pd.isna(value) else None
        rows.append(
            {
                "indicator": key, "name": info["name"], "lebenslage": info["lebenslage"], "unit": info["unit"],
                "decimals": int(info["decimals"]), "polarity": info["polarity"], "value": value,
                "display": mine["display"], "city_value": city_value,
                "city_display": city["display"].get(key, fmt.MISSING), "reference": reference,
                "reference_kind": kind, "z": z,
                "z_min": (spread["min"] - centre) / scale, "z_q25": (spread["q25"] - centre) / scale,
                "z_q75": (spread["q75"] - centre) / scale, "z_max": (spread["max"] - centre) / scale,
                "rank": int(spread["higher"]) + 1 if not pd.isna(value) else None, "n": n,
                "previous_period": year - TREND_YEARS,
                "trend": trend, "position": _position(z, info["polarity"]), "is_demo": bool(mine["is_demo"]),
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
    city_level = queries.city_level(engine)
    parent_of = parent_map(areas)
    obs = _profile_observations(
        engine, area, str(row["level"]), city_level, year, parent_of, list(catalogue["key"])
    )
    return build_profile(obs, catalogue, parent_of, area, row["name"], year, city_level)


class ProfilePanels(NamedTuple):
    """What the page Stadtteilprofil shows of one area and year: highlights, the method table, the
    spine chart with its summary and table, and per Lebenslage (key) its table and sentences."""

    is_demo: bool
    highlights: list[str]
    method: pd.DataFrame
    spine_figure: go.Figure
    spine_summary: str
    spine_table: pd.DataFrame
    lebenslagen: list[tuple[str, pd.DataFrame, list[str]]]


@cached_query
def profile_panels(engine: Engine, area: str, year: int, public_only: bool = True) -> ProfilePanels | None:
    """``ProfilePanels`` of ``area_profile``, built once per choice and data; ``None`` without values."""
    data = area_profile(engine, area, year, public_only)
    if data.empty:
        return None
    name = str(queries.areas(engine).set_index("code").at[area, "name"])
    parts = [(key, data[data["lebenslage"] == key]) for key in LEBENSLAGEN]
    return ProfilePanels(
        is_demo=bool(data["is_demo"].any()), highlights=highlights(data), method=method_table(data),
        spine_figure=spine_figure(data), spine_summary=spine_summary(data, name), spine_table=spine_table(data),
        lebenslagen=[(key, profile_table(part), list(part["sentence"].dropna())) for key, part in parts if not part.empty],
    )  # fmt: skip


def _profile_observations(
    engine: Engine, area: str, level: str, city_level: str, year: int, parent_of: dict[str, str], keys: list[str]
) -> pd.DataFrame:  # fmt: skip
    """Only what ``build_profile`` needs, in one query: ``year`` for every area of ``level`` (peers
    and their secondary suppression) and the city; ``TREND_YEARS`` earlier the area and its
    siblings (the areas its suppression depends on). The rows of the level come first."""
    parent = parent_of.get(area)
    siblings = [code for code, of in parent_of.items() if parent is not None and of == parent] or [area]
    is_city = Area.level == city_level
    statement = (
        select(
            Area.code.label("area"), Area.level, Indicator.key.label("indicator"), Observation.period,
            Observation.value, Observation.numerator, Observation.status, Observation.symbol, Observation.is_demo,
        )
        .join(Area, Observation.area_id == Area.id)
        .join(Indicator, Observation.indicator_id == Indicator.id)
        .where(
            Indicator.key.in_(keys),
            Observation.period.in_((year, year - TREND_YEARS)),  # the index (indicator, period) applies
            or_(
                and_(Observation.period == year, or_(Area.level == level, is_city)),
                and_(Observation.period == year - TREND_YEARS, Area.level == level, Area.code.in_(siblings)),
            ),
        )
        .order_by(case((is_city, 1), else_=0), Area.id, Indicator.key, Observation.period)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


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
        f"{fmt.value_with_unit(value, unit, decimals)} ({REFERENCE_LABELS[kind]})"
        if not pd.isna(value)
        else fmt.MISSING
        for value, kind, unit, decimals in zip(
            profile["reference"], profile["reference_kind"], profile["unit"], profile["decimals"], strict=True
        )
    ]


def position_texts(profile: pd.DataFrame) -> list[str]:
    """Each row's position in words with its assessment: "leicht unter dem städtischen Wert (günstig)"."""
    texts = []
    for z, kind, position in zip(profile["z"], profile["reference_kind"], profile["position"], strict=True):
        words = position_words(z, kind)
        texts.append(
            fmt.MISSING
            if words is None
            else words + (f" ({ASSESSMENT[position]})" if position in ASSESSMENT else "")
        )
    return texts


def rank_texts(profile: pd.DataFrame) -> list[str]:
    """Each row's "Rang 2 von 13" (1 = highest value)."""
    return [rank_words(r, n) or fmt.MISSING for r, n in zip(profile["rank"], profile["n"], strict=True)]


def profile_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The visible German table of a profile (strings, as displayed), the key columns first."""
    return pd.DataFrame(
        {
            "Indikator": profile["name"],
            "Wert": profile["display"],
            "Lage zum Vergleichswert": position_texts(profile),
            "Rang": rank_texts(profile),
            "Trend": [
                f"{t.arrow} {t.label} (seit {p})" if t is not None else f"kein Trend (kein Wert {p})"
                for t, p in zip(profile["trend"], profile["previous_period"], strict=True)
            ],
            "Vergleichswert": reference_texts(profile),
            "Stadtwert": profile["city_display"],
        }
    )  # fmt: skip


def spine_figure(profile: pd.DataFrame) -> go.Figure:
    """Spine chart of all indicators, grouped by Lebenslage: per indicator the spread of all
    areas (light: range, darker: middle half) around the reference at 0, and this area's z as a
    marker whose symbol and legend word say whether it is favourable. Built from plain dicts
    (plotly's per-call validation would cost more than the page's other work)."""

    profile = profile.assign(
        lage_label=profile["lebenslage"].map(LEBENSLAGEN),
        name_label=["<br>".join(textwrap.wrap(name, 42)) for name in profile["name"]],
    )

    def y(rows: pd.DataFrame) -> list[list[str]]:
        return [rows["lage_label"].tolist(), rows["name_label"].tolist()]

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
                "customdata": [list(row) for row in zip(part["name"], part["display"], reference_texts(part), position_texts(part), strict=True)],
                "hovertemplate": "%{customdata[0]}: %{customdata[1]} (Vergleich: %{customdata[2]}) – %{customdata[3]}<extra></extra>",
            })  # fmt: skip
    layout = {
        "barmode": "overlay", "height": 170 + 40 * len(profile), "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        "xaxis": {"title": {"text": "Lage zum Vergleichswert (← darunter · darüber →)"}, "zeroline": False,
                  "tickmode": "array", "tickvals": list(AXIS_TICKS), "ticktext": list(AXIS_TICKS.values())},
        "yaxis": {"autorange": "reversed", "tickfont": {"size": 11}},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
        "shapes": [{"type": "line", "x0": 0, "x1": 0, "y0": 0, "y1": 1, "yref": "paper", "line": {"color": "#000", "width": 2}}],
    }  # fmt: skip
    return plotting.figure(data, layout)


def spine_summary(profile: pd.DataFrame, area_name: str) -> str:
    """A short text summary of a spine chart, in words and ranks."""
    clear = profile[profile["z"].abs() >= CLEARLY]
    worse = int((profile["position"] == "ungünstiger").sum())
    better = int((profile["position"] == "günstiger").sum())
    text = (
        f"{area_name}: {len(clear)} von {len(profile)} Indikatoren liegen deutlich über oder unter dem "
        f"Vergleichswert; {worse} liegen ungünstiger, {better} günstiger."
    )
    if profile["z"].notna().any():
        top = profile.iloc[[int(profile["z"].abs().argmax())]]
        where = ", ".join([position_texts(top)[0], rank_texts(top)[0]])
        text += f" Am stärksten: „{top['name'].iloc[0]}“ ({where})."
    return text


def spine_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The data behind a spine chart in words and ranks (exact figures: :func:`method_table`)."""
    return pd.DataFrame(
        {
            "Lebenslage": profile["lebenslage"].map(LEBENSLAGEN),
            "Indikator": profile["name"],
            "Wert": profile["display"],
            "Vergleichswert": reference_texts(profile),
            "Lage zum Vergleichswert": position_texts(profile),
            "Rang": rank_texts(profile),
        }
    )


def method_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The exact figures behind the words (for "Wie berechnet?"): z of this area and the spread of
    all areas of the level, German formatted."""
    columns = {"z": "z dieses Gebiets", "z_min": "z Minimum", "z_q25": "z 25-%-Quantil",
               "z_q75": "z 75-%-Quantil", "z_max": "z Maximum"}  # fmt: skip
    table = pd.DataFrame({"Indikator": profile["name"], "Wert": profile["display"],
                          "Vergleichswert": reference_texts(profile)})  # fmt: skip
    for column, label in columns.items():
        table[label] = [fmt.number(v, 2) for v in profile[column]]
    return table


NO_CLEAR_DEVIATION = "Kein Indikator liegt deutlich über oder unter dem Vergleichswert."


def highlights(profile: pd.DataFrame, limit: int = 5) -> list[str]:
    """Sentences of the indicators that deviate most clearly (``|z| ≥ CLEARLY``, assessed ones
    first), or the one sentence saying that none does."""
    clear = profile[(profile["z"].abs() >= CLEARLY) & profile["sentence"].notna()]
    clear = clear.assign(weight=clear["z"].abs() + (clear["polarity"] != "neutral") * 100)
    return clear.sort_values("weight", ascending=False)["sentence"].head(limit).tolist() or [
        NO_CLEAR_DEVIATION
    ]


@cached_query
def area_choices(engine: Engine) -> dict[str, str]:
    """Every area below the city, finest level first, by name; by code with a label such as
    "Rheindorf (Stadtteil)"."""
    levels = queries.area_levels(engine)
    rank = {level: i for i, level in enumerate(levels)}
    areas = queries.areas(engine)
    areas = areas[areas["level"].map(rank) > 0]
    areas = areas.assign(rank=areas["level"].map(rank)).sort_values(["rank", "name"], ascending=[False, True])
    return dict(zip(areas["code"], areas["name"] + " (" + areas["level"].map(levels) + ")", strict=True))


LINK_LIMIT = 100
"""Up to this many areas the profile page links every one; above, the neighbours of the chosen area."""


def linked_areas(engine: Engine, area: str, limit: int = LINK_LIMIT) -> tuple[str, str | None, dict[str, str]]:
    """The list of profile links on the profile page: its title, a note on what it leaves out
    (``None`` when it holds every area) and the areas (code → label of ``area_choices``). Up to
    ``limit`` areas all; above, the areas with the same parent as ``area`` and that parent (a list
    of a thousand links helps nobody, and every link is a page element)."""
    names = area_choices(engine)
    if len(names) <= limit:
        return "Alle Gebiete", None, names
    areas = queries.areas(engine).set_index("code")
    parent = areas["parent_code"].get(area)
    if parent is None or pd.isna(parent) or parent not in names:
        return "Gebiete derselben Ebene", _rest_note(len(names), limit), _first_of_level(names, areas, area, limit)
    neighbours = areas.index[areas["parent_code"].eq(parent)]
    chosen = {code: label for code, label in names.items() if code == parent or code in neighbours}
    note = f"Die Stadt hat {fmt.number(len(names))} Gebiete; hier stehen {names[parent]} und die Gebiete darin."
    return f"Gebiete in {areas.loc[parent, 'name']}", f"{note} {_SEARCH_HINT}", chosen


_SEARCH_HINT = "Alle anderen findet das Auswahlfeld „Gebiet“ oben (Tippen sucht)."


def _rest_note(total: int, limit: int) -> str:
    return f"Die Stadt hat {fmt.number(total)} Gebiete; hier stehen die ersten {fmt.number(limit)} dieser Ebene. {_SEARCH_HINT}"


def _first_of_level(names: dict[str, str], areas: pd.DataFrame, area: str, limit: int) -> dict[str, str]:
    level = areas["level"].get(area)
    return dict(list({c: n for c, n in names.items() if areas["level"].get(c) == level}.items())[:limit])


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
