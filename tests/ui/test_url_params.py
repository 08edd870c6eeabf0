"""AppTest: a link with a URL parameter the page does not have says so in German at the top of
the page, instead of silently showing something else; a choice on the page does not."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import Engine

from tests.apptest import assert_clean, open_page
from tests.payloads import live_markdown, shown

NOTICE = "Der Link nennt"
SEED = Path(__file__).resolve().parents[2] / "data" / "seed"


def seed(name: str) -> list[dict]:
    return yaml.safe_load((SEED / name).read_text(encoding="utf-8"))


def notices(at) -> list[str]:
    """The notices about the link (one box, a paragraph each)."""
    return [p for w in at.warning for p in w.value.split("\n\n") if p.startswith(NOTICE)]


def test_unknown_indicator_and_year_on_indikatoren(app_env: Engine) -> None:
    at = open_page("pages/indikatoren.py", query={"ind": "xyz", "jahr": "1990"})
    assert_clean(at)
    names = {i["key"]: i["name"] for i in seed("indicators.yaml")}
    shown = names[at.selectbox(key="url-ind").value]
    assert notices(at)[0] == f"Der Link nennt den Indikator „xyz“, den es nicht gibt; gezeigt wird „{shown}“."
    assert notices(at)[1].startswith("Der Link nennt das Jahr „1990“, für das hier keine Daten vorliegen")
    assert at.warning[0].value.startswith(NOTICE), "the notices come first on the page"
    at.selectbox(key="url-lage").set_value("arbeit").run()  # the page's own choice changes the options
    assert_clean(at)
    assert not notices(at) and at.query_params["ind"] != ["xyz"]


def test_unknown_area_and_year_without_data_on_stadtteilprofil(app_env: Engine) -> None:
    image = "![x](http://evil.example/p.png)"  # a value from the URL shows literally
    at = open_page("pages/stadtteilprofil.py", query={"gebiet": image, "jahr": "1900"})
    assert_clean(at)
    area, year = notices(at)
    assert shown(area).startswith(
        f"Der Link nennt das Gebiet „{image}“, das es hier nicht gibt; gezeigt wird „"
    )
    assert live_markdown(area) == []
    assert year.startswith(
        "Der Link nennt das Jahr „1900“, für das hier keine Daten vorliegen; gezeigt wird „20"
    )


def test_unknown_project_on_projekte(app_env: Engine) -> None:
    at = open_page("pages/projekte.py", query={"projekt": "gibt-es-nicht"})
    assert_clean(at)
    first = seed("projects.yaml")[0]["title"]  # the page's first project (all seeded ones are public)
    assert notices(at) == [
        f"Der Link nennt das Projekt „gibt-es-nicht“, das es nicht gibt; gezeigt wird „{first}“."
    ]


def test_unknown_session_and_slide_in_presentation_mode(app_env: Engine) -> None:
    meeting = seed("meetings.yaml")[0]
    at = open_page("pages/sitzungen.py", query={"modus": "praesentation", "sitzung": "gibt-es-nicht"})
    assert_clean(at)
    assert notices(at)[0].startswith(
        "Der Link nennt die Sitzung „gibt-es-nicht“, die es nicht gibt; gezeigt wird „"
    )
    at = open_page(
        "pages/sitzungen.py", query={"modus": "praesentation", "sitzung": meeting["key"], "folie": "99"}
    )
    assert_clean(at)
    assert notices(at) == [
        "Der Link nennt die Folie „99“, die es in dieser Sitzung nicht gibt; gezeigt wird „Folie 7“."
    ]
