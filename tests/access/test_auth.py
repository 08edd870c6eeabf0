"""Accounts: password hashing, login with lockout, SSO claim mapping, user CLI (sessions: test_sessions)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from sozdash.access import auth
from sozdash.cli import main as cli
from sozdash.core.permissions import ANONYMOUS, Actor, PermissionDenied
from sozdash.store.db import session_scope
from sozdash.store.models import AuditEntry, Organisation, User

ADMIN = Actor("admin-test", "admin")
PASSWORD = "Sommer-im-Park-2024"
T0 = dt.datetime(2025, 3, 1, 9, 0, 0)


def _org_id(engine: Engine, key: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(Organisation.id).where(Organisation.key == key))


def test_hash_is_not_the_password_and_verifies_only_the_right_one() -> None:
    hashed = auth.hash_password(PASSWORD)
    assert hashed != PASSWORD and PASSWORD not in hashed
    assert hashed.startswith("$argon2id$")
    assert auth.hash_password(PASSWORD) != hashed  # salted
    assert auth.verify_password(hashed, PASSWORD)
    assert not auth.verify_password(hashed, PASSWORD + "x")
    assert not auth.verify_password(None, PASSWORD)
    assert not auth.verify_password("kein-hash", PASSWORD)


def test_short_password_is_refused_in_german() -> None:
    with pytest.raises(auth.AccountError, match="mindestens 10 Zeichen"):
        auth.hash_password("kurz")


def test_login_returns_actor_with_role_and_unit(engine: Engine) -> None:
    auth.create_user(engine, ADMIN, "mueller", PASSWORD, "fachbereich", org_key="stadt-lev-fb-soziales")
    actor = auth.authenticate(engine, "mueller", PASSWORD, now=T0)
    assert actor == Actor("mueller", "fachbereich", _org_id(engine, "stadt-lev-fb-soziales"), "mueller")
    with session_scope(engine) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "mueller"))
    assert stored != PASSWORD and auth.verify_password(stored, PASSWORD)


def test_lockout_after_five_failures_for_fifteen_minutes(engine: Engine) -> None:
    auth.create_user(engine, ADMIN, "rat1", PASSWORD, "rat")
    for minute in range(5):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(engine, "rat1", "falsch-falsch", now=T0 + dt.timedelta(minutes=minute))
    # locked: even the right password fails until 15 minutes after the 5th failure (09:04 + 15)
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(engine, "rat1", PASSWORD, now=dt.datetime(2025, 3, 1, 9, 18, 59))
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == "rat1"))
        assert user.locked_until == dt.datetime(2025, 3, 1, 9, 19, 0)
        lock = session.scalars(select(AuditEntry).where(AuditEntry.action == "lock")).all()
        assert [e.record_id for e in lock] == [str(user.id)]
    assert auth.authenticate(engine, "rat1", PASSWORD, now=dt.datetime(2025, 3, 1, 9, 19, 1)).role == "rat"


def test_four_failures_then_success_resets_the_counter(engine: Engine) -> None:
    auth.create_user(engine, ADMIN, "rat2", PASSWORD, "rat")
    for _ in range(4):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(engine, "rat2", "falsch-falsch", now=T0)
    auth.authenticate(engine, "rat2", PASSWORD, now=T0)
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == "rat2"))
        assert (user.failed_attempts, user.locked_until) == (0, None)


def test_failure_message_does_not_reveal_whether_the_user_exists(engine: Engine) -> None:
    auth.create_user(engine, ADMIN, "vorhanden", PASSWORD, "rat")
    messages = set()
    for username, password in [("vorhanden", "falsch-falsch"), ("gibt-es-nicht", "falsch-falsch")]:
        with pytest.raises(auth.LoginFailed) as info:
            auth.authenticate(engine, username, password)
        messages.add(str(info.value))
    assert len(messages) == 1
    assert "Anmeldung fehlgeschlagen" in messages.pop()


def test_inactive_and_sso_only_accounts_cannot_log_in_with_a_password(engine: Engine) -> None:
    auth.create_user(engine, ADMIN, "sso-nutzer", None, "rat")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(engine, "sso-nutzer", "")
    auth.create_user(engine, ADMIN, "inaktiv", PASSWORD, "rat")
    with session_scope(engine) as session:
        session.scalar(select(User).where(User.username == "inaktiv")).is_active = False
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(engine, "inaktiv", PASSWORD)


def test_outdated_hash_is_rehashed_on_login(engine: Engine) -> None:
    auth.create_user(engine, ADMIN, "alt", PASSWORD, "rat")
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    with session_scope(engine) as session:
        session.scalar(select(User).where(User.username == "alt")).password_hash = weak
    auth.authenticate(engine, "alt", PASSWORD)
    with session_scope(engine) as session:
        new = session.scalar(select(User.password_hash).where(User.username == "alt"))
    assert new != weak and auth.verify_password(new, PASSWORD)


def test_account_management_requires_admin(engine: Engine) -> None:
    for actor in (ANONYMOUS, Actor("r", "rat"), Actor("p", "planung")):
        with pytest.raises(PermissionDenied):
            auth.create_user(engine, actor, "x", PASSWORD, "admin")
    auth.create_user(engine, ADMIN, "y", PASSWORD, "rat")
    with pytest.raises(PermissionDenied):
        auth.set_role(engine, Actor("p", "planung"), "y", "admin")
    with pytest.raises(PermissionDenied):
        auth.reset_password(engine, Actor("f", "fachbereich", 1), "y", PASSWORD + "!")
    assert auth.list_users(engine).set_index("username").loc["y", "role"] == "rat"


def test_set_role_and_reset_password_are_audited_without_the_hash(engine: Engine) -> None:
    auth.create_user(engine, ADMIN, "z", PASSWORD, "rat")
    auth.set_role(engine, ADMIN, "z", "planung")
    auth.reset_password(engine, ADMIN, "z", "Ein-neues-Passwort")
    with session_scope(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "users", AuditEntry.action == "update")
        ).all()
        rows = {(e.field, e.old_value, e.new_value) for e in entries}
    assert ("role", "rat", "planung") in rows
    assert ("password", None, "(neu gesetzt)") in rows
    assert not any("argon2" in str(v) for row in rows for v in row)
    assert auth.authenticate(engine, "z", "Ein-neues-Passwort").role == "planung"


MAPPING = {
    "group_claim": "groups",
    "rules": [
        {"email_domain": "stadt.leverkusen.de", "role": "rat"},
        {"group": "SD-Fachbereich-50", "role": "fachbereich", "org": "stadt-lev-fb-soziales"},
        {"group": "SD-Admin", "role": "admin"},
        {"group": "SD-Kaputt", "role": "superuser"},
    ],
}


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "a@stadt.leverkusen.de"}, ("rat", None)),
        ({"email": "A@Stadt.Leverkusen.DE"}, ("rat", None)),
        ({"email": "a@stadt.leverkusen.de", "groups": ["SD-Fachbereich-50"]}, ("fachbereich", "stadt-lev-fb-soziales")),
        ({"email": "a@extern.de", "groups": "SD-Admin"}, ("admin", None)),
        ({"email": "a@extern.de", "groups": ["SD-Fachbereich-50", "SD-Admin"]}, ("admin", None)),
        ({"email": "a@extern.de"}, None),
        ({"email": "a@evil-stadt.leverkusen.de"}, None),
        ({"email": "a@stadt.leverkusen.de.evil.com"}, None),
        ({"email": "a@stadt.leverkusen.de", "email_verified": False}, None),
        ({"email": "a@extern.de", "groups": ["SD-Kaputt"]}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_role_from_claims(claims: dict, expected: tuple | None) -> None:
    assert auth.role_from_claims(claims, MAPPING) == expected


def test_role_from_claims_reads_the_configured_group_claim() -> None:
    mapping = {"group_claim": "roles", "rules": [{"group": "SD-Admin", "role": "admin"}]}
    assert auth.role_from_claims({"roles": ["SD-Admin"]}, mapping) == ("admin", None)
    assert auth.role_from_claims({"groups": ["SD-Admin"]}, mapping) is None


def test_sso_login_creates_and_updates_the_account(engine: Engine) -> None:
    claims = {"email": "b@extern.de", "name": "B. Beispiel", "groups": ["SD-Fachbereich-50"]}
    actor = auth.sso_actor(engine, claims, MAPPING)
    assert actor == Actor(
        "b@extern.de", "fachbereich", _org_id(engine, "stadt-lev-fb-soziales"), "B. Beispiel"
    )
    actor = auth.sso_actor(engine, claims | {"groups": ["SD-Admin"]}, MAPPING)
    assert (actor.role, actor.org_id) == ("admin", None)
    users = auth.list_users(engine).set_index("username")
    assert users.loc["b@extern.de", "role"] == "admin" and not users.loc["b@extern.de", "local_password"]
    assert auth.sso_actor(engine, {"email": "c@extern.de"}, MAPPING) is None
    assert "c@extern.de" not in set(auth.list_users(engine)["username"])


def test_sso_settings_need_the_auth_section() -> None:
    assert auth.sso_settings({"sozdash_sso": MAPPING}) is None
    assert auth.sso_settings({"auth": {"client_id": "x"}, "sozdash_sso": MAPPING}) == MAPPING


def test_cli_creates_first_admin_with_password_from_stdin(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        cli.main(
            ["user", "add", "erste-admin", "--role", "admin", "--name", "Erste Admin", "--password-stdin"]
        )
        == 0
    )
    assert "angelegt" in capsys.readouterr().out
    assert auth.authenticate(sqlite_engine, "erste-admin", PASSWORD).role == "admin"
    assert cli.main(["user", "set-role", "erste-admin", "planung"]) == 0
    assert cli.main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "erste-admin" in listing and "planung" in listing and PASSWORD not in listing
    monkeypatch.setattr("sys.stdin", io.StringIO("kurz\n"))
    assert cli.main(["user", "reset-password", "erste-admin", "--password-stdin"]) == 2
    assert "mindestens 10 Zeichen" in capsys.readouterr().err


def test_cli_never_takes_a_password_argument() -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["user", "add", "x", "--role", "rat", "--password", PASSWORD])


def test_shipped_secrets_example_maps_as_documented() -> None:
    import tomllib
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml.example"
    mapping = auth.sso_settings(tomllib.loads(example.read_text(encoding="utf-8")))
    assert mapping is not None
    claims = {"email": "x@stadt.leverkusen.de", "groups": ["GG-Sozialdashboard-FB50"]}
    assert auth.role_from_claims(claims, mapping) == ("fachbereich", "stadt-lev-fb-soziales")
    assert auth.role_from_claims({"email": "x@stadt.leverkusen.de"}, mapping) == ("rat", None)
    assert auth.role_from_claims({"email": "x@gmail.com"}, mapping) is None
