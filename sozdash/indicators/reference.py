"""What an area's value is compared with: the city value, or for counts the mean of the areas.

A count (aggregation ``sum``: Personen, Haushalte, Bedarfsgemeinschaften …) adds up to the city
total, which no single area can reach, so "above the city value" says nothing about it. Counts are
compared with the arithmetic mean of the published values of the areas of the same level and year
(withheld values do not count). Rates, shares and averages are compared with the city value; where
no city value exists, also with the mean of the areas. Every comparison says which reference it uses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

import pandas as pd

COUNT_AGGREGATION = "sum"
"""The catalogue's mark of a count: its values add up over the areas (``Indicator.aggregation``)."""
LABELS = {"stadt": "Stadtwert", "mittel": "Mittelwert der Gebiete"}
"""Name of each kind of reference, e.g. in "Über dem Mittelwert der Gebiete: 5 von 13 Gebieten"."""


def is_count(meta: Mapping[Any, Any] | pd.Series) -> bool:
    """Whether the indicator (a catalogue row) is a count: its aggregation is ``sum``."""
    return str(meta["aggregation"]) == COUNT_AGGREGATION


def count_rows(catalogue: pd.DataFrame) -> pd.Series:
    """``is_count`` of every row of a catalogue frame, as a boolean column."""
    return catalogue["aggregation"].astype(str).eq(COUNT_AGGREGATION)


@dataclass(frozen=True)
class Reference:
    """``kind`` ``stadt`` (the city value) or ``mittel`` (the mean of the areas); ``value`` is
    ``None`` when there is nothing to compare with."""

    kind: str
    value: float | None

    @property
    def label(self) -> str:
        """``Stadtwert`` or ``Mittelwert der Gebiete``."""
        return LABELS[self.kind]


def _known(value: float | None) -> TypeGuard[float]:
    return value is not None and not math.isnan(value)


def reference(
    meta: Mapping[Any, Any] | pd.Series, values: Iterable[float | None], city_value: float | None
) -> Reference:
    """The reference of an indicator (catalogue row ``meta``) for the areas' published ``values``
    (missing ones as ``None``/NaN) and the city's value."""
    if not is_count(meta) and _known(city_value):
        return Reference("stadt", float(city_value))
    shown = [float(v) for v in values if _known(v)]
    return Reference("mittel", sum(shown) / len(shown) if shown else None)
