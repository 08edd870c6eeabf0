"""Figures as every page shows them: a chart with its text summary and its data table (also usable alone)."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from sozdash.core import fmt
from sozdash.core.fmt import plain
from sozdash.ui.downloads import download_buttons

_LINK_TAG = re.compile(r"\\u003c(?=a\b)", re.IGNORECASE)
"""An opening ``<a`` as plotly's JSON writes it."""


def inert(fig: go.Figure) -> go.Figure:
    """``fig`` with every ``<a …>`` in its texts shown as text: plotly makes them live links in titles,
    labels, names and hover texts, which may come from users or imports."""
    return pio.from_json(_LINK_TAG.sub("&lt;", pio.to_json(fig)))


def data_table(frame: pd.DataFrame, basename: str, key: str, *, label: str = "Datentabelle") -> None:
    """An expandable data table with its downloads."""
    with st.expander(label):
        st.dataframe(frame, hide_index=True, key=f"{key}-table")
        download_buttons(frame, basename, key)


def chart(fig: go.Figure, summary: str, table: pd.DataFrame, *, key: str, basename: str) -> None:
    """A chart with its text summary and data table (every chart has both)."""
    fig.update_layout(separators=fmt.PLOTLY_SEPARATORS)
    st.plotly_chart(inert(fig), key=f"{key}-chart", config={"displaylogo": False, "locale": "de"})
    st.markdown(f"**Kurz gesagt:** {plain(summary)}")
    data_table(table, basename, key)
