"""Geometry helpers on GeoJSON dicts (WGS84): validity and simplified display copies."""

from __future__ import annotations

from typing import Any

from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

DISPLAY_TOLERANCE_DEG = 0.0003
"""In Germany about 20 m east–west and 33 m north–south: invisible on a city map, far fewer vertices."""


def simplify_for_display(
    geometry: dict[str, Any], tolerance: float = DISPLAY_TOLERANCE_DEG
) -> dict[str, Any]:
    """A topology-preserving simplified copy, with coordinates rounded to 5 decimals."""
    simplified = shape(geometry).simplify(tolerance, preserve_topology=True)
    return _round_coordinates(mapping(simplified), 5)


def _round_coordinates(geometry: dict[str, Any], digits: int) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float | int):
                return [round(float(v), digits) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def geometry_problem(geometry: dict[str, Any] | None) -> str | None:
    """``None`` for a valid, non-empty polygon geometry, else a German reason."""
    if geometry is None:
        return "keine Geometrie"
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return f"Geometrie nicht lesbar ({exc})"
    if geom.is_empty:
        return "leere Geometrie"
    if geom.geom_type not in {"Polygon", "MultiPolygon"}:
        return f"kein Polygon, sondern {geom.geom_type}"
    if not geom.is_valid:
        return f"ungültige Geometrie: {explain_validity(geom)}"
    return None
