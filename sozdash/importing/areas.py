"""The area hierarchy from a table (``python -m sozdash import FILE --areas``), before any shapes.

Two shapes of table are read:

- **parent codes**: one row per area with code, name and the parent's code (empty, the city's
  AGS or its name = directly under the city); the levels follow from the depth in the tree;
- **key table**: one row per finest area with a code and/or name column per level, as city key
  tables are ("Planungsraum (Nummer)", "Planungsraum (Name)", …, "Bezirk"); the levels are
  ordered coarse → fine by their number of distinct areas, named after the column titles.

Level names come from ``options.level_names`` (coarse → fine), else from the column titles or the
stored level of that rank. Shapes follow later through the boundary import (matched by code).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select, update

from sozdash.access import audit
from sozdash.core.permissions import Actor, require_role
from sozdash.importing import hierarchy
from sozdash.importing.hierarchy import Level
from sozdash.importing.layout import data_rows, find_header, header_names
from sozdash.importing.names import normalise
from sozdash.importing.pipeline import Progress, no_progress
from sozdash.importing.problems import ImportProblem, import_budget
from sozdash.importing.readers import read_cells
from sozdash.importing.validate import ImportOptions
from sozdash.store import db
from sozdash.store.models import Area

CODE_WORDS = ("nummer", "nr", "id", "code", "schluessel", "kennziffer", "kennung", "key", "no")
NAME_WORDS = ("name", "namen", "bezeichnung")
LEVEL_WORDS = {
    "stadt", "bezirk", "stadtbezirk", "stadtteil", "ortsteil", "ortschaft", "prognoseraum", "bezirksregion",
    "planungsraum", "sozialraum", "statistischer bezirk", "quartier", "wohnquartier", "viertel", "stadtviertel",
    "baublock", "block", "gemarkung", "district", "region",
}  # fmt: skip
"""Column titles that name a level on their own (a column of area names, e.g. "Bezirk")."""
_PAIR = re.compile(
    rf"^(?P<base>.+?)\s*(?:\(\s*(?P<inner>{'|'.join(CODE_WORDS + NAME_WORDS)})\s*\)|\s(?P<word>{'|'.join(CODE_WORDS + NAME_WORDS)}))$"
)
AREA_COLUMNS = ["code", "name", "level", "parent_code", "row", "area_id", "kind"]


@dataclass
class FoundLevel:
    """A level the table holds: its default name, the columns read and how many areas it has."""

    label: str
    code_column: str | None
    name_column: str | None
    count: int


@dataclass
class AreaTablePreview:
    """What an area table would create or change; ``blocking`` says whether a commit may run."""

    file_name: str
    data: bytes
    checksum: str
    options: ImportOptions
    shape: str
    """``key table`` or ``parent codes`` (see ``SHAPES``)."""
    levels: list[Level]
    """The planned levels, coarse → fine (``name`` empty where it is still missing)."""
    level_table: pd.DataFrame
    """The levels for the user (German columns)."""
    areas: pd.DataFrame
    """code, name, level (key), parent_code, row, area_id (stored area or NA), kind (new/changed/unchanged)."""
    rejected: pd.DataFrame
    counts: dict[str, int]

    @property
    def shape_label(self) -> str:
        return SHAPES[self.shape]

    @property
    def blocking(self) -> list[str]:
        reasons = []
        unnamed = [str(i) for i, level in enumerate(self.levels, start=1) if not level.name]
        if unnamed:
            reasons.append(
                f"Die Ebene(n) {', '.join(unnamed)} haben noch keinen Namen (je Ebene einen Namen angeben, "
                "grob → fein)."
            )
        if self.counts["rejected"] and not self.options.skip_rejected:
            reasons.append(
                f"{self.counts['rejected']} Zeilen sind abgelehnt (korrigieren oder ausdrücklich auslassen)."
            )
        return reasons


SHAPES = {
    "key table": "Schlüsseltabelle: eine Zeile je feinstem Gebiet, Spalten je Ebene",
    "parent codes": "Gebietsliste: Code, Name und übergeordneter Code je Gebiet",
}


def read_grid(data: bytes, file_name: str) -> pd.DataFrame:
    """The table's rows as texts, columns = header, plus ``row`` (the row number in the file)."""
    cells, _ = read_cells(data, file_name)
    filled = (cells != "").sum(axis=1).to_numpy()
    header = find_header(cells, filled, None)
    if header.row is None:
        raise ImportProblem(
            f"Die Gebietstabelle hat keine Kopfzeile (Zeile {header.first + 1} enthält schon Werte). Erwartet "
            "werden Spaltennamen wie „Code“, „Name“, „übergeordnet“ oder „Bezirk (Nummer)“, „Bezirk (Name)“."
        )
    names = header_names(cells, header)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ImportProblem(f"Spaltenüberschrift doppelt: {', '.join(duplicates)}.")
    keep = data_rows(cells, filled, header, [])
    grid = cells.iloc[header.first :][keep]
    grid.columns = names
    grid.insert(0, "row", np.flatnonzero(keep) + header.first + 1)
    if grid.empty:
        raise ImportProblem("Die Gebietstabelle enthält unter der Kopfzeile keine Zeilen.")
    return grid.reset_index(drop=True)


def key_levels(columns: list[str], known: set[str]) -> list[FoundLevel]:
    """The levels of a key table in column order: pairs "X (Nummer)"/"X (Name)", "X Nr"/"X Name",
    or a column titled with a level word or a stored level's name ("Bezirk")."""
    found: dict[str, FoundLevel] = {}
    for column in columns:
        key = hierarchy.heading_key(column)
        pair = _PAIR.match(key)
        if pair:
            base, word = pair["base"].strip(), pair["inner"] or pair["word"]
        elif key in LEVEL_WORDS or key in known:
            base, word = key, "name"
        else:
            continue
        level = found.setdefault(base, FoundLevel(_title(column, base), None, None, 0))
        if word in CODE_WORDS and level.code_column is None:
            level.code_column = column
        elif word in NAME_WORDS and level.name_column is None:
            level.name_column = column
    return list(found.values())


def _title(column: str, base: str) -> str:
    """The part of a column title that names its level, as written ("Planungsraum (Nummer)" → "Planungsraum")."""
    words = [w for w in re.split(r"[\s_\-().]+", column) if w]
    return " ".join(words[: len(base.split())]) or column


def prepare_areas(
    engine: Engine, data: bytes, file_name: str, options: ImportOptions, progress: Progress = no_progress
) -> AreaTablePreview:
    """Read an area table and plan the levels and areas it creates or changes; writes nothing
    (within the import's time budget, ``problems.import_budget``)."""
    with import_budget():
        return _prepare_areas(engine, data, file_name, options, progress)


def _prepare_areas(
    engine: Engine, data: bytes, file_name: str, options: ImportOptions, progress: Progress
) -> AreaTablePreview:
    progress(0.1, "Gebietstabelle wird gelesen …")
    grid = read_grid(data, file_name)
    columns = [c for c in grid.columns if c != "row"]
    with engine.connect() as conn:
        existing = hierarchy.levels(conn)
        stored = hierarchy.stored_areas(conn).drop(columns=["geometry", "display_geometry"])
    progress(0.4, "Ebenen und Gebiete werden erkannt …")
    explicit = options.code_column or options.parent_column
    parent_column = options.parent_column or hierarchy.find_column(
        columns, hierarchy.COLUMN_CANDIDATES["parent"]
    )
    found = [] if explicit else key_levels(columns, {hierarchy.heading_key(level.name) for level in existing})
    plan: _Plan
    if len(found) >= 2 or (found and not parent_column):
        plan = _KeyTable(grid, found, options, existing, stored)
    elif parent_column:
        plan = _ParentTable(grid, columns, options, parent_column, existing, stored)
    else:
        raise ImportProblem(
            "Die Gebietstabelle wurde nicht erkannt. Erwartet: Spalten für Code, Name und übergeordneten Code "
            "(z. B. „code“, „name“, „parent“; sonst --code-column, --name-column, --parent-column angeben) oder "
            "je Ebene eine Spalte mit Nummer und/oder Name (z. B. „Bezirk (Nummer)“, „Bezirk (Name)“). "
            f"Vorhanden: {', '.join(columns)}."
        )
    areas = _compare(plan.areas, stored)
    kinds = areas["kind"].value_counts()
    progress(1.0, "Vorschau fertig.")
    return AreaTablePreview(
        file_name=file_name, data=data, checksum=hashlib.sha256(data).hexdigest(), options=options,
        shape=plan.shape, levels=plan.levels, level_table=plan.level_table(areas), areas=areas,
        rejected=pd.DataFrame(plan.rejected, columns=["Zeile", "Grund"]).drop_duplicates("Zeile"),
        counts={"total": len(grid), "new": int(kinds.get("new", 0)), "changed": int(kinds.get("changed", 0)),
                "unchanged": int(kinds.get("unchanged", 0)),
                "rejected": len({r["Zeile"] for r in plan.rejected})},
    )  # fmt: skip


def _compare(planned: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """``planned`` areas with the stored area of the same code and whether it is new or changed."""
    by_code = stored.set_index("code")
    code_of = dict(zip(stored["id"], stored["code"], strict=True))
    same = planned["code"].isin(by_code.index)
    old = by_code.reindex(planned["code"])
    old_parent = old["parent_id"].map(code_of)
    changed = (old["name"].to_numpy() != planned["name"].to_numpy()) | (
        old_parent.fillna("").to_numpy() != planned["parent_code"].fillna("").to_numpy()
    )
    kind = np.where(~same.to_numpy(), "new", np.where(changed, "changed", "unchanged"))
    return planned.assign(area_id=old["id"].astype("Int64").to_numpy(), kind=kind)[AREA_COLUMNS]


class _Plan:
    """What both table shapes produce: levels, areas (code, name, level, parent_code, row), rejections."""

    shape = ""

    def __init__(self, existing: list[Level], stored: pd.DataFrame) -> None:
        self.existing, self.stored = existing, stored
        self.levels: list[Level] = []
        self.found: list[str] = []
        """Per level: the columns read or how it was found (German)."""
        self.rejected: list[dict[str, Any]] = []
        self.areas = pd.DataFrame(columns=["code", "name", "level", "parent_code", "row"])
        self.taken = {str(c): str(lv) for c, lv in zip(stored["code"], stored["level"], strict=True)}

    def reject(self, row: int, reason: str) -> None:
        self.rejected.append({"Zeile": int(row), "Grund": reason})

    def named_levels(
        self, defaults: list[str], options: ImportOptions, ranks: list[int] | None = None
    ) -> None:
        """Plan the levels from the user's names, else ``defaults`` (or the stored level of each rank)."""
        names = options.level_names
        if names and len(names) != len(defaults):
            raise ImportProblem(
                f"Die Tabelle hat {len(defaults)} Ebene(n) ({', '.join(d or '?' for d in defaults)}), angegeben "
                f"{'wurden' if len(names) != 1 else 'wurde'} {len(names)} Name(n): bitte je Ebene einen Namen, "
                "grob → fein (--level-name mehrfach)."
            )
        wanted = names or defaults
        by_rank = {level.rank: level for level in self.existing}
        if ranks is not None and not names:
            wanted = [
                d or (by_rank[r].name if r in by_rank else "") for d, r in zip(defaults, ranks, strict=True)
            ]
        planned = iter(hierarchy.plan_levels(self.existing, [("", w) for w in wanted if w]))
        self.levels = [next(planned) if name else Level("", "", -1, is_new=True) for name in wanted]
        next_rank = max(lv.rank for lv in [*self.existing, *self.levels])
        for i, level in enumerate(self.levels):
            if not level.name:
                next_rank += 1
                self.levels[i] = Level(f"ebene_{next_rank}", "", next_rank, is_new=True)
        if ranks is not None:
            wrong = [(p, r) for p, r in zip(self.levels, ranks, strict=True) if p.rank != r]
            if wrong:
                level, rank = wrong[0]
                raise ImportProblem(
                    f"Die Ebene „{level.name}“ hätte Rang {level.rank}, ihre Gebiete stehen in der Tabelle aber "
                    f"auf Rang {rank} (Stadt = 0): bitte die Namen der Ebenen in der Reihenfolge grob → fein angeben."
                )

    def code_conflict(self, code: str, level: Level, column: str) -> str:
        """Why ``code`` cannot be an area of ``level`` (it belongs to another level); '' if it can."""
        holder = self.taken.get(code)
        if holder is not None and holder != level.key:
            return f"Code „{code}“ (Spalte „{column}“) ist schon an ein Gebiet der Ebene „{holder}“ vergeben"
        return ""

    def level_table(self, areas: pd.DataFrame) -> pd.DataFrame:
        counts = areas.groupby("level").size()
        return pd.DataFrame(
            [{"Ebene": i, "Name": level.name or "(fehlt)", "Schlüssel": level.key if level.name else "",
              "Rang": level.rank, "neu": "ja" if level.is_new else "nein", "Gebiete": int(counts.get(level.key, 0)),
              "erkannt aus": found} for i, (level, found) in enumerate(zip(self.levels, self.found, strict=True), start=1)],
            columns=["Ebene", "Name", "Schlüssel", "Rang", "neu", "Gebiete", "erkannt aus"],
        )  # fmt: skip


class _KeyTable(_Plan):
    shape = "key table"

    def __init__(
        self, grid: pd.DataFrame, found: list[FoundLevel], options: ImportOptions, existing: list[Level],
        stored: pd.DataFrame,
    ) -> None:  # fmt: skip
        super().__init__(existing, stored)
        self.generated: dict[tuple[str, str], str] = {}
        for spec in found:
            spec.count = grid[spec.code_column or spec.name_column].replace("", np.nan).nunique()
        found = sorted(found, key=lambda spec: spec.count)
        self.found = [", ".join(f"„{c}“" for c in (lv.code_column, lv.name_column) if c) for lv in found]
        self.named_levels([self._stored_name(grid, spec) or spec.label for spec in found], options)
        city = self._top_parent()
        accepted: list[tuple[int, list[dict[str, Any]]]] = []
        first_of: dict[str, tuple[int, str, str]] = {}
        for record in grid.to_dict("records"):
            row = int(record["row"])
            planned, reason = self._row_areas(record, found, city, first_of)
            if reason:
                self.reject(row, reason)
                continue
            for area in planned:
                first_of.setdefault(area["code"], (row, area["name"], area["parent_code"]))
            accepted.append((row, planned))
        first_row: dict[str, int] = {}
        rows: list[dict[str, Any]] = []
        for row, planned in accepted:
            finest = planned[-1]["code"]
            if finest in first_row:
                self.reject(row, f"{self.levels[-1].name} „{finest}“ kommt mehrfach vor (zuerst Zeile "
                            f"{first_row[finest]}); je Gebiet der feinsten Ebene genau eine Zeile")  # fmt: skip
            else:
                first_row[finest] = row
                rows += planned
        self.areas = pd.DataFrame(rows, columns=self.areas.columns).drop_duplicates("code")

    def _stored_name(self, grid: pd.DataFrame, spec: FoundLevel) -> str:
        """The name of the stored level that already holds the codes of ``spec`` (a re-import)."""
        if spec.code_column is None:
            return ""
        codes = set(grid[spec.code_column]) - {""}
        levels = {self.taken[c] for c in codes if c in self.taken}
        names = {level.key: level.name for level in self.existing}
        return names[levels.pop()] if len(levels) == 1 else ""

    def _row_areas(
        self, record: dict[Hashable, Any], found: list[FoundLevel], city: str,
        first_of: dict[str, tuple[int, str, str]],
    ) -> tuple[list[dict[str, Any]], str]:  # fmt: skip
        """The areas one row names, coarse → fine, or the German reason why the row is rejected."""
        planned: list[dict[str, Any]] = []
        parent = city
        for spec, level in zip(found, self.levels, strict=True):
            code, name = self._code_and_name(record, spec, level)
            column = spec.code_column or spec.name_column or ""
            seen = first_of.get(code)
            if not code:
                return [], f"Spalte „{column}“ ist leer ({level.name or 'Ebene'} fehlt)"
            if seen and seen[1] != name:
                return [], f"{level.name} „{code}“ heißt in Zeile {seen[0]} „{seen[1]}“, hier „{name}“"
            if seen and seen[2] != parent:
                return (
                    [],
                    f"{level.name} „{code}“ liegt in Zeile {seen[0]} unter „{seen[2]}“, hier unter „{parent}“",
                )
            conflict = self.code_conflict(code, level, column)
            if conflict:
                return [], conflict
            planned.append(
                {"code": code, "name": name, "level": level.key, "parent_code": parent, "row": record["row"]}
            )
            parent = code
        return planned, ""

    def _top_parent(self) -> str:
        """The code of the area the coarsest level of the table goes under (the city)."""
        above = hierarchy.parent_level(self.existing, self.stored, self.levels[0].rank)
        candidates = self.stored[self.stored["level"] == above.key] if above else self.stored.iloc[:0]
        if len(candidates) != 1:
            raise ImportProblem(
                f"Die gröbste Ebene der Tabelle ({self.levels[0].name}) liegt unter der Ebene "
                f"„{above.name if above else '?'}“ mit {len(candidates)} Gebieten; die Tabelle sagt aber nicht, "
                f"unter welchem: bitte eine Spalte für die Ebene {above.name if above else ''} ergänzen."
            )
        return str(candidates["code"].iloc[0])

    def _code_and_name(self, record: dict[Hashable, Any], spec: FoundLevel, level: Level) -> tuple[str, str]:
        code = str(record[spec.code_column]).strip() if spec.code_column else ""
        name = str(record[spec.name_column]).strip() if spec.name_column else ""
        if not code and name:
            code = self._code_for(name, level)
        return code, name or code

    def _code_for(self, name: str, level: Level) -> str:
        """The code of an area known only by its name: the stored one of that level, else a new one."""
        own = self.stored[
            (self.stored["level"] == level.key) & (self.stored["name"].map(normalise) == normalise(name))
        ]
        if len(own) == 1:
            return str(own["code"].iloc[0])
        if (level.key, name) not in self.generated:
            taken = set(self.taken) | set(self.generated.values())
            self.generated[(level.key, name)] = hierarchy.unique_code(f"{level.key} {name}", taken)
        return self.generated[(level.key, name)]


class _ParentTable(_Plan):
    shape = "parent codes"

    def __init__(
        self, grid: pd.DataFrame, columns: list[str], options: ImportOptions, parent_column: str,
        existing: list[Level], stored: pd.DataFrame,
    ) -> None:  # fmt: skip
        super().__init__(existing, stored)
        code_column = options.code_column or hierarchy.find_column(
            columns, hierarchy.COLUMN_CANDIDATES["code"]
        )
        name_column = options.name_column or hierarchy.find_column(
            columns, hierarchy.COLUMN_CANDIDATES["name"]
        )
        for role, column in (("code", code_column), ("name", name_column), ("parent", parent_column)):
            if column is None or column not in columns:
                raise ImportProblem(
                    f"Spalte für {hierarchy.ROLES[role]} {'„' + column + '“ ' if column else ''}nicht gefunden "
                    f"(--{role}-column angeben). Vorhanden: {', '.join(columns)}."
                )
        assert code_column is not None and name_column is not None
        rank_of_level = {level.key: level.rank for level in existing}
        city = next(lv for lv in existing if lv.rank == 0)
        city_area = self.stored[self.stored["level"] == city.key].iloc[0]
        stored_rank = {
            str(c): rank_of_level[lv] for c, lv in zip(stored["code"], stored["level"], strict=True)
        }
        tops = {"", str(city_area["code"]), normalise(city_area["name"])}
        table: dict[str, dict[str, Any]] = {}
        for record in grid.to_dict("records"):
            row, code = int(record["row"]), str(record[code_column]).strip()
            name, parent = str(record[name_column]).strip() or code, str(record[parent_column]).strip()
            if code == str(city_area["code"]):
                continue  # the city itself
            if not code:
                self.reject(row, f"Spalte „{code_column}“ (Code) ist leer")
            elif code in table:
                self.reject(
                    row,
                    f"Code „{code}“ (Spalte „{code_column}“) kommt mehrfach vor (zuerst Zeile {table[code]['row']})",
                )
            else:
                top = parent in tops or normalise(parent) in tops
                table[code] = {
                    "code": code,
                    "name": name,
                    "parent_code": str(city_area["code"]) if top else parent,
                    "row": row,
                }
        ranks: dict[str, int] = {}

        def rank(code: str, path: tuple[str, ...] = ()) -> int | None:
            if code in ranks:
                return ranks[code]
            if code in path:
                return None
            parent = table[code]["parent_code"]
            base = rank(parent, (*path, code)) if parent in table else stored_rank.get(parent)
            if base is not None:
                ranks[code] = base + 1
            return ranks.get(code)

        failed = [code for code in table if rank(code) is None]
        for code in failed:
            parent = table[code]["parent_code"]
            if parent not in table:
                reason = f"übergeordneter Code „{parent}“ (Spalte „{parent_column}“) steht weder in der Tabelle noch in der Datenbank"
            elif _in_cycle(code, table):
                reason = f"Code „{code}“ liegt in einem Kreis übergeordneter Codes (Spalte „{parent_column}“)"
            else:
                reason = f"das übergeordnete Gebiet „{parent}“ ist selbst abgelehnt"
            self.reject(table[code]["row"], reason)
        for code in failed:
            del table[code]
        found = sorted(set(ranks[c] for c in table))
        self.found = [f"Tiefe {r} unter der Stadt („{parent_column}“)" for r in found]
        self.named_levels([""] * len(found), options, ranks=found)
        key_of = {r: level.key for r, level in zip(found, self.levels, strict=True)}
        rows = []
        for code, area in table.items():
            level = next(lv for lv in self.levels if lv.key == key_of[ranks[code]])
            conflict = self.code_conflict(code, level, code_column)
            if conflict:
                self.reject(area["row"], conflict)
            else:
                rows.append(area | {"level": level.key})
        self.areas = pd.DataFrame(rows, columns=self.areas.columns)
        self.areas = self.areas.sort_values(
            "level", key=lambda s: s.map({v: k for k, v in key_of.items()}), kind="stable"
        )


def _in_cycle(code: str, table: dict[str, dict[str, Any]]) -> bool:
    """Whether following the parent codes from ``code`` leads back to it."""
    current = table[code]["parent_code"]
    for _ in range(len(table)):
        if current == code:
            return True
        if current not in table:
            return False
        current = table[current]["parent_code"]
    return False


def commit_areas(engine: Engine, actor: Actor, preview: AreaTablePreview) -> int | None:
    """Store the levels and areas of an area table in one transaction; None when nothing changed."""
    require_role(actor, "planung")
    if preview.blocking:
        raise ImportProblem("Import nicht möglich: " + " ".join(preview.blocking))
    write = preview.areas[preview.areas["kind"] != "unchanged"]
    if write.empty:
        return None
    source = preview.options.source
    with db.session_scope(engine) as session:
        batch = hierarchy.new_area_batch(session, actor, preview)
        levels = hierarchy.create_levels(session, actor, preview.levels, source)
        conn = session.connection()
        ids = _ids(conn)
        before: dict[str, dict[str, Any]] = {}
        created: list[int] = []
        for area in write.to_dict("records"):
            parent_id = ids[area["parent_code"]]
            if area["kind"] == "new":
                values = {"code": area["code"], "name": area["name"][:200], "level": area["level"],
                          "parent_id": parent_id, "source": source, "geometry_quality": "none"}  # fmt: skip
                ids[area["code"]] = hierarchy.insert_area(session, actor, values)
                created.append(ids[area["code"]])
            else:
                stored = session.get(Area, int(area["area_id"]))
                assert stored is not None
                before[str(stored.id)] = {"name": stored.name, "parent_id": stored.parent_id}
                session.execute(
                    update(Area)
                    .where(Area.id == stored.id)
                    .values(name=area["name"][:200], parent_id=parent_id)
                )
                audit.record(
                    session, actor, "update", "areas", stored.code, "name", stored.name, area["name"]
                )
        batch.report = {
            "kind": "areas", "shape": preview.shape, "areas_before": before, "created_areas": created,
            "created_levels": levels, "rejected": preview.rejected.astype(str).to_dict("records"),
        }  # fmt: skip
        audit.record(
            session, actor, "import", "import_batches", batch.id, None, None, {"Datei": preview.file_name}
        )
        return batch.id


def _ids(conn: Connection) -> dict[str, int]:
    return {str(code): int(i) for code, i in conn.execute(select(Area.code, Area.id))}
