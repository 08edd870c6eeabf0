"""Side-by-side comparison of 2–4 areas over chosen indicators: table and small multiples.

Values pass ``confidentiality.apply_confidentiality`` over all areas of an indicator first
(so secondary suppression sees every sibling); withheld values appear as their symbol in the
table and as gaps in the charts. For counts (``reference.is_count``) the city value is the city
total, no level an area can be compared with: the table marks it "(Summe)" and the charts leave it out.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Collection
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from sozdash.access.confidentiality import apply_confidentiality
from sozdash.core import fmt, plotting
from sozdash.indicators.explorer import city_code, parent_map
from sozdash.indicators.reference import count_rows
from sozdash.store import queries
from sozdash.store.cache import cached_query

SYMBOLS = ["circle", "square", "diamond", "triangle-up"]
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]  # Okabe-Ito, colour-blind safe
CITY_STYLE = {"color": "#000000", "dash": "dash"}


@cached_query
def comparison_data(engine: Engine, areas: tuple[str, ...], indicators: tuple[str, ...]) -> pd.DataFrame:
    """Observations of ``areas`` and the city for ``indicators`` over all years, confidential
    (read with the siblings of ``areas``: the areas their secondary suppression depends on)."""
    parent_of = parent_map(queries.areas(engine))
    parents = {parent_of[code] for code in areas if code in parent_of}
    siblings = {code for code, parent in parent_of.items() if parent in parents}
    read = tuple(sorted({*areas, *siblings, city_code(engine)}))
    obs = pd.concat(
        [queries.observations(engine, indicator=key, areas=read) for key in indicators], ignore_index=True
    )
    shown = apply_confidentiality(obs, queries.indicators(engine), parent_of)
    return shown[shown["area"].isin([*areas, city_code(engine)])].reset_index(drop=True)


class ComparisonPanels(NamedTuple):
    """What the page Vergleich shows of chosen areas and indicators: the table of ``year``, the
    small multiples with their summary and series table."""

    is_demo: bool
    table: pd.DataFrame
    figure: go.Figure
    summary: str
    series: pd.DataFrame


@cached_query
def comparison_panels(
    engine: Engine, areas: tuple[str, ...], indicators: tuple[str, ...], year: int
) -> ComparisonPanels:
    """``ComparisonPanels`` built once per choice and data (labels and units from the catalogue)."""
    data = comparison_data(engine, areas, indicators)
    catalogue = queries.indicators(engine).set_index("key").loc[list(indicators)]  # in the order chosen
    labels = dict(zip(catalogue.index, catalogue["name"], strict=True))
    units = dict(zip(catalogue.index, catalogue["unit"], strict=True))
    chosen, city, counts = list(areas), city_code(engine), count_keys(engine, indicators)
    return ComparisonPanels(
        is_demo=bool(data["is_demo"].any()), table=comparison_table(data, chosen, labels, year, city, counts),
        figure=small_multiples(data, chosen, labels, units, city, counts),
        summary=comparison_summary(data, chosen, labels, year), series=series_table(data, labels),
    )  # fmt: skip


def count_keys(engine: Engine, indicators: Collection[str]) -> set[str]:
    """The keys among ``indicators`` that are counts (``reference.is_count``)."""
    catalogue = queries.indicators(engine)
    chosen = catalogue[catalogue["key"].isin(list(indicators))]
    return set(chosen.loc[count_rows(chosen), "key"].astype(str))


def comparison_table(
    data: pd.DataFrame, areas: list[str], labels: dict[str, str], year: int, city: str,
    counts: Collection[str] = (),
) -> pd.DataFrame:  # fmt: skip
    """One row per indicator, one column per area plus the city (area code ``city``), displayed
    values of ``year``; the city value of a count (key in ``counts``) is marked "(Summe)"."""
    rows = data[data["period"] == year]
    names = dict(zip(data["area"], data["area_name"], strict=False))
    table = pd.DataFrame({"Indikator": [labels[k] for k in labels]})
    for code in [*areas, city]:
        shown = rows[rows["area"] == code].set_index("indicator")["display"]
        title = f"{names.get(code, code)} (Stadt)" if code == city else names.get(code, code)
        cells = [shown.get(key, fmt.MISSING) for key in labels]
        if code == city:
            cells = [
                f"{c} (Summe)" if key in counts and c != fmt.MISSING else c
                for key, c in zip(labels, cells, strict=True)
            ]
        table[title] = cells
    return table


def _grid(count: int) -> tuple[int, list[tuple[str, list[float], list[float]]]]:
    """Rows and, per panel, axis suffix and x/y domains of a grid with two columns."""
    cols = 1 if count == 1 else 2
    rows = math.ceil(count / cols)
    gap_x, gap_y = 0.08, min(0.12, 0.3 / rows)
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    panels = []
    for i in range(count):
        x0, top = (i % cols) * (width + gap_x), 1 - (i // cols) * (height + gap_y)
        y_domain = [max(0.0, round(top - height, 6)), round(top, 6)]
        panels.append(("" if i == 0 else str(i + 1), [round(x0, 6), round(x0 + width, 6)], y_domain))
    return rows, panels


def small_multiples(
    data: pd.DataFrame, areas: list[str], labels: dict[str, str], units: dict[str, str], city: str,
    counts: Collection[str] = (),
) -> go.Figure:  # fmt: skip
    """One panel per indicator over the years: a line per area (own colour AND marker symbol,
    named in the legend) and the city (area code ``city``) as a dashed black line, except for
    counts (keys in ``counts``: the city total would flatten the areas' lines; the panel title says
    so). Built from plain dicts (plotly's per-call validation would dominate the page's run time)."""
    names = dict(zip(data["area"], data["area_name"], strict=False))
    rows, panels = _grid(len(labels))
    traces: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "height": 320 * rows + 80,
        "margin": {"t": 70, "l": 10, "r": 10, "b": 10},
        "annotations": [],
    }
    for i, (key, (suffix, x_domain, y_domain)) in enumerate(zip(labels, panels, strict=True)):
        title = f"{labels[key]} ({units[key]})" if units.get(key) else labels[key]
        title += " – ohne Stadt (Summe)" if key in counts else ""
        layout[f"xaxis{suffix}"] = {"domain": x_domain, "anchor": f"y{suffix}", "tickformat": "d"}
        layout[f"yaxis{suffix}"] = {"domain": y_domain, "anchor": f"x{suffix}"}
        layout["annotations"].append({
            "text": "<br>".join(textwrap.wrap(title, 38)), "x": sum(x_domain) / 2, "y": y_domain[1],
            "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 13},
        })  # fmt: skip
        for j, code in enumerate([*areas] if key in counts else [*areas, city]):
            series = data[(data["indicator"] == key) & (data["area"] == code)].sort_values("period")
            is_city = code == city
            traces.append({
                "type": "scatter", "mode": "lines+markers", "x": series["period"].tolist(),
                "y": series["value"].tolist(), "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                "name": f"{names.get(code, code)} (Stadt)" if is_city else names.get(code, code),
                "legendgroup": code, "showlegend": i == 0, "connectgaps": False,
                "line": CITY_STYLE if is_city else {"color": COLOURS[j % len(COLOURS)]},
                "marker": {"symbol": "x" if is_city else SYMBOLS[j % len(SYMBOLS)], "size": 7},
                "customdata": series["display"].tolist(),
                "hovertemplate": "%{x}: %{customdata}<extra>%{fullData.name}</extra>",
            })  # fmt: skip
    return plotting.figure(traces, layout)


def comparison_summary(data: pd.DataFrame, areas: list[str], labels: dict[str, str], year: int) -> str:
    """Text summary of the small multiples: per indicator which chosen area is highest in ``year``."""
    rows = data[(data["period"] == year) & data["area"].isin(areas) & data["value"].notna()]
    parts = []
    for key, label in labels.items():
        part = rows[rows["indicator"] == key]
        if not part.empty:
            top = part.iloc[part["value"].argmax()]
            parts.append(f"„{label}“: {top['area_name']} ({top['display']})")
    head = f"{len(labels)} Indikatoren für {len(areas)} Gebiete und die Stadt über die Jahre."
    return head + (f" Höchster Wert {year} – " + "; ".join(parts) + "." if parts else "")


def series_table(data: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Long table behind the small multiples (German columns, displayed values)."""
    table = data[data["indicator"].isin(list(labels))].sort_values(["indicator", "area", "period"])
    return pd.DataFrame(
        {
            "Indikator": table["indicator"].map(labels),
            "Gebiet": table["area_name"],
            "Jahr": table["period"].astype(str),
            "Wert": table["display"],
        }
    )
