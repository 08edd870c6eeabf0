"""Committee sessions (Sitzungen): agenda items with speaker notes and saved views as slides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Engine, select

from sozdash.core import fmt
from sozdash.meetings.saved_views import View
from sozdash.store.cache import cached_query
from sozdash.store.db import read_session
from sozdash.store.models import AgendaItem, AgendaSlide, Meeting, SavedView

if TYPE_CHECKING:
    from sozdash.meetings.edit import ItemRow


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    key: str
    committee: str
    date: dt.date
    date_precision: str
    title: str
    source: str
    note: str | None

    @property
    def label(self) -> str:
        """``Ausschuss … – frühestens 16.04.2018``"""
        return f"{self.committee} – {fmt.date(self.date, self.date_precision)}"


@dataclass(frozen=True)
class SlideRef:
    """One slide of a session in presentation order, with its agenda item."""

    number: int
    item_position: int
    item_title: str
    speaker: str | None
    speaker_notes: str | None
    item_source: str
    view: View


@dataclass(frozen=True)
class ItemTitle:
    """An agenda item without slides: shown as a title slide of its own."""

    position: int
    title: str
    speaker: str | None
    speaker_notes: str | None
    source: str


def items_without_slides(rows: Sequence[ItemRow]) -> list[ItemTitle]:
    """The agenda items among ``rows`` (``edit.agenda``) that have no slide, in agenda order."""
    return [
        ItemTitle(row.position, row.values["title"], row.values["speaker"], row.values["speaker_notes"],
                  row.values["source"])
        for row in rows
        if not row.slides
    ]  # fmt: skip


def presentation(refs: Sequence[SlideRef], titles: Sequence[ItemTitle]) -> list[SlideRef | ItemTitle]:
    """What the presentation steps through in agenda order: each item's slides, or its title slide
    (``items_without_slides``) when it has none."""
    parts: list[SlideRef | ItemTitle] = [*refs, *titles]
    return sorted(parts, key=lambda part: part.position if isinstance(part, ItemTitle) else part.item_position)


@cached_query
def list_meetings(engine: Engine) -> pd.DataFrame:
    """All sessions, newest first (columns: id, key, Sitzung, Datum, Titel)."""
    with read_session(engine) as session:
        rows = [
            {"id": m.id, "key": m.key, "Sitzung": m.committee, "Datum": fmt.date(m.date, m.date_precision),
             "Titel": m.title}
            for m in session.scalars(select(Meeting).order_by(Meeting.date.desc(), Meeting.id.desc()))
        ]  # fmt: skip
    return pd.DataFrame(rows, columns=["id", "key", "Sitzung", "Datum", "Titel"])


@cached_query
def meeting(engine: Engine, key: str) -> MeetingInfo | None:
    """The session with natural key ``key`` (``None`` if there is none)."""
    with read_session(engine) as session:
        m = session.scalar(select(Meeting).where(Meeting.key == key))
        if m is None:
            return None
        return MeetingInfo(m.id, m.key, m.committee, m.date, m.date_precision, m.title, m.source, m.note)


@cached_query
def slides(engine: Engine, meeting_id: int) -> list[SlideRef]:
    """The session's slides in order: by agenda item, then by slide position."""
    statement = (
        select(AgendaItem, AgendaSlide.position, SavedView)
        .join(AgendaSlide, AgendaSlide.agenda_item_id == AgendaItem.id)
        .join(SavedView, SavedView.id == AgendaSlide.saved_view_id)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position, AgendaSlide.position)
    )
    with read_session(engine) as session:
        return [
            SlideRef(
                number, item.position, item.title, item.speaker, item.speaker_notes, item.source,
                View(v.id, v.key, v.title, v.note, v.page, dict(v.params or {})),
            )
            for number, (item, _position, v) in enumerate(session.execute(statement).all(), start=1)
        ]  # fmt: skip


STAND_OPTIONS = {"sitzung": "Stand der Sitzung", "heute": "heutiger Stand"}
"""URL values of the "Stand" switch: the session's own date or today."""


def as_of(info: MeetingInfo, stand: str, today: dt.date) -> dt.date:
    """The Stichtag the slides are built for: the session date, or ``today`` for "heutiger Stand"."""
    return today if stand == "heute" else info.date


def slide_number(raw: str | None, count: int) -> int:
    """The slide number from the URL, clamped to 1 … ``count`` (1 for anything invalid)."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), max(count, 1))
