"""Trend classification: direction with tolerance band, assessment by polarity, arrow and words."""

from __future__ import annotations

import pandas as pd
import pytest

from sozdash.indicators.trends import ABSOLUTE_FLOOR, DEFAULT_TOLERANCE, change_over, classify_change


def test_documented_defaults() -> None:
    assert DEFAULT_TOLERANCE == 0.02
    assert ABSOLUTE_FLOOR == 0.05


def test_rising_unemployment_rate_is_worse() -> None:
    # 8.0 % -> 9.0 %: change +1.0, band max(0.05, 0.02 * 8.0 = 0.16) -> rising
    trend = classify_change(1.0, "higher_worse", previous=8.0)
    assert trend is not None
    assert (trend.direction, trend.assessment, trend.arrow) == ("steigend", "schlechter", "↑")
    assert trend.label == "steigend – ungünstig"


def test_rising_employment_rate_is_better() -> None:
    trend = classify_change(2.5, "higher_better", previous=60.0)  # band 1.2 < 2.5
    assert trend is not None
    assert (trend.direction, trend.assessment, trend.arrow) == ("steigend", "besser", "↑")
    assert trend.label == "steigend – günstig"


def test_falling_unemployment_is_better_and_falling_employment_worse() -> None:
    down_bad = classify_change(-2.5, "higher_better", previous=60.0)
    down_good = classify_change(-1.0, "higher_worse", previous=8.0)
    assert down_bad is not None and down_good is not None
    assert (down_bad.direction, down_bad.assessment, down_bad.arrow) == ("fallend", "schlechter", "↓")
    assert down_bad.label == "fallend – ungünstig"
    assert (down_good.assessment, down_good.label) == ("besser", "fallend – günstig")


def test_within_relative_tolerance_is_flat() -> None:
    # 11.2 -> 11.4: change 0.2 < 2 % of 11.2 = 0.224 -> gleich; 0.23 is just outside
    flat = classify_change(0.2, "higher_worse", previous=11.2)
    assert flat is not None
    assert (flat.direction, flat.assessment, flat.arrow, flat.label) == (
        "gleich",
        "neutral",
        "→",
        "etwa gleich",
    )
    outside = classify_change(0.23, "higher_worse", previous=11.2)
    assert outside is not None and outside.direction == "steigend"


def test_custom_tolerance() -> None:
    # 10 % of 50 = 5: a change of 4 is flat, the default 2 % (= 1) would call it rising
    flat = classify_change(4.0, "higher_better", tolerance=0.10, previous=50.0)
    assert flat is not None and flat.direction == "gleich"
    rising = classify_change(4.0, "higher_better", previous=50.0)
    assert rising is not None and rising.direction == "steigend"


def test_absolute_floor_near_zero() -> None:
    # previous 0.1: relative band 0.002, floor 0.05 wins -> 0.04 flat, 0.06 rising
    flat = classify_change(0.04, "higher_worse", previous=0.1)
    assert flat is not None and flat.direction == "gleich"
    rising = classify_change(0.06, "higher_worse", previous=0.1)
    assert rising is not None and rising.direction == "steigend"
    # without a previous value only the floor applies
    no_prev = classify_change(0.06, "higher_worse")
    assert no_prev is not None and no_prev.direction == "steigend"


def test_neutral_polarity_has_no_assessment() -> None:
    trend = classify_change(500.0, "neutral", previous=10000.0)
    assert trend is not None
    assert (trend.direction, trend.assessment, trend.label) == ("steigend", "neutral", "steigend")


@pytest.mark.parametrize("change", [None, float("nan")])
def test_missing_change_gives_no_trend(change: float | None) -> None:
    assert classify_change(change, "higher_worse") is None


def test_trend_is_frozen() -> None:
    trend = classify_change(1.0, "higher_worse")
    assert trend is not None
    with pytest.raises(AttributeError):
        trend.direction = "fallend"  # type: ignore[misc]


def test_change_over_uses_exact_earlier_year_and_skips_gaps() -> None:
    frame = pd.DataFrame(
        [
            ("a", "sgb2", 2019, 10.0),
            ("a", "sgb2", 2023, 11.0),
            ("a", "sgb2", 2024, 12.0),
            ("b", "sgb2", 2024, 5.0),  # no 2023 value
            ("a", "besch", 2023, 60.0),
            ("a", "besch", 2024, None),  # suppressed
        ],
        columns=["area", "indicator", "period", "value"],
    )
    result = change_over(frame, 1, {"sgb2": "higher_worse", "besch": "higher_better"})
    latest = result[result["period"] == 2024]
    row = latest[(latest["area"] == "a") & (latest["indicator"] == "sgb2")].iloc[0]
    assert row["previous"] == 11.0 and row["change"] == pytest.approx(1.0) and row["previous_period"] == 2023
    assert row["trend"].label == "steigend – ungünstig"
    b = result[(result["area"] == "b")].iloc[0]
    assert pd.isna(b["change"]) and b["trend"] is None
    suppressed = result[(result["indicator"] == "besch") & (result["period"] == 2024)].iloc[0]
    assert suppressed["trend"] is None
    five = change_over(frame, 5, {"sgb2": "higher_worse"})
    row5 = five[(five["area"] == "a") & (five["period"] == 2024)].iloc[0]
    assert row5["previous"] == 10.0 and row5["change"] == pytest.approx(2.0)
    assert len(five) == len(frame)
