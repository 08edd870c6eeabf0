"""Read a table file (CSV or XLSX; long, wide or GENESIS ffcsv) into one long table of texts.

Every reader returns a ``LongTable``: one row per value with the raw texts of area, level hint,
indicator, period, value, numerator, denominator and flag, plus the row number in the file, so
that validation can name rows in its German messages. Published tables with values in columns
are read as they come (title, topic and description rows, years in column names, sub-columns,
several levels): ``layout.find_layout`` guesses how, a ``LayoutChoice`` or template overrides it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHARED_STRINGS

from sozdash.importing.layout import (
    SYNONYMS,
    Header,
    LayoutChoice,
    TableLayout,
    column_label,
    data_rows,
    find_header,
    find_layout,
    header_names,
    level_per_row,
    no_data_rows,
)
from sozdash.importing.names import normalise
from sozdash.importing.numbers import excel_number_text
from sozdash.importing.problems import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_ROWS,
    CheckedZip,
    ImportProblem,
    check_deadline,
    check_size,
    german,
    member_errors,
    open_zip,
    too_many,
)
from sozdash.importing.templates import Template, pick_template

LONG_FIELDS = (
    "area", "area_alt", "level", "indicator", "period", "value", "numerator", "denominator", "flag",
)  # fmt: skip
LAYOUTS = {
    "long": "Langformat (eine Zeile je Wert)",
    "wide_years": "Breitformat (eine Spalte je Jahr)",
    "wide_indicators": "Breitformat (eine Spalte je Indikator)",
    "ffcsv": "GENESIS-Flatfile (ffcsv)",
}


@dataclass
class LongTable:
    """Raw texts in long form (columns ``row`` + ``LONG_FIELDS``) and how the file was read.

    ``level`` is the reader's level hint per row (see ``levels``); ``table_layout`` is the
    layout of a table with values in columns (None for long and ffcsv files), ``notes`` what the
    reader is unsure about, ``template`` the name of the template it followed.
    """

    frame: pd.DataFrame
    layout: str
    decimal: str | None
    """``","`` for Excel and ffcsv; ``None`` means detect from the values."""
    skipped_rows: int
    table_layout: TableLayout | None = None
    notes: list[str] = field(default_factory=list)
    template: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    """Field → its column as the user sees it (``D „Wert“``), for a long table's rejections."""


def read_table(
    data: bytes, file_name: str, *, indicator: str = "", period: str = "", decimal: str = "auto",
    choice: LayoutChoice | None = None, templates: Mapping[str, Template] | None = None, template: str = "",
) -> LongTable:  # fmt: skip
    """Read ``data``; ``indicator``/``period`` fill in what a wide table does not say.

    ``choice`` overrides the reader's guesses; ``template`` names a stored template to follow,
    otherwise one of ``templates`` whose shape matches the file is followed.
    """
    cells, file_decimal = read_cells(data, file_name)
    filled = (cells != "").sum(axis=1).to_numpy()
    user = choice or LayoutChoice()
    header = find_header(cells, filled, user.header_row)
    names = header_names(cells, header)
    if header.row is not None and (_is_ffcsv(names) or _is_long(names)):
        grid, skipped = _grid(cells, filled, header, names, user.skip_rows)
        if grid.empty:
            raise no_data_rows(header)
        if _is_ffcsv(names):
            return LongTable(_ffcsv(grid), "ffcsv", ",", skipped)
        roles = {c: _role(c) for c in grid.columns if c != "row"}
        frame, columns = _long(grid, roles, indicator, period)
        return LongTable(frame, "long", file_decimal, skipped, columns=columns)
    picked = pick_template(cells, filled, header, user, templates or {}, template)
    effective = picked[1] if picked else user
    if picked:
        header = find_header(cells, filled, effective.header_row)
    number_decimal = None if decimal == "auto" else decimal
    layout, notes, rows = find_layout(
        cells, filled, header, effective, decimal=number_decimal or file_decimal, indicator=indicator,
        period=period,
    )  # fmt: skip
    frame = _wide(cells, layout, rows)
    skipped = len(cells) - len(rows) - len(layout.header_rows)
    return LongTable(frame, layout.kind, file_decimal, skipped, layout, notes, picked[0] if picked else "")


def read_cells(data: bytes, file_name: str) -> tuple[pd.DataFrame, str | None]:
    """The cells of a CSV or XLSX file as stripped texts (columns 0, 1, …) and the decimal
    separator its format implies (``,`` for Excel, None = to be detected)."""
    check_size(data)
    suffix = PurePath(file_name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") and "EncryptionInfo".encode("utf-16-le") in data:
        raise ImportProblem(
            "Die Excel-Datei ist mit einem Kennwort geschützt (verschlüsselt) und kann nicht gelesen werden. "
            "Bitte in Excel ohne Kennwort speichern."
        )
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportProblem(
            "Alte Excel-Dateien (.xls) werden nicht gelesen. Bitte als .xlsx oder CSV speichern."
        )
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        cells, file_decimal = _xlsx_cells(data), ","
    else:
        cells, file_decimal = _csv_cells(data), None
    if not len(cells):
        raise ImportProblem("Die Datei enthält keine Tabelle.")
    return cells.astype("string").fillna("").apply(lambda column: column.str.strip()), file_decimal


# --- text files -----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; binary data is refused."""
    head = data[:200_000]
    if b"\x00" in head:
        raise ImportProblem(
            "Die Datei ist keine Tabelle (Binärdaten). Erwartet: CSV, XLSX, GeoJSON, Shapefile (ZIP) oder GeoPackage."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportProblem(
                "Die Zeichenkodierung der Datei wurde nicht erkannt (erwartet UTF-8 oder Windows-1252)."
            ) from exc
    controls = sum(1 for ch in text[:200_000] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(5, len(text[:200_000]) // 1000):
        raise ImportProblem(
            "Die Datei ist keine Tabelle (Binärdaten). Erwartet: CSV, XLSX, GeoJSON, Shapefile (ZIP) oder GeoPackage."
        )
    return text


def _check_lines(data: bytes) -> None:
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    lengths = np.diff(bounds) - 1
    longest = int(lengths.argmax())
    if lengths[longest] > MAX_LINE_CHARS:
        raise ImportProblem(
            f"Zeile {longest + 1} ist mit {german(int(lengths[longest]))} Zeichen zu lang (höchstens "
            f"{german(MAX_LINE_CHARS)}). Ist das wirklich eine Tabelle?"
        )
    if len(ends) > MAX_ROWS:
        raise too_many("Zeilen", MAX_ROWS)


def _check_width(data: bytes, separator: str) -> None:
    """Refuse a CSV beyond ``MAX_COLUMNS`` columns or ``MAX_CELLS`` cells before any frame is built.

    Counting separators per line is an upper bound (quoted fields may hold separators); only
    when it exceeds a limit are the fields counted exactly, stopping at the first row too wide.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    lines = len(ends) + 1
    per_line = np.bincount(np.searchsorted(ends, np.flatnonzero(raw == ord(separator))), minlength=1)
    widest = int(per_line.max()) + 1
    if widest <= MAX_COLUMNS and widest * lines <= MAX_CELLS:
        return
    widest = 0
    for count, row in enumerate(csv.reader(io.StringIO(decode(data)), delimiter=separator), start=1):
        widest = max(widest, len(row))
        if widest > MAX_COLUMNS:
            raise too_many("Spalten", MAX_COLUMNS)
        if count % 100_000 == 0:
            check_deadline()
    if widest * lines > MAX_CELLS:
        raise too_many("Zellen", MAX_CELLS)


def sniff_separator(lines: list[str]) -> str:
    """``;``, ``,`` or tab: the one that splits most lines into the same number of fields."""
    best, best_score = ";", -1
    for separator in (";", "\t", ","):
        counts = [line.count(separator) for line in lines if line.strip()]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode = max(set(nonzero), key=nonzero.count)
        score = nonzero.count(mode) * 1000 + mode
        if score > best_score:
            best, best_score = separator, score
    return best


def _csv_cells(data: bytes) -> pd.DataFrame:
    _check_lines(data)
    text = decode(data)
    separator = sniff_separator(text[:20000].splitlines()[:60])
    _check_width(data, separator)
    check_deadline()
    try:
        return pd.read_csv(
            io.StringIO(text), sep=separator, header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, engine="c",
        )  # fmt: skip
    except (pd.errors.ParserError, ValueError) as exc:
        rows = _ragged_rows(text, separator)  # names the line of an unclosed quote the csv module finds
        unclosed = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if unclosed:  # found by pandas only: its record number
            raise _unbalanced_quote(int(unclosed.group(1)) + 1) from exc
        return _cells(rows)


def _ragged_rows(text: str, separator: str) -> list[list[str]]:
    """The rows of a CSV whose rows have different numbers of fields (the csv module's reading)."""
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    rows: list[list[str]] = []
    start = 1
    try:
        for row in reader:
            rows.append(row)
            start = reader.line_num + 1
        return rows
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise _unbalanced_quote(start) from exc
    lenient = csv.reader(io.StringIO(text), delimiter=separator)
    try:
        return list(lenient)
    except csv.Error as exc:
        raise ImportProblem(
            f"Die CSV-Datei ist in Zeile {lenient.line_num} fehlerhaft aufgebaut (Anführungszeichen oder "
            "Trennzeichen passen nicht zusammen)."
        ) from exc


def _unbalanced_quote(row: int) -> ImportProblem:
    return ImportProblem(
        f'Die CSV-Datei enthält ein Anführungszeichen ohne Gegenstück: Das Feld, das in Zeile {row} mit „"“ '
        "beginnt, wird nie geschlossen, so dass der ganze Rest der Datei ein einziger Wert wäre. Bitte das "
        "Anführungszeichen schließen oder entfernen."
    )


# --- Excel ----------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return "" if isinstance(value, float) and not math.isfinite(value) else excel_number_text(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _xlsx_cells(data: bytes) -> pd.DataFrame:
    """The first sheet's cells up to its last row and column that hold a value (never its
    declared size); rows without any value cost no more than their place in the grid."""
    with open_zip(data) as archive:
        _check_shared_strings(archive)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                if not isinstance(sheet, ReadOnlyWorksheet):
                    raise TypeError("first sheet not read-only")
                height, width = _sheet_extent(archive, sheet._worksheet_path)  # type: ignore[attr-defined]
                if not height:  # (max_row=0 would make openpyxl read the declared size)
                    return pd.DataFrame()
                grid = np.full((height, width), "", dtype=object)
                for index, values in enumerate(
                    sheet.iter_rows(max_row=height, max_col=width, values_only=True)
                ):
                    if values.count(None) < width:
                        grid[index] = [_cell_text(v) for v in values]
                    if index % 100_000 == 0:
                        check_deadline()
                return pd.DataFrame(grid)
            finally:
                workbook.close()
        except ImportProblem:
            raise
        except Exception as exc:  # openpyxl raises many types on damaged files
            cause = " (Prüfsumme falsch)" if "CRC" in str(exc) else ""
            raise ImportProblem(
                f"Die Excel-Datei ist beschädigt oder unvollständig{cause} und kann nicht gelesen werden."
            ) from exc


def _check_shared_strings(archive: CheckedZip) -> None:
    """Refuse a workbook whose table of texts alone has more than ``MAX_CELLS`` entries (openpyxl
    loads it whole when it opens the workbook)."""
    if "[Content_Types].xml" not in archive.NameToInfo:
        return  # not a workbook: openpyxl says so
    parts = [
        element.get("PartName", "").lstrip("/")
        for tag, element in _xml(archive, "[Content_Types].xml")
        if tag == "Override" and element.get("ContentType") == SHARED_STRINGS
    ]
    for part in (p for p in parts if p in archive.NameToInfo):
        count = 0
        for tag, _element in _xml(archive, part):
            count += tag == "si"
            if count > MAX_CELLS:
                raise too_many("Zellen", MAX_CELLS)


def _sheet_extent(archive: CheckedZip, name: str) -> tuple[int, int]:
    """Rows and columns up to the last cell holding a value, found by streaming the sheet's XML
    (rows and cells numbered as openpyxl does); refuses a sheet beyond the limits at the first
    cell that exceeds one, whatever dimension the sheet declares."""
    height = width = cells = row = 0
    for tag, element in _xml(archive, name):
        if tag != "row":
            continue
        check_deadline()
        row = int(float(element.get("r") or row + 1))
        column = 0
        for cell in element:
            if _local(cell) != "c":
                continue
            reference = cell.get("r")
            column = (
                column_index_from_string(coordinate_from_string(reference)[0]) if reference else column + 1
            )
            cells += 1
            if cells > MAX_CELLS:
                raise too_many("Zellen", MAX_CELLS)
            if not _holds_value(cell):
                continue
            if column > MAX_COLUMNS:
                raise too_many("Spalten", MAX_COLUMNS)
            if row > MAX_ROWS:
                raise too_many("Zeilen", MAX_ROWS)
            height, width = max(height, row), max(width, column)
            if height * width > MAX_CELLS:
                raise too_many("Zellen", MAX_CELLS)
    return height, width


def _holds_value(cell: ET.Element) -> bool:
    """Whether openpyxl reads a value from a ``<c>`` element (cached value or inline text)."""
    if cell.get("t") == "inlineStr":
        return any(_local(child) == "is" for child in cell)
    return any(_local(child) == "v" and bool(child.text) for child in cell)


def _local(element: ET.Element) -> str:
    """The tag without its namespace."""
    return element.tag.rpartition("}")[2]


def _xml(archive: CheckedZip, name: str) -> Iterator[tuple[str, ET.Element]]:
    """``(tag without namespace, element)`` at the end of each element while streaming one
    member; finished elements up to two levels below the root (rows, shared texts) are then
    dropped so that memory stays flat."""
    parents: list[ET.Element] = []
    with member_errors(name), archive.open(name) as source:
        for event, element in ET.iterparse(source, events=("start", "end")):
            if event == "start":
                parents.append(element)
                continue
            parents.pop()
            yield _local(element), element
            if 1 <= len(parents) <= 2:
                parents[-1].remove(element)


# --- finding the table ----------------------------------------------------------------------


def _cells(rows: list[list[str]]) -> pd.DataFrame:
    """Rows of cell texts as a frame (columns 0, 1, …), short rows padded with ''."""
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows], columns=range(width))


def _grid(
    cells: pd.DataFrame, filled: np.ndarray, header: Header, names: list[str], skip: list[int]
) -> tuple[pd.DataFrame, int]:
    """The data rows below the header (without footnotes and blank rows); columns = header names."""
    frame = cells.iloc[header.first :].reset_index(drop=True)
    frame.insert(0, "row", np.arange(header.first + 1, header.first + 1 + len(frame)))
    keep = data_rows(cells, filled, header, skip)
    named = [h for h in names if not h.startswith("(Spalte ")]
    duplicates = sorted({h for h in named if named.count(h) > 1})
    if duplicates:
        raise ImportProblem(f"Spaltenüberschrift doppelt: {', '.join(duplicates)}.")
    frame.columns = ["row", *names]
    return frame[keep].reset_index(drop=True), int(len(frame) - keep.sum()) + (header.row or 0)


# --- layouts --------------------------------------------------------------------------------


def _role(header: str) -> str | None:
    key = normalise(header)
    return next((role for role, words in SYNONYMS.items() if key in words), None)


def _is_ffcsv(names: list[str]) -> bool:
    return any(c.endswith("_q") for c in names) and "time" in names


def _is_long(names: list[str]) -> bool:
    roles = {_role(c) for c in names}
    return "value" in roles or "numerator" in roles


def _frame(grid: pd.DataFrame, **fields: pd.Series | str) -> pd.DataFrame:
    out = pd.DataFrame({"row": grid["row"].to_numpy()})
    for name in LONG_FIELDS:
        value = fields.get(name, "")
        out[name] = value.array if isinstance(value, pd.Series) else value
    return out.astype({name: "string" for name in LONG_FIELDS})


def _long(
    grid: pd.DataFrame, roles: dict[str, str | None], indicator: str, period: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The long table's fields, and the column each field was read from (see ``LongTable.columns``)."""
    by_role: dict[str | None, str] = {}
    for column, role in roles.items():
        by_role.setdefault(role, column)
    if "area" not in by_role and "area_alt" in by_role:
        by_role["area"] = by_role.pop("area_alt")
    missing = [label for role, label in (("area", "Gebiet"), ("indicator", "Indikator"), ("period", "Jahr"))
               if role not in by_role and not (role == "indicator" and indicator) and not (role == "period" and period)]  # fmt: skip
    if missing:
        raise ImportProblem(
            f"Spalte(n) {', '.join(missing)} nicht gefunden. Erwartet werden die Spalten Gebiet, Indikator, "
            f"Jahr und Wert (optional Zähler, Nenner, Kennzeichen); gefunden: {', '.join(c for c in roles if c)}."
        )
    fields: dict[str, pd.Series | str] = {role: grid[column] for role, column in by_role.items() if role}
    fields.setdefault("indicator", indicator)
    fields.setdefault("period", period)
    number = {column: i for i, column in enumerate(roles, start=1)}
    columns = {role: column_label(number[column], column) for role, column in by_role.items() if role}
    return _frame(grid, **fields), columns


def _wide(cells: pd.DataFrame, layout: TableLayout, rows: np.ndarray) -> pd.DataFrame:
    """One row per filled value cell: the row's area (and level hint), the column's indicator and year."""
    values = cells.iloc[rows, [v.column - 1 for v in layout.values]].to_numpy(dtype=object)
    width = values.shape[1]
    flat = values.ravel()
    present = flat != ""

    def per_row(column: np.ndarray) -> np.ndarray:
        return np.repeat(column, width)[present]

    def per_column(column: list[str]) -> np.ndarray:
        return np.tile(np.array(column, dtype=object), len(rows))[present]

    area = cells.iloc[rows, layout.area_column - 1].to_numpy(dtype=object)
    alt = cells.iloc[rows, layout.name_column - 1].to_numpy(dtype=object) if layout.name_column else None
    frame = pd.DataFrame({
        "row": per_row(rows + 1), "area": per_row(area), "area_alt": per_row(alt) if alt is not None else "",
        "level": per_row(level_per_row(rows + 1, layout.levels)),
        "indicator": per_column([v.indicator for v in layout.values]),
        "period": per_column(["" if v.year is None else str(v.year) for v in layout.values]),
        "value": flat[present],
    })  # fmt: skip
    for name in LONG_FIELDS:
        if name not in frame:
            frame[name] = ""
    return frame[["row", *LONG_FIELDS]].astype({name: "string" for name in LONG_FIELDS})


def _ffcsv(grid: pd.DataFrame) -> pd.DataFrame:
    """GENESIS flat CSV: region = the variable whose attribute codes are official keys."""
    attribute_columns = [c for c in grid.columns if re.fullmatch(r"\d+_variable_attribute_code", c)]
    region = next(
        (c for c in attribute_columns if grid[c].str.fullmatch(r"\d{2,12}").mean() > 0.9),
        None,
    )
    if region is None or "value" not in grid.columns:
        raise ImportProblem(
            "GENESIS-Datei ohne Regionalmerkmal (amtlicher Gemeindeschlüssel) oder ohne Spalte value."
        )
    label = region.replace("_code", "_label")
    indicator = grid.get(
        "value_variable_label", grid.get("value_variable_code", pd.Series("", index=grid.index))
    )
    for column in attribute_columns:
        if column != region:
            breakdown = (
                grid[column.replace("_code", "_label")]
                if column.replace("_code", "_label") in grid
                else grid[column]
            )
            indicator = indicator.where(breakdown == "", indicator + " – " + breakdown)
    return _frame(
        grid, area=grid[region], area_alt=grid.get(label, ""), indicator=indicator, period=grid["time"],
        value=grid["value"], flag=grid.get("value_q", ""),
    )  # fmt: skip
