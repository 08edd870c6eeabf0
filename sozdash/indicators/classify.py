"""Choropleth classes (Jenks breaks via jenkspy, the rest with NumPy), colour-blind-safe palettes and legend rows.

Classes are closed at the top: class 0 holds values up to ``bins[0]``, class i values above
``bins[i-1]`` up to ``bins[i]``. Palettes are ColorBrewer schemes (colour-blind safe):
OrRd for indicators with a direction (the worse end is the stronger colour), Blues for neutral
ones, RdBu (red = worse) or PuOr (neutral) for deviations from the city value, centred on zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import jenkspy
import numpy as np
import pandas as pd
import plotly.colors as pc

from sozdash.core import fmt

METHODS: dict[str, str] = {
    "quantiles": "Quantile (gleich viele Gebiete je Klasse)",
    "equal_interval": "Gleiche Intervalle",
    "natural_breaks": "Natürliche Unterbrechungen (Jenks)",
    "std_mean": "Standardabweichungen um den Mittelwert",
}
CLASS_COUNTS: tuple[int, ...] = (3, 4, 5, 6, 7)
SUPPRESSED_RGB: tuple[int, int, int] = (150, 150, 150)
MISSING_RGB: tuple[int, int, int] = (200, 200, 200)
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Classes:
    """Upper class bounds and one colour per class."""

    bins: tuple[float, ...]
    colors: tuple[RGB, ...]

    def index(self, value: float) -> int | None:
        """The class of ``value`` (None for NaN)."""
        if value is None or np.isnan(value):
            return None
        return min(int(np.searchsorted(self.bins, value, side="left")), len(self.bins) - 1)


def std_multiples(k: int) -> list[float]:
    """Cuts in standard deviations for ``k`` classes one deviation wide, centred on the mean
    (k=4 → −1, 0, +1)."""
    return [i - (k - 2) / 2 for i in range(k - 1)]


def class_bins(values: Sequence[float], method: str, k: int) -> tuple[float, ...]:
    """Upper class bounds of ``values`` (NaN ignored) by ``method`` (a key of :data:`METHODS`)."""
    y = np.asarray([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    if y.size == 0:
        return ()
    if method != "std_mean":  # deviation classes are fixed one sd wide and may stay empty
        k = min(k, len(np.unique(y)))
    if k <= 1 or np.ptp(y) == 0:
        return (float(y.max()),)
    if method == "quantiles":  # linear interpolation between order statistics; ties merge classes
        bins = np.unique(np.percentile(y, 100 * np.arange(1, k + 1) / k))
    elif method == "equal_interval":
        bins = y.min() + (y.max() - y.min()) / k * np.arange(1, k + 1)
        bins[-1] = y.max()  # exactly the maximum, whatever the rounding
    elif method == "natural_breaks":  # exact (optimal) Jenks breaks: Fisher's algorithm
        bins = np.asarray(jenkspy.jenks_breaks(y, n_classes=k)[1:], dtype=float)
    elif method == "std_mean":  # sample standard deviation; the maximum closes the top class
        bins = y.mean() + y.std(ddof=1) * np.asarray(std_multiples(k))
        if bins[-1] < y.max():
            bins = np.append(bins, y.max())
    else:
        raise ValueError(f"unknown classification method {method!r}")
    return tuple(float(b) for b in bins)


def _rgb(text: str) -> RGB:
    r, g, b = pc.unlabel_rgb(text)
    return round(r), round(g), round(b)


def sequential_colors(k: int, polarity: str) -> tuple[RGB, ...]:
    """``k`` colours from light to strong; reversed for ``higher_better`` (low = worse = strong)."""
    scale = pc.sequential.Blues if polarity == "neutral" else pc.sequential.OrRd
    points = [0.15] if k == 1 else list(np.linspace(0.15, 1.0, k))
    colors = tuple(_rgb(c) for c in pc.sample_colorscale(scale, points))
    return colors[::-1] if polarity == "higher_better" else colors


def diverging_colors(bins: Sequence[float], lowest: float, polarity: str) -> tuple[RGB, ...]:
    """Colours for classes of deviations, by each class midpoint's distance from zero:
    white near 0, red for worse and blue for better (purple/orange when neutral)."""
    lowers = [lowest, *bins[:-1]]
    mids = [(lo + hi) / 2 for lo, hi in zip(lowers, bins, strict=True)]
    reach = max((abs(m) for m in mids), default=0.0) or 1.0
    positions = [0.5 + 0.5 * m / reach for m in mids]  # 0 = most negative, 1 = most positive
    if polarity == "higher_worse":
        positions = [1 - p for p in positions]  # RdBu: red at 0, so positive (worse) → red
    scale = pc.diverging.PuOr if polarity == "neutral" else pc.diverging.RdBu
    return tuple(_rgb(c) for c in pc.sample_colorscale(scale, positions))


def classify(values: Sequence[float], method: str, k: int, polarity: str, diverging: bool = False) -> Classes:
    """Classes and colours for ``values`` (deviations from the city value if ``diverging``)."""
    bins = class_bins(values, method, k)
    if diverging and bins:
        lowest = float(np.nanmin(np.asarray(values, dtype=float)))
        return Classes(bins, diverging_colors(bins, lowest, polarity))
    return Classes(bins, sequential_colors(len(bins), polarity))


def class_labels(bins: Sequence[float], decimals: int, unit: str = "", signed: bool = False) -> list[str]:
    """German class labels: ``bis 5,2 %``, ``über 5,2 bis 7,4 %``."""

    def number(v: float) -> str:
        return fmt.signed(v, decimals) if signed else fmt.number(v, decimals)

    suffix = f" {unit}" if unit else ""
    labels = [f"bis {number(bins[0])}{suffix}"] if bins else []
    labels += [f"über {number(lo)} bis {number(hi)}{suffix}" for lo, hi in itertools.pairwise(bins)]
    return labels


def legend_rows(
    values: Sequence[float], symbols: Sequence[str | None], classes: Classes, labels: Sequence[str]
) -> pd.DataFrame:
    """One row per class (label, number of areas, colour) plus rows for withheld and missing areas."""
    counts = [0] * len(classes.bins)
    withheld = missing = 0
    for value, symbol in zip(values, symbols, strict=True):
        index = classes.index(value)
        if index is not None:
            counts[index] += 1
        elif isinstance(symbol, str) and symbol in ("*", "."):
            withheld += 1
        else:
            missing += 1
    rows = [(label, n, color) for label, n, color in zip(labels, counts, classes.colors, strict=True)]
    if withheld:
        rows.append(("geheim gehalten (* oder .)", withheld, SUPPRESSED_RGB))
    if missing:
        rows.append(("keine Daten (–)", missing, MISSING_RGB))
    return pd.DataFrame(rows, columns=["Klasse", "Gebiete", "Farbe"])
