"""Similar areas (as CoSI's "Vergleichbare Gebiete"): nearest areas in standardised distance.

Each chosen indicator is standardised across the areas of the reference's level and year
(z = (x − mean) / sd, population sd with ddof 0), so that every indicator weighs the same
whatever its unit; the distance between two areas is the Euclidean distance of their z values,
sqrt(Σ (z_a − z_ref)²). Indicators without spread (sd 0) are left out; areas lacking a
published value for a chosen indicator (missing or withheld) are not compared.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Engine

from sozdash.access.confidentiality import apply_confidentiality
from sozdash.core import fmt
from sozdash.indicators.explorer import parent_map
from sozdash.indicators.sentences import rank_words
from sozdash.store import queries
from sozdash.store.cache import cached_query

SUMMARY = (
    "Die Gebiete derselben Ebene, deren Werte bei den {k} gewählten Indikatoren im Jahr {year} denen von "
    "{name} am nächsten kommen; Rang 1 ist das ähnlichste Gebiet."
)
"""The visible explanation, in words (``k`` indicators, ``year``, the reference's ``name``)."""
EXPLANATION = (
    "Jeder Indikator wird über die Gebiete standardisiert (z = (Wert − Mittelwert) ÷ Standardabweichung), "
    "damit jeder gleich zählt, egal in welcher Einheit. Der Abstand ist die euklidische Distanz dieser "
    "z-Werte über die gewählten Indikatoren: 0 heißt gleiche Werte, 1 entspricht etwa einer "
    "Standardabweichung Unterschied bei einem Indikator – je kleiner, desto ähnlicher. Gebiete ohne "
    "veröffentlichten Wert bei einem gewählten Indikator werden nicht verglichen."
)
"""The exact method, for "Wie berechnet?"."""
REFERENCE_ROW = "Referenzgebiet"


def standardise(values: pd.DataFrame) -> pd.DataFrame:
    """z values per column (areas × indicators); columns without spread are dropped."""
    sd = values.std(ddof=0)
    keep = sd[sd > 0].index
    return (values[keep] - values[keep].mean()) / sd[keep]


def nearest(values: pd.DataFrame, reference: str, limit: int = 5) -> pd.DataFrame:
    """The ``limit`` areas closest to ``reference``: columns ``area``, ``distance``.

    ``values``: one row per area (index: area code), one column per indicator; rows with a
    missing value are not compared (they are dropped before standardising).
    """
    complete = values.dropna()
    if reference not in complete.index or len(complete) < 2:
        return pd.DataFrame(columns=["area", "distance"])
    z = standardise(complete)
    distance = ((z - z.loc[reference]) ** 2).sum(axis=1).map(math.sqrt).drop(reference)
    result = distance.sort_values(kind="stable").head(limit)
    return pd.DataFrame({"area": result.index, "distance": result.to_numpy()})


@cached_query
def similar_areas(
    engine: Engine, reference: str, indicators: tuple[str, ...], year: int, limit: int = 5
) -> pd.DataFrame:
    """Nearest areas of the reference's level in ``year`` over ``indicators`` (cached), with
    German columns Gebiet, Ähnlichkeit ("Rang 1 von 12"), Abstand (the exact figure) and the
    displayed values."""
    areas = queries.areas(engine)
    level = areas.loc[areas["code"] == reference, "level"].iloc[0]
    parent_of = parent_map(areas)
    catalogue = queries.indicators(engine)
    obs = pd.concat([queries.observations(engine, indicator=key, level=level) for key in indicators])
    obs = apply_confidentiality(obs[obs["period"] == year], catalogue, parent_of)
    values = obs.pivot_table(index="area", columns="indicator", values="value", dropna=False)
    values = values.reindex(columns=list(indicators))
    result = nearest(values, reference, limit)
    names = dict(zip(areas["code"], areas["name"], strict=True))
    shown = obs.pivot_table(index="area", columns="indicator", values="display", aggfunc="first")
    labels = dict(zip(catalogue["key"], catalogue["name"], strict=True))
    codes = [reference, *result["area"]]
    compared = len(values.dropna()) - 1
    distances = [fmt.MISSING, *(fmt.number(d, 2) for d in result["distance"])]
    ranks = [REFERENCE_ROW, *(rank_words(i, compared) or fmt.MISSING for i in range(1, len(result) + 1))]
    table = pd.DataFrame({"Gebiet": [names[c] for c in codes], "Ähnlichkeit": ranks, "Abstand": distances})
    for key in indicators:
        if key in shown.columns:
            table[labels[key]] = [shown[key].get(c, fmt.MISSING) for c in codes]
    return table
