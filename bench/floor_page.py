"""The same-elements floor: a bare page with a deck of the same polygons (and a label per area),
one chart and a 13-row table, from a JSON file the bench writes (``BENCH_FLOOR_DATA``), without any sozdash logic. Run by
``bare_app.py`` with ``PAGE`` set, its element keys differ per page, so a page switch mounts a new
deck and chart in the browser, as a switch between two pages of the app does."""

import json
import os

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sozdash.core import maps

with open(os.environ["BENCH_FLOOR_DATA"], encoding="utf-8") as source:
    data = json.load(source)
geometries: dict = data["geometries"]
styles = {code: maps.AreaStyle(fill=[0, 84, 159, 200], tooltip=code) for code in geometries}
st.title("Boden")
page = globals().get("PAGE", "floor")
deck = maps.area_deck(geometries, styles, {})  # with a label per area, as every map of the app has
deck.layers.append(maps.label_layer(geometries, {code: code[:12] for code in geometries}, deck.initial_view_state))
st.pydeck_chart(deck, key=f"{page}-map")
table = pd.DataFrame({"Gebiet": [f"Gebiet {i}" for i in range(13)], "Wert": [i * 1.5 for i in range(13)]})
st.plotly_chart(go.Figure(go.Bar(x=table["Gebiet"], y=table["Wert"])), key=f"{page}-chart")
st.dataframe(table, hide_index=True)
