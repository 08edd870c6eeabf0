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

from sozdash.core.vocab import AREA_LEVELS, LEBENSLAGEN, POLARITY
from sozdash.importing.numbers import MARKER_STATUS, clean, detect_decimal, parse_numbers, parse_periods

REASONS = {
    "area": "unbekanntes Gebiet",
    "indicator": "unbekannter Indikator",
    "period": "Zeitraum nicht erkannt",
    "value": "keine Zahl",
    "parts": "Zähler oder Nenner keine Zahl",
    "flag": "Kennzeichen nicht erkannt",
    "flagged": "Wert trotz Kennzeichnung vorhanden",
    "empty": "Wert fehlt (leer und ohne Kennzeichen)",
    "negative": "Zähler oder Nenner negativ",
    "ratio": "Zähler größer als Nenner",
    "percent": "Prozentwert außerhalb 0–100",
    "mismatch": "Wert passt nicht zu Zähler und Nenner",
    "duplicate": "doppelter Schlüssel (Gebiet, Indikator und Jahr mehrfach)",
}
ESTIMATED_FLAGS = {"s", "g", "geschaetzt", "geschätzt", "estimated"}
OK_FLAGS = {"", "e", "p", "v", "r", "ok", "endgültig", "vorläufig"}


class IndicatorSpec(BaseModel):
    """Metadata of an indicator the import creates (given by the user)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,79}$")
    name: str = Field(min_length=2, max_length=200)
    lebenslage: str
    unit: str = Field(min_length=1, max_length=40)
    polarity: str
    source: str = Field(min_length=3)
    aggregation: Literal["ratio", "sum", "none"] = "none"
    decimals: int = Field(default=1, ge=0, le=6)

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
    level: str | None = None
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
    skip_rejected: bool = False
    """Commit the valid rows even when some rows were rejected."""

    @field_validator("level")
    @classmethod
    def _level(cls, value: str | None) -> str | None:
        if value is not None and value not in AREA_LEVELS:
            raise ValueError(f"unbekannte Gebietsebene {value!r} (erlaubt: {', '.join(AREA_LEVELS)})")
        return value


@dataclass
class Checked:
    """Valid rows (row, area_id, indicator_key, period, value, numerator, denominator, status,
    symbol) and rejected rows (German columns)."""

    rows: pd.DataFrame
    rejected: pd.DataFrame


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
) -> Checked:
    """Validate ``table`` (raw texts, see ``readers.LongTable``) whose areas and indicators were
    matched to ``area_ids`` (Int64, NA = unknown) and ``indicator_keys`` (NA = unknown).

    ``catalogue`` has one row per known or new indicator (key, unit, scale, aggregation, decimals).
    """
    decimal = decimal or detect_decimal(pd.concat([table["value"], table["numerator"], table["denominator"]]))
    value = parse_numbers(table["value"], decimal)
    numerator = parse_numbers(table["numerator"], decimal)
    denominator = parse_numbers(table["denominator"], decimal)
    period = parse_periods(table["period"])
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
    stored = value.value.where(~(parts & is_ratio), computed)

    conditions = [
        ("area", area_ids.isna()),
        ("indicator", indicator_keys.isna()),
        ("period", period.isna()),
        ("value", value.invalid),
        ("parts", numerator.invalid | denominator.invalid),
        ("flag", ~(flag_marker | flag_lower.isin(OK_FLAGS | ESTIMATED_FLAGS))),
        ("flagged", marked & (value.value.notna() | numerator.value.notna())),
        ("empty", ~marked & stored.isna()),
        ("negative", (numerator.value < 0) | (denominator.value < 0)),
        ("ratio", numerator.value > denominator.value),
        ("percent", ~marked & (value.percent | unit_percent) & ((stored < 0) | (stored > 100))),
        ("mismatch", is_ratio & parts & value.value.notna() & ((value.value - computed).abs() > tolerance)),
    ]
    reason = pd.Series("", index=table.index, dtype=object)
    for code, condition in conditions:
        reason = reason.mask((reason == "") & condition.fillna(False).to_numpy(), REASONS[code])

    rows = pd.DataFrame(
        {
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
        }
    )
    valid = (reason == "").to_numpy()
    keys = rows.loc[valid, ["area_id", "indicator_key", "period"]]
    duplicated = keys.duplicated(keep=False)
    reason.loc[keys.index[duplicated.to_numpy()]] = REASONS["duplicate"]
    valid = (reason == "").to_numpy()
    bad = table[~valid]
    rejected = pd.DataFrame(
        {
            "Zeile": bad["row"].to_numpy(),
            "Grund": reason[~valid].to_numpy(),
            "Gebiet": bad["area"].to_numpy(),
            "Indikator": bad["indicator"].to_numpy(),
            "Jahr": bad["period"].to_numpy(),
            "Wert": bad["value"].to_numpy(),
        }
    )
    return Checked(rows=rows[valid].reset_index(drop=True), rejected=rejected)
