"""The lockout under parallel login attempts, on SQLite and PostgreSQL (issue 13): every wrong
password is counted, none is lost or fails with "database is locked", and the account locks."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select, update

from sozdash.access import auth
from sozdash.core.permissions import Actor
from sozdash.store import db
from sozdash.store.models import AuditEntry, User

PASSWORD = "Richtiges-Passwort-1"
# Hashes carry their parameters: a cheap one keeps 20 parallel verifications light (the first
# correct login re-hashes with the real parameters).
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def account(engine: Engine) -> str:
    auth.create_user(engine, Actor("admin-test", "admin"), "parallel", PASSWORD, "planung")
    with db.session_scope(engine) as session:
        cheap = CHEAP.hash(PASSWORD)
        session.execute(update(User).where(User.username == "parallel").values(password_hash=cheap))
    return "parallel"


def _attempts(engine: Engine, username: str, passwords: list[str]) -> list[Any]:
    """One login per password, all released at the same moment; each actor or exception."""
    start = threading.Barrier(len(passwords))

    def attempt(password: str) -> Any:
        start.wait()
        try:
            return auth.authenticate(engine, username, password)
        except Exception as exc:  # collected: the test asserts on every outcome
            return exc

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(attempt, passwords))


def _state(engine: Engine, username: str) -> tuple[int, dt.datetime | None]:
    with db.read_session(engine) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return user.failed_attempts, user.locked_until


def _locks(engine: Engine) -> int:
    with db.read_session(engine) as session:
        return len(session.scalars(select(AuditEntry).where(AuditEntry.action == "lock")).all())


def test_parallel_wrong_passwords_below_the_limit_are_all_counted(engine: Engine, account: str) -> None:
    below = auth.MAX_FAILED_ATTEMPTS - 1
    outcomes = _attempts(engine, account, [f"falsch-{i}" for i in range(below)])
    assert [type(o) for o in outcomes] == [auth.LoginFailed] * below
    assert _state(engine, account) == (below, None)
    assert auth.authenticate(engine, account, PASSWORD).username == account  # not locked yet
    assert _state(engine, account) == (0, None)


def test_twenty_parallel_wrong_passwords_lock_the_account(engine: Engine, account: str) -> None:
    outcomes = _attempts(engine, account, [f"falsch-{i}" for i in range(20)])
    assert [type(o) for o in outcomes] == [auth.LoginFailed] * 20  # none "database is locked"
    failed, locked_until = _state(engine, account)
    assert locked_until is not None and locked_until > dt.datetime.now() + dt.timedelta(minutes=14)
    assert failed == 0 and _locks(engine) == 1  # locked exactly once, by the fifth attempt
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(engine, account, PASSWORD)  # locked: even the right password fails


def test_parallel_right_passwords_all_log_in_and_rehash_once(engine: Engine, account: str) -> None:
    """The outdated (cheap) hash is replaced by one of them; none fails for the others' rehash."""
    outcomes = _attempts(engine, account, [PASSWORD] * 5)
    assert [o.username if isinstance(o, Actor) else repr(o) for o in outcomes] == [account] * 5
    with db.read_session(engine) as session:
        stored = session.scalars(select(User.password_hash).where(User.username == account)).one()
    assert auth.verify_password(stored, PASSWORD) and not PasswordHasher().check_needs_rehash(stored)
