"""Official boundaries: GeoJSON (with or without ``crs``), zipped Shapefile with ``.prj``,
GeoPackage, in any CRS → WGS84; repaired where possible, else rejected with the reason.

Refused as a whole: a declared coordinate system PROJ does not know (never silently read as
WGS84), more than ``MAX_VERTICES`` corner points, JSON nested too deeply to read. Rejected per
feature: shapes that cannot be repaired, shapes reaching more than ``FAR_KM`` beyond the extent
of the stored shapes (a wrong CRS, swapped axes: never a real exclave), and every feature of an
area the file holds more than once. Shapes reaching beyond it by less (an exclave such as
Hamburg's Neuwerk) are taken with a note to check them.

Imported at a level (``options.level``, created with ``options.level_names[0]`` when new), a
file creates the areas it contains: code and name from chosen or recognised properties, the
parent from a parent-code property or by the largest overlap with the level above. Areas the
level already has (same code, else same name) get the new shape. Without a level, only
existing areas get shapes. Matched and created areas get the full geometry, a simplified
display copy, ``geometry_quality = 'official'`` and the centroid.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import GeometryCollection, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid
from sqlalchemy import Engine, select, update

from sozdash.access import audit
from sozdash.core.permissions import Actor, require_role
from sozdash.importing import hierarchy
from sozdash.importing.hierarchy import Level, OverlapIndex
from sozdash.importing.names import match_areas
from sozdash.importing.pipeline import Progress, no_progress
from sozdash.importing.problems import (
    MAX_VERTICES,
    ImportProblem,
    check_deadline,
    check_size,
    german,
    import_budget,
    open_zip,
)
from sozdash.importing.validate import ImportOptions
from sozdash.store import db
from sozdash.store.models import Area, AreaNameMapping

SUFFIXES = {".geojson", ".json", ".zip", ".gpkg"}
MIN_AREA_DEG2 = 1e-10
"""About 1 m² in WGS84 degrees: smaller polygons are degenerate (e.g. collinear points)."""
AREA_FIELDS = (
    "geometry",
    "display_geometry",
    "geometry_quality",
    "centroid_lat",
    "centroid_lon",
    "centroid_verified",
)
FEATURE_COLUMNS = ["code", "name", "area_id", "parent_id", "parent", "geometry", "note", "kind"]
KNOWN_CRS = {
    "EPSG:4326": "WGS 84, Längen-/Breitengrade", "EPSG:4258": "ETRS89, Längen-/Breitengrade",
    "EPSG:25832": "ETRS89 / UTM 32N", "EPSG:25833": "ETRS89 / UTM 33N", "EPSG:4647": "ETRS89 / UTM 32N mit Zonenkennung",
    "EPSG:31466": "DHDN / Gauß-Krüger Zone 2", "EPSG:31467": "DHDN / Gauß-Krüger Zone 3",
    "EPSG:31468": "DHDN / Gauß-Krüger Zone 4", "EPSG:31469": "DHDN / Gauß-Krüger Zone 5",
    "EPSG:3035": "ETRS89 / LAEA Europa", "EPSG:3857": "WGS 84 / Pseudo-Mercator (Webkarten)",
}  # fmt: skip
"""The coordinate systems of German boundary files a refusal names (every one PROJ knows is read)."""
MAX_CROSSINGS = 1000
"""Self-intersections of one shape beyond which it is not repaired (the repair's work grows with
their number: a shape scribbled from random points would take minutes)."""
NEAR_KM = 5.0
"""How far a shape may reach beyond the extent of the stored shapes without a note (refined shapes)."""
FAR_KM = 150.0
"""How far beyond it a shape is rejected: farther than any city's exclave, nearer than any CRS mistake."""
KM_PER_DEGREE = 111.32
VALIDITY = {
    "Self-intersection": "Selbstüberschneidung", "Ring Self-intersection": "Ring berührt sich selbst",
    "Too few points": "zu wenige Eckpunkte", "Hole lies outside shell": "Loch außerhalb der Außengrenze",
    "Holes are nested": "Löcher ineinander", "Interior is disconnected": "Inneres zerfällt in Teile",
    "Nested shells": "Flächen ineinander", "Duplicate Rings": "doppelte Ringe",
    "Invalid Coordinate": "ungültige Koordinate", "Ring is not closed": "Ring nicht geschlossen",
    "Nested holes": "Löcher ineinander",
}  # fmt: skip
"""GEOS's reasons for an invalid shape, in German."""


def is_boundary_file(file_name: str) -> bool:
    """Whether ``file_name`` is a boundary file (by its ending)."""
    return PurePath(file_name).suffix.lower() in SUFFIXES


@dataclass
class BoundaryPreview:
    file_name: str
    data: bytes
    checksum: str
    options: ImportOptions
    source_crs: str
    features: pd.DataFrame
    """Accepted features: code, name, area_id (None = create), parent_id and parent (name),
    geometry (GeoJSON), note, kind (new, changed, unchanged)."""
    rejected: pd.DataFrame
    unmatched_areas: pd.DataFrame
    counts: dict[str, int]
    level: Level | None = None
    """The level the file is imported at (``is_new``: the import creates it); None = shapes only."""
    columns: dict[str, str] = field(default_factory=dict)
    """German role (Code, Name, übergeordnetes Gebiet) → the property used for it."""
    parent_rule: str = ""
    """How new areas get their parent (German)."""
    beyond: list[str] = field(default_factory=list)
    """Accepted shapes reaching beyond the city's stored extent ("Name (N km)"): a commit needs
    ``options.confirm_outside``."""

    @property
    def notes(self) -> list[str]:
        """What the user should check before committing: repaired shapes and shapes reaching beyond
        the city (German, one line per area)."""
        noted = self.features[self.features["note"].astype(bool)]
        return [f"{name}: {note}" for name, note in zip(noted["name"], noted["note"], strict=True)]

    @property
    def blocking(self) -> list[str]:
        reasons = []
        if not self.unmatched_areas.empty:
            reasons.append(
                f"{len(self.unmatched_areas)} Flächen passen zu keinem vorhandenen Gebiet (Zuordnungstabelle "
                "ergänzen oder die Gebietsebene angeben, dann werden sie angelegt)."
            )
        if self.counts["rejected"] and not self.options.skip_rejected:
            reasons.append(
                f"{self.counts['rejected']} Flächen sind abgelehnt (korrigieren oder ausdrücklich auslassen)."
            )
        if self.beyond and not self.options.confirm_outside:
            reasons.append(
                f"{len(self.beyond)} Flächen reichen über das bisherige Stadtgebiet hinaus: {', '.join(self.beyond[:5])}"
                f"{' …' if len(self.beyond) > 5 else ''}. Bitte prüfen und ausdrücklich bestätigen, dass sie richtig liegen."
            )
        return reasons


def read_frame(data: bytes, file_name: str, crs_hint: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """The features of a boundary file in WGS84 and a description of the source CRS."""
    check_size(data)
    suffix = PurePath(file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"grenzen{suffix}"
        declared = _crs(crs_hint, "angegebene Koordinatensystem") if crs_hint else None
        if suffix == ".zip":
            path, prj = _extract_shapefile(data, Path(tmp), crs_hint)
            declared = declared or _crs(prj, "Koordinatensystem der Projektionsdatei (.prj)")
        else:
            path.write_bytes(data)
            if suffix in {".geojson", ".json"}:
                named = _check_geojson(data)
                declared = declared or (_crs(named, "in der GeoJSON-Datei genannte Koordinatensystem") if named else None)
        try:
            frame = gpd.read_file(path)
        except Exception as exc:  # GDAL reports damaged files with many types
            raise ImportProblem(f"Die Geodatei konnte nicht gelesen werden ({type(exc).__name__}).") from exc
    if frame.empty:
        raise ImportProblem("Die Geodatei enthält keine Flächen.")
    vertices = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
    if vertices > MAX_VERTICES:
        raise ImportProblem(
            f"Die Geodatei hat {german(vertices)} Eckpunkte (Grenze beim Import: höchstens {german(MAX_VERTICES)} "
            "Eckpunkte aller Flächen zusammen). Bitte die Flächen vereinfachen (z. B. in QGIS: Vektor → "
            "Geometrie-Werkzeuge → Vereinfachen) oder die Datei aufteilen."
        )
    crs = declared or frame.crs or CRS.from_epsg(4326)
    frame = frame.set_crs(crs, allow_override=True)
    bounds = frame.total_bounds
    if crs.is_geographic and (abs(bounds[[0, 2]]).max() > 180 or abs(bounds[[1, 3]]).max() > 90):
        raise ImportProblem(
            "Die Koordinaten sind keine Längen- und Breitengrade, die Datei nennt aber kein Koordinatensystem. "
            "Bitte das Koordinatensystem angeben (z. B. EPSG:25832 für ETRS89 / UTM 32N)."
        )
    label = f"{crs.name} (EPSG:{crs.to_epsg()})" if crs.to_epsg() else crs.name
    return frame.to_crs(4326), label


def _crs(text: str, what: str) -> CRS:
    """The coordinate system ``text`` names (EPSG code, URN, WKT); refused with the usual ones when PROJ
    does not know it."""
    try:
        return CRS.from_user_input(text.strip())
    except CRSError as exc:
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 80 else shown[:80] + " …"
        known = "; ".join(f"{code} ({name})" for code, name in KNOWN_CRS.items())
        raise ImportProblem(
            f"Das {what} „{shown}“ ist unbekannt, die Datei wird deshalb nicht gelesen (sie als WGS 84 zu lesen "
            f"könnte die Flächen an einen falschen Ort legen). Angenommen werden alle EPSG-Codes und "
            f"Projektionsbeschreibungen, die PROJ kennt, für deutsche Städte üblich: {known}."
        ) from exc


def _check_geojson(data: bytes) -> str | None:
    """Refuse what is no GeoJSON FeatureCollection; the coordinate system it names (None: WGS 84)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportProblem("Die GeoJSON-Datei ist kein gültiges JSON.") from exc
    except RecursionError as exc:
        raise ImportProblem(
            "Die GeoJSON-Datei ist zu tief verschachtelt (Listen in Listen in …) und wird nicht gelesen; "
            "Flächen brauchen höchstens vier Ebenen (MultiPolygon)."
        ) from exc
    if not isinstance(document, dict) or document.get("type") not in {"FeatureCollection", "Feature"}:
        raise ImportProblem("Die GeoJSON-Datei enthält keine FeatureCollection.")
    crs = document.get("crs")
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        raise ImportProblem(
            "Die GeoJSON-Datei nennt ihr Koordinatensystem in unlesbarer Form (erwartet: "
            '"crs": {"type": "name", "properties": {"name": "EPSG:25832"}}).'
        )
    return name


def _extract_shapefile(data: bytes, target: Path, crs_hint: str | None) -> tuple[Path, str]:
    """Unpack the shapefile; its path and the text of its ``.prj`` ('' with a ``crs_hint``)."""
    with open_zip(data) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        shapefiles = [m for m in members if m.filename.lower().endswith(".shp")]
        if len(shapefiles) != 1:
            raise ImportProblem("Das ZIP-Archiv muss genau eine Shapefile-Datei (.shp) enthalten.")
        stem = shapefiles[0].filename[:-4]
        parts = {m.filename[len(stem) :].lower(): m for m in members if m.filename.startswith(stem)}
        if ".prj" not in parts and not crs_hint:
            raise ImportProblem(
                "Im Shapefile fehlt die Projektionsdatei (.prj). Bitte mitliefern oder das Koordinatensystem angeben."
            )
        for ending, member in parts.items():
            if re.fullmatch(r"\.(shp|shx|dbf|prj|cpg)", ending):
                (target / f"grenzen{ending}").write_bytes(archive.read(member))
        prj = "" if crs_hint else archive.read(parts[".prj"]).decode("utf-8", errors="replace")
    return target / "grenzen.shp", prj


def repair(geometry: BaseGeometry | None) -> tuple[BaseGeometry | None, str]:
    """A valid (Multi)Polygon and a German note, or None and the reason for rejecting it.

    Invalid shapes are repaired first (a self-intersecting "bow-tie" has no signed area until
    then), unless they cross themselves more than ``MAX_CROSSINGS`` times."""
    if geometry is None or geometry.is_empty:
        return None, "leere Geometrie"
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        return None, f"keine Fläche, sondern {geometry.geom_type}"
    note = ""
    if not geometry.is_valid:
        reason = _validity(geometry)
        if _crosses_itself_often(geometry):
            return None, (
                f"ungültige Geometrie, nicht reparierbar (mehr als {german(MAX_CROSSINGS)} Selbstüberschneidungen; "
                f"zuerst: {reason})"
            )
        geometry, note = make_valid(geometry), f"repariert ({reason})"
        if isinstance(geometry, GeometryCollection):
            polygons = [g for g in geometry.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
            geometry = gpd.GeoSeries(polygons).union_all() if polygons else GeometryCollection()
        if geometry.is_empty or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
            return None, f"ungültige Geometrie, nicht reparierbar ({reason})"
    if geometry.area < MIN_AREA_DEG2:
        return None, "ungültige Geometrie, nicht reparierbar (Fläche ohne Ausdehnung)"
    return geometry, note


def _validity(geometry: BaseGeometry) -> str:
    """Why GEOS finds ``geometry`` invalid, in German ("Selbstüberschneidung bei 6.97 51.03")."""
    reason = explain_validity(geometry)
    kind, _, where = reason.partition("[")
    german_kind = VALIDITY.get(kind.strip(), "ungültige Geometrie")
    return f"{german_kind} bei {where.rstrip(']')}" if where else german_kind


def _crosses_itself_often(geometry: BaseGeometry) -> bool:
    """Whether the rings of ``geometry`` meet each other at more than ``MAX_CROSSINGS`` places,
    counted segment against segment and stopped as soon as the limit is passed."""
    rings = shapely.get_rings(shapely.get_parts(geometry))
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    ends = np.flatnonzero(ring_of[1:] == ring_of[:-1])
    pairs = np.stack([coords[ends], coords[ends + 1]], axis=1)
    segments = cast("np.ndarray[Any, np.dtype[np.object_]]", shapely.linestrings(pairs))
    ring, position = ring_of[ends], np.arange(len(ends))
    first = np.r_[0, np.flatnonzero(np.diff(ring)) + 1]
    length = np.diff(np.r_[first, len(ends)])[np.searchsorted(first, position, side="right") - 1]
    tree = shapely.STRtree(segments)
    found, start, step = 0, 0, 16
    while start < len(segments):  # small steps first: a scribbled shape passes the limit at once
        own, other = tree.query(segments[start : start + step], predicate="intersects")
        own += start
        gap = np.abs(position[own] - position[other])
        neighbours = (ring[own] == ring[other]) & ((gap <= 1) | (gap == length[own] - 1))
        found += int((~neighbours & (own < other)).sum())
        if found > MAX_CROSSINGS:
            return True
        start, step = start + step, min(step * 2, 8192)
    return False


def _columns(frame: gpd.GeoDataFrame, options: ImportOptions) -> dict[str, str | None]:
    """The property for code, name and parent: as given, else recognised by its name."""
    properties = [str(c) for c in frame.columns if c != "geometry"]
    given = {"code": options.code_column, "name": options.name_column, "parent": options.parent_column}
    chosen: dict[str, str | None] = {}
    for role, column in given.items():
        if column and column not in properties:
            raise ImportProblem(
                f"Die Geodatei hat keine Eigenschaft „{column}“ (angegeben für {hierarchy.ROLES[role]}, --{role}-column). "
                f"Vorhanden: {', '.join(properties) or 'keine'}."
            )
        chosen[role] = column or hierarchy.find_column(properties, hierarchy.COLUMN_CANDIDATES[role])
    if chosen["code"] is None and chosen["name"] is None:
        raise ImportProblem(
            "Die Geodatei hat keine Eigenschaft mit Gebietscode oder Gebietsname (erkannt werden z. B. „id“, "
            f"„code“, „name“, „AREA_ID“, „schluessel“, „gebiet“). Vorhanden: {', '.join(properties) or 'keine'}. "
            "Bitte mit --code-column und --name-column angeben."
        )
    return chosen


def _texts(frame: gpd.GeoDataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[column].astype("string").fillna("").str.strip()


def prepare_boundaries(
    engine: Engine, data: bytes, file_name: str, options: ImportOptions, crs_hint: str | None = None,
    progress: Progress = no_progress,
) -> BoundaryPreview:  # fmt: skip
    """Read, reproject, repair and match a boundary file; plan the areas it creates; writes nothing.

    Raises ``ImportProblem`` when the file cannot be read or exceeds its time budget
    (``problems.import_budget``)."""
    with import_budget():
        return _prepare_boundaries(engine, data, file_name, options, crs_hint, progress)


def _prepare_boundaries(
    engine: Engine, data: bytes, file_name: str, options: ImportOptions, crs_hint: str | None,
    progress: Progress,
) -> BoundaryPreview:  # fmt: skip
    progress(0.1, "Geodatei wird gelesen …")
    frame, source_crs = read_frame(data, file_name, crs_hint)
    columns = _columns(frame, options)
    progress(0.5, "Flächen werden geprüft und zugeordnet …")
    with engine.connect() as conn:
        areas = hierarchy.stored_areas(conn)
        existing = hierarchy.levels(conn)
        saved = dict(conn.execute(select(AreaNameMapping.raw_name, AreaNameMapping.area_id).where(AreaNameMapping.source == options.source)).all())  # fmt: skip
    by_code = dict(zip(areas["code"], areas["id"], strict=True))
    saved |= {raw: int(by_code[c]) for raw, c in options.area_mapping.items() if c in by_code}
    level = None
    if options.level is not None:
        names = options.level_names[:1] or [""]
        level = hierarchy.plan_levels(existing, [(options.level, names[0])])[0]
    planner = _Planner(frame, columns, areas, existing, level, saved)
    progress(1.0, "Vorschau fertig.")
    features = pd.DataFrame(planner.accepted, columns=FEATURE_COLUMNS)
    kinds = features["kind"].value_counts()
    return BoundaryPreview(
        file_name=file_name, data=data, checksum=hashlib.sha256(data).hexdigest(), options=options,
        source_crs=source_crs, features=features, rejected=pd.DataFrame(planner.rejected, columns=["Objekt", "Name", "Grund"]),
        unmatched_areas=pd.DataFrame(planner.unmatched, columns=["Name in der Datei", "Weitere Angabe", "Zeilen", "Mehrdeutig", "Gebietscode"]),
        counts={"total": len(frame), "new": int(kinds.get("new", 0)), "changed": int(kinds.get("changed", 0)),
                "unchanged": int(kinds.get("unchanged", 0)), "rejected": len(planner.rejected)},
        level=level, columns={hierarchy.ROLES[r]: c for r, c in columns.items() if c}, parent_rule=planner.parent_rule,
        beyond=planner.beyond,
    )  # fmt: skip


class _Planner:
    """Decide per feature: update an area, create one (with its parent), or reject it (German reason)."""

    def __init__(
        self, frame: gpd.GeoDataFrame, columns: dict[str, str | None], areas: pd.DataFrame,
        existing: list[Level], level: Level | None, saved: dict[str, int],
    ) -> None:  # fmt: skip
        self.columns, self.areas, self.level = columns, areas, level
        self.accepted: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.beyond: list[str] = []
        self.unmatched: list[dict[str, Any]] = []
        self.taken = set(areas["code"].astype(str))
        own = areas if level is None else areas[areas["level"] == level.key]
        codes, names = _texts(frame, columns["code"]), _texts(frame, columns["name"])
        parents = _texts(frame, columns["parent"])
        self.by_code = dict(zip(own["code"].astype(str), own["id"], strict=True))
        raw = [r for r in pd.unique(pd.concat([codes, names])) if r]
        names_only = ["id", "code", "name", "level"]
        self.match = match_areas(
            raw, own[names_only], {r: i for r, i in saved.items() if i in set(own["id"])}
        )
        self.above = hierarchy.parent_level(existing, areas, level.rank) if level else None
        self.candidates = areas[areas["level"] == self.above.key] if self.above else areas.iloc[:0]
        self.parents = match_areas(
            [p for p in pd.unique(parents) if p], self.candidates[names_only], {}
        ).matched
        self.parent_rule = self._parent_rule()
        self._index: OverlapIndex | None = None
        self.extent = _extent(areas)
        city = level is not None and level.rank == 0 and len(frame) == 1 and len(own) == 1
        first: dict[str, int] = {}
        first_of_area: dict[int, int] = {}
        rows = zip(codes, names, parents, frame.geometry, strict=True)
        for number, (code, name, parent, geometry) in enumerate(rows, start=1):
            check_deadline()
            label = name or code or "–"
            key = code or name
            fixed, note = repair(geometry)
            outside, warning, reach = ("", "", 0.0) if fixed is None else self._outside(fixed)
            note = "; ".join(n for n in (note, warning) if n)
            area_id = int(own["id"].iloc[0]) if city else self._matched(code, name)
            if fixed is None or outside:
                self._reject(number, label, outside or note)
            elif not key:
                self._reject(number, label, f"weder {self._prop('code')} noch {self._prop('name')} angegeben")
            elif key in first:
                self._reject(number, label, f"„{key}“ kommt mehrfach vor (zuerst Objekt {first[key]})")
            elif area_id is not None and area_id in first_of_area:
                area = self.areas.loc[self.areas["id"] == area_id, "name"].iloc[0]
                self._reject(number, label, f"gehört wie Objekt {first_of_area[area_id]} zum Gebiet „{area}“ "
                             "(je Gebiet genau eine Fläche)")  # fmt: skip
            else:
                first[key] = number
                if warning:
                    known = self.areas.loc[self.areas["id"] == area_id, "name"]
                    self.beyond.append(f"{known.iloc[0] if len(known) else label} ({german(round(reach))} km)")
                if area_id is not None:
                    first_of_area[area_id] = number
                self._plan(number, code, name, parent, fixed, note, area_id)

    def _outside(self, geometry: BaseGeometry) -> tuple[str, str, float]:
        """Why ``geometry`` is rejected for lying far outside the city's extent, or the note that it
        reaches beyond it, and how far (km); ('', '', 0) inside it or while no shapes are stored."""
        if self.extent is None:
            return "", "", 0.0
        west, south, east, north = self.extent
        left, bottom, right, top = geometry.bounds
        across = KM_PER_DEGREE * math.cos(math.radians((south + north) / 2))
        reach = max(across * (west - left), across * (right - east), KM_PER_DEGREE * (south - bottom),
                    KM_PER_DEGREE * (top - north), 0.0)  # fmt: skip
        if reach <= NEAR_KM:
            return "", "", reach
        beyond = f"reicht {german(round(reach))} km über das bisherige Stadtgebiet hinaus"
        if reach <= FAR_KM:
            return "", f"{beyond} – bitte prüfen", reach
        centre = geometry.representative_point()
        return (
            f"liegt außerhalb des Stadtgebiets: {beyond} (Fläche um {_position(centre.y, centre.x)}, die Gebiete "
            f"der Stadt zwischen {_position(south, west)} und {_position(north, east)}; erlaubt sind höchstens "
            f"{german(round(FAR_KM))} km). Stimmt das Koordinatensystem der Datei, sind Längen- und Breitengrad "
            "vertauscht?"
        ), "", reach

    def _prop(self, role: str) -> str:
        column = self.columns[role]
        return f"{hierarchy.ROLES[role]} (Eigenschaft „{column}“)" if column else hierarchy.ROLES[role]

    def _parent_rule(self) -> str:
        if self.level is None:
            return "keine neuen Gebiete (keine Gebietsebene angegeben)"
        if self.above is None:
            return "keine (die Ebene der ganzen Stadt)"
        where = f"in der Ebene {self.above.name}"
        if len(self.candidates) == 1:
            return f"{self.candidates['name'].iloc[0]} (einziges Gebiet {where})"
        by_overlap = f"räumlich: das Gebiet {where} mit der größten Überlappung"
        column = self.columns["parent"]
        return (
            f"aus Eigenschaft „{column}“ (Code oder Name {where}), sonst {by_overlap}"
            if column
            else by_overlap
        )

    def _matched(self, code: str, name: str) -> int | None:
        found = self.by_code.get(code) if code else None
        if found is None:
            found = self.match.matched.get(code) if code else None
        if found is None and name:
            found = self.match.matched.get(name)
        return None if found is None else int(found)

    def _reject(self, number: int, label: str, reason: str) -> None:
        self.rejected.append({"Objekt": number, "Name": label, "Grund": reason})

    def _plan(
        self,
        number: int,
        code: str,
        name: str,
        parent: str,
        fixed: BaseGeometry,
        note: str,
        area_id: int | None,
    ) -> None:
        geojson = json.loads(json.dumps(mapping(fixed)))  # tuples → lists, as stored
        row = {"code": code, "name": name or code, "area_id": area_id, "parent_id": None, "parent": "",
               "geometry": geojson, "note": note}  # fmt: skip
        if area_id is not None:
            old = self.areas.loc[self.areas["id"] == area_id].iloc[0]
            same = old["geometry_quality"] == "official" and _same(old["geometry"], geojson)
            self.accepted.append(
                row | {"code": old["code"], "name": old["name"], "kind": "unchanged" if same else "changed"}
            )
            return
        if self.level is None:
            self.unmatched.append({"Name in der Datei": code or name, "Weitere Angabe": name if code else "", "Zeilen": 1,
                                   "Mehrdeutig": code in self.match.ambiguous or name in self.match.ambiguous,
                                   "Gebietscode": self.match.unmatched.get(code) or self.match.unmatched.get(name) or ""})  # fmt: skip
            return
        if self.above is None:
            self._reject(number, name or code, f"Auf der Ebene {self.level.name} gibt es nur die Stadt selbst: die "
                         "Datei darf dafür genau eine Fläche (den Umriss der Stadt) enthalten.")  # fmt: skip
            return
        if code and code in self.taken:
            holder = self.areas.loc[self.areas["code"] == code].iloc[0]
            self._reject(number, name or code, f"{self._prop('code')} „{code}“ ist schon an „{holder['name']}“ "
                         f"(Ebene {holder['level']}) vergeben")  # fmt: skip
            return
        parent_id, reason = self._parent(parent, fixed)
        if parent_id is None:
            self._reject(number, name or code, reason)
            return
        new_code = code or hierarchy.unique_code(name, self.taken)
        self.taken.add(new_code)
        parent_name = str(self.areas.loc[self.areas["id"] == parent_id, "name"].iloc[0])
        self.accepted.append(
            row | {"code": new_code, "parent_id": parent_id, "parent": parent_name, "kind": "new"}
        )

    def _parent(self, value: str, geometry: BaseGeometry) -> tuple[int | None, str]:
        """The parent of a new area and, when there is none, the German reason."""
        assert self.above is not None
        where = f"der Ebene {self.above.name}"
        if value:
            found = self.parents.get(value)
            if found is None:
                return None, f"{self._prop('parent')} „{value}“ gibt es auf {where} nicht"
            return int(found), ""
        if len(self.candidates) == 1:
            return int(self.candidates["id"].iloc[0]), ""
        if self._index is None:
            self._index = OverlapIndex(self.candidates)
        if not self._index:
            return None, (
                f"kein übergeordnetes Gebiet: {where} fehlen noch Grenzen, und die Datei nennt keines "
                "(Eigenschaft mit übergeordnetem Code über --parent-column angeben)"
            )
        found = self._index.best(geometry)
        return (found, "") if found is not None else (None, f"liegt in keinem Gebiet {where}")


def _extent(areas: pd.DataFrame) -> tuple[float, float, float, float] | None:
    """West, south, east, north of all stored shapes (None while no area has one)."""
    shapes = [shape(g) for g in areas["geometry"] if g]
    if not shapes:
        return None
    bounds = shapely.bounds(np.array(shapes, dtype=object))
    return (float(bounds[:, 0].min()), float(bounds[:, 1].min()), float(bounds[:, 2].max()), float(bounds[:, 3].max()))


def _position(lat: float, lon: float) -> str:
    """``51.03, 6.98`` → "51,03° N, 6,98° O" (south and west as such)."""

    def degrees(value: float) -> str:
        return f"{abs(value):.2f}".replace(".", ",")

    return f"{degrees(lat)}° {'N' if lat >= 0 else 'S'}, {degrees(lon)}° {'O' if lon >= 0 else 'W'}"


def _same(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    return old is not None and shape(old).equals_exact(shape(new), 1e-9)


def commit_boundaries(engine: Engine, actor: Actor, preview: BoundaryPreview) -> int | None:
    """Store the boundaries (and the level and areas they create) in one transaction; None when
    nothing changed."""
    require_role(actor, "planung")
    if preview.blocking:
        raise ImportProblem("Import nicht möglich: " + " ".join(preview.blocking))
    write = preview.features[preview.features["kind"] != "unchanged"]
    if write.empty:
        return None
    source = preview.options.source
    with db.session_scope(engine) as session:
        before: dict[str, dict[str, Any]] = {}
        created: list[int] = []
        batch = hierarchy.new_area_batch(session, actor, preview)
        levels = hierarchy.create_levels(session, actor, [preview.level] if preview.level else [], source)
        for feature in write.to_dict("records"):
            values = hierarchy.area_values(feature["geometry"])
            if pd.notna(feature["area_id"]):  # NaN where the feature creates a new area
                area = session.get(Area, int(feature["area_id"]))
                if area is None:
                    raise ImportProblem(
                        f"Gebiet {feature['name']} wurde inzwischen gelöscht; bitte neu importieren."
                    )
                before.setdefault(str(area.id), {name: getattr(area, name) for name in AREA_FIELDS})
                session.execute(update(Area).where(Area.id == area.id).values(**values))
                audit.record(
                    session,
                    actor,
                    "update",
                    "areas",
                    area.code,
                    "geometry",
                    area.geometry_quality,
                    "official",
                )
            else:
                assert preview.level is not None  # new areas are only planned at a level
                created.append(hierarchy.insert_area(session, actor, {
                    "code": feature["code"], "name": feature["name"], "level": preview.level.key,
                    "parent_id": int(feature["parent_id"]), "source": source, "note": feature["note"] or None, **values,
                }))  # fmt: skip
        batch.report = {
            "kind": "boundaries", "source_crs": preview.source_crs, "areas_before": before, "created_areas": created,
            "created_levels": levels, "columns": preview.columns, "parent_rule": preview.parent_rule,
            "rejected": preview.rejected.astype(str).to_dict("records"),
            "repaired": [f"{name}: {note}" for name, note in zip(write["name"], write["note"], strict=True) if note],
        }  # fmt: skip
        audit.record(
            session, actor, "import", "import_batches", batch.id, None, None, {"Datei": preview.file_name}
        )
        return batch.id
