"""The explorer's data (SQLite and PostgreSQL) and its figures and summaries."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from sozdash.core import maps
from sozdash.indicators import charts
from sozdash.indicators import explorer as iv

META = {"name": "Quote", "unit": "%", "decimals": 1, "polarity": "higher_worse", "aggregation": "ratio"}


def db_value(engine: Engine, area: str, indicator: str, period: int) -> float | None:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT o.value FROM observations o JOIN areas a ON a.id = o.area_id "
                "JOIN indicators i ON i.id = o.indicator_id "
                "WHERE a.code = :a AND i.key = :i AND o.period = :p"
            ),
            {"a": area, "i": indicator, "p": period},
        ).scalar_one_or_none()


def test_level_view_ranks_city_value_and_change(engine: Engine) -> None:
    view = iv.level_view(engine, "sgb2_quote", 2020, "stadtbezirk").set_index("area")
    values = {
        code: db_value(engine, code, "sgb2_quote", 2020) for code in ("bezirk-1", "bezirk-2", "bezirk-3")
    }
    highest = max(values, key=values.get)
    assert view.loc[highest, "rank"] == 1 and set(view["n_ranked"]) == {3}
    assert view["city_value"].iloc[0] == pytest.approx(db_value(engine, "05316000", "sgb2_quote", 2020))
    before = db_value(engine, "bezirk-1", "sgb2_quote", 2019)
    assert view.loc["bezirk-1", "change"] == pytest.approx(values["bezirk-1"] - before)
    assert view.loc["bezirk-1", "previous_period"] == 2019
    assert view["is_demo"].all()


def test_level_view_hides_primary_and_secondary_suppressed_values(engine: Engine) -> None:
    # Seed, ohne_schulabschluss 2014, Stadtbezirk I: Bezirk 45 = Wiesdorf 17 + Rheindorf 19 + Manfort 6
    # + Hitdorf (suppressed) → Hitdorf = 3 would be recoverable unless Manfort (smallest) is hidden too.
    view = iv.level_view(engine, "ohne_schulabschluss", 2014, "stadtteil").set_index("area")
    assert view.loc["hitdorf", "display"] == "*"
    assert view.loc["manfort", "display"] == "."
    assert math.isnan(view.loc["manfort", "value"]) and math.isnan(view.loc["manfort", "numerator"])
    assert view.loc["wiesdorf", "display"] == "10,7 %"  # 17 / 159
    # 6 primary cells (Alkenrath, Bergisch Neukirchen, Bürrig, Hitdorf, Küppersteg, Lützenkirchen);
    # Bezirk II and III each have two or more, so only Bezirk I needs a secondary cell → 13 − 7 = 6
    assert pd.isna(view.loc["manfort", "rank"]) and set(view["n_ranked"]) == {6}


def test_levels_and_years(engine: Engine) -> None:
    assert iv.levels(engine, "sgb2_quote") == ["stadtbezirk", "stadtteil"]
    assert iv.levels(engine, "einwohner_melderegister") == ["stadtbezirk"]
    assert iv.years(engine, "sgb2_quote", "stadtteil") == list(range(2012, 2025))


def test_catalogue_lists_every_indicator_with_coverage(engine: Engine) -> None:
    catalogue = iv.catalogue(engine).set_index("Schlüssel")
    with engine.connect() as conn:
        assert len(catalogue) == conn.execute(text("SELECT count(*) FROM indicators")).scalar_one()
    assert catalogue.loc["sgb2_quote", "Jahre"] == "2012–2024"
    assert catalogue.loc["sgb2_quote", "Abdeckung"] == "100 %"
    assert catalogue.loc["einwohner_melderegister", "Ebenen"] == "Stadt, Stadtbezirk"
    assert catalogue.loc["einwohner_melderegister", "Beispieldaten"] == "nein"
    assert catalogue.loc["sgb2_quote", "Formel"].endswith("× 100")
    assert catalogue.loc["bevoelkerung", "Formel"] == "Personen mit Hauptwohnsitz im Gebiet am 31.12."


def test_search_needs_every_word() -> None:
    frame = pd.DataFrame(
        {"Indikator": ["SGB-II-Quote", "Abiturquote"], "Lebenslage": ["Einkommen", "Bildung"]}
    )
    assert list(iv.search(frame, "quote bildung")["Indikator"]) == ["Abiturquote"]
    assert len(iv.search(frame, "  ")) == 2
    assert iv.search(frame, "Kaffeesatz").empty


def series_frame() -> pd.DataFrame:
    rows = [("x", "Nord", 2019, 10.0), ("x", "Nord", 2023, 11.0), ("x", "Nord", 2024, 12.0),
            ("s", "Stadt", 2023, 8.0), ("s", "Stadt", 2024, 8.04)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["area", "area_name", "period", "value"])
    return frame.assign(display=[f"{v:.1f} %".replace(".", ",") for v in frame["value"]])


def test_change_rows_with_polarity_and_words() -> None:
    table = iv.change_rows(series_frame(), ["x", "s"], 2024, META).set_index("Gebiet")
    assert table.loc["Nord", "Wert 2024"] == "12,0 %"
    assert table.loc["Nord", "Veränderung seit 2023"] == "+1,0 Prozentpunkte"
    assert table.loc["Nord", "Trend seit 2023"] == "↑ steigend – ungünstig"
    assert table.loc["Nord", "Veränderung seit 2019"] == "+2,0 Prozentpunkte"
    assert table.loc["Stadt", "Trend seit 2023"] == "→ etwa gleich"  # 0.04 is within the band
    assert table.loc["Stadt", "Veränderung seit 2019"] == "–"
    assert table.loc["Stadt", "Trend seit 2019"] == "keine Angabe"
    better = iv.change_rows(series_frame(), ["x"], 2024, META | {"polarity": "higher_better"})
    assert better["Trend seit 2023"].iloc[0] == "↑ steigend – günstig"


def small_view() -> pd.DataFrame:
    return pd.DataFrame({
        "area": ["rh", "bn", "op", "hi"], "name": ["Rheindorf", "Bergisch Neukirchen", "Opladen", "Hitdorf"],
        "value": [21.3, 3.1, 9.0, math.nan], "display": ["21,3 %", "3,1 %", "9,0 %", "*"],
        "symbol": [None, None, None, "*"], "city_value": 10.2, "city_display": "10,2 %",
        "deviation": [11.1, -7.1, -1.2, math.nan], "rank": pd.array([1, 3, 2, None], dtype="Int64"), "n_ranked": 3,
        "change": [0.5, math.nan, -0.25, math.nan], "previous_period": 2023,
        "change_display": ["+0,5", "–", "−0,3", "–"], "is_demo": True,
    })  # fmt: skip


def test_ranking_summary_sentence() -> None:
    assert charts.ranking_summary(small_view(), META) == (
        "Den höchsten Wert hat Rheindorf mit 21,3 %, den niedrigsten Bergisch Neukirchen mit 3,1 %; "
        "der Stadtwert liegt bei 10,2 %. Über dem Stadtwert: 1 von 3 Gebieten. "
        "Geheim gehalten (Fallzahl zu klein): Hitdorf."
    )


def test_tooltip_has_rank_city_and_change_and_hides_withheld() -> None:
    texts = charts.tooltips(small_view(), META)
    assert texts.iloc[0].split("\n") == [
        "Rheindorf", "Wert: 21,3 %", "Rang 1 von 3 (1 = höchster Wert)", "Stadt: 10,2 %",
        "Veränderung zu 2023: +0,5 Prozentpunkte",
    ]  # fmt: skip
    assert texts.iloc[3].split("\n")[1].startswith("Wert: * – geheim gehalten")
    assert texts.iloc[2].split("\n")[-1].startswith("Veränderung zu 2023: −0,")
    assert len(texts.iloc[1].split("\n")) == 4  # no change without a previous value


def test_ranking_figure_marks_selection_not_only_by_colour() -> None:
    fig = charts.ranking_figure(small_view(), META, "op")
    bars, chosen = fig.data
    assert list(bars.y) == ["Bergisch Neukirchen", "Rheindorf"] and list(chosen.y) == [
        "▶ Opladen (ausgewählt)"
    ]
    assert (bars.marker.pattern.shape, chosen.marker.pattern.shape) == ("", "/")  # not colour alone
    assert (bars.marker.line.width, chosen.marker.line.width) == (0, 3)
    assert fig.layout.barmode == "overlay"  # each bar keeps its full width
    assert list(fig.layout.yaxis.categoryarray) == [
        "Hitdorf",
        "Bergisch Neukirchen",
        "▶ Opladen (ausgewählt)",
        "Rheindorf",
    ]
    assert fig.layout.separators == ",."
    assert any(a.y == "Hitdorf" and a.text.startswith("*") for a in fig.layout.annotations)
    assert fig.layout.shapes[0].x0 == 10.2  # city reference line


def test_series_summary_and_table() -> None:
    frame = series_frame()
    assert charts.series_summary(frame, ["x"], "s") == (
        "Entwicklung: Nord von 10,0 % (2019) auf 12,0 % (2024); die Stadt von 8,0 % (2023) auf 8,0 % (2024)."
    )
    table = charts.series_table(frame, ["x"], "s")
    assert list(table.columns) == ["Jahr", "Nord", "Stadt"]
    assert table.set_index("Jahr").loc[2019, "Stadt"] == "–"


def test_map_deck_colours_withheld_grey_and_labels_every_area() -> None:
    square = {"type": "Polygon", "coordinates": [[[7.0, 51.0], [7.01, 51.0], [7.01, 51.01], [7.0, 51.0]]]}
    view = small_view()
    geometries = {code: square for code in view["area"]}
    classes, legend = charts.map_classes(view, META, "quantiles", 3, deviation=False)
    deck = charts.map_deck(view, geometries, META, classes, False, "rh")
    features = {f["properties"]["code"]: f["properties"] for f in deck.layers[0].data["features"]}
    assert features["hi"]["fill"][:3] == [150, 150, 150]
    assert features["rh"]["width"] == 4  # selected outline
    # All four areas lie on one spot: no name fits beside the others' numbers, so each is keyed.
    assert {"Hitdorf: *", "Rheindorf: 21,3 %"} <= set(maps.label_key(deck)["Gebiet"])
    assert {label["text"] for label in deck.layers[1].data} == {"1", "2", "3", "4"}
    assert list(legend["Gebiete"]) == [1, 1, 1, 1]
    assert deck.map_provider is None


def test_clicked_area_reads_the_picked_feature() -> None:
    event = {"selection": {"objects": {"areas": [{"type": "Feature", "properties": {"code": "rh"}}]}}}
    assert charts.clicked_area(event) == "rh"
    assert charts.clicked_area({"selection": {"objects": {}}}) is None
    assert charts.clicked_area(None) is None
