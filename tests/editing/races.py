"""Simulating a lost race: another save lands between a write's version check and its own write."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from sozdash.access import audit


def another_save_slips_in(monkeypatch: pytest.MonkeyPatch, table: Table, record_id: int) -> None:
    """Let another save of ``record_id`` in ``table`` reach the database after the next write's
    version check and before its own write (at that write's first audit entry), as a concurrent
    save can; the database then refuses the stale write."""
    record = audit.record

    def slipping_in(session: Session, *args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(audit, "record", record)
        session.connection().execute(
            update(table).where(table.c.id == record_id).values(version=table.c.version + 1)
        )
        record(session, *args, **kwargs)

    monkeypatch.setattr(audit, "record", slipping_in)
