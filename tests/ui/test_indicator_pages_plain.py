"""AppTest: the indicator pages speak plain German (issue 15) – no z-values, distances or technical
provenance in the visible text (the exact figures sit in "Wie berechnet?"), ranks in words, names
instead of keys in the catalogue, glossary tooltips. One app run per page for the whole module."""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from sozdash.store import db
from tests.apptest import assert_clean, open_page
from tests.conftest import ROOT, _AppPagesManager

PAGES = {
    "indikatoren": ("pages/indikatoren.py", {"ind": "sgb2_quote", "jahr": "2024", "gebiet": "rheindorf"}),
    "profil": ("pages/stadtteilprofil.py", {"gebiet": "rheindorf", "jahr": "2024"}),
    "vergleich": ("pages/vergleich.py", {"gebiete": "rheindorf,opladen"}),
    "katalog": ("pages/katalog.py", {}),
}
JARGON = ("(z)", "|z|", "z =", "euklidisch", "Voronoi", "sozdash.demo", "−0,00", "-0,00", "None")
EMPTY = {"nan", "NaN", "<NA>", "NaT"}
"""How a missing value would show if a table forgot to format it."""
HOW_COMPUTED = "Wie berechnet?"


@pytest.fixture(scope="module")
def seeded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The seeded database all pages of this module run on (read only)."""
    path = tmp_path_factory.mktemp("plain") / "sozdash.sqlite"
    shutil.copy(sqlite_template, path)
    engine = db.get_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def runs(seeded: Engine) -> Iterator[dict[str, AppTest]]:
    """Each page of :data:`PAGES` run once through app.py."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", seeded.url.render_as_string(hide_password=False))
        patch.chdir(ROOT)
        patch.setattr(app_test_module, "PagesManager", _AppPagesManager)
        tests = {name: open_page(page, query=query, timeout=90) for name, (page, query) in PAGES.items()}
        yield tests


def _frame_texts(node: Any) -> list[str]:
    """Column names and cells of a table as shown (only the columns in ``column_order``, if set)."""
    frame: pd.DataFrame = node.value
    shown = list(node.proto.column_order) or list(frame.columns)
    return [str(c) for c in shown] + [str(v) for v in frame[shown].to_numpy().ravel()]


def visible_texts(node: Any, *, method: bool = False) -> list[str]:
    """Every text of ``node`` and its children a reader sees (values, labels, help, options, table
    cells, chart specs); without ``method`` the contents of "Wie berechnet?" are left out."""
    texts: list[str] = []
    for child in getattr(node, "children", {}).values():
        if child.type == "expander" and child.label == HOW_COMPUTED and not method:
            continue
        if child.type in ("dataframe", "arrow_data_frame"):
            texts += _frame_texts(child)
        else:
            for attr in ("value", "label", "body"):
                value = getattr(child, attr, None)
                if isinstance(value, str):
                    texts.append(value)
            proto = getattr(child, "proto", None)
            for field in ("help", "placeholder", "spec"):
                value = getattr(proto, field, None)
                if isinstance(value, str) and value:
                    texts.append(value)
            texts += [str(o) for o in getattr(proto, "options", [])]
        texts += visible_texts(child, method=method)
    return texts


def _all_texts(at: AppTest) -> list[str]:
    return visible_texts(at.main) + visible_texts(at.sidebar)


def _rows(engine: Engine, indicator: str, level: str, year: int) -> dict[str, float]:
    """Raw published values (name → value) straight from the database, not through the app."""
    statement = text(
        "SELECT a.name, o.value FROM observations o JOIN areas a ON a.id = o.area_id "
        "JOIN indicators i ON i.id = o.indicator_id "
        "WHERE i.key = :key AND a.level = :level AND o.period = :year AND o.value IS NOT NULL"
    )
    with engine.connect() as conn:
        return dict(conn.execute(statement, {"key": indicator, "level": level, "year": year}).all())


def _sources(engine: Engine) -> list[str]:
    """The import batches' source texts: data shown verbatim (their wording is the importer's)."""
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT source FROM import_batches")).scalars())


@pytest.mark.parametrize("name", list(PAGES))
def test_no_jargon_in_the_visible_text(runs: dict[str, AppTest], seeded: Engine, name: str) -> None:
    at = runs[name]
    assert_clean(at)
    texts = _all_texts(at)
    for source in _sources(seeded):
        texts = [t.replace(source, "") for t in texts]
    assert len(texts) > 20
    found = {word: [t[:120] for t in texts if word in t] for word in JARGON}
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    assert not EMPTY & set(texts)


def test_exact_figures_are_one_click_away(runs: dict[str, AppTest]) -> None:
    for name in ("profil", "vergleich"):
        assert [e.label for e in runs[name].expander].count(HOW_COMPUTED) == 1, name
    profile_box = next(e for e in runs["profil"].expander if e.label == HOW_COMPUTED)
    assert any("z dieses Gebiets" in d.value.columns for d in profile_box.dataframe)
    similar_box = next(e for e in runs["vergleich"].expander if e.label == HOW_COMPUTED)
    assert any("euklidische Distanz" in m.value for m in similar_box.markdown)


def test_profile_ranks_and_words_match_the_seed(runs: dict[str, AppTest], seeded: Engine) -> None:
    values = _rows(seeded, "sgb2_quote", "stadtteil", 2024)
    city = _rows(seeded, "sgb2_quote", "stadt", 2024)
    own = values["Rheindorf"]
    rank = 1 + sum(v > own for v in values.values())
    z = (own - next(iter(city.values()))) / statistics.pstdev(values.values())
    words = "deutlich" if abs(z) >= 1 else "leicht" if abs(z) >= 0.5 else "etwa"
    table = next(
        d.value for d in runs["profil"].dataframe
        if "Trend" in d.value.columns and "SGB-II-Quote" in set(d.value["Indikator"])
    )  # fmt: skip
    row = table.set_index("Indikator").loc["SGB-II-Quote"]
    assert row["Rang"] == f"Rang {rank} von {len(values)}"
    assert row["Lage zum Vergleichswert"].startswith(
        f"{words} {'über' if z > 0 else 'unter'} dem städtischen Wert"
    )


def test_explorer_ranking_says_rang_x_von_n(runs: dict[str, AppTest], seeded: Engine) -> None:
    values = _rows(seeded, "sgb2_quote", "stadtteil", 2024)
    ranking = next(d.value for d in runs["indikatoren"].dataframe if "Rang" in d.value.columns)
    rank = 1 + sum(v > values["Rheindorf"] for v in values.values())
    assert ranking.set_index("Gebiet").loc["Rheindorf", "Rang"] == f"Rang {rank} von {len(values)}"


def test_similar_areas_are_ranked_in_words(runs: dict[str, AppTest]) -> None:
    similar = next(d for d in runs["vergleich"].dataframe if "Ähnlichkeit" in d.value.columns)
    assert "Abstand" not in similar.proto.column_order  # the distance only in "Wie berechnet?"
    assert similar.value["Ähnlichkeit"].tolist()[:3] == ["Referenzgebiet", "Rang 1 von 12", "Rang 2 von 12"]


def test_catalogue_shows_names_and_full_definitions(runs: dict[str, AppTest], seeded: Engine) -> None:
    with seeded.connect() as conn:
        rows = conn.execute(text("SELECT key, name, definition FROM indicators")).all()
    at = runs["katalog"]
    shown = " ".join(_frame_texts(at.dataframe[0]))
    assert "langzeitarbeitslose_anteil" in {key for key, _, _ in rows}
    assert not [key for key, _, _ in rows if key in shown.split()]
    assert all(name in set(at.dataframe[0].value["Indikator"]) for _, name, _ in rows)
    entries = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert all(definition in entries for _, _, definition in rows)  # not cut
    assert "Schlüssel" not in at.dataframe[0].proto.column_order


def test_glossary_tooltips(runs: dict[str, AppTest]) -> None:
    indicator = next(s for s in runs["indikatoren"].selectbox if s.label == "Indikator")
    assert "SGB II:" in indicator.help and "Quote:" in indicator.help
    profile_table = next(d for d in runs["profil"].dataframe if "Trend" in d.value.columns)
    tooltips = {
        column: config.get("help", "") for column, config in json.loads(profile_table.proto.columns).items()
    }
    assert "Rang 1 hat den höchsten Wert" in tooltips["Rang"]
    assert "der Wert für die ganze Stadt" in tooltips["Stadtwert"]
    mode = next(r for r in runs["indikatoren"].radio if r.label == "Darstellung")
    assert "der Wert für die ganze Stadt" in mode.help


def test_notices_are_short_with_details_on_demand(runs: dict[str, AppTest]) -> None:
    at = runs["indikatoren"]
    (demo,) = [w.value for w in at.warning if "Beispieldaten" in w.value]
    (shapes,) = [i.value for i in at.info if "Schematische Karte" in i.value]
    assert len(demo) < 60 and len(shapes) < 60
    details = next(p for p in at.get("popover") if p.proto.popover.label == "Was heißt das?")
    assert any("vereinfacht gezeichnet" in m.value for m in details.markdown)
