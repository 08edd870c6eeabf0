"""The same-elements floor: a bare page with a deck of the same polygons, one chart and a 13-row
table, from a JSON file the bench writes (``BENCH_FLOOR_DATA``), without any sozdash logic."""

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
st.pydeck_chart(maps.area_deck(geometries, styles, {}), key="floor-map")
table = pd.DataFrame({"Gebiet": [f"Gebiet {i}" for i in range(13)], "Wert": [i * 1.5 for i in range(13)]})
st.plotly_chart(go.Figure(go.Bar(x=table["Gebiet"], y=table["Wert"])), key="floor-chart")
st.dataframe(table, hide_index=True)
