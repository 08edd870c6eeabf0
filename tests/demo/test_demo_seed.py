"""The committed demo seed: indicator catalogue, demo observations and schematic shapes."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from shapely.geometry import Point, shape

from sozdash.core.paths import SEED_DIR
from sozdash.core.vocab import AGGREGATION, LEBENSLAGEN, POLARITY
from sozdash.demo.generator import GEOJSON_FILE, OBSERVATIONS_FILE, OUTPUT_COLUMNS, write_demo_seed
from sozdash.store.models import Indicator

BEZIRK_2021 = {"bezirk-1": 48569, "bezirk-2": 60657, "bezirk-3": 57767}


@pytest.fixture(scope="module")
def areas() -> list[dict]:
    return yaml.safe_load((SEED_DIR / "areas.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return pd.DataFrame(yaml.safe_load((SEED_DIR / "indicators.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return pd.read_csv(SEED_DIR / OBSERVATIONS_FILE, dtype={"area": str, "symbol": str, "note": str})


@pytest.fixture(scope="module")
def geojson() -> dict:
    return json.loads((SEED_DIR / GEOJSON_FILE).read_text(encoding="utf-8"))


# --- Indicator catalogue ----------------------------------------------------------------


def test_indicator_columns_match_model(indicators: pd.DataFrame) -> None:
    model_columns = {c.name for c in Indicator.__table__.columns} - {"id"}
    assert set(indicators.columns) == model_columns
    assert indicators["key"].is_unique
    assert len(indicators) >= 26
    assert set(indicators["lebenslage"]) <= set(LEBENSLAGEN)
    assert set(indicators["polarity"]) <= set(POLARITY)
    assert set(indicators["aggregation"]) <= set(AGGREGATION)
    assert (indicators["aggregation"] == "none").any()
    assert indicators["is_public"].all()
    assert indicators["source"].str.len().gt(0).all()
    ratio = indicators[indicators["aggregation"] == "ratio"]
    assert ratio["numerator_definition"].notna().all() and ratio["denominator_definition"].notna().all()


def test_every_lebenslage_has_two_indicators(indicators: pd.DataFrame) -> None:
    counts = Counter(indicators["lebenslage"])
    for key in LEBENSLAGEN:
        minimum = 1 if key == "bevoelkerung" else 2
        assert counts[key] >= minimum, f"Lebenslage {key} has only {counts[key]} indicators"


def test_required_indicators_present(indicators: pd.DataFrame) -> None:
    required = {
        "sgb2_quote",
        "kinderarmut_sgb2_u15",
        "grundsicherung_alter",
        "arbeitslosenquote_bev",
        "jugendquotient",
        "altenquotient",
        "alleinerziehende_anteil",
        "nichtdeutsche_anteil",
        "wohngeldquote",
        "uebergangsquote_gymnasium",
        "seu_sprachdefizite",
        "pflegebeduerftige_quote",
        "bevoelkerung",
        "bevoelkerung_65plus",
        "bevoelkerung_u18",
        "einwohner_melderegister",
        "einwohner_amtlich",
    }
    assert required <= set(indicators["key"])
    by_key = indicators.set_index("key")
    for key in (
        "bevoelkerung",
        "bevoelkerung_65plus",
        "bevoelkerung_u18",
        "einwohner_melderegister",
        "einwohner_amtlich",
    ):
        assert by_key.loc[key, "aggregation"] == "sum"
    assert by_key.loc["einwohner_amtlich", "source"].startswith("IT.NRW")


# --- Demo observations ------------------------------------------------------------------


def test_observation_columns_and_source(obs: pd.DataFrame) -> None:
    assert list(obs.columns) == OUTPUT_COLUMNS
    assert obs["source"].str.startswith("Beispieldaten (erfunden, nicht amtlich)").all()
    assert obs["note"].isna().all()
    assert not obs.duplicated(["area", "indicator", "period"]).any()
    assert set(obs["period"]) == set(range(2012, 2025))
    assert not obs["indicator"].isin(["einwohner_melderegister", "einwohner_amtlich"]).any()


def test_all_areas_and_indicators_covered(
    obs: pd.DataFrame, areas: list[dict], indicators: pd.DataFrame
) -> None:
    stadtteile = {a["code"] for a in areas if a["level"] == "stadtteil"}
    assert len(stadtteile) == 13
    generated = set(indicators["key"]) - {"einwohner_melderegister", "einwohner_amtlich"}
    for code in stadtteile:
        assert set(obs.loc[obs["area"] == code, "indicator"]) == generated
    aggregable = set(indicators.loc[indicators["aggregation"] != "none", "key"]) & generated
    for code in ("bezirk-1", "bezirk-2", "bezirk-3", "05316000"):
        assert set(obs.loc[obs["area"] == code, "indicator"]) == aggregable
    assert len(obs) == 13 * 13 * len(generated) + 4 * 13 * len(aggregable)


def test_ratio_values_equal_numerator_over_denominator(obs: pd.DataFrame, indicators: pd.DataFrame) -> None:
    meta = indicators.set_index("key")
    rows = obs[obs["indicator"].map(meta["aggregation"]).eq("ratio") & obs["status"].eq("ok")]
    assert len(rows) > 1000
    expected = rows["numerator"] / rows["denominator"] * rows["indicator"].map(meta["scale"])
    for value, exp in zip(rows["value"], expected, strict=True):
        assert math.isclose(value, exp, rel_tol=1e-9)


def test_counts_are_integer_and_numerator_le_denominator(obs: pd.DataFrame) -> None:
    both = obs.dropna(subset=["numerator", "denominator"])
    assert (both["numerator"] <= both["denominator"]).all()
    for col in ("numerator", "denominator"):
        values = obs[col].dropna()
        assert (values >= 0).all()
        assert (values == values.round()).all()


def test_population_2021_matches_register_per_bezirk(obs: pd.DataFrame, areas: list[dict]) -> None:
    pop = obs[(obs["indicator"] == "bevoelkerung") & (obs["period"] == 2021)].set_index("area")["value"]
    parent = {a["code"]: a["parent"] for a in areas if a["level"] == "stadtteil"}
    sums = pop[pop.index.isin(list(parent))].groupby(lambda code: parent[code]).sum()
    for bezirk, total in BEZIRK_2021.items():
        assert sums[bezirk] == total
        assert pop[bezirk] == total
    assert pop["05316000"] == sum(BEZIRK_2021.values())


def test_age_groups_consistent(obs: pd.DataFrame) -> None:
    wide = obs[
        obs["indicator"].isin(["bevoelkerung", "bevoelkerung_65plus", "bevoelkerung_u18"])
    ].pivot_table(index=["area", "period"], columns="indicator", values="value")
    share65 = wide["bevoelkerung_65plus"] / wide["bevoelkerung"]
    share18 = wide["bevoelkerung_u18"] / wide["bevoelkerung"]
    assert share65.between(0.19, 0.26).all()
    assert share18.between(0.15, 0.19).all()
    city = wide.loc["05316000"]
    assert (city["bevoelkerung_65plus"] / city["bevoelkerung"]).between(0.21, 0.24).all()


def test_suppressed_rows(obs: pd.DataFrame, indicators: pd.DataFrame) -> None:
    suppressed = obs[obs["status"] == "suppressed"]
    assert len(suppressed) >= 1
    assert suppressed["value"].isna().all()
    assert suppressed["numerator"].isna().all()
    assert suppressed["denominator"].notna().all()
    assert (suppressed["symbol"] == "*").all()
    threshold = obs["indicator"].map(indicators.set_index("key")["suppression_threshold"])
    shown = obs["status"] == "ok"
    assert not (shown & (obs["numerator"] < threshold)).any()
    assert obs.loc[shown, "value"].notna().all()
    assert obs.loc[shown, "symbol"].isna().all()


def test_parents_aggregate_true_child_counts(
    obs: pd.DataFrame, areas: list[dict], indicators: pd.DataFrame
) -> None:
    """Where no Stadtteil is suppressed, the city's numerator is the sum of the Stadtteile's."""
    stadtteile = [a["code"] for a in areas if a["level"] == "stadtteil"]
    ratio_keys = set(indicators.loc[indicators["aggregation"] == "ratio", "key"])
    children = obs[obs["area"].isin(stadtteile) & obs["indicator"].isin(ratio_keys)]
    complete = children.groupby(["indicator", "period"]).filter(lambda g: g["numerator"].notna().all())
    sums = complete.groupby(["indicator", "period"])[["numerator", "denominator"]].sum()
    city = obs[obs["area"] == "05316000"].set_index(["indicator", "period"])
    joined = sums.join(city[["numerator", "denominator"]].add_suffix("_city"))
    assert len(joined) > 100
    assert (joined["numerator"] == joined["numerator_city"]).all()
    assert (joined["denominator"] == joined["denominator_city"]).all()


def test_social_gradient(obs: pd.DataFrame) -> None:
    sgb2 = obs[(obs["indicator"] == "sgb2_quote") & (obs["period"] == 2021)].set_index("area")["value"]
    for high in ("rheindorf", "wiesdorf", "manfort"):
        for low in ("bergisch-neukirchen", "steinbuechel", "luetzenkirchen"):
            assert sgb2[high] > sgb2[low]


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    write_demo_seed(tmp_path)
    for name in (OBSERVATIONS_FILE, GEOJSON_FILE):
        assert (tmp_path / name).read_bytes() == (SEED_DIR / name).read_bytes(), f"{name} differs"


# --- Schematic shapes -------------------------------------------------------------------


def test_schematic_features_valid(geojson: dict, areas: list[dict]) -> None:
    assert geojson["type"] == "FeatureCollection"
    features = geojson["features"]
    assert {f["properties"]["code"] for f in features} == {a["code"] for a in areas}
    for feature in features:
        props = feature["properties"]
        assert set(props) == {"code", "geometry_quality", "source"}
        assert props["geometry_quality"] == "schematic"
        assert "keine amtliche Grenze" in props["source"]
        geom = shape(feature["geometry"])
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        assert geom.is_valid and not geom.is_empty, props["code"]
        minx, miny, maxx, maxy = geom.bounds
        assert minx >= 6.88 and maxx <= 7.14 and miny >= 50.99 and maxy <= 51.11


def test_schematic_centres_inside_own_cell(geojson: dict, areas: list[dict]) -> None:
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in geojson["features"]}
    stadtteile = [a for a in areas if a["level"] == "stadtteil"]
    for area in stadtteile:
        centre = Point(area["centroid_lon"], area["centroid_lat"])
        assert shapes[area["code"]].contains(centre), area["code"]
        for other in stadtteile:
            if other["code"] != area["code"]:
                assert not shapes[other["code"]].contains(centre)
    # Bezirk shapes are the unions of their Stadtteile and together cover the city.
    bezirk_area = sum(shapes[b].area for b in BEZIRK_2021)
    assert bezirk_area == pytest.approx(shapes["05316000"].area, rel=1e-4)
    stadtteil_area = sum(shapes[a["code"]].area for a in stadtteile)
    assert stadtteil_area == pytest.approx(shapes["05316000"].area, rel=1e-4)
