"""Sozialindex and Handlungsbedarfe in plain German: no z-values or technical terms in the visible
text, words and ranks instead (checked against ranks counted here from the seeded index), the
exact figures one click away under „Wie berechnet?“."""

from __future__ import annotations

from typing import Any

import pandas as pd
from google.protobuf.json_format import MessageToDict
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from sozdash.social_index import snapshots as index_store
from sozdash.social_index.compute import STATUS_CLASSES
from tests.apptest import assert_clean, open_page

JARGON = ("z-Wert", "|z|", "−0,00", "None", "sozdash.demo", "Voronoi")
SKIPPED_FIELDS = {"data", "arrowData", "styles", "id", "formId", "key"}
"""Proto fields that hold no visible text (table bytes are checked as frames, ids are internal)."""
PROVENANCE = ["Quelle"]
"""Columns quoting the stored source of each value verbatim (the demo values' source names their generator)."""


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            if name not in SKIPPED_FIELDS:
                _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)
    elif isinstance(value, str):
        out.append(value)


def visible_text(at: AppTest) -> str:
    """Every text of the main area: texts, alerts, labels, tooltips, map tooltips, table headers and
    cells except :data:`PROVENANCE` (expander contents too, so „Wie berechnet?“ is checked as well).
    The sidebar is not included."""
    out: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            _strings(MessageToDict(proto), out)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    for frame in at.main.dataframe:
        value = frame.value
        out += [str(c) for c in value.columns]
        out += [str(v) for v in value.drop(columns=PROVENANCE, errors="ignore").to_numpy().ravel()]
    return "\n".join(out).replace("\\", "")


def assert_plain(at: AppTest) -> str:
    assert_clean(at)
    text = visible_text(at)
    found = [word for word in JARGON if word in text]
    assert not found, found
    return text


def expected_rank(values: pd.Series, area: str) -> str:
    """``Rang k von n``: k = 1 + number of rated areas with a higher value."""
    rated = values.dropna()
    return f"Rang {int((rated > rated[area]).sum()) + 1} von {len(rated)}"


def test_sozialindex_speaks_in_words_and_ranks(app_env: Engine) -> None:
    at = open_page("pages/sozialindex.py")
    text = assert_plain(at)
    assert "Standardabweichung" not in "\n".join(m.value for m in at.main.caption)
    result = index_store.definition_result(
        app_env, index_store.latest_definition_id(app_env, "Sozialindex Standard"), 2024
    )
    areas = result.areas.set_index("name")
    table = next(d.value for d in at.main.dataframe if "Rang Status" in d.value.columns).set_index("Gebiet")
    for name in ("Rheindorf", "Bergisch Neukirchen", "Manfort"):
        assert table.at[name, "Rang Status"] == expected_rank(areas["status_index"], name)
        assert table.at[name, "Rang Dynamik"] == expected_rank(areas["dynamics_index"], name)
    assert table.at["Rheindorf", "Rang Status"] == f"Rang {len(areas)} von {len(areas)}"  # the lowest status
    # Lebenslagen in words: the default cut-offs ±1 and „etwa durchschnittlich“ within ±0,5.
    subs = result.lebenslagen.merge(result.areas[["area", "name"]], on="area")
    einkommen = subs[subs["lebenslage"] == "einkommen"].set_index("name")["sub_index"]
    for name, value in einkommen.items():
        word = table.at[name, "Einkommen und Armut"]
        if value < -1:
            assert word == "deutlich ungünstiger als der Durchschnitt", (name, value)
        elif value >= 1:
            assert word == "deutlich günstiger als der Durchschnitt", (name, value)
        elif abs(value) < 0.5:
            assert word == "etwa durchschnittlich", (name, value)
    # the map tooltips name the class and rank, no index value
    status = STATUS_CLASSES[areas.at["Rheindorf", "status_class"]]
    assert f"Rheindorf: {status} ({expected_rank(areas['status_index'], 'Rheindorf')})" in text
    # the exact figures are one click away
    labels = [e.label for e in at.main.expander]
    assert "Wie berechnet?" in labels
    figures = next(d.value for d in at.main.dataframe if "Statusindex" in d.value.columns).set_index("Gebiet")
    assert figures.at["Rheindorf", "Statusindex"] == f"{areas.at['Rheindorf', 'status_index']:+.2f}".replace(
        ".", ","
    ).replace("-", "−")


def test_handlungsbedarfe_names_the_rank_in_the_lebenslage(app_env: Engine) -> None:
    at = open_page("pages/handlungsbedarfe.py")
    text = assert_plain(at)
    assert "Standardabweichung" not in "\n".join(m.value for m in at.main.caption)
    result = index_store.definition_result(
        app_env, index_store.latest_definition_id(app_env, "Sozialindex Standard"), 2024
    )
    rated = result.areas.loc[result.areas["rated"], ["area", "name"]]
    subs = result.lebenslagen.merge(rated, on="area")
    einkommen = subs[subs["lebenslage"] == "einkommen"].set_index("name")["sub_index"]
    rank = expected_rank(einkommen, "Rheindorf")
    assert (
        f"Rheindorf: Einkommen und Armut deutlich ungünstiger als der Durchschnitt der Gebiete ({rank})."
        in text
    )
    assert "Teilindex −" not in "\n".join(m.value for m in at.main.markdown)
