"""Exported files opened and checked: PPTX (python-pptx), PDF (pypdf), XLSX (openpyxl).

One kaleido renderer (system Chromium) serves the whole module; the session is exported once.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import Engine

from sozdash.core.permissions import Actor
from sozdash.exports import pdf as pdf_export
from sozdash.exports import render
from sozdash.exports import session as session_export
from sozdash.exports.render import RenderedSlide
from sozdash.meetings import agenda as meetings
from sozdash.meetings.agenda import SlideRef
from sozdash.meetings.saved_views import View
from sozdash.meetings.slides import SlideContent
from sozdash.store import db

SEED = Path(__file__).resolve().parents[2] / "data" / "seed"
SESSION_DATE = dt.date(2018, 4, 16)
PNG = b"\x89PNG"
COUNCILLOR = Actor(username="rat.mitglied", role="rat")


def _seed(name: str) -> list[dict]:
    return yaml.safe_load((SEED / name).read_text(encoding="utf-8"))


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture(scope="module")
def exported(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[session_export.SessionFiles]:
    path = tmp_path_factory.mktemp("export") / "sozdash.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    engine = db.get_engine(f"sqlite:///{path}")
    info = meetings.meeting(engine, "sozialausschuss-2018")
    steps: list[float] = []
    with render.renderer():
        yield session_export.export_session(
            engine, info, SESSION_DATE, COUNCILLOR, lambda f, _t: steps.append(f)
        )
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)


def _slide_views() -> list[dict]:
    """Seeded views in presentation order (agenda item, then slide position), from the YAML files."""
    views = {v["key"]: v for v in _seed("saved_views.yaml")}
    items = {i["key"]: i["position"] for i in _seed("agenda_items.yaml")}
    order = sorted(_seed("agenda_slides.yaml"), key=lambda s: (items[s["agenda_item"]], s["position"]))
    return [views[s["saved_view"]] for s in order]


def test_pptx_has_title_slide_and_one_slide_per_view_with_notes(
    exported: session_export.SessionFiles,
) -> None:
    deck = Presentation(io.BytesIO(exported.pptx))
    views = _slide_views()
    assert len(deck.slides) == 1 + len(views) == 8
    assert deck.slides[0].shapes.title.text == "Sitzung 2018 – Mitteilungen der Verwaltung"
    for slide, view in zip(list(deck.slides)[1:], views, strict=True):
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert view["title"] in texts
        assert any(t.startswith("Quelle: ") and "Stand: 16.04.2018" in t for t in texts)
        assert any(shape.shape_type == 13 and shape.image.blob.startswith(PNG) for shape in slide.shapes)
        notes = slide.notes_slide.notes_text_frame.text
        assert "Vortrag: Beigeordneter Lünenbach" in notes
        assert f"Ansicht öffnen: http://localhost:8501/{view['page']}?" in notes
        assert "stichtag=2018-04-16" in notes
    biwaq = list(deck.slides)[1 + [v["page"] for v in views].index("projekte")]
    assert "12.04.2018" in biwaq.notes_slide.notes_text_frame.text  # EU visit, from the minutes
    demo = list(deck.slides)[1 + [v["page"] for v in views].index("indikatoren")]
    assert any("Beispieldaten" in s.text_frame.text for s in demo.shapes if s.has_text_frame)


def test_pdf_handout_holds_titles_figures_sources_and_links(exported: session_export.SessionFiles) -> None:
    text = _text(exported.pdf)
    for view in _slide_views():
        assert view["title"] in text
    assert "TOP 2: BIWAQ – Quartiershausmeister" in text
    assert "Sitzung frühestens 16.04.2018" in text
    # SGB-II-Quote Rheindorf 2017 (demo_observations.csv: 2806 / 13720 = 20.45 %) and its source
    assert "Rheindorf 20,5 % 12,2 %" in text
    assert "Quelle: Bundesagentur für Arbeit; Datenjahr 2017" in text
    assert "Status am 16.04.2018: ● laufend" in text
    link = "http://localhost:8501/projekte?projekt=biwaq-rheindorferleben&stichtag=2018-04-16"
    assert link in text.replace(" ", "")  # long links wrap onto the next line
    assert "„RHEINDORFerLEBEN“" in text


def test_session_workbook_holds_numbers_and_is_formula_safe(exported: session_export.SessionFiles) -> None:
    book = openpyxl.load_workbook(io.BytesIO(exported.xlsx))
    assert book.sheetnames[0] == "Inhalt" and len(book.sheetnames) == 1 + len(_slide_views())
    sheet = book["Folie 2"]  # SGB-II-Quote map
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("Gebiet")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    value = rows["Rheindorf"][header.index("Wert als Zahl (%)")]
    assert isinstance(value, float) and value == 20.5  # 2806 / 13720 = 20.45 %, one decimal as the indicator

    table = pd.DataFrame(
        {"Text": ['=HYPERLINK("http://x")', "-5", "@SUM(A1)", "normal"], "Zahl": [1.5, -2, 3, 4]}
    )
    ref = SlideRef(1, 1, "=TOP", None, None, "Quelle", View(1, None, "T", None, "indikatoren", {}))
    content = SlideContent(title="+Titel", summary="", source="Quelle", table=table, link="http://l")
    book = openpyxl.load_workbook(
        io.BytesIO(session_export.session_xlsx([RenderedSlide(ref, content, None)]))
    )
    cells = [[c.value for c in row] for row in book["Folie 1"].iter_rows(min_row=2)]
    # "-5" becomes the number -5 (inert); text that starts like a formula stays neutralised text
    assert cells == [['\'=HYPERLINK("http://x")', 1.5], [-5, -2], ["'@SUM(A1)", 3], ["normal", 4]]
    assert [c.data_type for c in book["Folie 1"]["A"]] == ["s", "s", "n", "s", "s"]
    contents = [c.value for c in book["Inhalt"][2]]
    assert contents[:3] == ["Folie 1", "'=TOP", "'+Titel"]


def test_pdf_text_keeps_german_typography() -> None:
    doc = pdf_export.Document("Test", "Teststadt")
    doc.add_page()
    doc.paragraph("„Grüße“ aus Köln: 1.234,50 € – Maß, Öl, Übung")
    assert "„Grüße“ aus Köln: 1.234,50 € – Maß, Öl, Übung" in _text(doc.bytes())


def test_district_profile_pdf_is_searchable_text(sqlite_engine: Engine) -> None:
    pdf = pdf_export.profile_pdf(sqlite_engine, "rheindorf", 2017, COUNCILLOR, charts=False)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4 portrait in points
    text = _text(pdf)
    assert "Stadtteilprofil Rheindorf (Stadtteil), 2017" in text
    assert "Beispieldaten" in text and "Einkommen und Armut" in text
    assert "SGB-II-Quote 20,5 % deutlich über dem" in text  # value, then its position in words
    assert "städtischen Wert von 12,2 %" in text
    assert "stadtteilprofil?gebiet=rheindorf&jahr=2017" in text.replace(" ", "")
