"""The layout of a published table, guessed from its cells and confirmed or overridden by the user.

A ``TableLayout`` says which rows are title, topic, column names, descriptions, data and
footnotes, which column holds the area, which columns hold values (indicator and reference
year each) and which data rows are of which level. ``find_layout`` guesses it and lists German
notes ("Unsicher: …") where it is not sure; a ``LayoutChoice`` (CLI options, the page, a saved
template) overrides each guess. Rows and columns are numbered as in the file (from 1).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator

from sozdash.importing.levels import RowLevel, guess_levels
from sozdash.importing.names import normalise
from sozdash.importing.numbers import detect_decimal, parse_numbers, year_in_text
from sozdash.importing.problems import ImportProblem

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
"""Column names (normalised) and the role of their column in a long table."""
FOOTNOTE = re.compile(
    r"(?i)^\s*(?:quelle|anmerkung|hinweis|fu(?:ß|ss)note|stand|erl(?:ä|ae)uterung|zeichenerkl|legende|\d\)|\*\)|©)"
)
TOTAL_WORDS = {"gesamt", "insgesamt", "zusammen", "summe", "total"}
PART_WORDS = TOTAL_WORDS | {
    "maennlich", "weiblich", "divers", "m", "w", "d", "deutsch", "deutsche", "nichtdeutsch",
    "nichtdeutsche", "auslaendisch", "auslaender", "anzahl", "anteil", "anteil in %", "in %", "%",
    "absolut", "je 1000 einwohner",
}  # fmt: skip
"""Sub-column names (normalised): each makes its own indicator "X – männlich"; totals stay "X"."""
NUMERIC_CELL = r"[\d.,%\s*x/\-–<]+|\.\.\."
"""Cell texts that are numbers or markers (used to tell value columns from name columns)."""
YEAR_SOURCES = {
    "option": "Angabe",
    "header": "Spaltenname",
    "topic": "Themenzeile",
    "title": "Titel",
    "neighbour": "Nachbarspalte",
    "": "kein Jahr",
}
_CONTINUED_WORD = re.compile(r"(?<=[a-zäöüß])-(?:\n\s*)?(?=[a-zäöüß])")
"""A word split for line wrapping in a column name ("Migrations-hintergrund")."""


class LayoutChoice(BaseModel):
    """What the user confirmed or overrode; an empty field means: take the reader's guess.

    Columns are given as number (``3``), letter (``C``) or column name.
    """

    header_row: int | None = Field(default=None, ge=0)
    """Row of the column names; 0 = the file has none."""
    area_column: str = ""
    skip_rows: list[int] = []
    skip_columns: list[str] = []
    years: dict[str, int] = {}
    """Column → reference year of its values."""
    names: dict[str, str] = {}
    """Column → indicator name (instead of the column name)."""
    row_levels: list[RowLevel] = []

    @field_validator("years")
    @classmethod
    def _years(cls, value: dict[str, int]) -> dict[str, int]:
        wrong = [f"{column}={year}" for column, year in value.items() if not 1900 <= year <= 2200]
        if wrong:
            raise ValueError(f"Jahr außerhalb 1900–2200: {', '.join(wrong)}")
        return value


class ValueColumn(BaseModel):
    """One value column: its name in the file, the indicator it holds and the year of its values."""

    column: int
    header: str
    indicator: str
    year: int | None
    year_from: str
    """Where the year comes from (a key of ``YEAR_SOURCES``)."""
    description: str = ""


class TableLayout(BaseModel):
    """How a table with values in columns is read (see the module docstring)."""

    kind: str
    """``wide_years`` (the column names are years) or ``wide_indicators``."""
    header_row: int
    """The row found (or chosen) as the row of column names; 0 = the file has none."""
    headers: list[str]
    """The name of every column (group and sub-column joined)."""
    header_rows: list[int]
    """Rows whose texts make the column names (a group row above sub-columns, then the names); empty = none."""
    topic_row: int | None
    """Row above the column names with topics spanning several columns (gives their date)."""
    description_rows: list[int]
    title: str
    area_column: int
    name_column: int | None
    ignored_columns: list[int]
    values: list[ValueColumn]
    first_data_row: int
    last_data_row: int
    skipped_rows: list[int]
    """Rows with content below the column names that are not read (footnotes, repeated names, chosen)."""
    levels: list[RowLevel]
    level_rule: str
    shape: list[str]
    choice: LayoutChoice
    summed_columns: list[int] = []
    """Value columns whose coarser rows the sum check proves to be the sums of their finer rows."""


@dataclass
class Header:
    """Where the column names are: ``row`` (0-based; None = the file has none) and ``first``, the
    first row below them."""

    row: int | None
    first: int
    notes: list[str]


def column_letter(number: int) -> str:
    """Spreadsheet letter of a 1-based column number (1 → A, 27 → AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_label(number: int, header: str) -> str:
    """A column as the user sees it: ``C „Einwohner“``."""
    return f"{column_letter(number)} „{header}“" if header else column_letter(number)


def resolve_column(reference: str, headers: list[str]) -> int:
    """The 1-based column a user means by number, letter or column name."""
    text = reference.strip()
    if text.isdigit() and 1 <= int(text) <= len(headers):
        return int(text)
    if re.fullmatch(r"[A-Za-z]{1,3}", text):
        number = 0
        for char in text.upper():
            number = number * 26 + ord(char) - 64
        if number <= len(headers) and normalise(text) not in {normalise(h) for h in headers}:
            return number
    key = normalise(text)
    hits = [i for i, header in enumerate(headers, start=1) if header and normalise(header) == key]
    if len(hits) == 1:
        return hits[0]
    raise ImportProblem(
        f"Spalte „{reference}“ gibt es nicht{' eindeutig' if hits else ''}: erwartet eine Spaltennummer "
        f"(1–{len(headers)}), ein Spaltenbuchstabe (A–{column_letter(len(headers))}) oder ein Spaltenname."
    )


def numbered(choice: LayoutChoice, headers: list[str]) -> LayoutChoice:
    """``choice`` with every column it names given by its number (``headers``: the file's column names)."""

    def number(reference: str) -> str:
        return str(resolve_column(reference, headers))

    return choice.model_copy(
        update={
            "area_column": number(choice.area_column) if choice.area_column else "",
            "skip_columns": [number(c) for c in choice.skip_columns],
            "years": {number(c): y for c, y in choice.years.items()},
            "names": {number(c): n for c, n in choice.names.items()},
        }
    )


def find_header(cells: pd.DataFrame, filled: np.ndarray, header_row: int | None) -> Header:
    """The row of the column names: the user's, else the first row filled almost as wide as the
    table; a row that already holds values means the file has no header row (said in a note)."""
    head = filled[:60]
    widest = int(head.max()) if len(head) else 0
    if widest < 2:
        raise ImportProblem("Die Datei enthält keine Tabelle mit mindestens zwei Spalten.")
    guess = int(np.argmax(head >= max(2, math.ceil(widest * 0.75))))
    if header_row == 0:
        return Header(None, guess, [])
    if header_row is not None:
        if header_row > len(cells) or not filled[header_row - 1]:
            raise ImportProblem(
                f"Zeile {header_row} soll die Spaltennamen enthalten, ist aber leer oder fehlt "
                f"(die Datei hat {len(cells)} Zeilen)."
            )
        return Header(header_row - 1, header_row, [])
    values = _value_like(cells.iloc[guess])
    if values:
        shown = ", ".join(f"„{v}“" for v in values[:3])
        return Header(None, guess, [
            f"Unsicher: Die Datei hat keine Kopfzeile – Zeile {guess + 1} enthält schon Werte ({shown}) und "
            "wird als Datenzeile gelesen; die Spalten heißen deshalb „Spalte 1“, „Spalte 2“ … Hat die Datei "
            "doch Spaltennamen, bitte ihre Zeile angeben."
        ])  # fmt: skip
    return Header(guess, guess + 1, [])


def no_data_rows(header: Header) -> ImportProblem:
    """The refusal of a file that has column names (or not even those) but no row of data."""
    where = f"unter den Spaltennamen (Zeile {header.row + 1})" if header.row is not None else "in der Datei"
    return ImportProblem(
        f"Die Datei enthält keine Datenzeilen: {where} steht keine Zeile mit Werten, nur Überschriften, "
        "leere Zeilen oder Fußnoten. Es gibt nichts zu importieren."
    )


def _value_like(row: pd.Series) -> list[str]:
    """Cells of a would-be header row that are numbers or markers (plain years are names of year columns)."""
    texts = pd.Series([t for t in row if t], dtype="string")
    if texts.empty:
        return []
    number = parse_numbers(texts, ",").value.notna() | parse_numbers(texts, ".").value.notna()
    marker = texts.isin(["*", "x", "X", "..."])
    year = texts.str.fullmatch(r"(?:19|20)\d{2}").fillna(False)
    values = texts[(number | marker) & ~year]
    return values.tolist() if len(values) >= max(1, math.ceil(0.25 * len(texts))) else []


def header_names(cells: pd.DataFrame, header: Header) -> list[str]:
    """The column names of the header row (``Spalte n`` when the file has none)."""
    if header.row is None:
        return [f"Spalte {i}" for i in range(1, cells.shape[1] + 1)]
    return [h or f"(Spalte {i})" for i, h in enumerate(cells.iloc[header.row].tolist(), start=1)]


def data_rows(cells: pd.DataFrame, filled: np.ndarray, header: Header, skip: list[int]) -> np.ndarray:
    """Whether each row from ``header.first`` on is a data row: at least two cells, no footnote, not
    a repetition of the column names, not chosen to be skipped."""
    below = cells.iloc[header.first :]
    keep = (filled[header.first :] >= 2) & ~_is_footnote(below[0])
    if header.row is not None:
        names = cells.iloc[header.row].to_numpy()
        same_start = np.flatnonzero(below[0].to_numpy() == names[0])
        repeated = (below.iloc[same_start].to_numpy() == names).all(axis=1)
        keep[same_start[repeated]] = False
    if skip:
        keep &= ~np.isin(np.arange(header.first + 1, len(cells) + 1), skip)
    return np.asarray(keep, dtype=bool)


def _is_footnote(first_cells: pd.Series) -> np.ndarray:
    """Rows whose first cell starts a footnote ("Quelle: …", "1) …"); each distinct text tested once."""
    codes, distinct = pd.factorize(first_cells)
    return pd.Series(distinct, dtype=object).str.contains(FOOTNOTE, regex=True).to_numpy(dtype=bool)[codes]


# --- the layout of a table with values in columns --------------------------------------------


@dataclass
class HeaderBlock:
    """Column names built from the header block: per column the full name, the name without
    its year, its year and how the year was written, and the topic above it."""

    header_rows: list[int]
    topic_row: int | None
    description_rows: list[int]
    first: int
    """0-based index of the first row below the header block."""
    full: list[str]
    found: list[tuple[int | None, str, str]]
    topic: list[tuple[int | None, str]]
    description: list[str]

    def shape(self) -> list[str]:
        """What makes two files "the same shape": their column names (with the topic above),
        normalised, years replaced by ``#``; trailing unnamed columns left out."""
        keys = []
        for full, (_, topic) in zip(self.full, self.topic, strict=True):
            text = f"{topic} | {full}" if topic else full
            keys.append(re.sub(r"(?<!\d)(?:19|20)\d{2}(?!\d)", "#", normalise(text)))
        while keys and re.fullmatch(r"\(spalte \d+\)", keys[-1]):
            keys.pop()
        return keys

    def own_years(self) -> dict[int, int]:
        """Column (1-based) → the year written in its own name."""
        return {i: year for i, (year, _, _) in enumerate(self.found, start=1) if year is not None}


def find_layout(
    cells: pd.DataFrame, filled: np.ndarray, header: Header, choice: LayoutChoice, *,
    decimal: str | None, indicator: str, period: str,
) -> tuple[TableLayout, list[str], np.ndarray]:  # fmt: skip
    """Guess the layout of a table with values in columns, following ``choice`` where it says
    something; returns the layout, German notes on what is uncertain and the data rows (0-based).

    ``decimal`` None: detected from the value cells.
    """
    notes = list(header.notes)
    names = header_block(cells, filled, header)
    keep = data_rows(cells, filled, Header(header.row, names.first, []), choice.skip_rows)
    rows = np.flatnonzero(keep) + names.first
    if not len(rows):
        raise no_data_rows(header)
    data = cells.iloc[rows]
    headers = names.full
    skipped_columns = {resolve_column(c, headers) for c in choice.skip_columns}
    area, alt, ignored, value_numbers = _columns(data, headers, names, choice, skipped_columns, notes)
    title = _title(cells, filled, header, names)
    values = _value_columns(value_numbers, names, choice, headers, title, indicator, period, notes)
    if all(v.year is None for v in values):
        raise ImportProblem(
            " ".join(["Die Tabelle hat eine Spalte je Indikator. Bitte angeben, für welches Jahr die Werte "
                      "gelten.", *header.notes])
        )  # fmt: skip
    blank = np.cumsum(filled == 0)
    evidence = sorted({v.column for v in values} | (skipped_columns - {area, alt}))
    value_cells = data[[c - 1 for c in evidence]].set_axis(
        [column_label(c, headers[c - 1]) for c in evidence], axis=1
    )
    proven: set[str] = set()
    if choice.row_levels:
        levels, rule = choice.row_levels, "Angabe"
    else:
        levels, rule, level_notes, summed_labels = guess_levels(
            rows=rows + 1, area=data[area - 1], values=value_cells, blocks=blank[rows],
            decimal=decimal or detect_decimal(pd.Series(value_cells.to_numpy().ravel(), dtype="string")),
        )  # fmt: skip
        notes += level_notes
        proven = set(summed_labels)
    notes += _shared_names(data[area - 1], rows + 1, levels)
    content = np.flatnonzero(filled[names.first :] > 0) + names.first + 1
    pure_years = all(not names.found[v.column - 1][1] for v in values)
    layout = TableLayout(
        kind="wide_years" if pure_years else "wide_indicators",
        header_row=0 if header.row is None else header.row + 1, headers=headers,
        header_rows=names.header_rows, topic_row=names.topic_row, description_rows=names.description_rows,
        title=title, area_column=area, name_column=alt, ignored_columns=sorted(ignored), values=values,
        first_data_row=int(rows[0]) + 1, last_data_row=int(rows[-1]) + 1,
        skipped_rows=sorted(set(content.tolist()) - set((rows + 1).tolist())),
        levels=levels, level_rule=rule, shape=names.shape(), choice=choice,
        summed_columns=[v.column for v in values if column_label(v.column, headers[v.column - 1]) in proven],
    )  # fmt: skip
    return layout, notes, rows


def header_block(cells: pd.DataFrame, filled: np.ndarray, header: Header) -> HeaderBlock:
    """The header block: a topic or group row above the names, sub-columns or descriptions below."""
    width = cells.shape[1]
    if header.row is None:
        full = [f"Spalte {i}" for i in range(1, width + 1)]
        found: list[tuple[int | None, str, str]] = [(None, n, "") for n in full]
        return HeaderBlock([], None, [], header.first, full, found, [(None, "")] * width, [""] * width)
    row = header.row
    lower = cells.iloc[row].tolist()
    upper: list[str] = [""] * width
    header_rows, topic_row = [row + 1], None
    below = row + 1
    if below < len(cells) and _text_row(cells.iloc[below]) and _are_parts(cells.iloc[below].tolist()[1:]):
        upper, lower = lower, cells.iloc[below].tolist()
        header_rows = [row + 1, row + 2]
        below += 1
    elif row > 0 and _spans(cells.iloc[row - 1]):
        if _are_parts(lower[1:]):
            upper, header_rows = cells.iloc[row - 1].tolist(), [row, row + 1]
        else:
            topic_row = row
    descriptions: list[int] = []
    while below < len(cells) and len(descriptions) < 3 and _text_row(cells.iloc[below]):
        descriptions.append(below + 1)
        below += 1
    topic_cells = _spread(cells.iloc[topic_row - 1].tolist()) if topic_row else [""] * width
    upper = _spread(upper)
    full, found = [], []
    for i in range(width):
        group, name = year_in_text(upper[i]), year_in_text(lower[i])
        rest = name.rest
        if group.rest and (not rest or normalise(rest) in TOTAL_WORDS):
            rest = group.rest
        elif group.rest and rest:
            rest = f"{group.rest} – {rest}"
        if not rest and topic_row and not lower[i]:
            rest = topic_cells[i]
        own = name if name.year is not None else group
        full.append(" – ".join(t for t in (upper[i], lower[i]) if t) or topic_cells[i] or f"(Spalte {i + 1})")
        found.append((own.year, rest, own.kind))
    topic = [(t.year, t.rest) for t in map(year_in_text, topic_cells)]
    description = [
        " ".join(str(cells.iloc[r - 1, i]) for r in descriptions if cells.iloc[r - 1, i])
        for i in range(width)
    ]
    return HeaderBlock(header_rows, topic_row, descriptions, below, full, found, topic, description)


def _text_row(row: pd.Series) -> bool:
    """A row of texts without numbers or markers across at least half of its value columns."""
    texts = pd.Series(row.tolist()[1:], dtype="string")
    texts = texts[texts != ""]
    if len(texts) < max(1, math.ceil(0.5 * (len(row) - 1))):
        return False
    numbers = parse_numbers(texts, ",")
    return not bool((numbers.value.notna() | numbers.symbol.notna()).any())


def _are_parts(texts: list[str]) -> bool:
    """Whether names are sub-columns (gesamt/männlich/weiblich, Anzahl/Anteil): they repeat or are known parts."""
    keys = [normalise(year_in_text(t).rest) for t in texts if t]
    if not keys:
        return False
    repeated = len(set(keys)) < len(keys)
    return repeated or sum(k in PART_WORDS for k in keys) >= 0.5 * len(keys)


def _spans(row: pd.Series) -> bool:
    """A topic or group row: cells over value columns (a title has only its first cell)."""
    filled = np.flatnonzero(row.to_numpy() != "")
    return (
        len(filled) > 0 and (len(filled) >= 2 or filled[0] != 0) and not FOOTNOTE.match(row.iloc[filled[0]])
    )


def _spread(cells: list[str]) -> list[str]:
    """Merged cells: a text spans the empty cells to its right, up to the next text."""
    out, current = [], ""
    for text in cells:
        current = text or current
        out.append(current)
    return out


def _columns(
    data: pd.DataFrame, headers: list[str], names: HeaderBlock, choice: LayoutChoice, skipped: set[int],
    notes: list[str],
) -> tuple[int, int | None, set[int], list[int]]:  # fmt: skip
    """Area column, second area column (name beside a code), ignored and value columns (1-based)."""
    sample = data.head(200).to_numpy(dtype=object)
    matches = pd.Series(sample.ravel(), dtype="string").str.fullmatch(NUMERIC_CELL).to_numpy(dtype=bool)
    filled_sample = sample != ""
    counted = filled_sample.sum(axis=0)
    share = (matches.reshape(sample.shape) & filled_sample).sum(axis=0) / np.maximum(counted, 1)
    numeric = np.where(counted > 0, share, 1.0).tolist()
    empty = {int(i) + 1 for i in np.flatnonzero(~(data.to_numpy(dtype=object) != "").any(axis=0))}
    pure_year = [names.found[i][0] is not None and not names.found[i][1] for i in range(len(headers))]
    if choice.area_column:
        area = resolve_column(choice.area_column, headers)
        alt = area + 1 if area < len(headers) and numeric[area] < 0.5 and not pure_year[area] else None
        ignored = {c for c in range(1, area) if c != alt}
    else:
        area, alt, ignored = _guess_area(data, headers, numeric, pure_year, notes)
    last_area = alt or area
    ignored |= empty | skipped
    values = []
    for column in range(last_area + 1, len(headers) + 1):
        if column in ignored:
            continue
        if numeric[column - 1] < 0.5:
            notes.append(
                f"Unsicher: Spalte {column_label(column, headers[column - 1])} enthält überwiegend Text statt "
                "Zahlen und wird nicht gelesen."
            )
            ignored.add(column)
            continue
        values.append(column)
    if not values:
        raise ImportProblem(
            "Der Aufbau der Tabelle wurde nicht erkannt: Es fehlen die Spalten Gebiet und Wert (Langformat) "
            "bzw. eine Gebietsspalte mit Jahres- oder Indikatorspalten (Breitformat)."
        )
    return area, alt, ignored, values


def _guess_area(
    data: pd.DataFrame, headers: list[str], numeric: list[float], pure_year: list[bool], notes: list[str]
) -> tuple[int, int | None, set[int]]:
    """Leading columns of names or codes (not numbers, not years); a leading column of running
    numbers 1, 2, 3 … before a name column is a row number, not an area code."""
    leading: list[int] = []
    for i, header in enumerate(headers):
        if pure_year[i]:
            break
        code_like = normalise(header) in SYNONYMS["area"] | SYNONYMS["area_alt"]
        if (
            numeric[i] < 0.5
            or (code_like and len(leading) < 2)
            or (not leading and _running_numbers(data.iloc[:, i]))
        ):
            leading.append(i + 1)
        else:
            break
    ignored: set[int] = set()
    if len(leading) >= 2 and _running_numbers(data.iloc[:, leading[0] - 1]):
        column = leading.pop(0)
        ignored.add(column)
        if normalise(headers[column - 1]) in SYNONYMS["area"]:
            notes.append(
                f"Unsicher: Spalte {column_label(column, headers[column - 1])} zählt die Zeilen fortlaufend "
                "(1, 2, 3 …) und wird als Zeilennummer übergangen; ist sie der Gebietsschlüssel, bitte als "
                "Gebietsspalte angeben."
            )
    if not leading:
        notes.append(
            f"Unsicher: Keine Spalte mit Gebietsnamen erkannt; Spalte {column_label(1, headers[0])} wird als "
            "Gebietsspalte gelesen."
        )
        leading = [1]
    if (
        len(leading) >= 2
        and _repeats(data.iloc[:, leading[0] - 1])
        and not _repeats(data.iloc[:, leading[1] - 1])
    ):
        column = leading.pop(0)
        ignored.add(column)
        notes.append(
            f"Unsicher: Spalte {column_label(column, headers[column - 1])} wiederholt Namen und gilt als "
            f"übergeordnete Angabe; Gebietsspalte ist {column_label(leading[0], headers[leading[0] - 1])}."
        )
    alt = leading[1] if len(leading) > 1 else None
    ignored |= set(leading[2:])
    return leading[0], alt, ignored


def _repeats(column: pd.Series) -> bool:
    """Whether a column names the same area in several rows."""
    names = column[column != ""]
    return bool(names.duplicated().any())


def _running_numbers(column: pd.Series) -> bool:
    """1, 2, 3 … (or any start, step 1) in every row: a row-number column."""
    texts = column[column != ""]
    if len(texts) < 3 or len(texts) != len(column) or not texts.str.fullmatch(r"[1-9]\d*").all():
        return False
    numbers = texts.astype(int).to_numpy()
    return bool((np.diff(numbers) == 1).all())


def _title(cells: pd.DataFrame, filled: np.ndarray, header: Header, names: HeaderBlock) -> str:
    """Texts above the header block (title rows), joined."""
    top = header.first if header.row is None else min([*names.header_rows, names.topic_row or 10**9]) - 1
    texts = [" ".join(t for t in cells.iloc[r] if t) for r in range(top) if filled[r]]
    return " · ".join(texts)


def _value_columns(
    columns: list[int], names: HeaderBlock, choice: LayoutChoice, headers: list[str], title: str,
    indicator: str, period: str, notes: list[str],
) -> list[ValueColumn]:  # fmt: skip
    """Indicator and year of each value column: chosen, else from the column name, the topic row,
    the given period, the title, and last the neighbouring column (with a note)."""
    chosen_year = {resolve_column(c, headers): y for c, y in choice.years.items()}
    chosen_name = {resolve_column(c, headers): n for c, n in choice.names.items()}
    title_found = year_in_text(title)
    title_name = year_in_text(title.split(" · ")[0]).rest if title else ""
    period_year = year_in_text(period).year
    flat = _flat_parts([names.found[c - 1][1] for c in columns])
    kinds: dict[str, list[str]] = {"school": [], "range": [], "several": []}
    values = []
    for column, base in zip(columns, flat, strict=True):
        own_year, _, kind = names.found[column - 1]
        topic_year = names.topic[column - 1][0]
        label = column_label(column, headers[column - 1])
        if column in chosen_year:
            year, source = chosen_year[column], "option"
        elif own_year is not None:
            year, source = own_year, "header"
            if kind:
                kinds[kind].append(label)
        elif topic_year is not None:
            year, source = topic_year, "topic"
        elif period_year is not None:
            year, source = period_year, "option"
        elif title_found.year is not None:
            year, source = title_found.year, "title"
        else:
            year, source = None, ""
        name = chosen_name.get(column) or _display_name(base) or indicator or title_name
        if not name:
            raise ImportProblem(
                "Die Tabelle hat eine Spalte je Jahr. Bitte angeben, welcher Indikator das ist."
            )
        if not base and column not in chosen_name and not indicator:
            notes.append(f"Unsicher: Indikator der Jahresspalten aus dem Titel übernommen: „{title_name}“.")
        values.append(ValueColumn(column=column, header=headers[column - 1], indicator=name, year=year,
                                  year_from=source, description=names.description[column - 1]))  # fmt: skip
    _guess_missing_years(values, names, notes)
    said = {
        "school": "Schuljahr (z. B. 2013/2014) als sein erstes Jahr gelesen",
        "range": "Zeitraum (z. B. 2011 bis 2021) als sein letztes Jahr gelesen",
        "several": "mehrere Jahre im Namen, das erste genommen",
    }
    for kind, labels in kinds.items():
        if labels:
            notes.append(f"Unsicher: {said[kind]}: Spalte {_listed(labels)}.")
    if title_found.kind and any(v.year_from == "title" for v in values):
        notes.append(
            f"Unsicher: Der Titel nennt mehrere Jahre; für Spalten ohne eigenes Jahr gilt {title_found.year}."
        )
    notes[:] = list(dict.fromkeys(notes))
    return values


def _guess_missing_years(values: list[ValueColumn], names: HeaderBlock, notes: list[str]) -> None:
    """A column without any year takes the year of the nearest column with one under the same
    topic (to the left first); with a note, as it is a guess."""
    guessed = []
    for i, value in enumerate(values):
        if value.year is not None:
            continue
        topic = names.topic[value.column - 1][1]
        order = [*range(i - 1, -1, -1), *range(i + 1, len(values))]
        near = next(
            (values[j] for j in order if values[j].year_from not in ("", "neighbour")
             and names.topic[values[j].column - 1][1] == topic),
            None,
        )  # fmt: skip
        if near is not None:
            value.year, value.year_from = near.year, "neighbour"
            guessed.append(f"{column_label(value.column, value.header)} → {near.year}")
    if guessed:
        notes.append(
            "Unsicher: Kein Jahr im Spaltennamen, Jahr der Nachbarspalte angenommen: "
            + _listed(guessed)
            + "."
        )
    missing = [column_label(v.column, v.header) for v in values if v.year is None]
    if missing:
        notes.append(f"Unsicher: Für Spalte {_listed(missing)} ist kein Jahr erkannt; bitte angeben.")


def _flat_parts(bases: list[str]) -> list[str]:
    """Names ending in a sub-column word ("Einwohner männlich") as "Einwohner – männlich" when the
    same stem has another part; a total part ("Einwohner gesamt") names the stem alone."""
    split = []
    for base in bases:
        words = base.rsplit(" ", 1)
        part = normalise(words[-1]) if len(words) == 2 else ""
        split.append((words[0], words[1]) if part in PART_WORDS and " – " not in base else (base, ""))
    stems = Counter(stem for stem, part in split if part)
    out = []
    for base, (stem, part) in zip(bases, split, strict=True):
        if part and stems[stem] >= 2:
            out.append(stem if normalise(part) in TOTAL_WORDS else f"{stem} – {part}")
        else:
            out.append(base)
    return out


def _display_name(text: str) -> str:
    """An indicator name from a column name: words split for line wrapping joined again."""
    return re.sub(r"\s+", " ", _CONTINUED_WORD.sub("", text)).strip()


def _listed(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" und {len(items) - limit} weitere" if len(items) > limit else "")


def _shared_names(area: pd.Series, rows: np.ndarray, levels: list[RowLevel]) -> list[str]:
    """A note for names that occur in several rows of the same level (they cannot be told apart)."""
    tier = level_per_row(rows, levels)
    frame = pd.DataFrame(
        {"key": area.map(normalise).to_numpy(), "name": area.to_numpy(), "tier": tier, "row": rows}
    )
    frame = frame[frame["key"] != ""]
    repeated = frame[frame.duplicated(["key", "tier"], keep=False)]
    if repeated.empty:
        return []
    shown = [
        f"„{g['name'].iloc[0]}“ (Zeilen {', '.join(map(str, g['row']))})"
        for _, g in repeated.groupby("key", sort=False)
    ]
    return [
        "Unsicher: Gebietsnamen kommen mehrfach auf derselben Ebene vor: " + _listed(shown)
        + ". Bitte angeben, welche Zeilen welche Ebene sind."
    ]  # fmt: skip


def level_per_row(rows: np.ndarray, levels: list[RowLevel]) -> np.ndarray:
    """The level hint of each file row ('' where none is given)."""
    out = np.full(len(rows), "", dtype=object)
    for level in levels:
        out[(rows >= level.first_row) & (rows <= level.last_row)] = level.level
    return out


def describe(layout: TableLayout) -> list[str]:
    """The layout in German lines, for the preview (page and CLI)."""
    lines = []
    if layout.header_rows:
        extra = [f"Themenzeile {layout.topic_row}"] if layout.topic_row else []
        extra += [f"Beschreibung Zeile {r}" for r in layout.description_rows]
        rows = "–".join(str(r) for r in sorted({layout.header_rows[0], layout.header_rows[-1]}))
        lines.append(f"Spaltennamen: Zeile {rows}" + (f" ({', '.join(extra)})" if extra else ""))
    else:
        lines.append("Spaltennamen: keine (die Datei hat keine Kopfzeile)")
    area = column_letter(layout.area_column)
    lines.append(
        f"Gebietsspalte: {area}" + (f", Namen in {column_letter(layout.name_column)}" if layout.name_column else "")
        + (f"; übergangen: {', '.join(column_letter(c) for c in layout.ignored_columns)}" if layout.ignored_columns else "")
    )  # fmt: skip
    years = sorted({v.year for v in layout.values if v.year is not None})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "kein Jahr")
    lines.append(f"Wertespalten: {len(layout.values)} ({span})")
    lines.append(
        f"Datenzeilen: {layout.first_data_row}–{layout.last_data_row}"
        + (f"; nicht gelesen: {row_list(layout.skipped_rows)}" if layout.skipped_rows else "")
    )
    if layout.levels:
        named = [
            (f"Zeilen {r.first_row}–{r.last_row}" if r.first_row != r.last_row else f"Zeile {r.first_row}")
            + f": {_level_name(r.level)}"
            for r in layout.levels
        ]
        lines.append(f"Ebenen ({layout.level_rule}): " + "; ".join(named))
    return lines


def value_table(layout: TableLayout) -> pd.DataFrame:
    """The value columns with indicator and year (German columns), for the preview."""
    return pd.DataFrame(
        {
            "Spalte": [column_letter(v.column) for v in layout.values],
            "Name in der Datei": [v.header for v in layout.values],
            "Indikator": [v.indicator for v in layout.values],
            "Jahr": [v.year if v.year is not None else "" for v in layout.values],
            "Jahr aus": [YEAR_SOURCES[v.year_from] for v in layout.values],
        }
    )


def _level_name(level: str) -> str:
    """A tier as "Ebene 1 (feinste)", a level key as it is."""
    return (f"Ebene {level}" + (" (feinste)" if level == "1" else "")) if level.isdigit() else level


def row_list(rows: list[int]) -> str:
    """Row numbers with runs shortened: 1–3, 7, 112–113."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
