"""German tick labels on plotly value axes (hand-written expectations)."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import pytest

from sozdash.core.axes import german_axes, nice_step, ticks


@pytest.mark.parametrize(
    ("span", "step"), [(6000, 2000), (12.3, 2.5), (1_500_000, 500_000), (0.9, 0.2), (100, 20), (1, 0.2)]
)
def test_nice_step(span: float, step: float) -> None:
    assert nice_step(span) == pytest.approx(step)


def test_thousands_get_a_dot_below_ten_thousand() -> None:
    assert ticks(0, 6000) == ([0, 2000, 4000, 6000], ["0", "2.000", "4.000", "6.000"])


def test_tsd_and_mio_abbreviations() -> None:
    assert ticks(0, 120_000)[1] == ["0", "25 Tsd.", "50 Tsd.", "75 Tsd.", "100 Tsd.", "125 Tsd."]
    assert ticks(0, 1_500_000)[1] == ["0", "0,5 Mio.", "1,0 Mio.", "1,5 Mio."]


def test_decimal_comma() -> None:
    assert ticks(0, 12.3)[1] == ["0", "2,5", "5,0", "7,5", "10,0", "12,5"]


def test_bar_axis_starts_at_zero_and_keeps_suffix() -> None:
    fig = go.Figure(go.Bar(x=["Manfort", "Opladen"], y=[8.2, 13.1]))
    fig.update_layout(yaxis={"ticksuffix": " %"})
    german_axes(fig)
    assert fig.layout.yaxis.ticktext[0] == "0 %"
    assert fig.layout.yaxis.ticktext[-1] == "15 %"  # step 5 (13,1 / 5 = 2,62 → next round step)
    assert fig.layout.xaxis.ticktext is None  # categories stay as they are


def test_stacked_bars_cover_the_sum() -> None:
    fig = go.Figure([go.Bar(x=["a", "b"], y=[30_000, 4_000]), go.Bar(x=["a", "b"], y=[15_000, 6_000])])
    fig.update_layout(barmode="stack")
    german_axes(fig)
    assert max(fig.layout.yaxis.tickvals) >= 45_000


def test_own_formats_dates_and_pies_are_left_alone() -> None:
    years = go.Figure(go.Scatter(x=[2018, 2019, 2020], y=[1, 2, 3]))
    years.update_xaxes(tickformat="d")
    german_axes(years)
    assert years.layout.xaxis.ticktext is None and years.layout.yaxis.ticktext is not None
    timeline = px.timeline(x_start=["2020-01-01"], x_end=["2021-06-30"], y=["Projekt"])
    german_axes(timeline)
    assert timeline.layout.xaxis.ticktext is None
    german_axes(go.Figure(go.Pie(values=[1, 2])))  # no axes: nothing to do, nothing raised
