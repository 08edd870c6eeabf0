"""Map deck, ranking and time-series figures, their German text summaries and data tables for the
indicator explorer. Inputs are frames from :mod:`sozdash.indicators.explorer` (confidentiality applied)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from shapely.geometry import shape

from sozdash.access.confidentiality import LABELS, PRIMARY_SYMBOL, SECONDARY_SYMBOL
from sozdash.core import fmt, maps, vocab
from sozdash.indicators import classify
from sozdash.indicators.explorer import change_unit, computed_label, formula_text
from sozdash.indicators.trends import DEFAULT_TOLERANCE

BAR_RGB = "rgb(90, 110, 140)"
SELECTED_BAR_RGB = "rgb(20, 20, 20)"
CITY_RGB = "rgb(0, 0, 0)"
LINE_DASHES = ("solid", "dot", "dashdot", "longdash", "longdashdot")
_SYMBOLS = {"primary": PRIMARY_SYMBOL, "secondary": SECONDARY_SYMBOL}
MODES: dict[str, str] = {"werte": "Werte", "abweichung": "Abweichung vom Stadtwert"}
CHANGE_NOTE = (
    "Pfeil und Wort nennen Richtung und Bewertung; Änderungen unter "
    f"{fmt.number(DEFAULT_TOLERANCE * 100)} % des Ausgangswerts gelten als „etwa gleich“."
)


def _withheld_text(symbol: object) -> str:
    return f"{symbol} – {LABELS[symbol]}" if symbol in LABELS else "keine Daten"


def tooltip(row: pd.Series, meta: Mapping[str, Any]) -> str:
    """Plain-text tooltip: name, value with unit, rank of N, city value, change."""
    unit, decimals = str(meta["unit"]), int(meta["decimals"])
    lines = [str(row["name"])]
    if pd.isna(row["value"]):
        lines.append(f"Wert: {_withheld_text(row['symbol'])}")
    else:
        lines += [f"Wert: {row['display']}", f"Rang {row['rank']} von {row['n_ranked']} (1 = höchster Wert)"]
    lines.append(f"Stadt: {row['city_display']}")
    if pd.notna(row["change"]):
        change = f"{fmt.signed(row['change'], decimals)} {change_unit(unit)}".strip()
        lines.append(f"Veränderung zu {row['previous_period']}: {change}")
    return "\n".join(lines)


def map_values(view: pd.DataFrame, deviation: bool) -> pd.Series:
    """What the map classifies: the values, or their deviation from the city value."""
    return view["deviation"] if deviation else view["value"]


def map_classes(
    view: pd.DataFrame, meta: Mapping[str, Any], method: str, k: int, deviation: bool
) -> tuple[classify.Classes, pd.DataFrame]:
    """Classes of the shown values and the legend rows (class bounds in German format)."""
    values = map_values(view, deviation)
    classes = classify.classify(list(values), method, k, str(meta["polarity"]), diverging=deviation)
    unit = change_unit(str(meta["unit"])) if deviation else str(meta["unit"])
    labels = classify.class_labels(classes.bins, int(meta["decimals"]), unit, signed=deviation)
    return classes, classify.legend_rows(list(values), list(view["symbol"]), classes, labels)


def _label_point(geometry: dict[str, Any]) -> list[float]:
    point = shape(geometry).representative_point()
    return [round(point.x, 5), round(point.y, 5)]


def map_deck(
    view: pd.DataFrame, geometries: Mapping[str, dict[str, Any]], meta: Mapping[str, Any],
    classes: classify.Classes, deviation: bool, selected: str | None,
) -> pdk.Deck:  # fmt: skip
    """The choropleth: class colours, grey for withheld/missing areas, every area labelled with
    its name and shown value (so colour is not the only carrier), the selection outlined."""
    values = map_values(view, deviation)
    styles = {}
    for (_, row), value in zip(view.iterrows(), values, strict=True):
        index = classes.index(value)
        if index is not None:
            fill = classes.colors[index]
        else:
            fill = classify.SUPPRESSED_RGB if row["symbol"] in LABELS else classify.MISSING_RGB
        styles[row["area"]] = maps.AreaStyle(
            fill=[*fill, 255], tooltip=tooltip(row, meta), selected=row["area"] == selected
        )
    names = dict(zip(view["area"], view["name"], strict=True))
    shown = set(view.loc[values.notna().to_numpy(), "area"])
    # Areas with a value drawn last: a combined area lies on its parts, and neither hides a value.
    ordered = dict(sorted(geometries.items(), key=lambda item: item[0] in shown))
    deck = maps.area_deck(ordered, styles, names)
    labels = [
        {"position": _label_point(geometries[area]), "text": f"{name}\n{display}"}
        for area, name, display in zip(view["area"], view["name"], view["display"], strict=True)
        if area in geometries
    ]
    deck.layers.append(
        pdk.Layer(
            "TextLayer", labels, id="labels", get_position="position", get_text="text", get_size=11, font_family="'sans-serif'",
            get_color=[20, 20, 20], character_set="'auto'",
            background=True,
            get_background_color=[255, 255, 255, 190], pickable=False,
        )
    )  # fmt: skip
    return deck


def _extremes(view: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    shown = view[view["value"].notna()].sort_values(["value", "name"], ascending=[False, True])
    if shown.empty:
        return None
    return shown.iloc[0], shown.iloc[-1]


def _withheld_sentence(view: pd.DataFrame) -> str:
    """Areas without a shown value, grouped by reason, in words (no symbols: summaries are markdown)."""
    reasons = {
        "primary": "Geheim gehalten (Fallzahl zu klein)",
        "secondary": "Geheim gehalten (sonst aus der Summe errechenbar)",
    }
    withheld = view[view["value"].isna()]
    parts = []
    for reason, label in reasons.items():
        names = withheld.loc[withheld["symbol"].eq(_SYMBOLS[reason]), "name"]
        if not names.empty:
            parts.append(f"{label}: {', '.join(names)}.")
    missing = withheld.loc[~withheld["symbol"].isin(list(LABELS)), "name"]
    if not missing.empty:
        parts.append(f"Keine Daten: {', '.join(missing)}.")
    return "".join(f" {part}" for part in parts)


def ranking_summary(view: pd.DataFrame, meta: Mapping[str, Any]) -> str:
    """Extremes and city value: "Den höchsten Wert hat … mit …, den niedrigsten … mit …; …"."""
    extremes = _extremes(view)
    known = not view.empty and view["city_display"].iloc[0] != fmt.MISSING
    city = f"der Stadtwert liegt bei {view['city_display'].iloc[0]}" if known else "ein Stadtwert fehlt"
    if extremes is None:
        return f"Für kein Gebiet kann ein Wert gezeigt werden; {city}." + _withheld_sentence(view)
    high, low = extremes
    text = f"Den höchsten Wert hat {high['name']} mit {high['display']}, den niedrigsten {low['name']} mit {low['display']}; {city}."
    if pd.notna(view["city_value"].iloc[0]):
        above = int((view["deviation"] > 0).sum())
        text += f" Über dem Stadtwert: {above} von {int(view['value'].notna().sum())} Gebieten."
    return text + _withheld_sentence(view)


def map_summary(view: pd.DataFrame, meta: Mapping[str, Any], legend: pd.DataFrame, deviation: bool) -> str:
    """What the map shows, in words, with the classes and how many areas each holds."""
    what = "Abweichung vom Stadtwert" if deviation else "Werte"
    classes = "; ".join(f"{row.Klasse}: {row.Gebiete}" for row in legend.itertuples())
    return (
        f"Karte der {what} von „{meta['name']}“. Klassen (Anzahl Gebiete): {classes}. "
        + ranking_summary(view, meta)
    )


def ranking_figure(view: pd.DataFrame, meta: Mapping[str, Any], selected: str | None) -> go.Figure:
    """Horizontal bars, highest value on top, the city value as a reference line, the selected
    area marked by a pattern, outline and label (not only colour); withheld areas listed by symbol."""
    shown = view[view["value"].notna()].sort_values(["value", "name"], ascending=[True, False])
    withheld = view[view["value"].isna()]
    mark = shown["area"].isin([selected])
    names = [f"▶ {n} (ausgewählt)" if m else n for n, m in zip(shown["name"], mark, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=shown["value"], y=names, orientation="h", text=shown["display"], textposition="outside",
            marker={
                "color": [SELECTED_BAR_RGB if m else BAR_RGB for m in mark],
                "pattern": {"shape": ["/" if m else "" for m in mark], "fgcolor": "white"},
                "line": {"color": "black", "width": [3 if m else 0 for m in mark]},
            },
            hovertemplate="%{y}: %{text}<extra></extra>", name=str(meta["name"]),
        )
    )  # fmt: skip
    city = view["city_value"].iloc[0] if not view.empty else float("nan")
    if pd.notna(city):
        fig.add_vline(
            x=city, line_dash="dash", line_color=CITY_RGB,
            annotation_text=f"Stadt: {view['city_display'].iloc[0]}", annotation_position="top",
        )  # fmt: skip
    for row in withheld.itertuples():
        fig.add_annotation(
            x=0,
            y=row.name,
            text=_withheld_text(row.symbol),
            showarrow=False,
            xanchor="left",
        )
    fig.update_yaxes(categoryorder="array", categoryarray=list(withheld["name"]) + names)
    reach = [*shown["value"], city if pd.notna(city) else 0.0, 0.0]
    fig.update_xaxes(
        range=[min(reach) * 1.15, max(reach) * 1.15 or 1]
    )  # room for the labels outside the bars
    fig.update_layout(
        title=f"{meta['name']} – Rangfolge", xaxis_title=str(meta["unit"]), yaxis_title=None,
        height=max(300, 28 * len(view) + 120), showlegend=False, separators=fmt.PLOTLY_SEPARATORS,
        margin={"l": 10, "r": 40, "t": 60, "b": 40},
    )  # fmt: skip
    return fig


def ranking_table(view: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """The ranking as a German table (withheld values only as their symbol)."""
    table = view.sort_values(["rank", "name"], na_position="last")
    previous = view["previous_period"].iloc[0] if not view.empty else None
    unit, decimals = change_unit(str(meta["unit"])), int(meta["decimals"])
    return pd.DataFrame({
        "Rang": [fmt.MISSING if pd.isna(r) else f"{r} von {n}" for r, n in zip(table["rank"], table["n_ranked"], strict=True)],
        "Gebiet": table["name"], "Wert": table["display"], "Stadtwert": table["city_display"],
        f"Abweichung vom Stadtwert ({unit})": [fmt.signed(d, decimals) for d in table["deviation"]],
        f"Veränderung zu {previous or '–'} ({unit})": table["change_display"],
        "Beispieldaten": ["ja" if d else "nein" for d in table["is_demo"]],
    })  # fmt: skip


def series_figure(
    series: pd.DataFrame, meta: Mapping[str, Any], areas: Sequence[str], city: str
) -> go.Figure:
    """Lines of the chosen areas and the city (thick black, dashed) over all periods; withheld
    periods are gaps, never zero; areas differ by line style and marker, not only colour."""
    fig = go.Figure()
    decimals = int(meta["decimals"])
    for i, area in enumerate([*areas, city]):
        rows = series[series["area"].eq(area)].sort_values("period")
        if rows.empty:
            continue
        is_city = area == city
        fig.add_trace(
            go.Scatter(
                x=rows["period"], y=rows["value"].round(decimals), mode="lines+markers",
                name=f"{rows['area_name'].iloc[0]} (Stadt)" if is_city else rows["area_name"].iloc[0],
                text=rows["display"], hovertemplate="%{fullData.name} %{x}: %{text}<extra></extra>",
                line={"dash": "dash" if is_city else LINE_DASHES[i % len(LINE_DASHES)], "width": 4 if is_city else 2,
                      **({"color": CITY_RGB} if is_city else {})},
                marker={"symbol": i if not is_city else "square"}, connectgaps=False,
            )
        )  # fmt: skip
    fig.update_layout(
        title=f"{meta['name']} im Zeitverlauf", xaxis_title="Jahr (Stand 31.12.)", yaxis_title=str(meta["unit"]),
        separators=fmt.PLOTLY_SEPARATORS, legend_title_text="Gebiet", hovermode="closest",
    )  # fmt: skip
    fig.update_xaxes(dtick=1, tickformat="d")
    return fig


def series_summary(series: pd.DataFrame, areas: Sequence[str], city: str) -> str:
    """One sentence per area: first and last shown value with their years."""
    parts = []
    for area in [*areas, city]:
        rows = series[series["area"].eq(area) & series["value"].notna()].sort_values("period")
        if rows.empty:
            continue
        first, last = rows.iloc[0], rows.iloc[-1]
        who = "die Stadt" if area == city else first["area_name"]
        parts.append(
            f"{who} von {computed_label(first)} ({first['period']}) auf {computed_label(last)} ({last['period']})"
        )
    if not parts:
        return "Für die gewählten Gebiete liegen keine zeigbaren Werte vor."
    return "Entwicklung: " + "; ".join(parts) + "."


def series_table(series: pd.DataFrame, areas: Sequence[str], city: str) -> pd.DataFrame:
    """Periods as rows, areas as columns, German text values (withheld as symbol)."""
    rows = series[series["area"].isin([*areas, city])]
    table = rows.pivot_table(index="period", columns="area_name", values="display", aggfunc="first")
    table = table.reset_index().rename(columns={"period": "Jahr"})
    table.columns.name = None
    return table.fillna(fmt.MISSING)


def metadata_markdown(meta: Mapping[str, Any], year: int, provenance: Sequence[str]) -> str:
    """Name, definition, formula, unit, source, as-of date and import batches as markdown."""
    formula = formula_text(meta["numerator_definition"], meta["denominator_definition"], meta["scale"])
    lines = [
        f"**{fmt.plain(meta['name'])}**\n",
        f"- **Definition:** {fmt.plain(meta['definition'])}",
        f"- **Formel:** {fmt.plain(formula)}",
        f"- **Einheit:** {fmt.plain(meta['unit'])}",
        f"- **Richtung:** {vocab.POLARITY.get(str(meta['polarity']), meta['polarity'])}",
        f"- **Quelle:** {fmt.plain(meta['source'])}",
        f"- **Stand:** 31.12.{year}",
        f"- **Aggregation:** {vocab.AGGREGATION.get(str(meta['aggregation']), meta['aggregation'])}",
    ]
    if pd.notna(meta.get("suppression_threshold")):
        lines.append(
            f"- **Geheimhaltung:** Fallzahlen unter {int(meta['suppression_threshold'])} werden nicht gezeigt (*); "
            "ist in einem Bezirk nur ein Wert geheim, wird auch der kleinste Nachbarwert verborgen (.)."
        )
    lines += [f"- **Importstapel:** {fmt.plain(line)}" for line in provenance]
    return "\n".join(lines)


def extreme_areas(view: pd.DataFrame) -> list[str]:
    """Codes of the areas with the highest and the lowest shown value (default comparison)."""
    extremes = _extremes(view)
    return [] if extremes is None else list(dict.fromkeys([extremes[0]["area"], extremes[1]["area"]]))


def clicked_area(event: Mapping[str, Any] | None) -> str | None:
    """The area code of the object picked in ``st.pydeck_chart(..., on_select="rerun")``."""
    objects = ((event or {}).get("selection") or {}).get("objects") or {}
    picked = objects.get("areas") or []
    if not picked:
        return None
    feature = picked[0]
    return (feature.get("properties") or feature).get("code")


def legend_styler(legend: pd.DataFrame) -> pd.io.formats.style.Styler:
    """The legend table with a colour swatch in the ``Farbe`` column."""
    swatches = [f"background-color: rgb({r}, {g}, {b})" for r, g, b in legend["Farbe"]]
    table = legend.assign(Farbe="")[["Farbe", "Klasse", "Gebiete"]]
    return table.style.apply(lambda _: swatches, subset=["Farbe"])
