"""District profile: z, rank, n, trend and sentence on a hand-made frame; annotations and
projects of an area from the database (visibility rules)."""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd
import pytest
from sqlalchemy import Engine, update

from sozdash.indicators.profile import (
    area_activities,
    area_choices,
    area_profile,
    build_profile,
    linked_areas,
    profile_panels,
    profile_table,
)
from sozdash.store import db, queries
from sozdash.store.models import Area, Indicator, Observation

INDICATORS = pd.DataFrame(
    [
        {"key": "quote", "name": "Quote", "lebenslage": "einkommen", "unit": "%", "decimals": 1,
         "polarity": "higher_worse", "aggregation": "ratio", "suppression_threshold": 3},
        {"key": "anzahl", "name": "Anzahl", "lebenslage": "bevoelkerung", "unit": "Personen", "decimals": 0,
         "polarity": "neutral", "aggregation": "sum", "suppression_threshold": None},
    ]
)  # fmt: skip
PARENT_OF = {"a": "p", "b": "p", "c": "p", "d": "q", "p": "city", "q": "city"}
COLUMNS = ["area", "level", "indicator", "period", "value", "numerator", "status", "symbol", "is_demo"]


def _obs() -> pd.DataFrame:
    rows = [
        # quote 2024: a 10, b 20, c 30, city 18; d withheld (numerator 2 < threshold 3)
        ("a", "stadtteil", "quote", 2024, 10.0, 10.0), ("b", "stadtteil", "quote", 2024, 20.0, 40.0),
        ("c", "stadtteil", "quote", 2024, 30.0, 60.0), ("d", "stadtteil", "quote", 2024, 5.0, 2.0),
        ("city", "stadt", "quote", 2024, 18.0, 112.0),
        ("a", "stadtteil", "quote", 2019, 12.0, 12.0),
        # anzahl 2024: a 100, b 300, c 200, city total 600 (d has no value)
        ("a", "stadtteil", "anzahl", 2024, 100.0, None), ("b", "stadtteil", "anzahl", 2024, 300.0, None),
        ("c", "stadtteil", "anzahl", 2024, 200.0, None), ("city", "stadt", "anzahl", 2024, 600.0, None),
    ]  # fmt: skip
    return pd.DataFrame([(*r, "ok", None, True) for r in rows], columns=COLUMNS)


def _row(profile: pd.DataFrame, key: str) -> pd.Series:
    return profile.set_index("indicator").loc[key]


def test_quote_against_city_value_by_hand() -> None:
    profile = build_profile(_obs(), INDICATORS, PARENT_OF, "a", "A", 2024, "stadt")
    row = _row(profile, "quote")
    sd = math.sqrt(((10 - 20) ** 2 + 0 + (30 - 20) ** 2) / 3)  # 8.164966, d is withheld and not counted
    assert row["z"] == pytest.approx((10 - 18) / sd)  # -0.9798 -> "leicht unter"
    assert (row["rank"], row["n"]) == (3, 3)
    assert row["reference_kind"] == "stadt" and row["reference"] == 18.0
    assert (row["display"], row["city_display"]) == ("10,0 %", "18,0 %")
    # 12 -> 10: change -2, band max(0.05, 2 % of 12 = 0.24): falling, better for higher_worse
    assert row["trend"].label == "fallend – günstig"
    assert row["position"] == "günstiger"
    assert row["z_min"] == pytest.approx(-8 / sd) and row["z_max"] == pytest.approx(12 / sd)
    assert row["sentence"] == (
        "Beim Indikator „Quote“ liegt A mit 10,0 % leicht unter dem städtischen Wert von 18,0 %; "
        "seit 2019 ist der Wert gesunken (günstig)."
    )


def test_counts_are_compared_with_the_mean_of_the_areas() -> None:
    profile = build_profile(_obs(), INDICATORS, PARENT_OF, "a", "A", 2024, "stadt")
    row = _row(profile, "anzahl")
    sd = math.sqrt((100**2 + 100**2 + 0) / 3)  # 81.649658 around the mean 200
    assert row["reference_kind"] == "mittel" and row["reference"] == pytest.approx(200.0)
    assert row["z"] == pytest.approx(-100 / sd)  # -1.2247 -> "deutlich unter"
    assert (row["rank"], row["n"]) == (3, 3)
    assert row["trend"] is None  # no value five years earlier
    assert row["position"] == "abweichend"
    assert row["sentence"] == (
        "Beim Indikator „Anzahl“ liegt A mit 100 Personen deutlich unter dem Mittelwert der Gebiete von 200 Personen."
    )


def test_highest_value_has_rank_one() -> None:
    profile = build_profile(_obs(), INDICATORS, PARENT_OF, "c", "C", 2024, "stadt")
    assert (_row(profile, "quote")["rank"], _row(profile, "anzahl")["rank"]) == (1, 2)


def test_withheld_value_shows_only_its_symbol() -> None:
    profile = build_profile(_obs(), INDICATORS, PARENT_OF, "d", "D", 2024, "stadt")
    row = _row(profile, "quote")
    assert row["display"] == "*"
    assert pd.isna(row["value"]) and pd.isna(row["z"]) and row["rank"] is None
    assert row["sentence"] is None and row["trend"] is None
    table = profile_table(profile)
    assert table.loc[table["Indikator"] == "Quote", "Wert"].item() == "*"
    assert "5,0" not in table.to_string()


def test_rows_follow_lebenslage_order_and_table_is_german() -> None:
    profile = build_profile(_obs(), INDICATORS, PARENT_OF, "a", "A", 2024, "stadt")
    assert profile["indicator"].tolist() == ["anzahl", "quote"]  # Bevölkerung before Einkommen
    table = profile_table(profile)
    quote = table[table["Indikator"] == "Quote"].iloc[0]
    assert quote["Lage zum Vergleichswert"] == "leicht unter dem städtischen Wert (günstig)"  # z = −0,98
    assert quote["Rang"] == "Rang 3 von 3"
    assert quote["Trend"] == "↓ fallend – günstig (seit 2019)"


def test_area_profile_from_database(engine: Engine) -> None:
    profile = area_profile(engine, "rheindorf", 2024)
    assert set(profile["lebenslage"]) >= {"einkommen", "arbeit", "bildung", "gesundheit", "wohnen"}
    sgb2 = _row(profile, "sgb2_quote")
    obs = queries.observations(engine, indicator="sgb2_quote", level="stadtteil")
    year = obs[obs["period"] == 2024]
    own = year.loc[year["area"] == "rheindorf", "value"].item()
    assert sgb2["value"] == pytest.approx(own)
    assert sgb2["n"] == year["value"].notna().sum()
    assert sgb2["rank"] == (year["value"] > own).sum() + 1


def test_the_cached_page_panels_follow_a_renamed_area_and_a_changed_value(
    engine: Engine, query_runs: Counter[str]
) -> None:
    panels = profile_panels(engine, "rheindorf", 2024)
    assert panels is not None and profile_panels(engine, "rheindorf", 2024) is not None
    assert query_runs["profile_panels"] == 1  # the second call came from the cache
    assert profile_panels(engine, "rheindorf", 1950) is None  # no values that year
    assert "Rheindorf" in panels.spine_summary
    with db.session_scope(engine) as session:
        session.execute(update(Area).where(Area.code == "rheindorf").values(name="Rheindorf-Süd"))
    renamed = profile_panels(engine, "rheindorf", 2024)
    assert renamed is not None and "Rheindorf-Süd" in renamed.spine_summary
    own = _row(area_profile(engine, "rheindorf", 2024), "sgb2_quote")["value"]
    with db.session_scope(engine) as session:
        area_id = session.query(Area.id).filter(Area.code == "rheindorf").scalar()
        indicator_id = session.query(Indicator.id).filter(Indicator.key == "sgb2_quote").scalar()
        session.execute(
            update(Observation)
            .where(Observation.area_id == area_id, Observation.indicator_id == indicator_id)
            .where(Observation.period == 2024)
            .values(value=own + 10, numerator=None, denominator=None)
        )
    changed = profile_panels(engine, "rheindorf", 2024)
    assert changed is not None and not changed.spine_table.equals(renamed.spine_table)


def test_projects_of_rheindorf_and_their_activity(engine: Engine) -> None:
    in_2016 = area_activities(engine, "rheindorf", 2016, True)
    # top-level projects only (the BIWAQ sub-projects are not listed separately); running first
    assert len(in_2016) == 3 and set(in_2016["Art"]) == {"Projekt"}
    first = in_2016.iloc[0]
    assert first["Titel"] == "BIWAQ Rheindorf-Nord – RHEINDORFerLEBEN"
    assert (first["Laufzeit"], first["aktiv 2016"]) == ("01.04.2014–31.12.2018", "ja")
    assert first["Status"].endswith("laufend")
    assert (in_2016["aktiv 2016"] == "ja").sum() == 1
    in_2024 = area_activities(engine, "rheindorf", 2024, True)
    assert (in_2024["aktiv 2024"] == "nein").all()
    assert in_2024.loc[in_2024["Titel"] == first["Titel"], "Status"].item().endswith("abgeschlossen")


def test_a_bezirk_includes_its_stadtteile(engine: Engine) -> None:
    bezirk = area_activities(engine, "bezirk-1", 2020, True)
    assert {"Projekt", "Wirkungspaket"} <= set(bezirk["Art"])
    packages = bezirk[bezirk["Art"] == "Wirkungspaket"]
    # Wiesdorf and Hitdorf (both in Stadtbezirk I) have packages 2019–2023
    assert set(packages["Titel"]) == {"Zuhause alt werden in Wiesdorf", "Aufbau Seniorenarbeit Hitdorf"}
    assert (packages["aktiv 2020"] == "ja").all()
    assert bezirk.iloc[0]["aktiv 2020"] == "ja"  # active ones first
    assert area_activities(engine, "bezirk-3", 2020, True)["Titel"].str.contains("Rheindorf").sum() == 0


def test_non_public_indicator_only_for_internal_readers(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.key == "wohngeldquote").values(is_public=False))
    public = area_profile(engine, "rheindorf", 2024, True)
    internal = area_profile(engine, "rheindorf", 2024, False)
    assert "wohngeldquote" not in set(public["indicator"])
    assert "wohngeldquote" in set(internal["indicator"])
    assert len(internal) == len(public) + 1


def test_year_without_values_gives_an_empty_profile_with_all_columns() -> None:
    empty = build_profile(_obs()[_obs()["period"] == 2024], INDICATORS, PARENT_OF, "a", "A", 2023, "stadt")
    assert empty.empty and "sentence" in empty.columns and "is_demo" in empty.columns
    assert build_profile(_obs(), INDICATORS, PARENT_OF, "unbekannt", "X", 2024, "stadt").empty


def test_single_area_has_no_spread_and_no_comparison_words() -> None:
    # 2019: only a has a quote value (12,0 %) and there is no city value -> n 1, no sd, no z
    row = _row(build_profile(_obs(), INDICATORS, PARENT_OF, "a", "A", 2019, "stadt"), "quote")
    assert (row["n"], row["rank"]) == (1, 1)
    assert pd.isna(row["z"]) and row["position"] is None
    assert row["sentence"] == "Beim Indikator „Quote“ liegt A bei 12,0 %."


@pytest.mark.parametrize(("area", "year"), [("manfort", 2019), ("hitdorf", 2014), ("bezirk-1", 2020)])
def test_area_profile_reads_only_what_it_needs_with_the_same_result(
    sqlite_engine: Engine, area: str, year: int
) -> None:
    """The database query keeps two years and, for the earlier one, the siblings only (their
    suppression decides what the trend may use); the profile equals the one built
    from every observation of the area's level and the city."""
    from sozdash.indicators.explorer import parent_map

    areas = queries.areas(sqlite_engine)
    row = areas.set_index("code").loc[area]
    city_level = queries.city_level(sqlite_engine)
    everything = pd.concat(
        [
            queries.observations(sqlite_engine, level=row["level"]),
            queries.observations(sqlite_engine, level=city_level),
        ],
        ignore_index=True,
    )
    full = build_profile(
        everything, queries.indicators(sqlite_engine), parent_map(areas), area, row["name"], year, city_level
    )
    pd.testing.assert_frame_equal(
        area_profile(sqlite_engine, area, year, public_only=False).reset_index(drop=True),
        full.reset_index(drop=True),
    )


def test_profile_links_every_area_up_to_the_limit_and_the_neighbours_above(sqlite_engine: Engine) -> None:
    everything = area_choices(sqlite_engine)  # 13 Stadtteile and 3 Stadtbezirke in the seed
    assert linked_areas(sqlite_engine, "rheindorf", limit=len(everything)) == ("Alle Gebiete", None, everything)
    areas = queries.areas(sqlite_engine).set_index("code")
    parent = areas.loc["rheindorf", "parent_code"]
    title, note, links = linked_areas(sqlite_engine, "rheindorf", limit=5)
    assert title == f"Gebiete in {areas.loc[parent, 'name']}"
    assert set(links) == {parent, *areas.index[areas["parent_code"] == parent]}
    assert "opladen" not in links and len(links) < len(everything)
    assert note is not None and note.startswith(f"Die Stadt hat {len(everything)} Gebiete")
