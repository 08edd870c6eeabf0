"""A session as a PowerPoint file: a title slide, then in agenda order one 16:9 slide per saved view
(chart image with alt text, title placeholder, summary, source, "Beispieldaten" notice, deep link,
speaker notes) and a title slide for each agenda item without slides.

Every text is fitted to its box: the font shrinks down to a floor, then the text is cut with "…" and
the rest goes to the speaker notes. The fit is estimated from character widths of Arial (Liberation
Sans in LibreOffice, metric-compatible), erring on the wide side.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.shapes.autoshape import Shape
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Inches, Pt

from sozdash.core import fmt
from sozdash.exports.render import LOCALHOST_NOTICE, RenderedSlide, file_text, links_to_localhost
from sozdash.meetings.agenda import ItemTitle, MeetingInfo
from sozdash.meetings.slides import DEMO_SHORT, stichtag_line

DARK = RGBColor(0x1A, 0x1A, 0x1A)
GREY = RGBColor(0x44, 0x44, 0x44)
WARN = RGBColor(0x8A, 0x3B, 0x00)
TITLE_SLIDE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
FONT = "Arial"
LINE_HEIGHT = 1.2
"""Line height in font sizes (single spacing of Arial is about 1.15)."""
MARGIN_X, MARGIN_Y = 0.1, 0.05
"""Inner margins of every text box in inches."""
CUT = "…"


@dataclass(frozen=True)
class Box:
    """A text box on the slide in inches, its preferred and smallest font size in points."""

    left: float
    top: float
    width: float
    height: float
    size: int
    floor: int
    bold: bool = False


COVER_TITLE = Box(0.9, 1.6, 11.5, 1.9, 40, 28, bold=True)
COVER_SUB = Box(0.9, 3.6, 11.5, 1.6, 24, 18)
COVER_NOTICE = Box(0.9, 5.5, 11.5, 0.7, 20, 16, bold=True)
ITEM_LINE = Box(0.4, 0.15, 12.5, 0.4, 14, 11)
TITLE = Box(0.4, 0.55, 12.5, 0.9, 30, 22, bold=True)
SUMMARY_BESIDE = Box(9.0, 1.5, 4.0, 4.0, 18, 14)
SUMMARY_ALONE = Box(0.4, 1.6, 12.5, 4.4, 24, 18)
DEMO = Box(9.0, 5.55, 4.0, 0.7, 14, 11, bold=True)
SOURCE = Box(0.4, 6.3, 12.5, 0.45, 12, 10)
LINK = Box(0.4, 6.8, 12.5, 0.45, 11, 9)
PICTURE_LEFT, PICTURE_TOP, PICTURE_WIDTH = 0.4, 1.5, 8.4


def _em(char: str) -> float:
    """Width of ``char`` in font sizes (Arial, rounded up)."""
    if char in "iljtfrI.,:;!|'()[]/ ·-":
        return 0.34
    if char in "mwMW@%":
        return 0.9
    return 0.72 if char.isupper() else 0.57


def _lines(text: str, size: float, box: Box) -> int:
    """Lines ``text`` takes in ``box`` at ``size`` pt: greedy word wrap; a word wider than the box
    is broken anywhere."""
    usable = (box.width - 2 * MARGIN_X) * 72
    scale = size * (1.08 if box.bold else 1.0)
    space = _em(" ") * scale
    count = 0
    for paragraph in text.split("\n"):
        lines, width = 1, 0.0
        for word in paragraph.split():
            length = sum(_em(c) for c in word) * scale
            if length > usable:
                lines += (width > 0) + math.ceil(length / usable) - 1
                width = length % usable
            elif width and width + space + length > usable:
                lines, width = lines + 1, length
            else:
                width += (space if width else 0.0) + length
        count += lines
    return count


def _fits(text: str, size: float, box: Box) -> bool:
    return _lines(text, size, box) * size * LINE_HEIGHT <= (box.height - 2 * MARGIN_Y) * 72


def fit(text: str, box: Box) -> tuple[str, int, str]:
    """``(shown, size, rest)``: the largest size down to the box's floor at which ``text`` fits;
    at the floor the longest word prefix that fits, ending in "…", and the rest."""
    for size in range(box.size, box.floor - 1, -1):
        if _fits(text, size, box):
            return text, size, ""
    words = text.split(" ")
    low, high = 0, len(words)  # words[:low] + "…" fits, words[:high] + "…" does not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _fits(" ".join([*words[:middle], CUT]), box.floor, box) else (low, middle)
    shown = " ".join([*words[:low], CUT])
    return shown, box.floor, " ".join(words[low:])


def _write(frame: TextFrame, text: str, size: int, box: Box, *, color: RGBColor = DARK,
           link: str | None = None, align: PP_ALIGN = PP_ALIGN.LEFT) -> None:  # fmt: skip
    frame.clear()
    frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = Inches(MARGIN_X)
    frame.margin_top = frame.margin_bottom = Inches(MARGIN_Y)
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    run.font.name, run.font.size, run.font.bold, run.font.color.rgb = FONT, Pt(size), box.bold, color
    if link:
        run.hyperlink.address = link


def _place(shape: Shape, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = (
        Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height)
    )


class _Slide:
    """A slide being filled: fitted texts, and the parts cut off for its speaker notes."""

    def __init__(self, slide: Slide) -> None:
        self.slide = slide
        self.cut_off: list[str] = []

    def text(self, box: Box, text: str, *, color: RGBColor = DARK, link: str | None = None,
             shape: Shape | None = None, align: PP_ALIGN = PP_ALIGN.LEFT) -> None:  # fmt: skip
        """``text`` (made plain) fitted into ``box``: a new text box, or ``shape`` (a placeholder) moved there."""
        shown, size, rest = fit(file_text(text), box)
        if rest:
            self.cut_off.append(f"Auf der Folie gekürzt, Fortsetzung: {CUT}{rest}")
        if shape is None:
            shape = self.slide.shapes.add_textbox(
                Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height)
            )
        else:
            _place(shape, box)
        _write(shape.text_frame, shown, size, box, color=color, link=link, align=align)

    def title(self, box: Box, text: str, align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
        """``text`` in the slide's title placeholder (PowerPoint's outline and accessibility check read it)."""
        title = self.slide.shapes.title
        assert title is not None, "the layout has a title placeholder"
        self.text(box, text, shape=title, align=align)

    def notes(self, lines: Sequence[str]) -> None:
        frame = self.slide.notes_slide.notes_text_frame
        assert frame is not None, "a notes slide has a text placeholder"
        frame.text = file_text("\n".join([*lines, *self.cut_off]))


def _item_notes(position: int, title: str, speaker: str | None, notes: str | None, source: str) -> list[str]:
    lines = [f"TOP {position}: {title}"]
    if speaker:
        lines.append(f"Vortrag: {speaker}")
    if notes:
        lines += ["", notes.strip(), f"(Quelle: {source})"]
    return lines


def notes_text(rendered: RenderedSlide) -> str:
    """Speaker notes: agenda item, speaker, notes and their source, the slide's full text (the
    slide shows at most three sentences of it) and the view's link."""
    ref = rendered.ref
    lines = _item_notes(ref.item_position, ref.item_title, ref.speaker, ref.speaker_notes, ref.item_source)
    full = file_text(rendered.content.notes)
    return "\n".join([*lines, *(["", f"Ausführlich: {full}"] if full else []), "", f"Ansicht öffnen: {rendered.content.link}"])


def _content_slide(page: _Slide, rendered: RenderedSlide, as_of: dt.date) -> None:
    content, ref = rendered.content, rendered.ref
    page.text(ITEM_LINE, f"TOP {ref.item_position}: {ref.item_title}", color=GREY)
    page.title(TITLE, content.title)
    summary = file_text(content.summary)
    if rendered.image:
        picture = page.slide.shapes.add_picture(
            io.BytesIO(rendered.image), Inches(PICTURE_LEFT), Inches(PICTURE_TOP), width=Inches(PICTURE_WIDTH)
        )
        alt = summary or file_text(content.title)
        picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", alt)  # the alt text
        page.text(SUMMARY_BESIDE, summary)
    else:
        page.text(SUMMARY_ALONE, summary)
    if content.is_demo:
        page.text(DEMO, DEMO_SHORT, color=WARN)
    page.text(SOURCE, f"Quelle: {content.source} · {stichtag_line(as_of)}", color=GREY)
    page.text(LINK, content.link, color=GREY, link=content.link)
    page.notes([notes_text(rendered)])


def _title_slide(page: _Slide, title: str, subtitle: str, notes: Sequence[str]) -> None:
    """Title and subtitle placeholders of the title layout, placed for 16:9; no subtitle without text."""
    page.title(COVER_TITLE, title, PP_ALIGN.CENTER)
    sub = page.slide.placeholders[1]
    if subtitle:
        page.text(COVER_SUB, subtitle, shape=sub, align=PP_ALIGN.CENTER)
    else:
        sub._element.getparent().remove(sub._element)
    page.notes(notes)


def session_pptx(
    meeting: MeetingInfo, slides: Sequence[RenderedSlide], as_of: dt.date, items: Sequence[ItemTitle] = ()
) -> bytes:
    """The presentation as PPTX bytes; ``items`` (agenda items without slides) become title slides
    in their place on the agenda."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    cover = _Slide(deck.slides.add_slide(deck.slide_layouts[TITLE_SLIDE_LAYOUT]))
    held = fmt.date(meeting.date, meeting.date_precision)
    notes = [f"Quelle: {meeting.source}", *([meeting.note] if meeting.note else [])]
    _title_slide(cover, meeting.title, f"{meeting.committee}\nSitzung {held} · Folien: {stichtag_line(as_of)}", notes)
    if links_to_localhost(s.content.link for s in slides):
        cover.text(COVER_NOTICE, LOCALHOST_NOTICE, color=WARN, align=PP_ALIGN.CENTER)
    agenda: list[RenderedSlide | ItemTitle] = [*slides, *items]
    agenda.sort(key=lambda part: part.position if isinstance(part, ItemTitle) else part.ref.item_position)
    for part in agenda:
        if isinstance(part, ItemTitle):
            page = _Slide(deck.slides.add_slide(deck.slide_layouts[TITLE_SLIDE_LAYOUT]))
            speaker = f"Vortrag: {part.speaker}" if part.speaker else ""
            notes = _item_notes(part.position, part.title, part.speaker, part.speaker_notes, part.source)
            _title_slide(page, f"TOP {part.position}: {part.title}", speaker, notes)
        else:
            _content_slide(_Slide(deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])), part, as_of)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
