"""The session PPTX as a committee gets it: title placeholders, alt text, notes, plain text, links from
SOZDASH_BASE_URL, agenda items without slides, and nothing outside the page when LibreOffice Impress
renders it (converted to PDF, read with pypdf).

The shipped 2018 session (plus one agenda item without slides) is rendered and converted once per module.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.util import Emu
from pypdf import PdfReader

from sozdash.core.permissions import Actor
from sozdash.exports import pptx as pptx_export
from sozdash.exports import render
from sozdash.exports import session as session_export
from sozdash.exports.render import RenderedSlide
from sozdash.meetings import agenda as meetings
from sozdash.meetings import edit
from sozdash.meetings.agenda import ItemTitle, MeetingInfo, SlideRef
from sozdash.meetings.saved_views import View, deep_link
from sozdash.meetings.slides import SlideContent
from sozdash.store import db

SEED = Path(__file__).resolve().parents[2] / "data" / "seed"
SESSION_DATE = dt.date(2018, 4, 16)
BASE = "https://sozialdashboard.leverkusen.example/app"
COUNCILLOR = Actor(username="rat.mitglied", role="rat")
EDITOR = Actor(username="fb.soziales", role="fachbereich")
EXTRA_ITEM = {
    "title": "Verschiedenes", "speaker": "Frau Vorsitzende", "source": "Niederschrift, TOP 4",
    "speaker_notes": "Keine Wortmeldungen; nächste Sitzung im Juni.",
}  # fmt: skip
LOCALHOST_NOTICE = "Links zeigen auf localhost – SOZDASH_BASE_URL setzen"
TITLE_TYPES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}


@dataclass(frozen=True)
class Exported:
    pptx: bytes
    pdf: PdfReader


def _seed(name: str) -> list[dict]:
    return yaml.safe_load((SEED / name).read_text(encoding="utf-8"))


def _expected_titles() -> list[str]:
    """Slide titles in presentation order, from the seed files: cover, views by agenda item, TOP 4."""
    meeting = next(m for m in _seed("meetings.yaml") if m["key"] == "sozialausschuss-2018")
    views = {v["key"]: v["title"] for v in _seed("saved_views.yaml")}
    items = {i["key"]: i["position"] for i in _seed("agenda_items.yaml")}
    order = sorted(_seed("agenda_slides.yaml"), key=lambda s: (items[s["agenda_item"]], s["position"]))
    return [meeting["title"], *(views[s["saved_view"]] for s in order), "TOP 4: Verschiedenes"]


def _convert(pptx: bytes, folder: Path) -> PdfReader:
    """The PPTX as LibreOffice Impress renders it (PDF), with a private profile for parallel runs."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice Impress (soffice) fehlt – scripts/test.sh installiert es")
    (folder / "deck.pptx").write_bytes(pptx)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(folder / "deck.pptx")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return PdfReader(folder / "deck.pdf")


@pytest.fixture(scope="module")
def exported(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    folder = tmp_path_factory.mktemp("pptx")
    path = folder / "sozdash.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    engine = db.get_engine(f"sqlite:///{path}")
    info = meetings.meeting(engine, "sozialausschuss-2018")
    assert info is not None
    edit.add_item(engine, EDITOR, info.id, EXTRA_ITEM)
    with pytest.MonkeyPatch.context() as patch, render.renderer():
        patch.setenv("SOZDASH_BASE_URL", BASE + "/")
        files = session_export.export_session(engine, info, SESSION_DATE, COUNCILLOR)
    yield Exported(files.pptx, _convert(files.pptx, folder))


def _deck(pptx: bytes) -> Deck:
    return Presentation(io.BytesIO(pptx))


def _texts(slide: Slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _notes(slide: Slide) -> str:
    frame = slide.notes_slide.notes_text_frame
    assert frame is not None
    return frame.text


def _everything(deck: Deck) -> list[str]:
    """Every text of the deck: text boxes, notes, alt texts and link addresses."""
    found = []
    for slide in deck.slides:
        found += [*_texts(slide), _notes(slide)]
        for shape in slide.shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                found.append(shape._element.xpath("./p:nvPicPr/p:cNvPr")[0].get("descr", ""))
            if shape.has_text_frame:
                found += [r.hyperlink.address or "" for p in shape.text_frame.paragraphs for r in p.runs]
    return found


def _meeting() -> MeetingInfo:
    return MeetingInfo(1, "test", "Sozialausschuss", dt.date(2024, 3, 5), "day", "Testsitzung", "Niederschrift", None)


def _rendered(item: int, summary: str, link: str) -> RenderedSlide:
    ref = SlideRef(item, item, f"Punkt {item}", None, None, "Quelle", View(item, None, f"Ansicht {item}", None, "indikatoren", {}))
    return RenderedSlide(ref, SlideContent(title=f"Ansicht {item}", summary=summary, source="Amt", link=link), None)


def test_every_slide_has_its_title_in_a_title_placeholder(exported: Exported) -> None:
    deck = _deck(exported.pptx)
    titles = []
    for slide in deck.slides:
        title = slide.shapes.title
        assert title is not None and title.placeholder_format.type in TITLE_TYPES
        titles.append(title.text_frame.text)
    assert titles == _expected_titles()


def test_pictures_carry_the_chart_summary_as_alt_text(exported: Exported) -> None:
    deck = _deck(exported.pptx)
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 7  # every view of the session has a chart or a map
    for slide in list(deck.slides)[1:8]:
        picture = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
        alt = picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].get("descr", "")
        assert len(alt) > 40
        # the summary beside the chart is the alt text, or its beginning where the slide cut it short
        beside = next(t for t in _texts(slide) if t and alt.startswith(t.removesuffix("…").strip()))
        assert len(beside) > 20
    sgb2 = list(deck.slides)[2]
    alt = next(s for s in sgb2.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)._element.xpath(
        "./p:nvPicPr/p:cNvPr"
    )[0].get("descr")
    assert alt.startswith("SGB-II-Quote 2017") and "Rheindorf mit 20,5 %" in alt


def test_notes_links_and_plain_text(exported: Exported) -> None:
    deck = _deck(exported.pptx)
    slides = list(deck.slides)
    for slide in slides[1:8]:
        notes = _notes(slide)
        assert notes.startswith("TOP ") and f"Ansicht öffnen: {BASE}/" in notes
        links = [r.hyperlink.address for s in slide.shapes if s.has_text_frame
                 for p in s.text_frame.paragraphs for r in p.runs if r.hyperlink.address]  # fmt: skip
        assert len(links) == 1 and links[0].startswith(f"{BASE}/") and "stichtag=2018-04-16" in links[0]
    everything = _everything(deck)
    assert not [t for t in everything if "\\" in t or "**" in t or "\u2060" in t]
    assert not [t for t in everything if "localhost" in t]
    assert "Keine Wortmeldungen; nächste Sitzung im Juni." in _notes(slides[8])
    assert _texts(slides[8]) == ["TOP 4: Verschiedenes", "Vortrag: Frau Vorsitzende"]


def test_libreoffice_renders_every_title_and_nothing_outside_the_page_or_its_box(exported: Exported) -> None:
    deck = _deck(exported.pptx)
    assert len(exported.pdf.pages) == len(deck.slides) == 9
    height = Emu(deck.slide_height).pt
    for number, (page, slide, title) in enumerate(zip(exported.pdf.pages, deck.slides, _expected_titles(), strict=True)):
        text = "".join(page.extract_text().split())
        assert "".join(title.split()) in text, f"Folie {number + 1}: Titel fehlt"
        boxes = [
            (Emu(s.left).pt, Emu(s.top).pt, Emu(s.left + s.width).pt, Emu(s.top + s.height).pt,
             "".join(s.text_frame.text.split()))
            for s in slide.shapes if s.has_text_frame
        ]  # fmt: skip
        lines: list[tuple[float, float, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object,
                  lines: list[tuple[float, float, str]] = lines) -> None:  # fmt: skip
            if text.strip():
                x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                lines.append((x, height - y, "".join(text.split())))

        page.extract_text(visitor_text=visit)
        box = page.mediabox
        assert len(lines) >= 2
        for x, top, line in lines:
            assert 0 <= x <= float(box.width) and 0 <= top <= float(box.height), (number + 1, line)
            assert any(left - 2 <= x <= right and upper - 2 <= top <= lower + 2 and line in own
                       for left, upper, right, lower, own in boxes), (number + 1, line)  # fmt: skip


def test_localhost_links_are_flagged_on_the_title_slide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOZDASH_BASE_URL", raising=False)
    local = _rendered(1, "Kurz.", deep_link("indikatoren", {"ind": "x"}))
    cover = _deck(pptx_export.session_pptx(_meeting(), [local], SESSION_DATE)).slides[0]
    assert LOCALHOST_NOTICE in _texts(cover)
    monkeypatch.setenv("SOZDASH_BASE_URL", BASE)
    configured = _rendered(1, "Kurz.", deep_link("indikatoren", {"ind": "x"}))
    cover = _deck(pptx_export.session_pptx(_meeting(), [configured], SESSION_DATE)).slides[0]
    assert not [t for t in _texts(cover) if "localhost" in t]


def test_escapes_go_long_text_is_cut_into_the_notes_and_items_keep_their_place() -> None:
    long = " ".join(f"Satz {n} über das Quartier mit vielen Wörtern." for n in range(1, 80))
    slides = [_rendered(1, r"Die SGB\-II\-Quote ist **hoch** \[1\].", "http://x/a"), _rendered(3, long, "http://x/b")]
    items = [ItemTitle(2, "Bericht ohne Folien", None, "Mündlich.", "Niederschrift")]
    deck = _deck(pptx_export.session_pptx(_meeting(), slides, SESSION_DATE, items))
    first, middle, last = list(deck.slides)[1:]
    assert "Die SGB-II-Quote ist hoch [1]." in _texts(first)
    assert middle.shapes.title is not None and middle.shapes.title.text_frame.text == "TOP 2: Bericht ohne Folien"
    assert _texts(middle) == ["TOP 2: Bericht ohne Folien"] and "Mündlich." in _notes(middle)
    shown = next(t for t in _texts(last) if t.startswith("Satz 1 "))
    assert shown.endswith(" …") and "Satz 79" not in shown
    rest = _notes(last).split("Fortsetzung: …", 1)[1].strip()
    assert f"{shown.removesuffix(' …')} {rest}" == long
