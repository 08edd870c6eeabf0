"""Rows of several area levels in one table (Stadtteile, then Bezirke, then the city).

The reader tells the blocks apart by position, code and sums, never by name: hierarchical codes
(longer = finer), the sum check (each coarser row is the sum of a block of finer rows, the last
row the sum of all), blocks between blank rows, or a last row called "Insgesamt". It hands a
hint per row to the pipeline: a tier (``"1"`` the finest, ``"2"`` the next coarser, …), which
``resolve_levels`` turns into the city's level keys by the areas the names of each tier match.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from itertools import pairwise

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from sozdash.core import fmt
from sozdash.importing.names import AreaMatch, match_areas, normalise
from sozdash.importing.numbers import parse_numbers
from sozdash.importing.problems import ImportProblem

TOTAL_ROWS = {"insgesamt", "gesamt", "summe", "zusammen", "stadt insgesamt", "gesamtstadt", "stadt gesamt"}
"""Names of a last row that is the whole table's total."""


class RowLevel(BaseModel):
    """File rows ``first_row``–``last_row`` are areas of ``level``: a level key of the city or
    a tier the reader found (``"1"`` the finest block, ``"2"`` the next coarser, …)."""

    first_row: int = Field(ge=1)
    last_row: int = Field(ge=1)
    level: str = Field(min_length=1, max_length=30)


def ranges(rows: np.ndarray, tiers: list[str]) -> list[RowLevel]:
    """Consecutive rows of one tier as ``RowLevel`` ranges (rows without a tier left out)."""
    out: list[RowLevel] = []
    for row, tier in zip(rows.tolist(), tiers, strict=True):
        if not tier:
            continue
        if out and out[-1].level == tier and out[-1].last_row < row:
            out[-1].last_row = row
        else:
            out.append(RowLevel(first_row=row, last_row=row, level=tier))
    return out


def guess_levels(
    *, rows: np.ndarray, area: pd.Series, values: pd.DataFrame, blocks: np.ndarray, decimal: str
) -> tuple[list[RowLevel], str, list[str], list[str]]:
    """Level tiers of the data rows (file numbers ``rows``), the rule that found them, notes, and
    the labels of the ``values`` columns whose sums the file proves (``summed``; only when the
    sum check found the levels)."""
    n = len(rows)
    if n < 3:
        return [], "", [], []
    tiers = _by_codes(area)
    if tiers:
        return ranges(rows, tiers), "Gebietsschlüssel", [], []
    counts, labels = _count_columns(values, decimal)
    notes: list[str] = []
    if counts.shape[1]:
        found = _by_sums(counts)
        if found is not None:
            tiers, parts, additive = found
            notes += _sum_differences(counts[:, additive], parts, rows, area, [labels[i] for i in additive])
            proven = [labels[i] for i in np.flatnonzero(summed(counts, parts))]
            return ranges(rows, tiers), "Summenprüfung", notes, proven
    sizes = Counter(blocks.tolist())
    order = sorted(sizes, key=lambda b: int(np.flatnonzero(blocks == b)[0]))
    lengths = [sizes[b] for b in order]
    steps = list(pairwise(lengths))
    monotonic = all(a > b for a, b in steps) or all(a < b for a, b in steps)
    if len(order) >= 2 and monotonic:
        rank = {b: str(i) for i, b in enumerate(sorted(order, key=lambda b: -sizes[b]), start=1)}
        notes.append(
            "Unsicher: Ebenen nur aus den Leerzeilen zwischen den Blöcken geschlossen (größter Block = feinste "
            "Ebene), die Summen bestätigen es nicht."
        )
        return ranges(rows, [rank[b] for b in blocks.tolist()]), "Blöcke", notes, []
    if normalise(area.iloc[-1]) in TOTAL_ROWS:
        notes.append(
            f"Unsicher: Zeile {rows[-1]} („{area.iloc[-1]}“) als Gesamtsumme angenommen; die Summen "
            "bestätigen es nicht."
        )
        return ranges(rows, ["1"] * (n - 1) + ["2"]), "Gesamtzeile", notes, []
    return [], "", [], []


def _by_codes(area: pd.Series) -> list[str]:
    """Tiers from hierarchical codes ("01", "0101"): each shorter code starts a longer one."""
    codes = area.astype(str)
    if not codes.str.fullmatch(r"\d{1,12}").all():
        return []
    lengths = codes.str.len()
    distinct = sorted(set(lengths), reverse=True)
    if len(distinct) < 2:
        return []
    longest = codes[lengths == distinct[0]]
    for length in distinct[1:]:
        if not codes[lengths == length].isin(set(longest.str[:length])).all():
            return []
    numbers = codes.astype(int)
    if (np.diff(np.sort(numbers.to_numpy())) == 1).all():
        return []  # 1, 2, … 10, 11: one running number, not a hierarchy
    rank = {length: str(i) for i, length in enumerate(distinct, start=1)}
    return [rank[length] for length in lengths]


def _count_columns(values: pd.DataFrame, decimal: str) -> tuple[np.ndarray, list[str]]:
    """Columns of counts (every row a whole number ≥ 0, not all equal) as a float matrix, and
    their labels (``values`` columns are labels); all cells parsed in one pass."""
    if values.empty:
        return np.empty((len(values), 0)), []
    flat = pd.Series(values.to_numpy(dtype=object).ravel(), dtype="string")
    number = parse_numbers(flat, decimal).value.to_numpy(dtype=float).reshape(values.shape)
    with np.errstate(invalid="ignore"):
        counts = ~np.isnan(number).any(axis=0) & (np.nan_to_num(number) >= 0).all(axis=0)
        counts &= (number == np.round(number)).all(axis=0)
    counts &= np.ptp(np.nan_to_num(number), axis=0) > 0
    chosen = np.flatnonzero(counts)
    labels = [str(label) for label in values.columns]
    return number[:, chosen], [labels[i] for i in chosen]


def _by_sums(counts: np.ndarray) -> tuple[list[str], list[tuple[int, int, int]], list[int]] | None:
    """Finer rows, then coarser rows (together the sum of the finer rows), optionally then one
    total row (the sum of the coarser rows). The split is where clearly the most count columns
    agree (published sums differ in some columns: rounding, areas without a row). Returns tiers
    and, per coarser row, its index with the block ``[start, end)`` of rows it sums, and the
    count columns that add up (the others hold densities, averages …)."""
    n, width = counts.shape
    cumulative = np.vstack([np.zeros(width), np.cumsum(counts, axis=0)])
    needed = max(1, math.ceil(width / 2))
    candidates = []  # (votes, split, with total)
    for with_total in (True, False):
        end = n - 1 if with_total else n
        split = np.arange(1, end)
        coarse = cumulative[end] - cumulative[split]
        votes = (np.abs(cumulative[split] - coarse) < 0.5).sum(axis=1)
        valid = split > end - split
        if with_total:
            valid &= (end - split >= 2) & ((np.abs(counts[n - 1] - coarse) < 0.5).sum(axis=1) >= needed)
        candidates += [
            (int(v), int(s), with_total) for v, s, ok in zip(votes, split, valid, strict=True) if ok and v
        ]
    if not candidates:
        return None
    candidates.sort(reverse=True)
    best, first_coarse, with_total = candidates[0]
    runner_up = candidates[1][0] if len(candidates) > 1 else 0
    if best < needed or best <= 2 * runner_up:
        return None
    end = n - 1 if with_total else n
    additive = np.abs(cumulative[first_coarse] - (cumulative[end] - cumulative[first_coarse])) < 0.5
    blocks = _partition(cumulative[:, additive], counts[first_coarse:end][:, additive], first_coarse)
    if blocks is None:
        return None
    tiers = ["1"] * first_coarse + ["2"] * (end - first_coarse) + (["3"] if with_total else [])
    parts = [(first_coarse + i, start, stop) for i, (start, stop) in enumerate(blocks)]
    if with_total:
        parts.append((n - 1, first_coarse, end))
    return tiers, parts, np.flatnonzero(additive).tolist()


def _partition(cumulative: np.ndarray, targets: np.ndarray, split: int) -> list[tuple[int, int]] | None:
    """Consecutive blocks of the finer rows ``[0, split)`` whose sums are the coarser rows, in
    order; each block end is where most count columns reach the target."""
    k = len(targets)
    if k == 1:
        return [(0, split)]
    blocks, start = [], 0
    for i, target in enumerate(targets):
        if i == k - 1:
            blocks.append((start, split))
            break
        last = split - (k - 1 - i)
        if last <= start:
            return None
        votes = np.zeros(last + 2)
        for column in range(cumulative.shape[1]):
            path = cumulative[start + 1 : last + 1, column]
            want = cumulative[start, column] + target[column]
            lo = int(np.searchsorted(path, want - 0.5, side="left"))
            hi = int(np.searchsorted(path, want + 0.5, side="right"))
            votes[start + 1 + lo] += 1
            votes[start + 1 + hi] -= 1
        votes = np.cumsum(votes)
        stop = int(votes.argmax())
        if votes[stop] == 0:
            return None
        blocks.append((start, stop))
        start = stop
    return blocks


def _sum_differences(
    counts: np.ndarray,
    parts: list[tuple[int, int, int]],
    rows: np.ndarray,
    area: pd.Series,
    labels: list[str],
) -> list[str]:
    """Notes for coarser rows that are not the sum of their block in some of the adding-up columns."""
    notes = []
    for (row, start, stop), diff in zip(parts, _block_differences(counts, parts), strict=True):
        wrong = np.flatnonzero(np.abs(diff) >= 0.5)
        if len(wrong):
            first = int(wrong[0])
            notes.append(
                f"Hinweis: Zeile {rows[row]} („{area.iloc[row]}“) ist in {len(wrong)} von {counts.shape[1]} "
                f"Summenspalten nicht die Summe der Zeilen {rows[start]}–{rows[stop - 1]} (z. B. {labels[first]}: "
                f"Summe {fmt.number(counts[start:stop, first].sum())}, Wert {fmt.number(counts[row, first])})."
            )
    return notes


def _block_differences(counts: np.ndarray, parts: list[tuple[int, int, int]]) -> np.ndarray:
    """Per coarser row of ``parts`` (one row each) and count column: its block's sum minus its value."""
    diffs = [counts[start:stop].sum(axis=0) - counts[row] for row, start, stop in parts]
    return np.array(diffs).reshape(len(parts), counts.shape[1])


def summed(counts: np.ndarray, parts: list[tuple[int, int, int]]) -> np.ndarray:
    """Per count column: whether the file proves that its values add up – more than half of the
    coarser rows are exactly the sum of their finer rows, and none is below it (a coarser row
    above the sum holds finer areas without a row of their own, e.g. Hamburg-Mitte and Neuwerk)."""
    diff = _block_differences(counts, parts)
    exact = (np.abs(diff) < 0.5).sum(axis=0)
    return (diff < 0.5).all(axis=0) & (2 * exact > len(parts))


def resolve_levels(hints: pd.Series, names: pd.DataFrame, areas: pd.DataFrame) -> dict[str, str]:
    """Each distinct hint as a level key: a key of the city is kept; a tier becomes the level at
    which most of its names match exactly one area (by code or name).

    ``names`` has columns ``area`` and ``area_alt`` aligned with ``hints``; ``areas`` has columns
    id, code, name, level.
    """
    known = set(areas["level"])
    level_of = dict(zip(areas["id"], areas["level"], strict=True))
    out: dict[str, str] = {}
    for hint in pd.unique(hints.to_numpy()):
        if not hint:
            continue
        if not str(hint).isdigit():
            if hint not in known:
                raise ImportProblem(
                    f"Gebietsebene „{hint}“ gibt es nicht (vorhanden: {', '.join(sorted(known))})."
                )
            out[hint] = hint
            continue
        group = names[hints.to_numpy() == hint]
        raw = [r for r in pd.unique(pd.concat([group["area"], group["area_alt"]]).to_numpy()) if r]
        matched = match_areas(raw, areas, {}, None).matched
        votes = Counter(level_of[i] for i in matched.values())
        if votes:
            out[hint] = votes.most_common(1)[0][0]
    return out


def match_with_levels(
    pairs: pd.DataFrame, areas: pd.DataFrame, saved: Mapping[str, int], level: str | None,
    *, mapping: Mapping[str, int] | None = None,
) -> tuple[pd.Series, AreaMatch]:  # fmt: skip
    """Area id per row of ``pairs`` (columns area, area_alt, level hint), names matched only among
    the areas of the row's level, and all matches merged (for the preview's lists).

    Rows without a hint match at ``level`` (the file's level, None = any); a mapping onto an
    area of another level than the row's is not followed.
    """
    resolved = resolve_levels(pairs["level"], pairs, areas)
    level_of = dict(zip(areas["id"], areas["level"], strict=True))
    row_level = pd.Series(
        [resolved.get(hint, level) if hint else level for hint in pairs["level"].tolist()],
        index=pairs.index, dtype=object,
    ).fillna("")  # fmt: skip
    ids = pd.Series(pd.NA, index=pairs.index, dtype=object)
    merged = AreaMatch()
    for found, group in pairs.groupby(row_level, sort=False):
        key = str(found) or None
        raw = [r for r in pd.unique(pd.concat([group["area"], group["area_alt"]]).to_numpy()) if r]

        match = match_areas(
            raw, areas, _at_level(saved, level_of, key), key, mapping=_at_level(mapping or {}, level_of, key)
        )
        ids[group.index] = [
            match.matched.get(a) or match.matched.get(b)
            for a, b in zip(group["area"], group["area_alt"], strict=True)
        ]
        merged.matched |= match.matched
        merged.via |= match.via
        merged.unmatched |= match.unmatched
        merged.ambiguous |= match.ambiguous
    return ids, merged


def _at_level(given: Mapping[str, int], level_of: Mapping[int, str], level: str | None) -> dict[str, int]:
    """The mappings (raw name → area id) onto areas of ``level`` (all when None)."""
    return {name: i for name, i in given.items() if level is None or level_of.get(i) == level}
