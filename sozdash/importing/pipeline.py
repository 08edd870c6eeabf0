"""The one import pipeline behind the page and the CLI: read → map → validate → preview.

``prepare`` writes nothing (it is the dry run); ``commit.commit_import`` writes a prepared
preview in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from sozdash.importing.city_values import CityValues, city_values, no_city_values
from sozdash.importing.hierarchy import Combined, combined_rows, combined_table
from sozdash.importing.layout import TableLayout, column_label, column_letter
from sozdash.importing.levels import match_with_levels
from sozdash.importing.names import VIA, AreaMatch, match_indicators, names_agree
from sozdash.importing.new_indicators import NewIndicators, applied, derive
from sozdash.importing.problems import ImportProblem, check_deadline, import_budget
from sozdash.importing.readers import LAYOUTS, LongTable, read_table
from sozdash.importing.templates import stored_templates
from sozdash.importing.validate import (
    Checked,
    ImportOptions,
    check_level,
    check_rows,
    field_label,
    map_values,
    rejection_lines,
)
from sozdash.store.models import Area, AreaLevel, AreaNameMapping, Indicator, Observation

Progress = Callable[[float, str], None]
"""``progress(fraction 0–1, German text)``: a progress bar on the page, a percentage on the CLI."""

COMPARED = ["value", "numerator", "denominator", "status", "symbol", "is_demo", "source", "is_computed"]
KEY = ["area_id", "indicator_id", "period"]
RENAMED_COLUMNS = [
    "Name in der Datei", "Gebiet", "Gebietscode", "Ebene", "Zuordnung über", "Zeilen der Datei", "Bestätigung nötig",
]  # fmt: skip
SHOWN_PAIRS = 10
"""Mapping pairs a refusal lists before "und n weitere"."""


def no_progress(fraction: float, text: str) -> None:
    """The default progress callback: report nothing."""


@dataclass
class Preview:
    """Everything the user sees before committing; ``ready`` says whether a commit may run."""

    file_name: str
    data: bytes
    checksum: str
    layout: str
    options: ImportOptions
    checked: Checked
    classified: pd.DataFrame
    unmatched_areas: pd.DataFrame
    unknown_indicators: pd.DataFrame
    skipped_rows: int
    counts: dict[str, int] = field(default_factory=dict)
    combined: list[Combined] = field(default_factory=list)
    """Names of combined areas ("A und B") whose parts are areas; ``area_id`` < 0: to be created."""
    combined_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The same for the user (German columns), with the decision taken."""
    table_layout: TableLayout | None = None
    """How a table with values in columns was read (None for long and ffcsv files)."""
    notes: list[str] = field(default_factory=list)
    """What the reader is unsure about ("Unsicher: …"), in German."""
    template: str = ""
    """Name of the import template the reader followed."""
    renamed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RENAMED_COLUMNS))
    """Every name of the file that goes to an area of another name, with both names (``RENAMED_COLUMNS``)."""
    city: CityValues = field(default_factory=lambda: no_city_values([]))
    """City values computed from the areas, city rows checked against them, and why some are missing."""
    derived: NewIndicators = field(default_factory=NewIndicators)
    """The indicators created from the data (``options.create_indicators``), with what was derived."""

    @property
    def rejected(self) -> pd.DataFrame:
        return self.checked.rejected

    @property
    def rows(self) -> pd.DataFrame:
        """The rows a commit writes: the valid rows of the file and the computed city values."""
        return _with_city(self.checked.rows, self.city)

    @property
    def unconfirmed(self) -> pd.DataFrame:
        """Pairs of the user's mapping onto areas of another name, while not confirmed."""
        if self.options.confirm_mapping:
            return self.renamed.iloc[0:0]
        return self.renamed[self.renamed["Bestätigung nötig"].astype(bool)]

    @property
    def layout_label(self) -> str:
        return LAYOUTS[self.layout]

    @property
    def blocking(self) -> list[str]:
        """German reasons why committing is not possible yet (empty = ready)."""
        reasons = []
        if not self.unmatched_areas.empty:
            reasons.append(
                f"{len(self.unmatched_areas)} Gebietsnamen sind keinem Gebiet zugeordnet: "
                f"{_quoted(self.unmatched_areas['Name in der Datei'])} (Zuordnungstabelle ergänzen)."
            )
        if not self.unknown_indicators.empty:
            reasons.append(
                f"{len(self.unknown_indicators)} Indikatoren sind unbekannt: "
                f"{_quoted(self.unknown_indicators['Name in der Datei'])} (zuordnen oder neu anlegen)."
            )
        pending = [c.name for c in self.combined if c.area_id < 0 and self.options.combine == "ask"]
        if pending:
            reasons.append(
                f"{len(pending)} Namen fassen mehrere Gebiete zusammen (z. B. „{pending[0]}“): bitte entscheiden, "
                "ob sie als zusammengefasste Gebiete angelegt oder ihre Zeilen ausgelassen werden."
            )
        if self.counts["rejected"] and not self.options.skip_rejected:
            reasons.append(
                f"{self.counts['rejected']} Werte sind abgelehnt, zuerst: {rejection_lines(self.rejected, 1)[0]} "
                "Bitte korrigieren oder die abgelehnten Werte ausdrücklich auslassen."
            )
        unconfirmed = self.unconfirmed
        if not unconfirmed.empty:
            pairs = [
                f"„{a}“ → {b} ({c})"
                for a, b, c in unconfirmed[["Name in der Datei", "Gebiet", "Gebietscode"]].itertuples(
                    index=False
                )
            ]
            more = f" und {len(pairs) - SHOWN_PAIRS} weitere" if len(pairs) > SHOWN_PAIRS else ""
            reasons.append(
                f"{len(pairs)} Gebietsnamen der Datei sollen laut Zuordnung auf Gebiete anderen Namens gehen: "
                f"{'; '.join(pairs[:SHOWN_PAIRS])}{more}. Bitte diese Zuordnung ausdrücklich bestätigen."
            )  # fmt: skip
        return reasons


def prepare(
    engine: Engine, data: bytes, file_name: str, options: ImportOptions, progress: Progress = no_progress
) -> Preview:
    """Read, map and validate a table file and compare it with the database; writes nothing.

    Raises ``ImportProblem`` (German message) when the file cannot be read at all or the import
    exceeds its time budget (``problems.import_budget``, checked at every step).
    """
    with import_budget():
        return _prepare(engine, data, file_name, options, budgeted(progress))


def budgeted(progress: Progress) -> Progress:
    """``progress`` that first stops the import when its time budget is used up."""

    def step(fraction: float, text: str) -> None:
        check_deadline()
        progress(fraction, text)

    return step


def _prepare(engine: Engine, data: bytes, file_name: str, options: ImportOptions, progress: Progress) -> Preview:
    progress(0.05, "Datei wird gelesen …")
    with engine.connect() as conn:
        templates = stored_templates(conn)
    table = read_table(
        data, file_name, indicator=options.indicator, period=options.period, decimal=options.decimal,
        choice=options.layout, templates=templates, template=options.template,
    )  # fmt: skip
    frame = table.frame
    progress(0.35, "Gebiete und Indikatoren werden zugeordnet …")
    with engine.connect() as conn:
        check_level(options.level, dict(conn.execute(select(AreaLevel.key, AreaLevel.name)).all()))
        areas = _areas(conn)
        area_ids, unmatched, renamed = _map_areas(conn, frame, options, areas)
        area_ids, unmatched, combined, keep = combined_rows(conn, frame, area_ids, unmatched, options)
        total, combined_info = len(frame), combined_table(combined, frame, options)
        frame, area_ids = frame[keep].reset_index(drop=True), area_ids[keep].reset_index(drop=True)
        catalogue = _catalogue(conn, options)
        indicator_keys, unknown = _map_indicators(frame, catalogue, options)
        decimal = table.decimal if options.decimal == "auto" else options.decimal
        derived = NewIndicators()
        if options.create_indicators:
            derived = derive(unknown["Name in der Datei"], frame, decimal, table.table_layout, catalogue["key"],
                             options.source, file_name)  # fmt: skip
            catalogue, indicator_keys, unknown = applied(derived, catalogue, frame, indicator_keys, unknown)
        progress(0.5, "Werte werden geprüft …")
        checked = check_rows(frame, decimal, area_ids, indicator_keys, catalogue, _columns(table, frame))
        progress(0.7, "Stadtwerte werden aus den Gebieten berechnet …")
        city = city_values(conn, checked.rows, catalogue, areas, combined)
        progress(0.8, "Vergleich mit dem Datenbestand …")
        classified = classify(conn, _with_city(checked.rows, city), options.source)
    counts = classified.loc[~classified["is_computed"].astype(bool), "kind"].value_counts()
    preview = Preview(
        file_name=file_name, data=data, checksum=hashlib.sha256(data).hexdigest(), layout=table.layout,
        options=options, checked=checked, classified=classified, unmatched_areas=unmatched,
        unknown_indicators=unknown, skipped_rows=table.skipped_rows,
        counts={
            "total": total, "new": int(counts.get("new", 0)), "changed": int(counts.get("changed", 0)),
            "unchanged": int(counts.get("unchanged", 0)), "rejected": len(checked.rejected),
        },
        combined=combined, combined_table=combined_info, table_layout=table.table_layout, notes=table.notes,
        template=table.template, renamed=renamed, city=city, derived=derived,
    )  # fmt: skip
    progress(1.0, "Vorschau fertig.")
    return preview


def _areas(conn: Connection) -> pd.DataFrame:
    """Every stored area: id, code, name, level."""
    return pd.DataFrame(
        conn.execute(select(Area.id, Area.code, Area.name, Area.level)).all(),
        columns=["id", "code", "name", "level"],
    )


def _map_areas(
    conn: Connection, frame: pd.DataFrame, options: ImportOptions, areas: pd.DataFrame
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """Area id per row, the names not matched (the mapping table) and the names matched to an
    area of another name (see ``_renamed``). A mapping onto an unknown code is refused."""
    saved = dict(
        conn.execute(
            select(AreaNameMapping.raw_name, AreaNameMapping.area_id).where(
                AreaNameMapping.source == options.source
            )
        ).all()
    )
    by_code = dict(zip(areas["code"], areas["id"], strict=True))
    unknown = [f"„{raw}“ → „{code}“" for raw, code in options.area_mapping.items() if code not in by_code]
    if unknown:
        raise ImportProblem(
            f"Die Zuordnung nennt Gebietscodes, die es nicht gibt: {', '.join(unknown[:SHOWN_PAIRS])}"
            f"{' …' if len(unknown) > SHOWN_PAIRS else ''}. Erwartet: je Zeile ein Name der Datei und der Code eines "
            "vorhandenen Gebiets."
        )  # fmt: skip
    mapping = {raw: int(by_code[code]) for raw, code in options.area_mapping.items()}
    pairs = frame[["area", "area_alt", "level"]].drop_duplicates()
    area_id, match = match_with_levels(pairs, areas, saved, options.level, mapping=mapping)
    pairs = pairs.assign(area_id=area_id)
    ids = (
        frame[["area", "area_alt", "level"]]
        .merge(pairs, how="left", on=["area", "area_alt", "level"])["area_id"]
        .astype("Int64")
    )
    missing = pairs[pairs["area_id"].isna()]
    row_counts = frame.groupby(["area", "area_alt"]).size()
    unmatched = pd.DataFrame(
        {
            "Name in der Datei": missing["area"].to_numpy(),
            "Weitere Angabe": missing["area_alt"].to_numpy(),
            "Zeilen": [int(row_counts[(a, b)]) for a, b in zip(missing["area"], missing["area_alt"], strict=True)],
            "Mehrdeutig": [a in match.ambiguous or b in match.ambiguous for a, b in zip(missing["area"], missing["area_alt"], strict=True)],
            "Gebietscode": [match.unmatched.get(a) or match.unmatched.get(b) or "" for a, b in zip(missing["area"], missing["area_alt"], strict=True)],
        }
    )  # fmt: skip
    return ids.set_axis(frame.index), unmatched, _renamed(frame, pairs, match, areas, conn)


def _renamed(
    frame: pd.DataFrame, pairs: pd.DataFrame, match: AreaMatch, areas: pd.DataFrame, conn: Connection
) -> pd.DataFrame:
    """The row groups (area, other name, level hint) whose name in the file is not the name of
    the area they go to: matched by a similar spelling, a saved or a given mapping, or by code
    beside a different name. ``Bestätigung nötig``: a given mapping whose names do not agree even
    once normalised."""
    level_names = dict(conn.execute(select(AreaLevel.key, AreaLevel.name)).all())
    by_id = areas.set_index("id")
    lines = frame[["area", "area_alt", "level", "row"]].drop_duplicates()
    first_rows = lines.groupby(["area", "area_alt", "level"], sort=False)["row"].agg(
        lambda r: ", ".join(str(x) for x in r.head(3)) + (" …" if len(r) > 3 else "")
    )
    out = []
    for a, b, hint, area_id in pairs[pairs["area_id"].notna()][
        ["area", "area_alt", "level", "area_id"]
    ].itertuples(index=False):
        used = a if a in match.matched else b
        other = b if used == a else a
        name, code, level = (str(v) for v in by_id.loc[int(area_id), ["name", "code", "level"]])
        via = match.via.get(used, "name")
        shown = other if via == "code" else used
        if not str(shown).strip() or {" ".join(str(t).split()) for t in (a, b)} & {name}:
            continue
        out.append([shown, name, code, level_names.get(level, level), VIA[via], first_rows[(a, b, hint)],
                    via == "mapping" and not names_agree([a, b], name, code)])  # fmt: skip
    return pd.DataFrame(out, columns=RENAMED_COLUMNS)


def _columns(table: LongTable, frame: pd.DataFrame) -> dict[str, pd.Series | str]:
    """The file's column of each field as the user sees it (``B „Anzahl_2018“``), for the
    rejections: per value cell in a table with values in columns, per field in a long table."""
    layout = table.table_layout
    if layout is None:
        return dict(table.columns)
    labels = {
        (v.indicator, "" if v.year is None else str(v.year)): column_label(v.column, v.header)
        for v in layout.values
    }
    keys = pd.Series(
        list(zip(frame["indicator"].astype(str), frame["period"].astype(str), strict=True)), index=frame.index
    )
    value = map_values(keys, labels).fillna(field_label("value")).astype(str)
    return {"area": column_letter(layout.area_column), "indicator": value, "period": value, "value": value}


def _quoted(names: pd.Series) -> str:
    """The first names of a list, quoted ("„A“, „B“ und 3 weitere")."""
    texts = [f"„{name}“" for name in names.astype(str)]
    more = f" und {len(texts) - SHOWN_PAIRS} weitere" if len(texts) > SHOWN_PAIRS else ""
    return ", ".join(texts[:SHOWN_PAIRS]) + more


def _with_city(rows: pd.DataFrame, city: CityValues) -> pd.DataFrame:
    """The file's valid rows (not computed) followed by the computed city values."""
    own = rows.assign(is_computed=False, note=None)
    return pd.concat([own, city.rows], ignore_index=True) if len(city.rows) else own


def _catalogue(conn: Connection, options: ImportOptions) -> pd.DataFrame:
    columns = ["key", "name", "unit", "scale", "aggregation", "decimals"]
    known = pd.DataFrame(
        conn.execute(select(*(Indicator.__table__.c[c] for c in columns))).all(), columns=columns
    )
    new = pd.DataFrame(
        [{c: getattr(spec, c) for c in columns} for spec in options.new_indicators], columns=columns
    )
    new = new[~new["key"].isin(known["key"])]
    return pd.concat([known, new], ignore_index=True) if not new.empty else known


def _map_indicators(
    frame: pd.DataFrame, catalogue: pd.DataFrame, options: ImportOptions
) -> tuple[pd.Series, pd.DataFrame]:
    raw = [r for r in pd.unique(frame["indicator"].to_numpy()) if r]
    keys = set(catalogue["key"])
    mapped = {r: k for r, k in options.indicator_mapping.items() if k in keys}
    mapped |= {r: k for r, k in match_indicators([r for r in raw if r not in mapped], catalogue).items()}
    rest = [r for r in raw if r not in mapped]
    if len(rest) == 1 and options.indicator in keys:
        mapped[rest[0]] = options.indicator
        rest = []
    series = map_values(frame["indicator"], mapped).astype("string")
    counts = frame["indicator"].value_counts()
    unknown = pd.DataFrame({"Name in der Datei": rest, "Zeilen": [int(counts[r]) for r in rest]})
    return series, unknown


def classify(conn: Connection, rows: pd.DataFrame, source: str) -> pd.DataFrame:
    """``rows`` with ``indicator_id``, the stored row's ``existing_id`` and ``kind``:
    ``new``, ``changed`` or ``unchanged`` (compared: value, numerator, denominator, status,
    symbol, demo flag, source, whether computed, and for computed values their note)."""
    indicator_ids = dict(conn.execute(select(Indicator.key, Indicator.id)).all())
    if "is_computed" not in rows:
        rows = rows.assign(is_computed=False, note=None)
    out = rows.assign(
        indicator_id=map_values(rows["indicator_key"], indicator_ids).astype("Int64"),
        area_id=rows["area_id"].astype("Int64"),
        period=rows["period"].astype("Int64"),
        is_demo=False,
        source=source,
    )
    wanted = [int(i) for i in out["indicator_id"].dropna().unique()]
    columns = ["id", *KEY, *COMPARED, "note"]
    existing = pd.DataFrame(
        conn.execute(
            select(*(Observation.__table__.c[c] for c in columns)).where(Observation.indicator_id.in_(wanted))
        ).all() if wanted else [],
        columns=columns,
    ).astype({"area_id": "Int64", "indicator_id": "Int64", "period": "Int64"})  # fmt: skip
    merged = out.merge(
        existing.rename(columns={c: f"{c}_old" for c in ["id", *COMPARED, "note"]}), how="left", on=KEY
    )
    merged["existing_id"] = merged["id_old"].astype("Int64")
    found = merged["existing_id"].notna().to_numpy()
    kind = np.full(len(merged), "new", dtype=object)
    kind[found] = np.where(_unchanged(merged[found]), "unchanged", "changed")
    merged["kind"] = kind
    return merged[[*rows.columns, "indicator_id", "is_demo", "source", "existing_id", "kind"]]


def _unchanged(pairs: pd.DataFrame) -> np.ndarray:
    """Whether each new row equals its stored row (columns ``c`` and ``c_old`` for ``COMPARED``)."""
    same = np.ones(len(pairs), dtype=bool)
    for column in COMPARED:
        new, old = pairs[column], pairs[f"{column}_old"]
        if column in ("value", "numerator", "denominator"):
            a, b = new.astype(float).to_numpy(), old.astype(float).to_numpy()
            equal = np.isclose(a, b, rtol=1e-12, atol=1e-12) | (np.isnan(a) & np.isnan(b))
        else:
            equal = (_text(new) == _text(old)).to_numpy()
        same &= equal
    computed = pairs["is_computed"].astype(bool).to_numpy()
    same &= ~computed | (_text(pairs["note"]) == _text(pairs["note_old"])).to_numpy()
    return same


def _text(column: pd.Series) -> pd.Series:
    """Values as comparable strings (missing as a marker that no value has)."""
    return column.astype(object).where(column.notna(), "\x00").astype(str)
