"""The floors of the browser page switch: a bare two-page app, and with ``BENCH_FLOOR_DATA`` set the
same two pages each holding the elements of ``floor_page.py`` (a deck of the same polygons, a chart
and a 13-row table), so what Streamlit and deck.gl cost in the browser is measured apart from sozdash."""

import os
import runpy
from pathlib import Path

import streamlit as st

FLOOR = Path(__file__).with_name("floor_page.py")


def _page(title: str) -> None:
    st.title(title)
    st.write("Text")
    if os.environ.get("BENCH_FLOOR_DATA"):
        runpy.run_path(str(FLOOR), init_globals={"PAGE": title})


st.navigation(
    [
        st.Page(lambda: _page("Erste Seite"), title="Erste", url_path="erste"),
        st.Page(lambda: _page("Zweite Seite"), title="Zweite", url_path="zweite"),
    ]
).run()
