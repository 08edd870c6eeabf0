"""Area (and indicator) names as sources write them, normalised and matched to the database.

Matching order: the code itself (also an AGS without its leading zero), the mapping given with
this import, a mapping the user saved for this source, then the normalised name or code.
Ambiguous or unknown names are returned unmatched, so that the user completes a mapping table.
How each name was matched is kept (``AreaMatch.via``), so that the preview can list every name
that goes to an area of another name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
_PREFIX = re.compile(
    r"^(?:stadtteil|ortsteil|stt|sozialraum|statistischer bezirk|stat bezirk|bezirk nr|nr)\s*\d*[a-z]?\s*[.:)]?\s+"
)
_LEADING_NUMBER = re.compile(r"^\d+[a-z]?\s*[.:)]?\s+")
_OFFICIAL_SUFFIX = re.compile(
    r",\s*(?:kreisfreie stadt|stadt|freie und hansestadt|freie hansestadt|hansestadt|landeshauptstadt"
    r"|universitaetsstadt|wissenschaftsstadt)$"
)
"""The kind of municipality GENESIS appends to a name ("Musterstadt, kreisfreie Stadt")."""
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}


def normalise(name: object) -> str:
    """A comparison key: lower case, umlauts as ae/oe/ue/ss, ``_``/``-``/``.`` as spaces,
    without a leading number ("03 Nordstadt"), type prefix ("Stadtteil 5 Nordstadt") or GENESIS
    suffix ("Musterstadt, kreisfreie Stadt"), Roman numerals as digits ("Stadtbezirk II" = "Stadtbezirk 2")."""
    text = str(name if name is not None else "").casefold().translate(_UMLAUTS).strip()
    text = _OFFICIAL_SUFFIX.sub("", text)
    text = re.sub(r"[_\-–/,]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for pattern in (_PREFIX, _LEADING_NUMBER):
        stripped = pattern.sub("", text, count=1)
        if stripped and stripped != text:
            text = stripped
    text = re.sub(r"\.(?=\s|$)", "", text).strip()
    return " ".join(_ROMAN.get(token, token) for token in text.split(" "))


VIA = {
    "code": "Gebietscode",
    "mapping": "Zuordnung dieses Imports",
    "saved": "gespeicherte Zuordnung der Quelle",
    "name": "ähnliche Schreibweise",
}
"""How a name of the file was matched to its area (German labels for the preview)."""


@dataclass
class AreaMatch:
    """Result of matching raw names: ``matched`` raw name → area id and ``via`` how (a key of
    ``VIA``); ``unmatched`` raw name → suggested area code ('' when none) and ``ambiguous`` raw
    names with several candidates."""

    matched: dict[str, int] = field(default_factory=dict)
    via: dict[str, str] = field(default_factory=dict)
    unmatched: dict[str, str] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)


def match_areas(
    raw_names: list[str], areas: pd.DataFrame, saved: Mapping[str, int], level: str | None = None,
    *, mapping: Mapping[str, int] | None = None,
) -> AreaMatch:  # fmt: skip
    """Match ``raw_names`` to ``areas`` (columns id, code, name, level).

    ``mapping`` is the user's decision for this import, ``saved`` the earlier decisions for this
    source (raw name → area id); ``level`` restricts name matching to one area level when the
    file is known to hold one.
    """
    given = mapping or {}
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
        found: tuple[int, str] | None = None
        if code is not None:
            found = int(code), "code"
        elif raw in given:
            found = given[raw], "mapping"
        elif raw in saved:
            found = saved[raw], "saved"
        else:
            ids = by_key.get(normalise(text), set())
            if len(ids) == 1:
                found = next(iter(ids)), "name"
            else:
                if len(ids) > 1:
                    result.ambiguous.add(raw)
                result.unmatched[raw] = _suggest(text, candidates)
        if found is not None:
            result.matched[raw], result.via[raw] = found
    return result


def names_agree(file_names: Iterable[str], name: str, code: str) -> bool:
    """Whether any of the names a file gives for an area is, once normalised, the area's name or code."""
    own = {normalise(name), normalise(code)}
    return any(normalise(text) in own for text in file_names if str(text).strip())


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
