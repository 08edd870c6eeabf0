"""Login sessions that last across reloads, bookmarks and app processes, stored in the database.

A login creates a row in ``login_sessions`` and a one-time ticket (valid ``TICKET_TTL``). The
browser exchanges the ticket at the route of ``serve.py`` for an HttpOnly cookie ``COOKIE``: a
random token signed with the configured secret and timestamped (``itsdangerous``), so that a
cookie older than ``MAX_AGE`` or altered in any byte is refused without a lookup. The table holds
only the SHA-256 of token and ticket. Every script run checks the stored session: not revoked
(logout ends it in every tab and every process) and not idle longer than ``SESSION_TIMEOUT``
(``last_seen`` is advanced at most once per ``TOUCH_INTERVAL``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any, Literal

from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import ColumnElement, Engine, delete, select, update
from sqlalchemy.orm import Session

from sozdash.store import db
from sozdash.store.models import LoginSession, User

SESSION_TIMEOUT = dt.timedelta(minutes=60)
"""Idle time after which a login ends."""
MAX_AGE = dt.timedelta(hours=12)
"""Longest login, however active: the cookie's signature is refused after that."""
TICKET_TTL = dt.timedelta(minutes=2)
TOUCH_INTERVAL = dt.timedelta(minutes=1)
COOKIE = "sozdash_sitzung"
SECRET_ENV = "SOZDASH_SESSION_SECRET"
SECRET_FILE = "session_secret"
MIN_SECRET_LENGTH = 32
_SALT = "sozdash-login-session"

Status = Literal["live", "idle", "ended"]
"""``idle``: longer than ``SESSION_TIMEOUT`` without activity; ``ended``: logged out or unknown."""


class SecretError(RuntimeError):
    """The signing secret is unusable (German message)."""


def secret(configured: str | None, data_dir: Path) -> str:
    """The signing secret: ``configured`` (from ``SOZDASH_SESSION_SECRET`` or ``secrets.toml``),
    else a random one made on first start in ``data_dir / SECRET_FILE`` (readable by the owner only).

    Several app processes must share it: configure it, or give them one data directory."""
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise SecretError(
                f"Der Sitzungsschlüssel ({SECRET_ENV} bzw. [session] secret) ist zu kurz: mindestens "
                f'{MIN_SECRET_LENGTH} Zeichen, z. B. `python -c "import secrets; print(secrets.token_hex(32))"`.'
            )
        return configured
    path = data_dir / SECRET_FILE
    try:
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            draft = data_dir / f".{SECRET_FILE}.{os.getpid()}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32))
            try:  # atomic: a process starting at the same time keeps the first file
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretError(
            f"Der Sitzungsschlüssel {path} lässt sich nicht anlegen oder lesen ({exc.strerror}). Bitte "
            f"{SECRET_ENV} setzen oder dem Programm Schreibrechte im Datenverzeichnis geben."
        ) from exc


class _Signer(TimestampSigner):
    """itsdangerous' timestamp signer with an injectable clock (for the tests of the expiry)."""

    def __init__(self, key: str, now: dt.datetime | None) -> None:
        super().__init__(key, salt=_SALT)
        self._now = now

    def get_timestamp(self) -> int:
        return int(self._now.timestamp()) if self._now else super().get_timestamp()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start(engine: Engine, username: str, now: dt.datetime | None = None) -> tuple[int, str]:
    """A new login session for the account ``username``: its id and the one-time ticket for the
    browser's cookie. Sessions older than ``MAX_AGE`` are deleted on the way."""
    now, ticket = now or dt.datetime.now(), secrets.token_urlsafe(32)
    with db.session_scope(engine) as session:
        session.execute(delete(LoginSession).where(LoginSession.created_at < now - MAX_AGE))
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            raise ValueError(f"Benutzer „{username}“ gibt es nicht.")
        row = LoginSession(user_id=user_id, ticket_hash=_digest(ticket), created_at=now, last_seen=now)
        session.add(row)
        session.flush()
        return row.id, ticket


def redeem(engine: Engine, ticket: str, key: str, now: dt.datetime | None = None) -> str | None:
    """The signed cookie value for a fresh, unused ticket of a live session (the ticket is used up);
    ``None`` for any other ticket."""
    now, token = now or dt.datetime.now(), secrets.token_urlsafe(32)
    with db.session_scope(engine) as session:
        redeemed = session.execute(
            update(LoginSession)
            .where(
                LoginSession.ticket_hash == _digest(ticket),
                LoginSession.created_at >= now - TICKET_TTL,
                LoginSession.revoked_at.is_(None),
            )
            .values(ticket_hash=None, token_hash=_digest(token))
            .returning(LoginSession.id)
        ).first()
    return _Signer(key, now).sign(token).decode() if redeemed else None


def awaiting_cookie(engine: Engine, session_id: int, now: dt.datetime | None = None) -> bool:
    """Whether the ticket of session ``session_id`` is still fresh and not yet exchanged for the cookie."""
    now = now or dt.datetime.now()
    with db.read_session(engine) as session:
        pending = session.scalar(
            select(LoginSession.id).where(
                LoginSession.id == session_id,
                LoginSession.ticket_hash.is_not(None),
                LoginSession.created_at >= now - TICKET_TTL,
                LoginSession.revoked_at.is_(None),
            )
        )
    return pending is not None


def _token(cookie: str, key: str, now: dt.datetime | None) -> str | None:
    """The token in a cookie value with a valid signature not older than ``MAX_AGE``."""
    try:
        return _Signer(key, now).unsign(cookie, max_age=int(MAX_AGE.total_seconds())).decode()
    except BadSignature:  # also SignatureExpired
        return None


def _status(row: Any, now: dt.datetime) -> Status:
    if row is None or row.revoked_at is not None:
        return "ended"
    return "idle" if now - row.last_seen > SESSION_TIMEOUT else "live"


def _touch(engine: Engine, session_id: int, last_seen: dt.datetime, now: dt.datetime) -> None:
    if now - last_seen < TOUCH_INTERVAL:
        return
    try:
        with db.session_scope(engine) as session:
            session.execute(update(LoginSession).where(LoginSession.id == session_id).values(last_seen=now))
    except db.WriteRefused:  # read-only or busy database: the session stays, its idle clock waits
        pass


def resume(
    engine: Engine, cookie: str, key: str, now: dt.datetime | None = None
) -> tuple[int, str, Status] | None:
    """Session id, account and status of the session behind the cookie value ``cookie`` (activity
    recorded when live); ``None`` for a forged, expired or unknown cookie."""
    now = now or dt.datetime.now()
    token = _token(cookie, key, now)
    if token is None:
        return None
    with db.read_session(engine) as session:
        row = session.execute(
            select(LoginSession.id, User.username, LoginSession.last_seen, LoginSession.revoked_at)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == _digest(token))
        ).first()
    if row is None:
        return None
    status = _status(row, now)
    if status == "live":
        _touch(engine, row.id, row.last_seen, now)
    return row.id, row.username, status


def check(engine: Engine, session_id: int, now: dt.datetime | None = None) -> Status:
    """The status of the session ``session_id`` now (activity recorded when live); call on every run."""
    now = now or dt.datetime.now()
    with db.read_session(engine) as session:
        row = session.execute(
            select(LoginSession.last_seen, LoginSession.revoked_at).where(LoginSession.id == session_id)
        ).first()
    status = _status(row, now)
    if status == "live":
        _touch(engine, session_id, row.last_seen, now)  # type: ignore[union-attr]
    return status


def _end(engine: Engine, which: ColumnElement[bool], now: dt.datetime | None) -> None:
    with db.session_scope(engine) as session:
        session.execute(
            update(LoginSession)
            .where(which, LoginSession.revoked_at.is_(None))
            .values(revoked_at=now or dt.datetime.now())
        )


def revoke(engine: Engine, session_id: int, now: dt.datetime | None = None) -> None:
    """End the session ``session_id`` everywhere (logout)."""
    _end(engine, LoginSession.id == session_id, now)


def revoke_cookie(engine: Engine, cookie: str, key: str, now: dt.datetime | None = None) -> None:
    """End the session behind the cookie value ``cookie``, if any (logout through the route)."""
    token = _token(cookie, key, now)
    if token is not None:
        _end(engine, LoginSession.token_hash == _digest(token), now)


def revoke_user(session: Session, user_id: int, now: dt.datetime | None = None) -> None:
    """End every session of the account ``user_id`` (in the caller's transaction)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or dt.datetime.now())
    )
