"""Figures as every page shows them: a chart with its text summary and its data table (also usable alone)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from sozdash.core import fmt
from sozdash.core.axes import german_axes
from sozdash.core.fmt import plain
from sozdash.ui.downloads import download_buttons

_LINK_TAG = re.compile(r"\\u003c(?=a\b)", re.IGNORECASE)
"""An opening ``<a`` as plotly's JSON writes it."""


def inert(fig: go.Figure) -> go.Figure:
    """``fig`` with every ``<a …>`` in its texts shown as text: plotly makes them live links in titles,
    labels, names and hover texts, which may come from users or imports."""
    text = pio.to_json(fig)
    if not _LINK_TAG.search(text):
        return fig  # nothing to neutralise: no second validation of the whole figure
    return pio.from_json(_LINK_TAG.sub("&lt;", text))


def shown(fig: go.Figure) -> go.Figure:
    """``fig`` as the app shows it: German separators and axis ticks, links inert."""
    fig.update_layout(separators=fmt.PLOTLY_SEPARATORS)
    return inert(german_axes(fig))


def german_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for display: numeric columns as German text ("6.741", "12,5"; years as they are),
    with as many decimals as the column needs (at most two)."""
    shown = frame.copy()
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        if "jahr" in str(name).lower():
            continue
        finite = column.dropna()
        decimals = next((d for d in range(3) if (finite.round(d) == finite.round(2)).all()), 2)
        shown[name] = column.map(lambda v, d=decimals: fmt.number(v, d))
    return shown


def data_table(
    frame: pd.DataFrame, basename: str, key: str, *, label: str = "Datentabelle",
    column_config: Mapping[str, Any] | None = None,
) -> None:  # fmt: skip
    """An expandable data table (German numbers; ``column_config`` e.g. glossary tooltips) with its
    downloads (the numbers as they are)."""
    with st.expander(label):
        st.dataframe(german_numbers(frame), hide_index=True, key=f"{key}-table", column_config=column_config)
        download_buttons(frame, basename, key)


def chart(
    fig: go.Figure, summary: str, table: pd.DataFrame, *, key: str, basename: str,
    column_config: Mapping[str, Any] | None = None,
) -> None:  # fmt: skip
    """A chart with its text summary and data table (every chart has both)."""
    st.plotly_chart(shown(fig), key=f"{key}-chart", config={"displaylogo": False, "locale": "de"})
    st.markdown(f"**Kurz gesagt:** {plain(summary)}")
    data_table(table, basename, key, column_config=column_config)
