"""The city's area hierarchy as imports build it: levels named by the city, areas under their
parents (by parent code or by the largest overlap with the level above), and combined
statistical areas ("Kleiner Grasbrook und Steinwerder") made from areas of one level.

The writers work inside the caller's transaction. What they create is listed in the import
batch's report (``created_levels``, ``created_areas``, ``areas_before``), so that
``undo.undo_batch`` removes it again and restores what was replaced.

A combined area is a statistical area *beside* its parts: it has the parts' level, their common
parent and the union of their shapes; ``AreaPart`` rows mark it. The parts keep their own shape,
level and parent. Sums to the parent count a part through its combined area
(``store.queries.areas``: ``combined_code``), so the combined area is counted once and never
together with its parts; maps draw the combined area with its parts' inner borders, and areas
without a value below those with one, so that neither hides the other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from shapely import STRtree
from shapely.geometry import MultiPolygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from sozdash.access import audit
from sozdash.core.geometry import simplify_for_display
from sozdash.core.permissions import Actor
from sozdash.importing.names import match_areas, normalise
from sozdash.importing.problems import ImportProblem
from sozdash.importing.validate import ImportOptions
from sozdash.store.models import Area, AreaLevel, AreaPart, ImportBatch

LEVEL_KEY = re.compile(r"[a-z][a-z0-9_]{1,29}")
QUALITY_ORDER = ("none", "schematic", "official")
"""Geometry qualities from worst to best: a combined area has the worst of its parts."""
PART_SEPARATOR = re.compile(r"\s*(?:,|/|&|\+|\bund\b|\bu\.\s)\s*", re.IGNORECASE)
"""Where a combined name splits into its parts: "A und B", "A/B", "A, B und C", "A & B"."""
COLUMN_CANDIDATES: dict[str, tuple[str, ...]] = {
    "code": ("code", "gebietscode", "schluessel", "gebietsschluessel", "kennziffer", "kennung", "area id",
             "area code", "id", "nr", "nummer", "stt nr", "sr nr"),
    "name": ("name", "area name", "gebietsname", "bezeichnung", "gebiet", "stadtteil", "sozialraum",
             "statistischer bezirk", "stt name", "namen"),
    "parent": ("parent", "parent code", "parent id", "district id", "district code", "bezirk id", "bezirk nr",
               "bezirksnummer", "uebergeordnet", "uebergeordneter code", "uebergeordnetes gebiet",
               "elterngebiet", "elterncode", "stadtteil code", "stadtteil nr"),
}  # fmt: skip
"""Recognised property names (as ``hierarchy.heading_key``), most telling first."""
ROLES = {"code": "Code", "name": "Name", "parent": "übergeordnetes Gebiet"}
_HEADING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def heading_key(text: object) -> str:
    """A column heading or property name for comparison: lower case, umlauts as ae/oe/ue/ss,
    ``_``, ``-`` and ``.`` as single spaces ("AREA_ID" → "area id")."""
    key = str(text).casefold().translate(_HEADING)
    return re.sub(r"[\s_\-.]+", " ", key).strip()


def find_column(columns: Iterable[object], candidates: Iterable[str]) -> str | None:
    """The first column (in the order of ``candidates``) whose heading key is a candidate."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(heading_key(column), str(column))
    return next((by_key[c] for c in candidates if c in by_key), None)


# --- levels ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """A level an import writes to; ``is_new`` when the import creates it."""

    key: str
    name: str
    rank: int
    is_new: bool = False


def levels(conn: Connection) -> list[Level]:
    """The stored levels, coarse (rank 0, the whole city) to fine."""
    rows = conn.execute(select(AreaLevel.key, AreaLevel.name, AreaLevel.rank).order_by(AreaLevel.rank)).all()
    return [Level(row.key, row.name, row.rank) for row in rows]


def level_key(name: str) -> str:
    """A level key made from its German name ("Statistischer Bezirk" → "statistischer_bezirk")."""
    key = re.sub(r"[^a-z0-9]+", "_", normalise(name)).strip("_")[:30].strip("_")
    return key if LEVEL_KEY.fullmatch(key) else f"ebene_{key}"[:30].strip("_")


def plan_levels(existing: list[Level], wanted: list[tuple[str, str]]) -> list[Level]:
    """The levels for ``wanted`` (key or '', name or ''), coarse to fine: existing ones where the
    key or name matches, new ones with the next ranks. Raises ``ImportProblem`` (German) for a
    malformed key, a new level without a name, or an order that contradicts the stored levels."""
    by_key = {level.key: level for level in existing}
    by_name = {normalise(level.name): level for level in existing}
    rank = max((level.rank for level in existing), default=-1)
    plans: list[Level] = []
    for key, name in wanted:
        key, name = key.strip(), " ".join(name.split())
        found = by_key.get(key) if key else by_key.get(level_key(name)) or by_name.get(normalise(name))
        if found is not None:
            plans.append(found)
            continue
        if key and not LEVEL_KEY.fullmatch(key):
            raise ImportProblem(
                f"„{key}“ taugt nicht als Schlüssel einer Gebietsebene: erlaubt sind 2–30 Kleinbuchstaben, "
                "Ziffern und „_“, beginnend mit einem Buchstaben (z. B. „bezirk“)."
            )
        if not name:
            known = ", ".join(f"{level.key} ({level.name})" for level in existing)
            raise ImportProblem(
                f"Die Gebietsebene „{key}“ gibt es noch nicht. Bitte ihren Namen angeben (--level-name, "
                f"z. B. „Bezirk“), dann wird sie als feinste Ebene angelegt. Vorhandene Ebenen: {known}."
            )
        if not 2 <= len(name) <= 100:
            raise ImportProblem(f"Der Name der Gebietsebene „{name}“ muss 2 bis 100 Zeichen lang sein.")
        rank += 1
        plans.append(Level(key or level_key(name), name, rank, is_new=True))
    ranks = [plan.rank for plan in plans]
    if ranks != sorted(set(ranks)):
        order = " → ".join(f"{plan.name} (Rang {plan.rank})" for plan in plans)
        raise ImportProblem(
            f"Die Ebenen passen nicht zur gespeicherten Reihenfolge (grob → fein): {order}. Eine neue Ebene "
            "kann nur unter der feinsten vorhandenen angelegt werden, und jede Ebene darf nur einmal vorkommen."
        )
    return plans


def create_levels(session: Session, actor: Actor, plans: Iterable[Level], source: str) -> list[str]:
    """Store the new levels among ``plans``; their keys (for the batch report)."""
    created = []
    for plan in plans:
        if plan.is_new:
            session.add(AreaLevel(key=plan.key, name=plan.name, rank=plan.rank, source=source))
            audit.record(session, actor, "create", "area_levels", plan.key, None, None, plan.name)
            created.append(plan.key)
    session.flush()
    return created


# --- areas -----------------------------------------------------------------------------------


def stored_areas(conn: Connection) -> pd.DataFrame:
    """Every area with id, code, name, level, parent_id, geometry, display_geometry and geometry_quality."""
    columns = ["id", "code", "name", "level", "parent_id", "geometry", "display_geometry", "geometry_quality"]
    rows = conn.execute(select(*(Area.__table__.c[c] for c in columns)).order_by(Area.id)).all()
    return pd.DataFrame(rows, columns=columns).astype({"parent_id": "Int64"})


def parent_level(existing: list[Level], areas: pd.DataFrame, rank: int) -> Level | None:
    """The finest level coarser than ``rank`` that has areas (the level new areas go under)."""
    used = set(areas["level"])
    coarser = [level for level in existing if level.rank < rank and level.key in used]
    return coarser[-1] if coarser else None


class OverlapIndex:
    """Find the area of one level that overlaps a shape most (spatial index over their shapes)."""

    def __init__(self, candidates: pd.DataFrame) -> None:
        with_shape = candidates[candidates["geometry"].notna()]
        self.ids = [int(i) for i in with_shape["id"]]
        self.shapes = [shape(g) for g in with_shape["geometry"]]
        self.tree = STRtree(self.shapes)

    def __bool__(self) -> bool:
        return bool(self.ids)

    def best(self, geometry: BaseGeometry) -> int | None:
        """The id of the area with the largest overlap with ``geometry``; None when none overlaps."""
        hits = self.tree.query(geometry)
        overlaps = [(self.shapes[i].intersection(geometry).area, self.ids[i]) for i in hits]
        best = max(overlaps, default=(0.0, None))
        return best[1] if best[0] > 0 else None


def area_values(
    geometry: dict[str, Any], quality: str = "official", display: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Stored geometry columns of an area: full shape, simplified display copy, quality, centroid."""
    centre = shape(geometry).representative_point()
    return {
        "geometry": geometry, "display_geometry": display or simplify_for_display(geometry),
        "geometry_quality": quality, "centroid_lat": round(centre.y, 6), "centroid_lon": round(centre.x, 6),
        "centroid_verified": True,
    }  # fmt: skip


def insert_area(session: Session, actor: Actor, values: dict[str, Any]) -> int:
    """Insert one area (audited); its id."""
    area_id = int(session.execute(insert(Area).values(**values).returning(Area.id)).scalar_one())
    audit.record(session, actor, "create", "areas", values["code"], None, None, values["name"])
    return area_id


def unique_code(text: str, taken: set[str]) -> str:
    """A code of at most 40 characters for ``text`` that is not in ``taken`` (which it joins)."""
    base = re.sub(r"[^a-z0-9+]+", "-", normalise(text)).strip("-")[:36] or "gebiet"
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    taken.add(code)
    return code


# --- combined statistical areas ---------------------------------------------------------------


def split_parts(name: str) -> list[str]:
    """The part names of a combined name ("A und B", "A/B", "A, B und C"); [] if not combined."""
    parts = [part.strip() for part in PART_SEPARATOR.split(name) if part.strip()]
    return parts if len(parts) >= 2 else []


@dataclass(frozen=True)
class Combined:
    """A combined area a table names: existing (``area_id``) or to be created (``area_id`` < 0,
    a placeholder the commit replaces by the new id)."""

    name: str
    part_ids: tuple[int, ...]
    part_names: tuple[str, ...]
    level: str
    area_id: int
    level_name: str = ""


def find_combined(conn: Connection, names: list[str], level: str | None) -> list[Combined]:
    """Those of ``names`` (unmatched area names of a table) whose parts all match areas of one
    level (``level`` if given): the combined area with the same parts if it exists, else an offer
    to create one. Parts that already belong to a different combined area are not offered again."""
    areas = stored_areas(conn)
    parts_of = _parts_of(conn)
    owner = {part: combined for combined, parts in parts_of.items() for part in parts}
    by_parts = {frozenset(parts): combined for combined, parts in parts_of.items()}
    split = {name: split_parts(name) for name in dict.fromkeys(names)}
    split = {name: parts for name, parts in split.items() if parts}
    if not split:
        return []
    wanted = sorted({part for parts in split.values() for part in parts})
    candidate_levels = [level] if level else [lv for lv in pd.unique(areas["level"]) if lv]
    matches = {lv: match_areas(wanted, areas, {}, lv).matched for lv in candidate_levels}
    names_by_id = dict(zip(areas["id"], areas["name"], strict=True))
    level_names = {lv.key: lv.name for lv in levels(conn)}
    found: list[Combined] = []
    for name, parts in split.items():
        fits = [lv for lv, matched in matches.items() if all(p in matched for p in parts)]
        if len(fits) != 1:
            continue
        ids = tuple(matches[fits[0]][p] for p in parts)
        if len(set(ids)) != len(ids):
            continue
        existing = by_parts.get(frozenset(ids))
        if existing is None and any(i in owner for i in ids):
            continue
        found.append(
            Combined(name, ids, tuple(str(names_by_id[i]) for i in ids), fits[0],
                     existing if existing is not None else -(len(found) + 1), level_names.get(fits[0], fits[0]))
        )  # fmt: skip
    return found


def _parts_of(conn: Connection) -> dict[int, set[int]]:
    parts: dict[int, set[int]] = {}
    for combined_id, part_id in conn.execute(select(AreaPart.combined_id, AreaPart.part_id)).all():
        parts.setdefault(int(combined_id), set()).add(int(part_id))
    return parts


def create_combined(
    session: Session, actor: Actor, offers: Iterable[Combined], source: str
) -> dict[int, int]:
    """Create the offered combined areas (level and parent from their parts, shape = union of the
    parts' shapes, ``AreaPart`` rows); placeholder id → new id."""
    conn = session.connection()
    areas = stored_areas(conn).set_index("id")
    taken = set(areas["code"])
    created: dict[int, int] = {}
    for offer in offers:
        if offer.area_id >= 0:
            continue
        parts = areas.loc[list(offer.part_ids)]
        codes = "+".join(sorted(str(c) for c in parts["code"]))
        code = codes if len(codes) <= 40 and codes not in taken else unique_code(offer.name, taken)
        taken.add(code)
        values: dict[str, Any] = {
            "code": code, "name": offer.name[:200], "level": offer.level,
            "parent_id": _common_parent(areas, list(offer.part_ids)), "source": source,
            "note": "Zusammengefasstes statistisches Gebiet aus: " + ", ".join(offer.part_names),
            "geometry_quality": "none",
        }  # fmt: skip
        values |= _union_values(parts)
        area_id = insert_area(session, actor, values)
        session.execute(insert(AreaPart), [{"combined_id": area_id, "part_id": p} for p in offer.part_ids])
        created[offer.area_id] = area_id
    return created


def _common_parent(areas: pd.DataFrame, ids: list[int]) -> int | None:
    """The nearest area that is an ancestor of every one of ``ids`` (``areas`` indexed by id)."""
    parent_of = {
        int(i): None if pd.isna(p) else int(p) for i, p in zip(areas.index, areas["parent_id"], strict=True)
    }

    def ancestors(area_id: int) -> list[int]:
        chain = []
        parent = parent_of.get(area_id)
        while parent is not None:
            chain.append(parent)
            parent = parent_of.get(parent)
        return chain

    chains = [ancestors(i) for i in ids]
    common = set(chains[0]).intersection(*chains[1:])
    return next((a for a in chains[0] if a in common), None)


def _union_values(parts: pd.DataFrame) -> dict[str, Any]:
    """Shape columns of a combined area: the union of the parts' shapes (display: the parts'
    display shapes side by side, so that their borders stay visible); none if a part has none."""
    if parts["geometry"].isna().any():
        return {}
    union = unary_union([shape(g) for g in parts["geometry"]])
    polygons: list[Any] = []
    for display, full in zip(parts["display_geometry"], parts["geometry"], strict=True):
        geometry = shape(display or full)
        polygons += list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    quality = min(parts["geometry_quality"], key=QUALITY_ORDER.index)
    display = _plain(mapping(MultiPolygon(polygons))) if polygons else None
    return area_values(_plain(mapping(union)), quality, display)


def _plain(geojson: Any) -> Any:
    """GeoJSON with lists instead of tuples (as stored and compared)."""
    if isinstance(geojson, dict):
        return {key: _plain(value) for key, value in geojson.items()}
    if isinstance(geojson, list | tuple):
        return [_plain(value) for value in geojson]
    return float(geojson) if isinstance(geojson, np.floating) else geojson


def combined_rows(
    conn: Connection,
    frame: pd.DataFrame,
    area_ids: pd.Series,
    unmatched: pd.DataFrame,
    options: ImportOptions,
) -> tuple[pd.Series, pd.DataFrame, list[Combined], np.ndarray]:
    """The table import's hook for names that match no area: those naming a combined area get its
    id (or a placeholder to create it, with ``options.combine == 'create'``) or their rows are
    left out (``'leave_out'``). Returns area ids, the still unmatched names, the combined areas
    found and which rows to keep."""
    keep = np.ones(len(frame), dtype=bool)
    names = [str(n) for n in unmatched["Name in der Datei"]]
    found = find_combined(conn, names, options.level) if names else []
    if not found:
        return area_ids, unmatched, [], keep
    create = options.combine == "create"
    target = {c.name: c.area_id for c in found if c.area_id >= 0 or create}
    assigned = frame["area"].map(target)
    ids = area_ids.where(assigned.isna(), assigned).astype("Int64")
    if options.combine == "leave_out":
        keep = ~frame["area"].isin([c.name for c in found if c.area_id < 0]).to_numpy()
    rest = unmatched[~unmatched["Name in der Datei"].isin([c.name for c in found])].reset_index(drop=True)
    return ids, rest, found, keep


def combined_table(found: list[Combined], frame: pd.DataFrame, options: ImportOptions) -> pd.DataFrame:
    """The preview's list of combined areas (German columns)."""
    counts = frame["area"].value_counts()
    decision = {"ask": "offen", "create": "wird angelegt", "leave_out": "Zeilen ausgelassen"}[options.combine]
    return pd.DataFrame(
        [{"Name in der Datei": c.name, "Teile": ", ".join(c.part_names), "Ebene": c.level_name,
          "Zeilen": int(counts.get(c.name, 0)),
          "Entscheidung": "vorhanden" if c.area_id >= 0 else decision} for c in found],
        columns=["Name in der Datei", "Teile", "Ebene", "Zeilen", "Entscheidung"],
    )  # fmt: skip


class AreaFilePreview(Protocol):
    """What the boundary and the area-table previews share for their import batch."""

    file_name: str
    data: bytes
    checksum: str
    options: ImportOptions
    counts: dict[str, int]


def new_area_batch(session: Session, actor: Actor, preview: AreaFilePreview) -> ImportBatch:
    """The import batch of a file that creates or reshapes areas (archived file, counts)."""
    counts = preview.counts
    batch = ImportBatch(
        kind="import", source=preview.options.source, file_name=preview.file_name[:400], checksum=preview.checksum,
        created_by=actor.username, created_at=dt.datetime.now().replace(microsecond=0),
        rows_total=counts["total"], rows_new=counts["new"], rows_changed=counts["changed"],
        rows_unchanged=counts["unchanged"], rows_rejected=counts["rejected"],
        original_file=preview.data, is_demo=False, status="committed",
    )  # fmt: skip
    session.add(batch)
    session.flush()
    return batch
