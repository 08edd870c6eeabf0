"""The floor of the browser page switch: a bare two-page app."""

import streamlit as st


def _first() -> None:
    st.title("Erste Seite")
    st.write("Text")


def _second() -> None:
    st.title("Zweite Seite")
    st.write("Text")


st.navigation(
    [st.Page(_first, title="Erste", url_path="erste"), st.Page(_second, title="Zweite", url_path="zweite")]
).run()
