"""Database connections, schema state, first-start setup and the data version.

The embedded default is SQLite at ``data/sozdash.sqlite`` (``SOZDASH_DATA_DIR`` moves the
directory); ``DATABASE_URL`` selects any other database, e.g. PostgreSQL through psycopg.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sozdash.models import DataVersion
from sozdash.paths import DATA_DIR

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database problem explained in German for the user (``message``) and what to do (``hint``)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def data_dir() -> Path:
    """Directory for the embedded database and archived import files."""
    return Path(os.environ.get("SOZDASH_DATA_DIR", DATA_DIR))


def database_url() -> str:
    """``DATABASE_URL`` if set, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'sozdash.sqlite'}"


def _configure_sqlite(dbapi_connection, _record) -> None:
    # Let SQLAlchemy issue BEGIN itself so that DDL (migrations) is transactional too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: ``database_url()``), one per URL and process."""
    return _engine_for(url or database_url())


@cache
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


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
    from sozdash.seed import load_seed

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


def data_version(engine: Engine) -> int:
    """Counter that every write increases; part of every query cache key."""
    with engine.connect() as conn:
        return conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar_one_or_none() or 0


def bump_data_version(session: Session) -> None:
    """Mark the data as changed so that every process reloads cached queries."""
    result = session.execute(
        update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
    )
    if result.rowcount == 0:
        session.add(DataVersion(id=1, version=1))
