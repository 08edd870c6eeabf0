"""A4 PDF documents with real, searchable text (fpdf2, DejaVu Sans shipped in sozdash/fonts):
the session handout (slides with summaries, sources, data tables and links) and reports."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import Engine

from sozdash.access.visibility import sees_internal
from sozdash.core import fmt, vocab
from sozdash.core.permissions import Actor
from sozdash.exports import render
from sozdash.exports.render import RenderedSlide
from sozdash.indicators import profile
from sozdash.meetings.agenda import MeetingInfo
from sozdash.meetings.saved_views import deep_link
from sozdash.meetings.slides import DEMO_SHORT, stichtag_line, strip_emphasis
from sozdash.store import queries

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
FAMILY = "DejaVu"
MAX_TABLE_ROWS = 40
WIDTH = 180  # mm of text width on A4 with 15 mm margins


def cell_text(value: object) -> str:
    """A table cell in German format: ``1234.5`` → ``1.234,5``; dates ``31.12.2024``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt.MISSING
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return fmt.number(value)
    if isinstance(value, float):
        return fmt.number(value, 0 if value.is_integer() else 1)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return fmt.date(value)
    return str(value)


class Document(FPDF):
    """An A4 document with the app's font, a footer with page numbers and the document title;
    its creator names the dashboard of ``city``."""

    def __init__(self, title: str, city: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_lang("de-DE")
        self.set_creator(f"Sozialdashboard {city}")
        self.doc_title = title

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 5, f"{self.doc_title} · Seite {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(WIDTH, size * 0.5, text, align="L")
        self.ln(1.5)

    def paragraph(self, text: str, size: int = 10, *, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(WIDTH, size * 0.5, text, align="L")
        self.ln(1.5)

    def link_line(self, url: str) -> None:
        self.set_font(FAMILY, "", 8)
        self.write(4, "Ansicht öffnen: ")
        self.set_text_color(0, 60, 160)
        self.write(4, url, link=url)
        self.set_text_color(0, 0, 0)
        self.ln(6)

    def data_table(self, frame: pd.DataFrame) -> None:
        """The data table as real text (at most ``MAX_TABLE_ROWS`` rows, a note says if cut)."""
        if frame.empty:
            return
        shown = frame.head(MAX_TABLE_ROWS)
        self.set_font(FAMILY, "", 7 if len(frame.columns) > 6 else 8)
        with self.table(
            width=WIDTH, headings_style=FontFace(emphasis="BOLD"), line_height=4, text_align="LEFT",
            first_row_as_headings=True, repeat_headings=1,
        ) as table:  # fmt: skip
            table.row([str(c) for c in shown.columns])
            for values in shown.itertuples(index=False):
                table.row([cell_text(v) for v in values])
        if len(frame) > MAX_TABLE_ROWS:
            self.paragraph(f"… {len(frame) - MAX_TABLE_ROWS} weitere Zeilen in der Ansicht (Link).", 8)
        self.ln(2)

    def bytes(self) -> bytes:
        return bytes(self.output())


def handout_pdf(meeting: MeetingInfo, slides: Sequence[RenderedSlide], as_of: dt.date, city: str) -> bytes:
    """The handout of ``city``'s dashboard: cover, then per agenda item its summary and each slide
    with table and link."""
    doc = Document(f"{meeting.title} – Tischvorlage", city)
    doc.add_page()
    doc.heading(meeting.title, 20)
    doc.paragraph(f"{meeting.committee}\nSitzung {fmt.date(meeting.date, meeting.date_precision)}", 12)
    doc.paragraph(f"Folien: {stichtag_line(as_of)} · Quelle der Tagesordnung: {meeting.source}", 9)
    if meeting.note:
        doc.paragraph(meeting.note, 9)
    current_item = None
    for rendered in slides:
        ref, content = rendered.ref, rendered.content
        if ref.item_position != current_item:
            current_item = ref.item_position
            doc.add_page()
            doc.heading(f"TOP {ref.item_position}: {ref.item_title}", 16)
            if ref.speaker:
                doc.paragraph(f"Bericht: {ref.speaker}", 10, bold=True)
            if ref.speaker_notes:
                doc.paragraph(f"{ref.speaker_notes.strip()}\n(Quelle: {ref.item_source})", 10)
        elif doc.get_y() > 150:
            doc.add_page()
        doc.ln(2)
        doc.heading(content.title, 13)
        if rendered.image:
            doc.image(io.BytesIO(rendered.image), w=WIDTH, alt_text=strip_emphasis(content.summary))
            doc.ln(2)
        doc.paragraph(f"Kurz gesagt: {strip_emphasis(content.summary)}", 10)
        if content.is_demo:
            doc.paragraph(DEMO_SHORT, 10, bold=True)
        doc.paragraph(f"Quelle: {content.source} · {stichtag_line(as_of)}", 8)
        doc.data_table(content.table)
        doc.link_line(content.link)
    return doc.bytes()


def profile_pdf(
    engine: Engine, area: str, year: int, actor: Actor, *, charts: bool = True,
    progress: render.Progress | None = None,
) -> bytes:  # fmt: skip
    """A district profile as an A4 report: the clearest deviations in words, then per Lebenslage
    the spine chart (``charts``), its summary, the table and every indicator's sentence."""
    areas = queries.areas(engine).set_index("code")
    name = str(areas.loc[area, "name"])
    data = profile.area_profile(engine, area, year, not sees_internal(actor))
    doc = Document(f"Stadtteilprofil {name} {year}", queries.city(engine).name)
    doc.add_page()
    level = queries.area_levels(engine)[str(areas.loc[area, "level"])]
    doc.heading(f"Stadtteilprofil {name} ({level}), {year}", 18)
    if data["is_demo"].any():
        doc.paragraph(DEMO_SHORT + " (Indikatorwerte sind Beispieldaten).", 10, bold=True)
    doc.paragraph("Auf einen Blick", 12, bold=True)
    for sentence in profile.highlights(data):
        doc.paragraph(f"• {sentence}", 10)
    doc.paragraph(
        "z = (Wert − Referenz) ÷ Standardabweichung der Gebiete derselben Ebene im selben Jahr; Referenz ist "
        "der städtische Wert. Quellen je Indikator im Indikatorenkatalog des Sozialdashboards.", 8
    )  # fmt: skip
    doc.link_line(deep_link("stadtteilprofil", {"gebiet": area, "jahr": str(year)}))
    lagen = [(k, label) for k, label in vocab.LEBENSLAGEN.items() if (data["lebenslage"] == k).any()]
    for done, (key, label) in enumerate(lagen):
        if progress:
            progress(done / len(lagen), f"{label} …")
        part = data[data["lebenslage"] == key]
        doc.add_page()
        doc.heading(label, 14)
        if charts:
            image = render.figure_png(
                profile.spine_figure(part), width=1600, height=max(500, 160 + 60 * len(part))
            )
            doc.image(io.BytesIO(image), w=WIDTH, alt_text=profile.spine_summary(part, name))
        doc.paragraph(f"Kurz gesagt: {profile.spine_summary(part, name)}", 10)
        doc.data_table(profile.profile_table(part))
        for sentence in part["sentence"].dropna():
            doc.paragraph(f"• {sentence}", 9)
    return doc.bytes()
