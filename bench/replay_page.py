"""The same-elements floor of one page: what a page showed in its last run, shown again by plain
Streamlit calls, without any sozdash logic (``BENCH_REPLAY``: a pickle written by
``bench_pages.elements_floor_ms``), in an ``st.navigation`` with as many pages as the app's. Texts,
tables, chart and deck specs are the page's own (a deck's JSON as it was sent, so building it counts
as the page's work); widgets have the page's labels and options; containers keep their nesting
(sidebar, columns, expanders, popovers, tabs, forms)."""

import json
import os
import pickle
from typing import Any

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from bench.bench_pages import TEXTS, VALUED

with open(os.environ["BENCH_REPLAY"], "rb") as source:
    replay: dict[str, Any] = pickle.load(source)


class RecordedDeck(pdk.Deck):  # type: ignore[misc]
    """A deck that sends the JSON a page's deck sent."""

    def __init__(self, spec: str, tooltip: str) -> None:
        super().__init__(layers=[], map_provider=None, tooltip=json.loads(tooltip) if tooltip else True)
        self.spec = spec

    def to_json(self) -> str:
        return self.spec

counter = iter(range(1_000_000))


def key() -> str:
    return f"replay-{next(counter)}"


def show(items: list[tuple[Any, ...]], in_form: bool = False) -> None:
    for kind, *rest in items:
        if kind in TEXTS:
            getattr(st, kind)(rest[0])
        elif kind == "dataframe":
            st.dataframe(rest[0], hide_index=True, key=key())
        elif kind == "table":
            st.table(rest[0])
        elif kind == "metric":
            st.metric(rest[0], rest[1])
        elif kind == "page_link":
            st.page_link("https://example.invalid/", label=rest[0])
        elif kind == "file_uploader":
            st.file_uploader(rest[0], key=key())
        elif kind == "plotly":
            spec = json.loads(rest[0])
            figure = go.Figure(data=spec.get("data", []), layout=spec.get("layout", {}), _validate=False)
            st.plotly_chart(figure, key=key(), config=json.loads(rest[1]))
        elif kind == "deck":
            st.pydeck_chart(RecordedDeck(rest[0], rest[1]), key=key())
        elif kind in ("selectbox", "radio"):
            getattr(st, kind)(rest[0], rest[1], key=key())
        elif kind == "multiselect":
            st.multiselect(rest[0], rest[1], key=key())
        elif kind in VALUED:
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
        elif kind == "tabs":
            for tab, children in zip(st.tabs(rest[0]), rest[1], strict=True):
                with tab:
                    show(children, in_form)
        elif kind == "form":
            with st.form(key()):
                show(rest[0], in_form=True)


def nothing() -> None:
    """The other pages of the navigation (never run here)."""


pages = {
    section: [
        st.Page(lambda: show(replay["plan"]), title=title, icon=icon, url_path="nachbildung", default=True)
        if index == 0
        else st.Page(nothing, title=title, icon=icon, url_path=f"seite-{index}")
        for index, title, icon in entries
    ]
    for section, entries in replay["pages"].items()
}
st.navigation(pages, expanded=True).run()
