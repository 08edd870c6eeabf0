"""Map labels do not overlap and the view fits the areas (issue 14, "Maps readable from the back row").

Boxes are measured independently of the builder's own estimate: the positions the deck carries are
projected with pyproj (EPSG:3857) and each text is measured with Pillow in DejaVu Sans, the font
the estimate is meant to bound."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pydeck as pdk
import pytest
import shapely
from PIL import ImageFont
from pyproj import Transformer
from shapely.geometry import shape
from sqlalchemy import Engine

from sozdash.core import maps
from sozdash.exports import render
from sozdash.indicators import charts
from sozdash.indicators import explorer as iv
from sozdash.social_index import views as index_views
from sozdash.social_index.compute import compute_index
from sozdash.store import queries
from tests.social_index.test_social_index import CATALOGUE, CONFIG, observations

FONT_FILE = Path(__file__).resolve().parents[2] / "sozdash" / "fonts" / "DejaVuSans.ttf"
WEB_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
EARTH_M = 2 * math.pi * 6378137  # EPSG:3857 world width in metres
APP, SLIDE, WIDE = (720, 520), (420, 300), (900, 600)
META = {"name": "Quote", "unit": "%", "decimals": 1, "polarity": "higher_worse"}


def screen(lonlat: np.ndarray, view: pdk.ViewState, frame: tuple[int, int]) -> np.ndarray:
    """Frame pixels of lon/lat points, as deck.gl draws them (512-px world at zoom 0)."""
    x, y = WEB_MERCATOR.transform(lonlat[:, 0], lonlat[:, 1])
    cx, cy = WEB_MERCATOR.transform(view.longitude, view.latitude)
    scale = 512 * 2**view.zoom / EARTH_M
    return np.column_stack([(np.asarray(x) - cx) * scale + frame[0] / 2, (cy - np.asarray(y)) * scale + frame[1] / 2])


def label_items(deck: pdk.Deck) -> tuple[pdk.Layer, list[dict]]:
    layer = next(layer for layer in deck.layers if layer.type == "TextLayer")
    return layer, layer.data


def measured_boxes(deck: pdk.Deck, frame: tuple[int, int]) -> np.ndarray:
    """(n, 4) boxes of the shown labels: Pillow text extents in DejaVu Sans plus the layer's padding."""
    layer, items = label_items(deck)
    font = ImageFont.truetype(str(FONT_FILE), size=math.ceil(layer.get_size))
    shown = [item for item in items if item["text"]]
    centres = screen(np.array([item["position"] for item in shown], float), deck.initial_view_state, frame)
    sizes = np.array([
        (max(font.getlength(line) for line in item["text"].split("\n")),
         (item["text"].count("\n") + 1) * layer.line_height * layer.get_size)
        for item in shown
    ]) + 2 * np.asarray(layer.background_padding, float)  # fmt: skip
    return np.hstack([centres - sizes / 2, centres + sizes / 2])


def overlapping_pairs(boxes: np.ndarray) -> list[tuple[int, int]]:
    a, b = boxes[:, None, :], boxes[None, :, :]
    hit = (a[..., 0] < b[..., 2]) & (b[..., 0] < a[..., 2]) & (a[..., 1] < b[..., 3]) & (b[..., 1] < a[..., 3])
    return [(i, j) for i, j in zip(*np.nonzero(np.triu(hit, k=1)), strict=True)]


def assert_readable(deck: pdk.Deck, geometries: dict[str, dict], frame: tuple[int, int], labels: dict[str, str]) -> None:
    """No two shown labels overlap or leave the frame; every area is written out or numbered with a
    key entry naming it; the view shows every area and fills the frame in width or height."""
    boxes = measured_boxes(deck, frame)
    assert overlapping_pairs(boxes) == []
    assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= frame[0]).all() and (boxes[:, 3] <= frame[1]).all()
    _layer, items = label_items(deck)
    assert {item["code"] for item in items} == set(geometries)
    key = maps.label_key(deck).set_index("Nr.")["Gebiet"]
    for item in items:
        if item["text"] != labels[item["code"]]:
            number = item["text"]
            assert number.rstrip("!").isdigit(), f"{item['code']}: weder beschriftet noch nummeriert"
            assert key[number].startswith(labels[item["code"]].split("\n")[0])
    assert len(key) == sum(item["text"] != labels[item["code"]] for item in items)
    points = shapely.get_coordinates([shape(g) for g in geometries.values()])
    xy = screen(points, deck.initial_view_state, frame)
    assert (xy >= -0.5).all() and (xy[:, 0] <= frame[0] + 0.5).all() and (xy[:, 1] <= frame[1] + 0.5).all()
    extent = xy.max(axis=0) - xy.min(axis=0)
    assert max(extent[0] / frame[0], extent[1] / frame[1]) > 0.9


@pytest.mark.parametrize("frame", [APP, SLIDE])
def test_leverkusen_stadtteil_labels_do_not_overlap(sqlite_engine: Engine, frame: tuple[int, int]) -> None:
    view = iv.level_view(sqlite_engine, "sgb2_quote", 2020, "stadtteil")
    geometries = queries.area_geometries(sqlite_engine, "stadtteil")
    meta = iv.indicator_row(sqlite_engine, "sgb2_quote")
    assert len(view) == len(geometries) == 13
    classes, _legend = charts.map_classes(view, meta, "quantiles", 5, False)
    deck = charts.map_deck(view, geometries, meta, classes, False, None, frame_px=frame, font_px=16)
    labels = dict(zip(view["area"], view["name"] + "\n" + view["display"], strict=True))
    assert_readable(deck, geometries, frame, labels)
    written = [item for item in label_items(deck)[1] if item["text"] == labels[item["code"]]]
    assert written, "in the app frame at least some Stadtteile are written out"


def grid_city(n_side: int) -> tuple[pd.DataFrame, dict[str, dict]]:
    """``n_side``² squares of about 140 m with long names, as a level view of the explorer."""
    size, geometries, rows = 0.002, {}, []
    for i in range(n_side * n_side):
        x, y = 7.0 + (i % n_side) * size, 51.0 + (i // n_side) * size
        code = f"a{i:03d}"
        geometries[code] = {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}
        rows.append({
            "area": code, "name": f"Quartier am langen Weg Nummer {i}", "value": float(i % 17),
            "display": f"{i % 17},0 %", "symbol": None, "city_value": 8.0, "city_display": "8,0 %",
            "deviation": float(i % 17) - 8.0, "rank": 1, "n_ranked": n_side * n_side, "change": math.nan,
            "previous_period": 2023,
        })  # fmt: skip
    return pd.DataFrame(rows), geometries


def test_a_city_of_100_small_areas_is_numbered_without_overlap() -> None:
    view, geometries = grid_city(10)
    classes, _legend = charts.map_classes(view, META, "quantiles", 5, False)
    deck = charts.map_deck(view, geometries, META, classes, False, None, frame_px=WIDE)
    labels = dict(zip(view["area"], view["name"] + "\n" + view["display"], strict=True))
    assert_readable(deck, geometries, WIDE, labels)
    key = maps.label_key(deck)
    assert list(key["Nr."]) == [str(n) for n in range(1, 101)]  # all numbered (names far too long), none lost
    assert key["Gebiet"].iloc[0] == "Quartier am langen Weg Nummer 0: 0,0 %"


def test_refit_places_the_labels_anew_for_a_larger_frame() -> None:
    view, geometries = grid_city(4)
    classes, _legend = charts.map_classes(view, META, "quantiles", 5, False)
    small = charts.map_deck(view, geometries, META, classes, False, None, frame_px=SLIDE)
    large = maps.refit(small, (1600, 1200), 9)
    labels = dict(zip(view["area"], view["name"] + "\n" + view["display"], strict=True))
    assert_readable(large, geometries, (1600, 1200), labels)
    assert large.initial_view_state.zoom > small.initial_view_state.zoom
    assert len(maps.label_key(small)) == 16  # 70-px squares hold no long name at 14 px
    assert len(maps.label_key(large)) < 8  # 185-px squares hold most names at 9 px


def test_sozialindex_map_names_areas_and_marks_attention() -> None:
    result = compute_index(observations(), CATALOGUE, CONFIG)
    _view, geometries = grid_city(3)
    codes = list(result.areas["area"])
    shapes = {code: geometries[f"a{i:03d}"] for i, code in enumerate(codes)}
    deck = index_views.class_deck(result, shapes, "status", frame_px=SLIDE)
    attention = set(result.areas.loc[result.areas["attention"], "area"])
    assert attention  # the hand example has areas with besonderem Aufmerksamkeitsbedarf
    names = dict(zip(result.areas["area"], result.areas["name"], strict=True))
    labels = {code: f"! {name}" if code in attention else name for code, name in names.items()}
    assert_readable(deck, shapes, SLIDE, labels)
    features = {f["properties"]["code"]: f["properties"] for f in deck.layers[0].data["features"]}
    for item in label_items(deck)[1]:
        marked = item["text"].startswith("! ") or item["text"].endswith("!")
        assert marked == (item["code"] in attention)
        assert (features[item["code"]]["width"] > 1) == (item["code"] in attention)
    entries = index_views.legend_entries(result, "status")
    assert entries[-1][0] == f"! und dicker Rand: besonderer Aufmerksamkeitsbedarf ({len(attention)})"


def test_place_labels_numbers_what_cannot_fit_and_keys_it() -> None:
    # Two areas 30 px apart, each 40 px wide: "Wiesdorf" (about 70 px at 14 px) fits neither, so both
    # become numbers, 1 and 2 by name; a third, roomy area keeps its name.
    points = np.array([[50, 50], [80, 50], [300, 200]], float)
    room = np.array([[30, 30, 70, 70], [60, 30, 100, 70], [200, 100, 400, 300]], float)
    placed = maps.place_labels(points, ["Wiesdorf", "Manfort", "Opladen"], (420, 300), 14, room=room)
    assert placed.texts == ["2", "1", "Opladen"]
    assert overlapping_pairs(placed.boxes) == []
    assert (placed.boxes[:2, 2] - placed.boxes[:2, 0] < 40).all()  # the numbers' own boxes, not the names'
    assert placed.key.to_dict("records") == [{"Nr.": "1", "Gebiet": "Manfort"}, {"Nr.": "2", "Gebiet": "Wiesdorf"}]


def test_labels_for_1000_areas_measure_the_time() -> None:
    """Places 1,000 labels (time printed with -s, never asserted: the machine is shared)."""
    import time

    view, geometries = grid_city(32)
    texts = dict(zip(view["area"], view["name"], strict=True))
    deck = maps.area_deck(geometries, {}, texts, frame_px=APP)
    started = time.perf_counter()
    layer = maps.label_layer(geometries, texts, deck.initial_view_state, frame_px=APP)
    print(f"label placement for {len(texts)} areas: {(time.perf_counter() - started) * 1000:.0f} ms")
    assert len(layer.data) == len(texts)


def test_an_exported_map_image_carries_the_number_key() -> None:
    view, geometries = grid_city(4)
    classes, legend = charts.map_classes(view, META, "quantiles", 3, False)
    deck = charts.map_deck(view, geometries, META, classes, False, None, frame_px=WIDE)
    figure = render.deck_figure(maps.refit(deck, render.MAP_FRAME_PX, render.MAP_FONT_PX), maps.legend_entries(legend))
    names = [trace.name for trace in figure.data if trace.showlegend]
    assert names[: len(legend)] == [entry for entry, _ in maps.legend_entries(legend)]
    numbered = [name for name in names[len(legend):]]
    assert numbered and all(re.fullmatch(r"\d+ = Quartier am langen Weg Nummer \d+: \d+,0 %", n) for n in numbered)
