"""City values from the areas: computed where a table has no row for the whole city, checked
against the areas where it has one.

The areas summed are those of one level (the level of the file whose areas it covers completely,
the most of them; a combined area counts instead of its parts). The aggregation is the one of
``indicators.aggregate`` (quotas from summed numerators and denominators, counts summed,
``none`` indicators not at all). A city value is computed only when every area of that level
has a usable value; otherwise the preview says why. A city value already stored from a file
(not computed, not an example value) is kept; a computed one is marked ``is_computed`` and
carries the note "berechnet aus N Stadtteilen".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from sozdash.core import fmt
from sozdash.importing.hierarchy import Combined
from sozdash.indicators.aggregate import VALID_STATUS, aggregate_to_parents
from sozdash.store.models import AreaLevel, AreaPart, Indicator, Observation

CHECK_COLUMNS = ["Indikator", "Jahr", "Stadtwert", "Summe der Gebiete", "Differenz", "Hinweis"]
REASON_COLUMNS = ["Indikator", "Jahre", "Grund"]
KEPT = "Stadtwert aus einer Datei bereits gespeichert; er bleibt unverändert."
NOT_SUMMABLE = "Der Indikator lässt sich nicht aus Gebietswerten berechnen (Aggregation „keine“, z. B. Median oder Durchschnitt)."
SHOWN_NAMES = 5
"""Area names a reason lists before "und n weitere"."""
_PLURALS = {
    "raum": ("räume", "räumen"), "teil": ("teile", "teilen"), "bezirk": ("bezirke", "bezirken"),
    "gebiet": ("gebiete", "gebieten"), "region": ("regionen", "regionen"), "viertel": ("viertel", "vierteln"),
    "quartier": ("quartiere", "quartieren"), "siedlung": ("siedlungen", "siedlungen"),
    "einheit": ("einheiten", "einheiten"), "distrikt": ("distrikte", "distrikten"), "kreis": ("kreise", "kreisen"),
    "ortschaft": ("ortschaften", "ortschaften"),
}  # fmt: skip
"""Endings of level names: genitive and dative plural ("der Stadtteile", "aus 13 Stadtteilen")."""


@dataclass
class CityValues:
    """What the preview says about the city values of a table.

    ``rows``: computed city values in the columns of ``validate.Checked.rows`` plus
    ``is_computed`` and ``note``; ``checks``: city rows of the file (or stored) that differ from
    the areas' aggregate (``CHECK_COLUMNS``); ``not_computed``: why a city value is missing
    (``REASON_COLUMNS``); ``level``: the level name of the areas summed; ``areas``: how many;
    ``agreeing``: city values that agree with the aggregate.
    """

    rows: pd.DataFrame
    checks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHECK_COLUMNS))
    not_computed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REASON_COLUMNS))
    level: str = ""
    areas: int = 0
    agreeing: int = 0

    @property
    def summary(self) -> str:
        """One German sentence for the preview ('' when the table says nothing about the city)."""
        genitive = _plural(self.level)[0]
        parts = []
        if len(self.rows):
            parts.append(_count(len(self.rows), "Stadtwert wird", "Stadtwerte werden")
                         + f" aus {fmt.number(self.areas)} {_plural(self.level)[1]} berechnet")  # fmt: skip
        if self.agreeing:
            parts.append(
                _count(self.agreeing, "Stadtwert stimmt", "Stadtwerte stimmen")
                + f" mit der Summe der {genitive} überein"
            )
        if len(self.checks):
            parts.append(
                _count(len(self.checks), "Stadtwert weicht", "Stadtwerte weichen")
                + f" von der Summe der {genitive} ab"
            )
        missing = self.not_computed["Indikator"].nunique()
        if missing:
            parts.append(
                "ohne berechneten Stadtwert: "
                + _count(missing, "Indikator", "Indikatoren")
                + " (Gründe in der Liste)"
            )
        return "; ".join(parts) + "." if parts else ""  # fmt: skip


def _count(count: int, one: str, many: str) -> str:
    return f"{fmt.number(count)} {one if count == 1 else many}"


def no_city_values(columns: Iterable[str]) -> CityValues:
    """Nothing to compute or check (e.g. a boundary-only or empty table)."""
    return CityValues(rows=_empty_rows(columns))


def _empty_rows(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=[*columns, "is_computed", "note"])


def _plural(level: str) -> tuple[str, str]:
    """Genitive and dative plural of a level name ("Stadtteil" → "Stadtteile", "Stadtteilen");
    "Gebiete der Ebene „X“" where the ending is not known."""
    words = level.split(" ")
    first = " ".join(w[:-2] + "en" if w.endswith(("er", "es")) else w for w in words[:-1])
    for ending, (genitive, dative) in _PLURALS.items():
        if words[-1].lower().endswith(ending):
            stem = words[-1][: len(words[-1]) - len(ending)]
            if not stem and words[-1][:1].isupper():
                genitive, dative = genitive.capitalize(), dative.capitalize()
            return f"{first} {stem}{genitive}".strip(), f"{first} {stem}{dative}".strip()
    return f"Gebiete der Ebene „{level}“", f"Gebieten der Ebene „{level}“"  # fmt: skip


def _from_areas(count: int, level: str) -> str:
    return f"berechnet aus {fmt.number(count)} {_plural(level)[1]}"


def city_values(
    conn: Connection, rows: pd.DataFrame, catalogue: pd.DataFrame, areas: pd.DataFrame,
    planned: Iterable[Combined] = (),
) -> CityValues:  # fmt: skip
    """City values of the valid ``rows`` of a table (see ``validate.Checked.rows``).

    ``catalogue``: key, name, unit, scale, aggregation, decimals of every indicator the rows use;
    ``areas``: id, code, name, level of every stored area; ``planned``: combined areas the import
    creates (placeholder ids < 0 in ``rows``).
    """
    levels = conn.execute(select(AreaLevel.key, AreaLevel.name).order_by(AreaLevel.rank)).all()
    if not levels or rows.empty:
        return no_city_values(rows.columns)
    names = {str(key): str(name) for key, name in levels}
    city_level = str(levels[0].key)
    city = areas[areas["level"] == city_level]
    level_of = dict(zip(areas["id"].astype(int), areas["level"], strict=True))
    level_of |= {c.area_id: c.level for c in planned}
    row_level = rows["area_id"].astype(int).map(level_of)
    below = rows[row_level.ne(city_level).to_numpy()]
    if below.empty:
        return no_city_values(rows.columns)
    keys = sorted(pd.unique(rows["indicator_key"]))
    indicator_names = dict(zip(catalogue["key"], catalogue["name"], strict=True))
    if len(city) != 1:
        reason = f"Es gibt {'kein' if city.empty else 'mehr als ein'} Gebiet der Ebene „{names[city_level]}“ (ganze Stadt)."
        return CityValues(
            rows=_empty_rows(rows.columns),
            not_computed=pd.DataFrame({"Indikator": [indicator_names.get(k, k) for k in keys], "Jahre": "",
                                       "Grund": reason}, columns=REASON_COLUMNS),
        )  # fmt: skip
    city_id, city_code = int(city["id"].iloc[0]), str(city["code"].iloc[0])
    parts = _parts(conn, planned)
    level, children = _children(below, level_of, parts, list(names))
    codes = dict(zip(areas["id"].astype(int), areas["code"].astype(str), strict=True))
    codes |= {c.area_id: f"(neu) {c.name}" for c in planned}
    area_names = dict(zip(areas["id"].astype(int), areas["name"].astype(str), strict=True))
    area_names |= {c.area_id: c.name for c in planned}
    own = below[below["area_id"].astype(int).isin(children).to_numpy()]
    obs = pd.DataFrame({
        "area": own["area_id"].astype(int).map(codes).to_numpy(), "indicator": own["indicator_key"].to_numpy(),
        "period": own["period"].astype(int).to_numpy(), "value": own["value"].astype(float).to_numpy(),
        "numerator": own["numerator"].astype(float).to_numpy(),
        "denominator": own["denominator"].astype(float).to_numpy(), "status": own["status"].to_numpy(),
    })  # fmt: skip
    aggregated = {
        (str(r["indicator"]), int(r["period"])): r
        for r in aggregate_to_parents(obs, catalogue, {codes[c]: city_code for c in children}).to_dict(
            "records"
        )
    }
    meta = {str(k): v for k, v in catalogue.set_index("key").to_dict("index").items()}
    at_city = rows[(rows["area_id"].astype(int) == city_id).to_numpy()]
    given = {
        (str(k), int(p)): float(v)
        for k, p, v in zip(at_city["indicator_key"], at_city["period"], at_city["value"], strict=True)
    }
    stored = _stored(conn, city_id, keys)
    level_name = names[level]
    computed: list[dict[str, Any]] = []
    checks: list[dict[str, object]] = []
    reasons: list[tuple[str, int, str]] = []
    incomplete: list[tuple[str, int]] = []
    agreeing = 0
    distinct = below[["indicator_key", "period"]].drop_duplicates()
    group_keys = distinct["indicator_key"].astype(str).tolist()
    for group in sorted(zip(group_keys, distinct["period"].astype(int).tolist(), strict=True)):
        key, period = group
        info, total = meta[key], aggregated.get(group)
        complete = total is not None and total["status"] != "missing"
        kept = group not in given and group in stored and not stored[group][1]
        if kept:
            reasons.append((key, period, KEPT))
        if group in given or kept:
            reference = given[group] if group in given else stored[group][0]
            if total is not None and complete and reference is not None and pd.notna(reference):
                if abs(reference - float(total["value"])) > 0.5 * 10.0 ** -int(info["decimals"]) + 1e-9:
                    label = "gespeichert" if kept else "laut Datei"
                    checks.append(_check(str(info["name"]), period, reference, float(total["value"]), label,
                                         _plural(level_name), int(info["decimals"]), str(info["aggregation"])))  # fmt: skip
                else:
                    agreeing += 1
        elif info["aggregation"] == "none":
            reasons.append((key, period, NOT_SUMMABLE))
        elif total is None or not complete:
            incomplete.append(group)
        else:
            computed.append({
                "row": pd.NA, "area_id": city_id, "indicator_key": key, "period": period, "value": total["value"],
                "numerator": total["numerator"], "denominator": total["denominator"], "status": total["status"],
                "symbol": None, "is_computed": True, "note": _from_areas(len(children), level_name),
            })  # fmt: skip
    ratio = {k for k, v in meta.items() if v["aggregation"] == "ratio"}
    reasons += [
        (k, p, why) for (k, p), why in _why(own, incomplete, children, area_names, ratio, level_name).items()
    ]
    return CityValues(
        rows=pd.DataFrame(computed, columns=[*rows.columns, "is_computed", "note"]),
        checks=pd.DataFrame(checks, columns=CHECK_COLUMNS),
        not_computed=_reason_table(reasons, indicator_names),
        level=level_name, areas=len(children), agreeing=agreeing,
    )  # fmt: skip


def _parts(conn: Connection, planned: Iterable[Combined]) -> dict[int, set[int]]:
    """Combined area id (placeholders of ``planned`` included) → its part ids."""
    parts: dict[int, set[int]] = {}
    for combined_id, part_id in conn.execute(select(AreaPart.combined_id, AreaPart.part_id)).all():
        parts.setdefault(int(combined_id), set()).add(int(part_id))
    for offer in planned:
        parts[offer.area_id] = set(offer.part_ids)
    return parts


def _children(
    below: pd.DataFrame, level_of: Mapping[int, str], parts: Mapping[int, set[int]], order: list[str]
) -> tuple[str, list[int]]:
    """The level whose areas are summed and those areas: of the levels in the file, the one it
    covers completely with the most areas (else the one with the most areas in the file); a
    combined area with rows replaces its parts, one without rows is left out."""
    in_file = set(below["area_id"].astype(int).unique().tolist())
    best: tuple[bool, int, int, str, list[int]] | None = None
    for level in {level_of[a] for a in in_file if a in level_of}:
        ids = {a for a, lv in level_of.items() if lv == level}
        for combined, members in parts.items():
            if combined in ids:
                ids -= members if combined in in_file else {combined}
        children = sorted(ids)
        covered = len(in_file & ids)
        score = (covered == len(children), covered, order.index(level), level, children)
        if best is None or score[:3] > best[:3]:
            best = score
    assert best is not None  # the rows below the city have a level
    return best[3], best[4]


def _stored(
    conn: Connection, city_id: int, keys: list[str]
) -> dict[tuple[str, int], tuple[float | None, bool]]:
    """Stored city values of ``keys``: (indicator, period) → (value, replaceable), where a
    computed or example value may be replaced by a computed one and a value from a file not."""
    result = conn.execute(
        select(Indicator.key, Observation.period, Observation.value, Observation.is_demo, Observation.is_computed)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.area_id == city_id, Indicator.key.in_(keys))
    ).all()  # fmt: skip
    return {
        (str(key), int(period)): (None if value is None else float(value), bool(demo or computed))
        for key, period, value, demo, computed in result
    }


def _check(
    name: str, period: int, reference: float, total: float, label: str, plural: tuple[str, str], decimals: int,
    aggregation: str,
) -> dict[str, object]:  # fmt: skip
    """A city value that differs from the areas' aggregate, with the German sentence."""
    what = f"aus den {plural[1]} berechnet" if aggregation == "ratio" else f"Summe der {plural[0]}"
    difference = fmt.signed(total - reference, decimals)
    text = f"Stadtwert {label} {fmt.number(reference, decimals)}, {what} {fmt.number(total, decimals)} ({difference})"
    return {
        "Indikator": name, "Jahr": period, "Stadtwert": fmt.number(reference, decimals),
        "Summe der Gebiete": fmt.number(total, decimals), "Differenz": difference, "Hinweis": text,
    }  # fmt: skip


def _why(
    own: pd.DataFrame, groups: list[tuple[str, int]], children: list[int], names: Mapping[int, str],
    ratio: set[str], level: str,
) -> dict[tuple[str, int], str]:  # fmt: skip
    """Why the areas ``children`` give no city value for each of ``groups`` (indicator, period),
    in German, from ``own`` (the file's rows of those areas); column-wise, one pass over the rows."""
    if not groups:
        return {}
    group = pd.MultiIndex.from_tuples(groups).get_indexer(
        pd.MultiIndex.from_arrays([own["indicator_key"].astype(str), own["period"].astype(int)])
    )
    child = pd.Index(children).get_indexer(pd.Index(own["area_id"].astype(int)))
    mine = (group >= 0) & (child >= 0)
    rows, group, child = own[mine], group[mine], child[mine]
    present = np.zeros((len(groups), len(children)), dtype=bool)
    present[group, child] = True
    labels = np.array([names[c] for c in children], dtype=object)
    marked: dict[tuple[int, str], list[str]] = {}
    for status in ("suppressed", "missing"):
        hit = (rows["status"] == status).to_numpy()
        for g, c, symbol in zip(group[hit], child[hit], rows["symbol"].to_numpy()[hit], strict=True):
            marked.setdefault((int(g), status), []).append(f"{labels[c]} ({symbol})")
    is_ratio = rows["indicator_key"].isin(ratio).to_numpy() & rows["status"].isin(VALID_STATUS).to_numpy()
    lacking = is_ratio & (rows["numerator"].isna() | rows["denominator"].isna()).to_numpy()
    without_parts = np.bincount(group[lacking], minlength=len(groups))
    plural = _plural(level)[1]
    out = {}
    for g, key in enumerate(groups):
        parts = []
        absent = list(labels[~present[g]])
        if absent:
            verb = "fehlt" if len(absent) == 1 else "fehlen"
            parts.append(f"in der Datei {verb} {len(absent)} von {len(children)} {plural}: {_listed(absent)}")
        for status, words in (("suppressed", "geheim gehalten"), ("missing", "ohne Wert")):
            if (g, status) in marked:
                parts.append(f"{words}: {_listed(marked[(g, status)])}")
        if without_parts[g]:
            parts.append(
                f"bei {without_parts[g]} {plural} fehlen Zähler und Nenner (eine Quote lässt sich nur aus "
                "summierten Zählern und Nennern berechnen)"
            )
        out[key] = "Stadtwert nicht berechnet: " + "; ".join(parts or ["keine vollständigen Werte"]) + "."
    return out


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN_NAMES])
    return shown + (f" und {len(items) - SHOWN_NAMES} weitere" if len(items) > SHOWN_NAMES else "")


def _reason_table(reasons: list[tuple[str, int, str]], names: Mapping[str, str]) -> pd.DataFrame:
    """One row per indicator and reason, with the years it holds for."""
    if not reasons:
        return pd.DataFrame(columns=REASON_COLUMNS)
    frame = pd.DataFrame(reasons, columns=["key", "period", "Grund"])
    grouped = frame.groupby(["key", "Grund"], sort=False)["period"].agg(
        lambda p: ", ".join(str(y) for y in sorted(p))
    )
    out = grouped.reset_index().rename(columns={"period": "Jahre"})
    out["Indikator"] = out["key"].map(lambda k: names.get(k, k))
    return out[REASON_COLUMNS].reset_index(drop=True)
