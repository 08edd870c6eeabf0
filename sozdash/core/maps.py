"""pydeck maps of areas that work offline (no basemap unless ``SOZDASH_BASEMAP`` is set): the view
fitted to the areas in a frame of known pixel size, north-up, and area labels placed by available
space (a label that cannot fit becomes a number, explained in a key beside the map)."""

from __future__ import annotations

import copy
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from pandas.io.formats.style import Styler
from pydeck.bindings.json_tools import default_serialize

NO_DATA_RGBA = [200, 200, 200, 255]
OUTLINE_RGB = [60, 60, 60]
SELECTED_RGB = [0, 0, 0]

FRAME_PX = (480, 520)
"""Default map frame (width, height) in pixels: the indicator page's map column at 1280 px screen
width (520 px high). In a wider column the map keeps its size, centred, and is never cut off."""
LABEL_FONT_PX = 14
LABEL_PADDING_PX = 3
"""White background around a label's text, on every side."""
LINE_HEIGHT = 1.25
"""Line height as a multiple of the font size (DejaVu Sans needs 1.16)."""
FIT_PADDING_PX = 12
ROOM_LEEWAY = 1.2
"""A written label may be this much wider or taller than its area's extent on screen."""
LABEL_GAP_PX = 2.0
MAX_ZOOM = 18.0
TILE_PX = 512
"""deck.gl's Web-Mercator world size at zoom 0."""
KEY_COLUMNS = ["Nr.", "Gebiet"]
NOT_ON_MAP = "–"

# Advance widths in em, rounded up from DejaVu Sans (the widest common sans-serif font).
_NARROW_EM, _WIDE_EM, _UPPER_EM, _OTHER_EM = 0.42, 1.0, 0.8, 0.64
_NARROW = frozenset("fijlrtI.,:;!|/'()[]- ")
_WIDE = frozenset("mwMW%+−@—·")


class CompactDeck(pdk.Deck):  # type: ignore[misc]
    """A deck whose JSON (what ``st.pydeck_chart`` sends to the browser) has no indentation and
    no spaces: the same document as pydeck's own ``to_json``, less than half the bytes.

    ``freeze`` makes it read-only with its JSON written once, so the query cache can share one deck
    among all sessions instead of unpickling and serialising it on every run."""

    _json: str | None = None

    def to_json(self) -> str:
        if self._json is not None:
            return self._json
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))

    def freeze(self) -> CompactDeck:
        """This deck, read-only from now on (its layers a tuple, no attribute can be set)."""
        if self._json is None:
            object.__setattr__(self, "layers", tuple(self.layers))
            object.__setattr__(self, "_json", self.to_json())
        return self

    def __copy__(self) -> CompactDeck:
        """A copy that is not frozen (``copy.copy``; its layers a list of the same layers)."""
        fresh = CompactDeck.__new__(CompactDeck)
        fresh.__dict__.update({name: value for name, value in self.__dict__.items() if name != "_json"})
        fresh.__dict__["layers"] = list(self.layers)
        return fresh

    def __setattr__(self, name: str, value: Any) -> None:
        if self._json is not None:
            raise AttributeError(f"Eine eingefrorene Karte ändert sich nicht ({name}).")
        super().__setattr__(name, value)


@dataclass
class AreaStyle:
    """How one area is drawn and what its tooltip says (plain text, never HTML from users).
    ``selected`` draws a thick black outline (a selected or a marked area)."""

    fill: Sequence[int]
    tooltip: str
    selected: bool = False
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class LabelPlacement:
    """Where the labels of n areas go, in frame pixels (input order)."""

    texts: list[str]
    """Shown text: the full label, a number, or ``""`` when not even a number fits."""
    centres: np.ndarray
    """(n, 2) centre of each shown label."""
    boxes: np.ndarray
    """(n, 4) ``x0, y0, x1, y1`` of each shown label including its padding; NaN when none is shown."""
    numbers: list[str | None]
    """The key number of an area that is not written out (``–`` when not on the map), else None."""
    key: pd.DataFrame
    """``Nr.``, ``Gebiet``: one row per area that is not written out, by name."""


def _em(char: str) -> float:
    if char in _NARROW:
        return _NARROW_EM
    if char in _WIDE:
        return _WIDE_EM
    return _UPPER_EM if char.isupper() else _OTHER_EM


_EM_TABLE = np.array([_em(chr(code)) for code in range(0x2400)])
"""Advance width per code point below U+2400 (Latin, punctuation, arrows, maths); others count 1 em."""


def text_size_px(texts: Sequence[str], font_px: float) -> np.ndarray:
    """(n, 2) width and height of each (multi-line) label with its padding, in pixels."""
    if not texts:
        return np.zeros((0, 2))
    lines = [line for text in texts for line in text.split("\n")]
    counts = np.array([text.count("\n") + 1 for text in texts])
    codes = np.frombuffer("".join(lines).encode("utf-32-le"), dtype=np.uint32)
    ems = _EM_TABLE[np.minimum(codes, len(_EM_TABLE) - 1)]
    ems[codes >= len(_EM_TABLE)] = 1.0
    line_ends = np.concatenate([[0], np.cumsum([len(line) for line in lines])])
    line_em = np.diff(np.concatenate([[0.0], np.cumsum(ems)])[line_ends])
    widths = np.maximum.reduceat(line_em, np.concatenate([[0], np.cumsum(counts)[:-1]]))
    return np.column_stack([widths * font_px, counts * font_px * LINE_HEIGHT]) + 2 * LABEL_PADDING_PX


def _mercator(lonlat: np.ndarray) -> np.ndarray:
    """Web-Mercator world pixels at zoom 0 (y grows southwards, as on screen)."""
    lon, lat = np.radians(lonlat[..., 0]), np.radians(lonlat[..., 1])
    x = TILE_PX * (lon + math.pi) / (2 * math.pi)
    y = TILE_PX * (math.pi - np.log(np.tan(math.pi / 4 + lat / 2))) / (2 * math.pi)
    return np.stack([x, y], axis=-1)


def _unmercator(xy: np.ndarray) -> np.ndarray:
    lon = xy[..., 0] / TILE_PX * 2 * math.pi - math.pi
    lat = 2 * np.arctan(np.exp(math.pi - xy[..., 1] / TILE_PX * 2 * math.pi)) - math.pi / 2
    return np.degrees(np.stack([lon, lat], axis=-1))


def fit_view(
    bounds: Sequence[float], frame_px: tuple[int, int] = FRAME_PX, padding_px: float = FIT_PADDING_PX
) -> pdk.ViewState:
    """The north-up view in which ``(west, south, east, north)`` just fits a frame of ``frame_px``."""
    west, south, east, north = bounds
    (x0, y1), (x1, y0) = _mercator(np.array([[west, south], [east, north]], float))
    usable = np.maximum(np.asarray(frame_px, float) - 2 * padding_px, 1.0)
    span = np.maximum([x1 - x0, y1 - y0], 1e-12)
    zoom = min(MAX_ZOOM, float(np.log2(np.min(usable / span))))
    lon, lat = _unmercator(np.array([(x0 + x1) / 2, (y0 + y1) / 2]))
    return pdk.ViewState(longitude=float(lon), latitude=float(lat), zoom=zoom, bearing=0, pitch=0)


def project(lonlat: np.ndarray, view: pdk.ViewState, frame_px: tuple[int, int]) -> np.ndarray:
    """Screen pixels (from the frame's top left) of ``(n, 2)`` longitudes/latitudes in ``view``."""
    centre = _mercator(np.array([view.longitude, view.latitude], float))
    return (_mercator(np.asarray(lonlat, float)) - centre) * 2**view.zoom + np.asarray(frame_px, float) / 2


def _unproject(xy: np.ndarray, view: pdk.ViewState, frame_px: tuple[int, int]) -> np.ndarray:
    centre = _mercator(np.array([view.longitude, view.latitude], float))
    return _unmercator((xy - np.asarray(frame_px, float) / 2) / 2**view.zoom + centre)


def _shapes(geometries: Mapping[str, dict[str, Any]]) -> np.ndarray:
    return np.asarray(shapely.from_geojson([json.dumps(geometry) for geometry in geometries.values()]))


def view_for(geometries: Mapping[str, dict[str, Any]], frame_px: tuple[int, int] = FRAME_PX) -> pdk.ViewState:
    """The view that fits all ``geometries`` into a frame of ``frame_px``."""
    return fit_view(shapely.total_bounds(_shapes(geometries)).tolist(), frame_px)


class _Grid:
    """Boxes placed so far, hashed into square cells, for O(1) collision checks."""

    def __init__(self, cell_px: float) -> None:
        self.cell = max(cell_px, 1.0)
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.boxes: dict[int, tuple[float, float, float, float]] = {}

    def _keys(self, box: Sequence[float]) -> list[tuple[int, int]]:
        c, g = self.cell, LABEL_GAP_PX
        xs = range(int((box[0] - g) // c), int((box[2] + g) // c) + 1)
        ys = range(int((box[1] - g) // c), int((box[3] + g) // c) + 1)
        return [(x, y) for x in xs for y in ys]

    def hit(self, box: Sequence[float], ignore: int = -1) -> bool:
        """Whether ``box`` comes closer than the gap to a placed box other than ``ignore``."""
        x0, y0, x1, y1 = box
        for key in self._keys(box):
            for j in self.cells.get(key, ()):
                b, g = self.boxes[j], LABEL_GAP_PX
                if j != ignore and x0 - g < b[2] and b[0] - g < x1 and y0 - g < b[3] and b[1] - g < y1:
                    return True
        return False

    def add(self, i: int, box: Sequence[float]) -> None:
        self.boxes[i] = (box[0], box[1], box[2], box[3])
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(i)


def _boxes(centres: np.ndarray, size: np.ndarray) -> np.ndarray:
    return np.concatenate([centres - size / 2, centres + size / 2], axis=-1)


def place_labels(
    points: np.ndarray, texts: Sequence[str], frame_px: tuple[int, int], font_px: float, *,
    room: np.ndarray | None = None, order: Sequence[int] | None = None, marks: Sequence[str] | None = None,
) -> LabelPlacement:  # fmt: skip
    """Greedy label placement in ``order`` (e.g. largest area first), pure and in pixels.

    ``points`` (n, 2) are the label points, ``room`` (n, 4) each area's extent on screen. First every
    area reserves a box for its number at its point (or beside it, within its extent); then a full
    label is written over its point where it fits its area's extent (``ROOM_LEEWAY``) and the frame and
    touches neither a written label nor another area's number box. The other areas show their number (``marks`` are
    put before a full label and after a number, e.g. ``!``), listed in the key by name."""
    n = len(texts)
    pts = np.asarray(points, float).reshape(n, 2)
    order = list(range(n)) if order is None else list(order)
    marks = [""] * n if marks is None else list(marks)
    frame = np.array([0.0, 0.0, *frame_px])
    area = np.asarray(room, float).reshape(n, 4) if room is not None else np.tile(frame, (n, 1))

    def fits_frame(boxes: np.ndarray) -> np.ndarray:
        return (
            (boxes[..., 0] >= 0)
            & (boxes[..., 1] >= 0)
            & (boxes[..., 2] <= frame[2])
            & (boxes[..., 3] <= frame[3])
        )

    # 1. A number box for every area: at the point, else next to it (centre within the area).
    widest = "8" * len(str(max(n, 1))) + max(marks, key=len, default="")
    number_size = text_size_px([widest], font_px)[0]
    steps = np.array([[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0], [-1, -1], [1, -1], [-1, 1], [1, 1]])
    shifts = steps * (number_size + 2 * LABEL_GAP_PX)
    centres = pts[:, None, :] + shifts[None, :, :]
    within = (centres >= area[:, None, :2]).all(axis=2) & (centres <= area[:, None, 2:]).all(axis=2)
    within[:, 0] = True
    candidates = _boxes(centres, np.broadcast_to(number_size, centres.shape))
    usable = within & fits_frame(candidates)
    reserved = np.full((n, 4), np.nan)
    numbers_grid = _Grid(float(number_size.max()))
    for i in order:
        for box in candidates[i][usable[i]].tolist():
            if not numbers_grid.hit(box):
                numbers_grid.add(i, box)
                reserved[i] = box
                break
    # 2. Full labels where they fit, touching no written label and no other area's number box: on the
    # point, else moved by up to a third of their height or a quarter of their width (still over it).
    full = [f"{mark} {text}" if mark else text for mark, text in zip(marks, texts, strict=True)]
    size = text_size_px(full, font_px)
    moves = np.array([[0, 0], [0, -1 / 3], [0, 1 / 3], [-1 / 4, 0], [1 / 4, 0]])
    wanted = _boxes(
        pts[:, None, :] + moves[None, :, :] * size[:, None, :], size[:, None, :].repeat(len(moves), 1)
    )
    roomy = np.all(size <= (area[:, 2:] - area[:, :2]) * ROOM_LEEWAY, axis=1)[:, None] & fits_frame(wanted)
    written = np.full((n, 4), np.nan)
    labels_grid = _Grid(float(np.median(size[:, 0])) if n else 1.0)
    for i in order:
        for box in wanted[i][roomy[i]].tolist():
            if not numbers_grid.hit(box, ignore=i) and not labels_grid.hit(box):
                labels_grid.add(i, box)
                written[i] = box
                break
    # 3. Numbers for the rest, by name; the shown box is the number's own, inside its reserved box.
    names = [_key_name(mark, text) for mark, text in zip(marks, texts, strict=True)]
    rest = sorted((i for i in range(n) if np.isnan(written[i, 0])), key=lambda i: (names[i], i))
    shown, boxes = list(full), written.copy()
    centres = np.where(np.isnan(written[:, :1]), pts, (written[:, :2] + written[:, 2:]) / 2)
    numbers: list[str | None] = [None] * n
    on_map = [i for i in rest if not np.isnan(reserved[i, 0])]
    for number, i in enumerate(on_map, start=1):
        numbers[i] = shown[i] = f"{number}{marks[i]}"
    if on_map:
        centres[on_map] = (reserved[on_map, :2] + reserved[on_map, 2:]) / 2
        boxes[on_map] = _boxes(centres[on_map], text_size_px([shown[i] for i in on_map], font_px))
    for i in set(rest) - set(on_map):
        numbers[i], shown[i] = NOT_ON_MAP, ""
    return LabelPlacement(shown, centres, boxes, numbers, _key(numbers, names))


def _key_name(mark: str, text: str) -> str:
    return f"{mark} {text}".strip().replace("\n", ": ")


def _key(numbers: Sequence[str | None], names: Sequence[str]) -> pd.DataFrame:
    """The key rows of the numbered areas in number order, those not on the map last (by name)."""
    rows = [
        (number, name if number != NOT_ON_MAP else f"{name} (zu klein für eine Beschriftung)")
        for number, name in zip(numbers, names, strict=True) if number is not None
    ]  # fmt: skip
    rows.sort(key=lambda row: (_number_order(row[0]), row[1]))
    return pd.DataFrame(rows, columns=KEY_COLUMNS, dtype=object)


def _number_order(number: str) -> float:
    """``3!`` → 3; ``–`` (not on the map) after every number."""
    digits = re.match(r"\d+", number)
    return int(digits.group()) if digits else math.inf


def label_layer(
    geometries: Mapping[str, dict[str, Any]], texts: Mapping[str, str], view: pdk.ViewState, *,
    frame_px: tuple[int, int] = FRAME_PX, font_px: float = LABEL_FONT_PX, marks: Mapping[str, str] | None = None,
) -> pdk.Layer:  # fmt: skip
    """A text layer with one label per area of ``texts`` (code → label) placed by
    :func:`place_labels` in ``view`` (largest area first, at a point inside the area)."""
    codes = [code for code in texts if code in geometries]
    shapes = _shapes({code: geometries[code] for code in codes})
    anchors = shapely.get_coordinates(shapely.point_on_surface(shapes)).reshape(len(codes), 2)
    corners = shapely.bounds(shapes).reshape(len(codes), 4)
    top_left = project(corners[:, [0, 3]], view, frame_px)
    bottom_right = project(corners[:, [2, 1]], view, frame_px)
    order = np.argsort(-shapely.area(shapes), kind="stable")
    mark_of = marks or {}
    placement = place_labels(
        project(anchors, view, frame_px), [texts[c] for c in codes], frame_px, font_px,
        room=np.hstack([top_left, bottom_right]), order=[int(i) for i in order],
        marks=[mark_of.get(c, "") for c in codes],
    )  # fmt: skip
    positions = np.round(_unproject(placement.centres, view, frame_px), 6).tolist()
    data = [
        {"code": code, "position": position, "text": shown, "label": texts[code], "mark": mark_of.get(code, ""),
         "number": number}
        for code, position, shown, number in zip(codes, positions, placement.texts, placement.numbers, strict=True)
    ]  # fmt: skip
    return pdk.Layer(
        "TextLayer", data, id="labels", get_position="position", get_text="text", get_size=font_px,
        font_family="'DejaVu Sans, sans-serif'", get_color=[20, 20, 20], character_set="'auto'",
        line_height=LINE_HEIGHT, background=True, background_padding=[LABEL_PADDING_PX] * 2,
        get_background_color=[255, 255, 255, 210], pickable=False,
    )  # fmt: skip


def area_deck(
    geometries: Mapping[str, dict[str, Any]],
    styles: Mapping[str, AreaStyle],
    names: Mapping[str, str],
    *,
    layer_id: str = "areas",
    frame_px: tuple[int, int] = FRAME_PX,
) -> pdk.Deck:
    """A north-up deck with one polygon layer of areas, fitted to a frame of ``frame_px``;
    selectable by click (``on_select``)."""
    features = [
        _feature(code, geometry, styles.get(code), names.get(code, code))
        for code, geometry in geometries.items()
    ]
    layer = pdk.Layer(
        "GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id=layer_id, pickable=True,
        stroked=True, filled=True, get_fill_color="properties.fill", get_line_color="properties.line",
        get_line_width="properties.width", auto_highlight=True,
    )  # fmt: skip
    # Set after construction: as a keyword, pydeck would turn the string into a JS expression.
    layer.line_width_units = "pixels"
    basemap = os.environ.get("SOZDASH_BASEMAP")
    offline = {"map_provider": None}  # pydeck's default map_style sentinel: no basemap is fetched
    online = {"map_provider": "carto", "map_style": basemap}
    north_up = pdk.View("MapView", controller={"dragRotate": False, "touchRotate": False})
    return CompactDeck(
        layers=[layer], initial_view_state=view_for(geometries, frame_px), tooltip={"text": "{tooltip}"},
        views=[north_up], **(online if basemap else offline),
    )  # fmt: skip


def _feature(code: str, geometry: dict[str, Any], style: AreaStyle | None, name: str) -> dict[str, Any]:
    if style is None:
        style = AreaStyle(fill=NO_DATA_RGBA, tooltip=f"{name}: keine Daten")
    properties = {
        "code": code, "name": name, "fill": list(style.fill), "tooltip": style.tooltip,
        "line": SELECTED_RGB if style.selected else OUTLINE_RGB, "width": 4 if style.selected else 1, **style.extra,
    }  # fmt: skip
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _label_items(deck: pdk.Deck) -> list[dict[str, Any]]:
    return [item for layer in deck.layers if layer.type == "TextLayer" for item in layer.data]


def refit(deck: pdk.Deck, frame_px: tuple[int, int], font_px: float) -> pdk.Deck:
    """The same map for another frame or font size (a slide, an image): the view fitted anew and
    the labels placed anew from the deck's own areas and label texts."""
    geometries = {
        feature["properties"]["code"]: feature["geometry"]
        for layer in deck.layers if layer.type == "GeoJsonLayer" for feature in layer.data["features"]
    }  # fmt: skip
    items = _label_items(deck)
    view = view_for(geometries, frame_px)
    layers = [layer for layer in deck.layers if layer.type != "TextLayer"]
    if items:
        texts = {item["code"]: item["label"] for item in items}
        marks = {item["code"]: item["mark"] for item in items}
        layers.append(label_layer(geometries, texts, view, frame_px=frame_px, font_px=font_px, marks=marks))
    fitted = copy.copy(deck)
    fitted.layers, fitted.initial_view_state = layers, view
    return fitted


def label_key(deck: pdk.Deck) -> pd.DataFrame:
    """The key beside the map: ``Nr.``, ``Gebiet`` for every area shown by a number."""
    items = _label_items(deck)
    return _key(
        [item["number"] for item in items], [_key_name(item["mark"], item["label"]) for item in items]
    )


def legend_entries(legend: pd.DataFrame) -> list[tuple[str, tuple[int, ...]]]:
    """(label, RGB) per row of a legend frame (``Farbe`` as RGB, ``Klasse``, ``Gebiete``), for images:
    the class with its bounds and the number of areas."""
    return [
        (f"{label} ({count})", tuple(int(c) for c in rgb))
        for label, rgb, count in zip(legend["Klasse"], legend["Farbe"], legend["Gebiete"], strict=True)
    ]


def legend_styler(legend: pd.DataFrame) -> Styler:
    """The legend table with a colour swatch in the ``Farbe`` column (``Farbe`` as RGB)."""
    swatches = [f"background-color: rgb({r}, {g}, {b})" for r, g, b in legend["Farbe"]]
    table = legend.assign(Farbe="")[["Farbe", "Klasse", "Gebiete"]]
    return table.style.apply(lambda _: swatches, subset=["Farbe"])
