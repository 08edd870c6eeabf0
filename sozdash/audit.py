"""The audit log: who changed which field of which record, when, from what to what."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from sozdash.models import AuditEntry
from sozdash.permissions import Actor


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
