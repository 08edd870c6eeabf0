"""German (de-DE) formatting of numbers, amounts and dates: the one formatter of the app."""

from __future__ import annotations

import datetime as dt
import math
import re

PLOTLY_SEPARATORS = ",."
"""plotly ``layout.separators``: decimal comma, thousands dot."""

MONTHS = [
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
]  # fmt: skip

MISSING = "–"
GERMAN_SEPARATORS = str.maketrans(",.", ".,")
"""Python's ``1,234.5`` → ``1.234,5``."""


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5``; ``None``/NaN → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{float(value):,.{decimals}f}".translate(GERMAN_SEPARATORS)


def value_with_unit(value: float | None, unit: str, decimals: int = 1) -> str:
    """``12.34, '%'`` → ``12,3 %``; counts without decimals keep their unit word."""
    formatted = number(value, decimals)
    if formatted == MISSING or not unit:
        return formatted
    return f"{formatted} {unit}"


def euro(value: float | None, decimals: int = 0) -> str:
    """``167805.41`` → ``167.805 €`` (``decimals=2`` → ``167.805,41 €``)."""
    formatted = number(value, decimals)
    return formatted if formatted == MISSING else f"{formatted} €"


def file_size(size: int) -> str:
    """A file size as German text with the units of the upload limit (1 kB = 1.024 B): ``275 B``,
    ``1,2 kB``, ``3,4 MB``, ``50 MB`` (no ``,0``)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if round(size / factor, 1) >= 1:
            return f"{number(size / factor, 1).removesuffix(',0')} {unit}"
    return f"{number(size)} B"


def signed(value: float | None, decimals: int = 1) -> str:
    """A change with its sign: ``+1,2`` / ``−0,4`` (typographic minus); what rounds to zero is ``0,0``."""
    formatted = number(value, decimals)
    if formatted == MISSING:
        return formatted
    if not formatted.strip("-0,."):
        return formatted.lstrip("-")
    if value is not None and value > 0:
        return f"+{formatted}"
    return formatted.replace("-", "−")


def date(value: dt.date | None, precision: str = "day") -> str:
    """``31.12.2024``; month precision ``Dezember 2014``; year ``2018``; after ``frühestens 17.04.2018``."""
    if value is None:
        return MISSING
    if precision == "month":
        return f"{MONTHS[value.month - 1]} {value.year}"
    if precision == "year":
        return str(value.year)
    text = value.strftime("%d.%m.%Y")
    return f"frühestens {text}" if precision == "after" else text


def text(value: object, default: str = MISSING) -> str:
    """A stored text, or ``default`` when it is empty or missing (None/NaN from pandas)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return default
    return str(value)


WORD_JOINER = "\u2060"
"""Invisible and unbreakable: put where markdown would turn text into a bare link or an icon."""
_INLINE = re.compile(r"([\\`*_{}\[\]<>&~$|])")
"""Escapes, code, emphasis, links and images, HTML and entities, strikethrough, formulas, tables."""
_LINE_START = re.compile(r"(?:^|(?<=\r))([ \t]*)([#+\-=]|\d{1,9}[.)])", re.MULTILINE)
"""Headings, lists, setext underlines and thematic breaks: only at the start of a line."""
_LIVE = re.compile(r"(?<=:)(?=\S)|(?<=@)|(?<=www)(?=\.)", re.IGNORECASE)
""""scheme:", ":emoji:", ":material/icon:" and ":directive" (a colon before a non-space), e-mail
addresses (after "@") and "www." — markdown links these in the text itself, after backslash
escapes and HTML entities are resolved, so only an invisible character keeps them text."""


def plain(text: object) -> str:
    """User or imported text made safe for markdown, shown literally: no links, images, formulas,
    HTML or formatting smuggled in. Markdown characters are escaped, and a word joiner (invisible)
    goes inside bare URLs, e-mail addresses and icon codes."""
    escaped = _INLINE.sub(r"\\\1", str(text))
    escaped = _LINE_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}", escaped)
    return _LIVE.sub(WORD_JOINER, escaped)
