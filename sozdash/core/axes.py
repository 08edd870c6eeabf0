"""German tick labels on plotly value axes: "6.000", "100 Tsd.", "1,5 Mio.", decimal comma.

plotly only knows English SI abbreviations ("100k", "1.5M"), so value axes get explicit ticks: a
round step (1, 2, 2,5 or 5 times a power of ten) over the data range, labelled by ``fmt.number``.
Axes that a builder formats itself (years with ``tickformat``, fixed ``tickvals``, categories, dates)
are left as they are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sozdash.core import fmt

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
_TICKS = 5
"""About this many intervals between ticks."""


def nice_step(span: float, intervals: int = _TICKS) -> float:
    """A round step (1, 2, 2,5 or 5 × 10ⁿ) that divides ``span`` into about ``intervals`` parts."""
    raw = span / intervals
    power = 10.0 ** math.floor(math.log10(raw))
    return next(s * power for s in _STEPS if s * power >= raw * 0.999)


def _decimals(step: float) -> int:
    """Decimal places needed to tell ticks ``step`` apart (2,5 → 1; 0,25 → 2; 5000 → 0)."""
    text = f"{step:.10g}"
    return min(len(text.split(".")[1]), 6) if "." in text else 0


def tick_labels(values: Iterable[float], step: float) -> list[str]:
    """German labels for ticks ``step`` apart, with "Tsd." from 10.000 and "Mio." from 1 Mio. on."""
    ticks = list(values)
    largest = max((abs(v) for v in ticks), default=0.0)
    divisor, unit = (1e6, " Mio.") if largest >= 1e6 else (1e3, " Tsd.") if largest >= 1e4 else (1.0, "")
    decimals = _decimals(step / divisor)
    return ["0" if v == 0 else f"{fmt.number(v / divisor, decimals)}{unit}" for v in ticks]


def ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick values and German labels covering ``low`` … ``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [], []
    if high == low:
        low, high = (low - 1, high + 1) if low == 0 else (low - abs(low) / 2, high + abs(high) / 2)
    step = nice_step(high - low)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    values = [round(i * step, 10) for i in range(first, last + 1)]
    return values, tick_labels(values, step)


def _numbers(data: object) -> np.ndarray:
    """The finite numbers of a trace's data array (empty when it holds text or dates)."""
    if data is None:
        return np.empty(0)
    try:
        array = np.asarray(data, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.empty(0)
    return array[np.isfinite(array)]


def _axis_values(fig: go.Figure) -> dict[str, list[np.ndarray]]:
    """Per axis (``xaxis``, ``yaxis2`` …) the numbers plotted along it by bar and scatter traces;
    stacked bars contribute their per-category sums; bars always include 0."""
    found: dict[str, list[np.ndarray]] = defaultdict(list)
    stacked: dict[str, list[pd.Series]] = defaultdict(list)
    for trace in fig.data:
        if "xaxis" not in trace:  # pie, table …: no axes
            continue
        x_axis = "xaxis" + (trace.xaxis or "x")[1:]
        y_axis = "yaxis" + (trace.yaxis or "y")[1:]
        if trace.type == "bar":
            horizontal = trace.orientation == "h"
            axis, values, categories = (
                (x_axis, trace.x, trace.y) if horizontal else (y_axis, trace.y, trace.x)
            )
            found[axis].append(np.append(_numbers(values), 0.0))
            if fig.layout.barmode in ("stack", "relative") and values is not None:
                stacked[axis].append(pd.Series(pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(),
                                               index=categories))  # fmt: skip
        elif trace.type in ("scatter", "scattergl"):
            found[x_axis].append(_numbers(trace.x))
            found[y_axis].append(_numbers(trace.y))
        else:  # other trace kinds place values their own way: leave their axes alone
            found[x_axis].append(np.array([np.nan]))
            found[y_axis].append(np.array([np.nan]))
    for axis, parts in stacked.items():
        values = pd.concat(parts)
        by_category = values.clip(lower=0).groupby(level=0).sum(), values.clip(upper=0).groupby(level=0).sum()
        found[axis].extend(part.to_numpy(dtype=float) for part in by_category)
    return found


def german_axes(fig: go.Figure) -> go.Figure:
    """``fig`` with German tick labels on every numeric linear value axis it does not format itself."""
    for name, arrays in _axis_values(fig).items():
        axis = fig.layout[name]
        if any(np.isnan(a).any() for a in arrays):
            continue
        if (
            axis.type not in (None, "-", "linear")
            or axis.tickvals is not None
            or axis.tickformat
            or axis.dtick
        ):
            continue
        values = np.concatenate(arrays) if arrays else np.empty(0)
        if axis.range is not None and None not in axis.range:
            low, high = float(min(axis.range)), float(max(axis.range))
        elif len(values):
            low, high = float(values.min()), float(values.max())
        else:
            continue
        tickvals, ticktext = ticks(low, high)
        prefix, suffix = axis.tickprefix or "", axis.ticksuffix or ""
        axis.update(
            tickmode="array", tickvals=tickvals, ticktext=[f"{prefix}{t}{suffix}" for t in ticktext],
            tickprefix=None, ticksuffix=None,
        )  # fmt: skip
    return fig
