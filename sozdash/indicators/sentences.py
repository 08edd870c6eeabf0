"""Plain-German sentences about an area's indicator value, generated from the data.

Thresholds on the standardised deviation ``z = (value − reference) / standard deviation of
the areas' values`` (see ``sozdash.indicators.profile``):

- ``|z| ≥ 1.0`` → "deutlich über/unter",
- ``0.5 ≤ |z| < 1.0`` → "leicht über/unter",
- ``|z| < 0.5`` → "etwa auf" the reference value.

The reference (``sozdash.indicators.reference``) is the city value ("städtischen Wert") or, for
counts and where no city value exists, the mean of the areas ("Mittelwert der Gebiete").
The trend part uses ``sozdash.indicators.trends`` (direction, and the assessment by polarity).
"""

from __future__ import annotations

import pandas as pd

from sozdash.core import fmt
from sozdash.indicators.trends import Trend

CLEARLY = 1.0
"""|z| from which a deviation is "deutlich"."""
SLIGHTLY = 0.5
"""|z| from which a deviation is "leicht"; below it the value is "etwa auf" the reference."""

REFERENCE_WORDS = {"stadt": "dem städtischen Wert", "mittel": "dem Mittelwert der Gebiete"}
TREND_VERBS = {"steigend": "gestiegen", "fallend": "gesunken", "gleich": "etwa gleich geblieben"}
ASSESSMENT_WORDS = {"besser": "günstig", "schlechter": "ungünstig"}


def deviation_words(z: float | None) -> str | None:
    """``deutlich über`` / ``leicht unter`` / ``etwa auf`` for a standardised deviation."""
    if z is None or pd.isna(z):
        return None
    size = abs(z)
    if size < SLIGHTLY:
        return "etwa auf"
    strength = "deutlich" if size >= CLEARLY else "leicht"
    return f"{strength} {'über' if z > 0 else 'unter'}"


def position_words(z: float | None, reference_kind: str) -> str | None:
    """``deutlich über dem städtischen Wert`` – the deviation in words with its reference."""
    words = deviation_words(z)
    return None if words is None else f"{words} {REFERENCE_WORDS[reference_kind]}"


def rank_words(rank: object, n: int) -> str | None:
    """``Rang 2 von 13`` (1 = highest value); ``None`` without a rank."""
    return None if rank is None or pd.isna(rank) else f"Rang {int(rank)} von {n}"  # type: ignore[call-overload]


def trend_clause(trend: Trend | None, since: int) -> str | None:
    """``seit 2019 ist der Wert gestiegen (ungünstig)``; ``None`` without a trend."""
    if trend is None:
        return None
    assessment = ASSESSMENT_WORDS.get(trend.assessment)
    suffix = f" ({assessment})" if assessment else ""
    return f"seit {since} ist der Wert {TREND_VERBS[trend.direction]}{suffix}"


def profile_sentence(
    area_name: str,
    indicator_name: str,
    value: float | None,
    reference: float | None,
    reference_kind: str,
    z: float | None,
    unit: str,
    decimals: int,
    trend: Trend | None = None,
    since: int | None = None,
) -> str | None:
    """One sentence, e.g. "Beim Indikator „SGB-II-Quote“ liegt Rheindorf mit 18,4 % deutlich über
    dem städtischen Wert von 11,2 %; seit 2019 ist der Wert gestiegen (ungünstig)."

    ``None`` when the value is missing or withheld (nothing may be said about it).
    """
    if value is None or pd.isna(value):
        return None
    shown = fmt.value_with_unit(value, unit, decimals)
    words = deviation_words(z)
    if words is None or reference is None or pd.isna(reference):
        text = f"Beim Indikator „{indicator_name}“ liegt {area_name} bei {shown}"
    else:
        ref = fmt.value_with_unit(reference, unit, decimals)
        text = (
            f"Beim Indikator „{indicator_name}“ liegt {area_name} mit {shown} {words} "
            f"{REFERENCE_WORDS[reference_kind]} von {ref}"
        )
    clause = trend_clause(trend, since) if since is not None else None
    return f"{text}; {clause}." if clause else f"{text}."
