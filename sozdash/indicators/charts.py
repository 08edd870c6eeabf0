"""Map deck, ranking and time-series figures, their German text summaries and data tables for the
indicator explorer. Inputs are frames from :mod:`sozdash.indicators.explorer` (confidentiality applied)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from sqlalchemy import Engine

from sozdash.access.confidentiality import LABELS, PRIMARY_SYMBOL, SECONDARY_SYMBOL
from sozdash.core import fmt, maps, plotting, vocab
from sozdash.indicators import classify
from sozdash.indicators.explorer import (
    change_rows,
    change_unit,
    city_code,
    computed_label,
    formula_text,
    indicator_row,
    level_view,
    provenance,
    series,
)
from sozdash.indicators.reference import Reference, is_count, reference
from sozdash.indicators.sentences import rank_words
from sozdash.indicators.trends import DEFAULT_TOLERANCE
from sozdash.store import queries
from sozdash.store.cache import cached_query

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


def tooltips(view: pd.DataFrame, meta: Mapping[str, Any]) -> pd.Series:
    """Plain-text tooltip of each row of ``view``: name, value with unit, rank of N, city value, change."""
    unit, decimals = change_unit(str(meta["unit"])), int(meta["decimals"])
    withheld = view["value"].isna()
    ranked = view.loc[~withheld]
    value = pd.Series("", index=view.index, dtype=object)
    value[withheld] = "Wert: " + view.loc[withheld, "symbol"].map(_withheld_text).astype(str)
    words = [rank_words(r, n) for r, n in zip(ranked["rank"], ranked["n_ranked"], strict=True)]
    ranks = pd.Series(words, index=ranked.index, dtype=object)
    value[~withheld] = "Wert: " + ranked["display"].astype(str) + "\n" + ranks + " (1 = höchster Wert)"
    changed = view["change"].notna()
    change = pd.Series("", index=view.index, dtype=object)
    signed = view.loc[changed, "change"].map(lambda c: fmt.signed(c, decimals)).astype(str)
    change[changed] = (
        "\nVeränderung zu " + view.loc[changed, "previous_period"].astype(str) + ": "
        + (signed + f" {unit}").str.strip()
    )  # fmt: skip
    return view["name"].astype(str) + "\n" + value + "\nStadt: " + view["city_display"].astype(str) + change


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


def map_deck(
    view: pd.DataFrame, geometries: Mapping[str, dict[str, Any]], meta: Mapping[str, Any],
    classes: classify.Classes, deviation: bool, selected: str | None, *,
    frame_px: tuple[int, int] = maps.FRAME_PX, font_px: float = maps.LABEL_FONT_PX,
) -> pdk.Deck:  # fmt: skip
    """The choropleth fitted to a frame of ``frame_px``: class colours, grey for withheld/missing
    areas, the selection outlined, every area labelled with its name and shown value (so colour is
    not the only carrier) where the label fits, else with a number explained by ``maps.label_key``."""
    values = map_values(view, deviation).to_numpy(dtype=float)
    palette = np.array([*classes.colors, classify.SUPPRESSED_RGB, classify.MISSING_RGB], dtype=int)
    top = max(len(classes.bins) - 1, 0)
    index = np.minimum(np.searchsorted(np.asarray(classes.bins, dtype=float), values, side="left"), top)
    grey = np.where(
        view["symbol"].isin(list(LABELS)).to_numpy(), len(classes.colors), len(classes.colors) + 1
    )
    fills = np.c_[palette[np.where(np.isnan(values), grey, index)], np.full(len(view), 255)].tolist()
    styles = {
        area: maps.AreaStyle(fill=fill, tooltip=text, selected=area == selected)
        for area, fill, text in zip(view["area"], fills, tooltips(view, meta), strict=True)
    }
    names = dict(zip(view["area"], view["name"], strict=True))
    shown = set(view.loc[map_values(view, deviation).notna().to_numpy(), "area"])
    # Areas with a value drawn last: a combined area lies on its parts, and neither hides a value.
    ordered = dict(sorted(geometries.items(), key=lambda item: item[0] in shown))
    deck = maps.area_deck(ordered, styles, names, frame_px=frame_px)
    texts = dict(
        zip(view["area"], view["name"].astype(str) + "\n" + view["display"].astype(str), strict=True)
    )
    deck.layers.append(
        maps.label_layer(geometries, texts, deck.initial_view_state, frame_px=frame_px, font_px=font_px)
    )
    return deck


@cached_query
def level_map_deck(
    engine: Engine, key: str, year: int, level: str, method: str, k: int, deviation: bool, selected: str | None,
    frame_px: tuple[int, int],
) -> pdk.Deck:  # fmt: skip
    """``map_deck`` of the explorer's level view (``compared``) with ``map_classes``, cached by data
    version and parameters (building the deck of 1,000 areas costs far more than reading it back)."""
    meta = indicator_row(engine, key)
    view = compared_view(engine, key, year, level)
    classes, _legend = map_classes(view, meta, method, k, deviation)
    geometries = queries.area_geometries(engine, level)
    return map_deck(view, geometries, meta, classes, deviation, selected, frame_px=frame_px)


@cached_query
def compared_view(engine: Engine, key: str, year: int, level: str) -> pd.DataFrame:
    """``compared`` of the explorer's level view."""
    return compared(level_view(engine, key, year, level), indicator_row(engine, key))


class LevelPanels(NamedTuple):
    """What the Indikatoren page shows of one indicator on one level and year, besides the map."""

    legend: pd.DataFrame
    map_summary: str
    ranking: pd.DataFrame
    ranking_figure: go.Figure
    ranking_summary: str
    extremes: list[str]
    provenance: list[str]


@cached_query
def level_panels(
    engine: Engine, key: str, year: int, level: str, method: str, k: int, deviation: bool, selected: str | None
) -> LevelPanels:
    """Legend, summaries, ranking and sources of ``compared_view``, built once per choice (a rerun
    reads them back instead of computing them again)."""
    meta = indicator_row(engine, key)
    view = compared_view(engine, key, year, level)
    _classes, legend = map_classes(view, meta, method, k, deviation)
    batch_ids = [int(batch) for batch in view["batch_id"].dropna().unique()]
    return LevelPanels(
        legend=legend,
        map_summary=map_summary(view, meta, legend, deviation),
        ranking=ranking_table(view, meta),
        ranking_figure=ranking_figure(view, meta, selected),
        ranking_summary=ranking_summary(view, meta),
        extremes=extreme_areas(view),
        provenance=provenance(engine, batch_ids),
    )


class SeriesPanels(NamedTuple):
    """The time series of chosen areas with the city: figure, summary, table and changes."""

    figure: go.Figure
    summary: str
    table: pd.DataFrame
    changes: pd.DataFrame


@cached_query
def series_panels(engine: Engine, key: str, level: str, areas: tuple[str, ...], year: int) -> SeriesPanels:
    """``series_figure``, ``series_summary``, ``series_table`` and the changes up to ``year`` of
    ``areas`` and the city, built once per choice."""
    meta, frame, city = indicator_row(engine, key), series(engine, key, level), city_code(engine)
    chosen = list(areas)
    return SeriesPanels(
        figure=series_figure(frame, meta, chosen, city),
        summary=series_summary(frame, chosen, city),
        table=series_table(frame, chosen, city),
        changes=change_rows(frame, [*chosen, city], year, meta),
    )


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


def _reference(view: pd.DataFrame, meta: Mapping[str, Any]) -> Reference:
    city = view["city_value"].iloc[0] if not view.empty else None
    return reference(meta, view["value"], city)


def compared(view: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """``view`` (``explorer.level_view``) with its reference (``sozdash.indicators.reference``: the
    city value, for counts the mean of the areas) in ``reference``, ``reference_label`` and
    ``reference_display``, and ``deviation`` measured from it. Pass this to the map in
    deviation mode, so a count deviates from the areas' mean, never from the city total."""
    ref = _reference(view, meta)
    if ref.kind == "stadt":
        shown = str(view["city_display"].iloc[0])
    else:
        shown = fmt.value_with_unit(ref.value, str(meta["unit"]), int(meta["decimals"]))
    value = float("nan") if ref.value is None else ref.value
    return view.assign(
        reference=value, reference_label=ref.label, reference_display=shown, deviation=view["value"] - value
    )


def mode_labels(view: pd.DataFrame, meta: Mapping[str, Any]) -> dict[str, str]:
    """``MODES`` with the deviation named by its reference ("Abweichung vom Mittelwert der Gebiete")."""
    return MODES | {"abweichung": f"Abweichung vom {_reference(view, meta).label}"}


def ranking_summary(view: pd.DataFrame, meta: Mapping[str, Any]) -> str:
    """Extremes and the reference: "Den höchsten Wert hat … mit …, den niedrigsten … mit …;
    der Stadtwert liegt bei …. Über dem Stadtwert: 5 von 13 Gebieten."; for counts (and where a
    city value is missing) the mean of the areas is the reference, and a count's city total is
    named on its own ("Stadt insgesamt (Summe): …"), never compared."""
    view, ref = compared(view, meta), _reference(view, meta)
    city_known = not view.empty and view["city_display"].iloc[0] != fmt.MISSING
    count = is_count(meta)
    total = f" Stadt insgesamt (Summe): {view['city_display'].iloc[0]}." if count and city_known else ""
    extremes = _extremes(view)
    if extremes is None:
        city = (
            f"; der Stadtwert liegt bei {view['city_display'].iloc[0]}"
            if city_known
            else "; ein Stadtwert fehlt"
        )
        return (
            f"Für kein Gebiet kann ein Wert gezeigt werden{'' if count else city}.{total}"
            + _withheld_sentence(view)
        )
    high, low = extremes
    if ref.kind == "stadt":
        clause = f"der Stadtwert liegt bei {view['city_display'].iloc[0]}"
    else:
        mean = f"der Mittelwert der Gebiete liegt bei {view['reference_display'].iloc[0]}"
        clause = mean if count else f"ein Stadtwert fehlt, {mean}"
    above, shown = int((view["deviation"] > 0).sum()), int(view["value"].notna().sum())
    return (
        f"Den höchsten Wert hat {high['name']} mit {high['display']}, den niedrigsten {low['name']} mit "
        f"{low['display']}; {clause}. Über dem {ref.label}: {above} von {shown} Gebieten.{total}"
        + _withheld_sentence(view)
    )


def map_summary(view: pd.DataFrame, meta: Mapping[str, Any], legend: pd.DataFrame, deviation: bool) -> str:
    """What the map shows, in words, with the classes and how many areas each holds."""
    what = mode_labels(view, meta)["abweichung" if deviation else "werte"]
    classes = "; ".join(f"{row.Klasse}: {row.Gebiete}" for row in legend.itertuples())
    return f"Karte der {what} von „{meta['name']}“. Klassen (Anzahl Gebiete): {classes}. " + ranking_summary(
        view, meta
    )


def ranking_figure(view: pd.DataFrame, meta: Mapping[str, Any], selected: str | None) -> go.Figure:
    """Horizontal bars, highest value on top, the reference (``compared``: the city value, for
    counts the areas' mean) as a labelled line, the selected area marked by a pattern, outline and
    label (not only colour); withheld areas listed by symbol."""
    view = compared(view, meta)
    shown = view[view["value"].notna()].sort_values(["value", "name"], ascending=[True, False])
    withheld = view[view["value"].isna()]
    mark = shown["area"].isin([selected]).to_numpy()
    names = shown["name"].where(~mark, "▶ " + shown["name"] + " (ausgewählt)")
    # Two traces with one style each (per-bar style lists make plotly slow): the selected bar
    # differs by pattern and outline too, not only by colour. Built from plain dicts in one call
    # (each later ``update_*``/``add_*`` call copies and validates the figure again).
    bars = [
        {"type": "bar", "x": shown.loc[chosen, "value"].tolist(), "y": names[chosen].tolist(), "orientation": "h",
         "text": shown.loc[chosen, "display"].tolist(), "textposition": "outside", "name": str(meta["name"]),
         "hovertemplate": "%{y}: %{text}<extra></extra>",
         "marker": {"color": colour, "pattern": {"shape": shape, "fgcolor": "white"},
                    "line": {"color": "black", "width": width}}}
        for chosen, colour, shape, width in ((~mark, BAR_RGB, "", 0), (mark, SELECTED_BAR_RGB, "/", 3))
    ]  # fmt: skip
    city = view["reference"].iloc[0] if not view.empty else float("nan")
    shapes, notes = [], []
    if pd.notna(city):  # the reference line, as ``add_vline`` draws it
        shapes.append({"type": "line", "x0": city, "x1": city, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
                       "line": {"color": CITY_RGB, "dash": "dash"}})  # fmt: skip
        notes.append({"text": f"{view['reference_label'].iloc[0]}: {view['reference_display'].iloc[0]}",
                      "x": city, "xref": "x", "xanchor": "center", "y": 1, "yref": "y domain",
                      "yanchor": "bottom", "showarrow": False})  # fmt: skip
    notes += [
        {"x": 0, "y": name, "text": _withheld_text(symbol), "showarrow": False, "xanchor": "left"}
        for name, symbol in zip(withheld["name"], withheld["symbol"], strict=True)
    ]
    reach = [*shown["value"], city if pd.notna(city) else 0.0, 0.0]
    layout = {
        "title": {"text": f"{meta['name']} – Rangfolge"},
        "height": max(300, 28 * len(view) + 120),
        "xaxis": {"title": {"text": str(meta["unit"])}, "range": [min(reach) * 1.15, max(reach) * 1.15 or 1]},
        "yaxis": {"categoryorder": "array", "categoryarray": [*withheld["name"], *names]},
        "shapes": shapes,
        "annotations": notes,
        "barmode": "overlay",
        "showlegend": False,
        "separators": fmt.PLOTLY_SEPARATORS,
        "margin": {"l": 10, "r": 40, "t": 60, "b": 40},
    }  # fmt: skip  (the x range leaves room for the labels outside the bars)
    return plotting.figure(bars, layout)


def ranking_table(view: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """The ranking as a German table (withheld values only as their symbol), with the reference
    (``compared``) and the deviation from it, both named by the reference."""
    table = compared(view, meta).sort_values(["rank", "name"], na_position="last")
    label = _reference(view, meta).label
    previous = view["previous_period"].iloc[0] if not view.empty else None
    unit, decimals = change_unit(str(meta["unit"])), int(meta["decimals"])
    return pd.DataFrame({
        "Rang": [rank_words(r, n) or fmt.MISSING for r, n in zip(table["rank"], table["n_ranked"], strict=True)],
        "Gebiet": table["name"], "Wert": table["display"], label: table["reference_display"],
        f"Abweichung vom {label} ({unit})": [fmt.signed(d, decimals) for d in table["deviation"]],
        f"Veränderung zu {previous or '–'} ({unit})": table["change_display"],
        "Beispieldaten": ["ja" if d else "nein" for d in table["is_demo"]],
    })  # fmt: skip


def series_figure(
    series: pd.DataFrame, meta: Mapping[str, Any], areas: Sequence[str], city: str
) -> go.Figure:
    """Lines of the chosen areas and the city (thick black, dashed) over all periods; withheld
    periods are gaps, never zero; areas differ by line style and marker, not only colour."""
    decimals = int(meta["decimals"])
    traces = []
    for i, area in enumerate([*areas, city]):
        rows = series[series["area"].eq(area)].sort_values("period")
        if rows.empty:
            continue
        is_city = area == city
        traces.append({
            "type": "scatter", "x": rows["period"].tolist(), "y": rows["value"].round(decimals).tolist(),
            "mode": "lines+markers", "connectgaps": False,
            "name": f"{rows['area_name'].iloc[0]} (Stadt)" if is_city else rows["area_name"].iloc[0],
            "text": rows["display"].tolist(), "hovertemplate": "%{fullData.name} %{x}: %{text}<extra></extra>",
            "line": {"dash": "dash" if is_city else LINE_DASHES[i % len(LINE_DASHES)], "width": 4 if is_city else 2,
                     **({"color": CITY_RGB} if is_city else {})},
            "marker": {"symbol": i if not is_city else "square"},
        })  # fmt: skip
    layout = {
        "title": {"text": f"{meta['name']} im Zeitverlauf"}, "separators": fmt.PLOTLY_SEPARATORS,
        "xaxis": {"title": {"text": "Jahr (Stand 31.12.)"}, "dtick": 1, "tickformat": "d"},
        "yaxis": {"title": {"text": str(meta["unit"])}}, "legend": {"title": {"text": "Gebiet"}},
        "hovermode": "closest",
    }  # fmt: skip
    return plotting.figure(traces, layout)  # one step (each ``add_trace``/``update_*`` is another)


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
    table = rows.groupby(["period", "area_name"])["display"].first().unstack()
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
    lines += [f"- **Herkunft:** {fmt.plain(line)}" for line in provenance]
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


legend_styler = maps.legend_styler
