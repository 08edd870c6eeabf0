"""The map deck's JSON (what ``st.pydeck_chart`` sends) is compact and the same document as
pydeck's indented JSON, also after a pickle round trip (as from Streamlit's cache)."""

from __future__ import annotations

import json
import pickle

import pydeck as pdk

from sozdash.core import maps

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[7.0, 51.0], [7.01, 51.0], [7.01, 51.01], [7.0, 51.01], [7.0, 51.0]]],
}


def _deck() -> pdk.Deck:
    geometries = {f"a{i}": {**SQUARE, "coordinates": [[[x + i * 0.02, y] for x, y in SQUARE["coordinates"][0]]]}
                  for i in range(3)}  # fmt: skip
    styles = {"a0": maps.AreaStyle(fill=[1, 2, 3, 255], tooltip="A0: 5 %", selected=True)}
    deck = maps.area_deck(geometries, styles, {"a0": "Nord", "a1": "Süd"})
    view = deck.initial_view_state
    deck.layers.append(maps.label_layer(geometries, {"a0": "Nord", "a1": "Süd"}, view))
    return deck


def test_compact_json_is_pydeck_json_without_whitespace() -> None:
    deck = pickle.loads(pickle.dumps(_deck()))
    compact, indented = deck.to_json(), pdk.Deck.to_json(deck)
    assert json.loads(compact) == json.loads(indented)
    assert compact == json.dumps(json.loads(compact), sort_keys=True, separators=(",", ":"))  # no whitespace
    assert len(compact) < len(indented) / 1.5
    features = json.loads(compact)["layers"][0]["data"]["features"]
    assert [f["properties"]["name"] for f in features] == ["Nord", "Süd", "a2"]
    assert (
        features[2]["properties"]["tooltip"] == "a2: keine Daten" and features[0]["properties"]["width"] == 4
    )
