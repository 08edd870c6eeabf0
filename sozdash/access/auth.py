"""Accounts and sessions: argon2 passwords, lockout, session timeout and single sign-on mapping.

Local accounts live in the table ``users``. Login failures never say whether the user exists.
A login is a stored session (``sozdash.access.sessions``): it lasts across reloads and app
processes until logout or ``SESSION_TIMEOUT`` of inactivity, and every run re-checks the account.
Single sign-on (OpenID Connect through ``st.login``) maps the identity provider's claims to a
role with :func:`role_from_claims`; the mapping is configured in ``.streamlit/secrets.toml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, MutableMapping
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Engine, Row, Update, case, func, or_, select, update
from sqlalchemy.orm import Session

from sozdash.access import audit, sessions
from sozdash.core.permissions import ANONYMOUS, Actor, UnknownRole, known_role, require_role, role_rank
from sozdash.core.vocab import ROLES
from sozdash.store import db
from sozdash.store.cache import cached_query
from sozdash.store.models import Organisation, User

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_TIMEOUT = sessions.SESSION_TIMEOUT
MIN_PASSWORD_LENGTH = 10
LOGIN_FAILED = (
    "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch – oder das Konto ist nach "
    f"{MAX_FAILED_ATTEMPTS} Fehlversuchen für {LOCKOUT.seconds // 60} Minuten gesperrt."
)
SSO_SYSTEM = Actor(username="system (Single Sign-on)", role="admin", display_name="Single Sign-on")
"""Author of the audit entries when a single-sign-on login creates or updates an account."""

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


class LoginFailed(Exception):
    """Wrong user, wrong password, locked or inactive account: always the same German message."""

    def __init__(self, message: str = LOGIN_FAILED) -> None:
        super().__init__(message)


class LoginUnavailable(LoginFailed):
    """The attempt could not be recorded (read-only or busy database), so no login at all."""

    def __init__(self, refusal: db.WriteRefused) -> None:
        super().__init__(
            f"Anmeldung nicht möglich – der Anmeldeversuch lässt sich nicht speichern. {refusal}"
        )


class AccountError(ValueError):
    """Bad input to account management (German message); ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Passwords --------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; never equal to the password)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.", field="password"
        )
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (``False`` for no or a broken hash)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# --- Login --------------------------------------------------------------------------------


def _actor(account: User | Row[*tuple[Any, ...]]) -> Actor:
    return Actor(
        username=account.username, role=account.role, org_id=account.org_id, display_name=account.display_name
    )


@cached_query
def stored_account(engine: Engine, username: str) -> tuple[bool, Actor | None]:
    """Whether an account row exists, and the actor it stands for now (``None`` when it is
    deactivated). Cached until the ``users`` table changes."""
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return False, None
        return True, _actor(user) if user.is_active else None


def refresh_session(engine: Engine, state: MutableMapping[str, Any]) -> Actor:
    """Re-check a logged-in actor against the stored account on every run, so that deactivation
    and role changes take effect at once, not only at the next login. An actor without an
    account row (the CLI's or a test's) stays as it is."""
    actor = state.get("actor", ANONYMOUS)
    if actor == ANONYMOUS:
        return actor
    exists, stored = stored_account(engine, actor.username)
    if not exists:
        return actor
    if stored is None:
        logout(engine, state)
        state["account_closed"] = True
        return ANONYMOUS
    state["actor"] = stored
    return stored


_ACCOUNT = (User.username, User.role, User.org_id, User.display_name)
"""The columns an :class:`Actor` is made of."""


def _unlocked(now: dt.datetime) -> ColumnElement[bool]:
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def _failed_attempt(username: str, now: dt.datetime) -> Update:
    """Count a failed attempt in one statement (parallel attempts cannot lose one); the
    ``MAX_FAILED_ATTEMPTS``-th locks the account and restarts the count. Matches no row for an
    unknown, inactive or locked account."""
    attempts = func.coalesce(User.failed_attempts, 0) + 1
    locks = attempts >= MAX_FAILED_ATTEMPTS
    return (
        update(User)
        .where(User.username == username, User.is_active.is_(True), _unlocked(now))
        .values(failed_attempts=case((locks, 0), else_=attempts), locked_until=case((locks, now + LOCKOUT)))
        .returning(*_ACCOUNT, User.id, User.locked_until)
    )


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None) -> Actor:
    """The actor for correct credentials; raises :class:`LoginFailed` otherwise.

    A wrong password counts a failed attempt; the 5th locks the account for 15 minutes (while
    locked, even the right password fails). Success resets the counter and re-hashes the
    password if the hash parameters are outdated. Both are single atomic updates, so parallel
    attempts are all counted. Every attempt writes: on a database that takes no writes it
    raises :class:`LoginUnavailable` (whether or not the account exists).
    """
    now, username = now or dt.datetime.now(), username.strip()
    with db.read_session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
    correct = verify_password(user.password_hash if user else None, password)
    try:
        if user is not None and correct:
            return _log_in(engine, user, password, now)
        with db.session_scope(engine) as session:
            row = session.execute(_failed_attempt(username, now)).first()
            if row is not None and row.locked_until is not None:
                audit.record(
                    session, _actor(row), "lock", "users", row.id, "locked_until", None, row.locked_until
                )
    except db.WriteRefused as refusal:
        raise LoginUnavailable(refusal) from refusal
    raise LoginFailed  # after the commit, so the failed attempt is counted


def _log_in(engine: Engine, user: User, password: str, now: dt.datetime) -> Actor:
    """Reset the failed attempts of ``user``, whose password was correct, unless meanwhile it
    was locked or deactivated (then :class:`LoginFailed`)."""
    values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None}
    if _hasher.check_needs_rehash(user.password_hash or ""):  # unless it was changed meanwhile
        rehashed = _hasher.hash(password)
        values["password_hash"] = case((User.password_hash == user.password_hash, rehashed), else_=User.password_hash)
    reset = (
        update(User)
        .where(User.id == user.id, User.is_active.is_(True), _unlocked(now))
        .values(values)
        .returning(*_ACCOUNT)
    )
    with db.session_scope(engine) as session:
        row = session.execute(reset).first()
    if row is None:
        raise LoginFailed
    return _actor(row)


def login(
    engine: Engine, state: MutableMapping[str, Any], actor: Actor, now: dt.datetime | None = None
) -> str:
    """Put ``actor`` into the session with a new stored login session; returns the one-time
    ticket for which the browser gets the session cookie (``sessions.redeem``). Raises
    :class:`LoginUnavailable` when the database takes no write."""
    try:
        session_id, ticket = sessions.start(engine, actor.username, now)
    except db.WriteRefused as refusal:
        raise LoginUnavailable(refusal) from refusal
    state["actor"], state["login_session"] = actor, session_id
    state.pop("timed_out", None)
    return ticket


def logout(engine: Engine, state: MutableMapping[str, Any]) -> None:
    """Forget the session's actor and end its stored session in every tab and process."""
    state["actor"] = ANONYMOUS
    session_id = state.pop("login_session", None)
    if session_id is not None:
        sessions.revoke(engine, session_id)


def check_session(engine: Engine, state: MutableMapping[str, Any], now: dt.datetime | None = None) -> Actor:
    """The session's actor after checking its stored session; call on every run.

    A session ended elsewhere (logout in another tab or process) or idle longer than
    ``SESSION_TIMEOUT`` is logged out here too (when idle, ``state["timed_out"]`` is set for a
    notice). Identity comes only from ``state`` (set by the login), never from the URL."""
    actor = state.setdefault("actor", ANONYMOUS)
    session_id = state.get("login_session")
    if session_id is None:
        return actor
    status = sessions.check(engine, session_id, now)
    if status == "live":
        return actor
    state.pop("login_session")
    state["actor"] = ANONYMOUS
    if status == "idle":
        state["timed_out"] = True
    return ANONYMOUS


def resume(
    engine: Engine, state: MutableMapping[str, Any], cookie: str, key: str, now: dt.datetime | None = None
) -> Actor:
    """The actor of the live session behind the session cookie ``cookie`` (a reload, a bookmark,
    another tab), put into ``state``; ``ANONYMOUS`` for a forged, expired, ended or idle one (idle:
    ``state["timed_out"]`` set) and for a deactivated account."""
    found = sessions.resume(engine, cookie, key, now)
    if found is None:
        return ANONYMOUS
    session_id, username, status = found
    _exists, stored = stored_account(engine, username)
    if status == "idle":
        state["timed_out"] = True
    elif status == "live" and stored is None:
        state["account_closed"] = True
    if status != "live" or stored is None:
        return ANONYMOUS
    state["actor"], state["login_session"] = stored, session_id
    return stored


# --- Account management (CLI and page Benutzer) ---------------------------------------------


def _org_id(session: Session, org_key: str | None) -> int | None:
    if not org_key:
        return None
    org_id = session.scalar(select(Organisation.id).where(Organisation.key == org_key))
    if org_id is None:
        raise AccountError(f"Unbekannte Organisationseinheit „{org_key}“.", field="org")
    return org_id


def _check_role(role: str, org_key: str | None) -> None:
    try:
        known_role(role)
    except UnknownRole as exc:
        raise AccountError(str(exc), field="role") from exc
    if role == "fachbereich" and not org_key:
        raise AccountError("Die Rolle „Fachbereich“ braucht eine Organisationseinheit.", field="org")


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"Benutzer „{username}“ gibt es nicht.")
    return user


def create_user(
    engine: Engine, actor: Actor, username: str, password: str | None, role: str, *,
    display_name: str | None = None, email: str | None = None, org_key: str | None = None,
) -> None:  # fmt: skip
    """Create a local account (admin only); ``password`` ``None`` makes a single-sign-on account."""
    require_role(actor, "admin")
    _check_role(role, org_key)
    username = username.strip()
    if not username:
        raise AccountError("Der Benutzername darf nicht leer sein.", field="username")
    if email and "@" not in email:
        raise AccountError("Bitte eine gültige E-Mail-Adresse angeben (mit „@“).", field="email")
    password_hash = hash_password(password) if password is not None else None
    with db.session_scope(engine) as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise AccountError(f"Benutzer „{username}“ gibt es schon.", field="username")
        user = User(
            username=username, display_name=display_name or username, email=email,
            password_hash=password_hash, role=role, org_id=_org_id(session, org_key),
            failed_attempts=0, is_active=True,
        )  # fmt: skip
        session.add(user)
        session.flush()
        for field in ("username", "display_name", "email", "role", "org_id"):
            if getattr(user, field) is not None:
                audit.record(session, actor, "create", "users", user.id, field, None, getattr(user, field))


def set_role(engine: Engine, actor: Actor, username: str, role: str, org_key: str | None = None) -> None:
    """Change a user's role and organisational unit (admin only)."""
    require_role(actor, "admin")
    _check_role(role, org_key)
    if username == actor.username and role != "admin":
        raise AccountError("Die eigene Admin-Rolle können Sie nicht entfernen.", field="role")
    with db.session_scope(engine) as session:
        user = _user(session, username)
        before = {"role": user.role, "org_id": user.org_id}
        user.role, user.org_id = role, _org_id(session, org_key)
        audit.record_changes(session, actor, "users", user.id, before, {"role": role, "org_id": user.org_id})


def reset_password(engine: Engine, actor: Actor, username: str, password: str) -> None:
    """Set a new password, lift a lockout and end the account's sessions (admin only); the audit
    log never holds the hash."""
    require_role(actor, "admin")
    password_hash = hash_password(password)
    with db.session_scope(engine) as session:
        user = _user(session, username)
        user.password_hash, user.failed_attempts, user.locked_until = password_hash, 0, None
        audit.record(session, actor, "update", "users", user.id, "password", None, "(neu gesetzt)")
        sessions.revoke_user(session, user.id)


def unlock_user(engine: Engine, actor: Actor, username: str) -> None:
    """Lift a lockout: clear failed attempts and ``locked_until`` (admin only)."""
    require_role(actor, "admin")
    with db.session_scope(engine) as session:
        user = _user(session, username)
        before = {"failed_attempts": user.failed_attempts, "locked_until": user.locked_until}
        user.failed_attempts, user.locked_until = 0, None
        audit.record_changes(
            session, actor, "users", user.id, before, {"failed_attempts": 0, "locked_until": None}
        )


def set_active(engine: Engine, actor: Actor, username: str, active: bool) -> None:
    """Deactivate (no login, no single sign-on, its sessions ended) or reactivate an account
    (admin only; not oneself)."""
    require_role(actor, "admin")
    if username == actor.username and not active:
        raise AccountError("Ihr eigenes Konto können Sie nicht deaktivieren.")
    with db.session_scope(engine) as session:
        user = _user(session, username)
        audit.record_changes(
            session, actor, "users", user.id, {"is_active": user.is_active}, {"is_active": active}
        )
        user.is_active = active
        if not active:
            sessions.revoke_user(session, user.id)


def org_choices(engine: Engine) -> dict[str, str]:
    """Organisational units for accounts: key → name, sorted by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(Organisation.key, Organisation.name).order_by(Organisation.name))
        return {key: name for key, name in rows}


def user_overview(engine: Engine, now: dt.datetime | None = None) -> pd.DataFrame:
    """:func:`list_users` with German column names and labels for the admin page (no hashes);
    "Gesperrt bis" only for a lock still in force at ``now``."""
    now = now or dt.datetime.now()
    users, orgs = list_users(engine), org_choices(engine)
    locked = pd.to_datetime(users["locked_until"])
    return pd.DataFrame(
        {
            "Benutzername": users["username"], "Name": users["display_name"], "E-Mail": users["email"],
            "Rolle": users["role"].map(ROLES), "Organisationseinheit": users["org"].map(orgs),
            "Aktiv": users["is_active"].map({True: "ja", False: "nein"}),
            "Gesperrt bis": [f"{t:%d.%m.%Y %H:%M} Uhr" if pd.notna(t) and t > now else "" for t in locked],
            "Anmeldung": users["local_password"].map({True: "Passwort (lokal)", False: "Single Sign-on"}),
        }
    )  # fmt: skip


def list_users(engine: Engine) -> pd.DataFrame:
    """All accounts with role, unit and lock state (no hashes)."""
    statement = (
        select(
            User.username, User.display_name, User.role, Organisation.key.label("org"), User.email,
            User.is_active, User.locked_until, (User.password_hash.is_not(None)).label("local_password"),
        )
        .outerjoin(Organisation, User.org_id == Organisation.id)
        .order_by(User.username)
    )  # fmt: skip
    with engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


# --- Single sign-on ------------------------------------------------------------------------


def role_from_claims(claims: Mapping[str, Any], mapping: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """Role and organisation key for the identity provider's ``claims``, or ``None`` (no access).

    ``mapping`` is the ``[sozdash_sso]`` section of ``secrets.toml``: ``group_claim`` (default
    ``groups``) and ``rules``, each with ``group`` or ``email_domain``, a ``role`` and an
    optional ``org``. Of all matching rules the one with the highest role wins (ties: the
    first listed). E-mail domains count only when the provider has not marked the address as
    unverified (``email_verified: false``) and must match exactly (no subdomains).
    """
    groups = claims.get(mapping.get("group_claim", "groups")) or []
    groups = {groups} if isinstance(groups, str) else set(groups)
    email = str(claims.get("email") or "")
    domain = email.rpartition("@")[2].lower() if "@" in email else None
    if claims.get("email_verified") is False:
        domain = None
    best: tuple[str, str | None] | None = None
    for rule in mapping.get("rules", []):
        role = rule.get("role")
        if role not in ROLES:
            continue
        matched = ("group" in rule and rule["group"] in groups) or (
            "email_domain" in rule and domain is not None and domain == str(rule["email_domain"]).lower()
        )
        if matched and (best is None or role_rank(role) > role_rank(best[0])):
            best = (role, rule.get("org"))
    return best


def sso_actor(engine: Engine, claims: Mapping[str, Any], mapping: Mapping[str, Any]) -> Actor | None:
    """The actor for a single-sign-on login (account created or updated), ``None`` without access.

    The identity provider is authoritative: role and unit follow the mapping on every login.
    """
    granted = role_from_claims(claims, mapping)
    username = str(claims.get("email") or claims.get("sub") or "").strip()
    if granted is None or not username:
        return None
    role, org_key = granted
    with db.session_scope(engine) as session:
        org_id = (
            session.scalar(select(Organisation.id).where(Organisation.key == org_key)) if org_key else None
        )
        user = session.scalar(select(User).where(User.username == username))
        if user is not None and not user.is_active:
            return None
        name = str(claims.get("name") or username)
        if user is None:
            user = User(
                username=username, display_name=name, email=claims.get("email"), role=role, org_id=org_id
            )
            user.failed_attempts, user.is_active = 0, True
            session.add(user)
            session.flush()
            audit.record(session, SSO_SYSTEM, "create", "users", user.id, "role", None, role)
        elif (user.role, user.org_id, user.display_name) != (role, org_id, name):
            before = {"role": user.role, "org_id": user.org_id}
            user.role, user.org_id, user.display_name = role, org_id, name
            audit.record_changes(
                session, SSO_SYSTEM, "users", user.id, before, {"role": role, "org_id": org_id}
            )
        return _actor(user)


def sso_settings(secrets: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``[sozdash_sso]`` mapping when single sign-on is configured (``[auth]`` present)."""
    if "auth" not in secrets or "sozdash_sso" not in secrets:
        return None
    return secrets["sozdash_sso"]
