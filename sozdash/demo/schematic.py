"""Schematic area shapes for maps until the city's official boundaries are imported.

The shapes are Voronoi cells around approximate Stadtteil centres, clipped to a rough,
hand-drawn outline of Leverkusen. They are labelled ``geometry_quality: "schematic"`` and
must never be presented as official boundaries.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

SCHEMATIC_SOURCE = (
    "Schematische Form: Voronoi-Zellen um ungefähre Stadtteilzentren, zugeschnitten auf einen groben "
    "Stadtumriss – keine amtliche Grenze"
)

# APPROXIMATE outline of Leverkusen (WGS84, lon/lat), drawn by hand from general knowledge of
# the city's extent: the Rhine in the west (Wiesdorf - Rheindorf - Hitdorf), Langenfeld and
# Leichlingen in the north, Burscheid / Bergisch Gladbach in the east, Köln in the south.
# About 80 km² (official area 78.87 km²). It is NOT an official boundary and deviates from
# the true one by up to several hundred metres.
LEVERKUSEN_OUTLINE_APPROX: tuple[tuple[float, float], ...] = (
    (6.968, 51.012),
    (6.958, 51.028),
    (6.945, 51.040),
    (6.928, 51.050),
    (6.908, 51.058),
    (6.902, 51.070),
    (6.925, 51.077),
    (6.955, 51.072),
    (6.985, 51.083),
    (7.015, 51.086),
    (7.045, 51.092),
    (7.065, 51.088),
    (7.085, 51.075),
    (7.100, 51.058),
    (7.098, 51.042),
    (7.088, 51.031),
    (7.062, 51.021),
    (7.035, 51.016),
    (7.005, 51.014),
    (6.985, 51.010),
)

PRECISION = 1e-5
"""Grid size of the output coordinates (5 decimals, about 1 m)."""

_LAT0 = 51.05
_KX = math.cos(math.radians(_LAT0))
"""Longitude is scaled by cos(latitude) so that Voronoi cells follow ground distances."""


Geometry = TypeVar("Geometry", bound=BaseGeometry)


def _to_plane(geom: Geometry) -> Geometry:
    return shapely.transform(geom, lambda c: c * [_KX, 1.0])


def _from_plane(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c / [_KX, 1.0])


def _clean(geom: BaseGeometry) -> BaseGeometry:
    """Snap to the 5-decimal grid, keep it valid and orient rings as RFC 7946 asks."""
    geom = shapely.set_precision(shapely.make_valid(geom), PRECISION)
    return shapely.orient_polygons(geom, exterior_cw=False)


def _rounded(obj: Any) -> Any:
    if isinstance(obj, (tuple, list)):
        if obj and isinstance(obj[0], float):
            return [round(v, 5) for v in obj]
        return [_rounded(o) for o in obj]
    return obj


def _feature(code: str, geom: BaseGeometry) -> dict[str, Any]:
    geo = mapping(geom)
    return {
        "type": "Feature",
        "properties": {"code": code, "geometry_quality": "schematic", "source": SCHEMATIC_SOURCE},
        "geometry": {"type": geo["type"], "coordinates": _rounded(geo["coordinates"])},
    }


def stadtteil_cells(areas: list[dict[str, Any]]) -> dict[str, BaseGeometry]:
    """Voronoi cell (clipped to the approximate outline) of every Stadtteil, by area code."""
    stadtteile = [a for a in areas if a["level"] == "stadtteil"]
    outline = _to_plane(Polygon(LEVERKUSEN_OUTLINE_APPROX))
    centres = {a["code"]: _to_plane(Point(a["centroid_lon"], a["centroid_lat"])) for a in stadtteile}
    cells = shapely.voronoi_polygons(MultiPoint(list(centres.values())), extend_to=outline)
    result: dict[str, BaseGeometry] = {}
    for code, centre in centres.items():
        cell = next(c for c in cells.geoms if c.contains(centre))
        result[code] = _clean(_from_plane(cell.intersection(outline)))
    return result


def schematic_areas(areas: list[dict[str, Any]]) -> dict[str, Any]:
    """Build a GeoJSON FeatureCollection of schematic shapes for all areas.

    Args:
        areas: Area mappings as in ``data/seed/areas.yaml`` (``code``, ``level``, ``parent``,
            and ``centroid_lon``/``centroid_lat`` for Stadtteile).

    Returns:
        A FeatureCollection with one feature per area that has Stadtteile below it (or is one),
        in the order of ``areas``. Stadtteile get their Voronoi cell, every higher area the
        union of the cells of the Stadtteile below it. Coordinates are WGS84, rounded to
        5 decimals; properties are ``code``, ``geometry_quality`` ("schematic") and ``source``.
    """
    cells = stadtteil_cells(areas)
    parent = {a["code"]: a.get("parent") for a in areas}

    def ancestors(code: str) -> list[str]:
        chain = []
        above = parent.get(code)
        while above is not None:
            chain.append(above)
            above = parent.get(above)
        return chain

    members: dict[str, list[str]] = {code: [code] for code in cells}
    for code in cells:
        for anc in ancestors(code):
            members.setdefault(anc, []).append(code)

    features = []
    for area in areas:
        codes = members.get(area["code"])
        if not codes:
            continue
        if area["code"] in cells:
            geom = cells[area["code"]]
        else:
            geom = _clean(shapely.union_all([cells[c] for c in codes]))
        features.append(_feature(area["code"], geom))
    return {"type": "FeatureCollection", "features": features}
