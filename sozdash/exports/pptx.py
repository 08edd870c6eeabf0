"""A session as a PowerPoint file: a title slide, then one 16:9 slide per saved view with the
chart image, title, summary, source, "Beispieldaten" notice, deep link and the speaker notes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.slide import Slide
from pptx.util import Inches, Pt

from sozdash.core import fmt
from sozdash.exports.render import RenderedSlide
from sozdash.meetings.agenda import MeetingInfo
from sozdash.meetings.slides import DEMO_SHORT, stichtag_line, strip_emphasis

DARK = RGBColor(0x1A, 0x1A, 0x1A)
GREY = RGBColor(0x44, 0x44, 0x44)
WARN = RGBColor(0x8A, 0x3B, 0x00)
BLANK_LAYOUT, TITLE_LAYOUT = 6, 0


def _text(slide: Slide, left: float, top: float, width: float, height: float, text: str, size: int, *,
          bold: bool = False, color: RGBColor = DARK, link: str | None = None) -> None:  # fmt: skip
    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color
    if link:
        run.hyperlink.address = link


def notes_text(rendered: RenderedSlide) -> str:
    """Speaker notes: agenda item, speaker, notes and their source, and the view's link."""
    ref = rendered.ref
    lines = [f"TOP {ref.item_position}: {ref.item_title}"]
    if ref.speaker:
        lines.append(f"Vortrag: {ref.speaker}")
    if ref.speaker_notes:
        lines += ["", ref.speaker_notes.strip(), f"(Quelle: {ref.item_source})"]
    lines += ["", f"Ansicht öffnen: {rendered.content.link}"]
    return "\n".join(lines)


def session_pptx(meeting: MeetingInfo, slides: Sequence[RenderedSlide], as_of: dt.date) -> bytes:
    """The presentation as PPTX bytes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    cover = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    cover.shapes.title.text = meeting.title
    held = fmt.date(meeting.date, meeting.date_precision)
    cover.placeholders[1].text = f"{meeting.committee}\nSitzung {held} · Folien: {stichtag_line(as_of)}"
    for rendered in slides:
        content, ref = rendered.content, rendered.ref
        slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
        _text(slide, 0.4, 0.2, 12.5, 0.4, f"TOP {ref.item_position}: {ref.item_title}", 14, color=GREY)
        _text(slide, 0.4, 0.55, 12.5, 0.8, content.title, 30, bold=True)
        if rendered.image:
            slide.shapes.add_picture(io.BytesIO(rendered.image), Inches(0.4), Inches(1.45), width=Inches(8.4))
            _text(slide, 9.0, 1.45, 4.0, 4.6, strip_emphasis(content.summary), 16)
        else:
            _text(slide, 0.4, 1.6, 12.5, 4.4, strip_emphasis(content.summary), 24)
        if content.is_demo:
            _text(slide, 9.0, 5.75, 4.0, 0.5, DEMO_SHORT, 14, bold=True, color=WARN)
        _text(
            slide, 0.4, 6.3, 12.5, 0.4, f"Quelle: {content.source} · {stichtag_line(as_of)}", 12, color=GREY
        )
        _text(slide, 0.4, 6.8, 12.5, 0.4, content.link, 11, color=GREY, link=content.link)
        slide.notes_slide.notes_text_frame.text = notes_text(rendered)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
