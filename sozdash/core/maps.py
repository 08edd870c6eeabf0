"""pydeck maps of areas that work offline (no basemap unless ``SOZDASH_BASEMAP`` is set)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydeck as pdk

NO_DATA_RGBA = [200, 200, 200, 255]
OUTLINE_RGB = [60, 60, 60]
SELECTED_RGB = [0, 0, 0]


@dataclass
class AreaStyle:
    """How one area is drawn and what its tooltip says (plain text, never HTML from users)."""

    fill: Sequence[int]
    tooltip: str
    selected: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def _bounds(geometries: Mapping[str, dict[str, Any]]) -> tuple[float, float, float, float]:
    lons, lats = [], []

    def walk(coords: object) -> None:
        if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
            lons.append(float(coords[0]))
            lats.append(float(coords[1]))
        elif isinstance(coords, (list, tuple)):
            for item in coords:
                walk(item)

    for geometry in geometries.values():
        walk(geometry["coordinates"])
    return min(lons), min(lats), max(lons), max(lats)


def view_for(geometries: Mapping[str, dict[str, Any]]) -> pdk.ViewState:
    """A view centred on the geometries with a zoom that shows them whole."""
    west, south, east, north = _bounds(geometries)
    span = max(east - west, (north - south) * 1.6, 1e-4)
    zoom = max(8.0, min(14.0, math.log2(360 / span) - 0.6))
    return pdk.ViewState(longitude=(west + east) / 2, latitude=(south + north) / 2, zoom=zoom)


def area_deck(
    geometries: Mapping[str, dict[str, Any]],
    styles: Mapping[str, AreaStyle],
    names: Mapping[str, str],
    *,
    layer_id: str = "areas",
) -> pdk.Deck:
    """A deck with one polygon layer of areas; selectable by click (``on_select``)."""
    features = []
    for code, geometry in geometries.items():
        style = styles.get(
            code, AreaStyle(fill=NO_DATA_RGBA, tooltip=f"{names.get(code, code)}: keine Daten")
        )
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "code": code, "name": names.get(code, code), "fill": list(style.fill), "tooltip": style.tooltip,
                "line": SELECTED_RGB if style.selected else OUTLINE_RGB, "width": 4 if style.selected else 1,
                **style.extra,
            },
        })  # fmt: skip
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
    return pdk.Deck(
        layers=[layer], initial_view_state=view_for(geometries), tooltip={"text": "{tooltip}"},
        **(online if basemap else offline),
    )  # fmt: skip
