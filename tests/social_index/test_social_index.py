"""The social index against a hand-computed example (numbers worked out in the comments).

Seven districts A–G. G has 200 inhabitants (< 300) and extreme values: it must not distort
anything. Indicators: ``armut`` and ``kinderarmut`` (Lebenslage einkommen, higher is worse,
weight 1 each), ``abitur`` (bildung, higher is better, weight 2). Reference year 2024, span 2.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sozdash.social_index.compute import IndexConfig, attention, compute_index, matrix

CATALOGUE = pd.DataFrame({
    "key": ["armut", "kinderarmut", "abitur", "bevoelkerung", "anzahl"],
    "lebenslage": ["einkommen", "einkommen", "bildung", "bevoelkerung", "einkommen"],
    "polarity": ["higher_worse", "higher_worse", "higher_better", "neutral", "higher_worse"],
    "aggregation": ["ratio", "ratio", "ratio", "sum", "sum"],
})  # fmt: skip
CONFIG = IndexConfig({"armut": 1.0, "kinderarmut": 1.0, "abitur": 2.0}, reference_year=2024, span=2)

# 2024 values. Rated districts A–F:
# armut:       7  8 10 11 11 13 → mean 10, deviations −3 −2 0 1 1 3, Σd² = 24, sd = √(24/6) = 2
#              z = −1,5 −1 0 0,5 0,5 1,5; higher is worse → score = −z = 1,5 1 0 −0,5 −0,5 −1,5
# kinderarmut: 28 33 27 31 31 30 → mean 30, d = −2 3 −3 1 1 0, Σd² = 24, sd = 2
#              z = −1 1,5 −1,5 0,5 0,5 0 → score = 1 −1,5 1,5 −0,5 −0,5 0
# abitur:      42 42 40 46 36 34 → mean 40, d = 2 2 0 6 −4 −6, Σd² = 96, sd = √16 = 4
#              z = score = 0,5 0,5 0 1,5 −1 −1,5
# 2022 (base of the dynamics): armut and kinderarmut unchanged (change 0 everywhere → no spread →
# left out of the dynamics); abitur 37 41 40 47 39 30 → change 5 1 0 −1 −3 4.
VALUES = {
    "A": (7, 28, 42, 37), "B": (8, 33, 42, 41), "C": (10, 27, 40, 40),
    "D": (11, 31, 46, 47), "E": (11, 31, 36, 39), "F": (13, 30, 34, 30), "G": (30, 50, 10, 10),
}  # fmt: skip
POPULATION = {"A": 1000, "B": 1000, "C": 1000, "D": 1000, "E": 1000, "F": 1000, "G": 200}


def observations(overrides: dict[tuple[str, str, int], float | None] | None = None) -> pd.DataFrame:
    rows = []
    for area, (armut, kinder, abitur, abitur_2022) in VALUES.items():
        for period, values in ((2024, (armut, kinder, abitur)), (2022, (armut, kinder, abitur_2022))):
            for key, value in zip(("armut", "kinderarmut", "abitur"), values, strict=True):
                rows.append((area, key, period, float(value)))
            rows.append((area, "bevoelkerung", period, float(POPULATION[area])))
    frame = pd.DataFrame(rows, columns=["area", "indicator", "period", "value"])
    frame["status"] = "ok"
    for (area, key, period), value in (overrides or {}).items():
        at = (frame["area"] == area) & (frame["indicator"] == key) & (frame["period"] == period)
        frame.loc[at, ["value", "status"]] = (np.nan, "suppressed") if value is None else (value, "ok")
    return frame.assign(area_name="Gebiet " + frame["area"], level="stadtteil", is_demo=False)


def by_area(result, column: str) -> dict[str, object]:
    return dict(zip(result.areas["area"], result.areas[column], strict=True))


def test_z_scores_and_signs_by_hand():
    result = compute_index(observations(), CATALOGUE, CONFIG)
    c = result.contributions.set_index(["area", "indicator"])
    assert c.loc[("A", "armut"), "mean"] == pytest.approx(10)
    assert c.loc[("A", "armut"), "sd"] == pytest.approx(2)
    assert c.loc[("A", "armut"), "z"] == pytest.approx(-1.5)
    assert c.loc[("A", "armut"), "score"] == pytest.approx(1.5)  # low poverty is good
    assert c.loc[("B", "kinderarmut"), "score"] == pytest.approx(-1.5)
    assert c.loc[("D", "abitur"), "sd"] == pytest.approx(4)
    assert c.loc[("D", "abitur"), "score"] == pytest.approx(1.5)  # high Abitur rate is good
    assert math.isnan(c.loc[("G", "armut"), "z"])  # G is excluded, not standardised


def test_sub_indices_by_hand():
    # einkommen raw = (score armut + score kinderarmut) / 2:
    #   A 1,25  B −0,25  C 0,75  D −0,5  E −0,5  F −0,75 → mean 0, Σ² = 3,25, sd = √(3,25/6) = 0,735980
    #   standardised: A 1,698416  B −0,339683  C 1,019049  D −0,679366  E −0,679366  F −1,019049
    # bildung = abitur score, already mean 0 / sd 1: A 0,5 B 0,5 C 0 D 1,5 E −1 F −1,5
    result = compute_index(observations(), CATALOGUE, CONFIG)
    sub = result.lebenslagen.set_index(["area", "lebenslage"])["sub_index"]
    expected_einkommen = {
        "A": 1.698416,
        "B": -0.339683,
        "C": 1.019049,
        "D": -0.679366,
        "E": -0.679366,
        "F": -1.019049,
    }
    for area, value in expected_einkommen.items():
        assert sub[(area, "einkommen")] == pytest.approx(value, abs=1e-5)
    for area, value in {"A": 0.5, "B": 0.5, "C": 0.0, "D": 1.5, "E": -1.0, "F": -1.5}.items():
        assert sub[(area, "bildung")] == pytest.approx(value, abs=1e-9)
    assert math.isnan(sub[("G", "einkommen")])


def test_status_index_and_classes_by_hand():
    # raw = (1·armut + 1·kinderarmut + 2·abitur) / 4:
    #   A (1,5 + 1 + 1)/4 = 0,875   B (1 − 1,5 + 1)/4 = 0,125   C (0 + 1,5 + 0)/4 = 0,375
    #   D (−0,5 − 0,5 + 3)/4 = 0,5  E (−0,5 − 0,5 − 2)/4 = −0,75  F (−1,5 + 0 − 3)/4 = −1,125
    #   mean 0; Σ² = 0,765625 + 0,015625 + 0,140625 + 0,25 + 0,5625 + 1,265625 = 3 → sd = √0,5
    #   Z = raw · √2: A 1,237437 B 0,176777 C 0,530330 D 0,707107 E −1,060660 F −1,590990
    # classes (≥ +1 hoch, ≥ −1 mittel, ≥ −1,5 niedrig, else sehr niedrig):
    #   A hoch, B/C/D mittel, E niedrig, F sehr niedrig; G nicht bewertet (200 < 300)
    result = compute_index(observations(), CATALOGUE, CONFIG)
    raw = by_area(result, "status_raw")
    assert (raw["A"], raw["F"]) == (pytest.approx(0.875), pytest.approx(-1.125))
    status = by_area(result, "status_index")
    expected = {"A": 1.237437, "B": 0.176777, "C": 0.530330, "D": 0.707107, "E": -1.060660, "F": -1.590990}
    for area, value in expected.items():
        assert status[area] == pytest.approx(value, abs=1e-5)
    assert by_area(result, "status_class") == {
        "A": "hoch", "B": "mittel", "C": "mittel", "D": "mittel", "E": "niedrig", "F": "sehr_niedrig",
        "G": "nicht_bewertet",
    }  # fmt: skip


def test_dynamics_matrix_and_attention_by_hand():
    # abitur change 5 1 0 −1 −3 4 → mean 1, d = 4 0 −1 −2 −4 3, Σd² = 46, sd = √(46/6) = 2,768875
    # z = A 1,444630 B 0 C −0,361158 D −0,722315 E −1,444630 F 1,083473 (higher better: sign +1).
    # It is the only indicator with a change (weight 2 of 4 = the minimum share 0,5), so D = z.
    # classes (±0,5): A positiv, B stabil, C stabil, D negativ, E negativ, F positiv
    # attention: E (niedrig + negativ) and F (sehr niedrig); not D (mittel + negativ)
    result = compute_index(observations(), CATALOGUE, CONFIG)
    dynamics = by_area(result, "dynamics_index")
    for area, value in {
        "A": 1.444630,
        "B": 0.0,
        "C": -0.361158,
        "D": -0.722315,
        "E": -1.444630,
        "F": 1.083473,
    }.items():
        assert dynamics[area] == pytest.approx(value, abs=1e-5)
    assert by_area(result, "dynamics_class") == {
        "A": "positiv", "B": "stabil", "C": "stabil", "D": "negativ", "E": "negativ", "F": "positiv",
        "G": "nicht_bewertet",
    }  # fmt: skip
    assert {a for a, flag in by_area(result, "attention").items() if flag} == {"E", "F"}
    cells = matrix(result)
    assert cells.at["hoch", "positiv"] == ["Gebiet A"]
    assert cells.at["mittel", "stabil"] == ["Gebiet B", "Gebiet C"]
    assert cells.at["mittel", "negativ"] == ["Gebiet D"]
    assert cells.at["niedrig", "negativ"] == ["Gebiet E"]
    assert cells.at["sehr_niedrig", "positiv"] == ["Gebiet F"]
    assert sum(len(names) for names in cells.to_numpy().ravel()) == 6  # G is in no cell


def test_attention_rule_on_its_own():
    status = np.array(["sehr_niedrig", "sehr_niedrig", "niedrig", "niedrig", "niedrig", "mittel"])
    dynamics = np.array(["positiv", "negativ", "negativ", "stabil", "positiv", "negativ"])
    assert attention(status, dynamics).tolist() == [True, True, True, False, False, False]


def test_small_area_excluded_and_included_when_large_enough():
    result = compute_index(observations(), CATALOGUE, CONFIG)
    g = result.areas.set_index("area").loc["G"]
    assert not g["rated"]
    assert g["reason"] == "weniger als 300 Einwohner"
    # With min_population 100, G enters: armut values 7 8 10 11 11 13 30 → mean 90/7 ≠ 10.
    lowered = compute_index(observations(), CATALOGUE, IndexConfig(CONFIG.indicators, min_population=100))
    assert lowered.contributions.set_index(["area", "indicator"]).loc[
        ("A", "armut"), "mean"
    ] == pytest.approx(90 / 7)
    # G is the outlier on every indicator (armut: d = 30 − 12,86 = 17,14, sd = √(366,9/7) = 7,24,
    # z ≈ +2,37 → score ≈ −2,37; likewise for the others), so its index is far below −1,5.
    assert lowered.areas.set_index("area").loc["G", "status_class"] == "sehr_niedrig"


def test_suppressed_value_left_out_for_that_area_only():
    # kinderarmut of B suppressed: the mean uses A C D E F = (28 + 27 + 31 + 31 + 30) / 5 = 29,4.
    result = compute_index(observations({("B", "kinderarmut", 2024): None}), CATALOGUE, CONFIG)
    c = result.contributions.set_index(["area", "indicator"])
    assert c.loc[("A", "kinderarmut"), "mean"] == pytest.approx(29.4)
    assert math.isnan(c.loc[("B", "kinderarmut"), "score"])
    # B keeps its status: weight available 1 + 2 = 3 of 4 ≥ half.
    assert result.areas.set_index("area").loc["B", "rated"]


def test_area_with_too_few_values_not_rated():
    # C keeps only armut (weight 1 of 4 < 0,5) → nicht bewertet (zu wenige Werte).
    result = compute_index(
        observations({("C", "kinderarmut", 2024): None, ("C", "abitur", 2024): None}), CATALOGUE, CONFIG
    )
    c = result.areas.set_index("area").loc["C"]
    assert (c["rated"], c["status_class"], c["reason"]) == (False, "nicht_bewertet", "zu wenige Werte")


def test_records_roundtrip_keeps_every_number():
    result = compute_index(observations(), CATALOGUE, CONFIG)
    again = type(result).from_records(result.to_records(), CONFIG, 2024, is_demo=False)
    pd.testing.assert_frame_equal(result.areas, again.areas, check_dtype=False)
    pd.testing.assert_frame_equal(result.contributions, again.contributions, check_dtype=False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"indicators": {"bevoelkerung": 1.0}}, "Neutrale Indikatoren"),
        ({"indicators": {"anzahl": 1.0}}, "Absolute Zahlen"),
        ({"indicators": {"armut": 0.0}}, "Gewichte"),
        ({"status_low": -2.0}, "Schwellen"),
        ({"span": 0}, "Zeitraum"),
        ({"indicators": {}}, "mindestens einen Indikator"),
    ],
)
def test_invalid_definitions_are_refused_in_german(change: dict, message: str):
    config = IndexConfig.from_json({**CONFIG.to_json(), **change})
    with pytest.raises(ValueError, match=message):
        compute_index(observations(), CATALOGUE, config)


def test_year_without_data_is_a_clear_message():
    with pytest.raises(ValueError, match="Für 2019 liegen"):
        compute_index(observations(), CATALOGUE, CONFIG, 2019)
