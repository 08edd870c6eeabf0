"""The map deck's JSON (what ``st.pydeck_chart`` sends) is compact and the same document as
pydeck's indented JSON, also after a pickle round trip; a frozen deck (as the query cache keeps
it, shared by all sessions) keeps its JSON and cannot change."""

from __future__ import annotations

import json
import pickle

import pydeck as pdk
import pytest
from sqlalchemy import Engine

from sozdash.core import maps
from sozdash.store import cache, queries

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


def test_a_frozen_deck_keeps_its_json_and_cannot_change_but_a_copy_can() -> None:
    deck = _deck()
    before = deck.to_json()
    frozen = deck.freeze()
    assert frozen is deck and frozen.to_json() == before
    with pytest.raises(AttributeError):
        frozen.layers.append(maps.label_layer({}, {}, frozen.initial_view_state))
    with pytest.raises(AttributeError, match="eingefrorene Karte"):
        frozen.initial_view_state = None
    refitted = maps.refit(frozen, (200, 100), 10)  # a copy, fitted anew: its own JSON
    assert json.loads(refitted.to_json())["initialViewState"] != json.loads(before)["initialViewState"]
    assert frozen.to_json() == before and pickle.loads(pickle.dumps(frozen)).to_json() == before


def test_the_query_cache_shares_one_frozen_deck(sqlite_engine: Engine, memory_cache: dict) -> None:
    first, again = _cached_deck(sqlite_engine), _cached_deck(sqlite_engine)
    assert first is again and first.to_json() == _deck().to_json()
    with pytest.raises(AttributeError):
        first.width = 10


@cache.cached_query
def _cached_deck(engine: Engine) -> pdk.Deck:
    queries.areas(engine)  # reads a table, as every cached query does
    return _deck()
