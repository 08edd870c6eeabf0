"""Table exports (CSV, XLSX) that neutralise spreadsheet formulas.

In XLSX, numbers are numbers and dates are dates, each with a number format that looks German in
Excel (Excel localises the separators); the app's display texts (``20,5 %``, ``+8,3``,
``17.408 Personen``, ``31.12.2024``) become such cells. Percentages stay in percent (``20.5`` with
the format ``0.0" %"``, not ``0.205`` with ``0.0%``): the workbook then holds the same numbers as the
app, the CSV and the database, and a difference of two percentages is directly the column in
Prozentpunkte next to it. Official symbols stay text in their own cells and are explained below the
table; every other text is formula-safe.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sozdash.core import fmt
from sozdash.core.vocab import OFFICIAL_SYMBOLS

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is built (a page needs it only on click)
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SYMBOLS = OFFICIAL_SYMBOLS | {fmt.MISSING: "kein Wert vorhanden"}
"""Cell texts explained below a sheet's table."""
MAX_DECIMALS = 6
DATE_FORMAT, DATETIME_FORMAT = "DD.MM.YYYY", "DD.MM.YYYY HH:MM"
MIN_WIDTH, MAX_WIDTH = 8, 60
_NUMBER = re.compile(
    r"(?P<sign>[+\-−]?)(?P<whole>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<fraction>\d+))?"
    r"(?: (?P<unit>%|‰|€|[A-Za-zÄÖÜäöüß]+(?: je [\d.]+)?|je [\d.]+))?"
)
"""A number as the app displays it (``fmt``): sign, thousands dots, decimal comma, a unit word."""
_PLAIN_INTEGERS = re.compile(r"jahr|import|nummer|^nr\b|^id$", re.IGNORECASE)
_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")

Decimals = int | Sequence[int]
"""Decimals of a numeric column: one for all rows or one per row."""


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


@dataclass(frozen=True)
class XlsxCell:
    """A cell's value and number format (``None``: text or empty); ``unit`` as read from display text."""

    value: str | int | float | dt.date | None
    number_format: str | None = None
    unit: str = ""


def number_format(decimals: int, *, signed: bool = False, unit: str = "") -> str:
    """``#,##0.0`` for one decimal; ``signed`` shows ``+``/``−``; ``unit`` as a literal (``0.0" %"``)."""
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    suffix = f'" {unit}"' if unit else ""
    if signed:
        return f'+{body}{suffix};"−"{body}{suffix};{body}{suffix}'
    return body + suffix


def _needed_decimals(value: float) -> int:
    """The fewest decimals (at most ``MAX_DECIMALS``) that keep ``value``."""
    return next(
        (d for d in range(MAX_DECIMALS) if abs(value - round(value, d)) <= 1e-9 * max(1.0, abs(value))),
        MAX_DECIMALS,
    )


def _display_number(text: str) -> XlsxCell | None:
    """The number behind a display text such as ``−1.234,5 Personen``; ``None`` for other text.
    ``fmt`` writes 1.000 and more with a thousands dot, so longer digits without one (years in a
    date column, area codes, postcodes) and digits with a leading zero stay text."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    sign, whole, fraction, unit = match["sign"], match["whole"], match["fraction"] or "", match["unit"] or ""
    if whole.isdigit() and (len(whole) > 3 or (len(whole) > 1 and whole.startswith("0"))):
        return None
    number = float(whole.replace(".", "") + "." + (fraction or "0")) * (-1 if sign in ("-", "−") else 1)
    value: float | int = number if fraction else int(number)
    return XlsxCell(value, number_format(len(fraction), signed=sign == "+", unit=unit), unit)


def xlsx_cell(value: object, decimals: int | None = None, *, plain_integers: bool = False) -> XlsxCell:
    """One value as a spreadsheet cell: numbers (``decimals``, else as many as the value needs) and
    dates with their format, display texts read back into numbers and dates, other text formula-safe.
    ``plain_integers``: whole numbers without thousands separator (years, numbers of imports)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return XlsxCell(None)
    if isinstance(value, bool | np.bool_):
        return XlsxCell("ja" if value else "nein")
    if isinstance(value, int | np.integer):
        return XlsxCell(int(value), "0" if plain_integers else number_format(0))
    if isinstance(value, float | np.floating):
        places = _needed_decimals(float(value)) if decimals is None else decimals
        return XlsxCell(round(float(value), places), number_format(places))
    if isinstance(value, dt.datetime):
        return XlsxCell(value.replace(tzinfo=None), DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return XlsxCell(value, DATE_FORMAT)
    text = str(value)
    if not text:
        return XlsxCell(None)
    if date := _DATE.fullmatch(text):
        try:
            return XlsxCell(dt.date(int(date[3]), int(date[2]), int(date[1])), DATE_FORMAT)
        except ValueError:
            pass
    return _display_number(text) or XlsxCell(str(neutralise_text(text)))


def _column_cells(column: pd.Series, decimals: Decimals | None) -> list[XlsxCell]:
    """The cells of one column; floats without given decimals share the most any of them needs;
    whole numbers in a column that names years or numbers go without thousands separator."""
    values, plain = column.tolist(), bool(_PLAIN_INTEGERS.search(str(column.name)))
    if decimals is None:
        floats = [v for v in values if isinstance(v, float | np.floating) and not math.isnan(v)]
        decimals = max((_needed_decimals(float(v)) for v in floats), default=0)
    per_row = [decimals] * len(values) if isinstance(decimals, int) else list(decimals)
    return [xlsx_cell(v, d, plain_integers=plain) for v, d in zip(values, per_row, strict=True)]


def _shown_width(cell: XlsxCell) -> int:
    """Characters the cell takes on screen (numbers as the app writes them)."""
    if cell.value is None:
        return 0
    if isinstance(cell.value, dt.date):
        return 16 if isinstance(cell.value, dt.datetime) else 10
    if isinstance(cell.value, int | float):
        return len(fmt.number(cell.value, _needed_decimals(float(cell.value)))) + len(cell.unit) + 2
    return len(str(cell.value))


def write_sheet(sheet: Worksheet, frame: pd.DataFrame, decimals: Mapping[str, Decimals] | None = None) -> None:
    """``frame`` as a table from A1: a bold header with the column's unit (when all its numbers
    share one), typed cells, column widths, the header row frozen, then an explanation of the
    symbols that occur."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = [_column_cells(frame.iloc[:, i], (decimals or {}).get(str(name))) for i, name in enumerate(frame.columns)]
    for index, (name, cells) in enumerate(zip(frame.columns, columns, strict=True), start=1):
        units = {c.unit for c in cells if c.number_format}
        header = str(name)
        if len(units) == 1 and (unit := units.pop()) and f"({unit})" not in header:
            header = f"{header} ({unit})"
        head = sheet.cell(row=1, column=index, value=str(neutralise_text(header)))
        head.data_type, head.font, head.alignment = "s", Font(bold=True), Alignment(wrap_text=True, vertical="top")
        for row, cell in enumerate(cells, start=2):
            target = sheet.cell(row=row, column=index, value=cell.value)
            if cell.number_format:
                target.number_format = cell.number_format
            elif isinstance(cell.value, str):
                target.data_type = "s"
        width = max([_shown_width(c) for c in cells] + [min(len(header), 30), MIN_WIDTH])
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if len(frame.columns) and len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    used = {c.value for cells in columns for c in cells if not c.number_format}
    notes = [f"{symbol} = {meaning}" for symbol, meaning in SYMBOLS.items() if symbol in used]
    row = len(frame) + 3
    for text in ["Zeichenerklärung:", *notes] if notes else []:
        sheet.cell(row=row, column=1, value=text).data_type = "s"
        row += 1


def workbook_bytes(
    sheets: Mapping[str, pd.DataFrame], decimals: Mapping[str, Mapping[str, Decimals]] | None = None
) -> bytes:
    """One workbook, one sheet per table (``write_sheet``); ``decimals``: sheet → column → decimals."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, frame in sheets.items():
        write_sheet(book.create_sheet(name[:31]), frame, (decimals or {}).get(name))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Daten") -> bytes:
    """XLSX of one table: numbers as numbers, dates as dates, text never a formula."""
    return workbook_bytes({sheet_name: frame})
