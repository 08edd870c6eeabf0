"""Aggregation of observations from child areas to their parents.

Quotas are re-computed from summed numerators and denominators (never averaged), counts are
summed, and indicators that cannot be aggregated (medians, averages published without their
sums) are left out. A parent gets a value only if every one of its children has a usable one.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

VALID_STATUS: tuple[str, ...] = ("ok", "estimated")
"""Child statuses whose values may enter an aggregate."""

OUTPUT_COLUMNS: list[str] = ["area", "indicator", "period", "value", "numerator", "denominator", "status"]


def aggregate_to_parents(
    obs: pd.DataFrame, indicators: pd.DataFrame, parent_of: dict[str, str]
) -> pd.DataFrame:
    """Aggregate child-area observations to their parent areas.

    Args:
        obs: Observations of child areas with the columns ``area``, ``indicator``, ``period``,
            ``value``, ``numerator``, ``denominator`` and ``status``; at most one row per
            (area, indicator, period). Rows of areas not in ``parent_of`` are ignored.
        indicators: The indicator catalogue with at least ``key``, ``aggregation``
            (``ratio``, ``sum`` or ``none``) and ``scale``.
        parent_of: Mapping child area code -> parent area code. It defines the complete set
            of children of each parent.

    Returns:
        One row per (parent, indicator, period) for which any child has a row, with the
        columns of :data:`OUTPUT_COLUMNS`. ``ratio`` indicators get
        ``sum(numerator) / sum(denominator) * scale``; ``sum`` indicators get the sum of the
        values (numerator and denominator are summed too where every child has them);
        ``none`` indicators produce no rows. A parent is ``missing`` (value NaN) unless every
        child has an ``ok``/``estimated`` row with the needed fields; it is ``estimated`` if
        any child is, otherwise ``ok``.
    """
    meta = indicators.set_index("key")[["aggregation", "scale"]]
    df = obs.loc[
        obs["area"].isin(list(parent_of)),
        ["area", "indicator", "period", "value", "numerator", "denominator", "status"],
    ]
    df = df.join(meta, on="indicator", how="inner")
    df = df[df["aggregation"].isin(["ratio", "sum"])]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=obs[c].dtype) for c in OUTPUT_COLUMNS})

    is_ratio = df["aggregation"].eq("ratio")
    has_fields = np.where(is_ratio, df["numerator"].notna() & df["denominator"].notna(), df["value"].notna())
    valid = df["status"].isin(VALID_STATUS) & has_fields
    df = df.assign(
        parent=df["area"].map(parent_of),
        valid=valid,
        estimated=valid & df["status"].eq("estimated"),
        value=df["value"].where(valid).astype(float),
        numerator=df["numerator"].where(valid).astype(float),
        denominator=df["denominator"].where(valid).astype(float),
    )
    g = df.groupby(["parent", "indicator", "period"], sort=True).agg(
        aggregation=("aggregation", "first"),
        scale=("scale", "first"),
        n_valid=("valid", "sum"),
        n_estimated=("estimated", "sum"),
        value=("value", "sum"),
        numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
        n_numerator=("numerator", "count"),
        n_denominator=("denominator", "count"),
    )
    n_children = g.index.get_level_values("parent").map(Counter(parent_of.values())).to_numpy()
    ratio = g["aggregation"].eq("ratio").to_numpy()

    with np.errstate(divide="ignore", invalid="ignore"):
        quota = g["numerator"].to_numpy() / g["denominator"].to_numpy() * g["scale"].to_numpy(dtype=float)
    value = np.where(ratio, quota, g["value"].to_numpy())
    complete = (g["n_valid"].to_numpy() == n_children) & np.isfinite(value)
    numerator = np.where(complete & (g["n_numerator"].to_numpy() == n_children), g["numerator"], np.nan)
    denominator = np.where(complete & (g["n_denominator"].to_numpy() == n_children), g["denominator"], np.nan)
    status = np.where(complete, np.where(g["n_estimated"].to_numpy() > 0, "estimated", "ok"), "missing")

    out = g.index.to_frame(index=False).rename(columns={"parent": "area"})
    out["value"] = np.where(complete, value, np.nan)
    out["numerator"] = numerator
    out["denominator"] = denominator
    out["status"] = status
    return out[OUTPUT_COLUMNS]
