"""Trend classification of an indicator's change, respecting its polarity.

Rule ("gleich" band): a change counts as no change when its size is below
``tolerance`` (default 2 %) of the previous value, or below ``ABSOLUTE_FLOOR`` (0.05 units,
half of the last displayed decimal) — the floor keeps values near 0 from producing trends out
of noise. Without a previous value only the floor applies. Polarity (``vocab.POLARITY``) turns
the direction into an assessment: rising is "besser" for ``higher_better``, "schlechter" for
``higher_worse``; ``neutral`` indicators (context figures) are never assessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

DEFAULT_TOLERANCE = 0.02
"""Relative band: |change| < 2 % of the previous value counts as "gleich"."""
ABSOLUTE_FLOOR = 0.05
"""Absolute band in the indicator's unit, for values near 0."""

ARROWS = {"steigend": "↑", "fallend": "↓", "gleich": "→"}
DIRECTION_WORDS = {"steigend": "steigend", "fallend": "fallend", "gleich": "etwa gleich"}
ASSESSMENT_WORDS = {"besser": "günstig", "schlechter": "ungünstig", "neutral": ""}


@dataclass(frozen=True)
class Trend:
    """A classified change: direction, assessment by polarity, arrow and German label."""

    direction: str  # 'steigend' | 'fallend' | 'gleich'
    assessment: str  # 'besser' | 'schlechter' | 'neutral'
    arrow: str  # '↑' | '↓' | '→'
    label: str  # e.g. "steigend – ungünstig"


def classify_change(
    change: float | None,
    polarity: str,
    tolerance: float = DEFAULT_TOLERANCE,
    previous: float | None = None,
) -> Trend | None:
    """Classify ``change`` (new − previous value); ``None``/NaN → ``None`` (no trend)."""
    if change is None or pd.isna(change):
        return None
    band = ABSOLUTE_FLOOR
    if previous is not None and not pd.isna(previous):
        band = max(band, tolerance * abs(float(previous)))
    direction = "gleich" if abs(change) < band else ("steigend" if change > 0 else "fallend")
    assessment = "neutral"
    if direction != "gleich" and polarity in ("higher_better", "higher_worse"):
        rising_is_better = polarity == "higher_better"
        assessment = "besser" if (direction == "steigend") == rising_is_better else "schlechter"
    words = ASSESSMENT_WORDS[assessment]
    label = DIRECTION_WORDS[direction] + (f" – {words}" if words else "")
    return Trend(direction, assessment, ARROWS[direction], label)


def change_over(frame: pd.DataFrame, years: int, polarity: dict[str, str]) -> pd.DataFrame:
    """Add the change against the value ``years`` earlier to an observation frame.

    ``frame`` needs columns ``area``, ``indicator``, ``period``, ``value``; ``polarity`` maps
    indicator key → polarity. Adds ``previous_period``, ``previous``, ``change`` and ``trend``
    (``Trend`` or ``None``). Only the exact earlier year counts; a missing or suppressed value
    on either side gives no change and no trend.
    """
    earlier = frame[["area", "indicator", "period", "value"]].rename(columns={"value": "previous"})
    earlier = earlier.assign(period=earlier["period"] + years)
    result = frame.merge(earlier, on=["area", "indicator", "period"], how="left")
    result["previous_period"] = result["period"] - years
    result["change"] = pd.to_numeric(result["value"], errors="coerce") - pd.to_numeric(
        result["previous"], errors="coerce"
    )
    result["trend"] = pd.Series(
        [
            classify_change(change, polarity.get(indicator, "neutral"), previous=previous)
            for change, indicator, previous in zip(
                result["change"], result["indicator"], result["previous"], strict=True
            )
        ],
        index=result.index,
        dtype=object,
    )
    return result
