"""The audit log: who changed which field of which record, when, from what to what."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sozdash.core.permissions import Actor
from sozdash.store.models import AuditEntry


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def record(
    session: Session, actor: Actor, action: str, table: str, record_id: object,
    field: str | None = None, old: Any = None, new: Any = None,
) -> None:  # fmt: skip
    """Write one audit entry in the caller's transaction."""
    session.add(
        AuditEntry(
            at=dt.datetime.now().replace(microsecond=0), username=actor.username, action=action,
            table_name=table, record_id=str(record_id), field=field, old_value=_text(old), new_value=_text(new),
        )
    )  # fmt: skip


def record_changes(
    session: Session,
    actor: Actor,
    table: str,
    record_id: object,
    before: dict[str, Any],
    after: dict[str, Any],
) -> int:
    """One ``update`` entry per changed field; returns how many fields changed."""
    changed = [name for name in after if before.get(name) != after[name]]
    for name in changed:
        record(session, actor, "update", table, record_id, name, before.get(name), after[name])
    return len(changed)


ACTIONS = {
    "create": "angelegt", "update": "geändert", "delete": "gelöscht", "restore": "wiederhergestellt",
    "lock": "gesperrt", "import": "importiert", "undo": "rückgängig", "publish": "veröffentlicht",
}  # fmt: skip


def entries(
    engine: Engine, username: str | None = None, table: str | None = None, record_id: str | None = None,
    start: dt.date | None = None, end: dt.date | None = None, limit: int = 5000,
) -> pd.DataFrame:  # fmt: skip
    """Audit entries, newest first, filtered by user, table, record and day range (inclusive),
    with German column names for the log page and its export."""
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if username:
        statement = statement.where(AuditEntry.username == username)
    if table:
        statement = statement.where(AuditEntry.table_name == table)
    if record_id:
        statement = statement.where(AuditEntry.record_id == record_id.strip())
    if start:
        statement = statement.where(AuditEntry.at >= dt.datetime.combine(start, dt.time.min))
    if end:
        next_day = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
        statement = statement.where(AuditEntry.at < next_day)
    with Session(engine) as session:
        rows = [
            {
                "Zeitpunkt": e.at, "Benutzer": e.username, "Aktion": ACTIONS.get(e.action, e.action),
                "Tabelle": e.table_name, "Datensatz": e.record_id, "Feld": e.field,
                "Alter Wert": e.old_value, "Neuer Wert": e.new_value,
            }
            for e in session.scalars(statement)
        ]  # fmt: skip
    columns = ["Zeitpunkt", "Benutzer", "Aktion", "Tabelle", "Datensatz", "Feld", "Alter Wert", "Neuer Wert"]
    return pd.DataFrame(rows, columns=columns)


def filter_choices(engine: Engine) -> tuple[list[str], list[str]]:
    """Usernames and table names that occur in the log (for the filters)."""
    with engine.connect() as conn:
        users = conn.scalars(select(AuditEntry.username).distinct().order_by(AuditEntry.username)).all()
        tables = conn.scalars(select(AuditEntry.table_name).distinct().order_by(AuditEntry.table_name)).all()
    return list(users), list(tables)
