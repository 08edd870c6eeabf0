"""Indicators a table brings that the catalogue does not know, created from the data itself
(``ImportOptions.create_indicators``; CLI ``--create-indicators``, the page's checkbox).

Every field comes from the file, by a rule that can be checked; nothing is judged:

- **key**: the name as ASCII snake case (``%`` as ``prozent``, a leading digit after ``i_``, at
  most 50 characters), with a short hash of the name when that key is taken;
- **name**: the indicator name as the reader gives it (sub-columns "X – männlich" included);
  **definition**: the column's description row where the file has one;
- **unit**: ``%`` when the name says "%", "Anteil", "Quote" or "Prozent" or a value is a percent
  cell; the unit after a final "in …" ("in km²", "in EUR/m²"); "je …" at the end of the name
  ("je Haushalt"); else ``Anzahl``;
- **aggregation**: ``sum`` only where the file proves it: the reader's sum check
  (``levels.summed``) found every one of the indicator's columns adding up; else ``none`` –
  never a ratio (the file gives no numerator or denominator);
- **decimals**: the most decimals the values are written with, up to 3 (values with more are
  unrounded results and count only when most values are so: then 1);
- **Lebenslage**: the first rule of ``LEBENSLAGE_RULES`` whose keyword the name contains, else
  ``bevoelkerung``; **polarity** ``neutral`` (a judgement only the statistics office can make);
- **source**: the import's source; **note**: what was derived and is to be checked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozdash.core.vocab import AGGREGATION, LEBENSLAGEN, POLARITY
from sozdash.editing.records import slug
from sozdash.importing.layout import TableLayout
from sozdash.importing.numbers import clean, detect_decimal, parse_numbers
from sozdash.importing.problems import ImportProblem
from sozdash.importing.validate import IndicatorSpec, map_values

LEBENSLAGE_RULES: tuple[tuple[str, str], ...] = (
    ("arbeit", r"arbeitslos|beschäftig"),
    ("einkommen", r"sgb[\s-]*ii\b|leistungs|mindestsicherung|einkommen"),
    ("bildung", r"schul|schüler|abitur"),
    ("wohnen", r"wohn"),
    ("integration", r"migration|ausländ"),
    ("kinder_familie", r"kinder|alleinerziehend"),
    ("pflege_alter", r"\b65\b|älter|pflege"),
    ("gesundheit", r"ärzt|arzt|apothek"),
)
"""Lebenslage by keyword of the (lower-case) name, first match wins; none: ``bevoelkerung``."""
PERCENT = re.compile(r"%|anteil|quote|prozent", re.IGNORECASE)
UNIT_IN = re.compile(
    r"\(?\bin\s+((?:EUR|Euro|€|km²|m²|qm|ha|km|Jahren|Tagen|Minuten|Stunden)(?:\s*/\s*(?:m²|qm|km²|Monat|Jahr))?)\)?\s*$",
    re.IGNORECASE,
)
"""A unit after a final "in" ("Fläche in km²", "Preise für Grundstücke in EUR/m²")."""
UNIT_PER = re.compile(r"\bje\s+(\S+(?:\s+\S+)?)\s*$", re.IGNORECASE)
"""A "je …" of one or two words at the end of the name ("Personen je Haushalt", "Einwohner je km²")."""
ROUNDED_DECIMALS = 3
NOTE = "Lebenslage und Polarität automatisch gesetzt – bitte prüfen."
TABLE_COLUMNS = [
    "Name in der Datei", "Schlüssel", "Einheit", "Aggregation", "Nachkommastellen", "Lebenslage", "Polarität",
    "Abgeleitet aus",
]  # fmt: skip


@dataclass
class NewIndicators:
    """The indicators an import creates from the data: ``specs``, the file's names → their keys
    (``mapping``) and, for the preview, one German row per indicator with what was derived and why."""

    specs: list[IndicatorSpec] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TABLE_COLUMNS))


def derive(
    names: Iterable[str], frame: pd.DataFrame, decimal: str | None, layout: TableLayout | None,
    taken: Iterable[str], source: str, file_name: str,
) -> NewIndicators:  # fmt: skip
    """An ``IndicatorSpec`` for each of ``names`` (the unknown indicator names of ``frame``, the
    reader's long table), with keys unlike ``taken`` (the catalogue's keys).

    ``decimal`` None: detected from the values; ``layout`` (a table with values in columns)
    gives the sum check's result and the description rows.
    """
    names = list(names)
    if not names:
        return NewIndicators()
    rows = frame[frame["indicator"].isin(names)]
    decimal = decimal or detect_decimal(rows["value"])
    parsed = parse_numbers(rows["value"], decimal)
    indicator = rows["indicator"].astype(str)
    percent_cells = set(indicator[parsed.percent.to_numpy()])
    places = _decimal_places(rows["value"], parsed.value.notna(), decimal)
    summed, descriptions = _from_layout(layout)
    used = set(taken)
    out = NewIndicators()
    lines = []
    for name in names:
        if len(name) > 200:
            raise ImportProblem(
                f"Der Indikatorname „{name[:60]} …“ ist länger als 200 Zeichen. Erwartet: ein kürzerer Name "
                "(mit --column-name SPALTE=NAME oder im Schritt „Aufbau der Datei“ angeben)."
            )
        unit, unit_reason = unit_of(name, name in percent_cells)
        proven = name in summed and unit != "%" and not unit.startswith("je ")
        lebenslage, keyword = lebenslage_of(name)
        digits = _decimals(places[(indicator == name).to_numpy()])
        key = indicator_key(name, used)
        used.add(key)
        why = [
            unit_reason,
            "Summe: gröbere Zeilen = Summe ihrer Teilgebiete (Summenprüfung)" if proven
            else "keine Summe: von der Datei nicht belegt",
            f"Stichwort „{keyword}“" if keyword else "kein Stichwort: Bevölkerung",
        ]  # fmt: skip
        spec = IndicatorSpec(
            key=key, name=name, lebenslage=lebenslage, unit=unit, polarity="neutral", source=source,
            aggregation="sum" if proven else "none", decimals=digits, definition=descriptions.get(name, ""),
            note=f"Beim Import von {file_name} aus der Datei abgeleitet ({'; '.join(why[:2])}). {NOTE}",
        )  # fmt: skip
        out.specs.append(spec)
        out.mapping[name] = key
        lines.append([name, key, unit, AGGREGATION[spec.aggregation], digits, LEBENSLAGEN[lebenslage],
                      POLARITY[spec.polarity], "; ".join(why)])  # fmt: skip
    out.table = pd.DataFrame(lines, columns=TABLE_COLUMNS)
    return out


def applied(
    new: NewIndicators, catalogue: pd.DataFrame, frame: pd.DataFrame, keys: pd.Series, unknown: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """The pipeline's catalogue, indicator key per row and unknown indicators (none) once ``new``
    (derived from all of ``unknown``) exist."""
    if not new.specs:
        return catalogue, keys, unknown
    rows = pd.DataFrame([{c: getattr(spec, c) for c in catalogue.columns} for spec in new.specs])
    created = map_values(frame["indicator"], new.mapping).astype("string")
    return pd.concat([catalogue, rows], ignore_index=True), keys.fillna(created), unknown.iloc[0:0]


def indicator_key(name: str, taken: set[str]) -> str:
    """The catalogue key of ``name``: its slug (``editing.records.slug``), or when that is taken
    the slug with a short hash of the name (the same name always gives the same key)."""
    base = slug(name.replace("%", " prozent ").replace("‰", " promille ")).replace("-", "_").rstrip("_")
    if not base[0].isalpha():
        base = f"i_{base}"
    if base not in taken:
        return base
    return f"{base[:43].rstrip('_')}_{hashlib.sha256(name.encode()).hexdigest()[:6]}"


def lebenslage_of(name: str) -> tuple[str, str]:
    """The Lebenslage of an indicator name by ``LEBENSLAGE_RULES`` and the keyword that decided ('' = none)."""
    lower = name.lower()
    for lebenslage, pattern in LEBENSLAGE_RULES:
        found = re.search(pattern, lower)
        if found:
            return lebenslage, found.group(0).strip()
    return "bevoelkerung", ""


def unit_of(name: str, percent_cells: bool = False) -> tuple[str, str]:
    """The unit the name (or a percent cell) says, and why, in German."""
    found = PERCENT.search(name)
    if found:
        return "%", f"Einheit %: „{found.group(0)}“ im Namen"
    if percent_cells:
        return "%", "Einheit %: Prozentzellen"
    unit = UNIT_IN.search(name) or UNIT_PER.search(name)
    if unit and len(unit.group(0).strip(" ()")) <= 40:
        text = unit.group(1) if unit.re is UNIT_IN else "je " + unit.group(1)
        return text, f"Einheit: „{unit.group(0).strip(' ()')}“ im Namen"
    return "Anzahl", "Einheit Anzahl: keine Einheit im Namen"


def _decimal_places(texts: pd.Series, is_number: pd.Series, decimal: str) -> np.ndarray:
    """Per value cell: the decimals it is written with (-1 where it is no number)."""
    body = clean(texts).str.removesuffix("%").str.strip()
    after = body.str.extract(rf"{re.escape(decimal)}(\d+)$", expand=False)
    places = after.str.len().fillna(0).astype(int).to_numpy()
    return np.where(is_number.to_numpy(), places, -1)


def _decimals(places: np.ndarray) -> int:
    """Decimals of an indicator from its cells' ``_decimal_places`` (see the module docstring)."""
    numbers = places[places >= 0]
    rounded = numbers[numbers <= ROUNDED_DECIMALS]
    return int(rounded.max()) if len(rounded) and 2 * len(rounded) >= len(numbers) else 1


def _from_layout(layout: TableLayout | None) -> tuple[set[str], dict[str, str]]:
    """The indicators all of whose columns add up (sum check), and each indicator's description row."""
    if layout is None:
        return set(), {}
    columns: dict[str, list[int]] = {}
    descriptions: dict[str, str] = {}
    for value in layout.values:
        columns.setdefault(value.indicator, []).append(value.column)
        if value.description:
            descriptions.setdefault(value.indicator, " ".join(value.description.split()))
    proven = set(layout.summed_columns)
    return {name for name, cs in columns.items() if proven.issuperset(cs)}, descriptions
