"""Classification, palettes and legend rows against hand-computed examples."""

from __future__ import annotations

import itertools
import math

import pytest

from sozdash.indicators import classify

ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_quantiles_interpolate_like_percentiles() -> None:
    # positions (n-1)·p = 9·0.25 = 2.25 → 3 + 0.25 = 3.25; 4.5 → 5.5; 6.75 → 7.75; max 10
    assert classify.class_bins(ONE_TO_TEN, "quantiles", 4) == (3.25, 5.5, 7.75, 10.0)


def test_equal_intervals_split_the_range() -> None:
    # range 1..10, width 9 / 3 = 3 → 4, 7, 10
    assert classify.class_bins(ONE_TO_TEN, "equal_interval", 3) == (4.0, 7.0, 10.0)


def test_natural_breaks_find_the_gaps() -> None:
    values = [1, 2, 3, 10, 11, 12, 20, 21, 22]
    assert classify.class_bins(values, "natural_breaks", 3) == (3.0, 12.0, 22.0)


def _within_class_squares(values: list[float], bins: tuple[float, ...]) -> float:
    groups: dict[int, list[float]] = {}
    for v in values:
        groups.setdefault(next(i for i, b in enumerate(bins) if v <= b), []).append(v)
    return sum(sum((v - sum(g) / len(g)) ** 2 for v in g) for g in groups.values())


def test_natural_breaks_are_optimal_against_every_partition() -> None:
    """Jenks breaks minimise the squared deviations within the classes: no split of the sorted values
    into k runs (all tried by brute force) does better."""
    samples = [[1, 2, 4, 5, 9, 10, 11, 25, 26, 40], [0.5, 0.7, 3.1, 3.3, 3.4, 8.0, 8.2, 9.9, 15.0],
               [12, 12, 13, 19, 20, 20, 31, 32, 60, 61]]  # fmt: skip
    for values in samples:
        ordered = sorted(values)
        for k in (2, 3, 4):
            best = min(
                _within_class_squares(ordered, tuple(ordered[c - 1] for c in (*cuts, len(ordered))))
                for cuts in itertools.combinations(range(1, len(ordered)), k - 1)
            )
            bins = classify.class_bins(values, "natural_breaks", k)
            assert len(bins) == k and bins[-1] == max(values)
            assert _within_class_squares(ordered, bins) == pytest.approx(best)


def test_standard_deviation_classes() -> None:
    # mean 4, sample sd sqrt(64 / 4) = 4; k=4 → cuts at −1, 0, +1 sd = 0, 4, 8 (8 is the max)
    values = [0, 0, 4, 8, 8]
    assert classify.std_multiples(4) == [-1.0, 0.0, 1.0]
    assert classify.class_bins(values, "std_mean", 4) == (0.0, 4.0, 8.0)
    # k=3 → ±0.5 sd = 2, 6, and the max 8 closes the top class
    assert classify.class_bins(values, "std_mean", 3) == (2.0, 6.0, 8.0)


def test_missing_values_are_ignored_and_classes_capped_by_distinct_values() -> None:
    assert classify.class_bins([5, math.nan, 5, 7], "quantiles", 5) == (5.0, 7.0)
    assert classify.class_bins([3, 3], "equal_interval", 4) == (3.0,)
    assert classify.class_bins([math.nan], "quantiles", 4) == ()


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError):
        classify.class_bins(ONE_TO_TEN, "kaffeesatz", 3)


def test_class_index_is_closed_at_the_top() -> None:
    classes = classify.Classes(bins=(0.0, 4.0, 8.0), colors=((1, 1, 1),) * 3)
    assert [classes.index(v) for v in (0, 0.1, 4, 4.5, 8)] == [0, 1, 1, 2, 2]
    assert classes.index(math.nan) is None


def test_sequential_palette_follows_polarity() -> None:
    worse_high = classify.sequential_colors(5, "higher_worse")
    # higher is worse: the colours get stronger (darker) with the value
    assert [luminance(c) for c in worse_high] == sorted((luminance(c) for c in worse_high), reverse=True)
    # higher is better: the same colours, the strongest for the lowest values
    assert classify.sequential_colors(5, "higher_better") == worse_high[::-1]
    neutral = classify.sequential_colors(5, "neutral")
    assert all(b > r for r, _, b in neutral)  # blue, no good/bad red
    assert all(r >= b for r, _, b in worse_high)  # orange-red


def test_diverging_palette_is_centred_on_zero_and_red_means_worse() -> None:
    bins = (-4.0, -1.0, 1.0, 4.0)  # class midpoints −5 (lowest −6), −2.5, 0, 2.5
    colors = classify.diverging_colors(bins, -6.0, "higher_worse")
    below, middle, above = colors[0], colors[2], colors[3]
    assert below[2] > below[0]  # below the city value is better → blue
    assert above[0] > above[2]  # above is worse → red
    assert min(middle) > 240  # the class around zero is almost white
    better = classify.diverging_colors(bins, -6.0, "higher_better")
    assert better[0][0] > better[0][2] and better[3][2] > better[3][0]


def test_class_labels_in_german_format() -> None:
    assert classify.class_labels((3.2, 5.5, 1234.5), 1, "%") == [
        "bis 3,2 %",
        "über 3,2 bis 5,5 %",
        "über 5,5 bis 1.234,5 %",
    ]
    assert classify.class_labels((-1.5, 2.0), 1, "Prozentpunkte", signed=True) == [
        "bis −1,5 Prozentpunkte",
        "über −1,5 bis +2,0 Prozentpunkte",
    ]


def test_legend_counts_classes_and_explains_withheld_and_missing() -> None:
    classes = classify.Classes(bins=(0.0, 4.0, 8.0), colors=((10, 10, 10), (20, 20, 20), (30, 30, 30)))
    values = [0, 0, 4, 8, 8, math.nan, math.nan, math.nan]
    symbols = [None] * 5 + ["*", ".", None]
    legend = classify.legend_rows(values, symbols, classes, ["a", "b", "c"])
    assert list(legend["Gebiete"]) == [2, 1, 2, 2, 1]
    assert legend["Klasse"].iloc[3].startswith("geheim gehalten")
    assert legend["Klasse"].iloc[4].startswith("keine Daten")
    assert legend["Farbe"].iloc[3] == classify.SUPPRESSED_RGB
    assert legend["Farbe"].iloc[4] == classify.MISSING_RGB
