"""Head counts are compared with the mean of the areas, never with the city total; rates keep the
city value; slides carry at most three sentences, the rest goes to the notes. Expected figures are
computed here from the seed file (data/seed/demo_observations.csv), not taken from the code."""

from __future__ import annotations

import csv
import datetime as dt
import re
import statistics
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozdash.indicators import charts, comparison, profile
from sozdash.indicators import explorer as iv
from sozdash.meetings import saved_views, slides
from sozdash.meetings.saved_views import View

SEED = Path(__file__).resolve().parents[2] / "data" / "seed"
STADTTEILE = {
    "wiesdorf", "manfort", "rheindorf", "hitdorf", "opladen", "kueppersteg", "buerrig", "quettingen",
    "bergisch-neukirchen", "schlebusch", "steinbuechel", "luetzenkirchen", "alkenrath",
}  # fmt: skip  # the 13 Stadtteile of data/seed/areas.yaml
CITY = "05316000"
SESSION = dt.date(2018, 4, 16)  # the 2018 session: data year 2017


def seed_values(indicator: str, year: int) -> tuple[dict[str, float], float]:
    """The Stadtteile's values and the city's value of ``indicator`` in the seed file."""
    with (SEED / "demo_observations.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["indicator"] == indicator and r["period"] == str(year)]
    areas = {r["area"]: float(r["value"]) for r in rows if r["area"] in STADTTEILE}
    assert len(areas) == 13
    return areas, next(float(r["value"]) for r in rows if r["area"] == CITY)


def german(value: float) -> str:
    """A whole number with the German thousands separator (12715.2 -> "12.715")."""
    return f"{round(value):,}".replace(",", ".")


def sentence_count(text: str) -> int:
    """Full stops (or ! ?) that end the text or come before a space and a capital, digit or quote."""
    return len(re.findall(r"[.!?](?:\s+(?=[A-ZÄÖÜ0-9„(])|\s*$)", text))


def test_a_count_is_compared_with_the_mean_of_the_areas(engine: Engine) -> None:
    areas, city = seed_values("bevoelkerung", 2017)
    mean = sum(areas.values()) / 13
    above = sum(v > mean for v in areas.values())
    assert (german(mean), above, german(city)) == ("12.715", 6, "165.297")  # by hand from the file
    meta = iv.indicator_row(engine, "bevoelkerung")
    view = iv.level_view(engine, "bevoelkerung", 2017, "stadtteil")

    summary = charts.ranking_summary(view, meta)
    assert "Stadtwert" not in summary and "über dem Stadt" not in summary.lower()
    assert f"der Mittelwert der Gebiete liegt bei {german(mean)} Personen" in summary
    assert f"Über dem Mittelwert der Gebiete: {above} von 13 Gebieten." in summary
    assert f"Stadt insgesamt (Summe): {german(city)} Personen." in summary  # named, not compared

    shown = charts.compared(view, meta)
    legend = charts.map_classes(shown, meta, "quantiles", 5, True)[1]
    deviation_summary = charts.map_summary(shown, meta, legend, True)
    assert deviation_summary.startswith("Karte der Abweichung vom Mittelwert der Gebiete von „Einwohner")
    assert "Stadtwert" not in deviation_summary
    assert charts.mode_labels(view, meta)["abweichung"] == "Abweichung vom Mittelwert der Gebiete"
    deviation = dict(zip(shown["area"], charts.map_values(shown, True), strict=True))
    assert deviation["schlebusch"] == pytest.approx(areas["schlebusch"] - mean)
    assert deviation["alkenrath"] == pytest.approx(areas["alkenrath"] - mean)  # below the mean: negative

    table = charts.ranking_table(view, meta).set_index("Gebiet")
    assert "Stadtwert" not in " ".join(table.columns)
    assert table.loc["Schlebusch", "Mittelwert der Gebiete"] == f"{german(mean)} Personen"
    assert table.loc["Schlebusch", "Abweichung vom Mittelwert der Gebiete (Personen)"] == (
        f"+{german(areas['schlebusch'] - mean)}"
    )
    line = charts.ranking_figure(view, meta, None).layout.shapes[0]
    assert line.x0 == pytest.approx(mean)  # the reference line at the mean, not at 165.297


def test_a_rate_keeps_the_city_value(engine: Engine) -> None:
    areas, city = seed_values("sgb2_quote", 2017)
    above = sum(v > city for v in areas.values())
    assert (f"{city:.1f}", above) == ("12.2", 5)
    meta = iv.indicator_row(engine, "sgb2_quote")
    view = iv.level_view(engine, "sgb2_quote", 2017, "stadtteil")
    summary = charts.ranking_summary(view, meta)
    assert (
        "der Stadtwert liegt bei 12,2 %" in summary
        and f"Über dem Stadtwert: {above} von 13 Gebieten." in summary
    )
    assert "Mittelwert" not in summary
    table = charts.ranking_table(view, meta).set_index("Gebiet")
    assert table.loc["Rheindorf", "Abweichung vom Stadtwert (Prozentpunkte)"] == (
        f"+{areas['rheindorf'] - city:.1f}".replace(".", ",")
    )
    assert charts.ranking_figure(view, meta, None).layout.shapes[0].x0 == pytest.approx(city)


def test_profile_sentences_name_the_mean_for_counts_and_the_city_for_rates(engine: Engine) -> None:
    people, _ = seed_values("bevoelkerung", 2017)
    quota, city_quota = seed_values("sgb2_quote", 2017)
    mean, sd = sum(people.values()) / 13, statistics.pstdev(people.values())
    data = profile.area_profile(engine, "rheindorf", 2017).set_index("indicator")
    count = data.loc["bevoelkerung"]
    assert count["reference_kind"] == "mittel" and count["reference"] == pytest.approx(mean)
    assert count["z"] == pytest.approx((people["rheindorf"] - mean) / sd)  # 17.408 vs 12.715: +0,60
    assert count["sentence"].startswith(
        f"Beim Indikator „Einwohnerinnen und Einwohner“ liegt Rheindorf mit {german(people['rheindorf'])} "
        f"Personen leicht über dem Mittelwert der Gebiete von {german(mean)} Personen"
    )
    rate = data.loc["sgb2_quote"]
    assert rate["reference_kind"] == "stadt" and rate["reference"] == pytest.approx(city_quota)
    assert "über dem städtischen Wert von 12,2 %" in rate["sentence"]
    table = profile.profile_table(data.reset_index()).set_index("Indikator")
    assert (
        table.loc["Einwohnerinnen und Einwohner", "Vergleichswert"]
        == f"{german(mean)} Personen (Mittelwert der Gebiete)"
    )
    assert table.loc["SGB-II-Quote", "Vergleichswert"] == "12,2 % (Stadtwert)"
    assert quota["rheindorf"] > city_quota


def test_comparison_leaves_the_city_total_of_a_count_out(engine: Engine) -> None:
    keys = ("bevoelkerung", "sgb2_quote")
    counts = comparison.count_keys(engine, keys)
    assert counts == {"bevoelkerung"}
    data = comparison.comparison_data(engine, ("rheindorf", "opladen"), keys)
    labels = {"bevoelkerung": "Einwohner", "sgb2_quote": "SGB-II-Quote"}
    table = comparison.comparison_table(data, ["rheindorf", "opladen"], labels, 2017, CITY, counts)
    city = table.set_index("Indikator")["Leverkusen (Stadt)"]
    assert city["Einwohner"] == "165.297 Personen (Summe)" and city["SGB-II-Quote"] == "12,2 %"
    fig = comparison.small_multiples(data, ["rheindorf", "opladen"], labels, {}, CITY, counts)
    names = [(trace.xaxis, trace.name) for trace in fig.data]
    assert ("x", "Leverkusen (Stadt)") not in names and ("x2", "Leverkusen (Stadt)") in names
    assert fig.layout.annotations[0].text == "Einwohner – ohne Stadt (Summe)"


def test_session_slides_have_three_sentences_at_most_and_plain_text(sqlite_engine: Engine) -> None:
    people, _ = seed_values("bevoelkerung_65plus", 2017)
    mean = sum(people.values()) / 13
    above = sum(v > mean for v in people.values())
    views = saved_views.list_views(sqlite_engine)
    built = {}
    for view_id in views["id"]:
        view = saved_views.get_view(sqlite_engine, int(view_id))
        built[view.title] = slides.build(sqlite_engine, view, SESSION)
    built["Index"] = slides.build(sqlite_engine, View(0, None, "Index", None, "sozialindex", {}), SESSION)
    for title, content in built.items():
        assert content.available, title
        assert 1 <= sentence_count(content.summary) <= 3, (title, content.summary)
        assert all(part in content.notes for part in slides.sentences(content.summary)), title
        for text in (content.title, content.summary, content.notes):
            assert "\\" not in text and "**" not in text, (title, text)
    longer = [t for t, c in built.items() if sentence_count(c.notes) > 3]
    assert len(longer) >= 3  # shortened slides keep their whole text in the notes

    older = built["Bevölkerung ab 65 Jahren nach Stadtteilen"]
    assert "Stadtwert" not in older.summary + older.notes
    assert f"der Mittelwert der Gebiete liegt bei {german(mean)} Personen" in older.summary
    assert f"Über dem Mittelwert der Gebiete: {above} von 13 Gebieten." in older.summary
    assert "Klassen (Anzahl Gebiete)" in older.notes and "Klassen" not in older.summary
    quota = built["SGB-II-Quote nach Stadtteilen"]
    assert "Über dem Stadtwert: 5 von 13 Gebieten." in quota.summary
