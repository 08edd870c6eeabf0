"""Statistical confidentiality: which values may be shown, and what is shown instead.

Rules (applied per indicator and period):

- **Primary suppression**: a value is withheld when its status is ``suppressed`` or its count is
  below the indicator's ``suppression_threshold`` (the count is the numerator; for ``sum``
  indicators without a numerator, the value). It is shown as ``*``.
- **Secondary suppression**: when exactly one child of a parent area (e.g. one Stadtteil of a
  Stadtbezirk) is suppressed, the published sibling with the smallest count is withheld too
  (shown as ``.``), so the suppressed value cannot be recovered as parent total minus the others.
  Indicators with aggregation ``none`` (medians, averages) have no additive total and need no
  secondary suppression. Callers must pass every sibling of a level for the rule to see them.

Withheld rows lose ``value`` and ``numerator`` (set to NaN), so no later step can leak them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozdash.core import fmt

PRIMARY_SYMBOL = "*"
SECONDARY_SYMBOL = "."
LABELS: dict[str, str] = {
    PRIMARY_SYMBOL: "geheim gehalten (Fallzahl unter der Geheimhaltungsschwelle)",
    SECONDARY_SYMBOL: "geheim gehalten (sonst aus der Summe errechenbar)",
}


def _counts(frame: pd.DataFrame, aggregation: pd.Series) -> pd.Series:
    """The count a threshold applies to: the numerator, or the value of ``sum`` indicators."""
    return frame["numerator"].where(frame["numerator"].notna(), frame["value"].where(aggregation.eq("sum")))


def apply_confidentiality(
    frame: pd.DataFrame, indicators: pd.DataFrame, parent_of: dict[str, str]
) -> pd.DataFrame:
    """Apply primary and secondary suppression and add the text to display: ``with_display`` of
    ``suppress``.

    Args:
        frame: Observations with ``area``, ``indicator``, ``period``, ``value``, ``numerator``,
            ``status`` and ``symbol`` (more columns are kept).
        indicators: The catalogue with ``key``, ``unit``, ``decimals``, ``aggregation`` and
            ``suppression_threshold``.
        parent_of: Area code -> parent area code.

    Returns:
        A copy with ``status``/``symbol`` updated, ``value``/``numerator`` NaN where withheld,
        ``suppression`` (``primary``, ``secondary`` or None) and ``display`` (German number with
        unit, the symbol, or ``–``).
    """
    return with_display(suppress(frame, indicators, parent_of), indicators)


def suppress(frame: pd.DataFrame, indicators: pd.DataFrame, parent_of: dict[str, str]) -> pd.DataFrame:
    """``apply_confidentiality`` without the ``display`` column (for rows only counted, not shown)."""
    meta = indicators.set_index("key")
    out = frame.copy()
    aggregation = out["indicator"].map(meta["aggregation"])
    threshold = out["indicator"].map(meta["suppression_threshold"]).astype(float)
    counts = _counts(out, aggregation)
    primary = out["status"].eq("suppressed") | (counts < threshold).fillna(False)
    out["suppression"] = pd.Series(
        np.where(primary, "primary", np.array(None, dtype=object)), index=out.index, dtype=object
    )

    parents = out["area"].map(parent_of)
    keys = ["indicator", "period", "parent"]
    siblings = out.assign(parent=parents, count=counts.fillna(out["value"]), primary=primary)
    siblings = siblings[parents.notna() & aggregation.ne("none")]
    lone = siblings.groupby(keys)["primary"].transform("sum").eq(1)
    eligible = siblings[lone & ~siblings["primary"] & siblings["value"].notna()]
    smallest = eligible.sort_values(["count", "area"], kind="stable").drop_duplicates(keys).index
    out.loc[smallest, "suppression"] = "secondary"

    withheld = out["suppression"].notna()
    out.loc[withheld, ["value", "numerator"]] = np.nan
    out.loc[withheld, "status"] = "suppressed"
    out["symbol"] = out["symbol"].astype(object)
    out.loc[out["suppression"].eq("primary"), "symbol"] = PRIMARY_SYMBOL
    out.loc[out["suppression"].eq("secondary"), "symbol"] = SECONDARY_SYMBOL
    return out


def with_display(frame: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Add ``display`` to suppressed observations (``suppress``): the German number with the
    indicator's unit and decimals, the symbol of a withheld or marked value, or ``–``."""
    meta = indicators.set_index("key")
    units = frame["indicator"].map(meta["unit"])
    decimals = frame["indicator"].map(meta["decimals"])
    display = [
        symbol if isinstance(symbol, str) and symbol and pd.isna(value) else fmt.value_with_unit(value, unit, int(d))
        for value, symbol, unit, d in zip(frame["value"], frame["symbol"], units, decimals, strict=True)
    ]  # fmt: skip
    return frame.assign(display=display)
