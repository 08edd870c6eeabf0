"""The data behind the indicator explorer and catalogue: one indicator on one level and year,
its time series, changes and metadata; confidentiality is applied before anything is returned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from sozdash.access.confidentiality import apply_confidentiality, suppress
from sozdash.core import fmt, vocab
from sozdash.indicators.trends import classify_change
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Area, ImportBatch, Indicator, Observation

CHANGE_SPANS: tuple[int, ...] = (1, 5)
"""Spans (years) of the change table."""
CATALOGUE_COLUMNS = [
    "Lebenslage", "Indikator", "Schlüssel", "Definition", "Formel", "Einheit", "Quelle", "Richtung",
    "Aggregation", "Jahre", "Ebenen", "Abdeckung", "Beispieldaten", "Stand",
]  # fmt: skip


def change_unit(unit: str) -> str:
    """The unit of a difference: percentage points for percentages."""
    return "Prozentpunkte" if unit == "%" else unit


def computed_label(row: pd.Series) -> str:
    """A shown value, marked "(berechnet)" when it was computed from the areas below (e.g. a city
    value the source table did not give)."""
    flag = row.get("is_computed", False)
    return f"{row['display']} (berechnet)" if pd.notna(flag) and bool(flag) else str(row["display"])


def parent_map(areas: pd.DataFrame) -> dict[str, str]:
    """Area code -> parent code for sums to the parent; a part of a combined statistical area goes
    through the combined area, so that the parent counts the combined area once, never with its parts."""
    parents = areas["combined_code"].fillna(areas["parent_code"])
    with_parent = areas.assign(parent=parents)[parents.notna()]
    return dict(zip(with_parent["code"], with_parent["parent"], strict=True))


def city_code(engine: Engine) -> str:
    """The code of the city's own area (the one area on the city level)."""
    areas = queries.areas(engine)
    return str(areas.loc[areas["level"].eq(queries.city_level(engine)), "code"].iloc[0])


@cached_query
def indicator_row(engine: Engine, key: str) -> dict[str, Any]:
    """One indicator's catalogue entry as a dict."""
    catalogue = queries.indicators(engine)
    row = catalogue[catalogue["key"].eq(key)].iloc[0].to_dict()
    return {str(column): value for column, value in row.items()}


@cached_query
def is_schematic(engine: Engine, level: str) -> bool:
    """Whether any area of ``level`` is drawn with a schematic (not official) shape."""
    areas = queries.areas(engine)
    return bool(areas.loc[areas["level"].eq(level), "geometry_quality"].eq("schematic").any())


@cached_query
def finest_mapped_level(engine: Engine) -> str | None:
    """The finest level below the city whose areas have shapes (the level of overview maps)."""
    areas = queries.areas(engine)
    shaped = set(areas.loc[areas["geometry_quality"].ne("none"), "level"])
    below = list(queries.area_levels(engine))[1:]
    return next((level for level in reversed(below) if level in shaped), None)


@cached_query
def levels(engine: Engine, indicator: str) -> list[str]:
    """Area levels below the city with values of ``indicator``, coarse to fine."""
    statement = (
        select(Area.level)
        .distinct()
        .join(Observation, Observation.area_id == Area.id)
        .join(Indicator, Observation.indicator_id == Indicator.id)
        .where(Indicator.key == indicator)
    )
    with engine.connect() as conn:
        present = set(conn.execute(statement).scalars())
    city = queries.city_level(engine)
    return [level for level in queries.area_levels(engine) if level in present and level != city]


def default_level(engine: Engine, indicator: str) -> str | None:
    """The level a view of ``indicator`` opens on: the finest level below the city with values."""
    present = levels(engine, indicator)
    return present[-1] if present else None


@cached_query
def series(engine: Engine, indicator: str, level: str) -> pd.DataFrame:
    """All periods of ``indicator`` on ``level`` plus the city, after confidentiality."""
    obs = pd.concat(
        [
            queries.observations(engine, indicator, level),
            queries.observations(engine, indicator, queries.city_level(engine)),
        ],
        ignore_index=True,
    )
    areas = queries.areas(engine)
    return apply_confidentiality(obs, queries.indicators(engine), parent_map(areas))


@cached_query
def years(engine: Engine, indicator: str, level: str) -> list[int]:
    """Periods with any observation of ``indicator`` on ``level``."""
    frame = series(engine, indicator, level)
    return sorted(int(p) for p in frame.loc[frame["level"].eq(level), "period"].unique())


@cached_query
def level_view(engine: Engine, indicator: str, year: int, level: str) -> pd.DataFrame:
    """One row per area of ``level`` in ``year``: value (NaN if withheld or missing), ``display``,
    rank of N (1 = highest value), city value, change against the previous period, deviation
    from the city value, demo flag, import batch and parent."""
    meta = indicator_row(engine, indicator)
    decimals, unit = int(meta["decimals"]), str(meta["unit"])
    frame = series(engine, indicator, level)
    areas = queries.areas(engine)
    city = city_code(engine)
    periods = [p for p in years(engine, indicator, level) if p < year]
    previous = periods[-1] if periods else None

    level_areas = areas.loc[areas["level"].eq(level), ["code", "name", "parent_code"]]
    current = frame[frame["level"].eq(level) & frame["period"].eq(year)]
    view = level_areas.rename(columns={"code": "area"}).merge(
        current.drop(columns=["area_name", "level"]), on="area", how="left"
    )
    view["display"] = view["display"].fillna(fmt.MISSING)
    view["is_demo"] = view["is_demo"].fillna(False).astype(bool)
    view["rank"] = view["value"].rank(ascending=False, method="min").astype("Int64")
    view["n_ranked"] = int(view["value"].notna().sum())

    city_row = frame[frame["area"].eq(city) & frame["period"].eq(year)]
    view["city_value"] = float(city_row["value"].iloc[0]) if not city_row.empty else float("nan")
    view["city_display"] = computed_label(city_row.iloc[0]) if not city_row.empty else fmt.MISSING
    view["deviation"] = view["value"] - view["city_value"]

    view["previous_period"] = previous
    before = frame[frame["level"].eq(level) & frame["period"].isin([previous])].set_index("area")["value"]
    view["previous_value"] = view["area"].map(before)
    view["change"] = view["value"] - view["previous_value"]
    view["change_display"] = [fmt.signed(c, decimals) for c in view["change"]]
    view["unit"] = unit
    return view.sort_values("name", kind="stable", ignore_index=True)


def change_rows(frame: pd.DataFrame, areas: list[str], year: int, meta: Mapping[str, Any]) -> pd.DataFrame:
    """Changes over :data:`CHANGE_SPANS` years up to ``year`` for ``areas`` (codes, in order),
    with trend arrow and words that respect the indicator's polarity; withheld values give no change.
    Areas without any value of the indicator are left out (never shown by their code)."""
    polarity, decimals, unit = str(meta["polarity"]), int(meta["decimals"]), str(meta["unit"])
    frame = frame[frame["area"].isin(areas)]  # a level may have a thousand areas; a handful are shown
    values = frame.set_index(["area", "period"])["value"].to_dict()
    names = frame.drop_duplicates("area").set_index("area")["area_name"]
    rows = []
    for area in (a for a in areas if a in names.index):
        now = values.get((area, year), float("nan"))
        row: dict[str, object] = {
            "Gebiet": names[area],
            f"Wert {year}": fmt.value_with_unit(now, unit, decimals),
        }
        for span in CHANGE_SPANS:
            before = values.get((area, year - span), float("nan"))
            trend = classify_change(now - before, polarity, previous=before)
            row[f"Veränderung seit {year - span}"] = (
                f"{fmt.signed(now - before, decimals)} {change_unit(unit)}".strip() if trend else fmt.MISSING
            )
            row[f"Trend seit {year - span}"] = f"{trend.arrow} {trend.label}" if trend else "keine Angabe"
        rows.append(row)
    return pd.DataFrame(rows)


@cached_query
def batches(engine: Engine) -> pd.DataFrame:
    """Import batches (id, kind, source, created_at, is_demo) for provenance lines."""
    with engine.connect() as conn:
        result = conn.execute(
            select(
                ImportBatch.id,
                ImportBatch.kind,
                ImportBatch.source,
                ImportBatch.created_at,
                ImportBatch.is_demo,
            )
        )
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def provenance(engine: Engine, batch_ids: list[int]) -> list[str]:
    """German lines "source, geladen am 31.12.2024" for the batches behind shown values."""
    frame = batches(engine)
    frame = frame[frame["id"].isin(batch_ids)].sort_values("id")
    return [
        f"{source} (geladen am {fmt.date(created_at.date())})"
        for source, created_at in zip(frame["source"], frame["created_at"], strict=True)
    ]


def _periods(engine: Engine) -> dict[str, tuple[int, int]]:
    """First and last period per indicator key, computed in the database (from the index on
    indicator and period)."""
    spans = (
        select(
            Observation.indicator_id,
            func.min(Observation.period).label("min"),
            func.max(Observation.period).label("max"),
        )
        .group_by(Observation.indicator_id)
        .subquery()
    )
    statement = select(Indicator.key, spans.c.min, spans.c.max).join(spans, Indicator.id == spans.c.indicator_id)
    with engine.connect() as conn:
        return {key: (first, last) for key, first, last in conn.execute(statement)}


def _newest(engine: Engine) -> pd.DataFrame:
    """Observations of each indicator's newest period, shaped like ``queries.observations``."""
    newest = (
        select(Observation.indicator_id, func.max(Observation.period).label("period"))
        .group_by(Observation.indicator_id)
        .subquery()
    )
    statement = (
        select(
            Area.code.label("area"), Area.name.label("area_name"), Area.level, Indicator.key.label("indicator"),
            Observation.period, Observation.value, Observation.numerator, Observation.denominator,
            Observation.status, Observation.symbol, Observation.is_demo,
        )
        .join(newest, (Observation.indicator_id == newest.c.indicator_id) & (Observation.period == newest.c.period))
        .join(Area, Observation.area_id == Area.id)
        .join(Indicator, Observation.indicator_id == Indicator.id)
    )  # fmt: skip
    return queries.read_frame(engine, statement)


def _span(periods: dict[str, tuple[int, int]], key: str) -> str:
    if key not in periods:
        return "–"
    first, last = periods[key]
    return str(first) if first == last else f"{first}–{last}"


def formula_text(numerator: str | None, denominator: str | None, scale: float) -> str:
    """``(numerator) / (denominator) × 100`` in words; just the numerator for counts."""
    if pd.isna(numerator) or not numerator:
        return "–"
    if pd.isna(denominator) or not denominator:
        return str(numerator)
    return f"({numerator}) / ({denominator}) × {fmt.number(scale)}"


@cached_query
def catalogue(engine: Engine) -> pd.DataFrame:
    """All indicators with their metadata, years available, levels and coverage
    (share of areas, on the levels with data, with a published value in the newest year)."""
    indicators = queries.indicators(engine)
    periods_of = _periods(engine)
    newest = suppress(_newest(engine), indicators, parent_map(queries.areas(engine)))
    area_counts = queries.areas(engine).groupby("level").size()
    level_names = queries.area_levels(engine)
    by_indicator = newest.groupby("indicator")
    levels_of = by_indicator["level"].agg(set).to_dict()
    published = by_indicator["value"].count().to_dict()
    demo = by_indicator["is_demo"].any().to_dict()
    rows = []
    for ind in indicators.to_dict("records"):
        key = ind["key"]
        present = [lv for lv in level_names if lv in levels_of.get(key, set())]
        total = int(sum(area_counts.get(lv, 0) for lv in present))
        coverage = published.get(key, 0) / total * 100 if total else float("nan")
        formula = formula_text(ind["numerator_definition"], ind["denominator_definition"], ind["scale"])
        rows.append({
            "Lebenslage": vocab.LEBENSLAGEN.get(ind["lebenslage"], ind["lebenslage"]), "Indikator": ind["name"],
            "Schlüssel": key, "Definition": ind["definition"], "Formel": formula, "Einheit": ind["unit"],
            "Quelle": ind["source"], "Richtung": vocab.POLARITY.get(ind["polarity"], ind["polarity"]),
            "Aggregation": vocab.AGGREGATION.get(ind["aggregation"], ind["aggregation"]),
            "Jahre": _span(periods_of, key),
            "Ebenen": ", ".join(level_names[lv] for lv in present) or "–",
            "Abdeckung": f"{fmt.number(coverage, 0)} %" if total else "–",
            "Beispieldaten": "ja" if demo.get(key, False) else "nein",
            "Stand": f"31.12.{periods_of[key][1]}" if key in periods_of else "–",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=CATALOGUE_COLUMNS)


CATALOGUE_OVERVIEW = [
    "Indikator",
    "Lebenslage",
    "Einheit",
    "Richtung",
    "Jahre",
    "Stand",
    "Abdeckung",
    "Ebenen",
]
"""The catalogue's columns in the overview table, names first and the long list of levels last (it is
repeated in each entry, so nothing needed hides to the right); the long texts follow as entries."""


def catalogue_entries(frame: pd.DataFrame) -> list[str]:
    """One markdown entry per catalogue row with the full definition, formula and source (imported
    texts escaped by ``fmt.plain``)."""
    return [
        f"**{fmt.plain(row['Indikator'])}** ({fmt.plain(row['Lebenslage'])}): {fmt.plain(row['Definition'])}  \n"
        f"*Formel:* {fmt.plain(row['Formel'])} · *Einheit:* {fmt.plain(row['Einheit'])} · "
        f"*Ebenen:* {fmt.plain(row['Ebenen'])} · *Quelle:* {fmt.plain(row['Quelle'])}"
        for row in frame.to_dict("records")
    ]


def search(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows of the catalogue containing every word of ``text`` in any column (case-insensitive)."""
    words = text.lower().split()
    if not words:
        return frame
    haystack = frame.astype(str).agg(" ".join, axis=1).str.lower()
    mask = pd.Series(True, index=frame.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return frame[mask]
