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


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5``; ``None``/NaN → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


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


def signed(value: float | None, decimals: int = 1) -> str:
    """A change with its sign: ``+1,2`` / ``−0,4`` (typographic minus)."""
    formatted = number(value, decimals)
    if formatted == MISSING:
        return formatted
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


def plain(text: object) -> str:
    """User or imported text made safe for markdown: every markdown character escaped, so it
    is shown literally (no links, images or formatting smuggled in)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])", r"\\\1", str(text))
