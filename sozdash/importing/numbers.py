"""Numbers and markers as German statistics offices write them, parsed column-wise (vectorised).

``"1.234,5"``, ``"53,40%"``, ``"1 234"`` are numbers; ``"*"``, ``"."``, ``"-"``, ``"–"``,
``"x"``, ``"/"``, ``"..."`` and ``"<4"`` are markers that replace a value.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozdash.importing.problems import ImportProblem

MARKER_STATUS: dict[str, str] = {
    "*": "suppressed",
    ".": "suppressed",
    "-": "missing",
    "x": "missing",
    "/": "missing",
    "...": "missing",
}
"""Official markers and the observation status they stand for (symbols as in ``vocab.OFFICIAL_SYMBOLS``)."""

MARKER_ALIASES = {"–": "-", "—": "-", "…": "...", "X": "x", "×": "x"}
LESS_THAN = re.compile(r"<\s*\d+(?:[.,]\d+)?")
"""``<4``: a count below a disclosure threshold, stored as the suppression marker ``*``."""

_GERMAN = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_POINT = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_NO_SYMBOL = np.array(None, dtype=object)
"""None as a 0-d object array, the form ``np.where`` accepts (and keeps as None)."""


@dataclass
class ParsedNumbers:
    """Column-wise result: ``value`` (NaN where none), ``symbol`` (marker or None),
    ``empty`` (blank cell), ``invalid`` (text that is neither number nor marker), ``percent``."""

    value: pd.Series
    symbol: pd.Series
    empty: pd.Series
    invalid: pd.Series
    percent: pd.Series


def clean(texts: pd.Series) -> pd.Series:
    """Cells as stripped strings ('' for missing)."""
    return texts.astype("string").fillna("").str.strip()


def detect_decimal(texts: pd.Series) -> str:
    """``","`` (German) or ``"."`` for a column of number texts.

    Cells with both marks decide by the last one ("1,234.5" English, "1.234,5" German); else a
    mark followed by other than three digits is a decimal mark ("12,5" German, "5.40%" English),
    the more frequent one wins; without such evidence German ("1.234", "12,345").
    """
    sample = clean(texts)
    sample = sample[sample.str.contains(r"\d", regex=True)].head(20000)
    both = sample[sample.str.contains(",", regex=False) & sample.str.contains(".", regex=False)]
    if not both.empty:
        return "," if (both.str.rfind(",") > both.str.rfind(".")).mean() >= 0.5 else "."
    german = int(sample.str.contains(r",(?:\d{1,2}|\d{4,})\s*%?$", regex=True).sum())
    english = int(sample.str.contains(r"\.(?:\d{1,2}|\d{4,})\s*%?$", regex=True).sum())
    return "." if english > german else ","


def parse_numbers(texts: pd.Series, decimal: str = ",") -> ParsedNumbers:
    """Parse a column of cells; ``decimal`` is ``","`` or ``"."`` (see ``detect_decimal``).

    Each distinct text is parsed once (columns repeat their texts a lot) and spread to all rows.
    """
    codes, distinct = pd.factorize(clean(texts))
    parsed = _parse_distinct(pd.Series(distinct, dtype="string"), decimal)
    rows = parsed.take(codes).set_axis(texts.index)
    return ParsedNumbers(**{column: rows[column] for column in parsed.columns})


def _parse_distinct(cells: pd.Series, decimal: str) -> pd.DataFrame:
    """The ``ParsedNumbers`` fields as columns, one row per stripped cell text."""
    cells = cells.replace(MARKER_ALIASES)
    empty = cells.eq("").to_numpy(dtype=bool)
    is_marker = cells.isin(list(MARKER_STATUS)).to_numpy(dtype=bool)
    less = cells.str.fullmatch(LESS_THAN.pattern).to_numpy(dtype=bool, na_value=False)
    percent = cells.str.endswith("%").to_numpy(dtype=bool)
    body = cells.str.removesuffix("%").str.replace(_SPACES, "", regex=True)
    if decimal == ",":
        well_formed = body.str.fullmatch(_GERMAN).to_numpy(dtype=bool, na_value=False)
        canonical = body.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        well_formed = body.str.fullmatch(_POINT).to_numpy(dtype=bool, na_value=False)
        canonical = body.str.replace(",", "", regex=False)
    return pd.DataFrame(
        {
            "value": pd.to_numeric(canonical.where(well_formed), errors="coerce").to_numpy(dtype=float),
            "symbol": pd.Series(
                np.where(is_marker, cells.to_numpy(dtype=object), np.where(less, "*", _NO_SYMBOL)),
                dtype=object,
            ),
            "empty": empty,
            "invalid": ~(empty | is_marker | less | well_formed),
            "percent": percent & well_formed,
        }
    )


def excel_number_text(value: float | int) -> str:
    """An Excel number cell as German text ("1234,5"), so that one parser reads all cells."""
    text = np.format_float_positional(float(value), trim="-")
    return text.replace(".", ",")


PERIOD = re.compile(
    r"(?i)^(?:jahr|ende|stand|stichtag|am|zum)?\s*(?:(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?)?(?P<year>\d{4})"
    r"(?:-(?P<iso_month>\d{2})-(?P<iso_day>\d{2})(?:[ T][\d:]+)?)?\s*\*?$"
)
"""Years as written in tables: "2022", "31.12.2022", "2022-12-31", "Jahr 2022", "Stand 2022"."""
STORABLE_YEARS = (1900, 2200)
"""The years the database can hold (its check constraint on ``observations.period``)."""
YEARS_SETTING = "SOZDASH_YEARS"
"""Environment variable with the plausible years of imported values, "first-last" (e.g. "1950-2030")."""
FIRST_YEAR = 1950


@dataclass
class ParsedPeriods:
    """Column-wise result: ``year`` (nullable Int64, NA where not understood, outside
    ``STORABLE_YEARS`` or an impossible date) and ``bad_date`` (a date such as "2022-13-45")."""

    year: pd.Series
    bad_date: pd.Series


def read_periods(texts: pd.Series) -> ParsedPeriods:
    """Reference years of a column of cells; each distinct text is parsed once."""
    codes, distinct = pd.factorize(clean(texts))
    parts = pd.Series(distinct, dtype="string").str.extract(PERIOD)
    years = pd.to_numeric(parts["year"], errors="coerce")
    day = pd.to_numeric(parts["day"].fillna(parts["iso_day"]), errors="coerce")
    month = pd.to_numeric(parts["month"].fillna(parts["iso_month"]), errors="coerce")
    bad = [
        not _is_date(int(y), int(m), int(d))
        for y, m, d in zip(years.fillna(2000), month.fillna(1), day.fillna(1), strict=True)
    ]
    bad_date = pd.Series(bad, dtype=bool).to_numpy() & years.notna().to_numpy()
    low, high = STORABLE_YEARS
    years = years.where((years >= low) & (years <= high) & ~bad_date)
    return ParsedPeriods(
        year=pd.Series(years.to_numpy(dtype=float)[codes], index=texts.index).astype("Int64"),
        bad_date=pd.Series(bad_date[codes], index=texts.index, dtype=bool),
    )


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def parse_periods(texts: pd.Series) -> pd.Series:
    """Reference years (nullable Int64); NA where not understood, outside 1900–2200 or an impossible date."""
    return read_periods(texts).year


def year_range() -> tuple[int, int]:
    """The plausible years of imported values: ``SOZDASH_YEARS`` ("1950-2030"), by default 1950 to next year."""
    setting = os.environ.get(YEARS_SETTING, "").strip()
    if not setting:
        return FIRST_YEAR, dt.date.today().year + 1
    found = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", setting)
    low, high = STORABLE_YEARS
    if found is None or not low <= int(found[1]) <= int(found[2]) <= high:
        raise ImportProblem(
            f"Die Einstellung {YEARS_SETTING} muss das erste und letzte zulässige Jahr nennen, z. B. "
            f"„{FIRST_YEAR}-2030“ (Jahre von {low} bis {high}), ist aber „{setting}“."
        )
    return int(found[1]), int(found[2])


_MONTH = (
    r"(?:jan(?:uar)?|feb(?:ruar)?|m(?:ä|ae)r(?:z)?|apr(?:il)?|mai|jun(?:i)?|jul(?:i)?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dez(?:ember)?)\.?"
)
YEAR_IN_TEXT = re.compile(
    r"(?i)(?P<lead>\b(?:bis|ab|seit|vor|nach|von)\s+)?"
    r"(?:\b(?:stand|stichtag|jahr|ende|am|zum|per)\b\s*:?\s*)?"
    r"(?P<open>\(\s*)?"
    rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?|\b{_MONTH}\s*)?"
    r"(?<!\d)(?P<first>(?:19|20)\d{2})(?:-\d{2}-\d{2})?(?!\d)"
    r"(?:\s*(?P<sep>\bbis\b|/|-|–)\s*(?P<last>(?:19|20)\d{2}|\d{2})(?!\d))?"
    r"(?(open)\s*\))"
)
"""A reference year inside a column name or title: "Anzahl_2018", "(Dez 2013)", "31.12.2013",
"Stand 2022", "(2013/2014)", "2011 bis 2021". A year after "bis", "ab", "seit" … ("Bindungsauslauf
bis 2019") belongs to the name and is no reference year."""


@dataclass
class YearInText:
    """The reference year found in a text, the text without it, and how it was written:
    ``""`` (one year), ``"school"`` ("2013/2014", read as the first year), ``"range"``
    ("2011 bis 2021", read as the last year) or ``"several"`` (several years, the first is taken)."""

    year: int | None
    rest: str
    kind: str


def year_in_text(text: str) -> YearInText:
    """Find the reference year in ``text`` (see ``YEAR_IN_TEXT``); ``rest`` is the text without it."""
    found = [m for m in YEAR_IN_TEXT.finditer(text) if not m.group("lead")]
    if not found:
        return YearInText(None, _tidy(text), "")
    first = found[0]
    rest = _tidy(YEAR_IN_TEXT.sub(lambda m: m.group(0) if m.group("lead") else " ", text))
    if len({m.group("first") for m in found}) > 1:
        return YearInText(int(first.group("first")), rest, "several")
    if first.group("last") is None:
        return YearInText(int(first.group("first")), rest, "")
    if first.group("sep") == "/":
        return YearInText(int(first.group("first")), rest, "school")
    last = first.group("last")
    return YearInText(int(last if len(last) == 4 else first.group("first")[:2] + last), rest, "range")


def _tidy(text: str) -> str:
    """A name without leftover separators: underscores as spaces, no empty brackets or dangling commas."""
    text = re.sub(r"\(\s*\)", " ", text.replace("_", " "))
    text = re.sub(r"\s+", " ", text)
    return text.strip(" ,;:-–")
