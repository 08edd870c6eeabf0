"""Comparison of areas: German table of displayed values and small multiples with one panel per indicator."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from sqlalchemy import Engine, select, update

from sozdash.indicators.comparison import (
    _grid,
    comparison_data,
    comparison_panels,
    comparison_summary,
    comparison_table,
    small_multiples,
)
from sozdash.store import db, queries
from sozdash.store.models import Area, Indicator, Observation

LABELS = {"quote": "Quote", "anzahl": "Anzahl"}
UNITS = {"quote": "%", "anzahl": "Personen"}
CITY_CODE = "05316000"  # the city's area in data/seed/areas.yaml


def _data() -> pd.DataFrame:
    rows = [
        ("a", "A", "quote", 2023, 9.0, "9,0 %"), ("a", "A", "quote", 2024, 10.0, "10,0 %"),
        ("b", "B", "quote", 2024, None, "*"), ("b", "B", "quote", 2023, 21.0, "21,0 %"),
        (CITY_CODE, "Leverkusen", "quote", 2024, 12.5, "12,5 %"),
        ("a", "A", "anzahl", 2024, 1200.0, "1.200 Personen"), ("b", "B", "anzahl", 2024, 800.0, "800 Personen"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["area", "area_name", "indicator", "period", "value", "display"])


def test_table_has_one_column_per_area_and_the_city() -> None:
    table = comparison_table(_data(), ["a", "b"], LABELS, 2024, CITY_CODE)
    assert table.columns.tolist() == ["Indikator", "A", "B", "Leverkusen (Stadt)"]
    assert table.iloc[0].tolist() == ["Quote", "10,0 %", "*", "12,5 %"]
    assert table.iloc[1].tolist() == ["Anzahl", "1.200 Personen", "800 Personen", "–"]


def test_small_multiples_one_panel_per_indicator_and_withheld_values_are_gaps() -> None:
    fig = small_multiples(_data(), ["a", "b"], LABELS, UNITS, CITY_CODE)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Quote (%)", "Anzahl (Personen)"]
    assert len(fig.data) == 6  # 3 lines (A, B, city) in each of 2 panels
    b_quote = fig.data[1]
    assert b_quote.name == "B" and list(b_quote.x) == [2023, 2024]
    assert pd.isna(b_quote.y[1])  # withheld: a gap, never 0
    assert fig.data[2].line.dash == "dash"  # the city differs by line style, not only colour
    assert fig.data[0].marker.symbol != fig.data[1].marker.symbol


def test_summary_names_the_highest_published_value() -> None:
    text = comparison_summary(_data(), ["a", "b"], LABELS, 2024)
    assert "„Quote“: A (10,0 %)" in text  # B is withheld and not mentioned
    assert "„Anzahl“: A (1.200 Personen)" in text


def test_comparison_data_from_database(engine: Engine) -> None:
    data = comparison_data(engine, ("rheindorf", "opladen"), ("sgb2_quote",))
    assert set(data["area"]) == {"rheindorf", "opladen", CITY_CODE}
    assert set(data["period"]) >= {2012, 2024}
    assert data["display"].str.endswith("%").all()


def test_three_panels_grid_by_hand() -> None:
    # 2 columns, 2 rows: width (1 − 0.08) / 2 = 0.46, height (1 − 0.12) / 2 = 0.44
    rows, panels = _grid(3)
    assert rows == 2
    assert panels == [
        ("", [0.0, 0.46], [0.56, 1.0]),
        ("2", [0.54, 1.0], [0.56, 1.0]),
        ("3", [0.0, 0.46], [0.0, 0.44]),
    ]
    labels = {"quote": "Quote", "anzahl": "Anzahl", "dritte": "Dritte"}
    fig = small_multiples(_data(), ["a", "b"], labels, UNITS, CITY_CODE)
    assert fig.layout.yaxis3.domain == (0.0, 0.44)
    assert {t.xaxis for t in fig.data} == {"x", "x2", "x3"}


def test_comparison_data_reads_the_siblings_that_secondary_suppression_needs(engine: Engine) -> None:
    """Rheindorf's 2024 numerator drops below the threshold: its sibling with the smallest count is
    withheld too (".") although only that sibling and an area of another Bezirk are compared."""
    areas = queries.areas(engine).set_index("code")
    parent = areas.loc["rheindorf", "parent_code"]
    siblings = [code for code in areas.index[areas["parent_code"] == parent] if code != "rheindorf"]
    with engine.begin() as conn:
        ids = dict(conn.execute(select(Area.code, Area.id)).all())
        indicator = conn.execute(select(Indicator.id).where(Indicator.key == "sgb2_quote")).scalar_one()
        year = Observation.indicator_id == indicator, Observation.period == 2024
        conn.execute(
            update(Observation).where(*year, Observation.area_id == ids["rheindorf"]).values(numerator=2, value=0.1)
        )
        counts = dict(conn.execute(
            select(Area.code, Observation.numerator).join(Area).where(*year, Area.code.in_(siblings))
        ).all())  # fmt: skip
    smallest = min(siblings, key=lambda code: (counts[code], code))
    elsewhere = str(areas.index[areas["parent_code"].notna() & (areas["parent_code"] != parent)][0])
    data = comparison_data(engine, (smallest, elsewhere), ("sgb2_quote",))
    shown = data[data["period"] == 2024].set_index("area")["display"]
    assert shown[smallest] == "." and shown[elsewhere].endswith("%")


def test_the_cached_page_panels_keep_the_chosen_order_and_follow_a_renamed_indicator(
    engine: Engine, query_runs: Counter[str]
) -> None:
    keys = ("sgb2_quote", "arbeitslosenquote_bev")  # not the catalogue's order: the user's
    panels = comparison_panels(engine, ("rheindorf", "hitdorf"), keys, 2024)
    comparison_panels(engine, ("rheindorf", "hitdorf"), keys, 2024)
    assert query_runs["comparison_panels"] == 1  # the second call came from the cache
    names = queries.indicators(engine).set_index("key")["name"]
    assert list(panels.table["Indikator"]) == [names[key] for key in keys]
    with db.session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.key == "sgb2_quote").values(name="SGB-II-Quote (neu)"))
    renamed = comparison_panels(engine, ("rheindorf", "hitdorf"), keys, 2024)
    assert renamed.table["Indikator"].iloc[0] == "SGB-II-Quote (neu)"
