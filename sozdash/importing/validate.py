"""Validation of raw long tables, column-wise (vectorised pandas), with a German reason per
rejected row; and the pydantic models of what the user decides (options, new indicators)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api.extensions import take
from pydantic import BaseModel, Field, field_validator

from sozdash.core import fmt
from sozdash.core.vocab import LEBENSLAGEN, POLARITY
from sozdash.importing.layout import LayoutChoice
from sozdash.importing.numbers import (
    MARKER_STATUS,
    YEARS_SETTING,
    clean,
    detect_decimal,
    parse_numbers,
    read_periods,
    year_range,
)
from sozdash.importing.problems import ImportProblem

REASONS = {
    "area": "unbekanntes Gebiet",
    "indicator": "unbekannter Indikator",
    "date": "Datum ungültig",
    "period": "Zeitraum nicht erkannt",
    "year": "Jahr außerhalb des zulässigen Bereichs",
    "value": "keine Zahl",
    "parts": "Zähler oder Nenner keine Zahl",
    "huge": "Zahl zu groß",
    "flag": "Kennzeichen nicht erkannt",
    "flagged": "Wert trotz Kennzeichnung vorhanden",
    "empty": "Wert fehlt (leer und ohne Kennzeichen)",
    "negative": "Zähler oder Nenner negativ",
    "count_parts": "Zähler oder Nenner zu groß",
    "ratio": "Zähler größer als Nenner",
    "count": "Anzahl außerhalb des zulässigen Bereichs",
    "percent": "Prozentwert außerhalb 0–100",
    "mismatch": "Wert passt nicht zu Zähler und Nenner",
    "duplicate": "doppelter Schlüssel (Gebiet, Indikator und Jahr mehrfach)",
}
FIELD_LABELS = {
    "area": "Gebiet", "indicator": "Indikator", "period": "Jahr", "value": "Wert", "numerator": "Zähler",
    "denominator": "Nenner", "flag": "Kennzeichen",
}  # fmt: skip
"""Column names of the fields where the reader names no column of the file (e.g. a given year)."""
_CELLS: dict[str, tuple[tuple[str, ...], str]] = {
    "area": (("area",), "area"), "indicator": (("indicator",), "indicator"), "period": (("period",), "period"),
    "date": (("period",), "period"), "year": (("period",), "period"),
    "value": (("value",), "value"), "parts": (("numerator", "denominator"), "parts"), "flag": (("flag",), "flag"),
    "huge": (("value",), "value"), "flagged": (("value", "flag"), "value"), "empty": (("value",), "value"),
    "negative": (("numerator", "denominator"), "parts"), "ratio": (("numerator", "denominator"), "parts"),
    "count_parts": (("numerator", "denominator"), "parts"), "count": (("value",), "value"),
    "percent": (("value",), "value"), "mismatch": (("value", "numerator", "denominator"), "value"),
    "duplicate": (("area", "indicator", "period"), "area"),
}  # fmt: skip
"""Per reason: the fields whose columns a rejection names, and the field whose text it shows."""
MARKERS = "* . - x / ..."
ESTIMATED_FLAGS = {"s", "g", "geschaetzt", "geschätzt", "estimated"}
OK_FLAGS = {"", "e", "p", "v", "r", "ok", "endgültig", "vorläufig"}
MAX_COUNT = 1e9
"""Counts (numerators, denominators, values of summed indicators) lie in 0 ≤ x < 10^9."""
MAX_MAGNITUDE = 1e15
"""Any other value lies below 10^15 in magnitude (floats hold whole numbers exactly up to about 9·10^15)."""


class IndicatorSpec(BaseModel):
    """Metadata of an indicator the import creates (given by the user or derived from the file)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,79}$")
    name: str = Field(min_length=2, max_length=200)
    lebenslage: str
    unit: str = Field(min_length=1, max_length=40)
    polarity: str
    source: str = Field(min_length=3)
    aggregation: Literal["ratio", "sum", "none"] = "none"
    decimals: int = Field(default=1, ge=0, le=6)
    definition: str = ""
    """'' = the name."""
    note: str = ""
    """'' = where it was created ("Angelegt beim Import von …")."""

    @field_validator("lebenslage")
    @classmethod
    def _lebenslage(cls, value: str) -> str:
        if value not in LEBENSLAGEN:
            raise ValueError(f"unbekannte Lebenslage {value!r} (erlaubt: {', '.join(LEBENSLAGEN)})")
        return value

    @field_validator("polarity")
    @classmethod
    def _polarity(cls, value: str) -> str:
        if value not in POLARITY:
            raise ValueError(f"unbekannte Polarität {value!r} (erlaubt: {', '.join(POLARITY)})")
        return value

    @property
    def scale(self) -> float:
        return 100.0 if self.aggregation == "ratio" and self.unit.strip() == "%" else 1.0


class ImportOptions(BaseModel):
    """What the user says about a file; the same for the page and the CLI."""

    source: str = Field(min_length=2, max_length=200)
    level: str | None = Field(default=None, min_length=1, max_length=30)
    """Key of the city's area level the file holds (checked against the database by ``check_level``)."""
    indicator: str = ""
    """Indicator of a table with one column per year, or the catalogue key for a file's only indicator."""
    period: str = ""
    """Year of a table with one column per indicator."""
    decimal: Literal["auto", ",", "."] = "auto"
    area_mapping: dict[str, str] = {}
    """Raw area name → area code, completed by the user (stored for the next import of this source)."""
    indicator_mapping: dict[str, str] = {}
    """Raw indicator name → catalogue key (existing or one of ``new_indicators``)."""
    new_indicators: list[IndicatorSpec] = []
    create_indicators: bool = False
    """Create the file's indicators that are neither known nor in ``new_indicators`` from its data
    (``importing.new_indicators.derive``)."""
    skip_rejected: bool = False
    """Commit the valid rows even when some rows were rejected."""
    layout: LayoutChoice = LayoutChoice()
    """The user's corrections of how a table with values in columns is read."""
    template: str = ""
    """Name of the import template to follow ('' = one whose shape matches, if any)."""
    confirm_mapping: bool = False
    """The user confirmed that rows go to areas of another name (``area_mapping`` pairs whose names differ)."""
    confirm_outside: bool = False
    """The user confirmed shapes that reach beyond the city's stored extent (``BoundaryPreview.beyond``)."""
    level_names: list[str] = []
    """Names of the levels an area import creates, coarse → fine (a boundary file: one)."""
    code_column: str = ""
    name_column: str = ""
    parent_column: str = ""
    """Columns (properties) of an area import with code, name and parent code ('' = recognised)."""
    combine: Literal["ask", "create", "leave_out"] = "ask"
    """What a table import does with names of combined areas ("A und B") whose parts are areas:
    ask, create the combined areas, or leave their rows out."""


@dataclass
class Checked:
    """Valid rows (row, area_id, indicator_key, period, value, numerator, denominator, status,
    symbol) and rejected rows (German columns, see ``REJECTED_COLUMNS``)."""

    rows: pd.DataFrame
    rejected: pd.DataFrame


def field_label(name: str) -> str:
    """How a rejection names the column of a field the reader names no column for: „Wert“."""
    return f"„{FIELD_LABELS[name]}“"


def _expected(decimal: str) -> dict[str, str]:
    """What each rejected cell should have held, in German."""
    number = (
        "z. B. 1.234,5 oder 53,4 %; Dezimalkomma"
        if decimal == ","
        else "z. B. 1,234.5 oder 53.4 %; Dezimalpunkt"
    )
    first, last = year_range()
    years = f"ein Jahr von {first} bis {last}"
    return {
        "area": "Name oder Code eines Gebiets der Stadt (unbekannte Namen in der Zuordnung der Gebietsnamen zuordnen)",
        "indicator": "Schlüssel oder Name eines Indikators des Katalogs oder eines neu anzulegenden Indikators",
        "period": f"{years}, z. B. 2022, 31.12.2022 oder 2022-12-31",
        "date": f"ein gültiges Datum (Monat 1–12, Tag passend zum Monat) oder {years}, z. B. 31.12.2022 oder 2022-12-31",
        "year": f"{years} (zulässiger Bereich, einstellbar über die Umgebungsvariable {YEARS_SETTING})",
        "huge": f"eine Zahl unter {fmt.number(MAX_MAGNITUDE)} (Betrag)",
        "count_parts": f"Zähler und Nenner als Anzahlen unter {fmt.number(MAX_COUNT)} (1 Milliarde)",
        "count": f"eine Anzahl von 0 bis unter {fmt.number(MAX_COUNT)} (1 Milliarde)",
        "value": f"eine Zahl ({number}) oder ein Kennzeichen ({MARKERS})",
        "parts": f"Zähler und Nenner als Zahlen ({number})",
        "flag": f"leer, e/p/v/r (endgültig, vorläufig), s/g (geschätzt) oder ein Kennzeichen ({MARKERS})",
        "flagged": f"entweder ein Wert oder ein Kennzeichen ({MARKERS}), nicht beides",
        "empty": f"ein Wert oder ein Kennzeichen ({MARKERS})",
        "negative": "Zähler und Nenner nicht negativ",
        "percent": "ein Prozentwert zwischen 0 und 100",
    }  # fmt: skip


def check_level(level: str | None, levels: Mapping[str, str]) -> None:
    """Refuse a level key the city does not have (``levels``: key → German name)."""
    if level is not None and level not in levels:
        known = ", ".join(f"{key} ({name})" for key, name in levels.items())
        raise ImportProblem(f"Unbekannte Gebietsebene „{level}“. Die Stadt hat die Ebenen: {known}.")


def map_values(column: pd.Series, mapping: Mapping[Any, Any]) -> pd.Series:
    """``column.map(mapping)`` (missing where unmapped), each distinct value looked up once."""
    codes, distinct = pd.factorize(column)
    looked_up = pd.Series(distinct, dtype=object).map(mapping).to_numpy(dtype=object)
    return pd.Series(take(looked_up, codes, allow_fill=True, fill_value=np.nan), index=column.index)


def check_rows(
    table: pd.DataFrame,
    decimal: str | None,
    area_ids: pd.Series,
    indicator_keys: pd.Series,
    catalogue: pd.DataFrame,
    headers: Mapping[str, pd.Series | str] | None = None,
) -> Checked:
    """Validate ``table`` (raw texts, see ``readers.LongTable``) whose areas and indicators were
    matched to ``area_ids`` (Int64, NA = unknown) and ``indicator_keys`` (NA = unknown).

    ``catalogue`` has one row per known or new indicator (key, unit, scale, aggregation, decimals);
    ``headers`` names the file's column of each field as the user sees it (``C „2031“``; a text,
    or one per row for the value cells of a wide table), so that every rejection says which
    column failed; fields not in it are named by ``field_label``.
    """
    decimal = decimal or detect_decimal(pd.concat([table["value"], table["numerator"], table["denominator"]]))
    value = parse_numbers(table["value"], decimal)
    numerator = parse_numbers(table["numerator"], decimal)
    denominator = parse_numbers(table["denominator"], decimal)
    periods = read_periods(table["period"])
    period = periods.year
    first_year, last_year = year_range()
    flag = clean(table["flag"]).replace({"–": "-", "…": "..."})
    flag_lower = flag.str.lower()
    flag_marker = flag.isin(list(MARKER_STATUS))
    symbol = value.symbol.where(value.symbol.notna(), flag.where(flag_marker, None))
    marked = symbol.notna()
    meta = catalogue.set_index("key").reindex(indicator_keys.fillna("").to_numpy())
    unit_percent = (meta["unit"].fillna("").str.strip() == "%").to_numpy()
    scale = meta["scale"].fillna(1.0).to_numpy()
    tolerance = 0.5 * 10.0 ** -meta["decimals"].fillna(1).to_numpy() + 1e-9

    parts = numerator.value.notna() & denominator.value.notna() & (denominator.value > 0)
    computed = numerator.value / denominator.value.where(denominator.value > 0) * scale
    is_ratio = (meta["aggregation"] == "ratio").to_numpy()
    is_count = (meta["aggregation"] == "sum").to_numpy()
    too_large = [(parsed.value.abs() >= MAX_COUNT) for parsed in (numerator, denominator)]
    stored = value.value.where(~(parts & is_ratio), computed)

    conditions = [
        ("area", area_ids.isna()),
        ("indicator", indicator_keys.isna()),
        ("date", periods.bad_date),
        ("period", period.isna()),
        ("year", (period < first_year) | (period > last_year)),
        ("value", value.invalid),
        ("parts", numerator.invalid | denominator.invalid),
        ("huge", ~is_count & (value.value.abs() >= MAX_MAGNITUDE)),
        ("flag", ~(flag_marker | flag_lower.isin(OK_FLAGS | ESTIMATED_FLAGS))),
        ("flagged", marked & (value.value.notna() | numerator.value.notna())),
        ("empty", ~marked & stored.isna()),
        ("negative", (numerator.value < 0) | (denominator.value < 0)),
        ("count_parts", too_large[0] | too_large[1]),
        ("ratio", numerator.value > denominator.value),
        ("count", ~marked & is_count & ((stored < 0) | (stored >= MAX_COUNT))),
        ("percent", ~marked & (value.percent | unit_percent) & ((stored < 0) | (stored > 100))),
        ("mismatch", is_ratio & parts & value.value.notna() & ((value.value - computed).abs() > tolerance)),
    ]
    reason = pd.Series("", index=table.index, dtype=object)
    for code, condition in conditions:
        reason = reason.mask((reason == "") & condition.fillna(False).to_numpy(), code)

    rows = pd.DataFrame(
        index=table.index,
        data={
            "row": table["row"].to_numpy(),
            "area_id": area_ids.to_numpy(),
            "indicator_key": indicator_keys.to_numpy(),
            "period": period.to_numpy(),
            "value": np.where(marked, np.nan, stored),
            "numerator": np.where(marked, np.nan, numerator.value),
            "denominator": denominator.value.to_numpy(),
            "status": np.where(
                marked,
                map_values(symbol, MARKER_STATUS),
                np.where(flag_lower.isin(ESTIMATED_FLAGS), "estimated", "ok"),
            ),
            "symbol": symbol.to_numpy(),
        },
    )
    valid = (reason == "").to_numpy()
    keys = rows.loc[valid, ["area_id", "indicator_key", "period"]]
    duplicated = keys.duplicated(keep=False)
    reason.loc[keys.index[duplicated.to_numpy()]] = "duplicate"
    valid = (reason == "").to_numpy()
    decimals = pd.Series(meta["decimals"].fillna(1).to_numpy(), index=table.index)
    found = _Found(numerator.invalid, denominator.invalid, computed, decimals, decimal)
    rejected = _rejected(table[~valid], reason[~valid], found, rows, headers or {})
    return Checked(rows=rows[valid].reset_index(drop=True), rejected=rejected)


@dataclass
class _Found:
    """What ``check_rows`` parsed, for the precise wording of the rejections."""

    numerator_invalid: pd.Series
    denominator_invalid: pd.Series
    computed: pd.Series
    decimals: pd.Series
    decimal: str


def _rejected(
    bad: pd.DataFrame, codes: pd.Series, found: _Found, rows: pd.DataFrame,
    headers: Mapping[str, pd.Series | str],
) -> pd.DataFrame:  # fmt: skip
    """One German row per rejected cell: file row, column, content, reason, what was expected."""
    index = bad.index

    def header(name: str) -> pd.Series:
        given = headers.get(name, field_label(name))
        texts = given.loc[index] if isinstance(given, pd.Series) else pd.Series(given, index=index)
        return texts.astype(str)

    def text(name: str) -> pd.Series:
        return clean(bad[name]).astype(str)

    both = text("numerator") + " / " + text("denominator")
    column = pd.Series("", index=index, dtype=object)
    content = pd.Series("", index=index, dtype=object)
    for code, (fields, shown) in _CELLS.items():
        where = (codes == code).to_numpy()
        if where.any():
            column[where] = _joined([header(f) for f in fields])[where]
            content[where] = (both if shown == "parts" else text(shown))[where]
    which = pd.Series(
        np.where(found.numerator_invalid.loc[index] & ~found.denominator_invalid.loc[index], "numerator",
                 np.where(found.denominator_invalid.loc[index] & ~found.numerator_invalid.loc[index], "denominator", "")),
        index=index,
    )  # fmt: skip
    for field in ("numerator", "denominator"):
        single = ((codes == "parts") & (which == field)).to_numpy()
        column[single], content[single] = header(field)[single], text(field)[single]
    expected = codes.map(_expected(found.decimal)).astype(object)
    ratio = (codes == "ratio").to_numpy()
    expected[ratio] = ("Zähler höchstens so groß wie der Nenner (hier Zähler " + text("numerator")
                       + " größer als Nenner " + text("denominator") + ")")[ratio]  # fmt: skip
    mismatch = (codes == "mismatch").to_numpy()
    if mismatch.any():
        computed = [
            fmt.number(v, int(d) + 1)
            for v, d in zip(
                found.computed.loc[index][mismatch], found.decimals.loc[index][mismatch], strict=True
            )
        ]
        expected[mismatch] = [
            f"der Wert aus Zähler und Nenner, hier {c} (Zähler {n}, Nenner {d})"
            for c, n, d in zip(
                computed, text("numerator")[mismatch], text("denominator")[mismatch], strict=True
            )
        ]
    duplicate = (codes == "duplicate").to_numpy()
    if duplicate.any():
        expected[duplicate] = _duplicate_rows(rows.loc[index[duplicate]])
    return pd.DataFrame(
        {
            "Zeile": bad["row"].to_numpy(),
            "Spalte": column.to_numpy(),
            "Inhalt": content.to_numpy(),
            "Grund": codes.map(REASONS).to_numpy(),
            "Erwartet": expected.to_numpy(),
            "Gebiet": bad["area"].to_numpy(),
            "Indikator": bad["indicator"].to_numpy(),
            "Jahr": bad["period"].to_numpy(),
            "Wert": bad["value"].to_numpy(),
        }
    )


def _joined(parts: list[pd.Series]) -> pd.Series:
    """Column names of one rejection ("„Gebiet“, „Jahr“"), each named once."""
    out = parts[0].tolist()
    for part in parts[1:]:
        out = [o if p in o else f"{o}, {p}" for o, p in zip(out, part, strict=True)]
    return pd.Series(out, index=parts[0].index, dtype=object)


def _duplicate_rows(rows: pd.DataFrame) -> list[str]:
    """For each duplicated row, "eine Zeile je …: auch in Zeile 12" naming the other file rows."""
    keys = [tuple(k) for k in rows[["area_id", "indicator_key", "period"]].astype(str).to_numpy()]
    by_key: dict[tuple[str, ...], list[int]] = {}
    for key, row in zip(keys, rows["row"], strict=True):
        by_key.setdefault(key, []).append(int(row))
    out = []
    for key, row in zip(keys, rows["row"], strict=True):
        others = ", ".join(str(r) for r in by_key[key] if r != int(row)) or str(int(row))
        out.append(f"eine Zeile je Gebiet, Indikator und Jahr (dieselben auch in Zeile {others})")
    return out


def rejection_lines(rejected: pd.DataFrame, limit: int = 30) -> list[str]:
    """The first ``limit`` rejections as German sentences ("Zeile 9, Spalte „Wert“: …")."""
    lines = [
        f"Zeile {row['Zeile']}, Spalte {row['Spalte']}: {row['Grund']}"
        + (f" („{row['Inhalt']}“)" if row["Inhalt"] else "")
        + f" – erwartet: {row['Erwartet']}."
        for row in rejected.head(limit).to_dict("records")
    ]
    if len(rejected) > limit:
        lines.append(f"… und {len(rejected) - limit} weitere abgelehnte Werte.")
    return lines
