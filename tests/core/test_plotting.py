"""Figures built in one step: validated under the tests' switch, the same figure without it."""

from __future__ import annotations

import datetime as dt
import json
import pickle

import pandas as pd
import plotly.io as pio
import pytest
from sqlalchemy import Engine

from sozdash.core import plotting
from sozdash.indicators import charts, comparison, profile
from sozdash.indicators import explorer as iv
from sozdash.programmes import altenhilfe
from sozdash.store import cache
from sozdash.ui import figures


def test_the_tests_switch_makes_a_wrong_property_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong() -> list[dict[str, object]]:
        return [{"type": "bar", "x": [1], "y": ["a"], "colour": "red"}]

    with pytest.raises(ValueError, match="colour"):
        plotting.figure(wrong(), {})
    monkeypatch.setenv(plotting.VALIDATE_ENV, "0")
    assert plotting.figure(wrong(), {}).data[0].type == "bar"  # the app trusts its own builders


def _shown_json(build: object) -> dict:
    assert callable(build)
    return json.loads(pio.to_json(figures.shown(build())))


def test_unvalidated_figures_are_the_validated_ones(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small multiples, ranking, time series and spine chart of the seed data: the JSON the browser gets is the same
    with and without plotly's validation (so the app may skip it)."""
    meta = iv.indicator_row(sqlite_engine, "sgb2_quote")
    view = charts.compared(iv.level_view(sqlite_engine, "sgb2_quote", 2024, "stadtteil"), meta)
    series = iv.series(sqlite_engine, "sgb2_quote", "stadtteil")
    city = iv.city_code(sqlite_engine)
    data = profile.area_profile(sqlite_engine, "rheindorf", 2024, True)
    chosen = ["rheindorf", "opladen"]
    labels = {"sgb2_quote": "SGB-II-Quote", "arbeitslosenquote_bev": "Arbeitslosenquote"}
    both = comparison.comparison_data(sqlite_engine, tuple(chosen), tuple(labels))
    builds = [
        lambda: comparison.small_multiples(both, chosen, labels, {"sgb2_quote": "%"}, city),
        lambda: charts.ranking_figure(view, meta, "rheindorf"),
        lambda: charts.series_figure(series, meta, ["rheindorf", "opladen"], city),
        lambda: profile.spine_figure(data),
    ]
    validated = [_shown_json(build) for build in builds]
    monkeypatch.setenv(plotting.VALIDATE_ENV, "0")
    assert [_shown_json(build) for build in builds] == validated
    assert isinstance(data, pd.DataFrame) and len(validated[3]["data"][0]["x"]) == len(data)


def test_a_cached_figure_loads_as_it_was_built_and_validated_only_under_the_switch(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's memory cache keeps figures pickled: they load as they were built (``go.Figure`` built
    with ``add_trace``, here the Wirkungspakete planning chart), and plotly checks them while
    loading only under the tests' switch."""
    monkeypatch.setattr(cache, "_memoized", cache._memoized)  # restored afterwards (an AppTest may have installed one)
    cache.use_memoizer(None)
    built, _summary, _table = altenhilfe.planning_figure(sqlite_engine, dt.date(2025, 6, 30))
    cache.use_memoizer(cache.MemoryCache(max_entries=8))
    loaded, summary, _table = altenhilfe.planning_figure(sqlite_engine, dt.date(2025, 6, 30))
    assert isinstance(loaded, plotting.Figure) and not isinstance(built, plotting.Figure)
    assert loaded.to_dict() == built.to_dict() and len(built.data) > 0 and summary
    monkeypatch.setenv(plotting.VALIDATE_ENV, "0")
    wrong = pickle.dumps(plotting.figure([{"type": "bar", "x": [1], "colour": "red"}], {}))
    assert pickle.loads(wrong).data[0].type == "bar"  # loaded without a check
    monkeypatch.setenv(plotting.VALIDATE_ENV, "1")
    with pytest.raises(ValueError, match="colour"):
        pickle.loads(wrong)
