"""Values and shapes the import must refuse or accept (issue 13, points 5 and 6, and the geodata
side of 1 and 7), made in memory against the seeded Leverkusen areas: each small, each still
reproducing its case. Runs with the default plausible years (1950 to next year)."""

from __future__ import annotations

import io
import json
import math
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import Polygon

from sozdash.importing.problems import MAX_VERTICES
from tests.fuzz.case import FuzzCase

WIESDORF = (6.9756, 51.0353)
"""Centre of the seeded Stadtteil Wiesdorf (lon, lat), inside the city's stored shapes."""


def table(*rows: str) -> bytes:
    return ("Gebiet;Indikator;Jahr;Wert\n" + "\n".join(rows) + "\n").encode()


def ring(centre: tuple[float, float], points: int, radius: float = 0.004) -> list[list[float]]:
    """A closed circle of ``points`` corners around ``centre``."""
    lon, lat = centre
    corners = [
        [round(lon + radius * math.cos(2 * math.pi * i / points), 6), round(lat + radius * math.sin(2 * math.pi * i / points), 6)]
        for i in range(points)
    ]  # fmt: skip
    return [*corners, corners[0]]


def geojson(*features: tuple[dict[str, str], list[list[float]]], crs: str | None = None) -> bytes:
    document: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [outline]}}
        for properties, outline in features
    ]}  # fmt: skip
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(document, separators=(",", ":")).encode()


def bow_tie() -> list[list[float]]:
    """A self-intersecting quadrilateral (two triangles meeting in one point): signed area 0."""
    lon, lat = WIESDORF
    return [[lon, lat], [lon + 0.004, lat + 0.004], [lon + 0.004, lat], [lon, lat + 0.004], [lon, lat]]


def scribble(points: int) -> list[list[float]]:
    """A ring through random points: it crosses itself at about ``points²/10`` places."""
    lon, lat = WIESDORF
    rng = random.Random(13)
    corners = [[lon + 0.01 * rng.random(), lat + 0.01 * rng.random()] for _ in range(points)]
    return [*corners, corners[0]]


def nested_geojson() -> bytes:
    depth = 100_000
    return b'{"type":"FeatureCollection","features":' + b"[" * depth + b"]" * depth + b"}"


def zipped_shapefile(prj: bytes) -> bytes:
    """A shapefile of one Wiesdorf polygon, zipped, with ``prj`` as its projection file."""
    frame = gpd.GeoDataFrame({"code": ["wiesdorf"]}, geometry=[Polygon(ring(WIESDORF, 8))], crs=4326)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        frame.to_file(Path(tmp) / "grenzen.shp")
        for part in sorted(Path(tmp).iterdir()):
            archive.writestr(part.name, prj if part.suffix == ".prj" else part.read_bytes())
    return buffer.getvalue()


AREA_TABLE = "code;name;parent\nneu-1;Neues Gebiet;bezirk-1\nneu-1;Zweites Neues Gebiet;bezirk-1\n"

CASES: list[FuzzCase] = [
    FuzzCase("count-400-digits", "anzahl.csv", "table",
             lambda: table("Wiesdorf;bevoelkerung;2020;" + "9" * 400), "Anzahl außerhalb des zulässigen Bereichs"),
    FuzzCase("count-negative", "anzahl.csv", "table",
             lambda: table("Wiesdorf;bevoelkerung;2020;-5"), "eine Anzahl von 0 bis unter"),
    FuzzCase("share-250-percent", "anteil.csv", "table",
             lambda: table("Wiesdorf;sgb2_quote;2020;250 %"), "Prozentwert außerhalb 0–100"),
    FuzzCase("year-2099", "jahr.csv", "table",
             lambda: table("Wiesdorf;bevoelkerung;2099;5"), "Jahr außerhalb des zulässigen Bereichs"),
    FuzzCase("year-2200", "jahr.csv", "table",
             lambda: table("Wiesdorf;bevoelkerung;2200;5"), "ein Jahr von 1950 bis"),
    FuzzCase("date-2022-13-45", "datum.csv", "table",
             lambda: table("Wiesdorf;bevoelkerung;2022-13-45;5"), "Datum ungültig"),
    FuzzCase("polygon-in-chile", "chile.geojson", "boundaries",
             lambda: geojson(({"code": "wiesdorf"}, ring((-70.67, -33.45), 8))), "liegt außerhalb des Stadtgebiets"),
    FuzzCase("crs-epsg-999999", "unbekannt.geojson", "boundaries",
             lambda: geojson(({"code": "wiesdorf"}, ring(WIESDORF, 8)), crs="EPSG:999999"),
             "„EPSG:999999“ ist unbekannt"),
    FuzzCase("crs-garbage-prj", "grenzen.zip", "boundaries",
             lambda: zipped_shapefile(b"GARBAGE{{ not a projection"), "Projektionsdatei (.prj)"),
    FuzzCase("bow-tie-repaired", "schleife.geojson", "boundaries",
             lambda: geojson(({"code": "wiesdorf"}, bow_tie())), ""),
    FuzzCase("scribble-20000-vertices", "gekritzel.geojson", "boundaries",
             lambda: geojson(({"code": "wiesdorf"}, scribble(20_000))), "Selbstüberschneidungen"),
    FuzzCase("polygon-20000-vertices", "fein.geojson", "boundaries",
             lambda: geojson(({"code": "wiesdorf"}, ring(WIESDORF, 20_000))), ""),
    FuzzCase("geojson-nested-deeply", "tief.geojson", "boundaries", nested_geojson, "zu tief verschachtelt"),
    FuzzCase("vertices-above-limit", "zu-fein.geojson", "boundaries",
             lambda: geojson(({"code": "wiesdorf"}, ring(WIESDORF, MAX_VERTICES + 1))), "Grenze beim Import"),
    FuzzCase("two-shapes-one-area", "doppelt.geojson", "boundaries",
             lambda: geojson(({"code": "wiesdorf"}, ring(WIESDORF, 8)), ({"name": "Wiesdorf"}, bow_tie())),
             "je Gebiet genau eine Fläche"),
    FuzzCase("area-table-code-twice", "gebiete.csv", "areas", lambda: AREA_TABLE.encode(), "kommt mehrfach vor"),
]  # fmt: skip
