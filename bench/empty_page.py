"""The floor of the page benchmark: an app that renders only a title."""

import streamlit as st

st.title("Leer")
