"""Area (and indicator) names as sources write them, normalised and matched to the database.

Matching order: the code itself (also an AGS without its leading zero), a mapping the user
saved for this source, then the normalised name or code. Ambiguous or unknown names are
returned unmatched, so that the user completes a mapping table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
_PREFIX = re.compile(
    r"^(?:stadtteil|ortsteil|stt|sozialraum|statistischer bezirk|stat bezirk|bezirk nr|nr)\s*\d*[a-z]?\s*[.:)]?\s+"
)
_LEADING_NUMBER = re.compile(r"^\d+[a-z]?\s*[.:)]?\s+")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}


def normalise(name: object) -> str:
    """A comparison key: lower case, umlauts as ae/oe/ue/ss, ``_``/``-``/``.`` as spaces,
    without a leading number ("03 Nordstadt") or type prefix ("Stadtteil 5 Nordstadt"),
    Roman numerals as digits ("Stadtbezirk II" = "Stadtbezirk 2")."""
    text = str(name if name is not None else "").casefold().translate(_UMLAUTS)
    text = re.sub(r"[_\-–/,]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for pattern in (_PREFIX, _LEADING_NUMBER):
        stripped = pattern.sub("", text, count=1)
        if stripped and stripped != text:
            text = stripped
    text = re.sub(r"\.(?=\s|$)", "", text).strip()
    return " ".join(_ROMAN.get(token, token) for token in text.split(" "))


@dataclass
class AreaMatch:
    """Result of matching raw names: ``matched`` raw name → area id; ``unmatched`` raw name →
    suggested area code ('' when none) and ``ambiguous`` raw names with several candidates."""

    matched: dict[str, int] = field(default_factory=dict)
    unmatched: dict[str, str] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)


def match_areas(
    raw_names: list[str], areas: pd.DataFrame, saved: dict[str, int], level: str | None = None
) -> AreaMatch:
    """Match ``raw_names`` to ``areas`` (columns id, code, name, level).

    ``saved`` holds the user's earlier decisions for this source (raw name → area id);
    ``level`` restricts name matching to one area level when the file is known to hold one.
    """
    by_code = dict(zip(areas["code"].astype(str), areas["id"], strict=True))
    candidates = areas if level is None else areas[areas["level"] == level]
    by_key: dict[str, set[int]] = {}
    for name, code, area_id in zip(candidates["name"], candidates["code"], candidates["id"], strict=True):
        for key in {normalise(name), normalise(code)}:
            by_key.setdefault(key, set()).add(int(area_id))
    result = AreaMatch()
    for raw in raw_names:
        text = str(raw).strip()
        code = by_code.get(text) or (by_code.get(text.zfill(8)) if text.isdigit() else None)
        if code is not None:
            result.matched[raw] = int(code)
        elif raw in saved:
            result.matched[raw] = saved[raw]
        else:
            ids = by_key.get(normalise(text), set())
            if len(ids) == 1:
                result.matched[raw] = next(iter(ids))
            else:
                if len(ids) > 1:
                    result.ambiguous.add(raw)
                result.unmatched[raw] = _suggest(text, candidates)
    return result


def _suggest(text: str, candidates: pd.DataFrame) -> str:
    """The code of an area whose normalised name contains, or is contained in, ``text``."""
    key = normalise(text)
    if len(key) < 3:
        return ""
    hits = [
        str(row.code)
        for row in candidates.itertuples()
        if (name := normalise(row.name)) and (name in key or key in name)
    ]
    return hits[0] if len(hits) == 1 else ""


def match_indicators(raw_names: list[str], indicators: pd.DataFrame) -> dict[str, str]:
    """Raw indicator names or keys → catalogue key, for those that match exactly one."""
    by_key: dict[str, set[str]] = {}
    for row in indicators.itertuples():
        for key in {normalise(row.key), normalise(row.name)}:
            by_key.setdefault(key, set()).add(str(row.key))
    matched = {}
    for raw in raw_names:
        keys = by_key.get(normalise(raw), set())
        if len(keys) == 1:
            matched[raw] = next(iter(keys))
    return matched
