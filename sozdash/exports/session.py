"""Export a session: slides built and rendered once, written as PPTX and as the PDF handout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from sozdash.core.permissions import Actor
from sozdash.exports import pdf as pdf_export
from sozdash.exports import pptx as pptx_export
from sozdash.exports import render
from sozdash.exports.tables import workbook_bytes
from sozdash.meetings import agenda, edit
from sozdash.store import queries


@dataclass(frozen=True)
class SessionFiles:
    pptx: bytes
    pdf: bytes
    xlsx: bytes
    basename: str

    @property
    def files(self) -> dict[str, bytes]:
        """File name → content of the three exports."""
        return {f"{self.basename}.{kind}": getattr(self, kind) for kind in ("pptx", "pdf", "xlsx")}


def session_xlsx(slides: Sequence[render.RenderedSlide]) -> bytes:
    """The data tables of all slides as one workbook: a contents sheet, then one sheet per slide
    (numbers stay numbers, text that looks like a formula is neutralised)."""
    contents = pd.DataFrame({
        "Blatt": [f"Folie {s.ref.number}" for s in slides], "TOP": [s.ref.item_title for s in slides],
        "Titel": [s.content.title for s in slides], "Quelle": [s.content.source for s in slides],
        "Link": [s.content.link for s in slides],
    })  # fmt: skip
    return workbook_bytes({"Inhalt": contents} | {f"Folie {s.ref.number}": s.content.table for s in slides})


def items_without_slides(engine: Engine, meeting_id: int) -> list[agenda.ItemTitle]:
    """The session's agenda items that have no slide (each becomes a title slide)."""
    return agenda.items_without_slides(edit.agenda(engine, meeting_id))


def export_session(
    engine: Engine, info: agenda.MeetingInfo, as_of: dt.date, actor: Actor,
    progress: render.Progress | None = None,
) -> SessionFiles:  # fmt: skip
    """PowerPoint, handout and tables of ``info`` with the slides as of ``as_of`` as ``actor`` may see them."""
    rendered = render.session_slides(engine, agenda.slides(engine, info.id), as_of, actor, progress)
    return SessionFiles(
        pptx=pptx_export.session_pptx(info, rendered, as_of, items_without_slides(engine, info.id)),
        pdf=pdf_export.handout_pdf(info, rendered, as_of, queries.city(engine).name),
        xlsx=session_xlsx(rendered),
        basename=f"{info.key}-stand-{as_of.isoformat()}",
    )
