"""Handlungsbedarfe: which districts need action in which Lebenslage, why, and whether a measure
(project or Wirkungspaket) is active there.

Rules:
- Need in a Lebenslage: the area is rated and its standardised sub-index is below the
  definition's ``status_low`` cut-off (default −1, i.e. "niedrig" or worse in that Lebenslage).
- Drivers: the indicators of that Lebenslage with the largest negative weighted contributions
  (weight · sign · z), at most ``DRIVERS`` of them.
- A district needs action if it has a need in any Lebenslage or is flagged "besonderer
  Aufmerksamkeitsbedarf".
- Active measures on the index's reference date (31.12. of its year): projects assigned to the
  district (``project_areas``) whose effective status on that date (``projects.with_status``)
  is ``laufend`` or ``bewilligt``, and Wirkungspakete of the district whose period contains the
  reference year. Measures assigned to the whole city or without a district do not count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Engine, select

from sozdash.core import fmt
from sozdash.core.vocab import LEBENSLAGEN
from sozdash.programmes import projects
from sozdash.social_index import snapshots
from sozdash.social_index.compute import IndexResult
from sozdash.social_index.views import ranks
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Area, ImpactPackage

DRIVERS = 2
ACTIVE_PROJECT_STATUS = ("laufend", "bewilligt")
NEED_WITHOUT_MEASURE = "Bedarf ohne Maßnahme"
MEASURE_WITHOUT_NEED = "Maßnahme ohne ausgewiesenen Bedarf"
NEED_WITH_MEASURE = "Bedarf mit Maßnahme"
NO_NEED = "kein ausgewiesener Bedarf, keine Maßnahme"


class NeedsView(NamedTuple):
    """What the page Handlungsbedarfe shows: ``lebenslage_needs`` and the ``districts`` table."""

    needs: pd.DataFrame
    districts: pd.DataFrame


@cached_query
def needs_view(engine: Engine, source: snapshots.IndexSource) -> NeedsView:
    """``NeedsView`` of the index result ``source``, built once per result and data."""
    result = snapshots.result_of(engine, source)
    found = lebenslage_needs(result, queries.indicators(engine))
    return NeedsView(found, districts(result, found, active_measures(engine, result.year)))


def lebenslage_needs(result: IndexResult, catalogue: pd.DataFrame) -> pd.DataFrame:
    """One row per (area, Lebenslage) with a need: area, name, lebenslage, sub_index, drivers
    (indicator keys) and a plain German sentence with the area's rank in that Lebenslage."""
    names = dict(zip(result.areas["area"], result.areas["name"], strict=True))
    rated = set(result.areas.loc[result.areas["rated"], "area"])
    rated_rows = result.lebenslagen[result.lebenslagen["area"].isin(rated)]
    place = {
        (area, lage): rank
        for lage, group in rated_rows.groupby("lebenslage", observed=True)
        for area, rank in zip(group["area"], ranks(group["sub_index"]), strict=True)
    }
    low = rated_rows[rated_rows["sub_index"] < result.config.status_low]
    parts = result.contributions.assign(
        weighted=result.contributions["weight"] * result.contributions["score"]
    )
    parts = parts[parts["weighted"] < 0].sort_values("weighted", kind="stable")
    top = parts.groupby(["area", "lebenslage"], observed=True, sort=False).head(DRIVERS)
    drivers: dict[tuple[Any, Any], list[dict[Any, Any]]] = {}
    for part in top.to_dict("records"):
        drivers.setdefault((part["area"], part["lebenslage"]), []).append(part)
    meta = catalogue.set_index("key").to_dict("index")

    def shown(value: float, indicator: str) -> str:
        return fmt.value_with_unit(value, meta[indicator]["unit"], int(meta[indicator]["decimals"]))

    rows = []
    for need in low.sort_values("sub_index").to_dict("records"):
        area, lebenslage = need["area"], need["lebenslage"]
        own = drivers.get((area, lebenslage), [])
        because = "; ".join(
            f"{meta[d['indicator']]['name']} {shown(d['value'], d['indicator'])} "
            f"(Mittel der Gebiete {shown(d['mean'], d['indicator'])})"
            for d in own
        )
        sentence = (
            f"{names[area]}: {LEBENSLAGEN[lebenslage]} deutlich ungünstiger als der Durchschnitt der "
            f"Gebiete ({place[area, lebenslage]})."
            + (f" Am stärksten tragen dazu bei: {because}." if because else "")
        )
        rows.append((area, names[area], lebenslage, need["sub_index"], [d["indicator"] for d in own], sentence))
    return pd.DataFrame(rows, columns=["area", "name", "lebenslage", "sub_index", "drivers", "sentence"])


@cached_query
def impact_packages(engine: Engine) -> pd.DataFrame:
    """Wirkungspakete with a district: area code, title, start_year, end_year (not deleted)."""
    statement = (
        select(Area.code.label("area"), ImpactPackage.title, ImpactPackage.start_year, ImpactPackage.end_year)
        .join(Area, ImpactPackage.area_id == Area.id)
        .where(ImpactPackage.deleted_at.is_(None))
        .order_by(ImpactPackage.title)
    )
    return queries.read_frame(engine, statement)


def active_measures(engine: Engine, year: int) -> pd.DataFrame:
    """Measures active on 31.12. of ``year`` per district: area, kind, title, status."""
    as_of = dt.date(year, 12, 31)
    running = projects.statuses(engine, as_of)
    running = running[running["status"].isin(ACTIVE_PROJECT_STATUS)]
    links = projects.project_areas(engine).merge(running, left_on="project", right_on="key")
    packages = impact_packages(engine)
    packages = packages[(packages["start_year"] <= year) & (packages["end_year"] >= year)]
    return pd.concat([
        pd.DataFrame({"area": links["code"], "kind": "Projekt", "title": links["title"], "status": links["status"]}),
        pd.DataFrame({"area": packages["area"], "kind": "Wirkungspaket", "title": packages["title"],
                      "status": [f"Periode {s}–{e}" for s, e in zip(packages["start_year"], packages["end_year"], strict=True)]}),
    ], ignore_index=True)  # fmt: skip


def districts(result: IndexResult, needs: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Per rated district: needs, measures and the category (German column names, exportable)."""
    found: dict[str, set[str]] = {}
    for area, lage in zip(needs["area"], needs["lebenslage"], strict=True):
        found.setdefault(area, set()).add(lage)
    active: dict[str, list[str]] = {}
    for area, kind, title in zip(measures["area"], measures["kind"], measures["title"], strict=True):
        active.setdefault(area, []).append(f"{kind}: {title}")
    rows = []
    rated = result.areas[result.areas["rated"]].sort_values("name")
    for area, name, attention in zip(rated["area"], rated["name"], rated["attention"], strict=True):
        lagen = [label for lage, label in LEBENSLAGEN.items() if lage in found.get(area, ())]
        if attention:
            lagen.insert(0, "besonderer Aufmerksamkeitsbedarf (Gesamtindex)")
        titles = active.get(area, [])
        category = (
            (NEED_WITH_MEASURE if titles else NEED_WITHOUT_MEASURE)
            if lagen
            else (MEASURE_WITHOUT_NEED if titles else NO_NEED)
        )
        rows.append((name, category, "; ".join(lagen) or fmt.MISSING, "; ".join(titles) or fmt.MISSING))
    return pd.DataFrame(rows, columns=["Gebiet", "Einordnung", "Ausgewiesener Bedarf", "Aktive Maßnahmen"])
