"""Read a table file (CSV or XLSX; long, wide or GENESIS ffcsv) into one long table of texts.

Every reader returns a ``LongTable``: one row per value with the raw texts of area, indicator,
period, value, numerator, denominator and flag, plus the row number in the file, so that
validation can name rows in its German messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import openpyxl
import pandas as pd

from sozdash.importing.names import normalise
from sozdash.importing.numbers import excel_number_text, parse_periods
from sozdash.importing.problems import MAX_LINE_CHARS, MAX_ROWS, ImportProblem, check_size, open_zip

LONG_FIELDS = ("area", "area_alt", "indicator", "period", "value", "numerator", "denominator", "flag")
SYNONYMS: dict[str, set[str]] = {
    "area": {
        "gebiet",
        "gebietscode",
        "code",
        "area",
        "gebietsschluessel",
        "schluessel",
        "nr",
        "raum",
        "region",
    },
    "area_alt": {
        "gebietsname",
        "name",
        "stadtteil",
        "bezirk",
        "sozialraum",
        "statistischer bezirk",
        "ortsteil",
    },
    "indicator": {"indikator", "indicator", "merkmal", "kennzahl", "variable"},
    "period": {"jahr", "period", "periode", "zeitraum", "stichtag", "zeit", "year", "time"},
    "value": {"wert", "value"},
    "numerator": {"zaehler", "numerator"},
    "denominator": {"nenner", "denominator"},
    "flag": {"kennzeichen", "flag", "symbol", "zeichen", "qualitaet", "status"},
}
FOOTNOTE = re.compile(
    r"(?i)^\s*(?:quelle|anmerkung|hinweis|fu(?:ß|ss)note|stand|erl(?:ä|ae)uterung|zeichenerkl|legende|\d\)|\*\)|©)"
)
LAYOUTS = {
    "long": "Langformat (eine Zeile je Wert)",
    "wide_years": "Breitformat (eine Spalte je Jahr)",
    "wide_indicators": "Breitformat (eine Spalte je Indikator)",
    "ffcsv": "GENESIS-Flatfile (ffcsv)",
}


@dataclass
class LongTable:
    """Raw texts in long form (columns ``row`` + ``LONG_FIELDS``) and how the file was read."""

    frame: pd.DataFrame
    layout: str
    decimal: str | None
    """``","`` for Excel and ffcsv; ``None`` means detect from the values."""
    skipped_rows: int


def read_table(data: bytes, file_name: str, *, indicator: str = "", period: str = "") -> LongTable:
    """Read ``data``; ``indicator``/``period`` fill in what a wide table does not say."""
    check_size(data)
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportProblem(
            "Alte Excel-Dateien (.xls) werden nicht gelesen. Bitte als .xlsx oder CSV speichern."
        )
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        cells, decimal = _cells(_xlsx_rows(data)), ","
    else:
        cells, decimal = _csv_cells(data), None
    grid, skipped = _table(cells)
    return _to_long(grid, skipped, decimal, indicator=indicator, period=period)


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
            f"Zeile {longest + 1} ist mit {int(lengths[longest]):,} Zeichen zu lang (höchstens "
            f"{MAX_LINE_CHARS:,}). Ist das wirklich eine Tabelle?".replace(",", ".")
        )
    if len(ends) > MAX_ROWS:
        raise ImportProblem(f"Die Datei hat mehr als {MAX_ROWS:,} Zeilen. Bitte aufteilen.".replace(",", "."))


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
    try:
        return pd.read_csv(
            io.StringIO(text), sep=separator, header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, engine="c",
        )  # fmt: skip
    except (pd.errors.ParserError, ValueError):
        try:
            return _cells(list(csv.reader(io.StringIO(text), delimiter=separator)))
        except csv.Error as exc:
            raise ImportProblem(f"Die CSV-Datei ist fehlerhaft aufgebaut: {exc}.") from exc


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


def _xlsx_rows(data: bytes) -> list[list[str]]:
    open_zip(data).close()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS:
                raise ImportProblem(
                    f"Die Tabelle hat mehr als {MAX_ROWS:,} Zeilen. Bitte aufteilen.".replace(",", ".")
                )
        workbook.close()
        return rows
    except ImportProblem:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise ImportProblem(
            "Die Excel-Datei ist beschädigt oder unvollständig und kann nicht gelesen werden."
        ) from exc


# --- finding the table ----------------------------------------------------------------------


def _cells(rows: list[list[str]]) -> pd.DataFrame:
    """Rows of cell texts as a frame (columns 0, 1, …), short rows padded with ''."""
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows], columns=range(width))


def _table(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The table below its title rows, without footnotes and blank rows; columns = header."""
    if not len(cells):
        raise ImportProblem("Die Datei enthält keine Tabelle.")
    cells = cells.astype("string").fillna("").apply(lambda column: column.str.strip())
    filled = (cells != "").sum(axis=1).to_numpy()
    head = filled[:60]
    widest = head.max()
    if widest < 2:
        raise ImportProblem("Die Datei enthält keine Tabelle mit mindestens zwei Spalten.")
    start = int(np.argmax(head >= max(2, math.ceil(widest * 0.75))))
    header = cells.iloc[start].tolist()
    frame = cells.iloc[start + 1 :].reset_index(drop=True)
    frame.insert(0, "row", np.arange(start + 2, start + 2 + len(frame)))
    keep = (filled[start + 1 :] >= 2) & ~_is_footnote(frame[0])
    named = [h for h in header if h]
    duplicates = sorted({h for h in named if named.count(h) > 1})
    if duplicates:
        raise ImportProblem(f"Spaltenüberschrift doppelt: {', '.join(duplicates)}.")
    frame.columns = ["row", *(h or f"(Spalte {i})" for i, h in enumerate(header, start=1))]
    return frame[keep].reset_index(drop=True), int(len(frame) - keep.sum()) + start


def _is_footnote(first_cells: pd.Series) -> np.ndarray:
    """Rows whose first cell starts a footnote ("Quelle: …", "1) …"); each distinct text tested once."""
    codes, distinct = pd.factorize(first_cells)
    return pd.Series(distinct, dtype=object).str.contains(FOOTNOTE, regex=True).to_numpy(dtype=bool)[codes]


# --- layouts --------------------------------------------------------------------------------


def _role(header: str) -> str | None:
    key = normalise(header)
    return next((role for role, words in SYNONYMS.items() if key in words), None)


def _to_long(
    grid: pd.DataFrame, skipped: int, decimal: str | None, *, indicator: str, period: str
) -> LongTable:
    columns = [c for c in grid.columns if c != "row"]
    if any(c.endswith("_q") for c in columns) and "time" in columns:
        return LongTable(_ffcsv(grid), "ffcsv", ",", skipped)
    roles = {c: _role(c) for c in columns}
    if "value" in roles.values() or "numerator" in roles.values():
        return LongTable(_long(grid, roles, indicator, period), "long", decimal, skipped)
    return _wide(grid, columns, skipped, decimal, indicator, period)


def _frame(grid: pd.DataFrame, **fields: pd.Series | str) -> pd.DataFrame:
    out = pd.DataFrame({"row": grid["row"].to_numpy()})
    for name in LONG_FIELDS:
        value = fields.get(name, "")
        out[name] = value.array if isinstance(value, pd.Series) else value
    return out.astype({name: "string" for name in LONG_FIELDS})


def _long(grid: pd.DataFrame, roles: dict[str, str | None], indicator: str, period: str) -> pd.DataFrame:
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
    return _frame(grid, **fields)


def _wide(
    grid: pd.DataFrame, columns: list[str], skipped: int, decimal: str | None, indicator: str, period: str
) -> LongTable:
    years = parse_periods(pd.Series(columns, dtype="string"))
    first_value = _area_columns(grid, columns, years)
    if first_value in (0, len(columns)):
        raise ImportProblem(
            "Der Aufbau der Tabelle wurde nicht erkannt: Es fehlen die Spalten Gebiet und Wert (Langformat) "
            "bzw. eine Gebietsspalte mit Jahres- oder Indikatorspalten (Breitformat)."
        )
    area_columns, value_columns = columns[:first_value], columns[first_value:]
    by_year = years.iloc[first_value:].notna().mean() >= 0.5
    if by_year and not indicator:
        raise ImportProblem("Die Tabelle hat eine Spalte je Jahr. Bitte angeben, welcher Indikator das ist.")
    if not by_year and not period:
        raise ImportProblem(
            "Die Tabelle hat eine Spalte je Indikator. Bitte angeben, für welches Jahr die Werte gelten."
        )
    melted = grid.melt(
        id_vars=["row", *area_columns], value_vars=value_columns, var_name="column", value_name="cell"
    )
    melted = melted[melted["cell"] != ""]
    area = melted[area_columns[0]]
    alt = melted[area_columns[1]] if len(area_columns) > 1 else ""
    fields = {"area": area, "area_alt": alt, "value": melted["cell"]}
    if by_year:
        fields |= {"indicator": indicator, "period": melted["column"]}
    else:
        fields |= {"indicator": melted["column"], "period": period}
    frame = _frame(melted, **fields).sort_values(["row"], kind="stable").reset_index(drop=True)
    return LongTable(frame, "wide_years" if by_year else "wide_indicators", decimal, skipped)


def _area_columns(grid: pd.DataFrame, columns: list[str], years: pd.Series) -> int:
    """How many leading columns hold area codes or names (text, not numbers, not years)."""
    count = 0
    for column, year in zip(columns, years, strict=True):
        if pd.notna(year):
            break
        cells = grid[column][grid[column] != ""].head(200)
        numeric = cells.str.fullmatch(r"[\d.,%\s*x/\-–<]+|\.\.\.").mean() if len(cells) else 1.0
        code_like = normalise(column) in SYNONYMS["area"] | SYNONYMS["area_alt"]
        if numeric < 0.5 or (code_like and count < 2):
            count += 1
        else:
            break
    return count


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
