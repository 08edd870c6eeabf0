"""Table exports (CSV, XLSX) that neutralise spreadsheet formulas."""

from __future__ import annotations

import io

import pandas as pd

from sozdash.core.vocab import OFFICIAL_SYMBOLS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: object) -> object:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe
    (the official symbols such as a lone ``-`` stay as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and value not in OFFICIAL_SYMBOLS:
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell and column name is formula-safe; numbers stay numbers."""
    safe = frame.copy()
    safe.columns = [neutralise_text(str(c)) for c in safe.columns]
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_text)
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as Excel in Germany opens it: semicolon, decimal comma, UTF-8 with BOM."""
    return neutralise_formulas(frame).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Daten") -> bytes:
    """XLSX with numbers as numbers and text cells written as text, never as formulas."""
    buffer = io.BytesIO()
    safe = neutralise_formulas(frame)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        for row in writer.sheets[sheet_name[:31]].iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    return buffer.getvalue()
