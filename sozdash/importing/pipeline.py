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

from sozdash.importing.names import match_areas, match_indicators
from sozdash.importing.readers import LAYOUTS, read_table
from sozdash.importing.validate import Checked, ImportOptions, check_rows, map_values
from sozdash.store.models import Area, AreaNameMapping, Indicator, Observation

Progress = Callable[[float, str], None]
"""``progress(fraction 0–1, German text)``: a progress bar on the page, a percentage on the CLI."""

COMPARED = ["value", "numerator", "denominator", "status", "symbol", "is_demo", "source"]
KEY = ["area_id", "indicator_id", "period"]


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

    @property
    def rejected(self) -> pd.DataFrame:
        return self.checked.rejected

    @property
    def layout_label(self) -> str:
        return LAYOUTS[self.layout]

    @property
    def blocking(self) -> list[str]:
        """German reasons why committing is not possible yet (empty = ready)."""
        reasons = []
        if not self.unmatched_areas.empty:
            reasons.append(
                f"{len(self.unmatched_areas)} Gebietsnamen sind nicht zugeordnet (Zuordnungstabelle ergänzen)."
            )
        if not self.unknown_indicators.empty:
            reasons.append(
                f"{len(self.unknown_indicators)} Indikatoren sind unbekannt (zuordnen oder neu anlegen)."
            )
        if self.counts["rejected"] and not self.options.skip_rejected:
            reasons.append(
                f"{self.counts['rejected']} Zeilen sind abgelehnt (korrigieren oder ausdrücklich auslassen)."
            )
        return reasons


def prepare(
    engine: Engine, data: bytes, file_name: str, options: ImportOptions, progress: Progress = no_progress
) -> Preview:
    """Read, map and validate a table file and compare it with the database; writes nothing.

    Raises ``ImportProblem`` (German message) when the file cannot be read at all.
    """
    progress(0.05, "Datei wird gelesen …")
    table = read_table(data, file_name, indicator=options.indicator, period=options.period)
    frame = table.frame
    progress(0.35, "Gebiete und Indikatoren werden zugeordnet …")
    with engine.connect() as conn:
        area_ids, unmatched = _map_areas(conn, frame, options)
        catalogue = _catalogue(conn, options)
        indicator_keys, unknown = _map_indicators(frame, catalogue, options)
        progress(0.5, "Werte werden geprüft …")
        decimal = table.decimal if options.decimal == "auto" else options.decimal
        checked = check_rows(frame, decimal, area_ids, indicator_keys, catalogue)
        progress(0.8, "Vergleich mit dem Datenbestand …")
        classified = classify(conn, checked.rows, options.source)
    counts = classified["kind"].value_counts()
    preview = Preview(
        file_name=file_name, data=data, checksum=hashlib.sha256(data).hexdigest(), layout=table.layout,
        options=options, checked=checked, classified=classified, unmatched_areas=unmatched,
        unknown_indicators=unknown, skipped_rows=table.skipped_rows,
        counts={
            "total": len(frame), "new": int(counts.get("new", 0)), "changed": int(counts.get("changed", 0)),
            "unchanged": int(counts.get("unchanged", 0)), "rejected": len(checked.rejected),
        },
    )  # fmt: skip
    progress(1.0, "Vorschau fertig.")
    return preview


def _map_areas(
    conn: Connection, frame: pd.DataFrame, options: ImportOptions
) -> tuple[pd.Series, pd.DataFrame]:
    areas = pd.DataFrame(
        conn.execute(select(Area.id, Area.code, Area.name, Area.level)).all(),
        columns=["id", "code", "name", "level"],
    )
    saved = dict(
        conn.execute(
            select(AreaNameMapping.raw_name, AreaNameMapping.area_id).where(
                AreaNameMapping.source == options.source
            )
        ).all()
    )
    by_code = dict(zip(areas["code"], areas["id"], strict=True))
    saved |= {raw: int(by_code[code]) for raw, code in options.area_mapping.items() if code in by_code}
    pairs = frame[["area", "area_alt"]].drop_duplicates()
    raw = pd.unique(pd.concat([pairs["area"], pairs["area_alt"]]).to_numpy())
    match = match_areas([r for r in raw if r], areas, saved, options.level)
    pairs = pairs.assign(
        area_id=pd.Series(
            [
                match.matched.get(a) or match.matched.get(b)
                for a, b in zip(pairs["area"], pairs["area_alt"], strict=True)
            ],
            index=pairs.index,
        )
    )
    ids = (
        frame[["area", "area_alt"]]
        .merge(pairs, how="left", on=["area", "area_alt"])["area_id"]
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
    return ids.set_axis(frame.index), unmatched


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
    symbol, demo flag and source)."""
    indicator_ids = dict(conn.execute(select(Indicator.key, Indicator.id)).all())
    out = rows.assign(
        indicator_id=map_values(rows["indicator_key"], indicator_ids).astype("Int64"),
        area_id=rows["area_id"].astype("Int64"),
        period=rows["period"].astype("Int64"),
        is_demo=False,
        source=source,
    )
    wanted = [int(i) for i in out["indicator_id"].dropna().unique()]
    columns = ["id", *KEY, *COMPARED]
    existing = pd.DataFrame(
        conn.execute(
            select(*(Observation.__table__.c[c] for c in columns)).where(Observation.indicator_id.in_(wanted))
        ).all() if wanted else [],
        columns=columns,
    ).astype({"area_id": "Int64", "indicator_id": "Int64", "period": "Int64"})  # fmt: skip
    merged = out.merge(
        existing.rename(columns={c: f"{c}_old" for c in ["id", *COMPARED]}), how="left", on=KEY
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
    return same


def _text(column: pd.Series) -> pd.Series:
    """Values as comparable strings (missing as a marker that no value has)."""
    return column.astype(object).where(column.notna(), "\x00").astype(str)
