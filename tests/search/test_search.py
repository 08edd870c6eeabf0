"""Search on the seeded database (SQLite and PostgreSQL): expected records are read from the
seed files in data/seed/, not from the search code."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine, update

from sozdash.core.navigation import PAGES
from sozdash.search.matching import forms, score, words
from sozdash.search.records import Hit, find, search, search_index
from sozdash.store import db
from sozdash.store.models import Indicator, Project
from tests.conftest import _postgres_copy

SEED = Path(__file__).resolve().parents[2] / "data" / "seed"
ALL_PAGES = {p.url_path for p in PAGES}


def seed(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((SEED / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One seeded database for the read-only tests of this module."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("search") / "sozdash.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = db.get_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        yield from _postgres_copy(request.getfixturevalue("postgres_template"))


@pytest.fixture(scope="module")
def public(seeded: Engine) -> pd.DataFrame:
    """The search index of a public reader, built once."""
    return search_index(seeded, True)


def found(hits: list[Hit], kind: str) -> set[str]:
    return {next(iter(h.params.values())) if kind != "view" else h.title for h in hits if h.kind == kind}


def test_word_forms_tolerate_case_umlauts_and_sharp_s() -> None:
    assert forms("Küppersteg") == {"kueppersteg", "kuppersteg"}
    assert forms("STRASSE") & forms("Straße")
    assert [sorted(w) for w in words("SGB-II-Quote")] == [["sgb"], ["ii"], ["quote"]]
    title = ("rheindorf", "nord")
    assert score(words("rhein nord"), title, ()) > 0
    assert score(words("rhein süd"), title, ()) == 0, "every query word must match"
    assert score(words("rheindorf"), title, ()) > score(words("rheindorf"), (), title) > 0


def test_rheindorf_finds_the_stadtteil_first_and_its_projects(public: pd.DataFrame) -> None:
    hits = find(public, "Rheindorf", ALL_PAGES)
    area = next(a["code"] for a in seed("areas.yaml") if a["name"] == "Rheindorf")
    assert (hits[0].kind, hits[0].params, hits[0].file) == (
        "area",
        {"gebiet": area},
        "pages/stadtteilprofil.py",
    )
    titled = {p["key"] for p in seed("projects.yaml") if "Rheindorf" in p["title"]}
    assert titled and titled <= found(hits, "project")
    view = next(v for v in seed("saved_views.yaml") if v["title"] == "Stadtteilprofil Rheindorf")
    opened = next(h for h in hits if h.kind == "view" and h.title == view["title"])
    assert (opened.page, opened.params) == (view["page"], {k: str(v) for k, v in view["params"].items()})


def test_sgb_finds_every_indicator_naming_sgb_names_first(public: pd.DataFrame) -> None:
    hits = find(public, "sgb", ALL_PAGES)
    fields = ("name", "definition", "numerator_definition", "denominator_definition")
    expected = {
        i["key"] for i in seed("indicators.yaml") if any(re.search(r"\bSGB", i[f] or "") for f in fields)
    }
    assert found(hits, "indicator") == expected
    in_name = {i["key"] for i in seed("indicators.yaml") if "SGB" in i["name"]}
    assert {h.params["ind"] for h in hits[: len(in_name)]} == in_name
    lage = {i["key"]: i["lebenslage"] for i in seed("indicators.yaml")}
    assert all(
        h.params == {"ind": h.params["ind"], "lage": lage[h.params["ind"]]}
        for h in hits
        if h.kind == "indicator"
    )
    assert all(h.file == "pages/indikatoren.py" for h in hits if h.kind == "indicator")


def test_biwaq_finds_the_programme_and_its_projects(public: pd.DataFrame) -> None:
    hits = find(public, "BIWAQ", ALL_PAGES)
    programme = next(p for p in seed("programmes.yaml") if p["short_name"] == "BIWAQ")
    assert any(
        h.kind == "programme" and h.title == programme["name"] and h.page == "foerderprogramme" for h in hits
    )
    assert {p["key"] for p in seed("projects.yaml") if p.get("programme") == programme["key"]} <= found(
        hits, "project"
    )


def test_maenner_in_rente_opens_the_impact_package_in_its_period(public: pd.DataFrame) -> None:
    package = next(p for p in seed("impact_packages.yaml") if p["title"] == "Männer in Rente")
    for query in ("Männer in Rente", "maenner rente", "MANNER IN RENT"):
        hit = find(public, query, ALL_PAGES)[0]
        assert (hit.kind, hit.file) == ("package", "pages/altenhilfe.py"), query
        assert hit.params == {"paket": package["key"], "periode": package["funding_round"]}


def test_umlauts_and_prefixes_find_kueppersteg(public: pd.DataFrame) -> None:
    code = next(a["code"] for a in seed("areas.yaml") if a["name"] == "Küppersteg")
    for query in ("Küppersteg", "kueppersteg", "KUPPERST", "küpp"):
        assert find(public, query, ALL_PAGES)[0].params == {"gebiet": code}, query
    assert find(public, "xyzzy", ALL_PAGES) == [] and find(public, " – ", ALL_PAGES) == []


def test_results_only_on_pages_the_reader_may_open(public: pd.DataFrame) -> None:
    hits = find(public, "BIWAQ", ALL_PAGES - {"projekte"})
    assert hits and not any(h.page == "projekte" for h in hits)


def test_hidden_indicator_and_project_are_not_found_by_public_readers(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.key == "sgb2_quote").values(is_public=False))
        session.execute(
            update(Project).where(Project.key == "biwaq-rheindorferleben").values(is_public=False)
        )
    public = search(engine, "SGB II Quote", True, ALL_PAGES) + search(
        engine, "RHEINDORFerLEBEN", True, ALL_PAGES
    )
    internal = search(engine, "SGB II Quote", False, ALL_PAGES) + search(
        engine, "RHEINDORFerLEBEN", False, ALL_PAGES
    )
    shown = {p for h in public for p in h.params.values()}
    assert "sgb2_quote" not in shown and "biwaq-rheindorferleben" not in shown, (
        "nor a saved view showing them"
    )
    everything = {p for h in internal for p in h.params.values()}
    assert {"sgb2_quote", "biwaq-rheindorferleben"} <= everything
