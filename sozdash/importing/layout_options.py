"""The layout of a published table as people state it – CLI options and the page's mapping step –
turned into a ``LayoutChoice``.

Rows are written ``5-103,111`` (also ``5–103, 111``), row levels ``5-103=stadtteil,111=stadt``,
column options ``SPALTE=WERT``. The mapping step shows the reader's layout (``mapping_table``);
``confirmed_choice`` keeps only what the user changed there, so that everything else stays the
reader's guess (a template then shifts the years of the next file's column names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from sozdash.importing.layout import LayoutChoice, TableLayout, column_letter, numbered, value_table
from sozdash.importing.levels import RowLevel
from sozdash.importing.problems import ImportProblem

MAPPING_COLUMNS = ["Spalte", "Name in der Datei", "Indikator", "Jahr", "Jahr aus", "Übernehmen"]
"""The mapping step's table of value columns (indexed by column number)."""


def parse_rows(text: str) -> list[int]:
    """``"1-3,7"`` (or ``"1–3, 7"``) → [1, 2, 3, 7]."""
    rows: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = re.sub(r"\s*[-–]\s*", "-", part).partition("-")
        if not (first.isdigit() and (not last or last.isdigit())):
            raise ImportProblem(f"Zeilenangabe „{part}“ nicht verstanden (erwartet z. B. 1-3,7).")
        if last and int(last) < int(first):
            raise ImportProblem(f"Zeilenangabe „{part}“: die erste Zeile ist größer als die letzte.")
        rows += list(range(int(first), int(last or first) + 1))
    return rows


def parse_pairs(values: Iterable[str], option: str) -> dict[str, str]:
    """``SPALTE=WERT`` texts as a dict; ``option`` names them in the message."""
    out = {}
    for value in values:
        column, sep, text = value.partition("=")
        if not sep or not column.strip() or not text.strip():
            raise ImportProblem(f"{option} „{value}“ nicht verstanden (erwartet SPALTE=WERT, z. B. C=2013).")
        out[column.strip()] = text.strip()
    return out


def parse_row_levels(text: str) -> list[RowLevel]:
    """``"5-103=stadtteil,104-110=stadtbezirk,111=stadt"`` → row ranges with their level."""
    levels = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        rows_text, sep, level = part.partition("=")
        if not sep or not rows_text.strip() or not level.strip():
            raise ImportProblem(
                f"Ebenenangabe „{part}“ nicht verstanden (erwartet ZEILEN=EBENE, z. B. 5-103=stadtteil)."
            )
        rows = parse_rows(rows_text)
        levels.append(RowLevel(first_row=min(rows), last_row=max(rows), level=level.strip()))
    return levels


def row_levels_text(levels: list[RowLevel]) -> str:
    """Row levels in the notation ``parse_row_levels`` reads."""
    return ", ".join(
        f"{r.first_row}–{r.last_row}={r.level}" if r.first_row != r.last_row else f"{r.first_row}={r.level}"
        for r in levels
    )


def layout_choice(
    *, header_row: int | None = None, area_column: str = "", skip_rows: str = "", skip_columns: str = "",
    years: Iterable[str] = (), names: Iterable[str] = (), row_levels: str = "",
) -> LayoutChoice:  # fmt: skip
    """The choice the CLI options state (``years``/``names``: ``SPALTE=WERT`` each)."""
    year_texts = parse_pairs(years, "--year")
    wrong = [f"{c}={y}" for c, y in year_texts.items() if not y.isdigit()]
    if wrong:
        raise ImportProblem(f"--year erwartet eine Jahreszahl: {', '.join(wrong)}.")
    return LayoutChoice(
        header_row=header_row, area_column=area_column, skip_rows=parse_rows(skip_rows),
        skip_columns=[c.strip() for c in skip_columns.split(",") if c.strip()],
        years={c: int(y) for c, y in year_texts.items()}, names=parse_pairs(names, "--column-name"),
        row_levels=parse_row_levels(row_levels),
    )  # fmt: skip


def mapping_table(layout: TableLayout) -> pd.DataFrame:
    """The value columns of the mapping step (``MAPPING_COLUMNS``, indexed by column number):
    every column read, with its indicator and year, and every column chosen to be left out."""
    read = value_table(layout).assign(
        Jahr=pd.array([v.year for v in layout.values], dtype="Int64"), Übernehmen=True
    )
    read.index = pd.Index([v.column for v in layout.values])
    choice = numbered(layout.choice, layout.headers)
    left_out = sorted({int(c) for c in choice.skip_columns} - set(read.index))
    out = pd.DataFrame(
        {
            "Spalte": [column_letter(c) for c in left_out],
            "Name in der Datei": [layout.headers[c - 1] for c in left_out],
            "Indikator": [choice.names.get(str(c), layout.headers[c - 1]) for c in left_out],
            "Jahr": pd.array([choice.years.get(str(c)) for c in left_out], dtype="Int64"),
            "Jahr aus": "–",
            "Übernehmen": False,
        },
        index=pd.Index(left_out),
    )
    return pd.concat([read, out]).sort_index()[MAPPING_COLUMNS] if left_out else read[MAPPING_COLUMNS]


@dataclass(frozen=True)
class MappingStep:
    """The fields of the mapping step as the user left them (prefilled from the layout)."""

    header_row: int
    """Row of the column names, 0 = none."""
    area_column: int
    skip_rows: str
    """Rows not read, as ``parse_rows`` reads them."""
    row_levels: str
    """As ``parse_row_levels`` reads them ('' = the reader's guess)."""
    values: pd.DataFrame
    """``mapping_table(layout)`` as edited."""


def confirmed_choice(layout: TableLayout, step: MappingStep) -> LayoutChoice:
    """``layout.choice`` (columns by number) changed where the fields of ``step`` differ from what
    ``layout`` shows. Rows the reader leaves out by itself (footnotes, repeated names) are not
    stored as chosen; an emptied indicator or year goes back to the reader's guess."""
    base = numbered(layout.choice, layout.headers)
    shown = mapping_table(layout).to_dict("index")
    years, names, skipped = dict(base.years), dict(base.names), set(base.skip_columns)
    for column, row in step.values.to_dict("index").items():
        key, before = str(column), shown[column]
        if bool(row["Übernehmen"]) != bool(before["Übernehmen"]):
            skipped ^= {key}
        name = "" if pd.isna(row["Indikator"]) else str(row["Indikator"]).strip()
        if name and name != before["Indikator"]:
            names[key] = name
        elif not name:
            names.pop(key, None)
        year = row["Jahr"]
        if pd.isna(year):
            years.pop(key, None)
        elif pd.isna(before["Jahr"]) or int(year) != int(before["Jahr"]):
            years[key] = int(year)
    wanted = set(parse_rows(step.skip_rows))
    skip_rows = base.skip_rows
    if wanted != set(layout.skipped_rows):
        own = set(layout.skipped_rows) - set(base.skip_rows)
        skip_rows = sorted(wanted - own)
    levels = parse_row_levels(step.row_levels)
    same_levels = [r.model_dump() for r in levels] == [r.model_dump() for r in layout.levels]
    return LayoutChoice(
        header_row=base.header_row if step.header_row == layout.header_row else step.header_row,
        area_column=base.area_column if step.area_column == layout.area_column else str(step.area_column),
        skip_rows=skip_rows, skip_columns=sorted(skipped, key=int), years=years, names=names,
        row_levels=base.row_levels if same_levels else levels,
    )  # fmt: skip
