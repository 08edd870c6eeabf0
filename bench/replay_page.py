"""The same-elements floor of one page: what a page showed in its last run, shown again by plain
Streamlit calls, without any sozdash logic (``BENCH_REPLAY``: a pickle written by
``bench_pages.replay_plan``). Texts, tables and chart specs are the page's own; a deck shows the
polygons of ``BENCH_FLOOR_DATA``; widgets have the page's labels and options; containers keep
their nesting (sidebar, columns, expanders, popovers, forms)."""

import json
import os
import pickle
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from sozdash.core import maps

with open(os.environ["BENCH_REPLAY"], "rb") as source:
    plan: list[tuple[Any, ...]] = pickle.load(source)
with open(os.environ["BENCH_FLOOR_DATA"], encoding="utf-8") as source:
    geometries: dict = json.load(source)["geometries"]
STYLES = {code: maps.AreaStyle(fill=[0, 84, 159, 200], tooltip=code) for code in geometries}
TEXTS = {"title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"}
counter = iter(range(1_000_000))


def key() -> str:
    return f"replay-{next(counter)}"


def show(items: list[tuple[Any, ...]], in_form: bool = False) -> None:
    for kind, *rest in items:
        if kind in TEXTS:
            getattr(st, kind)(rest[0])
        elif kind == "html":
            st.html(rest[0])
        elif kind == "dataframe":
            st.dataframe(rest[0], hide_index=True, key=key())
        elif kind == "plotly":
            spec = json.loads(rest[0])
            figure = go.Figure(data=spec.get("data", []), layout=spec.get("layout", {}), _validate=False)
            st.plotly_chart(figure, key=key(), config=json.loads(rest[1]))
        elif kind == "deck":
            st.pydeck_chart(maps.area_deck(geometries, STYLES, {}), key=key())
        elif kind in ("selectbox", "radio"):
            getattr(st, kind)(rest[0], rest[1], key=key())
        elif kind == "multiselect":
            st.multiselect(rest[0], rest[1], key=key())
        elif kind in ("text_input", "text_area", "date_input", "checkbox", "toggle", "number_input"):
            getattr(st, kind)(rest[0], rest[1], key=key())
        elif kind == "button":
            (st.form_submit_button if in_form else st.button)(rest[0], key=key())
        elif kind == "download":
            st.download_button(rest[0], rest[1], key=key())
        elif kind == "sidebar":
            with st.sidebar:
                show(rest[0], in_form)
        elif kind == "columns":
            for column, children in zip(st.columns(len(rest[0])), rest[0], strict=True):
                with column:
                    show(children, in_form)
        elif kind in ("container", "expander", "popover"):
            with getattr(st, kind)(*rest[:-1]):
                show(rest[-1], in_form)
        elif kind == "form":
            with st.form(key()):
                show(rest[0], in_form=True)


show(plan)
