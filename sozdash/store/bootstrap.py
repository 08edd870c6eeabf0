"""Schema state and first start: migrate and seed an empty database in one transaction, refuse
an unusable one with a German explanation."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sozdash.store.seed import load_seed

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database problem explained in German for the user (``message``) and what to do (``hint``)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration revision shipped with this code."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_state(engine: Engine) -> str:
    """``empty``, ``current``, ``outdated`` (older revision) or ``unknown`` (not ours / newer)."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return "empty"
        revision = MigrationContext.configure(conn).get_current_revision()
    if revision == head_revision():
        return "current"
    script = ScriptDirectory.from_config(_alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    return "outdated" if revision in known else "unknown"


def migrate(connection: Connection) -> None:
    """Run all migrations on ``connection`` inside the caller's transaction."""
    command.upgrade(_alembic_config(connection), "head")


def ensure_database(engine: Engine) -> None:
    """Create and fill an empty database in one transaction; refuse an unusable one.

    Raises ``DatabaseError`` with a German explanation when the database cannot be reached,
    is damaged or has a schema this code does not know.
    """
    try:
        state = schema_state(engine)
        if state == "empty":
            with engine.begin() as conn:
                migrate(conn)
                with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                    load_seed(session)
                    session.commit()  # releases the savepoint; engine.begin() commits the whole
            return
    except SQLAlchemyError as exc:
        raise DatabaseError(
            "Die Datenbank ist nicht erreichbar oder beschädigt.",
            "Bitte prüfen Sie DATABASE_URL bzw. die Datei im Datenverzeichnis. Eine beschädigte "
            "SQLite-Datei kann umbenannt werden; beim nächsten Start wird eine neue angelegt. "
            f"Technische Angabe für die IT: {type(exc).__name__}",
        ) from exc
    if state == "outdated":
        raise DatabaseError(
            "Die Datenbank hat einen älteren Stand des Datenmodells.",
            "Bitte lassen Sie die IT `python -m sozdash migrate` ausführen (vorher sichern mit "
            "`python -m sozdash dump VERZEICHNIS`).",
        )
    if state == "unknown":
        raise DatabaseError(
            "Die Datenbank gehört nicht zu dieser Version des Sozialdashboards.",
            "Sie wurde mit einer neueren oder fremden Version angelegt. Bitte wenden Sie sich an die IT.",
        )
