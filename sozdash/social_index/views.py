"""What the index pages show: maps, legends, matrix and tables in German (no Streamlit here)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import pandas as pd
import pydeck as pdk
from pandas.io.formats.style import Styler
from sqlalchemy import Engine

from sozdash.access.visibility import public_rows
from sozdash.core import fmt, maps
from sozdash.core.maps import AreaStyle
from sozdash.core.vocab import LEBENSLAGEN
from sozdash.social_index.compute import (
    DYNAMICS_CLASSES,
    NOT_RATED,
    NOT_RATED_LABEL,
    STATUS_CLASSES,
    IndexConfig,
    IndexResult,
    matrix,
)
from sozdash.social_index.snapshots import IndexSource, result_of
from sozdash.store import queries
from sozdash.store.cache import cached_query

# Neutral, non-stigmatising colours (no red/green): status in steps of one blue-grey hue (darker =
# lower status), dynamics blue / light grey / ochre. The class word is always written beside them.
STATUS_COLOURS: dict[str, tuple[int, int, int]] = {
    "hoch": (222, 232, 243), "mittel": (164, 190, 219), "niedrig": (92, 126, 171),
    "sehr_niedrig": (42, 63, 107),
}  # fmt: skip
DYNAMICS_COLOURS: dict[str, tuple[int, int, int]] = {
    "positiv": (76, 120, 168), "stabil": (215, 215, 210), "negativ": (196, 146, 64),
}  # fmt: skip
NOT_RATED_COLOUR = (250, 250, 250)
INDEX_FRAME_PX = (480, 360)
"""Map frame of the Sozialindex page: one of two columns at 1440 px screen width; 360 px high so that
both maps with their area names fit above the fold of a 1440 × 900 laptop screen."""
ATTENTION_MARK = "!"
ATTENTION_LEGEND = "! und dicker Rand: besonderer Aufmerksamkeitsbedarf"
NEAR_AVERAGE = 0.5
"""Up to this many standard deviations around the areas' average a (sub-)index reads „etwa durchschnittlich“."""
KINDS = {"status": (STATUS_CLASSES, STATUS_COLOURS), "dynamics": (DYNAMICS_CLASSES, DYNAMICS_COLOURS)}

LOCAL_KNOWLEDGE_SHORT = (
    "**Ein Index ersetzt keine Ortskenntnis:** er vergleicht die Gebiete, erklärt aber nicht, warum."
)
"""One line above the maps; :data:`LOCAL_KNOWLEDGE_NOTE` in full under „Wie berechnet?“."""
LOCAL_KNOWLEDGE_NOTE = (
    "**Ein Index ersetzt keine Ortskenntnis.** Er fasst ausgewählte Indikatoren zu einer Zahl "
    "zusammen und zeigt nur, wie ein Stadtteil im Vergleich zu den anderen dasteht – nicht, warum, "
    "und nichts über die Menschen dort. Lesen Sie ihn zusammen mit den Fachleuten vor Ort, den "
    "Einzelindikatoren und der Methode."
)


def class_label(kind: str, key: str) -> str:
    """``status``/``dynamics`` class key → German label (``nicht bewertet`` for unrated)."""
    return KINDS[kind][0].get(key, NOT_RATED_LABEL)


def class_deck(
    result: IndexResult, geometries: Mapping[str, dict[str, Any]], kind: str, *,
    frame_px: tuple[int, int] = INDEX_FRAME_PX, font_px: float = maps.LABEL_FONT_PX,
) -> pdk.Deck:  # fmt: skip
    """Map of status or dynamics classes fitted to ``frame_px``: area names placed by available
    space (numbers and a key where they do not fit), areas with besonderem Aufmerksamkeitsbedarf
    marked by ``!`` and a thick outline (:data:`ATTENTION_LEGEND`); the tooltip names the class and
    the rank."""
    colours = KINDS[kind][1]
    column = "status" if kind == "status" else "dynamics"
    places = dict(zip(result.areas["area"], ranks(result.areas[f"{column}_index"]), strict=True))
    styles: dict[str, AreaStyle] = {}
    for row in result.areas.to_dict("records"):
        key = row[f"{column}_class"]
        detail = places[row["area"]] if key != NOT_RATED else row["reason"] or "keine Werte"
        attention = "; besonderer Aufmerksamkeitsbedarf" if row["attention"] else ""
        styles[row["area"]] = AreaStyle(
            fill=[*colours.get(key, NOT_RATED_COLOUR), 235], selected=bool(row["attention"]),
            tooltip=f"{row['name']}: {class_label(kind, key)} ({detail}){attention}",
        )  # fmt: skip
    names = dict(zip(result.areas["area"], result.areas["name"], strict=True))
    deck = maps.area_deck(geometries, styles, names, layer_id=f"index-{kind}", frame_px=frame_px)
    marks = dict(zip(result.areas["area"], result.areas["attention"].map({True: ATTENTION_MARK, False: ""}), strict=True))
    deck.layers.append(
        maps.label_layer(geometries, names, deck.initial_view_state, frame_px=frame_px, font_px=font_px, marks=marks)
    )
    return deck


class IndexPanels(NamedTuple):
    """What the page Sozialindex shows of one result: the summary sentence, per kind (status,
    dynamics) its deck and the key of the areas shown by a number (none without shapes), the matrix
    and ``overview``."""

    summary: str
    maps: dict[str, tuple[pdk.Deck, pd.DataFrame]]
    matrix: pd.DataFrame
    overview: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


@cached_query
def index_panels(engine: Engine, source: IndexSource) -> IndexPanels:
    """``IndexPanels`` of the index result ``source``, built once per result and data."""
    result = result_of(engine, source)
    geometries = queries.area_geometries(engine, result.config.level)
    decks = {kind: class_deck(result, geometries, kind) for kind in KINDS} if geometries else {}
    return IndexPanels(
        summary(result), {kind: (deck, maps.label_key(deck)) for kind, deck in decks.items()},
        matrix_table(result), overview(result),
    )  # fmt: skip


def legend_frame(result: IndexResult, kind: str) -> pd.DataFrame:
    """Legend rows: ``Farbe`` (RGB), class word and number of areas (the same columns as the
    indicator map's legend)."""
    classes, colours = KINDS[kind]
    counts = result.areas[f"{'status' if kind == 'status' else 'dynamics'}_class"].value_counts()
    keys = [*classes, NOT_RATED]
    return pd.DataFrame({
        "Farbe": [colours.get(k, NOT_RATED_COLOUR) for k in keys], "Klasse": [class_label(kind, k) for k in keys],
        "Gebiete": [int(counts.get(k, 0)) for k in keys],
    })  # fmt: skip


def legend(result: IndexResult, kind: str) -> Styler:
    """Legend with colour swatch, class word and number of areas (information not by colour alone)."""
    return maps.legend_styler(legend_frame(result, kind))


def legend_entries(result: IndexResult, kind: str) -> list[tuple[str, tuple[int, ...]]]:
    """(label, RGB) per class with its number of areas, then the mark for besonderen
    Aufmerksamkeitsbedarf (white swatch: the mark is the ``!`` and the outline, not a colour)."""
    marked = int(result.areas["attention"].sum())
    return [*maps.legend_entries(legend_frame(result, kind)), (f"{ATTENTION_LEGEND} ({marked})", (255, 255, 255))]


def matrix_table(result: IndexResult) -> pd.DataFrame:
    """The 4 × 3 matrix with German labels; each cell lists its areas (``–`` when empty)."""
    cells = matrix(result).map(lambda names: ", ".join(names) or fmt.MISSING)
    cells.index = [STATUS_CLASSES[k] for k in cells.index]
    cells.columns = [DYNAMICS_CLASSES[k] for k in cells.columns]
    return cells.rename_axis("Status \\ Dynamik").reset_index()


def ranks(values: pd.Series) -> list[str]:
    """``Rang 2 von 13`` per value (1 = the most favourable, i.e. the highest index; ties share the
    better rank); missing values (areas not rated) → ``–``."""
    rank = values.rank(ascending=False, method="min")
    total = int(values.notna().sum())
    return [fmt.MISSING if math.isnan(r) else f"Rang {int(r)} von {total}" for r in rank]


def standing(value: float, config: IndexConfig) -> str:
    """A standardised (sub-)index in words, compared with the average of the areas: ``deutlich``
    from the definition's status cut-offs on (so a Handlungsbedarf is always „deutlich
    ungünstiger“), ``etwa durchschnittlich`` within :data:`NEAR_AVERAGE` of it."""
    if math.isnan(value):
        return fmt.MISSING
    near = min(NEAR_AVERAGE, config.status_high, -config.status_low)
    if value >= config.status_high:
        return "deutlich günstiger als der Durchschnitt"
    if value >= near:
        return "günstiger als der Durchschnitt"
    if value > -near:
        return "etwa durchschnittlich"
    if value >= config.status_low:
        return "ungünstiger als der Durchschnitt"
    return "deutlich ungünstiger als der Durchschnitt"


def figure(value: float) -> str:
    """An index value with its sign and two decimals; a value that rounds to zero is ``0,00`` (no
    ``−0,00``)."""
    return fmt.signed(0.0 if round(value, 2) == 0 else value, 2)


def overview(result: IndexResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per area: (shown table in words and ranks, the exact figures for „Wie berechnet?“, export
    table with numbers)."""
    subs = result.lebenslagen.pivot(index="area", columns="lebenslage", values="sub_index")
    subs = subs[[lage for lage in LEBENSLAGEN if lage in subs.columns]]
    areas = result.areas.set_index("area").sort_values("name")
    export = pd.DataFrame({
        "Gebiet": areas["name"], "Einwohner": areas["population"],
        "Status": [class_label("status", k) for k in areas["status_class"]], "Statusindex": areas["status_index"],
        "Dynamik": [class_label("dynamics", k) for k in areas["dynamics_class"]],
        "Dynamikindex": areas["dynamics_index"],
        "Besonderer Aufmerksamkeitsbedarf": areas["attention"].map({True: "ja", False: "nein"}),
        **{f"Teilindex {LEBENSLAGEN[lage]}": subs[lage].reindex(areas.index) for lage in subs.columns},
        "Hinweis": areas["reason"],
    })  # fmt: skip
    words = {LEBENSLAGEN[lage]: [standing(v, result.config) for v in subs[lage].reindex(areas.index)]
             for lage in subs.columns}  # fmt: skip
    shown = pd.DataFrame({
        "Gebiet": export["Gebiet"], "Status": export["Status"], "Rang Status": ranks(export["Statusindex"]),
        "Dynamik": export["Dynamik"], "Rang Dynamik": ranks(export["Dynamikindex"]),
        "Besonderer Aufmerksamkeitsbedarf": export["Besonderer Aufmerksamkeitsbedarf"],
        **words, "Einwohner": export["Einwohner"].map(fmt.number),
        "Hinweis": export["Hinweis"].map(lambda v: fmt.text(v, "")),
    })  # fmt: skip
    figures = export.drop(columns=["Status", "Dynamik", "Besonderer Aufmerksamkeitsbedarf", "Hinweis"])
    figures["Einwohner"] = figures["Einwohner"].map(fmt.number)
    for column in figures.columns[2:]:
        figures[column] = figures[column].map(lambda v: fmt.MISSING if math.isnan(v) else figure(v))
    return shown, figures, export


def cut_offs(config: IndexConfig) -> str:
    """The classes' cut-offs in standard deviations, one German sentence (for „Wie berechnet?“)."""
    return (
        "Die Indexwerte sind in Standardabweichungen vom Durchschnitt der bewerteten Gebiete angegeben "
        f"(positiv = günstiger). Status hoch ab {fmt.signed(config.status_high, 1)}, niedrig unter "
        f"{fmt.signed(config.status_low, 1)}, sehr niedrig unter {fmt.signed(config.status_very_low, 1)}; "
        f"Dynamik positiv ab {fmt.signed(config.dynamics_cutoff, 1)}, negativ ab "
        f"{fmt.signed(-config.dynamics_cutoff, 1)}. In Worten „deutlich“ ab den Schwellen des Status, "
        f"„etwa durchschnittlich“ bis {fmt.number(min(NEAR_AVERAGE, config.status_high, -config.status_low), 1)} "
        "Standardabweichungen um den Durchschnitt."
    )


def summary(result: IndexResult) -> str:
    """One German sentence on the distribution of classes and the attention areas."""
    rated = result.areas[result.areas["rated"]]
    attention = sorted(result.areas.loc[result.areas["attention"], "name"])
    text = (
        f"{len(rated)} von {len(result.areas)} Gebieten bewertet (Bezugsjahr {result.year}, Dynamik "
        f"{result.base_year}–{result.year}). "
    )
    if attention:
        return text + f"Besonderer Aufmerksamkeitsbedarf: {', '.join(attention)}."
    return text + "Kein Gebiet mit besonderem Aufmerksamkeitsbedarf."


def parameter_table(config: IndexConfig, catalogue: pd.DataFrame, levels: Mapping[str, str]) -> pd.DataFrame:
    """The parameters of a definition and its indicators with weights, in German (level names
    from the city's ``levels``, key → name)."""
    names = catalogue.set_index("key").to_dict("index")
    rows = [
        ("Gebietsebene", levels.get(config.level, config.level)),
        ("Bezugsjahr (Vorgabe)", str(config.reference_year)),
        ("Zeitraum der Dynamik", f"{config.span} Jahre"),
        ("Mindest-Einwohnerzahl", fmt.number(config.min_population)),
        ("Mindestanteil vorhandener Werte", f"{fmt.number(config.min_coverage * 100)} % des Gewichts"),
        ("Status hoch", f"Z ≥ {fmt.signed(config.status_high, 1)}"),
        ("Status mittel", f"{fmt.signed(config.status_low, 1)} ≤ Z < {fmt.signed(config.status_high, 1)}"),
        ("Status niedrig", f"{fmt.signed(config.status_very_low, 1)} ≤ Z < {fmt.signed(config.status_low, 1)}"),
        ("Status sehr niedrig", f"Z < {fmt.signed(config.status_very_low, 1)}"),
        ("Dynamik positiv / negativ", f"D ≥ {fmt.signed(config.dynamics_cutoff, 1)} / D ≤ {fmt.signed(-config.dynamics_cutoff, 1)}"),
    ]  # fmt: skip
    rows += [
        (f"Indikator: {names[k]['name']}", f"{LEBENSLAGEN[names[k]['lebenslage']]}, Gewicht {fmt.number(w, 1)}, "
         f"{'höher ist besser' if names[k]['polarity'] == 'higher_better' else 'höher ist schlechter'}")
        for k, w in config.indicators.items() if k in names
    ]  # fmt: skip
    hidden = sum(k not in names for k in config.indicators)
    if hidden:
        rows.append(("Weitere Indikatoren", f"{'einer' if hidden == 1 else hidden} nicht öffentlich (nur für "
                     "Mitarbeitende der Verwaltung sichtbar)"))  # fmt: skip
    return pd.DataFrame(rows, columns=["Parameter", "Wert"])


class MethodPanels(NamedTuple):
    """What the page Methode shows of one result: its parameters, the areas not rated and the
    worked example for one area (table and steps)."""

    parameters: pd.DataFrame
    excluded: pd.DataFrame
    example: pd.DataFrame
    steps: list[str]


@cached_query
def method_panels(engine: Engine, source: IndexSource, area: str, public_only: bool) -> MethodPanels:
    """``MethodPanels`` of the index result ``source`` for ``area``, with the indicators a public
    reader (``public_only``) or staff may see; built once per choice and data."""
    result = result_of(engine, source)
    catalogue = public_rows(queries.indicators(engine), public_only)
    example, steps = worked_example(result, area, catalogue)
    return MethodPanels(
        parameter_table(result.config, catalogue, queries.area_levels(engine)), not_rated(result), example, steps
    )


def not_rated(result: IndexResult) -> pd.DataFrame:
    """Areas that are not rated and why."""
    rows = result.areas[~result.areas["rated"]]
    return pd.DataFrame({
        "Gebiet": rows["name"], "Einwohner": rows["population"].map(fmt.number), "Grund": rows["reason"],
    })  # fmt: skip


def worked_example(result: IndexResult, area: str, catalogue: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Step by step for one area: per indicator raw value → mean/SD → z → sign → score, then the
    sub-indices and the classes as German sentences."""
    name_of = dict(zip(catalogue["key"], catalogue["name"], strict=True))
    own_rows = result.contributions[result.contributions["area"] == area]
    rows = own_rows[own_rows["indicator"].isin(name_of)]  # without the indicators the reader may not see
    hidden = own_rows["indicator"].nunique() - rows["indicator"].nunique()
    table = pd.DataFrame({
        "Indikator": [name_of[k] for k in rows["indicator"]],
        "Lebenslage": [LEBENSLAGEN[lage] for lage in rows["lebenslage"]],
        "Wert x": [fmt.number(v, 2) for v in rows["value"]],
        "Mittel der Gebiete": [fmt.number(v, 2) for v in rows["mean"]],
        "Standardabweichung": [fmt.number(v, 2) for v in rows["sd"]],
        "z = (x − Mittel) / SD": [figure(v) for v in rows["z"]],
        "Richtung": ["+1 (höher besser)" if s > 0 else "−1 (höher schlechter)" for s in rows["sign"]],
        "Beitrag = Richtung · z": [figure(v) for v in rows["score"]],
        "Gewicht": [fmt.number(w, 1) for w in rows["weight"]],
    })  # fmt: skip
    areas = result.areas
    row = areas[areas["area"] == area].iloc[0]
    steps = [
        ("Ein nicht öffentlicher Indikator geht" if hidden == 1 else f"{hidden} nicht öffentliche Indikatoren gehen")
        + " ebenfalls in den Index ein; die Werte sind nur für Mitarbeitende der Verwaltung sichtbar."
    ] if hidden else []  # fmt: skip
    for lage, group in result.lebenslagen.groupby("lebenslage", observed=True):
        own = group[group["area"] == area].iloc[0]
        steps.append(
            f"Teilindex {LEBENSLAGEN[str(lage)]}: "
            + _restandardised(own["raw"], group["raw"], own["sub_index"])
        )
    if not row["rated"]:
        return table, [*steps, f"{row['name']} ist nicht bewertet: {row['reason']}."]
    return table, [
        *steps,
        "Statusindex: "
        + _restandardised(row["status_raw"], areas["status_raw"], row["status_index"])
        + f" → {class_label('status', row['status_class'])}.",
        f"Dynamikindex (dieselben Schritte mit der Veränderung {result.base_year}–{result.year}): "
        + _restandardised(row["dynamics_raw"], areas["dynamics_raw"], row["dynamics_index"])
        + f" → {class_label('dynamics', row['dynamics_class'])}.",
        "Besonderer Aufmerksamkeitsbedarf: " + ("ja." if row["attention"] else "nein."),
    ]


def _restandardised(raw: float, all_raw: pd.Series, result: float) -> str:
    """``gewichtetes Mittel = r; Gebiete: Mittel m, SD s → (r − m) / s = z`` in German."""
    if math.isnan(raw):
        return "zu wenige Werte"
    mean, sd = all_raw.mean(), all_raw.std(ddof=0)
    subtracted = figure(mean) if round(mean, 2) >= 0 else f"({figure(mean)})"
    return (
        f"gewichtetes Mittel der Beiträge {figure(raw)}; über die Gebiete Mittel {figure(mean)}, "
        f"SD {fmt.number(sd, 2)} → ({figure(raw)} − {subtracted}) / {fmt.number(sd, 2)} = {figure(result)}"
    )


def weights_frame(config: IndexConfig, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Editable table of every indicator that can enter an index, pre-filled from ``config``."""
    usable = catalogue[
        catalogue["polarity"].isin(["higher_better", "higher_worse"]) & (catalogue["aggregation"] != "sum")
    ]
    return pd.DataFrame({
        "Aufnehmen": [k in config.indicators for k in usable["key"]],
        "Indikator": usable["name"].to_numpy(), "Schlüssel": usable["key"].to_numpy(),
        "Lebenslage": [LEBENSLAGEN[lage] for lage in usable["lebenslage"]],
        "Gewicht": [float(config.indicators.get(k, 1.0)) for k in usable["key"]],
    })  # fmt: skip


def config_from_form(edited: pd.DataFrame, **parameters: float | str) -> IndexConfig:
    """An ``IndexConfig`` from the edited weights table and the form's parameters."""
    chosen = edited[edited["Aufnehmen"].fillna(False).astype(bool)]
    weights = pd.to_numeric(chosen["Gewicht"], errors="coerce")
    if weights.isna().any():
        raise ValueError("Bitte geben Sie für jeden gewählten Indikator ein Gewicht an.")
    return IndexConfig.from_json(
        {"indicators": dict(zip(chosen["Schlüssel"], weights, strict=True)), **parameters}
    )
