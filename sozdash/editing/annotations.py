"""Notes of logged-in users (role Rat or higher) on an area, an indicator or a project.

Notes are internal (Rat and higher) or public (everyone). Their text is user input and is
only ever shown as plain text.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from sozdash.access import audit
from sozdash.access.visibility import annotation_condition
from sozdash.core.permissions import Actor, PermissionDenied, has_role, require_role
from sozdash.core.vocab import ANNOTATION_TARGETS, VISIBILITY
from sozdash.store import db
from sozdash.store.models import Annotation, Area, Indicator, Project, User

MAX_LENGTH = 2000
TARGET_MODELS = {"area": Area, "indicator": Indicator, "project": Project}


def may_annotate(actor: Actor) -> bool:
    """Whether ``actor`` may write notes (logged in with role Rat or higher)."""
    return has_role(actor, "rat")


def add(engine: Engine, actor: Actor, target_type: str, target_id: int, text: str, visibility: str) -> int:
    """Store a note by ``actor``; returns its id. Raises ``ValueError`` (German) for bad input."""
    require_role(actor, "rat")
    text = text.strip()
    if target_type not in ANNOTATION_TARGETS or visibility not in VISIBILITY:
        raise ValueError("Unbekanntes Ziel oder unbekannte Sichtbarkeit der Notiz.")
    if not text:
        raise ValueError("Die Notiz ist leer – bitte einen Text eingeben.")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"Die Notiz ist zu lang (höchstens {MAX_LENGTH} Zeichen).")
    with db.session_scope(engine) as session:
        author_id = session.scalar(select(User.id).where(User.username == actor.username))
        if author_id is None:
            raise PermissionDenied("Keine Berechtigung: Notizen brauchen ein angemeldetes Benutzerkonto.")
        if session.get(TARGET_MODELS[target_type], target_id) is None:
            raise ValueError(f"{ANNOTATION_TARGETS[target_type]} Nr. {target_id} gibt es nicht.")
        note = Annotation(
            target_type=target_type, target_id=target_id, text=text, author_id=author_id,
            created_at=dt.datetime.now().replace(microsecond=0), visibility=visibility,
        )  # fmt: skip
        session.add(note)
        session.flush()
        for field in ("target_type", "target_id", "text", "visibility"):
            audit.record(session, actor, "create", "annotations", note.id, field, None, getattr(note, field))
        return note.id


def delete(engine: Engine, actor: Actor, annotation_id: int) -> None:
    """Remove a note (soft): its author, or Planung/Admin."""
    require_role(actor, "rat")
    with db.session_scope(engine) as session:
        note = session.get(Annotation, annotation_id)
        if note is None or note.deleted_at is not None:
            raise ValueError("Die Notiz gibt es nicht mehr.")
        author = session.scalar(select(User.username).where(User.id == note.author_id))
        if author != actor.username and not has_role(actor, "planung"):
            raise PermissionDenied(
                "Keine Berechtigung: Nur die Verfasserin oder der Verfasser darf die Notiz löschen."
            )
        note.deleted_at = dt.datetime.now().replace(microsecond=0)
        audit.record(session, actor, "delete", "annotations", note.id, "deleted_at", None, note.deleted_at)


def for_target(engine: Engine, actor: Actor, target_type: str, target_id: int) -> pd.DataFrame:
    """Notes on one target that ``actor`` may see, newest first (id, text, author, username,
    created_at, visibility)."""
    statement = (
        select(
            Annotation.id, Annotation.text, User.display_name.label("author"), User.username,
            Annotation.created_at, Annotation.visibility,
        )
        .join(User, Annotation.author_id == User.id)
        .where(Annotation.target_type == target_type, Annotation.target_id == target_id)
        .where(annotation_condition(actor))
        .order_by(Annotation.created_at.desc(), Annotation.id.desc())
    )  # fmt: skip
    with engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
