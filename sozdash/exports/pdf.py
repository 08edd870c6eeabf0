"""A4 PDF documents with real, searchable text (fpdf2, DejaVu Sans shipped in sozdash/fonts):
the session handout (slides with summaries, sources, data tables and links) and reports."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from fpdf import FPDF, ViewerPreferences
from fpdf.enums import PageOrientation, WrapMode
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
WIDTH = 180  # mm of text width on A4 portrait with 15 mm margins
LANDSCAPE_WIDTH = 267  # mm of text width on A4 landscape
PADDING = 1.0  # mm left and right of a table cell's text
SLACK = 0.4  # mm more than measured, so rounding never pushes a word to a character break
MIN_TABLE_FONT = 5.0
LINE_FACTOR = 0.45  # mm of table line height per pt of font size
LANDSCAPE_GAIN = 1.5
"""A table goes on a landscape page when it is this much shorter there (and does not fit the rest
of the current page), or when its words do not fit side by side on a portrait page."""


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


def png_height(png: bytes, width: float) -> float:
    """Height in mm of a PNG shown ``width`` mm wide (its size from the IHDR header)."""
    pixels_wide, pixels_high = struct.unpack(">II", png[16:24])
    return width * pixels_high / pixels_wide


@dataclass(frozen=True)
class TableLayout:
    """Column widths (mm) and font size (pt) of a table, and its estimated height (mm)."""

    widths: list[float]
    size: float
    height: float


class Document(FPDF):
    """An A4 document with the app's font, title and language for screen readers, bookmarks for
    its headings, and a footer on every page with the source line and ``Seite n von N``;
    its creator names the dashboard of ``city``."""

    def __init__(self, title: str, city: str, source: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=20)
        self.set_title(title)
        self.set_lang("de")
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_creator(f"Sozialdashboard {city}")
        self.doc_title = title
        self.source = source or f"Quelle: Sozialdashboard {city}"

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FAMILY, "", 7)
        self.multi_cell(self.epw, 3.5, self.source, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 8)
        self.cell(self.epw, 4, f"{self.doc_title} · Seite {self.page_no()} von {{nb}}", align="C")

    def heading(self, text: str, size: int = 16, level: int = 0) -> None:
        """A bold heading, also a bookmark at ``level`` of the document outline."""
        self.start_section(text, level, strict=False)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(self.epw, size * 0.5, text, align="L")
        self.ln(1.5)

    def paragraph(self, text: str, size: int = 10, *, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(self.epw, size * 0.5, text, align="L")
        self.ln(1.5)

    def link_line(self, url: str) -> None:
        self.set_font(FAMILY, "", 8)
        self.write(4, "Ansicht öffnen: ")
        self.set_text_color(0, 60, 160)
        self.write(4, url, link=url)
        self.set_text_color(0, 0, 0)
        self.ln(6)

    def room(self) -> float:
        """Millimetres left above the footer on the current page."""
        return self.page_break_trigger - self.get_y()

    def section_page(self, needed: float) -> None:
        """A new portrait page unless ``needed`` mm fit on the current portrait page."""
        if self.page == 0 or self.cur_orientation is not PageOrientation.PORTRAIT or self.room() < needed:
            self.add_page(orientation="portrait")

    def _text_widths(self, texts: list[list[str]], size: float) -> tuple[list[float], list[float], list[list[float]]]:
        """Per column the widest word and the widest text (mm, padding included); each cell's width."""
        words = [0.0] * len(texts[0])
        whole = [0.0] * len(texts[0])
        cells = []
        for row_number, row in enumerate(texts):
            self.set_font(FAMILY, "B" if row_number == 0 else "", size)
            widths = []
            for j, text in enumerate(row):
                lines = text.split("\n")
                width = max(self.get_string_width(line) for line in lines)
                word = max((self.get_string_width(w) for line in lines for w in line.split()), default=0.0)
                words[j], whole[j] = max(words[j], word + 2 * PADDING + SLACK), max(whole[j], width + 2 * PADDING + SLACK)
                widths.append(width)
            cells.append(widths)
        return words, whole, cells

    def table_layout(self, texts: list[list[str]], size: float, width: float) -> TableLayout:
        """Columns sized to their content within ``width``: each at least its widest word (the font
        shrinks for the table, down to ``MIN_TABLE_FONT``, when the words do not fit side by side),
        the rest shared by how much more text a column holds; the height counts each row's wrapped lines."""
        words, whole, cells = self._text_widths(texts, size)
        if sum(words) > width and size > MIN_TABLE_FONT:
            return self.table_layout(texts, max(MIN_TABLE_FONT, math.floor(size * width / sum(words) * 2) / 2), width)
        if sum(whole) <= width:
            widths = [w * width / sum(whole) for w in whole]
        elif sum(words) >= width:  # only at the smallest font: the longest words may still break
            widths = [w * width / sum(words) for w in words]
        else:
            extra = [b - a for a, b in zip(words, whole, strict=True)]
            widths = [a + (width - sum(words)) * e / sum(extra) for a, e in zip(words, extra, strict=True)]
        line = size * LINE_FACTOR
        height = sum(
            max(math.ceil(c / max(w - 2 * PADDING, 1.0)) for c, w in zip(row, widths, strict=True)) * line + 2 * PADDING
            for row in cells
        )
        return TableLayout(widths, size, height)

    def data_table(self, frame: pd.DataFrame) -> None:
        """The data table as real text (at most ``MAX_TABLE_ROWS`` rows, a note says if cut), header
        repeated on every page, no word broken: on a landscape page of its own when its words do
        not fit a portrait page or when it is much shorter there and does not fit the rest of the page."""
        if frame.empty:
            return
        shown = frame.head(MAX_TABLE_ROWS)
        texts = [[str(c) for c in shown.columns]] + [[cell_text(v) for v in row] for row in shown.itertuples(index=False)]
        size = 7.0 if len(frame.columns) > 6 else 8.0
        layout = self.table_layout(texts, size, self.epw)
        if self.cur_orientation is PageOrientation.PORTRAIT:
            wide = self.table_layout(texts, size, LANDSCAPE_WIDTH)
            cramped = layout.size < wide.size or layout.height > LANDSCAPE_GAIN * wide.height
            if cramped and layout.height > self.room():
                self.add_page(orientation="landscape")
                layout = wide
        self.set_font(FAMILY, "", layout.size)
        with self.table(
            width=self.epw, col_widths=tuple(layout.widths), headings_style=FontFace(emphasis="BOLD"),
            line_height=layout.size * LINE_FACTOR, text_align="LEFT", padding=(0.6, PADDING),
            first_row_as_headings=True, repeat_headings=1, wrapmode=WrapMode.WORD, v_align="TOP",
        ) as table:  # fmt: skip
            for row in texts:
                table.row(row)
        if len(frame) > MAX_TABLE_ROWS:
            self.paragraph(f"… {len(frame) - MAX_TABLE_ROWS} weitere Zeilen in der Ansicht (Link).", 8)
        self.ln(2)

    def bytes(self) -> bytes:
        return bytes(self.output())


def handout_pdf(meeting: MeetingInfo, slides: Sequence[RenderedSlide], as_of: dt.date, city: str) -> bytes:
    """The handout of ``city``'s dashboard: cover, then per agenda item its summary and each slide
    with table and link (a slide starts a new page only when its heading and chart do not fit)."""
    doc = Document(
        f"{meeting.title} – Tischvorlage", city,
        f"Quelle: Sozialdashboard {city}, Folien {stichtag_line(as_of)}; Quellen der Daten je Folie",
    )  # fmt: skip
    doc.add_page()
    doc.heading(meeting.title, 20)
    doc.paragraph(f"{meeting.committee}\nSitzung {fmt.date(meeting.date, meeting.date_precision)}", 12)
    doc.paragraph(f"Folien: {stichtag_line(as_of)} · Quelle der Tagesordnung: {meeting.source}", 9)
    if meeting.note:
        doc.paragraph(meeting.note, 9)
    current_item = None
    for rendered in slides:
        ref, content = rendered.ref, rendered.content
        image_height = png_height(rendered.image, WIDTH) if rendered.image else 0.0
        if ref.item_position != current_item:
            current_item = ref.item_position
            doc.add_page(orientation="portrait")
            doc.heading(f"TOP {ref.item_position}: {ref.item_title}", 16, 1)
            if ref.speaker:
                doc.paragraph(f"Bericht: {ref.speaker}", 10, bold=True)
            if ref.speaker_notes:
                doc.paragraph(f"{ref.speaker_notes.strip()}\n(Quelle: {ref.item_source})", 10)
        doc.section_page(20 + image_height + 20)
        doc.ln(2)
        doc.heading(content.title, 13, 2)
        if rendered.image:
            doc.image(io.BytesIO(rendered.image), w=WIDTH, alt_text=strip_emphasis(content.summary))
            doc.ln(2)
        doc.paragraph(f"Kurz gesagt: {strip_emphasis(content.notes or content.summary)}", 10)  # the full text
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
    the spine chart (``charts``), its summary, the table and every indicator's sentence (a
    Lebenslage starts a new page only when its heading and chart do not fit)."""
    areas = queries.areas(engine).set_index("code")
    name = str(areas.loc[area, "name"])
    data = profile.area_profile(engine, area, year, not sees_internal(actor))
    city = queries.city(engine).name
    doc = Document(
        f"Stadtteilprofil {name} {year}", city,
        f"Quelle: Indikatoren des Sozialdashboards {city}, Datenjahr {year}; Quellen je Indikator im Indikatorenkatalog",
    )  # fmt: skip
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
        height = max(500, 160 + 60 * len(part))
        doc.section_page(15 + (WIDTH * height / 1600 if charts else 0) + 30)
        doc.heading(label, 14, 1)
        if charts:
            image = render.figure_png(profile.spine_figure(part), width=1600, height=height)
            doc.image(io.BytesIO(image), w=WIDTH, alt_text=profile.spine_summary(part, name))
        doc.paragraph(f"Kurz gesagt: {profile.spine_summary(part, name)}", 10)
        doc.data_table(profile.profile_table(part))
        for sentence in part["sentence"].dropna():
            doc.paragraph(f"• {sentence}", 9)
    return doc.bytes()
