"""Sentence generation: deviation words by documented z thresholds, trend clause, missing values."""

from __future__ import annotations

import pytest

from sozdash.indicators.sentences import CLEARLY, SLIGHTLY, deviation_words, profile_sentence, trend_clause
from sozdash.indicators.trends import Trend

RISING_BAD = Trend("steigend", "schlechter", "↑", "steigend – ungünstig")
FALLING_GOOD = Trend("fallend", "besser", "↓", "fallend – günstig")
FLAT = Trend("gleich", "neutral", "→", "etwa gleich")
RISING_NEUTRAL = Trend("steigend", "neutral", "↑", "steigend")


def test_documented_thresholds() -> None:
    assert (CLEARLY, SLIGHTLY) == (1.0, 0.5)


@pytest.mark.parametrize(
    ("z", "words"),
    [
        (1.0, "deutlich über"),
        (2.4, "deutlich über"),
        (0.99, "leicht über"),
        (0.5, "leicht über"),
        (0.49, "etwa auf"),
        (0.0, "etwa auf"),
        (-0.49, "etwa auf"),
        (-0.5, "leicht unter"),
        (-1.0, "deutlich unter"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_deviation_words(z: float | None, words: str | None) -> None:
    assert deviation_words(z) == words


def test_brief_example_sentence() -> None:
    sentence = profile_sentence(
        "Rheindorf", "SGB-II-Quote", 18.4, 11.2, "stadt", 1.7, "%", 1, RISING_BAD, 2019
    )
    assert sentence == (
        "Beim Indikator „SGB-II-Quote“ liegt Rheindorf mit 18,4 % deutlich über dem städtischen Wert "
        "von 11,2 %; seit 2019 ist der Wert gestiegen (ungünstig)."
    )


def test_mean_reference_and_thousands() -> None:
    sentence = profile_sentence("Wiesdorf", "Haushalte", 1234.0, 2000.0, "mittel", -0.7, "Haushalte", 0)
    assert sentence == (
        "Beim Indikator „Haushalte“ liegt Wiesdorf mit 1.234 Haushalte leicht unter dem Mittelwert "
        "der Gebiete von 2.000 Haushalte."
    )


def test_about_equal_with_favourable_and_neutral_trends() -> None:
    good = profile_sentence("Opladen", "Quote", 11.3, 11.2, "stadt", 0.05, "%", 1, FALLING_GOOD, 2019)
    assert good == (
        "Beim Indikator „Quote“ liegt Opladen mit 11,3 % etwa auf dem städtischen Wert von 11,2 %; "
        "seit 2019 ist der Wert gesunken (günstig)."
    )
    assert trend_clause(FLAT, 2020) == "seit 2020 ist der Wert etwa gleich geblieben"
    assert trend_clause(RISING_NEUTRAL, 2020) == "seit 2020 ist der Wert gestiegen"
    assert trend_clause(None, 2020) is None


def test_without_z_only_the_value_is_stated() -> None:
    sentence = profile_sentence("Hitdorf", "Quote", 7.0, None, "stadt", None, "%", 1)
    assert sentence == "Beim Indikator „Quote“ liegt Hitdorf bei 7,0 %."


@pytest.mark.parametrize("value", [None, float("nan")])
def test_withheld_value_gives_no_sentence(value: float | None) -> None:
    assert profile_sentence("Hitdorf", "Quote", value, 11.2, "stadt", 1.5, "%", 1, RISING_BAD, 2019) is None
