"""Aggregation of child observations to parents: quotas from sums, counts summed, gaps propagate."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sozdash.indicators.aggregate import OUTPUT_COLUMNS, aggregate_to_parents

NAN = float("nan")

INDICATORS = pd.DataFrame(
    [
        {"key": "quote", "aggregation": "ratio", "scale": 100},
        {"key": "anzahl", "aggregation": "sum", "scale": 1},
        {"key": "median", "aggregation": "none", "scale": 1},
    ]
)


def _obs(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["area", "indicator", "period", "value", "numerator", "denominator", "status"]
    )


def _row(result: pd.DataFrame, area: str, indicator: str, period: int) -> pd.Series:
    hit = result[(result["area"] == area) & (result["indicator"] == indicator) & (result["period"] == period)]
    assert len(hit) == 1, f"expected exactly one row for {area}/{indicator}/{period}, got {len(hit)}"
    return hit.iloc[0]


def test_ratio_is_quota_of_sums_not_mean_of_quotas() -> None:
    obs = _obs(
        [
            ("a", "quote", 2020, 10.0, 10.0, 100.0, "ok"),
            ("b", "quote", 2020, 15.0, 30.0, 200.0, "ok"),
        ]
    )
    result = aggregate_to_parents(obs, INDICATORS, {"a": "P", "b": "P"})
    assert list(result.columns) == OUTPUT_COLUMNS
    row = _row(result, "P", "quote", 2020)
    # 40 / 300 * 100 = 13.333..., the mean of the two quotas would be 12.5.
    assert row["value"] == pytest.approx(40 / 300 * 100, rel=1e-12)
    assert row["value"] != pytest.approx(12.5)
    assert row["numerator"] == 40
    assert row["denominator"] == 300
    assert row["status"] == "ok"


def test_sum_and_none_indicators() -> None:
    obs = _obs(
        [
            ("a", "anzahl", 2020, 5.0, 5.0, NAN, "ok"),
            ("b", "anzahl", 2020, 7.0, 7.0, NAN, "ok"),
            ("a", "median", 2020, 41.0, NAN, NAN, "ok"),
            ("b", "median", 2020, 45.0, NAN, NAN, "ok"),
        ]
    )
    result = aggregate_to_parents(obs, INDICATORS, {"a": "P", "b": "P"})
    row = _row(result, "P", "anzahl", 2020)
    assert row["value"] == 12
    assert row["numerator"] == 12
    assert math.isnan(row["denominator"])
    assert row["status"] == "ok"
    assert not (result["indicator"] == "median").any()


def test_missing_or_suppressed_child_makes_parent_missing() -> None:
    obs = _obs(
        [
            # Parent P: child b is suppressed.
            ("a", "quote", 2020, 10.0, 10.0, 100.0, "ok"),
            ("b", "quote", 2020, NAN, NAN, 200.0, "suppressed"),
            # Parent Q: child d has no row at all.
            ("c", "anzahl", 2020, 3.0, 3.0, NAN, "ok"),
            # Parent P in 2021: complete.
            ("a", "quote", 2021, 10.0, 10.0, 100.0, "ok"),
            ("b", "quote", 2021, 10.0, 20.0, 200.0, "ok"),
        ]
    )
    result = aggregate_to_parents(obs, INDICATORS, {"a": "P", "b": "P", "c": "Q", "d": "Q"})
    p2020 = _row(result, "P", "quote", 2020)
    assert p2020["status"] == "missing"
    assert math.isnan(p2020["value"]) and math.isnan(p2020["numerator"]) and math.isnan(p2020["denominator"])
    q2020 = _row(result, "Q", "anzahl", 2020)
    assert q2020["status"] == "missing"
    assert math.isnan(q2020["value"])
    p2021 = _row(result, "P", "quote", 2021)
    assert p2021["status"] == "ok"
    assert p2021["value"] == pytest.approx(30 / 300 * 100)
    assert len(result) == 3


def test_estimated_child_makes_parent_estimated_and_unknown_areas_are_ignored() -> None:
    obs = _obs(
        [
            ("a", "quote", 2020, 10.0, 10.0, 100.0, "ok"),
            ("b", "quote", 2020, 15.0, 30.0, 200.0, "estimated"),
            ("x", "quote", 2020, 50.0, 500.0, 1000.0, "ok"),
        ]
    )
    result = aggregate_to_parents(obs, INDICATORS, {"a": "P", "b": "P"})
    row = _row(result, "P", "quote", 2020)
    assert row["status"] == "estimated"
    assert row["value"] == pytest.approx(40 / 300 * 100)
    assert set(result["area"]) == {"P"}


def test_empty_input_gives_empty_frame_with_columns() -> None:
    obs = _obs([("a", "median", 2020, 41.0, NAN, NAN, "ok")])
    result = aggregate_to_parents(obs, INDICATORS, {"a": "P"})
    assert result.empty
    assert list(result.columns) == OUTPUT_COLUMNS
