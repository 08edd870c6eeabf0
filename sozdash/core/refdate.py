"""The Stichtag (reference date) and the status rules computed against it.

All functions are pure: they take stored values and a reference date ``as_of`` and return
what was known or true on that day, so the committee can look at the state of a past meeting
and statuses never go stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PARAM = "stichtag"
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)

STATUS_SYMBOLS: dict[str, str] = {
    "geplant": "○",
    "beantragt": "◔",
    "bewilligt": "◑",
    "laufend": "●",
    "abgeschlossen": "✓",
    "abgelehnt": "✗",
    "eingestellt": "■",
}
"""A symbol per project status, so the status never depends on colour alone."""

STATUS_COLOURS: dict[str, tuple[int, int, int]] = {
    "geplant": (158, 202, 225),
    "beantragt": (253, 208, 162),
    "bewilligt": (107, 174, 214),
    "laufend": (49, 130, 189),
    "abgeschlossen": (116, 196, 118),
    "abgelehnt": (222, 45, 38),
    "eingestellt": (150, 150, 150),
}

DECIDED_OUTCOMES = ("bewilligt", "abgelehnt", "nicht_beruecksichtigt")
"""Outcomes that are a funder's decision; ``offen`` and ``zurueckgezogen`` are not."""
REJECTED_OUTCOMES = ("abgelehnt", "nicht_beruecksichtigt")
FINAL_STATUSES = ("abgelehnt", "eingestellt")
"""Stored statuses that overrule the dates (a later decision says otherwise)."""


@dataclass(frozen=True)
class ApplicationState:
    """What the status rules need to know about one application."""

    submitted_on: dt.date | None
    decided_on: dt.date | None
    outcome: str


def parse(text: str | None) -> dt.date | None:
    """``2018-05-01`` → date; anything else (or out of range) → ``None``."""
    if not text:
        return None
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if EARLIEST <= value <= LATEST else None


def one_year_later(day: dt.date) -> dt.date:
    """The same calendar day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def is_known(day: dt.date | None, as_of: dt.date) -> bool:
    """Whether something dated ``day`` had happened by ``as_of`` (undated things count as known)."""
    return day is None or day <= as_of


def application_outcome(app: ApplicationState, as_of: dt.date) -> str | None:
    """Outcome of an application as known on ``as_of``: ``None`` before it was submitted,
    ``offen`` while the decision still lay ahead, otherwise the stored outcome.

    A decided application without a decision date keeps its stored outcome (the date is not
    known, the decision is).
    """
    if not is_known(app.submitted_on, as_of):
        return None
    if app.outcome in DECIDED_OUTCOMES and not is_known(app.decided_on, as_of):
        return "offen"
    return app.outcome


def project_status(
    stored: str, start: dt.date | None, end: dt.date | None, as_of: dt.date,
    applications: Sequence[ApplicationState] = (),
) -> str:  # fmt: skip
    """Effective status of a project on ``as_of``.

    Rules, in order:
    1. The project's applications as known on ``as_of`` decide before the project starts: a
       rejected one → ``abgelehnt``, a pending one → ``beantragt``, an approved one → ``bewilligt``;
       with no application known yet → ``geplant``. (Applications submitted later are ignored.)
    2. A stored ``abgelehnt``/``eingestellt`` is a later decision that overrules the dates.
    3. Without dates the stored status stands.
    4. Before the start date without a known application: a stored ``geplant``/``beantragt``/
       ``bewilligt`` stands; a stored running or ended project → ``geplant`` (it was approved
       at some point, but the date of that approval is not recorded).
    5. Between start and end (inclusive) → ``laufend``.
    6. After the end date → ``abgeschlossen``.
    """
    known = [o for o in (application_outcome(a, as_of) for a in applications) if o]
    if applications and not known and (start is None or as_of < start):
        return "geplant"
    if known and (start is None or as_of < start):
        if any(o in REJECTED_OUTCOMES for o in known) and "bewilligt" not in known:
            return "abgelehnt" if "offen" not in known else "beantragt"
        if "bewilligt" in known:
            return "bewilligt"
        if "offen" in known:
            return "beantragt"
    if stored in FINAL_STATUSES or start is None:
        return stored
    if as_of < start:
        return stored if stored in ("geplant", "beantragt", "bewilligt") else "geplant"
    if end is None or as_of <= end:
        return "laufend"
    return "abgeschlossen"


def status_label(status: str) -> str:
    """``laufend`` → ``● laufend`` (symbol and word)."""
    return f"{STATUS_SYMBOLS.get(status, '?')} {status}"


def funding_ends_soon(status: str, end: dt.date | None, as_of: dt.date) -> bool:
    """ "Förderende in Sicht": a running or approved project whose end date lies after
    ``as_of`` and at most one year later (``as_of < end <= as_of + 12 Monate``)."""
    return status in ("laufend", "bewilligt") and end is not None and as_of < end <= one_year_later(as_of)


def last_complete_year(as_of: dt.date) -> int:
    """The newest year whose reference day (31.12.) lies on or before ``as_of``."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def newest_data_year(periods: Iterable[int], as_of: dt.date) -> int | None:
    """Newest reference year (values as of 31.12.) that had ended by ``as_of``; publication
    delays are not modelled."""
    years = [int(p) for p in periods if int(p) <= last_complete_year(as_of)]
    return max(years) if years else None
