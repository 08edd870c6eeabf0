"""Schema state and first start: migrate and seed an empty database in one transaction, refuse
an unusable one with a German explanation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sozdash.store.seed import load_empty_city, load_seed

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database problem explained in German for the user (``message``) and what to do (``hint``)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


HEAD_REVISION = "0005"
"""The newest migration in ``migrations/versions`` (a test checks it is alembic's head), so a
current database is recognised without loading alembic (7 MB in every app process)."""


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # only to migrate or to place an older revision

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


OWN_TABLES = frozenset({"areas", "observations"})
"""Tables every revision of the sozdash schema has: a database with them but an unknown revision
was made by a newer sozdash, one without them by another program."""


def _revision_state(engine: Engine) -> tuple[str, str | None]:
    """The schema state (see ``schema_state``) and the database's alembic revision."""
    with engine.connect() as conn:
        return _connection_state(conn)


def _connection_state(conn: Connection) -> tuple[str, str | None]:
    """``_revision_state`` read on ``conn`` (inside its transaction)."""
    tables = set(inspect(conn).get_table_names())
    revisions = (
        conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        if "alembic_version" in tables else []
    )  # fmt: skip
    revision = revisions[0] if len(revisions) == 1 else None
    if revision is None:
        # Only an emptied ``alembic_version`` is left after a downgrade to the base: nothing to keep.
        return ("empty" if tables <= {"alembic_version"} else "foreign"), None
    if revision == HEAD_REVISION:
        return "current", revision
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    if revision in {rev.revision for rev in script.walk_revisions()}:
        return "outdated", revision
    return ("newer" if tables >= OWN_TABLES else "foreign"), revision


def schema_state(engine: Engine) -> str:
    """``empty``, ``current``, ``outdated`` (an older revision of ours), ``newer`` (our tables with a
    revision this code does not know: made by a newer sozdash) or ``foreign`` (not a sozdash
    database)."""
    return _revision_state(engine)[0]


def unusable(exc: SQLAlchemyError) -> DatabaseError:
    """The German explanation of a database that cannot be reached or read (``exc``: the cause)."""
    return DatabaseError(
        "Die Datenbank ist nicht erreichbar oder beschädigt.",
        "Bitte prüfen Sie DATABASE_URL bzw. die Datei im Datenverzeichnis. Eine beschädigte "
        "SQLite-Datei kann umbenannt werden; beim nächsten Start wird eine neue angelegt. "
        f"Technische Angabe für die IT: {type(exc).__name__}",
    )


def _refuse(state: str, revision: str | None, usable: frozenset[str] = frozenset({"current"})) -> None:
    """Raise the German ``DatabaseError`` for a database in ``state`` unless ``state`` is ``usable``."""
    if state in usable:
        return
    if state == "empty":
        raise DatabaseError(
            "Die Datenbank ist leer – sie wurde noch nicht angelegt.",
            "Bitte zuerst `python -m sozdash init` ausführen (oder DATABASE_URL bzw. SOZDASH_DATA_DIR prüfen).",
        )
    if state == "outdated":
        raise DatabaseError(
            f"Die Datenbank hat einen älteren Stand des Datenmodells ({revision}; dieses Programm "
            f"braucht {HEAD_REVISION}).",
            "Bitte lassen Sie die IT `python -m sozdash migrate` ausführen (vorher die Datenbank sichern: "
            "die SQLite-Datei kopieren bzw. `pg_dump`).",
        )
    if state == "newer":
        raise DatabaseError(
            f"Die Datenbank wurde von einer neueren Version des Sozialdashboards angelegt (Stand "
            f"{revision}; diese Version kennt höchstens {HEAD_REVISION}).",
            "Bitte aktualisieren Sie sozdash auf die neueste Version. Die Datenbank bleibt unverändert.",
        )
    found = f" (unbekannter Stand {revision})" if revision else " (ohne Stand des Datenmodells)"
    raise DatabaseError(
        f"Die Datenbank gehört nicht zum Sozialdashboard{found}.",
        "Bitte prüfen Sie DATABASE_URL bzw. SOZDASH_DATA_DIR: für das Sozialdashboard eine eigene, "
        "leere Datenbank angeben. Die Datenbank bleibt unverändert.",
    )


def require_current(engine: Engine) -> None:
    """Refuse, in German, a database that is not at this code's schema (``check``, ``dump``: they
    read every table and neither create nor migrate one)."""
    try:
        state, revision = _revision_state(engine)
    except SQLAlchemyError as exc:
        raise unusable(exc) from exc
    _refuse(state, revision)


def migrate(connection: Connection) -> None:
    """Run all migrations on ``connection`` inside the caller's transaction."""
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def upgrade(engine: Engine) -> None:
    """Bring an existing database to the newest schema in one transaction.

    SQLite rebuilds a table to change its constraints; with foreign keys enforced, dropping the
    old table would fail on every row that refers to it. So on SQLite the foreign keys are
    switched off for the transaction (only possible outside one) and checked once before commit.
    A database of a newer sozdash or of another program is refused unchanged.
    """
    try:
        state, revision = _revision_state(engine)
    except SQLAlchemyError as exc:
        raise unusable(exc) from exc
    _refuse(state, revision, frozenset({"empty", "current", "outdated"}))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        driver = connection.connection.driver_connection
        assert driver is not None  # a checked-out connection always has its driver connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                migrate(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if sqlite else []
                if broken:
                    raise DatabaseError(
                        "Die Migration wurde abgebrochen: Verweise zwischen Tabellen wären ungültig.",
                        f"Erste betroffene Tabelle: {broken[0][0]}. Die Datenbank ist unverändert.",
                    )
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


@dataclass(frozen=True)
class EmptyCity:
    """What ``init --empty`` starts with instead of the shipped seed (``data/seed``)."""

    name: str
    ags: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DatabaseError("Der Name der Stadt fehlt.", "Bitte mit --city NAME angeben.")
        if not re.fullmatch(r"\d{8}", self.ags):
            raise DatabaseError(
                f"„{self.ags}“ ist kein Amtlicher Gemeindeschlüssel.",
                "Der Amtliche Gemeindeschlüssel hat genau 8 Ziffern (Gemeindeverzeichnis des Statistischen Bundesamts).",
            )


FIRST_START_LOCK = 0x736F7A64
"""PostgreSQL advisory-lock key ("sozd") held by the transaction that creates and fills the database."""


def _wait_for_other_first_start(conn: Connection) -> None:
    """On PostgreSQL, wait until no other process is creating the database (several app servers
    started at once on an empty database: one creates and fills it, the others then find it
    current). The lock ends with ``conn``'s transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FIRST_START_LOCK})


def ensure_database(engine: Engine, empty_city: EmptyCity | None = None) -> None:
    """Create and fill an empty database in one transaction (the shipped seed, or only
    ``empty_city``); refuse an unusable one.

    Raises ``DatabaseError`` with a German explanation when the database cannot be reached,
    is damaged or has a schema this code does not know.
    """
    try:
        state, revision = _revision_state(engine)
        if state == "empty":
            with engine.begin() as conn:
                _wait_for_other_first_start(conn)
                state, revision = _connection_state(conn)  # another process may have filled it
                if state == "empty":
                    migrate(conn)
                    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                        if empty_city is None:
                            load_seed(session)
                        else:
                            load_empty_city(session, empty_city.name.strip(), empty_city.ags)
                        session.commit()  # releases the savepoint; engine.begin() commits the whole
                    return
    except SQLAlchemyError as exc:
        raise unusable(exc) from exc
    if empty_city is not None:
        raise DatabaseError(
            "Die Datenbank ist nicht leer – eine leere Instanz kann nur in einer neuen Datenbank "
            "angelegt werden.",
            "Bitte DATABASE_URL bzw. SOZDASH_DATA_DIR auf eine neue Datenbank setzen (vorhandene "
            "Daten vorher mit `python -m sozdash dump VERZEICHNIS` sichern).",
        )
    _refuse(state, revision)
