"""AppTest of the search box in the sidebar: present on the pages, results are links to the
page and URL parameters of what was found (expected values read from data/seed/)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import yaml
from sqlalchemy import Engine

from sozdash.store import db
from tests.apptest import assert_clean, open_page
from tests.payloads import carries_payload, live_markdown, seed_payloads

SEED = Path(__file__).resolve().parents[2] / "data" / "seed"


def links(at) -> list[tuple[str, str, dict[str, str]]]:
    """(label, url path, query parameters) of every page link in the sidebar."""
    return [
        (e.proto.label, e.proto.page, dict(parse_qsl(e.proto.query_string)))
        for e in at.sidebar.get("page_link")
    ]


def test_a_query_lists_links_to_the_found_records(app_env: Engine) -> None:
    at = open_page("pages/ueberblick.py")
    assert_clean(at)
    box = at.sidebar.text_input(key="search-query")
    assert box.label == "Suche" and not links(at)
    box.input("Männer in Rente").run()
    assert_clean(at)
    package = next(
        p
        for p in yaml.safe_load((SEED / "impact_packages.yaml").read_text())
        if p["title"] == "Männer in Rente"
    )
    label, page, params = links(at)[0]
    assert label.startswith("Wirkungspaket: Männer in Rente") and page == "altenhilfe"
    assert params == {"paket": package["key"], "periode": package["funding_round"]}
    at.sidebar.text_input(key="search-query").input("rheindorf").run()
    label, page, params = links(at)[0]
    assert (label.split(" · ")[0], page, params) == (
        "Gebiet: Rheindorf",
        "stadtteilprofil",
        {"gebiet": "rheindorf"},
    )
    assert ("projekte", {"projekt": "biwaq-rheindorferleben"}) in [(p, q) for _, p, q in links(at)]
    at.sidebar.text_input(key="search-query").input("Kaffeesatzlesen").run()
    assert not links(at) and any("Nichts gefunden" in c.value for c in at.sidebar.caption)


def test_search_box_is_on_the_pages(app_env: Engine) -> None:
    at = open_page("pages/projekte.py")
    assert_clean(at)
    assert at.sidebar.text_input(key="search-query").label == "Suche"


@pytest.fixture
def payload_app(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app on a seeded database whose every free text carries markdown, HTML and URL payloads."""
    shutil.copy(sqlite_template, tmp_path / "sozdash.sqlite")
    engine = db.get_engine(f"sqlite:///{tmp_path / 'sozdash.sqlite'}")
    seed_payloads(engine)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(SEED.parents[1])
    yield engine
    engine.dispose()


def test_result_labels_show_names_only_as_literal_text(payload_app: Engine) -> None:
    at = open_page("pages/ueberblick.py")
    at.sidebar.text_input(key="search-query").input("Rheindorf").run()
    assert_clean(at)
    labels = [e.proto.label for e in at.sidebar.get("page_link")]
    details = [e.proto.help for e in at.sidebar.get("page_link")]  # tooltips render markdown too
    assert (
        len(labels) > 3
        and all(carries_payload(t) for t in labels)
        and any(carries_payload(t) for t in details)
    )
    assert [t for t in labels + details if live_markdown(t)] == []
