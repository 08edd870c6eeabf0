"""Official boundaries: GeoJSON (with or without ``crs``), zipped Shapefile with ``.prj``,
GeoPackage, in any CRS → WGS84; repaired where possible, else rejected with the reason.

Matched areas get the full geometry, a simplified display copy (``geo.simplify_for_display``),
``geometry_quality = 'official'`` and the centroid; features of a finer level (statistical
areas, Sozialräume) that match no area are created below the area that contains them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import GeometryCollection, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid
from sqlalchemy import Engine, insert, select, update

from sozdash.access import audit
from sozdash.core.geometry import simplify_for_display
from sozdash.core.permissions import Actor, require_role
from sozdash.core.vocab import AREA_LEVELS
from sozdash.importing.names import match_areas, normalise
from sozdash.importing.pipeline import Progress, no_progress
from sozdash.importing.problems import ImportProblem, check_size, open_zip
from sozdash.importing.validate import ImportOptions
from sozdash.store import db
from sozdash.store.models import Area, AreaNameMapping, ImportBatch

SUFFIXES = {".geojson", ".json", ".zip", ".gpkg"}
CODE_COLUMNS = {"code", "gebietscode", "schluessel", "nr", "nummer", "id", "kennung", "stt nr", "sr nr"}
NAME_COLUMNS = {
    "name",
    "gebietsname",
    "bezeichnung",
    "gebiet",
    "stadtteil",
    "sozialraum",
    "statistischer bezirk",
    "stt name",
}
PARENT_COLUMNS = {"parent", "parent code", "uebergeordnet", "elterngebiet", "stadtteil code", "stadtteil nr"}
FINE_LEVELS = ("statistischer_bezirk", "sozialraum")
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
    """Accepted features: code, name, area_id (None = create), parent_id, geometry (GeoJSON), note, kind."""
    rejected: pd.DataFrame
    unmatched_areas: pd.DataFrame
    counts: dict[str, int]

    @property
    def blocking(self) -> list[str]:
        reasons = []
        if not self.unmatched_areas.empty:
            reasons.append(
                f"{len(self.unmatched_areas)} Gebiete sind nicht zugeordnet (Zuordnungstabelle ergänzen)."
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


def _column(frame: gpd.GeoDataFrame, names: set[str]) -> str | None:
    return next((c for c in frame.columns if c != "geometry" and normalise(c) in names), None)


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


def prepare_boundaries(
    engine: Engine, data: bytes, file_name: str, options: ImportOptions, crs_hint: str | None = None,
    progress: Progress = no_progress,
) -> BoundaryPreview:  # fmt: skip
    """Read, reproject, repair and match a boundary file; writes nothing."""
    progress(0.1, "Geodatei wird gelesen …")
    frame, source_crs = read_frame(data, file_name, crs_hint)
    code_col, name_col, parent_col = (_column(frame, s) for s in (CODE_COLUMNS, NAME_COLUMNS, PARENT_COLUMNS))
    if code_col is None and name_col is None:
        raise ImportProblem(
            "Die Geodatei hat keine Spalte mit Gebietscode oder Gebietsname (z. B. „code“ oder „name“)."
        )
    progress(0.5, "Flächen werden geprüft und zugeordnet …")
    with engine.connect() as conn:
        areas = pd.DataFrame(
            conn.execute(
                select(Area.id, Area.code, Area.name, Area.level, Area.geometry, Area.geometry_quality)
            ).all(),
            columns=["id", "code", "name", "level", "geometry", "geometry_quality"],
        )
        saved = dict(conn.execute(select(AreaNameMapping.raw_name, AreaNameMapping.area_id).where(AreaNameMapping.source == options.source)).all())  # fmt: skip
    by_code = dict(zip(areas["code"], areas["id"], strict=True))
    saved |= {raw: int(by_code[c]) for raw, c in options.area_mapping.items() if c in by_code}
    codes = (
        frame[code_col].astype("string").fillna("").str.strip()
        if code_col
        else pd.Series("", index=frame.index)
    )
    names = frame[name_col].astype("string").fillna("").str.strip() if name_col else codes
    raw = [r for r in pd.unique(pd.concat([codes, names])) if r]
    match = match_areas(raw, areas, saved, options.level)
    fine = options.level in FINE_LEVELS
    accepted, rejected, unmatched = [], [], []
    rows = zip(frame.index, codes, names, frame.geometry, strict=True)
    for number, (index, code, name, geometry) in enumerate(rows, start=1):
        label = name or code or f"Objekt {number}"
        fixed, note = repair(geometry)
        if fixed is None:
            rejected.append({"Objekt": number, "Name": label, "Grund": note})
            continue
        area_id = match.matched.get(code) or match.matched.get(name)
        parent_id = None
        if area_id is None and fine:
            parent_id = _parent(frame, index, parent_col, areas, options.level, fixed)
            if parent_id is None:
                rejected.append(
                    {"Objekt": number, "Name": label, "Grund": "kein übergeordnetes Gebiet gefunden"}
                )
                continue
        elif area_id is None:
            unmatched.append({"Name in der Datei": code or name, "Weitere Angabe": name if code else "", "Zeilen": 1,
                              "Mehrdeutig": code in match.ambiguous or name in match.ambiguous, "Gebietscode": ""})  # fmt: skip
            continue
        geojson = mapping(fixed)
        geojson = json.loads(json.dumps(geojson))  # tuples → lists, as stored
        old = areas.loc[areas["id"] == area_id] if area_id else None
        same = (
            old is not None
            and old["geometry_quality"].iloc[0] == "official"
            and _same(old["geometry"].iloc[0], geojson)
        )
        accepted.append({
            "code": code or _slug(name, options.level), "name": name or code, "area_id": area_id, "parent_id": parent_id,
            "geometry": geojson, "note": note, "kind": "unchanged" if same else ("changed" if area_id else "new"),
        })  # fmt: skip
    features = pd.DataFrame(
        accepted, columns=["code", "name", "area_id", "parent_id", "geometry", "note", "kind"]
    )
    kinds = features["kind"].value_counts()
    progress(1.0, "Vorschau fertig.")
    return BoundaryPreview(
        file_name=file_name, data=data, checksum=hashlib.sha256(data).hexdigest(), options=options,
        source_crs=source_crs, features=features, rejected=pd.DataFrame(rejected, columns=["Objekt", "Name", "Grund"]),
        unmatched_areas=pd.DataFrame(unmatched, columns=["Name in der Datei", "Weitere Angabe", "Zeilen", "Mehrdeutig", "Gebietscode"]),
        counts={"total": len(frame), "new": int(kinds.get("new", 0)), "changed": int(kinds.get("changed", 0)),
                "unchanged": int(kinds.get("unchanged", 0)), "rejected": len(rejected)},
    )  # fmt: skip


def _same(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    return old is not None and shape(old).equals_exact(shape(new), 1e-9)


def _slug(name: str, level: str | None) -> str:
    return f"{(level or 'gebiet')[:6]}-{normalise(name).replace(' ', '-')}"[:40]


def _parent(
    frame: gpd.GeoDataFrame, index: Hashable, parent_col: str | None, areas: pd.DataFrame, level: str | None,
    geometry: BaseGeometry,
) -> int | None:  # fmt: skip
    """The parent: named in a parent column, else the next coarser area containing the feature."""
    coarser = list(AREA_LEVELS)[: list(AREA_LEVELS).index("stadtteil") + 1]
    if parent_col:
        match = match_areas([str(frame.at[index, parent_col])], areas[areas["level"].isin(coarser)], {})
        if match.matched:
            return next(iter(match.matched.values()))
    point = geometry.representative_point()
    stadtteile = areas[(areas["level"] == "stadtteil") & areas["geometry"].notna()]
    for area_id, area_geometry in zip(stadtteile["id"], stadtteile["geometry"], strict=True):
        if shape(area_geometry).contains(point):
            return int(area_id)
    return None


def commit_boundaries(engine: Engine, actor: Actor, preview: BoundaryPreview) -> int | None:
    """Store the boundaries in one transaction; None when nothing changed."""
    require_role(actor, "planung")
    if preview.blocking:
        raise ImportProblem("Import nicht möglich: " + " ".join(preview.blocking))
    write = preview.features[preview.features["kind"] != "unchanged"]
    if write.empty:
        return None
    with db.session_scope(engine) as session:
        before: dict[str, dict[str, Any]] = {}
        created: list[int] = []
        batch = ImportBatch(
            kind="import", source=preview.options.source, file_name=preview.file_name[:400], checksum=preview.checksum,
            created_by=actor.username, created_at=dt.datetime.now().replace(microsecond=0),
            rows_total=preview.counts["total"], rows_new=preview.counts["new"], rows_changed=preview.counts["changed"],
            rows_unchanged=preview.counts["unchanged"], rows_rejected=preview.counts["rejected"],
            original_file=preview.data, is_demo=False, status="committed",
        )  # fmt: skip
        session.add(batch)
        session.flush()
        for feature in write.to_dict("records"):
            values = _area_values(feature["geometry"])
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
                area_id = session.execute(
                    insert(Area).values(
                        code=feature["code"], name=feature["name"], level=preview.options.level,
                        parent_id=int(feature["parent_id"]), source=preview.options.source, note=feature["note"] or None,
                        **values,
                    ).returning(Area.id)
                ).scalar_one()  # fmt: skip
                created.append(area_id)
                audit.record(session, actor, "create", "areas", feature["code"], None, None, feature["name"])
        batch.report = {
            "kind": "boundaries", "source_crs": preview.source_crs, "areas_before": before, "created_areas": created,
            "rejected": preview.rejected.astype(str).to_dict("records"),
            "repaired": [f"{name}: {note}" for name, note in zip(write["name"], write["note"], strict=True) if note],
        }  # fmt: skip
        db.bump_data_version(session)
        audit.record(
            session, actor, "import", "import_batches", batch.id, None, None, {"Datei": preview.file_name}
        )
        return batch.id


def _area_values(geometry: dict[str, Any]) -> dict[str, Any]:
    centre = shape(geometry).representative_point()
    return {
        "geometry": geometry, "display_geometry": simplify_for_display(geometry), "geometry_quality": "official",
        "centroid_lat": round(centre.y, 6), "centroid_lon": round(centre.x, 6), "centroid_verified": True,
    }  # fmt: skip
