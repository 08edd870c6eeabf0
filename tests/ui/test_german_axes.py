"""Every chart the pages show has German value axes: no plotly "k"/"M", decimal comma, dot thousands."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.apptest import open_page

CHART_PAGES = [
    "pages/indikatoren.py",
    "pages/stadtteilprofil.py",
    "pages/vergleich.py",
    "pages/projekte.py",
    "pages/foerderprogramme.py",
    "pages/altenhilfe.py",
    "pages/sozialbericht.py",
]
GERMAN_TICK = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?( (Tsd\.|Mio\.))?( ?%| €)?$")


def _value_axes(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The axes along which a bar or scatter trace plots numbers."""
    layout, names = spec.get("layout", {}), set()
    for trace in spec.get("data", []):
        if trace.get("type", "scatter") not in ("bar", "scatter"):
            continue
        along = ["x"] if trace.get("orientation") == "h" else ["y"]
        if trace.get("type", "scatter") == "scatter":
            along = ["x", "y"]
        for letter in along:
            values = trace.get(letter) or []
            if values and all(isinstance(v, int | float) for v in values):
                names.add(letter + "axis" + trace.get(f"{letter}axis", letter)[1:])
    return [(name, layout.get(name, {})) for name in sorted(names)]


@pytest.fixture(scope="module")
def specs() -> dict[str, list[dict[str, Any]]]:
    found = {}
    for page in CHART_PAGES:
        at = open_page(page)
        found[page] = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return found


def test_every_chart_page_shows_charts(specs: dict[str, list[dict[str, Any]]]) -> None:
    assert all(specs[page] for page in CHART_PAGES), {page: len(charts) for page, charts in specs.items()}


@pytest.mark.parametrize("page", CHART_PAGES)
def test_value_axes_are_german(specs: dict[str, list[dict[str, Any]]], page: str) -> None:
    for spec in specs[page]:
        for name, axis in _value_axes(spec):
            if axis.get("tickformat") == "d" or axis.get("type") in ("date", "category"):
                continue  # years (2024, never 2.024), dates and categories keep their own labels
            labels = axis.get("ticktext")
            assert labels, f"{page}: {name} left to plotly's English ticks"
            numeric = [label for label in labels if any(c.isdigit() for c in label)]  # not words
            bad = [label for label in numeric if not GERMAN_TICK.match(label)]
            assert not bad, f"{page}: {name} {bad}"
