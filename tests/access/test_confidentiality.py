"""Primary and secondary suppression against hand-made examples."""

from __future__ import annotations

import math

import pandas as pd

from sozdash.access.confidentiality import apply_confidentiality

INDICATORS = pd.DataFrame(
    [
        {"key": "quote", "unit": "%", "decimals": 1, "aggregation": "ratio", "suppression_threshold": 4},
        {
            "key": "anzahl",
            "unit": "Personen",
            "decimals": 0,
            "aggregation": "sum",
            "suppression_threshold": 4,
        },
        {
            "key": "alter",
            "unit": "Jahre",
            "decimals": 1,
            "aggregation": "none",
            "suppression_threshold": None,
        },
    ]
)
PARENT_OF = {
    "a": "B1",
    "b": "B1",
    "c": "B1",
    "d": "B2",
    "e": "B2",
    "f": "B2",
    "g": "B3",
    "h": "B3",
    "i": "B3",
}
PARENT_OF |= {"B1": "S", "B2": "S", "B3": "S"}


def row(
    area: str, value: float | None, numerator: float | None, status: str = "ok", symbol=None, **kw
) -> dict:
    return {"area": area, "indicator": kw.get("indicator", "quote"), "period": kw.get("period", 2024),
            "value": value, "numerator": numerator, "denominator": 100.0, "status": status, "symbol": symbol}  # fmt: skip


def by_area(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("area")


def test_primary_below_threshold_and_secondary_smallest_sibling() -> None:
    obs = pd.DataFrame([row("a", 2.0, 2), row("b", 10.0, 10), row("c", 30.0, 30), row("B1", 42.0 / 3, 42)])
    out = by_area(apply_confidentiality(obs, INDICATORS, PARENT_OF))
    # a: 2 < 4 → primary; without b hidden, a = 42 − 10 − 30 = 2 could be recomputed
    assert out.loc["a", "display"] == "*" and out.loc["a", "suppression"] == "primary"
    assert out.loc["b", "display"] == "." and out.loc["b", "suppression"] == "secondary"
    assert out.loc["c", "display"] == "30,0 %" and out.loc["c", "suppression"] is None
    assert math.isnan(out.loc["a", "value"]) and math.isnan(out.loc["b", "numerator"])
    assert list(out.loc[["a", "b"], "status"]) == ["suppressed", "suppressed"]
    assert out.loc["B1", "display"] == "14,0 %"  # the parent itself stays (its own siblings are absent)


def test_status_suppressed_counts_as_primary_and_ties_break_by_code() -> None:
    obs = pd.DataFrame([row("d", None, None, "suppressed", "*"), row("f", 12.0, 12), row("e", 12.0, 12)])
    out = by_area(apply_confidentiality(obs, INDICATORS, PARENT_OF))
    assert out.loc["d", "display"] == "*"
    assert out.loc["e", "display"] == "."  # equal counts: the first code is hidden
    assert out.loc["f", "display"] == "12,0 %"


def test_two_primary_cells_need_no_secondary_suppression() -> None:
    obs = pd.DataFrame([row("g", 1.0, 1), row("h", 3.0, 3), row("i", 50.0, 50)])
    out = by_area(apply_confidentiality(obs, INDICATORS, PARENT_OF))
    assert list(out["display"]) == ["*", "*", "50,0 %"]


def test_rule_applies_per_period_and_on_every_level() -> None:
    obs = pd.DataFrame([
        row("a", 2.0, 2, period=2023), row("b", 10.0, 10, period=2023), row("c", 30.0, 30, period=2023),
        row("a", 20.0, 20), row("b", 10.0, 10), row("c", 30.0, 30),
        row("B1", 5.0, 3), row("B2", 40.0, 40), row("B3", 9.0, 9),
    ])  # fmt: skip
    out = apply_confidentiality(obs, INDICATORS, PARENT_OF)
    shown = dict(zip(zip(out["area"], out["period"], strict=True), out["display"], strict=True))
    assert shown[("b", 2023)] == "." and shown[("b", 2024)] == "10,0 %"
    # Bezirke are children of the city: B1 primary (3 < 4), B3 (9) is the smallest sibling
    assert (shown[("B1", 2024)], shown[("B3", 2024)], shown[("B2", 2024)]) == ("*", ".", "40,0 %")


def test_sum_indicator_uses_the_value_as_count() -> None:
    obs = pd.DataFrame([
        row("a", 3.0, None, indicator="anzahl"), row("b", 1200.0, None, indicator="anzahl"),
        row("c", 800.0, None, indicator="anzahl"),
    ])  # fmt: skip
    out = by_area(apply_confidentiality(obs, INDICATORS, PARENT_OF))
    assert out.loc["a", "display"] == "*"
    assert out.loc["c", "display"] == "."  # 800 < 1200
    assert out.loc["b", "display"] == "1.200 Personen"


def test_non_additive_indicator_gets_no_secondary_suppression() -> None:
    obs = pd.DataFrame([
        row("a", None, None, "suppressed", "*", indicator="alter"), row("b", 41.5, None, indicator="alter"),
        row("c", 44.0, None, indicator="alter"),
    ])  # fmt: skip
    out = by_area(apply_confidentiality(obs, INDICATORS, PARENT_OF))
    assert list(out["display"]) == ["*", "41,5 Jahre", "44,0 Jahre"]


def test_missing_value_keeps_its_own_symbol_or_dash() -> None:
    obs = pd.DataFrame([row("a", None, None, "missing", "..."), row("b", None, None, "missing")])
    out = by_area(apply_confidentiality(obs, INDICATORS, PARENT_OF))
    assert list(out["display"]) == ["...", "–"]
    assert out["suppression"].isna().all()
