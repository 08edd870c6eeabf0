"""Official boundaries: GeoJSON (with or without ``crs``), zipped Shapefile with ``.prj``,
GeoPackage, in any CRS → WGS84; repaired where possible, else rejected with the reason.

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
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import geopandas as gpd
import pandas as pd
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
from sozdash.importing.problems import ImportProblem, check_size, open_zip
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
        return reasons


def read_frame(data: bytes, file_name: str, crs_hint: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """The features of a boundary file in WGS84 and a description of the source CRS."""
    check_size(data)
    suffix = PurePath(file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"grenzen{suffix}"
        if suffix == ".zip":
            path = _extract_shapefile(data, Path(tmp), crs_hint)
        else:
            path.write_bytes(data)
            if suffix in {".geojson", ".json"}:
                _check_geojson(data)
        try:
            frame = gpd.read_file(path)
        except Exception as exc:  # GDAL reports damaged files with many types
            raise ImportProblem(f"Die Geodatei konnte nicht gelesen werden ({type(exc).__name__}).") from exc
    if frame.empty:
        raise ImportProblem("Die Geodatei enthält keine Flächen.")
    try:
        crs = CRS.from_user_input(crs_hint) if crs_hint else frame.crs or CRS.from_epsg(4326)
    except CRSError as exc:
        raise ImportProblem(f"Koordinatensystem {crs_hint!r} nicht bekannt (z. B. EPSG:25832).") from exc
    frame = frame.set_crs(crs, allow_override=True)
    bounds = frame.total_bounds
    if crs.is_geographic and (abs(bounds[[0, 2]]).max() > 180 or abs(bounds[[1, 3]]).max() > 90):
        raise ImportProblem(
            "Die Koordinaten sind keine Längen- und Breitengrade, die Datei nennt aber kein Koordinatensystem. "
            "Bitte das Koordinatensystem angeben (z. B. EPSG:25832 für ETRS89 / UTM 32N)."
        )
    label = f"{crs.name} (EPSG:{crs.to_epsg()})" if crs.to_epsg() else crs.name
    return frame.to_crs(4326), label


def _check_geojson(data: bytes) -> None:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportProblem("Die GeoJSON-Datei ist kein gültiges JSON.") from exc
    if not isinstance(document, dict) or document.get("type") not in {"FeatureCollection", "Feature"}:
        raise ImportProblem("Die GeoJSON-Datei enthält keine FeatureCollection.")


def _extract_shapefile(data: bytes, target: Path, crs_hint: str | None) -> Path:
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
    return target / "grenzen.shp"


def repair(geometry: BaseGeometry | None) -> tuple[BaseGeometry | None, str]:
    """A valid (Multi)Polygon and a German note, or None and the reason for rejecting it."""
    if geometry is None or geometry.is_empty:
        return None, "leere Geometrie"
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        return None, f"keine Fläche, sondern {geometry.geom_type}"
    if geometry.area < MIN_AREA_DEG2:
        return None, "ungültige Geometrie, nicht reparierbar (Fläche ohne Ausdehnung)"
    if geometry.is_valid:
        return geometry, ""
    reason = explain_validity(geometry)
    fixed: BaseGeometry | None = make_valid(geometry)
    if isinstance(fixed, GeometryCollection):
        polygons = [g for g in fixed.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
        fixed = gpd.GeoSeries(polygons).union_all() if polygons else None
    if (
        fixed is None
        or fixed.is_empty
        or fixed.geom_type not in {"Polygon", "MultiPolygon"}
        or fixed.area == 0
    ):
        return None, f"ungültige Geometrie, nicht reparierbar ({reason})"
    return fixed, f"repariert ({reason})"


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
    """Read, reproject, repair and match a boundary file; plan the areas it creates; writes nothing."""
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
        city = level is not None and level.rank == 0 and len(frame) == 1 and len(own) == 1
        first: dict[str, int] = {}
        rows = zip(codes, names, parents, frame.geometry, strict=True)
        for number, (code, name, parent, geometry) in enumerate(rows, start=1):
            label = name or code or "–"
            key = code or name
            fixed, note = repair(geometry)
            if fixed is None:
                self._reject(number, label, note)
            elif not key:
                self._reject(number, label, f"weder {self._prop('code')} noch {self._prop('name')} angegeben")
            elif key in first:
                self._reject(number, label, f"„{key}“ kommt mehrfach vor (zuerst Objekt {first[key]})")
            else:
                first[key] = number
                area_id = int(own["id"].iloc[0]) if city else self._matched(code, name)
                self._plan(number, code, name, parent, fixed, note, area_id)

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
                before[str(area.id)] = {name: getattr(area, name) for name in AREA_FIELDS}
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
        db.bump_data_version(session)
        audit.record(
            session, actor, "import", "import_batches", batch.id, None, None, {"Datei": preview.file_name}
        )
        return batch.id
