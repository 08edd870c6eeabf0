"""Similar areas: Euclidean distance of z values, hand-computed on a small example."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import Engine

from sozdash.indicators.similarity import nearest, similar_areas, standardise

# x: mean 1.5, sd sqrt(1.25); y: mean 20, sd sqrt(150) (population sd, ddof 0)
VALUES = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [10.0, 10.0, 20.0, 40.0]}, index=["a", "b", "c", "d"])


def test_standardise_by_hand() -> None:
    z = standardise(VALUES)
    assert z.loc["a", "x"] == pytest.approx(-1.5 / math.sqrt(1.25))
    assert z.loc["d", "y"] == pytest.approx(20 / math.sqrt(150))


def test_nearest_by_hand() -> None:
    result = nearest(VALUES, "a")
    assert result["area"].tolist() == ["b", "c", "d"]
    # b: |1|/sqrt(1.25) = 0.894427; c: sqrt(2²/1.25 + 10²/150) = sqrt(3.866667) = 1.966384
    # d: sqrt(3²/1.25 + 30²/150) = sqrt(13.2) = 3.633180
    assert result["distance"].tolist() == pytest.approx([0.894427, 1.966384, 3.633180], abs=1e-6)


def test_limit_and_rows_with_gaps_are_not_compared() -> None:
    values = pd.concat([VALUES, pd.DataFrame({"x": [1.0], "y": [None]}, index=["e"])])
    result = nearest(values, "a", limit=2)
    assert result["area"].tolist() == ["b", "c"]
    assert "e" not in nearest(values, "a")["area"].tolist()
    assert nearest(values, "e").empty  # the reference itself lacks a value


def test_constant_indicator_is_left_out() -> None:
    values = VALUES.assign(k=5.0)
    assert list(standardise(values).columns) == ["x", "y"]
    assert nearest(values, "a")["distance"].tolist() == pytest.approx(
        [0.894427, 1.966384, 3.633180], abs=1e-6
    )


def test_similar_areas_from_database(engine: Engine) -> None:
    table = similar_areas(engine, "rheindorf", ("sgb2_quote", "kinderarmut_sgb2_u15"), 2024, 3)
    assert table["Gebiet"].tolist()[0] == "Rheindorf"
    assert table["Ähnlichkeit"].tolist()[0] == "Referenzgebiet"
    assert len(table) == 4
    # 13 Stadtteile have both values: the reference is compared with the 12 others
    assert table["Ähnlichkeit"].tolist()[1:] == ["Rang 1 von 12", "Rang 2 von 12", "Rang 3 von 12"]
    distances = [float(d.replace(",", ".")) for d in table["Abstand"][1:]]
    assert distances == sorted(distances) and distances[0] > 0
    assert set(table["Gebiet"][1:]) <= {
        "Wiesdorf", "Manfort", "Hitdorf", "Opladen", "Küppersteg", "Bürrig", "Quettingen",
        "Bergisch Neukirchen", "Schlebusch", "Steinbüchel", "Lützenkirchen", "Alkenrath",
    }  # fmt: skip
    assert table.columns.tolist() == [
        "Gebiet",
        "Ähnlichkeit",
        "Abstand",
        "SGB-II-Quote",
        "Kinderarmut (SGB II, unter 15 Jahren)",
    ]
